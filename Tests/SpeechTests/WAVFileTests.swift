import Foundation
import Speech
import Testing

@Suite("WAV files")
struct WAVFileTests {
    @Test("written as samples come, a WAV file is byte for byte the one made at once; an unfinished one holds no samples")
    func streamed() throws {
        let samples = (0..<200_003).map { Int16(truncatingIfNeeded: $0 &* 7919) }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("efterhand-wav-\(UUID().uuidString).wav")
        defer { try? FileManager.default.removeItem(at: url) }
        let writer = try WAVWriter(url: url, sampleRate: 16_000)
        var offset = 0
        for size in [1, 341, 65_536, 70_000, 0, 64_125] {
            try samples[offset..<offset + size].withUnsafeBufferPointer { try writer.append($0) }
            offset += size
        }
        #expect(offset == samples.count && writer.count == samples.count)
        // Before `finish`, the header says the file is empty.
        let unfinished = try Data(contentsOf: url)
        #expect(unfinished.count >= 44 && unfinished[40..<44] == Data([0, 0, 0, 0]))
        try writer.finish()
        #expect(try Data(contentsOf: url) == WAVFile.data(samples, sampleRate: 16_000))
    }
}
