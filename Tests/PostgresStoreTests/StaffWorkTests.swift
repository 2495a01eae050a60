import Captions
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import IndexStore
import Linking
import Pipeline
import PostgresNIO
@testable import PostgresStore
import TestSupport
import Testing

/// Issue 23 parts 3 and 5 on the sample week gathered into PostgreSQL: the store links as the
/// SQLite index does; people's decisions, chapters and publication are made in the store, two
/// at once on one recording end with one decision and the other told, and a gather from a
/// municipality's index (another machine's re-ingest) takes none of them away.
@Suite("PostgreSQL: linking and people's work in the store", .serialized)
struct StaffWorkTests {
    /// Each recording's links and segments as the store holds them, by path.
    static func links(_ database: PostgresIndex) async throws -> [String: [String]] {
        var byPath: [String: [String]] = [:]
        for try await (path, document) in try await database.client.query("""
            SELECT recording.path, link.document::text FROM link JOIN recording ON recording.id = link.recording_id
            ORDER BY recording.path, link.kind, link.position
            """).decode((String, String).self) {
            let link = try JSONText.decode(document) as StoredLink
            byPath[path, default: []].append("\(link.kind.rawValue) \(link.sessionGuid) \(link.inSeconds)-\(link.outSeconds) \(link.decidedBy.rawValue) \(link.score)")
        }
        for try await (path, guid, start, end, title, source) in try await database.client.query("""
            SELECT recording.path, segment.session_guid, segment.start_seconds, segment.end_seconds, segment.title, segment.source
            FROM segment JOIN recording ON recording.id = segment.recording_id ORDER BY recording.path, segment.start_seconds, segment.position
            """).decode((String, String, Double, Double, String, String).self) {
            byPath[path, default: []].append("segment \(guid) \(start)-\(end) \(title) \(source)")
        }
        return byPath
    }

    /// A recording of the sample week with two sessions to choose between: its id and path
    /// (`root/path`), its token as a page shows it, and the two sessions.
    static func disputed(_ database: PostgresIndex) async throws -> (id: Int64, path: String, seen: String, first: String, second: String) {
        var best: (Int64, String, Int)?
        for try await (id, path, count) in try await database.client.query("""
            SELECT recording.id, recording.media_root || '/' || recording.path, count(link.position)::int FROM recording
            LEFT JOIN link ON link.recording_id = recording.id WHERE recording.state = 'ok' AND recording.fingerprint IS NOT NULL
            GROUP BY recording.id ORDER BY count(link.position) DESC, recording.path LIMIT 1
            """).decode((Int64, String, Int).self) {
            best = (id, path, count)
        }
        let (id, path, _) = try #require(best)
        let recording = try #require(try await database.transaction { try await database.recording(String(id), on: $0) })
        let links = try await database.transaction { try await database.links(recordingID: id, on: $0) }
        var sessions = links.map(\.sessionGuid)
        for try await guid in try await database.client.query("SELECT guid FROM session WHERE in_programme ORDER BY start, guid").decode(String.self) {
            sessions.append(guid)
        }
        var distinct: [String] = []
        for guid in sessions where !distinct.contains(guid) { distinct.append(guid) }
        try #require(distinct.count >= 2)
        return (id, path, LinkState.token(status: recording.linkStatus, links: links), distinct[0], distinct[1])
    }

    /// The sample week's index (made for the call, removed after) gathered as `week` into a new
    /// store: `body` gets the store, the index's folder and the media folder.
    static func gatheredWeek(_ body: @Sendable (_ location: PostgresLocation, _ folder: String, _ media: String) async throws -> Void) async throws {
        let folder = try await SearchParityTests.sampleIndex()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let media = EfterhandBinary.root.appendingPathComponent("Media").path
        try await TestStore.with { location in
            try await PostgresIndex.with(location, timeout: TestStore.patience) { database in
                _ = try await database.gather(from: try IndexDatabase(readOnlyFolder: folder), root: "week", folder: media)
            }
            try await body(location, folder, media)
        }
    }

