import Foundation
import Testing
@testable import MediaProbe

/// Hostile files beyond the damaged ones in `BadInputTests`: absurd chapter tables and
/// timestamps, huge tags, and folders whose entries cannot be opened by name. Each case is made
/// here from a fixture; `scripts/reliability/hostile_media.py` runs the larger corpus.
@Suite("hostile media")
struct HostileMediaTests {
    let prober = Prober(options: ProbeOptions(timeout: 5))

    // MARK: - Byte surgery on fixtures

    /// Length of an EBML variable-size integer from its first byte.
    static func vintLength(_ first: UInt8) -> Int { first == 0 ? 8 : first.leadingZeroBitCount + 1 }

    static func vintValue(_ bytes: [UInt8], at index: Int) -> UInt64 {
        let length = vintLength(bytes[index])
        var value = UInt64(bytes[index] & (length == 8 ? 0 : UInt8(0xFF >> length)))
        for byte in bytes[(index + 1)..<(index + length)] { value = value << 8 | UInt64(byte) }
        return value
    }

    /// Grows the size at `index` by `delta`, in the same width; an unknown size stays unknown.
    static func growVint(_ bytes: inout [UInt8], at index: Int, by delta: Int) {
        let length = vintLength(bytes[index])
        let value = vintValue(bytes, at: index)
        guard value != (UInt64(1) << (7 * UInt64(length))) - 1 else { return }
        var encoded = (UInt64(1) << (7 * UInt64(length))) | (value + UInt64(delta))
        for offset in (0..<length).reversed() {
            bytes[index + offset] = UInt8(truncatingIfNeeded: encoded)
            encoded >>= 8
        }
    }

    /// A Matroska file whose first cluster starts at `time` (in the track's time base), with the
    /// cluster's and segment's sizes kept consistent.
    static func matroska(_ data: Data, clusterTime time: UInt64) throws -> Data {
        var bytes = [UInt8](data)
        let clusterID: [UInt8] = [0x1F, 0x43, 0xB6, 0x75]
        let cluster = try #require(bytes.indices.first { bytes[$0...].starts(with: clusterID) })
        let at = try #require((cluster + 4..<cluster + 16).first { bytes[$0] == 0xE7 }, "no cluster timestamp")
        let old = 1 + vintLength(bytes[at + 1]) + Int(vintValue(bytes, at: at + 1))
        let element: [UInt8] = [0xE7, 0x88] + withUnsafeBytes(of: time.bigEndian, Array.init)
        bytes.replaceSubrange(at..<(at + old), with: element)
        for id in [clusterID, [0x18, 0x53, 0x80, 0x67]] {
            if let start = bytes.indices.first(where: { bytes[$0...].starts(with: id) }), start < at {
                growVint(&bytes, at: start + 4, by: element.count - old)
            }
        }
        return Data(bytes)
    }

    /// An MP3 with its ID3 chapter (CHAP) times set to `start` and `end` milliseconds.
    static func mp3(_ data: Data, chapterStart start: UInt32, end: UInt32) -> Data {
        var bytes = [UInt8](data)
        var index = 0
        while index + 4 < bytes.count {
            defer { index += 1 }
            guard bytes[index..<(index + 4)].elementsEqual("CHAP".utf8),
                  let nul = bytes[(index + 10)...].firstIndex(of: 0), nul + 9 < bytes.count else { continue }
            let times = withUnsafeBytes(of: start.bigEndian, Array.init) + withUnsafeBytes(of: end.bigEndian, Array.init)
            bytes.replaceSubrange((nul + 1)..<(nul + 9), with: times)
        }
        return Data(bytes)
    }

    /// An ID3v2.4 tag with one UTF-8 title frame of `title`.
    static func id3Tag(title: String) -> Data {
        func syncsafe(_ value: Int) -> [UInt8] { (0..<4).reversed().map { UInt8((value >> (7 * $0)) & 0x7F) } }
        let text = [UInt8(3)] + Array(title.utf8)
        let frame = Array("TIT2".utf8) + syncsafe(text.count) + [0, 0] + text
        return Data(Array("ID3".utf8) + [4, 0, 0] + syncsafe(frame.count) + frame)
    }

    func write(_ data: Data, _ name: String, in folder: URL) throws -> String {
        let url = folder.appendingPathComponent(name)
        try data.write(to: url)
        return url.path
    }

    // MARK: - Tests

