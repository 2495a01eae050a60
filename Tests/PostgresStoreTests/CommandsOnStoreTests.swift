import Foundation
import IndexStore
import Linking
@testable import PostgresStore
import TestSupport
import Testing

/// Issue 23 part 1, "--database on every command": the shell's reports, the captioners' round
/// trip, reindex and a static publish read and write the PostgreSQL store, and say what they
/// say on the SQLite index: each runs on the sample week's index and on the same week gathered
/// into the store, and the outputs are compared.
@Suite("PostgreSQL: the commands on the store", .serialized)
struct CommandsOnStoreTests {
    @Test func theShellsReportsAndTranscriptsReadTheStoreAsTheyReadTheIndex() async throws {
        let folder = try await SearchParityTests.sampleIndex()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let binary = try EfterhandBinary.path()
        let media = EfterhandBinary.root.appendingPathComponent("Media").path
        let draft = FileManager.default.temporaryDirectory.appendingPathComponent("efterhand-draft-\(UUID().uuidString).sv.vtt").path
        let checked = FileManager.default.temporaryDirectory.appendingPathComponent("efterhand-checked-\(UUID().uuidString).vtt").path
        defer { for file in [draft, checked] { try? FileManager.default.removeItem(atPath: file) } }
        try "WEBVTT\n\n00:05:10.000 --> 00:05:20.000\nHär börjar del två om öppna data.\n".write(toFile: draft, atomically: true, encoding: .utf8)
        try "WEBVTT\n\n00:00:29.000 --> 00:00:35.500\nVälkomna till Innovationsveckan i Göteborg.\n".write(toFile: checked, atomically: true, encoding: .utf8)
        try await TestStore.with { location in
            _ = try await PostgresIndex.with(location, timeout: TestStore.patience) { database in
                try await database.gather(from: try IndexDatabase(readOnlyFolder: folder), root: "week", folder: media)
            }
            let index = ["--index", folder], store = ["--database", location.configurationURL]
            /// The same command on the index and on the store: the index names a recording by its
            /// path on this machine, the store by its media root and path.
            func both(_ arguments: (String) -> [String]) async throws -> (index: String, store: String) {
                let sqlite = try await Run.run(binary, arguments(media + "/") + index)
                let postgres = try await Run.run(binary, arguments("week/") + store)
                #expect(sqlite.status == 0 && postgres.status == 0, "\(arguments("")): \(sqlite.stderr)\(postgres.stderr)")
                return (sqlite.stdout.replacingOccurrences(of: media + "/", with: "week/"), postgres.stdout)
            }
            for report in [["links", "--json"], ["links"], ["review", "--json"], ["report", "--json"], ["report"]] {
                let (sqlite, postgres) = try await both { _ in report }
                // The store's linker names the other part of a session by its path inside the media
                // root (the SQLite index by the whole path).
                let named = postgres.replacingOccurrences(of: "(with ", with: "(with week/")
                // (The sample week has no recording in review: that list is empty in both.)
                #expect(sqlite == named && sqlite.count > (report[0] == "review" ? 1 : 50), "\(report.joined(separator: " ")):\n\(sqlite)\n---\n\(postgres)")
            }
            let chapters = try await both { ["chapters", "show", $0 + "brg-studion/brg-eftermiddag.mkv", "iv21-107-green-city-zone"] }
            #expect(chapters.index == chapters.store && chapters.store.contains("Gothenburg Green City Zone"), "\(chapters)")
            // A draft from a captioner and a checked stretch, imported into each; then each export.
            let imported = try await both { ["transcript", "import", $0 + "oppna-data.webm", draft] }
            #expect(imported.index == imported.store && imported.store.contains("imported 1 cues (sv)"), "\(imported)")
            let verified = try await both { ["transcript", "import", $0 + "oppna-data.webm", checked, "--verified"] }
            #expect(verified.index == verified.store && verified.store.contains("verified 0:00:29"), "\(verified)")
            for format in ["vtt", "srt", "json"] {
                let exported = try await both { ["transcript", "export", $0 + "oppna-data.webm", "--format", format] }
                #expect(exported.index == exported.store && exported.store.contains("Här börjar del två"), "\(format):\n\(exported.index)\n---\n\(exported.store)")
            }
            let part = try await both { ["transcript", "export", $0 + "oppna-data.webm", "--session", "iv21-105-oppna-data", "--language", "sv"] }
            #expect(part.index == part.store && part.store.contains("Välkomna till Innovationsveckan"), "\(part)")
            let coverage = try await both { _ in ["report", "--json"] }
            #expect(coverage.index == coverage.store && coverage.store.contains("\"minutes_verified\""), "\(coverage)")
            // The search rows made again in the store: the same count, the imported draft found.
            let before = try await PostgresIndex.with(location, timeout: TestStore.patience) { try await TestStore.value($0, "SELECT count(*)::int FROM search_document", as: Int.self) }
            let reindex = try await Run.run(binary, ["reindex"] + store)
            #expect(reindex.status == 0 && reindex.stdout.hasSuffix(": \(before ?? -1)\n") && (before ?? 0) > 50, "\(reindex.stdout)\(reindex.stderr)")
            let found = try await Run.run(binary, ["search", "börjar del två"] + store)
            #expect(found.stdout.contains("week/oppna-data.webm#t=310"), "\(found.stdout)\(found.stderr)")
            // A recording the store does not have, said in words.
            let unknown = try await Run.run(binary, ["transcript", "export", "week/no-such.mp4"] + store)
            #expect(unknown.status == 1 && unknown.stderr.contains("no recording 'week/no-such.mp4' in the store"), "\(unknown.stderr)")
        }
    }