    @Test func theStoreLinksAsTheIndexDoes() async throws {
        try await Self.gatheredWeek { location, folder, media in
            try await PostgresIndex.with(location, timeout: TestStore.patience) { database in
                let gathered = try await Self.links(database)
                #expect(gathered.count >= 9, "the sample week's linked recordings: \(gathered.keys.sorted())")
                // Every link and segment thrown away, then made again by the store's own relink.
                _ = try await database.client.query("DELETE FROM link")
                _ = try await database.client.query("DELETE FROM segment")
                _ = try await database.client.query("UPDATE recording SET link_status = 'unmatched', recording_start = NULL")
                #expect(try await Self.links(database).isEmpty)
                try await database.relink()
                let relinked = try await Self.links(database)
                for path in Set(gathered.keys).union(relinked.keys).sorted() {
                    #expect(relinked[path] == gathered[path], "\(path): the index has \(gathered[path] ?? []), the store made \(relinked[path] ?? [])")
                }
                // Search rows came back with the segments, transcripts in them.
                let hits = try await database.search(SearchQuery(text: "öppna data"))
                #expect(!hits.isEmpty && hits.contains { $0.snippet.contains("<mark>") })
            }
        }
    }

    @Test func anIngestWithAProgrammeIsLinkedByAWorkerAsTheSQLiteIngestLinks() async throws {
        let folder = try await SearchParityTests.sampleIndex()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let binary = try EfterhandBinary.path()
        let media = EfterhandBinary.root.appendingPathComponent("Media").path
        // What the SQLite ingest linked, by path inside Media/, as `links` reads the store; even
        // segments are named from the subtitles (streams and sidecar files) the captions jobs read.
        var expected: [String: [String]] = [:]
        let index = try IndexDatabase(readOnlyFolder: folder)
        let segments = Dictionary(grouping: try index.segments(), by: { $0.recordingID ?? -1 })
        func inside(_ id: Int64) throws -> String? {
            try index.recording(idOrPath: String(id)).map { $0.path.hasPrefix(media + "/") ? String($0.path.dropFirst(media.count + 1)) : $0.path }
        }
        for (id, links) in try index.links() {
            guard let path = try inside(id) else { continue }
            expected[path, default: []] += links.map { "\($0.kind.rawValue) \($0.sessionGuid) \($0.inSeconds)-\($0.outSeconds) \($0.decidedBy.rawValue) \($0.score)" }
        }
        for (id, list) in segments {
            guard let path = try inside(id) else { continue }
            expected[path, default: []] += list.map { ("segment \($0.sessionGuid) \($0.startSeconds)-\($0.endSeconds) \($0.title) \($0.source.rawValue)") }
        }
        let sqlite = expected
        let sqliteCues = try index.recordings().compactMap(\.id).map { try index.cues(recordingID: $0).count }.reduce(0, +)
        try await TestStore.with { location in
            let url = location.configurationURL
            let ingest = try await Run.run(binary, ["ingest", "--database", url, "--media-root", "week=\(media)", "--schedule", media + "/schedule.json"])
            #expect(ingest.status == 0 && ingest.stdout.contains("a link job enqueued"), "\(ingest.stdout)\(ingest.stderr)")
            let worker = try await Run.run(binary, ["worker", "--database", url, "--media-root", "week=\(media)", "--until-idle"], seconds: 120)
            #expect(worker.status == 0, "\(worker.stderr.suffix(1000))")
            try await PostgresIndex.with(location, timeout: TestStore.patience) { database in
                #expect(try await database.jobCounts().count(LinkJob.kind, state: "done") == 1)
                let linked = try await Self.links(database)
                // The drafts from subtitles and sidecars, as the SQLite ingest read them.
                let cues = try await TestStore.value(database, "SELECT count(*)::int FROM cue WHERE source LIKE 'stream:%' OR source LIKE 'sidecar:%'", as: Int.self)
                #expect(cues == sqliteCues && sqliteCues > 0, "the subtitle and sidecar cues: \(cues ?? -1) in the store, \(sqliteCues) in the index")
                for path in Set(sqlite.keys).union(linked.keys).sorted() {
                    #expect(linked[path] == sqlite[path], "\(path): SQLite linked \(sqlite[path] ?? []), the store \(linked[path] ?? [])")
                }
            }
            // The pictures the SQLite ingest names, made by the worker's thumbnail jobs and kept in
            // the store; a server gives them from there.
            let file = try await PostgresIndex.with(location, timeout: TestStore.patience) { database -> String in
                let named = try await TestStore.value(database, "SELECT count(*)::int FROM thumbnail", as: Int.self) ?? 0
                #expect(named == (try IndexDatabase(readOnlyFolder: folder).thumbnails().count), "the store names the index's pictures")
                #expect(try await TestStore.value(database, "SELECT count(*)::int FROM thumbnail WHERE jpeg IS NULL", as: Int.self) == 0)
                #expect(try await TestStore.value(database, "SELECT count(*)::int FROM thumbnail WHERE substring(jpeg from 1 for 2) = '\\xffd8'::bytea", as: Int.self) == named)
                return try #require(try await TestStore.value(database, "SELECT file FROM thumbnail ORDER BY key LIMIT 1", as: String.self))
            }
            let port = try StatelessServerTests.freePort()
            let server = try Run.start(binary, ["serve", "--database", url, "--media-root", "week=\(media)", "--port", "\(port)", "--no-access-log"])
            defer { kill(server.pid, SIGTERM); _ = server.wait(seconds: 10) }
            #expect(await StatelessServerTests.seen(9, at: [port], within: 60) != nil)
            let jpeg = try #require(await StatelessServerTests.get("http://127.0.0.1:\(port)/\(file)"))
            let stored = try await PostgresIndex.with(location, timeout: TestStore.patience) { try await $0.thumbnailJPEG(file: file) }
            #expect(jpeg == stored && jpeg.prefix(2) == Data([0xFF, 0xD8]))

            // The same programme again, nothing changed: no work.
            let again = try await Run.run(binary, ["ingest", "--database", url, "--media-root", "week=\(media)", "--schedule", media + "/schedule.json"])
            #expect(again.stdout.contains("unchanged") && !again.stdout.contains("link job"), "\(again.stdout)")
        }
    }