    @Test("timestamps at the end of the 64-bit range give no duration rather than an absurd one",
          arguments: [UInt64(0x7FFF_FFFF_FFFF_FFF0), 1 << 62, 0xFFFF_FFFF_FFFF_FFF0])
    func absurdTimestamps(time: UInt64) throws {
        let folder = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // live.webm states no duration, so the probe scans its packets' timestamps.
        let original = try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("live.webm")))
        let path = try write(try Self.matroska(original, clusterTime: time), "late.webm", in: folder)
        let result = prober.probe(path)
        if let duration = result.durationSeconds {
            #expect(duration.isFinite && duration >= 0 && duration <= Prober.maxSeconds, "duration \(duration)")
        }
        for stream in result.streams {
            #expect((stream.durationSeconds ?? 0) <= Prober.maxSeconds)
        }
        // The table prints h:mm:ss.mmm: a duration past Int milliseconds used to trap there.
        let output = try ProcessOutput.run(Binary.efterhand, ["probe", path])
        #expect(output.status == 0 || output.status == 1, "exit \(output.status): \(output.stderr)")
        #expect(String(decoding: output.stdout, as: UTF8.self).contains("late.webm"))
    }

    @Test("chapter times that run backwards or sit at the end of their field's range stay finite and bounded",
          arguments: [(UInt32(5000), UInt32(1000)), (.max, .max), (.max, 0)])
    func absurdChapterTimes(start: UInt32, end: UInt32) throws {
        let folder = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let original = try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("id3-chapters.mp3")))
        let path = try write(Self.mp3(original, chapterStart: start, end: end), "chapters.mp3", in: folder)
        let result = prober.probe(path)
        #expect(result.error == nil, "\(result.error?.message ?? "")")
        // FFmpeg drops a chapter that ends before it starts; the others are reported.
        #expect(result.chapters.isEmpty == (end < start))
        for chapter in result.chapters {
            #expect(chapter.startSeconds.isFinite && chapter.endSeconds.isFinite)
            #expect(abs(chapter.startSeconds) <= Prober.maxSeconds && abs(chapter.endSeconds) <= Prober.maxSeconds)
        }
    }

    @Test("chapter times from any time base are clamped to what the probe believes")
    func clamped() {
        #expect(Prober.clamped(1e28) == Prober.maxSeconds)
        #expect(Prober.clamped(-1e28) == -Prober.maxSeconds)
        #expect(Prober.clamped(.nan) == 0 && Prober.clamped(.infinity) == 0)
        #expect(Prober.clamped(3723.5) == 3723.5)
        // The bound in milliseconds still fits an Int, as h:mm:ss.mmm and media fragments need.
        #expect(Int(exactly: (Prober.maxSeconds * 1000).rounded()) != nil)
    }

    @Test("a title tag of several megabytes is cut to the limit; the file still probes")
    func hugeTag() throws {
        let folder = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let audio = try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("id3-chapters.mp3")))
        let path = try write(Self.id3Tag(title: String(repeating: "Ö", count: 3_000_000)) + audio, "huge-tag.mp3", in: folder)
        let result = prober.probe(path)
        #expect(result.error == nil, "\(result.error?.message ?? "")")
        let title = try #require(result.tags["title"])
        #expect(title.hasSuffix("…"))
        #expect(title.utf8.count <= ProbeOptions().maxTagBytes + "…".utf8.count)
        #expect(title.hasPrefix("ÖÖÖ"))
    }

    @Test("a walk names links that do not resolve and names that are not UTF-8, and takes the rest")
    func unopenableEntries() throws {
        let folder = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let manager = FileManager.default
        try manager.copyItem(atPath: Fixtures.path("faststart.mp4"), toPath: folder.appendingPathComponent("ok.mp4").path)
        try manager.createSymbolicLink(atPath: folder.appendingPathComponent("loop.mp4").path, withDestinationPath: "loop.mp4")
        try manager.createSymbolicLink(atPath: folder.appendingPathComponent("gone.mkv").path, withDestinationPath: "nowhere.mkv")
        // A name with bytes that are not UTF-8, as copied from an old Latin-1 file system.
        let raw = Array(folder.path.utf8) + Array("/f".utf8) + [0xF6, 0x72, 0x65, 0x64, 0x72, 0x61, 0x67]
            + Array(".mp4".utf8) + [0]
        let descriptor = raw.withUnsafeBufferPointer { $0.withMemoryRebound(to: CChar.self) { Foundation.open($0.baseAddress!, O_CREAT | O_WRONLY, 0o644) } }
        #expect(descriptor >= 0)
        close(descriptor)

        let found = MediaFiles.expand([folder.path])
        #expect(found.files == [folder.appendingPathComponent("ok.mp4").path])
        let reasons = Dictionary(found.skipped.map { (($0.path as NSString).lastPathComponent, $0.reason) }, uniquingKeysWith: { a, _ in a })
        #expect(reasons["loop.mp4"] != nil)
        #expect(reasons["gone.mkv"] != nil)
        #expect(reasons["f\u{FFFD}redrag.mp4"]?.contains("not valid UTF-8") == true, "\(found.skipped)")
    }

    @Test("probe --json keeps standard output one JSON array and names what the walk passed over on standard error")
    func skippedNamedInJSONMode() throws {
        let folder = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.copyItem(atPath: Fixtures.path("faststart.mp4"), toPath: folder.appendingPathComponent("ok.mp4").path)
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("loop.mp4").path, withDestinationPath: "loop.mp4")
        #expect(mkfifo(folder.appendingPathComponent("live.ts").path, 0o644) == 0)
        let output = try ProcessOutput.run(Binary.efterhand, ["probe", "--json", folder.path])
        let results = try JSONDecoder().decode([ProbeResult].self, from: output.stdout)
        #expect(results.map { ($0.path as NSString).lastPathComponent } == ["live.ts", "ok.mp4"])
        #expect(results.first?.error?.code == .notARegularFile)
        #expect(output.stderr.contains(folder.appendingPathComponent("loop.mp4").path), "stderr: \(output.stderr)")
        #expect(output.status == 1)
    }
}
