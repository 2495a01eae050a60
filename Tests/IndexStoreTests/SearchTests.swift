import Foundation
import Testing
@testable import IndexStore
import Pipeline
import TestSupport

/// Watch-later lookups on the sample week: each query lands on the expected segment and second.
@Suite("search", .serialized)
struct SearchTests {
    static let shared: (SampleWeek, IndexDatabase) = {
        let week = try! SampleWeek()
        let database = try! IndexDatabase(folder: week.index.path)
        var options = IngestOptions(media: [week.media.path])
        options.recentSeconds = 0
        options.thumbnails = .off
        _ = try! Ingestor(database: database, options: options).run(programme: try! week.programme())
        return (week, database)
    }()

    var week: SampleWeek { Self.shared.0 }
    var database: IndexDatabase { Self.shared.1 }

    struct Case: Sendable, CustomStringConvertible {
        var query: String
        var file: String
        var start: Double
        /// Where the hit lands when a cue holds the words (the cue's start); nil: at `start`.
        var at: Double? = nil
        var description: String { query }
    }

    @Test("a search past its time limit is stopped inside SQLite, and says so; without one it answers", .timeLimit(.minutes(1)))
    func timeLimit() throws {
        // A statement that never ends on its own: only the time limit stops it.
        #expect(throws: SearchTimeLimitExceeded.self) {
            try database.writer.read { db in
                try IndexDatabase.within(.milliseconds(100), db: db) {
                    try Int.fetchOne(db, sql: "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c")
                }
            }
        }
        #expect(try !database.search(SearchQuery(text: "innovation", limit: 100), timeLimit: .seconds(30)).isEmpty)
        #expect(try !database.facets(SearchQuery(text: "innovation"), timeLimit: .seconds(30)).topics.isEmpty)
        // The connection is left without the handler: the next search is not stopped.
        #expect(try !database.search(SearchQuery(text: "innovation", limit: 100)).isEmpty)
    }

    @Test("snippet parts carry the text as it is, the HTML snippet the same text escaped")
    func snippetParts() throws {
        let pattern = try #require(SearchPattern("öppna"))
        let text = "Forskning & utveckling:\n<b>Öppna</b> data \"nu\""
        let parts = pattern.snippetParts(text)
        #expect(parts == [SnippetPart(text: "Forskning & utveckling: <b>", marked: false), SnippetPart(text: "Öppna", marked: true),
                          SnippetPart(text: "</b> data \"nu\"", marked: false)])
        #expect(pattern.snippet(text) == "Forskning &amp; utveckling: &lt;b&gt;<mark>Öppna</mark>&lt;/b&gt; data &quot;nu&quot;")
        let long = String(repeating: "ord ", count: 100) + "öppna " + String(repeating: "slut ", count: 100)
        let cut = pattern.snippetParts(long)
        #expect(cut.first?.text.hasPrefix("…") == true && cut.last?.text.hasSuffix("…") == true)
        #expect(cut.filter(\.marked).map(\.text) == ["öppna"])
    }

    @Test("queries land on the expected segment and second", arguments: [
        // The sidecar's 12:30 cue says "öppna data", and its segment is named by it
        // ("göteborgs stad · öppna data · datamängder"), which puts it above the session's start.
        Case(query: "öppna data", file: "oppna-data.webm", start: 600, at: 750),
        Case(query: "oppna", file: "oppna-data.webm", start: 600, at: 750),
        Case(query: "Görel", file: "inspelning-01.mp4", start: 120),
        Case(query: "gorel", file: "inspelning-01.mp4", start: 120),
        Case(query: "hållbarhet", file: "sommarjobbare.mp4", start: 120, at: 300),
        Case(query: "Gunilla Gudmunds", file: "inspelning-01.mp4", start: 0),
        Case(query: "\"bygga tjänster\"", file: "oppna-data.webm", start: 1500),
        Case(query: "första dagen", file: "sommarjobbare.mp4", start: 1020, at: 1200),
        Case(query: "electricity", file: "brg-studion/brg-eftermiddag.mkv", start: 3895),
    ])
    func lands(_ item: Case) throws {
        let hits = try database.search(SearchQuery(text: item.query))
        let first = try #require(hits.first, "no hit for \(item.query)")
        #expect(first.url.hasPrefix(week.path(item.file) + "#t="), "\(item.query): \(first.url)")
        #expect(abs(first.startSeconds - item.start) < 0.01, "\(item.query): \(first.startSeconds)")
        // The link lands where the words are said when a cue holds them, else at the segment's start.
        #expect(first.url.hasSuffix("#t=\(IndexDatabase.seconds(first.atSeconds)),\(IndexDatabase.seconds(first.endSeconds))"))
        #expect(abs(first.atSeconds - (item.at ?? item.start)) < 0.01, "\(item.query): lands at \(first.atSeconds)")
        #expect(first.snippet.contains("<mark>"))
    }

    @Test("innov finds innovation, innovationsmotor and innovationsprogram")
    func prefixes() throws {
        let text = try database.search(SearchQuery(text: "innov", limit: 100)).map { $0.sessionTitle + " " + $0.snippet }.joined(separator: "\n").lowercased()
        for word in ["innovationsmotor", "innovationsprogram", "innovation"] { #expect(text.contains(word), "\(word)") }
    }

    @Test("several words must all match")
    func allWords() throws {
        #expect(try database.search(SearchQuery(text: "öppna robot")).isEmpty)
        #expect(!(try database.search(SearchQuery(text: "digitala robot"))).isEmpty)
    }

    @Test("a quoted phrase needs its words side by side and in order; a typed pair joiner separates words")
    func phrases() throws {
        #expect(!(try database.search(SearchQuery(text: "\"bygga tjänster\""))).isEmpty)
        #expect(!(try database.search(SearchQuery(text: "\"bygga tjänst\""))).isEmpty, "the last word of a phrase is a prefix")
        #expect(try database.search(SearchQuery(text: "\"tjänster bygga\"")).isEmpty)
        #expect(try database.search(SearchQuery(text: "\"öppna robot\"")).isEmpty)
        // The pair column holds tokens such as ǂbyggaǂtjänster; typed, the joiner separates words.
        #expect(SearchPattern.pairs(["Öppna data, för alla"]) == "ǂöppnaǂdata ǂdataǂför ǂförǂalla")
        let typed = try database.search(SearchQuery(text: "ǂbyggaǂtjänster")).map(\.url)
        let words = try database.search(SearchQuery(text: "bygga tjänster")).map(\.url)
        #expect(!typed.isEmpty && typed == words)
    }

    @Test("exact forms rank above folded ones")
    func exactFirst() {
        #expect(SearchPattern("Öppna")!.exactBonus(in: "Öppna data") > SearchPattern("oppna")!.exactBonus(in: "Öppna data"))
    }

    @Test("facets counted per session in SQL are the facets counted row by row, for every query of the benchmark list")
    func facetsBySession() throws {
        let list = EfterhandBinary.root.appendingPathComponent("scripts/bench/queries.txt")
        let queries = try String(contentsOf: list, encoding: .utf8).split(separator: "\n").map(String.init).filter { !$0.isEmpty }
        #expect(queries.count >= 300)
        var compared = 0, nonEmpty = 0
        for text in queries + ["innovation", "öppna data", "görel", "fotboll parken", "data*"] {
            guard let pattern = SearchPattern(text) else { continue }
            let (bySession, rowByRow) = try database.writer.read { db in
                (try IndexDatabase.facetsBySession(pattern, db: db), try IndexDatabase.facetsRowByRow(SearchQuery(text: text), pattern, db: db))
            }
            #expect(bySession == rowByRow, "\(text)")
            compared += 1
            if bySession != SearchFacets() { nonEmpty += 1 }
        }
        #expect(compared >= 300 && nonEmpty >= 20, "\(compared) queries compared, \(nonEmpty) with facets")
    }

    @Test("facets looked up in the snapshot's facet table are the facets counted in SQL, for every query of the benchmark list, a hidden session and a missing recording included")
    func facetTable() throws {
        let list = EfterhandBinary.root.appendingPathComponent("scripts/bench/queries.txt")
        let queries = try String(contentsOf: list, encoding: .utf8).split(separator: "\n").map(String.init).filter { !$0.isEmpty }
            + ["innovation", "öppna data", "görel", "fotboll parken", "data*", "Yesbox"]
        // A copy of its own: a person hides a session and a file goes missing.
        let week = try SampleWeek()
        defer { week.remove() }
        let database = try IndexDatabase(folder: week.index.path)
        var options = IngestOptions(media: [week.media.path])
        options.recentSeconds = 0
        options.thumbnails = .off
        _ = try Ingestor(database: database, options: options).run(programme: try week.programme())
        func compare(_ stage: String) throws -> Int {
            let table = try #require(try database.snapshot().facetTable)
            var nonEmpty = 0
            for text in queries {
                guard let pattern = SearchPattern(text) else { continue }
                let (inSQL, lookedUp) = try database.writer.read { db in
                    (try IndexDatabase.facetsBySession(pattern, db: db), try IndexDatabase.facets(pattern, table: table, db: db))
                }
                #expect(inSQL == lookedUp, "\(stage): \(text)")
                if inSQL != SearchFacets() { nonEmpty += 1 }
                let answer = try database.searchWithFacets(SearchQuery(text: text), facetTable: table)
                #expect(answer.facets == inSQL, "\(stage): \(text)")
            }
            return nonEmpty
        }
        #expect(try compare("as ingested") >= 20)
        let before = try database.searchWithFacets(SearchQuery(text: "data"), facetTable: try database.snapshot().facetTable).facets
        try database.setHidden(true, sessionGuid: "iv21-105-oppna-data", by: "cli:test")
        try FileManager.default.removeItem(atPath: week.path("jsp-kamera.mp4"))
        _ = try Ingestor(database: database, options: options).run(programme: nil)
        #expect(try compare("hidden and missing") >= 10)
        let after = try database.searchWithFacets(SearchQuery(text: "data"), facetTable: try database.snapshot().facetTable).facets
        #expect(after != before, "hiding a session changes the facets")
    }

    @Test("filters: topic, day, speaker, room, language; facets count the matches")
    func filters() throws {
        #expect(try database.search(SearchQuery(text: "innovation", day: "2021-10-07")).allSatisfy { $0.sessionTitle.contains("innovationsmotor") })
        #expect(try database.search(SearchQuery(text: "innovation", room: "brg studion")).allSatisfy { $0.sessionTitle.contains("innovationsmotor") })
        #expect(try database.search(SearchQuery(text: "data", topic: "Öppna data")).allSatisfy { $0.sessionTitle.hasPrefix("Öppna data") })
        #expect(try database.search(SearchQuery(text: "innovation", speaker: "olander")).allSatisfy { !$0.sessionTitle.contains("Sveriges") })
        #expect(try database.search(SearchQuery(text: "data", language: "en")).isEmpty)
        let facets = try database.facets(SearchQuery(text: "innovation"))
        #expect((facets.days["2021-10-07"] ?? 0) >= 3)
        #expect((facets.rooms["BRG-studion"] ?? 0) >= 3)
        #expect((facets.speakers["Julia Olander"] ?? 0) >= 1)
    }

    @Test("the opted-out session is never found")
    func optOut() throws {
        #expect(try database.search(SearchQuery(text: "Yesbox")).isEmpty)
    }

    @Test("hostile queries give results or nothing, never an error", arguments: [
        "\"", "\"\"", "(", ")", "NEAR(a b)", "a NEAR b", "*", "**", "-", "AND", "OR NOT", "öppna OR", "^data", "col:öppna",
        "\"öppna", "'; DROP TABLE search; --", String(repeating: "a", count: 10_000),
        String(repeating: "öppna data ", count: 1000), "\u{0}", "🙂", "\u{FFFD}\u{FFFD}",
    ])
    func hostile(_ text: String) throws {
        let hits = try database.search(SearchQuery(text: text))
        let facets = try database.facets(SearchQuery(text: text))
        // Syntax is text: only the words count, so these find Öppna data and the rest nothing.
        let findsOpenData: Set<String> = ["öppna OR", "^data", "\"öppna", String(repeating: "öppna data ", count: 1000)]
        if findsOpenData.contains(text) {
            #expect(hits.first?.sessionTitle.hasPrefix("Öppna data") == true, "\(hits.map(\.sessionTitle))")
            #expect(facets.rooms["Sal B"] ?? 0 >= 1, "\(facets.rooms)")
        } else {
            #expect(hits.isEmpty, "\(hits.map(\.sessionTitle))")
            #expect(facets == SearchFacets())
        }
    }

    @Test("invalid UTF-8 decoded as text is still just a query")
    func invalidUTF8() throws {
        let text = String(decoding: [0xC3, 0x28, 0xFF, 0x61, 0x62], as: UTF8.self)
        #expect(try database.search(SearchQuery(text: text)).isEmpty)
    }

    @Test("a transcript import updates search in the same transaction")
    func importUpdatesSearch() throws {
        let file = week.folder.appendingPathComponent("jsp.vtt")
        try Data("WEBVTT\n\n00:10:00.000 --> 00:10:05.000\nSolceller på taken i Johanneberg.\n".utf8).write(to: file)
        #expect(try database.search(SearchQuery(text: "solceller")).isEmpty)
        _ = try database.importTranscript(recording: week.path("jsp-kamera.mp4"), file: file.path, language: "sv", verified: false)
        let hit = try #require(try database.search(SearchQuery(text: "solceller")).first)
        #expect(hit.startSeconds <= 600 && hit.endSeconds > 600)
    }
}
