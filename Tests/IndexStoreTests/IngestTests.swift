import Foundation
import Testing
import TestSupport
@testable import IndexStore
import Pipeline
import Linking
import MediaProbe
import Schedule

/// `efterhand ingest` on a copy of the sample week: what it stores, and what re-runs, moves,
/// copies, deletions, programme edits and manual decisions do to it.
@Suite("ingest", .serialized)
struct IngestTests {
    func linkOf(_ database: IndexDatabase, _ name: String, in week: SampleWeek) throws -> RecordingLinks {
        try #require(try database.linkResults().first { $0.path == week.path(name) }, "no \(name) in the index")
    }

    @Test("the sample week: expected links, segments and summary")
    func sampleWeek() throws {
        let week = try SampleWeek()
        defer { week.remove() }
        let database = try IndexDatabase(folder: week.index.path)
        let summary = try week.ingest(database, programme: try week.programme())
        #expect(summary.recordings == 10)
        #expect(summary.new == 10)
        #expect(summary.linked == 9)
        #expect(summary.unmatched == 1)
        #expect(summary.failed == 0)
        let brg = try linkOf(database, "brg-studion/brg-eftermiddag.mkv", in: week)
        #expect(brg.links.map(\.guid) == [106, 107, 108].map(SampleWeek.guid))
        let recording = try #require(try database.recording(idOrPath: week.path("brg-studion/brg-eftermiddag.mkv")))
        let segments = try database.segments(recordingID: recording.id)
        // One chapter per talk: each talk's part is its chapter.
        #expect(segments.map(\.title) == ["Innovationsprogrammet Hoppet", "Gothenburg Green City Zone", "Testbädden Electricity"])
        #expect(zip(segments.map(\.startSeconds), [310.0, 2130, 3895]).allSatisfy { abs($0 - $1) < 0.001 })
        // Long talks without chapters are cut evenly, so a search hit lands near the moment.
        let obs = try #require(try database.recording(idOrPath: week.path("sal-a/2021-10-05 12-58-40.mkv")))
        let obsSegments = try database.segments(recordingID: obs.id)
        #expect(obsSegments.count == 9)
        #expect(obsSegments.first?.startSeconds == 80)
        #expect(obsSegments.last?.endSeconds == 2780)
        #expect(try database.integrityCheck() == "ok")
    }

    @Test("a re-run with nothing changed opens no file")
    func unchangedOpensNothing() throws {
        let week = try SampleWeek()
        defer { week.remove() }
        let database = try IndexDatabase(folder: week.index.path)
        _ = try week.ingest(database, programme: try week.programme())
        // Overwrite a recording with zeros but keep its size and modification time: if the
        // re-run opened it, it would fail to probe.
        let path = week.path("jsp-kamera.mp4")
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
        var info = stat()
        #expect(stat(path, &info) == 0)
        try Data(count: size).write(to: URL(fileURLWithPath: path))
        // Put back the exact modification time, nanoseconds included.
        var times = [info.st_atim, info.st_mtim]
        #expect(utimensat(AT_FDCWD, path, &times, 0) == 0)
        let summary = try week.ingest(database, programme: try week.programme())
        #expect(summary.unchanged == 10)
        #expect(summary.new == 0 && summary.changed == 0)
        #expect(summary.failed == 0)
        #expect(try linkOf(database, "jsp-kamera.mp4", in: week).status == .linked)
    }

    @Test("touch, rename, copy, delete")
    func fileChanges() throws {
        let week = try SampleWeek()
        defer { week.remove() }
        let database = try IndexDatabase(folder: week.index.path)
        _ = try week.ingest(database, programme: try week.programme())
        let before = try #require(try database.recording(idOrPath: week.path("inspelning-01.mp4")))

        // touch: changed, probed again
        try FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: week.path("sommarjobbare.mp4"))
        var summary = try week.ingest(database)
        #expect(summary.changed == 1)
        #expect(summary.unchanged == 9)

