import Foundation
import Testing
@testable import IndexStore
import Pipeline
import MediaProbe
import TestSupport

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

    @Test("a run stopped after storing a changed file, before linking it, is completed by the next run")
    func stoppedBeforeLinking() throws {
        let week = try SampleWeek()
        defer { week.remove() }
        let database = try IndexDatabase()
        _ = try week.ingest(database, programme: try week.programme())
        let expected = try Self.dump(database, root: week.folder.path)
        // What the probe stage of a run writes for a touched file, and where a kill can stop it:
        // the recording saved (one transaction) without links, before the link stage.
        let stored = try #require(try database.recording(idOrPath: week.path("inspelning-01.mp4")))
        _ = try database.saveRecording(stored, links: [], segments: [])
        #expect(try Self.dump(database, root: week.folder.path) != expected, "the stop left the recording unlinked")
        // The next run finds every file unchanged, and must still link.
        let summary = try week.ingest(database, programme: try week.programme())
        #expect(summary.new + summary.changed == 0)
        #expect(try Self.dump(database, root: week.folder.path) == expected)
        #expect(try database.owedRelink() == nil, "the note is cleared once every recording is linked")
    }

    @Test("a known file probed again keeps its links until the link stage, so readers never see it withdrawn")
    func probedAgainKeepsLinks() throws {
        let week = try SampleWeek()
        defer { week.remove() }
        let database = try IndexDatabase()
        _ = try week.ingest(database, programme: try week.programme())
        let expected = try Self.dump(database, root: week.folder.path)
        let published = try database.snapshot().links.values.flatMap { $0 }.filter { $0.kind == .link }.count
        // What the probe stage writes for a touched file, and where a kill can stop it.
        let stored = try #require(try database.recording(idOrPath: week.path("inspelning-01.mp4")))
        try database.saveProbe(stored)
        #expect(try Self.dump(database, root: week.folder.path) == expected, "links, segments and status kept")
        #expect(try database.snapshot().links.values.flatMap { $0 }.filter { $0.kind == .link }.count == published)
        #expect(try database.owedRelink() != nil)
        _ = try week.ingest(database, programme: try week.programme())
        #expect(try Self.dump(database, root: week.folder.path) == expected)
        #expect(try database.owedRelink() == nil)
    }

    @Test("a run stopped after storing an edited programme, before relinking, is completed by the next run")
    func stoppedAfterProgramme() throws {
        let week = try SampleWeek()
        defer { week.remove() }
        let programme = try week.programme()
        var edited = programme
        // Session 103 moves to Monday: its recording no longer falls in its slot.
        let moved = try #require(edited.sessions.firstIndex { $0.guid == SampleWeek.guid(103) })
        edited.sessions[moved].start.addTimeInterval(-86400)
        edited.sessions[moved].end.addTimeInterval(-86400)

        let reference = try IndexDatabase()
        _ = try week.ingest(reference, programme: programme)
        _ = try week.ingest(reference, programme: edited)
        let expected = try Self.dump(reference, root: week.folder.path)

        let database = try IndexDatabase()
        _ = try week.ingest(database, programme: programme)
        // A kill right after the programme's transaction.
        try database.saveProgramme(edited)
        _ = try week.ingest(database, programme: edited)
        #expect(try Self.dump(database, root: week.folder.path) == expected)
    }

    @Test("errors about the index name its file and say what is wrong")
    func indexErrors() throws {
        let week = try SampleWeek()
        defer { week.remove() }
        let file = week.index.appendingPathComponent(IndexDatabase.fileName).path
        #expect(throws: IndexError.self) { try IndexDatabase(folder: week.index.path, create: false) }
        do {
            _ = try IndexDatabase(folder: week.index.path, create: false)
        } catch let error as IndexError {
            #expect(error.code == .missing)
            #expect(error.description.contains(file))
        }
        let full = IndexError(explaining: NSError(domain: NSPOSIXErrorDomain, code: Int(ENOSPC)), file: file)
        #expect(full.code == .full)
        #expect(full.description.contains(file) && full.description.contains("full"))
        // An index folder below a plain file can never be made: said with the file's name.
        let blocker = week.folder.appendingPathComponent("plain-file")
        try Data("x".utf8).write(to: blocker)
        #expect(throws: IndexError.self) { try IndexDatabase(folder: blocker.appendingPathComponent("Index").path) }
    }

    @Test("an index opened read-only (as from a read-only mount) reads as it was and refuses writes")
    func readOnlyIndex() throws {
        let week = try SampleWeek()
        defer { week.remove() }
        do {
            let database = try IndexDatabase(folder: week.index.path)
            _ = try week.ingest(database, programme: try week.programme())
        }
        let expected = try Self.dump(try IndexDatabase(folder: week.index.path), root: week.folder.path)
        let readOnly = try IndexDatabase(readOnlyFolder: week.index.path)
        #expect(try Self.dump(readOnly, root: week.folder.path) == expected)
        #expect(try readOnly.snapshot().recordings.count == 10)
        #expect(try readOnly.changeWatch()?.version() == readOnly.changeWatch()?.version())
        #expect(throws: (any Error).self) { try LinkStage(database: readOnly).decide(.unlink, recording: week.path("inspelning-01.mp4"), by: "test") }
        #expect(throws: IndexError.self) { try IndexDatabase(readOnlyFolder: week.folder.appendingPathComponent("nothing").path) }
    }

    @Test("SIGKILL at random moments during ingest: the index stays sound and the next run completes it")
    func killDuringIngest() throws {
        let week = try SampleWeek()
        defer { week.remove() }
        // Sixty distinct recordings: the sample files with a few random bytes appended (demuxers
        // ignore trailing bytes; the fingerprints differ).
        let sources = try FileManager.default.subpathsOfDirectory(atPath: week.media.path)
            .filter { MediaFiles.isMedia($0) }.sorted()
        // Seeded, and the seed printed, so that a failure can be run again with
        // EFTERHAND_TEST_SEED=<seed> (kill moments still vary with the machine's speed).
        var generator = SeededGenerator.fromEnvironment()
        print("killDuringIngest: seed \(generator.seed) (EFTERHAND_TEST_SEED)")
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
            process.executableURL = URL(fileURLWithPath: try efterhandBinary)
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
            #expect(try database.integrityCheck() == "ok", "after kill \(attempt), seed \(generator.seed)")
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
