import Foundation
import Testing
@testable import IndexStore
import MediaProbe

/// `kill -9` at any moment leaves an index that opens, passes `PRAGMA integrity_check`, and is
/// completed by the next run into the same index as an uninterrupted run.
@Suite("crash safety", .serialized)
struct CrashTests {
    /// A stable text of what an index holds: recordings, links and segments.
    static func dump(_ database: IndexDatabase, root: String) throws -> [String] {
        let links = try database.links()
        var lines: [String] = []
        for recording in try database.recordings() {
            let path = recording.path.replacingOccurrences(of: root, with: "")
            lines.append("R \(path) \(recording.state) \(recording.linkStatus) \(recording.fingerprint ?? "-") dup=\(recording.duplicateOf != nil)")
            for link in links[recording.id ?? -1] ?? [] {
                lines.append("  L \(link.kind) \(link.sessionGuid) \(link.inSeconds) \(link.outSeconds) \(link.decidedBy)")
            }
            for segment in try database.segments(recordingID: recording.id) {
                lines.append("  S \(segment.sessionGuid) \(segment.startSeconds) \(segment.endSeconds) \(segment.title)")
            }
        }
        return lines
    }

    @Test("SIGKILL at random moments during ingest: the index stays sound and the next run completes it")
    func killDuringIngest() throws {
        let week = try SampleWeek()
        defer { week.remove() }
        // Sixty distinct recordings: the sample files with a few random bytes appended (demuxers
        // ignore trailing bytes; the fingerprints differ).
        let sources = try FileManager.default.subpathsOfDirectory(atPath: week.media.path)
            .filter { MediaFiles.isMedia($0) }.sorted()
        var generator = SystemRandomNumberGenerator()
        for copy in 0..<6 {
            let folder = week.media.appendingPathComponent("kopia-\(copy)")
            for source in sources {
                let target = folder.appendingPathComponent(source)
                try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                var data = try Data(contentsOf: week.media.appendingPathComponent(source))
                data.append(contentsOf: (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) })
                try data.write(to: target)
            }
        }
        let reference = week.folder.appendingPathComponent("Reference").path
        let arguments = ["ingest", "--media", week.media.path, "--schedule", week.schedule.path]
        let clean = try run(efterhandBinary, arguments + ["--index", reference])
        #expect(clean.status == 0, "\(clean.output)")
        let expected = try Self.dump(try IndexDatabase(folder: reference), root: week.folder.path)

        var kills = 0
        for attempt in 0..<12 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: efterhandBinary)
            process.arguments = arguments + ["--index", week.index.path]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            Thread.sleep(forTimeInterval: Double.random(in: 0.005...0.4, using: &generator))
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                kills += 1
            }
            process.waitUntilExit()
            let database = try IndexDatabase(folder: week.index.path)
            #expect(try database.integrityCheck() == "ok", "after kill \(attempt)")
            // Drop the index now and then, so that kills also land in early, cold runs.
            if attempt % 4 == 3 {
                try FileManager.default.removeItem(at: week.index)
            }
        }
        #expect(kills > 0)
        let finish = try run(efterhandBinary, arguments + ["--index", week.index.path])
        #expect(finish.status == 0, "\(finish.output)")
        let database = try IndexDatabase(folder: week.index.path)
        #expect(try database.integrityCheck() == "ok")
        #expect(try Self.dump(database, root: week.folder.path) == expected)
    }
}
