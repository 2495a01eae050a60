import Foundation
import Testing
@testable import MediaProbe

/// Compares `efterhand probe --json` with `ffprobe` on every fixture: the same durations, the
/// same chapters and the same codecs in stream order.
@Suite("efterhand probe against ffprobe")
struct DifferentialTests {
    /// What ffprobe says about a file, reduced to what both tools report.
    struct FFprobeView {
        var duration: Double?
        var codecs: [String?]
        var chapters: [(start: Double, end: Double, title: String?)]
        var packetSpan: Double?
    }

    static func ffprobe(_ path: String) throws -> FFprobeView {
        let tool = try #require(ProcessOutput.which("ffprobe"), "ffprobe is needed for the differential test (make test installs ffmpeg)")
        let output = try ProcessOutput.run(tool, ["-v", "error", "-show_format", "-show_streams", "-show_chapters", "-of", "json", path])
        #expect(output.status == 0, "ffprobe failed on \(path): \(output.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: output.stdout) as? [String: Any])
        let format = json["format"] as? [String: Any] ?? [:]
        let streams = json["streams"] as? [[String: Any]] ?? []
        let chapters = json["chapters"] as? [[String: Any]] ?? []
        var view = FFprobeView(
            duration: (format["duration"] as? String).flatMap(Double.init),
            codecs: streams.map { $0["codec_name"] as? String },
            chapters: chapters.map {
                (Double($0["start_time"] as? String ?? "") ?? .nan,
                 Double($0["end_time"] as? String ?? "") ?? .nan,
                 ($0["tags"] as? [String: Any])?["title"] as? String)
            })
        if view.duration == nil {
            // No container duration: ffprobe's packets tell where the recording really ends.
            let packets = try ProcessOutput.run(tool, ["-v", "error", "-show_entries", "packet=pts_time,dts_time,duration_time", "-of", "csv=p=0", path])
            var first = Double.infinity
            var last = -Double.infinity
            for line in String(decoding: packets.stdout, as: UTF8.self).split(separator: "\n") {
                let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { Double($0) }
                guard let start = fields.first.flatMap({ $0 }) ?? (fields.count > 1 ? fields[1] : nil) else { continue }
                let length = fields.count > 2 ? (fields[2] ?? 0) : 0
                first = min(first, start)
                last = max(last, start + length)
            }
            if first.isFinite { view.packetSpan = last - first }
        }
        return view
    }

    static func efterhandProbe(_ paths: [String]) throws -> [ProbeResult] {
        let output = try ProcessOutput.run(Binary.efterhand, ["probe", "--json"] + paths)
        #expect(output.status == 0, "efterhand probe failed: \(output.stderr)")
        return try JSONDecoder().decode([ProbeResult].self, from: output.stdout)
    }

    @Test("every fixture matches ffprobe", arguments: Fixtures.all)
    func matchesFFprobe(name: String) throws {
        let path = Fixtures.path(name)
        let reference = try Self.ffprobe(path)
        let ours = try #require(try Self.efterhandProbe([path]).first)
        #expect(ours.error == nil)
        #expect(ours.path == path)

        if let duration = reference.duration {
            let value = try #require(ours.durationSeconds)
            #expect(abs(value - duration) <= 0.001, "duration \(value) vs ffprobe \(duration)")
            #expect(ours.durationSource == .container)
        } else {
            let span = try #require(reference.packetSpan, "ffprobe found no packets in \(name)")
            let value = try #require(ours.durationSeconds, "no duration for \(name), which ffprobe's packets span")
            #expect(abs(value - span) <= 0.001, "scanned duration \(value) vs ffprobe's packets \(span)")
            #expect(ours.durationSource == .scan)
        }

        #expect(ours.streams.map(\.codec) == reference.codecs)
        #expect(ours.streams.map(\.index) == Array(0..<ours.streams.count))
        #expect(ours.chapters.count == reference.chapters.count)
        for (mine, theirs) in zip(ours.chapters, reference.chapters) {
            #expect(abs(mine.startSeconds - theirs.start) <= 0.001)
            #expect(abs(mine.endSeconds - theirs.end) <= 0.001)
            #expect(mine.title == theirs.title)
        }
    }

    @Test("a folder is walked and every media file in it is probed, in order")
    func folderIsWalked() throws {
        let results = try Self.efterhandProbe([Fixtures.folder.path])
        let names = results.map { URL(fileURLWithPath: $0.path).lastPathComponent }
        #expect(names == Fixtures.all.filter { MediaFiles.extensions.contains(URL(fileURLWithPath: $0).pathExtension.lowercased()) })
        #expect(results.allSatisfy { $0.succeeded })
    }
}