    @Test func aStaticPublishFromTheStoreIsThePublishFromTheIndex() async throws {
        let folder = try await SearchParityTests.sampleIndex()
        let published = FileManager.default.temporaryDirectory.appendingPathComponent("efterhand-publish-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: published, withIntermediateDirectories: true)
        defer { for path in [folder, published] { try? FileManager.default.removeItem(atPath: path) } }
        let binary = try EfterhandBinary.path()
        let media = EfterhandBinary.root.appendingPathComponent("Media").path
        try await TestStore.with { location in
            let fromIndex = try await Run.run(binary, ["publish", "--to", published + "/index", "--index", folder, "--check"], seconds: 120)
            #expect(fromIndex.status == 0, "\(fromIndex.stdout)\(fromIndex.stderr)")
            let (sqlite, postgres) = try await PostgresIndex.with(location, timeout: TestStore.patience) { database in
                _ = try await database.gather(from: try IndexDatabase(readOnlyFolder: folder), root: "week", folder: media)
                let catalogue = PostgresCatalogue(database: database, roots: try MediaRootMap(["week=\(media)"]))
                try await catalogue.readOnce()
                return (try IndexDatabase(readOnlyFolder: folder).staticSearchData(), try await catalogue.staticSearchData())
            }
            // The search data: the same rows, tokens, lengths and cues (row numbers are each store's own).
            func described(_ data: StaticSearchData) -> (rows: [String], tokens: [String], cues: Int) {
                var name: [Int64: String] = [:]
                for row in data.rows { name[row.rowid] = "\(row.recordingID) \(row.sessionGuid) \(row.startSeconds)-\(row.endSeconds) \(row.segmentTitle)" }
                let rows = data.rows.map { "\(name[$0.rowid] ?? "") size \($0.size): \($0.texts.joined(separator: " | "))" }.sorted()
                let tokens = data.instances.map { "\($0.term) \(name[$0.rowid] ?? "?") \($0.column) \($0.offset)" }.sorted()
                return (rows, tokens, data.cues.values.map(\.count).reduce(0, +))
            }
            let (indexRows, indexTokens, indexCues) = described(sqlite), (storeRows, storeTokens, storeCues) = described(postgres)
            #expect(indexRows == storeRows && indexRows.count > 50, "rows: \(Set(indexRows).symmetricDifference(storeRows).sorted().prefix(4))")
            #expect(indexTokens == storeTokens && indexTokens.count > 500, "tokens: \(Set(indexTokens).symmetricDifference(storeTokens).sorted().prefix(4))")
            #expect(indexCues == storeCues && sqlite.averageLength == postgres.averageLength)
            // The whole publish: every file but the search files' is the same, byte for byte.
            let fromStore = try await Run.run(binary, ["publish", "--to", published + "/store", "--database", location.configurationURL,
                                                       "--media-root", "week=\(media)", "--check"], seconds: 120)
            #expect(fromStore.status == 0 && fromStore.stdout.contains("8 media links") && fromStore.stdout.contains("is in order"),
                    "\(fromStore.stdout)\(fromStore.stderr)")
            func files(_ root: String) -> [String: Data] {
                var found: [String: Data] = [:]
                let base = URL(fileURLWithPath: root).resolvingSymlinksInPath()
                guard let walk = FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil) else { return [:] }
                for case let url as URL in walk {
                    let path = String(url.resolvingSymlinksInPath().path.dropFirst(base.path.count + 1))
                    guard !path.hasPrefix("search/"), !path.hasPrefix("media/"), let data = FileManager.default.contents(atPath: url.path) else { continue }
                    found[path] = data
                }
                return found
            }
            let indexFiles = files(published + "/index"), storeFiles = files(published + "/store")
            #expect(indexFiles.count > 100 && Set(indexFiles.keys) == Set(storeFiles.keys), "\(Set(indexFiles.keys).symmetricDifference(storeFiles.keys).sorted())")
            // A page's track addresses carry a token of its recording's cue and segment rows
            // (`trackRevisions`), made of each store's own row ids: that much may differ.
            func tokensOut(_ data: Data?) -> String {
                String(decoding: data ?? Data(), as: UTF8.self).replacingOccurrences(of: #"v=[0-9]+(c[0-9]+)?s[0-9]+-[0-9]+"#, with: "v=…", options: .regularExpression)
            }
            let differing = indexFiles.keys.filter { indexFiles[$0] != storeFiles[$0] && tokensOut(indexFiles[$0]) != tokensOut(storeFiles[$0]) }.sorted()
            #expect(differing.isEmpty, "differ: \(differing.prefix(10))")
        }
    }