        // rename: a move keeps the recording id and its links
        try FileManager.default.moveItem(atPath: week.path("inspelning-01.mp4"), toPath: week.path("gorel-talk.mp4"))
        summary = try week.ingest(database)
        #expect(summary.moved == 1)
        #expect(summary.missing == 0)
        let moved = try #require(try database.recording(idOrPath: week.path("gorel-talk.mp4")))
        #expect(moved.id == before.id)
        #expect(try linkOf(database, "gorel-talk.mp4", in: week).links.first?.guid == SampleWeek.guid(101))

        // copy: two recordings, flagged as duplicates of each other
        try FileManager.default.copyItem(atPath: week.path("jsp-kamera.mp4"), toPath: week.path("jsp-kopia.mp4"))
        summary = try week.ingest(database)
        #expect(summary.new == 1)
        #expect(summary.duplicates == 1)
        #expect(summary.recordings == 11)

        // delete: marked missing, not deleted; --prune deletes
        try FileManager.default.removeItem(atPath: week.path("jsp-kopia.mp4"))
        summary = try week.ingest(database)
        #expect(summary.missing == 1)
        #expect(summary.recordings == 10)
        #expect(summary.duplicates == 0)
        #expect(try database.recording(idOrPath: week.path("jsp-kopia.mp4"))?.state == .missing)
        summary = try week.ingest(database, prune: true)
        #expect(summary.missing == 0)
        #expect(try database.recording(idOrPath: week.path("jsp-kopia.mp4")) == nil)
    }

    @Test("partial downloads, hidden files and broken files do not stop the run")
    func badFiles() throws {
        let week = try SampleWeek()
        defer { week.remove() }
        try Data("not a video".utf8).write(to: URL(fileURLWithPath: week.path("trasig.mp4")))
        try Data(count: 100).write(to: URL(fileURLWithPath: week.path("halv.mp4.part")))
        try Data(count: 100).write(to: URL(fileURLWithPath: week.path(".dold.mp4")))
        let database = try IndexDatabase(folder: week.index.path)
        let summary = try week.ingest(database, programme: try week.programme())
        #expect(summary.failed == 1)
        #expect(summary.recordings == 11)
        #expect(summary.linked == 9)
        #expect(summary.errors.contains { $0.contains("trasig.mp4") })
        #expect(summary.skipped.contains { $0.contains("halv.mp4.part") && $0.contains("partial download") })
        // A failed file is tried again only when it changes.
        let again = try week.ingest(database)
        #expect(again.unchanged == 11)
        #expect(again.errors.isEmpty)
    }

    @Test("an edited programme re-links, and session ids stay stable by guid")
    func programmeEdit() throws {
        let week = try SampleWeek()
        defer { week.remove() }
        let database = try IndexDatabase(folder: week.index.path)
        _ = try week.ingest(database, programme: try week.programme())
        var programme = try week.programme()
        // The team-sport talk gets a new title; the Johanneberg talk moves a day later, away
        // from its recording.
        let teamSport = programme.sessions.firstIndex { $0.guid == SampleWeek.guid(103) }!
        programme.sessions[teamSport].title = "Innovation är en lagsport"
        let jsp = programme.sessions.firstIndex { $0.guid == SampleWeek.guid(110) }!
        programme.sessions[jsp].start += 86_400
        programme.sessions[jsp].end += 86_400
        let summary = try week.ingest(database, programme: programme)
        #expect(summary.unchanged == 10)
        let session = try #require(try database.session(guidOrSlug: SampleWeek.guid(103)))
        #expect(session.title == "Innovation är en lagsport")
        #expect(try linkOf(database, "sal-a/2021-10-05 12-58-40.mkv", in: week).links.first?.title == "Innovation är en lagsport")
        #expect(try linkOf(database, "sal-a/2021-10-05 12-58-40.mkv", in: week).links.first?.guid == SampleWeek.guid(103))
        #expect(try linkOf(database, "jsp-kamera.mp4", in: week).status != .linked)
    }

    @Test("manual decisions win and survive re-ingest, moves and programme re-imports")
    func manualDecisions() throws {
        let week = try SampleWeek()
        defer { week.remove() }
        let database = try IndexDatabase(folder: week.index.path)
        _ = try week.ingest(database, programme: try week.programme())

        // The unmatched file is the closing talk (which the engine cannot know).
        try LinkStage(database: database).decide(.accept, recording: week.path("MVI_0042.MP4"), session: SampleWeek.guid(111), inSeconds: 30, outSeconds: 1700, by: "test")
        // The title-only match is wrong, says a person; and the Yesbox file is not a talk at all.
        try LinkStage(database: database).decide(.reject, recording: week.path("oppna-data.webm"), session: SampleWeek.guid(105), by: "test")
        try LinkStage(database: database).decide(.unlink, recording: week.path("yesbox/2021-10-07 09-58-00.mp4"), by: "test")

        func check() throws {
            let accepted = try linkOf(database, "moved/MVI_0042.MP4", in: week)
            #expect(accepted.status == .linked)
            #expect(accepted.links.map(\.guid) == [SampleWeek.guid(111)])
            #expect(accepted.links.first?.inSeconds == 30 && accepted.links.first?.outSeconds == 1700)
            #expect(accepted.links.first?.flags.contains(.manual) == true)
            let rejected = try linkOf(database, "oppna-data.webm", in: week)
            #expect(!rejected.links.contains { $0.guid == SampleWeek.guid(105) })
            #expect(!rejected.candidates.contains { $0.guid == SampleWeek.guid(105) })
            #expect(try linkOf(database, "yesbox/2021-10-07 09-58-00.mp4", in: week).status == .unmatched)
        }
        // A move, a re-ingest and a re-import of an edited programme.
        try FileManager.default.createDirectory(atPath: week.path("moved"), withIntermediateDirectories: true)
        try FileManager.default.moveItem(atPath: week.path("MVI_0042.MP4"), toPath: week.path("moved/MVI_0042.MP4"))
        _ = try week.ingest(database, programme: try week.programme())
        try check()
        var programme = try week.programme()
        programme.sessions[0].title += " (uppdaterad)"
        _ = try week.ingest(database, programme: programme)
        try check()
        try FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: week.path("oppna-data.webm"))
        _ = try week.ingest(database, programme: try week.programme())
        try check()

        // Each decision is in the audit log once, with who made it and the links before and after;
        // the re-ingests added nothing.
        let audit = try database.auditEntries()
        #expect(audit.map(\.action) == ["unlink", "reject", "accept"])
        #expect(audit.allSatisfy { $0.who == "test" && $0.fingerprint != nil })
        let accept = try #require(audit.last)
        #expect(accept.sessionGuid == SampleWeek.guid(111) && accept.recordingPath?.hasSuffix("MVI_0042.MP4") == true)
        #expect(accept.before.contains("\"link_status\":\"unmatched\"") && accept.before.contains("\"links\":[]"))
        #expect(accept.after.contains("\"session\":\"\(SampleWeek.guid(111))\"") && accept.after.contains("\"in_seconds\":30"))
        #expect(try database.auditEntries(sessionGuid: SampleWeek.guid(111)) == [accept])
    }

    @Test("efterhand session hide|publish: the staff pages' publication, from the shell, by slug, kept across a re-ingest, audited; an opted-out talk is refused")
    func sessionCommand() throws {
        let week = try SampleWeek()
        defer { week.remove() }
        let database = try IndexDatabase(folder: week.index.path)
        _ = try week.ingest(database, programme: try week.programme())
        let binary = try EfterhandBinary.path()
        let index = ["--index", week.index.path]
        let hide = try run(binary, ["session", "hide", "iv21-105-oppna-data"] + index, environment: ["USER": "redaktor"])
        #expect(hide.status == 0 && hide.output.contains("hidden"), "\(hide.output)")
        #expect(try database.hiddenSessions() == [SampleWeek.guid(105)])
        _ = try week.ingest(database, programme: try week.programme())
        #expect(try database.hiddenSessions() == [SampleWeek.guid(105)], "kept across a re-ingest")
        #expect(try database.auditEntries(sessionGuid: SampleWeek.guid(105)).first?.who == "cli:redaktor")
        let optedOut = try run(binary, ["session", "publish", SampleWeek.guid(109)] + index)
        #expect(optedOut.status == 1 && optedOut.output.contains("do-not-record"), "\(optedOut.output)")
        let unknown = try run(binary, ["session", "hide", "no-such-talk"] + index)
        #expect(unknown.status == 1 && unknown.output.contains("no session"), "\(unknown.output)")
        #expect(try run(binary, ["session", "publish", "iv21-105-oppna-data"] + index).status == 0)
        #expect(try database.hiddenSessions().isEmpty)
    }

    @Test("a file still growing is skipped and named; a file written a moment ago that stays put is indexed")
    func stillBeingWritten() throws {
        let week = try SampleWeek()
        defer { week.remove() }
        let growing = week.path("live-sal-a.ts")
        let settled = week.path("just-copied.mp4")
        try FileManager.default.copyItem(atPath: week.path("sommarjobbare.mp4"), toPath: growing)
        try FileManager.default.copyItem(atPath: week.path("inspelning-01.mp4"), toPath: settled)
        // A recorder appending to its file every 50 ms, for longer than the ingest looks.
        let writer = Thread {
            guard let handle = FileHandle(forWritingAtPath: growing) else { return }
            for _ in 0..<60 {
                handle.seekToEndOfFile()
                handle.write(Data(repeating: 0, count: 188))
                Thread.sleep(forTimeInterval: 0.05)
            }
            try? handle.close()
        }
        writer.start()
        let database = try IndexDatabase(folder: week.index.path)
        var options = IngestOptions(media: [week.media.path])
        options.settleSeconds = 1  // the default 30 s "recent" window is kept: both files are recent
        options.thumbnails = .off
        let summary = try Ingestor(database: database, options: options).run(programme: nil)
        #expect(summary.skipped.contains { $0.hasPrefix(growing) && $0.contains("still being written") }, "\(summary.skipped)")
        let paths = try database.recordings().map(\.path)
        #expect(!paths.contains(growing))
        #expect(paths.contains(settled))
        while writer.isExecuting { Thread.sleep(forTimeInterval: 0.05) }
    }

    /// The sample programme as a CSV without guid and id columns (so every guid is derived from
    /// title, start and room), with `edit` applied to the cells of each row by slug.
    func programmeWithoutGuids(_ week: SampleWeek, edit: [String: (inout [String]) -> Void] = [:]) throws -> Programme {
        let text = try String(contentsOf: SampleWeek.root.appendingPathComponent("Media/schedule.csv"), encoding: .utf8)
        let rows = text.split(whereSeparator: \.isNewline).map { line -> String in
            var cells = Array(line.split(separator: ";", omittingEmptySubsequences: false).dropFirst(2).map(String.init))
            if let change = edit[cells[0]] { change(&cells) }
            return cells.joined(separator: ";")
        }
        let file = week.folder.appendingPathComponent("schedule.csv")
        try Data(rows.joined(separator: "\n").utf8).write(to: file)
        return try ScheduleLoader.load(path: file.path, timeZone: TimeZone(identifier: "Europe/Stockholm"))
    }

    @Test("a decision follows its session to a new derived guid when the session is clearly the same, else its recording goes to review")
    func decisionsWhenGuidsChange() throws {
        let week = try SampleWeek()
        defer { week.remove() }
        let database = try IndexDatabase(folder: week.index.path)
        let first = try programmeWithoutGuids(week)
        _ = try week.ingest(database, programme: first)
        try LinkStage(database: database).decide(.accept, recording: week.path("MVI_0042.MP4"), session: "iv21-111-vad-tar-vi-med-oss", inSeconds: 30, outSeconds: 1700, by: "test")
        try LinkStage(database: database).decide(.accept, recording: week.path("jsp-kamera.mp4"), session: "iv21-110-johanneberg", inSeconds: 12, outSeconds: 600, by: "test")
        try LinkStage(database: database).decide(.accept, recording: week.path("sommarjobbare.mp4"), session: "iv21-104-sommarjobbare", by: "test")

        // Renamed (time and room kept), moved by an hour (title and room kept), and both (only the room kept).
        let edited = try programmeWithoutGuids(week, edit: [
            "iv21-111-vad-tar-vi-med-oss": { $0[1] = "Innovationsveckan i Göteborg – vad tog vi med oss?" },
            "iv21-110-johanneberg": { $0[2] = "2021-10-08 14:00"; $0[3] = "2021-10-08 14:45" },
            "iv21-104-sommarjobbare": { $0[1] = "Sommarjobbare och hållbarhet"; $0[2] = "2021-10-06 11:00"; $0[3] = "2021-10-06 11:45" },
        ])
        let summary = try week.ingest(database, programme: edited)
        let renamed = try #require(edited.sessions.first { $0.slug == "iv21-111-vad-tar-vi-med-oss" })
        let moved = try #require(edited.sessions.first { $0.slug == "iv21-110-johanneberg" })

        let closing = try linkOf(database, "MVI_0042.MP4", in: week)
        #expect(closing.status == .linked)
        #expect(closing.links.map(\.guid) == [renamed.guid])
        #expect(closing.links.first?.title == renamed.title && closing.links.first?.inSeconds == 30 && closing.links.first?.outSeconds == 1700)
        #expect(closing.links.first?.flags.contains(.manual) == true)
        let camera = try linkOf(database, "jsp-kamera.mp4", in: week)
        #expect(camera.links.map(\.guid) == [moved.guid] && camera.links.first?.inSeconds == 12 && camera.links.first?.outSeconds == 600)

        // No clear successor: never shown as linked, in review with the reason, named in the summary.
        let summer = try linkOf(database, "sommarjobbare.mp4", in: week)
        #expect(summer.status == .review)
        #expect(summer.links.isEmpty)
        #expect(summer.candidates.first?.reasons.first?.contains("the session you chose is no longer in the programme") == true, "\(summer.candidates)")
        #expect(summary.decisions.contains { $0.contains("sommarjobbare.mp4") && $0.contains("no longer in the programme") }, "\(summary.decisions)")
        #expect(summary.decisions.filter { $0.contains("now hold for") }.count == 2, "\(summary.decisions)")
        let snapshot = try database.snapshot()
        let summerID = try #require(try database.recordings().first { $0.path == week.path("sommarjobbare.mp4") }?.id)
        #expect(!(snapshot.links[summerID] ?? []).contains { $0.kind == .link })
        // And a choice of a session that left the programme cannot be made again.
        let gone = try #require(first.sessions.first { $0.slug == "iv21-104-sommarjobbare" }?.guid)
        #expect(throws: DecisionError.self) { try LinkStage(database: database).decide(.accept, recording: week.path("sommarjobbare.mp4"), session: gone, by: "test") }

        // A re-run changes nothing of that: the decisions moved once, and stay moved.
        let again = try week.ingest(database, programme: edited)
        #expect(!again.decisions.contains { $0.contains("now hold for") })
        #expect(try linkOf(database, "MVI_0042.MP4", in: week).links.map(\.guid) == [renamed.guid])
    }

    @Test("decisions name what is wrong: unknown recording, unknown session, out before in")
    func decisionErrors() throws {
        let week = try SampleWeek()
        defer { week.remove() }
        let database = try IndexDatabase(folder: week.index.path)
        _ = try week.ingest(database, programme: try week.programme())
        #expect(throws: DecisionError.self) { try LinkStage(database: database).decide(.accept, recording: "nope.mp4", session: SampleWeek.guid(101), by: "test") }
        #expect(throws: DecisionError.self) { try LinkStage(database: database).decide(.accept, recording: week.path("jsp-kamera.mp4"), session: "no-such-session", by: "test") }
        #expect(throws: DecisionError.self) { try LinkStage(database: database).decide(.accept, recording: week.path("jsp-kamera.mp4"), session: SampleWeek.guid(110), inSeconds: 100, outSeconds: 50, by: "test") }
        #expect(throws: DecisionError.self) { try LinkStage(database: database).decide(.accept, recording: week.path("jsp-kamera.mp4"), session: SampleWeek.guid(110), inSeconds: 0, outSeconds: 99_999, by: "test") }
    }
}
