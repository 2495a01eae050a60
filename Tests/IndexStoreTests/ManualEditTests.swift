import Captions
import Foundation
import Testing
@testable import IndexStore
@testable import Pipeline
import Schedule

/// Chapters and transcript corrections made by a person (issue 21, parts 4 and 5), through the
/// operations the staff pages and the CLI share, on a copy of the sample week.
@Suite("chapters and corrections by hand", .serialized)
struct ManualEditTests {
    static let session = "iv21-105-oppna-data"

    func ingested() throws -> (SampleWeek, IndexDatabase) {
        let week = try SampleWeek()
        let database = try IndexDatabase(folder: week.index.path)
        var options = IngestOptions(media: [week.media.path])
        options.recentSeconds = 0
        _ = try Ingestor(database: database, options: options).run(programme: try week.programme())
        return (week, database)
    }

    /// Ingests again with the programme read again, and the sidecar of `oppna-data.webm`
    /// changed, so that the recording is relinked and its drafts read again.
    func reingest(_ week: SampleWeek, _ database: IndexDatabase, sidecarText: [(String, String)] = []) throws {
        let sidecar = week.path("oppna-data.sv.vtt")
        var text = try String(contentsOfFile: sidecar, encoding: .utf8)
        for (old, new) in sidecarText { text = text.replacingOccurrences(of: old, with: new) }
        text += "\n"
        try Data(text.utf8).write(to: URL(fileURLWithPath: sidecar))
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(5)], ofItemAtPath: sidecar)
        var options = IngestOptions(media: [week.media.path])
        options.recentSeconds = 0
        _ = try Ingestor(database: database, options: options).run(programme: try week.programme())
    }

    func segments(_ database: IndexDatabase, _ path: String) throws -> [Segment] {
        let recording = try #require(try database.recording(idOrPath: path))
        let guid = try #require(try database.session(guidOrSlug: Self.session)).guid
        return try database.segments(recordingID: recording.id).filter { $0.sessionGuid == guid }
    }

    @Test("a person's chapters win over the even cuts, hold through re-ingests and a moved in point, and go back on reset; each change in the audit log")
    func chapters() throws {
        let (week, database) = try ingested()
        defer { week.remove() }
        let path = week.path("oppna-data.webm")
        let stage = LinkStage(database: database)
        #expect(try segments(database, path).allSatisfy { $0.source == .even })

        let set = try stage.setChapters([ManualChapter(startSeconds: 1800, title: "  Frågor  "), ManualChapter(startSeconds: 0, title: "Inledning"),
                                         ManualChapter(startSeconds: 600, title: "Vad är öppna data?")],
                                        recording: path, session: Self.session, by: "cli:test")
        #expect(set.map(\.title) == ["Inledning", "Vad är öppna data?", "Frågor"], "sorted by start, titles trimmed")
        #expect(set.map(\.startSeconds) == [0, 600, 1800])
        #expect(set.allSatisfy { $0.source == .manual })
        #expect((set.last?.endSeconds ?? 0) >= 2699, "the last chapter runs to the session's out point")

        // Re-ingests (programme read again, sidecar changed, segments named again) leave them be.
        try reingest(week, database)
        try reingest(week, database, sidecarText: [("Välkommen", "Hej")])
        #expect(try segments(database, path).map(\.title) == ["Inledning", "Vad är öppna data?", "Frågor"])
        #expect(try segments(database, path).allSatisfy { $0.source == .manual })

        // A later in point moves the first chapter's start with it, and the others stay.
        try stage.decide(.accept, recording: path, session: Self.session, inSeconds: 300, outSeconds: 2400, by: "cli:test")
        let cut = try segments(database, path)
        #expect(cut.map(\.startSeconds) == [300, 600, 1800] && cut.last?.endSeconds == 2400)
        #expect(cut.first?.title == "Inledning")

        // What cannot be saved says why and changes nothing.
        for (chapters, words) in [([ManualChapter(startSeconds: 2500, title: "Efter ut")], "outside the session's part"),
                                  ([ManualChapter(startSeconds: 400, title: " ")], "has no title"),
                                  ([ManualChapter(startSeconds: 400, title: "A"), ManualChapter(startSeconds: 400.5, title: "B")], "same second"),
                                  ([ManualChapter(startSeconds: .nan, title: "Inget")], "outside")] {
            let error = try #require(throws: ChapterError.self) {
                try stage.setChapters(chapters, recording: path, session: Self.session, by: "cli:test")
            }
            #expect(error.description.contains(words), "\(error.description)")
        }
        #expect(throws: ChapterError.self) {
            try stage.setChapters([ManualChapter(startSeconds: 0, title: "X")], recording: path, session: "iv21-101-digitala-gorel", by: "cli:test")
        }
        #expect(try segments(database, path).map(\.title) == ["Inledning", "Vad är öppna data?", "Frågor"])

        // Reset: the even cuts again, inside the new in and out points.
        let reset = try stage.setChapters(nil, recording: path, session: Self.session, by: "cli:test")
        #expect(reset.allSatisfy { $0.source == .even } && reset.first?.startSeconds == 300)
        try reingest(week, database)
        #expect(try segments(database, path).allSatisfy { $0.source == .even })

        let guid = try #require(try database.session(guidOrSlug: Self.session)).guid
        let audit = try database.auditEntries(sessionGuid: guid)
        #expect(audit.map(\.action) == ["chapters-reset", "accept", "chapters"])
        let first = try #require(audit.last)
        #expect(first.who == "cli:test" && first.before.contains("\"source\":\"even\"") && first.after.contains("\"title\":\"Vad är öppna data?\""))
    }

    /// Every recording's links and segments, ids included: a relink that writes a recording again
    /// gives its segments new ids.
    func linkState(_ database: IndexDatabase) throws -> String {
        let recordings = try database.recordings(includeMissing: false).map { "\($0.id ?? 0) \($0.linkStatus) \(String(describing: $0.recordingStart))" }
        return "\(recordings)\n\(try database.links().sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" })\n\(try database.segments())"
    }

    @Test("a decision and a chapter set write for their recording what a relink of every recording would, without one; an owed relink or a lost answer makes it one")
    func decidedAlone() throws {
        let (week, database) = try ingested()
        defer { week.remove() }
        let stage = LinkStage(database: database)
        let camera = week.path("MVI_0042.MP4"), studio = week.path("brg-studion/brg-eftermiddag.mkv")
        let closing = SampleWeek.guid(111)
        let fingerprint = try #require(try database.recording(idOrPath: camera)?.fingerprint)
        let hoppet = try #require(try database.session(guidOrSlug: "iv21-106-hoppet"))
        // Each alone, as `decide` and `setChapters` run them.
        try database.recordDecision(Decision(fingerprint: fingerprint, sessionGuid: closing, action: .accept, inSeconds: 30, outSeconds: 1700,
                                             path: camera, decidedAt: Date()))
        #expect(try stage.relinkDecided(fingerprint: fingerprint))
        #expect(try database.links(recordingID: try #require(try database.recording(idOrPath: camera)?.id)).map(\.sessionGuid) == [closing])
        try stage.decide(.reject, recording: week.path("oppna-data.webm"), session: SampleWeek.guid(105), by: "test")
        try stage.decide(.unlink, recording: week.path("yesbox/2021-10-07 09-58-00.mp4"), by: "test")
        let start = try #require(try database.segments(recordingID: try database.recording(idOrPath: studio)?.id)
            .first { $0.sessionGuid == hoppet.guid }?.startSeconds)
        try stage.setChapters([ManualChapter(startSeconds: start, title: "Hoppet, från början"), ManualChapter(startSeconds: start + 600, title: "Andra halvan")],
                              recording: studio, session: hoppet.guid, by: "test")
        #expect(try database.owedRelink() == nil)
        // A relink of every recording finds nothing to write: each was already as it makes it.
        let alone = try linkState(database)
        try stage.relink()
        #expect(try linkState(database) == alone)

        // Something changed since the last relink (a programme edited): a decision relinks everything.
        var programme = try week.programme()
        programme.sessions[0].title += " (uppdaterad)"
        #expect(try database.saveProgramme(programme))
        #expect(try database.owedRelink() != nil)
        #expect(try !stage.relinkDecided(fingerprint: fingerprint))
        try stage.decide(.accept, recording: camera, session: closing, inSeconds: 35, outSeconds: 1700, by: "test")
        #expect(try database.owedRelink() == nil)
        // Answers lost (an index from before they were kept): the same.
        try database.writer.write { try $0.execute(sql: "DELETE FROM link_proposal") }
        #expect(try !stage.relinkDecided(fingerprint: fingerprint))
        try stage.decide(.accept, recording: camera, session: closing, inSeconds: 40, outSeconds: 1700, by: "test")
        #expect(try stage.relinkDecided(fingerprint: fingerprint), "the relink kept them again")
        let linked = try #require(try database.links(recordingID: try database.recording(idOrPath: camera)?.id ?? -1).first)
        #expect(linked.inSeconds == 40)
        let again = try linkState(database)
        try stage.relink()
        #expect(try linkState(database) == again)
    }

    @Test("a person's chapters win over the file's chapters, and follow their session to its successor in a new programme")
    func overFileChapters() throws {
        let (week, database) = try ingested()
        defer { week.remove() }
        let path = week.path("brg-studion/brg-eftermiddag.mkv")
        let recording = try #require(try database.recording(idOrPath: path))
        let hoppet = try #require(try database.session(guidOrSlug: "iv21-106-hoppet"))
        let before = try database.segments(recordingID: recording.id).filter { $0.sessionGuid == hoppet.guid }
        #expect(before.allSatisfy { $0.source == .chapter })
        let start = try #require(before.first?.startSeconds)
        try LinkStage(database: database).setChapters([ManualChapter(startSeconds: start, title: "Hoppet, från början"),
                                                       ManualChapter(startSeconds: start + 600, title: "Hoppet, andra halvan")],
                                                      recording: path, session: hoppet.guid, by: "staff:anna")
        var options = IngestOptions(media: [week.media.path])
        options.recentSeconds = 0
        _ = try Ingestor(database: database, options: options).run(programme: try week.programme())
        let after = try database.segments(recordingID: recording.id).filter { $0.sessionGuid == hoppet.guid }
        #expect(after.map(\.title) == ["Hoppet, från början", "Hoppet, andra halvan"])
        #expect(after.allSatisfy { $0.source == .manual })
        // The other sessions in the same file keep the file's chapters.
        #expect(try database.segments(recordingID: recording.id).filter { $0.sessionGuid != hoppet.guid }.allSatisfy { $0.source == .chapter })

        try database.moveDecisions(from: hoppet.guid, to: "successor-guid")
        #expect(try database.chapterSet(fingerprint: recording.fingerprint ?? "", sessionGuid: "successor-guid")?.count == 2)
        #expect(try database.chapterSet(fingerprint: recording.fingerprint ?? "", sessionGuid: hoppet.guid) == nil)
    }

    @Test("a correction beside the player verifies exactly the stretch shown: later drafts land around it, never in it; bad lines save nothing")
    func correction() throws {
        let (week, database) = try ingested()
        defer { week.remove() }
        let path = week.path("oppna-data.webm")
        let id = try #require(try database.recording(idOrPath: path)?.id)
        let guid = try #require(try database.session(guidOrSlug: Self.session)).guid
        let first = try #require(try database.captionCoverage().first { $0.sessionGuid == guid }?.firstUnchecked)
        #expect(first.recordingID == id && first.startSeconds == 0)

        let corrected = [Cue(start: 30, end: 35, text: "Välkommen till Innovationsveckan, hos Göteborgs Stad."),
                         Cue(start: 180, end: 187.5, text: "Öppna data får alla använda.")]
        let result = try database.correctTranscript(recordingID: id, cues: corrected, language: "sv", span: 0...300, sessionGuid: guid, by: "staff:anna")
        #expect(result.stored == 2 && result.verifiedSegments == 1)
        func said(_ range: ClosedRange<Double>) throws -> [String] {
            try database.cues(recordingID: id).filter { $0.language == "sv" && range.contains($0.cue.start) }.map(\.cue.text)
        }
        #expect(try said(0...300) == corrected.map(\.text))
        #expect(try database.captionCoverage().first { $0.sessionGuid == guid }?.firstUnchecked?.startSeconds == 300,
                "the caption report now points at the next segment")

        // The sidecar changes inside and outside the checked stretch: only outside lands.
        try reingest(week, database, sidecarText: [("Välkommen till Innovationsveckan", "Hej och välkommen"),
                                                   ("Andra kan bygga tjänster", "Företag kan bygga tjänster")])
        #expect(try said(0...300) == corrected.map(\.text))
        #expect(try database.cues(recordingID: id).contains { $0.cue.text.contains("Företag kan bygga tjänster") })

        // A line outside the stretch, or lines out of order: nothing is stored.
        for cues in [[Cue(start: 400, end: 405, text: "Utanför")], [Cue(start: 50, end: 60, text: "B"), Cue(start: 40, end: 59, text: "A överlappar")]] {
            let error = try #require(throws: TranscriptError.self) {
                try database.correctTranscript(recordingID: id, cues: cues, language: "sv", span: 0...300, sessionGuid: guid, by: "staff:anna")
            }
            #expect(!error.problems.isEmpty)
        }
        #expect(try said(0...300) == corrected.map(\.text))

        let audit = try #require(try database.auditEntries(sessionGuid: guid).first)
        #expect(audit.action == "transcript" && audit.who == "staff:anna")
        #expect(audit.before.contains("Välkommen till Innovationsveckan och till Göteborgs Stad.") && audit.after.contains("hos Göteborgs Stad"))
    }
}