    @Test func copiesOfOneFileAreMarkedAsTheSQLiteIngestMarksThem() async throws {
        // The same talk at two paths (a copy left in another folder).
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("efterhand-pg-copies-\(UUID().uuidString)")
        let media = folder.appendingPathComponent("week")
        try FileManager.default.createDirectory(at: media.appendingPathComponent("kopior"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let sample = EfterhandBinary.root.appendingPathComponent("Media")
        let talk = sample.appendingPathComponent("innovationsprogram-del1.mp4")
        try FileManager.default.copyItem(at: talk, to: media.appendingPathComponent("innovationsprogram-del1.mp4"))
        try FileManager.default.copyItem(at: talk, to: media.appendingPathComponent("kopior/innovationsprogram-del1.mp4"))
        let schedule = sample.appendingPathComponent("schedule.json").path
        let binary = try EfterhandBinary.path()
        let index = folder.appendingPathComponent("index").path
        let sqlite = try await Run.run(binary, ["ingest", "--media", media.path, "--schedule", schedule, "--index", index, "--no-thumbnails"])
        try #require(sqlite.status == 0, "\(sqlite.stderr)")
        let copies = try IndexDatabase(readOnlyFolder: index).recordings().filter { $0.duplicateOf != nil }
            .map { $0.path.hasPrefix(media.path + "/") ? String($0.path.dropFirst(media.path.count + 1)) : $0.path }
        #expect(copies.count == 1, "SQLite marks one copy: \(copies)")
        try await TestStore.with { location in
            let url = location.configurationURL
            #expect(try await Run.run(binary, ["ingest", "--database", url, "--media-root", "week=\(media.path)", "--schedule", schedule]).status == 0)
            let worker = try await Run.run(binary, ["worker", "--database", url, "--media-root", "week=\(media.path)", "--until-idle"], seconds: 120)
            #expect(worker.status == 0, "\(worker.stderr.suffix(1000))")
            try await PostgresIndex.with(location, timeout: TestStore.patience) { database in
                let marked = try await TestStore.value(database, "SELECT string_agg(path, ',') FROM recording WHERE duplicate_of IS NOT NULL", as: String.self)
                #expect(marked.map { [$0] } == copies, "the store marks \(marked ?? "none"), SQLite \(copies)")
                // The catalogue leaves the copy out of the feed as the SQLite index's does.
                let snapshot = try await PostgresCatalogue(database: database, roots: try MediaRootMap(["week=\(media.path)"])).read()
                #expect(snapshot.recordings.filter { $0.duplicateOf != nil }.count == 1)
            }
        }
    }

    @Test func transcriptionRunsAsJobsOnWorkersWithAnEngine() async throws {
        // One talk (innovationsprogram-del1.mp4, linked 1:00–12:00) and an engine of the tests'
        // own that hears the same words 5 s into any audio (as TranscribeCommandTests').
        let week = try EngineWeek(["innovationsprogram-del1.mp4"],
                                  engine: #"printf '{"segments":[{"start":5,"end":8,"text":"vi pratar om datadelning","avg_logprob":-0.2,"no_speech_prob":0.05}]}' > "$2""#)
        defer { week.remove() }
        let media = week.media, engine = week.engine
        let binary = try EfterhandBinary.path()
        try await TestStore.with { location in
            let url = location.configurationURL
            let ingest = try await Run.run(binary, ["ingest", "--database", url, "--media-root", "week=\(media.path)",
                                                    "--schedule", EngineWeek.schedule, "--transcribe"])
            #expect(ingest.status == 0 && ingest.stdout.contains("transcription on"), "\(ingest.stdout)\(ingest.stderr)")
            // A worker without an engine is refused the kind in words.
            let refused = try await Run.run(binary, ["worker", "--database", url, "--media-root", "week=\(media.path)", "--kinds", "transcribe", "--until-idle"])
            #expect(refused.status != 0 && refused.stderr.contains("speech engine"), "\(refused.stderr)")
            let worker = try await Run.run(binary, ["worker", "--database", url, "--media-root", "week=\(media.path)", "--until-idle",
                                                    "--kinds", "probe,link,transcribe", "--speech-command", "\(engine.path) {input} {output}",
                                                    "--model", "/models/echo"], seconds: 120)
            #expect(worker.status == 0, "\(worker.stderr.suffix(1500))")
            try await PostgresIndex.with(location, timeout: TestStore.patience) { database in
                let counts = try await database.jobCounts()
                #expect(counts.count(ProbeJob.kind, state: "done") == 1 && counts.count(LinkJob.kind, state: "done") == 1
                        && counts.count(TranscribeJob.kind, state: "done") == 1, "\(counts.byKindAndState)")
                #expect(try await TestStore.value(database, "SELECT count(*)::int FROM cue WHERE source = 'asr:command:echo' AND status = 'draft' AND text = 'vi pratar om datadelning'", as: Int.self) == 1)
                #expect(try await TestStore.value(database, "SELECT start_seconds FROM cue WHERE source = 'asr:command:echo'", as: Double.self) == 65)
                let hits = try await database.search(SearchQuery(text: "datadelning"))
                #expect(hits.count == 1 && hits.first?.url.hasPrefix("week/innovationsprogram-del1.mp4") == true, "\(hits.map(\.url))")
            }
            // Again, nothing changed: no talk is heard twice.
            let again = try await Run.run(binary, ["ingest", "--database", url, "--media-root", "week=\(media.path)", "--transcribe"])
            #expect(again.status == 0, "\(again.stderr)")
            let idle = try await Run.run(binary, ["worker", "--database", url, "--media-root", "week=\(media.path)", "--until-idle",
                                                  "--kinds", "probe,link,transcribe", "--speech-command", "\(engine.path) {input} {output}",
                                                  "--model", "/models/echo"], seconds: 120)
            #expect(idle.status == 0, "\(idle.stderr.suffix(1500))")
            try await PostgresIndex.with(location, timeout: TestStore.patience) { database in
                let counts = try await database.jobCounts()
                #expect(counts.count(TranscribeJob.kind, state: "done") == 1 && counts.count(TranscribeJob.kind, state: "queued") == 0)
                #expect(try await TestStore.value(database, "SELECT count(*)::int FROM cue", as: Int.self) == 1)
            }
        }
    }

    @Test func twoStaffDecidingAtOnceEndWithOneDecisionAndTheOtherTold() async throws {
        try await Self.gatheredWeek { location, folder, media in
            let disputed = try await PostgresIndex.with(location, timeout: TestStore.patience) { database in
                try await Self.disputed(database)
            }
            // Two servers (two pools), two people, the same page seen, different sessions.
            async let anna = await Result(catching: { try await PostgresIndex.with(location, timeout: TestStore.patience) { database in
                try await database.decide(.accept, recording: String(disputed.id), session: disputed.first, inSeconds: nil, outSeconds: nil,
                                          by: "staff:anna", seen: disputed.seen)
            } })
            async let bo = await Result(catching: { try await PostgresIndex.with(location, timeout: TestStore.patience) { database in
                try await database.decide(.accept, recording: disputed.path, session: disputed.second, inSeconds: nil, outSeconds: nil,
                                          by: "staff:bo", seen: disputed.seen)
            } })
            let outcomes = [("staff:anna", disputed.first, await anna), ("staff:bo", disputed.second, await bo)]
            let won = outcomes.filter { (try? $0.2.get()) != nil }
            let lost = outcomes.filter { (try? $0.2.get()) == nil }
            try #require(won.count == 1 && lost.count == 1, "one decision stands, one is refused: \(outcomes.map { "\($0.0): \($0.2)" })")
            let refusal = try #require(lost.first.flatMap { outcome -> DecisionConflict? in
                if case .failure(let error) = outcome.2 { return error as? DecisionConflict }
                return nil
            }, "the other is told why: \(String(describing: lost.first?.2))")
            #expect(refusal.description.contains(won[0].0), "names who decided: \(refusal.description)")

            try await PostgresIndex.with(location, timeout: TestStore.patience) { database in
                let fingerprint = try #require(try await TestStore.value(database, "SELECT fingerprint FROM recording WHERE id = \(disputed.id)", as: String.self))
                #expect(try await TestStore.value(database, "SELECT count(*)::int FROM decision WHERE fingerprint = \(fingerprint)", as: Int.self) == 1)
                #expect(try await TestStore.value(database, "SELECT count(*)::int FROM audit WHERE fingerprint = \(fingerprint)", as: Int.self) == 1)
                let links = try await database.transaction { try await database.links(recordingID: disputed.id, on: $0) }.filter { $0.kind == .link }
                #expect(links.contains { $0.sessionGuid == won[0].1 && $0.decidedBy == .manual }, "the winner's session is linked: \(links)")
                // The one told looks again (a new token) and decides: that is taken.
                let recording = try #require(try await database.transaction { try await database.recording(String(disputed.id), on: $0) })
                let now = LinkState.token(status: recording.linkStatus, links: try await database.transaction { try await database.links(recordingID: disputed.id, on: $0) })
                _ = try await database.decide(.accept, recording: String(disputed.id), session: lost[0].1, inSeconds: nil, outSeconds: nil, by: lost[0].0, seen: now)
                #expect(try await TestStore.value(database, "SELECT count(*)::int FROM decision WHERE fingerprint = \(fingerprint)", as: Int.self) == 2)
            }
        }
    }