    @Test func transcribeOnTheStoreMakesJobsThatWorkersWithAnEngineDo() async throws {
        // One talk (innovationsprogram-del1.mp4, linked 1:00–12:00) and an engine of the tests'
        // own that hears the same words 5 s into any audio.
        let week = try EngineWeek(["innovationsprogram-del1.mp4"], engine: #"printf '{"segments":[{"start":5,"end":8,"text":"vi pratar om datadelning"}]}' > "$2""#)
        defer { week.remove() }
        let media = week.media, engine = week.engine
        let binary = try EfterhandBinary.path()
        try await TestStore.with { location in
            let store = ["--database", location.configurationURL], root = ["--media-root", "week=\(media.path)"]
            let ingest = try await Run.run(binary, ["ingest"] + store + root + ["--schedule", EngineWeek.schedule])
            #expect(ingest.status == 0, "\(ingest.stderr)")
            let linked = try await Run.run(binary, ["worker", "--until-idle"] + store + root, seconds: 120)
            #expect(linked.status == 0, "\(linked.stderr.suffix(1000))")
            // What only a run on this machine does is refused in words.
            let jobs = try await Run.run(binary, ["transcribe", "--jobs", "2"] + store)
            #expect(jobs.status != 0 && jobs.stderr.contains("--jobs (give a worker --concurrency) does not go with it"), "\(jobs.stderr)")
            // Enqueued, and waited for while a worker with an engine does it.
            let transcribe = try Run.start(binary, ["transcribe", "--wait"] + store)
            // The worker starts once the job is there (one that finds the queue empty stops at once).
            try await PostgresIndex.with(location, timeout: TestStore.patience) { database in
                let deadline = ContinuousClock.now + .seconds(10)
                while try await database.jobCounts().count(TranscribeJob.kind, state: "queued") == 0, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(20))
                }
            }
            let worker = try await Run.run(binary, ["worker", "--until-idle", "--kinds", "transcribe", "--speech-command", "\(engine.path) {input} {output}",
                                                    "--model", "/models/echo"] + store + root, seconds: 120)
            #expect(worker.status == 0, "\(worker.stderr.suffix(1500))")
            let waited = await transcribe.finished(seconds: 60)
            #expect(waited.status == 0 && waited.stdout.contains("1 transcribe job and 0 listen jobs enqueued") && waited.stderr.contains("transcribe jobs: 0 waiting, 0 running, 1 done"),
                    "\(waited.stdout)\(waited.stderr)")
            let heard = try await PostgresIndex.with(location, timeout: TestStore.patience) { database in
                try await TestStore.value(database, "SELECT start_seconds FROM cue WHERE source = 'asr:command:echo' AND text = 'vi pratar om datadelning'", as: Double.self)
            }
            #expect(heard == 65)
            // Heard once: asked again, nothing to do.
            let again = try await Run.run(binary, ["transcribe"] + store)
            #expect(again.status == 0 && again.stdout.contains("0 transcribe jobs and 0 listen jobs enqueued"), "\(again.stdout)\(again.stderr)")
            // --force: heard again, the draft replaced (one cue, not two).
            let force = try await Run.run(binary, ["transcribe", "--force"] + store)
            #expect(force.stdout.contains("1 transcribe job and 0 listen jobs enqueued"), "\(force.stdout)\(force.stderr)")
            let redone = try await Run.run(binary, ["worker", "--until-idle", "--kinds", "transcribe", "--speech-command", "\(engine.path) {input} {output}",
                                                    "--model", "/models/echo"] + store + root, seconds: 120)
            #expect(redone.status == 0, "\(redone.stderr.suffix(1500))")
            let after = try await PostgresIndex.with(location, timeout: TestStore.patience) { database in
                (try await database.jobCounts().count(TranscribeJob.kind, state: "done"),
                 try await TestStore.value(database, "SELECT count(*)::int FROM cue WHERE source = 'asr:command:echo'", as: Int.self))
            }
            #expect(after.0 == 2 && after.1 == 1, "\(after)")
        }
    }

    @Test func aRecordingInDoubtIsListenedToByAWorkerAndLinkedByWhatIsSaid() async throws {
        // The sample week's camera file (30 minutes, no tag, no room, no clock but its modification
        // time) is unmatched until its speaker is heard (as ListenTests in the SQLite index).
        let said = "Hej och välkommen. Jag heter Gunilla Gudmunds. Öppna data, vad är det och vad kan du göra med den?"
        let week = try EngineWeek(["MVI_0042.MP4"], engine: #"printf '{"segments":[{"start":5,"end":12,"text":"\#(said)","avg_logprob":-0.3,"no_speech_prob":0.02}]}' > "$2""#)
        defer { week.remove() }
        let media = week.media, engine = week.engine
        let binary = try EfterhandBinary.path()
        try await TestStore.with { location in
            let store = ["--database", location.configurationURL], root = ["--media-root", "week=\(media.path)"]
            let speech = ["--speech-command", "\(engine.path) {input} {output}", "--model", "/models/speaker"]
            _ = try await Run.run(binary, ["ingest"] + store + root + ["--schedule", EngineWeek.schedule])
            _ = try await Run.run(binary, ["worker", "--until-idle"] + store + root, seconds: 120)
            func camera() async throws -> (status: String?, links: [StoredLink]) {
                try await PostgresIndex.with(location, timeout: TestStore.patience) { database in
                    let status = try await TestStore.value(database, "SELECT link_status FROM recording WHERE path = 'MVI_0042.MP4'", as: String.self)
                    let id = try #require(try await TestStore.value(database, "SELECT id FROM recording WHERE path = 'MVI_0042.MP4'", as: Int64.self))
                    return (status, try await database.transaction { try await database.links(recordingID: id, on: $0) })
                }
            }
            #expect(try await camera().status == "unmatched")
            let transcribe = try await Run.run(binary, ["transcribe"] + store)
            #expect(transcribe.stdout.contains("0 transcribe jobs and 1 listen job enqueued"), "\(transcribe.stdout)\(transcribe.stderr)")
            // A worker with an engine listens, the link job links, and the linked talk is transcribed.
            let worker = try await Run.run(binary, ["worker", "--until-idle", "--kinds", "listen,link,transcribe"] + speech + store + root, seconds: 120)
            #expect(worker.status == 0, "\(worker.stderr.suffix(1500))")
            let (status, links) = try await camera()
            let link = try #require(links.first { $0.kind == .link }, "\(status ?? "") \(links)")
            #expect(status == "linked" && link.sessionGuid.hasSuffix("105") && link.flags.contains(.heard), "\(link)")
            #expect(link.reasons.contains { $0.hasPrefix("the speaker says \"Jag heter Gunilla Gudmunds\"") }, "\(link.reasons)")
            try await PostgresIndex.with(location, timeout: TestStore.patience) { database in
                let counts = try await database.jobCounts()
                #expect(counts.count(ListenJob.kind, state: "done") == 1 && counts.count(TranscribeJob.kind, state: "done") == 1, "\(counts.byKindAndState)")
                // The first minutes were heard once: their draft is the talk's, one cue at 0:05.
                let atFive = try await TestStore.value(database, "SELECT count(*)::int FROM cue WHERE source = 'asr:command:speaker' AND start_seconds = 5", as: Int.self)
                #expect(atFive == 1)
                let signature = try #require(try await TestStore.value(database, "SELECT signature FROM listened", as: String.self))
                #expect(ListenedSpans(signature: signature)?.spans.first == 0...180, "\(signature)")
            }
            // Asked again: nothing is heard twice.
            let again = try await Run.run(binary, ["transcribe"] + store)
            #expect(again.stdout.contains("0 transcribe jobs and 0 listen jobs enqueued"), "\(again.stdout)\(again.stderr)")
        }
    }

    @Test func aRecordingStillInDoubtIsHeardAgainWithItsCandidatesNamesAndLinked() async throws {
        // As ListenTests.heardAgain in the SQLite index: without a prompt the engine loses her
        // first name and the title; with one that names her talk it hears them right.
        let said = "Hej och välkommen. Jag heter Gunilla Gudmunds. Öppna data, vad är det och vad kan du göra med den?"
        let halfHeard = "Hej och välkommen. Jag heter Kunilla Gudmunds. Öppen ata, vad är de och vad kan du göra med dem?"
        let week = try EngineWeek(["MVI_0042.MP4"], engine: """
            case "$3" in *"Öppna data"*) text="\(said)" ;; *) text="\(halfHeard)" ;; esac
            printf '%s\\n' "$3" >> "$0.prompts"
            printf '{"segments":[{"start":5,"end":12,"text":"%s","avg_logprob":-0.3,"no_speech_prob":0.02}]}' "$text" > "$2"
            """)
        defer { week.remove() }
        let media = week.media, engine = week.engine
        let binary = try EfterhandBinary.path()
        try await TestStore.with { location in
            let store = ["--database", location.configurationURL], root = ["--media-root", "week=\(media.path)"]
            let speech = ["--speech-command", "\(engine.path) {input} {output} {prompt}", "--model", "/models/speaker"]
            _ = try await Run.run(binary, ["ingest"] + store + root + ["--schedule", EngineWeek.schedule])
            _ = try await Run.run(binary, ["worker", "--until-idle"] + store + root, seconds: 120)
            _ = try await Run.run(binary, ["transcribe"] + store)
            let worker = try await Run.run(binary, ["worker", "--until-idle", "--kinds", "listen,link,transcribe"] + speech + store + root, seconds: 120)
            #expect(worker.status == 0, "\(worker.stderr.suffix(1500))")
            let prompts = (try? String(contentsOfFile: engine.path + ".prompts", encoding: .utf8)) ?? ""
            #expect(prompts.contains("Gunilla Gudmunds: Öppna data – vad är det och vad kan du göra med den?"), "\(prompts)")
            try await PostgresIndex.with(location, timeout: TestStore.patience) { database in
                let id = try #require(try await TestStore.value(database, "SELECT id FROM recording WHERE path = 'MVI_0042.MP4' AND link_status = 'linked'", as: Int64.self))
                let links = try await database.transaction { try await database.links(recordingID: id, on: $0) }
                let link = try #require(links.first { $0.kind == .link })
                #expect(link.sessionGuid.hasSuffix("105") && link.flags.contains(.heard) && link.reasons.contains { $0.hasPrefix("the speaker says \"Jag heter Gunilla Gudmunds\"") },
                        "\(link)")
                let counts = try await database.jobCounts()
                #expect(counts.count(ListenJob.kind, state: "done") == 2, "\(counts.byKindAndState)")
                // The draft of those minutes is what was heard the second time, once.
                let first = try await TestStore.value(database, "SELECT string_agg(text, ' | ') FROM cue WHERE source = 'asr:command:speaker' AND start_seconds < 180", as: String.self)
                #expect(first == said)
                let signature = try #require(try await TestStore.value(database, "SELECT signature FROM listened", as: String.self))
                #expect(ListenedSpans(signature: signature)?.prompt.isEmpty == false, "\(signature)")
            }
            // Asked again: nothing is heard a third time.
            let again = try await Run.run(binary, ["transcribe"] + store)
            #expect(again.stdout.contains("0 transcribe jobs and 0 listen jobs enqueued"), "\(again.stdout)\(again.stderr)")
        }
    }
}
