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

/// Writes a mono 16-bit WAV file as samples come, a buffer at a time, so that a 30-minute
/// window (58 MB of samples) never sits in memory whole. `finish()` writes the sizes into the
/// header; a file that was not finished says it holds no samples.
public final class WAVWriter {
    let handle: FileHandle
    let sampleRate: Int
    private var buffer: [Int16] = []
    /// Samples written so far.
    public private(set) var count = 0
    static let bufferSamples = 1 << 16

    /// Creates (or empties) the file at `url`.
    public init(url: URL, sampleRate: Int) throws {
        guard FileManager.default.createFile(atPath: url.path, contents: WAVFile.data([], sampleRate: sampleRate)) else {
            throw SpeechError("cannot write the audio file '\(url.path)'")
        }
        handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
        self.sampleRate = sampleRate
        buffer.reserveCapacity(Self.bufferSamples)
    }

    deinit { try? handle.close() }

    /// Adds samples.
    public func append(_ samples: UnsafeBufferPointer<Int16>) throws {
        buffer.append(contentsOf: samples)
        count += samples.count
        if buffer.count >= Self.bufferSamples { try flush() }
    }

    /// Writes what is buffered and the header's sizes; the file is then complete.
    public func finish() throws {
        try flush()
        let bytes = UInt32(clamping: count * 2)
        var riff = (36 &+ bytes).littleEndian, data = bytes.littleEndian
        // The RIFF size at byte 4, the data size in the header's last four bytes (40 to 44).
        try handle.seek(toOffset: 4)
        try handle.write(contentsOf: Data(bytes: &riff, count: 4))
        try handle.seek(toOffset: 40)
        try handle.write(contentsOf: Data(bytes: &data, count: 4))
        try handle.close()
    }

    private func flush() throws {
        guard !buffer.isEmpty else { return }
        #if _endian(little)
        try buffer.withUnsafeBytes { try handle.write(contentsOf: Data($0)) }
        #else
        try handle.write(contentsOf: Data(buffer.flatMap { [UInt8(truncatingIfNeeded: $0), UInt8(truncatingIfNeeded: $0 >> 8)] }))
        #endif
        buffer.removeAll(keepingCapacity: true)
    }
}