    @Test func aDecisionWritesForItsRecordingWhatARelinkOfEverythingWould() async throws {
        try await Self.gatheredWeek { location, folder, media in
            try await PostgresIndex.with(location, timeout: TestStore.patience) { database in
                let disputed = try await Self.disputed(database)
                // What the gather's relink left is as a relink makes it (a start read back once differed
                // in its last bit, and one recording was written again by every relink).
                #expect(try await database.transaction { try await database.relink(on: $0).saves.count } == 0)
                let fingerprint = try #require(try await database.transaction { try await database.recording(String(disputed.id), on: $0) }?.fingerprint)
                // The decision and the chapters alone, as `decide` and `setChapters` run them.
                _ = try await database.decide(.accept, recording: String(disputed.id), session: disputed.second, inSeconds: 2, outSeconds: 40,
                                              by: "staff:anna", seen: nil)
                _ = try await database.setChapters([ManualChapter(startSeconds: 2, title: "Början"), ManualChapter(startSeconds: 20, title: "Frågor")],
                                                   recording: String(disputed.id), session: disputed.second, by: "staff:anna")
                #expect(try await database.transaction { try await database.relinkDecided(fingerprint: fingerprint, on: $0) }, "the kept answers stand")
                let alone = try await Self.links(database)
                let inside = String(disputed.path.dropFirst("week/".count))
                #expect(alone[inside]?.contains { $0.hasPrefix("link \(disputed.second) 2.0-40.0 manual") } == true, "\(alone[inside] ?? [])")
                // A relink of every recording finds nothing to write.
                #expect(try await database.transaction { try await database.relink(on: $0).saves.count } == 0)
                #expect(try await Self.links(database) == alone)
                // With a link job waiting (something changed since), a decision relinks everything.
                try await database.enqueue([LinkJob.request()])
                #expect(try await !database.transaction { try await database.relinkDecided(fingerprint: fingerprint, on: $0) })
                // Answers lost: the same, and the relink keeps them again.
                try await database.client.query("DELETE FROM job")
                try await database.client.query("DELETE FROM link_proposal")
                #expect(try await !database.transaction { try await database.relinkDecided(fingerprint: fingerprint, on: $0) })
                _ = try await database.decide(.accept, recording: String(disputed.id), session: disputed.second, inSeconds: 3, outSeconds: 40,
                                              by: "staff:anna", seen: nil)
                #expect(try await database.transaction { try await database.relinkDecided(fingerprint: fingerprint, on: $0) })
                let again = try await Self.links(database)
                #expect(try await database.transaction { try await database.relink(on: $0).saves.count } == 0)
                #expect(try await Self.links(database) == again)
            }
        }
    }

