import Foundation

/// 16-bit PCM WAV, the one file format every speech engine reads.
public enum WAVFile {
    /// The bytes of a mono WAV file of `samples` at `sampleRate`.
    public static func data(_ samples: [Int16], sampleRate: Int) -> Data {
        var data = Data(capacity: 44 + samples.count * 2)
        func put32(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) } }
        func put16(_ value: UInt16) { withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) } }
        let bytes = UInt32(clamping: samples.count * 2)
        data.append(contentsOf: Array("RIFF".utf8))
        put32(36 &+ bytes)
        data.append(contentsOf: Array("WAVEfmt ".utf8))
        put32(16)
        put16(1)  // PCM
        put16(1)  // mono
        put32(UInt32(sampleRate))
        put32(UInt32(sampleRate * 2))
        put16(2)
        put16(16)
        data.append(contentsOf: Array("data".utf8))
        put32(bytes)
        // WAV is little-endian, as the machines this runs on are: the samples go in as they lie
        // in memory, in one copy (a 30-minute window is 29 million of them).
        #if _endian(little)
        samples.withUnsafeBytes { data.append(contentsOf: $0) }
        #else
        for sample in samples { put16(UInt16(bitPattern: sample)) }
        #endif
        return data
    }
}