    @Test func decisionsChaptersAndPublicationSurviveAGatherFromTheIndex() async throws {
        try await Self.gatheredWeek { location, folder, media in
            try await PostgresIndex.with(location, timeout: TestStore.patience) { database in
                let disputed = try await Self.disputed(database)
                let after = try await database.decide(.accept, recording: String(disputed.id), session: disputed.second, inSeconds: 2, outSeconds: 40,
                                                      by: "staff:anna", seen: nil)
                #expect(after.path == disputed.path)
                let chapters = [ManualChapter(startSeconds: 2, title: "Början"), ManualChapter(startSeconds: 20, title: "Frågor")]
                let cut = try await database.setChapters(chapters, recording: String(disputed.id), session: disputed.second, by: "staff:anna")
                #expect(cut.map(\.title) == ["Början", "Frågor"] && cut.allSatisfy { $0.source == .manual })
                try await database.setHidden(true, sessionGuid: "iv21-105-oppna-data", by: "staff:anna")
                // Text checked in the store: the words said between 10 s and 20 s.
                let checked = [Cue(start: 10, end: 14, text: "Välkomna hit"), Cue(start: 14, end: 19, text: "i dag talar vi om öppna data")]
                let corrected = try await database.correctTranscript(recordingID: disputed.id, cues: checked, language: "sv", span: 10...20,
                                                                     sessionGuid: disputed.second, by: "staff:anna")
                #expect(corrected.stored == 2 && corrected.verifiedSpan == 10...20)
                await #expect(throws: TranscriptError.self) {
                    try await database.correctTranscript(recordingID: disputed.id, cues: [Cue(start: 30, end: 31, text: "utanför")], language: "sv",
                                                         span: 10...20, sessionGuid: nil, by: "staff:anna")
                }
                await #expect(throws: ChapterError.self) {
                    try await database.setChapters([ManualChapter(startSeconds: 9999, title: "x")], recording: String(disputed.id), session: disputed.second, by: "staff:anna")
                }
                let before = try await Self.links(database)

                // The municipality's index knows none of that; a decision made there meanwhile joins.
                let other = try #require(try IndexDatabase(readOnlyFolder: folder).recordings(includeMissing: false)
                    .first { $0.state == .ok && !disputed.path.hasSuffix("/" + $0.path) })
                let unlink = try await Run.run(try EfterhandBinary.path(), ["link", "unlink", "--index", folder, other.path])
                try #require(unlink.status == 0, "\(unlink.stderr)")
                _ = try await database.gather(from: try IndexDatabase(readOnlyFolder: folder), root: "week", folder: media)
                let again = try await Self.links(database)
                let path = String(disputed.path.dropFirst("week/".count))
                #expect(again[path] == before[path], "the person's link and chapters stand: \(again[path] ?? [])")
                #expect(again[path]?.contains { $0.hasPrefix("link \(disputed.second) 2.0-40.0 manual") } == true)
                #expect(again[other.path]?.contains { $0.hasPrefix("link ") } != true, "the index's unlink joined: \(again[other.path] ?? [])")
                #expect(try await TestStore.value(database, """
                    SELECT hidden FROM publication JOIN session ON session.guid = publication.session_guid WHERE session.document->>'slug' = 'iv21-105-oppna-data'
                    """, as: Bool.self) == true)
                let kept = try await TestStore.value(database, """
                    SELECT string_agg(text, ' / ' ORDER BY start_seconds) FROM cue WHERE recording_id = \(disputed.id) AND status = 'verified' AND start_seconds >= 10 AND end_seconds <= 20
                    """, as: String.self)
                #expect(kept == "Välkomna hit / i dag talar vi om öppna data", "the text checked in the store stands: \(kept ?? "none")")
                #expect(try await TestStore.value(database, "SELECT count(*)::int FROM verified_span WHERE recording_id = \(disputed.id) AND made_in_store", as: Int.self) == 1)
                #expect(try await database.search(SearchQuery(text: "Välkomna hit")).contains { $0.recordingID == disputed.id })
                // The command line's entry names the user who ran it (cli:$USER).
                let audit = try await database.auditEntries(sessionGuid: nil, fingerprint: nil, limit: 100)
                    .map { "\($0.who.hasPrefix("cli:") ? "cli" : $0.who) \($0.action)" }
                #expect(Set(audit) == ["staff:anna accept", "staff:anna chapters", "staff:anna hide", "staff:anna transcript", "cli unlink"] && audit.count == 5, "\(audit)")
                // Gathered twice: nothing doubled.
                _ = try await database.gather(from: try IndexDatabase(readOnlyFolder: folder), root: "week", folder: media)
                #expect(try await database.auditEntries(sessionGuid: nil, fingerprint: nil, limit: 100).count == audit.count)
                let decisions = try await TestStore.value(database, "SELECT string_agg(action || ' ' || coalesce(path, ''), '; ' ORDER BY id) FROM decision", as: String.self)
                #expect(try await TestStore.value(database, "SELECT count(*)::int FROM decision", as: Int.self) == 2, "\(decisions ?? "")")
            }
        }
    }

    @Test func theCommandLineDecidesHidesAndSetsChaptersInTheStore() async throws {
        let binary = try EfterhandBinary.path()
        try await Self.gatheredWeek { location, folder, media in
            let disputed = try await PostgresIndex.with(location, timeout: TestStore.patience) { database in
                try await Self.disputed(database)
            }
            let store = ["--database", location.configurationURL]
            let accept = try await Run.run(binary, ["link", "accept", disputed.path, disputed.second, "--in", "2", "--out", "40"] + store)
            #expect(accept.status == 0 && accept.stdout.contains("accept: recorded for \(disputed.path)") && accept.stdout.contains("now linked"),
                    "\(accept.stdout)\(accept.stderr)")
            let chapters = try await Run.run(binary, ["chapters", "set", String(disputed.id), disputed.second, "0:02 Början", "0:20 Frågor"] + store)
            #expect(chapters.status == 0 && chapters.stdout.contains("Frågor"), "\(chapters.stdout)\(chapters.stderr)")
            let hide = try await Run.run(binary, ["session", "hide", "iv21-105-oppna-data"] + store)
            #expect(hide.status == 0, "\(hide.stderr)")
            let unknown = try await Run.run(binary, ["link", "unlink", "week/no-such-file.mp4"] + store)
            #expect(unknown.status == 1 && unknown.stderr.contains("no recording 'week/no-such-file.mp4' in the store"), "\(unknown.stderr)")
            try await PostgresIndex.with(location, timeout: TestStore.patience) { database in
                let audit = try await database.auditEntries(sessionGuid: nil, fingerprint: nil, limit: 10)
                #expect(audit.map(\.action).sorted() == ["accept", "chapters", "hide"] && audit.allSatisfy { $0.who.hasPrefix("cli:") }, "\(audit)")
                let links = try await Self.links(database)[String(disputed.path.dropFirst("week/".count))] ?? []
                #expect(links.contains { $0.hasPrefix("link \(disputed.second) 2.0-40.0 manual") } && links.contains { $0.hasSuffix("Frågor manual") }, "\(links)")
            }
        }
    }

    /// POSTs a decision to a server's API; the status and body.
    static func post(_ url: String, token: String, body: [String: Any]) async -> (Int, String) {
        guard let address = URL(string: url), let data = try? JSONSerialization.data(withJSONObject: body) else { return (-1, "") }
        var request = URLRequest(url: address)
        request.httpMethod = "POST"
        request.httpBody = data
        request.timeoutInterval = 30
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("Bearer " + token, forHTTPHeaderField: "Authorization")
        return await withCheckedContinuation { continuation in
            URLSession.shared.dataTask(with: request) { data, response, _ in
                continuation.resume(returning: ((response as? HTTPURLResponse)?.statusCode ?? -1, data.map { String(decoding: $0, as: UTF8.self) } ?? ""))
            }.resume()
        }
    }

    @Test func twoServersTakeOneDecisionAndAnswer409ToTheOther() async throws {
        let folder = try await SearchParityTests.sampleIndex()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let binary = try EfterhandBinary.path()
        let media = EfterhandBinary.root.appendingPathComponent("Media").path
        let tokenFile = FileManager.default.temporaryDirectory.appendingPathComponent("efterhand-admin-\(UUID().uuidString)")
        let token = "admin-token-for-the-test-\(UUID().uuidString)"
        try token.write(to: tokenFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: tokenFile) }
        try await TestStore.with { location in
            let disputed = try await PostgresIndex.with(location, timeout: TestStore.patience) { database in
                _ = try await database.gather(from: try IndexDatabase(readOnlyFolder: folder), root: "week", folder: media)
                return try await Self.disputed(database)
            }
            let ports = try (0..<2).map { _ in try StatelessServerTests.freePort() }
            let servers = try ports.map { port in
                try Run.start(binary, ["serve", "--database", location.configurationURL, "--media-root", "week=\(media)", "--port", "\(port)",
                                       "--no-access-log", "--admin-token-file", tokenFile.path])
            }
            defer { for server in servers { kill(server.pid, SIGTERM); _ = server.wait(seconds: 10) } }
            #expect(await StatelessServerTests.seen(9, at: ports, within: 60) != nil, "both servers up")
            async let first = Self.post("http://127.0.0.1:\(ports[0])/api/recordings/\(disputed.id)/decisions", token: token,
                                        body: ["action": "accept", "session": disputed.first, "seen": disputed.seen])
            async let second = Self.post("http://127.0.0.1:\(ports[1])/api/recordings/\(disputed.id)/decisions", token: token,
                                         body: ["action": "accept", "session": disputed.second, "seen": disputed.seen])
            let answers = [await first, await second]
            #expect(answers.map(\.0).sorted() == [200, 409], "one taken, one refused: \(answers)")
            let refused = answers.first { $0.0 == 409 }?.1 ?? ""
            #expect(refused.contains("\"conflict\"") && refused.contains("api:admin"), "\(refused)")
            let winner = answers[0].0 == 200 ? disputed.first : disputed.second
            // Both servers show the decision that stood, within a second of the answer.
            let started = Date()
            var shown = Set<Int>()
            while shown.count < 2, Date().timeIntervalSince(started) < 5 {
                for port in ports where !shown.contains(port) {
                    if let data = await StatelessServerTests.get("http://127.0.0.1:\(port)/api/recordings/\(disputed.id)"),
                       String(decoding: data, as: UTF8.self).contains(winner) { shown.insert(port) }
                }
                try? await Task.sleep(for: .milliseconds(10))
            }
            #expect(shown.count == 2 && Date().timeIntervalSince(started) < 1, "both servers show it after \(Date().timeIntervalSince(started)) s")
        }
    }
}
