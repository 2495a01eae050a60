import CSearchRank
import Captions
import Foundation
import GRDB
import Linking
import Schedule
import Synchronization

/// A viewer's lookup: words (and "quoted phrases") plus optional filters.
public struct SearchQuery: Sendable, Equatable {
    public var text: String
    public var topic: String?
    /// `yyyy-mm-dd`, in the conference's time zone.
    public var day: String?
    public var speaker: String?
    public var room: String?
    public var language: String?
    public var limit: Int

    public init(text: String, topic: String? = nil, day: String? = nil, speaker: String? = nil, room: String? = nil,
                language: String? = nil, limit: Int = 20) {
        self.text = text
        self.topic = topic
        self.day = day
        self.speaker = speaker
        self.room = room
        self.language = language
        self.limit = limit
    }
}

/// A segment that matches a query: where to land, and why.
public struct SearchHit: Sendable, Codable, Equatable {
    public var recordingID: Int64
    public var sessionGuid: String
    public var sessionTitle: String
    public var segmentTitle: String
    public var startSeconds: Double
    public var endSeconds: Double
    /// Where to land: the start of the first cue in the segment that holds the words (the
    /// second they are said), else the segment's start.
    public var atSeconds: Double
    /// The recording's path with a media fragment from `atSeconds`: `Media/talk.mp4#t=312,600`.
    public var url: String
    /// The matched text, HTML-escaped, with the matched words in `<mark>…</mark>`.
    public var snippet: String
    /// The same text, not escaped, in runs that are matched words or not: for a page that
    /// builds text nodes (no HTML to parse) and for a terminal.
    public var snippetParts: [SnippetPart] = []
    /// Higher is better.
    public var score: Double

    public init(recordingID: Int64, sessionGuid: String, sessionTitle: String, segmentTitle: String, startSeconds: Double, endSeconds: Double,
                atSeconds: Double, url: String, snippet: String, snippetParts: [SnippetPart] = [], score: Double) {
        self.recordingID = recordingID
        self.sessionGuid = sessionGuid
        self.sessionTitle = sessionTitle
        self.segmentTitle = segmentTitle
        self.startSeconds = startSeconds
        self.endSeconds = endSeconds
        self.atSeconds = atSeconds
        self.url = url
        self.snippet = snippet
        self.snippetParts = snippetParts
        self.score = score
    }

    enum CodingKeys: String, CodingKey {
        case recordingID = "recording_id", sessionGuid = "session_guid", sessionTitle = "session_title", segmentTitle = "segment_title"
        case startSeconds = "start_seconds", endSeconds = "end_seconds", atSeconds = "at_seconds", url, snippet, snippetParts = "snippet_parts", score
    }
}

/// A search stopped at its time limit.
public struct SearchTimeLimitExceeded: Error, CustomStringConvertible {
    public var timeLimit: Duration
    public init(timeLimit: Duration) { self.timeLimit = timeLimit }
    public var description: String { "the search was stopped after \(timeLimit) (its time limit)" }
}

/// Counts per topic, day, room and speaker of the segments that match a query.
public struct SearchFacets: Sendable, Codable, Equatable {
    public var topics: [String: Int] = [:]
    public var days: [String: Int] = [:]
    public var rooms: [String: Int] = [:]
    public var speakers: [String: Int] = [:]

    public init() {}
}

extension IndexDatabase {
    /// Rebuilds the search rows of one recording from its links, segments, sessions and cues.
    /// Called inside the transactions that change them, so search never lags the index.
    static func refreshSearch(recordingID: Int64, db: Database) throws {
        // Cached statements: this runs once per recording in every ingest that links, and
        // preparing its seven statements each time was most of its cost.
        try db.cachedStatement(sql: "DELETE FROM search WHERE rowid IN (SELECT rowid FROM search_row WHERE recording_id = ?)")
            .execute(arguments: [recordingID])
        try db.cachedStatement(sql: "DELETE FROM search_row WHERE recording_id = ?").execute(arguments: [recordingID])
        let rows = try Row.fetchAll(db.cachedStatement(sql: """
            SELECT segment.id, segment.session_guid, segment.position, segment.title, segment.start_seconds, segment.end_seconds,
                   session.title AS session_title, session.subtitle, session.abstract, session.persons, session.topics AS session_topics
            FROM segment JOIN session ON session.guid = segment.session_guid
            WHERE segment.recording_id = ? AND session.do_not_record = 0
            """), arguments: [recordingID])
        guard !rows.isEmpty else { return }
        // Only what the rows need of a segment (its topics are not in them: decoding them was a
        // few per cent of a cold ingest).
        let segments = rows.map { row in
            (segment: Segment(id: row["id"], sessionGuid: row["session_guid"], position: row["position"], startSeconds: row["start_seconds"],
                              endSeconds: row["end_seconds"], title: row["title"], topics: [], source: .session),
             texts: SearchDocument.SessionTexts(
                title: row["session_title"], subtitle: row["subtitle"] ?? "", abstract: row["abstract"] ?? "",
                persons: (try? JSONText.decode(row["persons"] as String)) ?? [], topics: (try? JSONText.decode(row["session_topics"] as String)) ?? []))
        }
        let cues = try Row.fetchAll(db.cachedStatement(sql: "SELECT start_seconds, end_seconds, text FROM cue WHERE recording_id = ? ORDER BY start_seconds"),
                                    arguments: [recordingID]).map { Cue(start: $0["start_seconds"], end: $0["end_seconds"], text: $0["text"]) }
        let newRow = try db.cachedStatement(sql: "INSERT INTO search_row (recording_id, segment_id, session_guid) VALUES (?, ?, ?)")
        let insert = try db.cachedStatement(sql: """
            INSERT INTO search (rowid, kind, recording_id, session_guid, segment_id, session_title, subtitle, abstract, speakers, topics, segment_title, transcript, pairs)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for document in SearchDocument.rows(recordingID: recordingID, segments: segments, cues: cues) {
            try newRow.execute(arguments: [recordingID, document.segmentID, document.sessionGuid])
            try insert.execute(arguments: StatementArguments([db.lastInsertedRowID, document.kind, recordingID, document.sessionGuid, document.segmentID] as [any DatabaseValueConvertible])
                + StatementArguments(document.texts + [document.pairs]))
        }
    }

    /// Rebuilds every recording's search rows (after a programme change, or by `efterhand reindex`).
    public func rebuildSearch() throws {
        try writer.write { db in try Self.rebuildSearch(db: db) }
    }

    static func rebuildSearch(db: Database) throws {
        try db.execute(sql: "DELETE FROM search")
        try db.execute(sql: "DELETE FROM search_row")
        for id in try Int64.fetchAll(db, sql: "SELECT id FROM recording") { try refreshSearch(recordingID: id, db: db) }
        // One b-tree per term instead of the many small segments that row-by-row inserts leave:
        // a query then reads each term's list once.
        try db.execute(sql: "INSERT INTO search (search) VALUES ('optimize')")
    }

    // MARK: - Queries

    /// The FTS5 expression a text is searched by (nil: nothing to search for), for a benchmark's
    /// floor that asks SQLite the same question with nothing around it.
    public static func matchExpression(_ text: String) -> String? {
        SearchPattern(text)?.fts
    }

    /// Registers the ranking function (`CSearchRank`) on a new connection.
    static func registerRank(_ db: Database) throws {
        let code = efterhand_register_rank(db.sqliteConnection)
        guard code == SQLITE_OK else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: "cannot register the search ranking function (SQLite without FTS5?)")
        }
    }

    /// Segments that match, best first: BM25 with field weights (titles above abstract above
    /// transcript), exact (unfolded) forms above folded ones, then the latest sessions first.
    /// Any input is a query: user text never reaches FTS5 syntax unescaped.
    /// With `timeLimit`, SQLite stops the search once it has run that long
    /// (`SearchTimeLimitExceeded`), so that no query holds a thread for long.
    public func search(_ query: SearchQuery, timeLimit: Duration? = nil) throws -> [SearchHit] {
        guard let pattern = SearchPattern(query.text) else { return [] }
        return try writer.read { db in try Self.within(timeLimit, db: db) { try Self.hits(query, pattern, db: db) } }
    }

    /// Facets of a query: counts of matching segments per topic, day, room and speaker
    /// (of the first `facetLimit` matching rows in index order when there are more).
    public func facets(_ query: SearchQuery, timeLimit: Duration? = nil) throws -> SearchFacets {
        guard let pattern = SearchPattern(query.text) else { return SearchFacets() }
        return try writer.read { db in try Self.within(timeLimit, db: db) { try Self.facets(query, pattern, db: db) } }
    }

    /// Hits and facets of a query in one read of the index: both of one commit, for one
    /// connection and one transaction instead of two (the API's search answer). With the
    /// `facetTable` of a snapshot, the facets of a query without filters are looked up in it:
    /// the caller makes sure the snapshot is of the commit this read sees (the server drops an
    /// answer when a commit came between its catalogue and the search).
    public func searchWithFacets(_ query: SearchQuery, timeLimit: Duration? = nil,
                                 facetTable: SearchFacetTable? = nil) throws -> (hits: [SearchHit], facets: SearchFacets) {
        guard let pattern = SearchPattern(query.text) else { return ([], SearchFacets()) }
        return try writer.read { db in try Self.within(timeLimit, db: db) {
            let hits = try Self.hits(query, pattern, db: db)
            if let facetTable, !query.hasFilters { return (hits, try Self.facets(pattern, table: facetTable, db: db)) }
            return (hits, try Self.facets(query, pattern, db: db))
        } }
    }

    static func hits(_ query: SearchQuery, _ pattern: SearchPattern, db: Database) throws -> [SearchHit] {
        let limit = max(1, min(query.limit, 500))
        let zone = try Self.zone(db)
        let ranked = try Self.ranked(pattern, db: db)
        // Without filters, the best twice-`limit` rows are enough: some share a segment, and
        // the exact-form bonus reorders only near neighbours. Filters may drop any of them.
        let candidates = query.hasFilters ? ranked : Array(ranked.prefix(limit * 2))
        var hits: [(hit: SearchHit, text: String, start: Double)] = []
        var seen = Set<Int64>()
        for (row, rank) in try Self.rows(candidates, db: db) {
            let segmentID: Int64 = row[Column.segmentID]
            guard seen.insert(segmentID).inserted else { continue }
            guard Self.passes(row, query, zone: zone) else { continue }
            let start: Double = row[Column.startSeconds]
            let end: Double = row[Column.endSeconds]
            let text = Self.matchedText(row, pattern)
            let score = -rank * pattern.exactBonus(in: text)
            let path: String = row[Column.path]
            hits.append((SearchHit(recordingID: row[Column.recordingID], sessionGuid: row[Column.sessionGuid], sessionTitle: row[Column.sessionTitle],
                                   segmentTitle: row[Column.segmentTitle], startSeconds: start, endSeconds: end, atSeconds: start,
                                   url: path,
                                   snippet: "", score: (score * 1000).rounded() / 1000), text, row[Column.sessionStart]))
        }
        // Best score first; among equals the latest session, then recording and position.
        hits.sort { ($0.hit.score, $0.start, $0.hit.recordingID, -$0.hit.startSeconds) > ($1.hit.score, $1.start, $1.hit.recordingID, -$1.hit.startSeconds) }
        // Snippets only for what is returned: marking words is the costly part.
        return try hits.prefix(limit).map { entry in
            var hit = entry.hit
            hit.snippetParts = pattern.snippetParts(entry.text)
            hit.snippet = SearchPattern.html(hit.snippetParts)
            hit.atSeconds = try Self.saidAt(pattern, recordingID: hit.recordingID, from: hit.startSeconds, to: hit.endSeconds, db: db) ?? hit.startSeconds
            hit.url += "#t=\(Self.seconds(hit.atSeconds)),\(Self.seconds(hit.endSeconds))"
            return hit
        }
    }

    static func facets(_ query: SearchQuery, _ pattern: SearchPattern, db: Database) throws -> SearchFacets {
        query.hasFilters ? try facetsRowByRow(query, pattern, db: db) : try facetsBySession(pattern, db: db)
    }

    /// The facets of a query without filters: the matching segments counted per session in
    /// SQL, then each session's topics, speakers, room and day counted that many times. The
    /// same counts as `facetsRowByRow` (SearchTests compares them), without reading up to
    /// `facetLimit` whole rows into Swift: on the 100,000-segment index that was 30% of the
    /// server's samples under distinct queries, and the hits 1.3% (issue 20). The matching
    /// rows are counted from `search_row` (a few numbers each, not the full-text row with its
    /// transcript), per recording and session, and whether a recording's session is published
    /// is asked once per such pair instead of once per row. (Search rows are rebuilt in the
    /// transactions that cut segments, so each names a segment that is there; a deleted
    /// recording's rows fall out with the join to `recording`.)
    static func facetsBySession(_ pattern: SearchPattern, db: Database) throws -> SearchFacets {
        let zone = try Self.zone(db)
        let statement = try db.cachedStatement(sql: """
            WITH top(id) AS (SELECT rowid FROM search WHERE search MATCH ? ORDER BY rowid LIMIT \(Self.facetLimit)),
            pairs(recording_id, session_guid, segments) AS (
              SELECT search_row.recording_id, search_row.session_guid, COUNT(DISTINCT search_row.segment_id)
              FROM top
              JOIN search_row ON search_row.rowid = top.id
              GROUP BY search_row.recording_id, search_row.session_guid)
            SELECT session.topics, session.persons, session.room, session.start, SUM(pairs.segments)
            FROM pairs
            JOIN session ON session.guid = pairs.session_guid
            JOIN recording ON recording.id = pairs.recording_id
            WHERE recording.state = 'ok' AND session.do_not_record = 0
              AND EXISTS (SELECT 1 FROM link WHERE link.recording_id = recording.id AND link.session_guid = session.guid AND link.kind = 'link')
              AND NOT EXISTS (SELECT 1 FROM publication WHERE publication.session_guid = session.guid AND publication.hidden = 1)
            GROUP BY session.guid
            """)
        var facets = SearchFacets()
        for row in try Row.fetchAll(statement, arguments: [pattern.fts]) {
            let count: Int = row[4]
            for topic in SessionLists.decoded(row[0]) { facets.topics[topic, default: 0] += count }
            for person in SessionLists.decoded(row[1]) { facets.speakers[person, default: 0] += count }
            if let room = row[2] as String? { facets.rooms[room, default: 0] += count }
            facets.days[ClockText.day(Date(timeIntervalSince1970: row[3]), zone: zone), default: 0] += count
        }
        return facets
    }

    /// The facets of a query with filters: each matching row read and filtered as the hits are.
    static func facetsRowByRow(_ query: SearchQuery, _ pattern: SearchPattern, db: Database) throws -> SearchFacets {
        let zone = try Self.zone(db)
        var facets = SearchFacets()
        var seen = Set<Int64>()
        let statement = try db.cachedStatement(sql: "SELECT rowid FROM search WHERE search MATCH ? ORDER BY rowid LIMIT \(Self.facetLimit)")
        let matching = try Int64.fetchAll(statement, arguments: [pattern.fts]).map { (id: $0, score: 0.0) }
        // Many rows share a session: its lists and day are made once.
        var sessions: [String: (topics: [String], persons: [String], day: String)] = [:]
        for (row, _) in try Self.rows(matching, db: db, text: false) {
            guard seen.insert(row[Column.segmentID]).inserted, Self.passes(row, query, zone: zone) else { continue }
            let guid: String = row[Column.sessionGuid]
            let session = sessions[guid] ?? {
                let made = ((try? JSONText.decode(row[Column.topics] as String) as [String]) ?? [],
                            (try? JSONText.decode(row[Column.persons] as String) as [String]) ?? [],
                            ClockText.day(Date(timeIntervalSince1970: row[Column.sessionStart]), zone: zone))
                sessions[guid] = made
                return made
            }()
            for topic in session.topics { facets.topics[topic, default: 0] += 1 }
            for person in session.persons { facets.speakers[person, default: 0] += 1 }
            if let room = row[Column.room] as String? { facets.rooms[room, default: 0] += 1 }
            facets.days[session.day, default: 0] += 1
        }
        return facets
    }

    /// Runs `body` with SQLite interrupting the statements of `db` once `timeLimit` has passed
    /// (a progress handler, asked every thousand virtual-machine steps); the interruption is
    /// thrown as `SearchTimeLimitExceeded`.
    static func within<T>(_ timeLimit: Duration?, db: Database, _ body: () throws -> T) throws -> T {
        guard let timeLimit else { return try body() }
        let deadline = Unmanaged.passRetained(Deadline(ContinuousClock.now.advanced(by: timeLimit)))
        sqlite3_progress_handler(db.sqliteConnection, 1000, { context in
            guard let context else { return 0 }
            return ContinuousClock.now >= Unmanaged<Deadline>.fromOpaque(context).takeUnretainedValue().instant ? 1 : 0
        }, deadline.toOpaque())
        defer {
            sqlite3_progress_handler(db.sqliteConnection, 0, nil, nil)
            deadline.release()
        }
        do {
            return try body()
        } catch let error as DatabaseError where error.resultCode == .SQLITE_INTERRUPT {
            throw SearchTimeLimitExceeded(timeLimit: timeLimit)
        }
    }

    private final class Deadline: Sendable {
        let instant: ContinuousClock.Instant
        init(_ instant: ContinuousClock.Instant) { self.instant = instant }
    }

    /// Facets count at most this many matching rows, the first in index order.
    static let facetLimit = 5000

    /// At most this many rows are scored per query. A query that matches more (a word said in
    /// every talk) is ranked among its first matches in index order, so every query stays fast.
    static let rankingLimit = 500

    /// Column weights for BM25, in the table's column order: the four unindexed columns, then
    /// session title, subtitle, abstract, speakers, topics, segment title, transcript, and the
    /// word pairs (which only find rows; the words themselves are scored).
    static let columnWeights = "0, 0, 0, 0, 10.0, 5.0, 3.0, 6.0, 5.0, 8.0, 1.0, 0"

    /// The matching rows, best first (lower score is better), at most `rankingLimit` of them.
    /// One pass: FTS5 walks the matches in index order (its cheapest order) and
    /// `efterhand_rank` scores each as it goes, without the inverse document frequencies that
    /// made FTS5's own `bm25()` count every row holding each phrase (see `CSearchRank.h`).
    static func ranked(_ pattern: SearchPattern, db: Database) throws -> [(id: Int64, score: Double)] {
        let statement = try db.cachedStatement(sql: """
            SELECT rowid, efterhand_rank(search, \(columnWeights)) FROM search WHERE search MATCH ?
            ORDER BY rowid LIMIT \(rankingLimit)
            """)
        var ranked: [(id: Int64, score: Double)] = []
        let rows = try Row.fetchCursor(statement, arguments: [pattern.fts])
        while let row = try rows.next() { ranked.append((id: row[0], score: row[1])) }
        return ranked.sorted { ($0.score, $0.id) < ($1.score, $1.id) }
    }

    /// Column positions of `rows(_:db:)`.
    enum Column {
        static let rowid = 0, recordingID = 1, sessionGuid = 2, segmentID = 3, segmentTitle = 4, startSeconds = 5, endSeconds = 6
        static let sessionTitle = 7, sessionStart = 8, room = 9, persons = 10, topics = 11, language = 12, path = 13
        /// The texts, in the order `matchedText` prefers them.
        static let texts = 14..<21
    }

    /// What a hit needs of each ranked row, joined, in rank order; rows of recordings or
    /// sessions that are not published are left out.
    /// The search rows whose rowids are in `top(id)`, with their segment, session and recording,
    /// of published segments only: a recording that was read, a session neither opted out nor hidden, and a
    /// link to it. Hits and facets both read through it.
    static let publishedRows = """
        FROM top
        JOIN search ON search.rowid = top.id
        JOIN segment ON segment.id = search.segment_id
        JOIN session ON session.guid = search.session_guid
        JOIN recording ON recording.id = search.recording_id
        WHERE recording.state = 'ok' AND session.do_not_record = 0
          AND EXISTS (SELECT 1 FROM link WHERE link.recording_id = recording.id AND link.session_guid = session.guid AND link.kind = 'link')
          AND NOT EXISTS (SELECT 1 FROM publication WHERE publication.session_guid = session.guid AND publication.hidden = 1)
        """

    static func rows(_ ranked: [(id: Int64, score: Double)], db: Database, text: Bool = true) throws -> [(row: Row, rank: Double)] {
        guard !ranked.isEmpty else { return [] }
        let ids = "[" + ranked.map { String($0.id) }.joined(separator: ",") + "]"
        let texts = text
            ? "search.transcript, search.segment_title, search.session_title, search.subtitle, search.abstract, search.speakers, search.topics"
            : "'', '', '', '', '', '', ''"
        let statement = try db.cachedStatement(sql: """
            WITH top(id) AS (SELECT value FROM json_each(?))
            SELECT search.rowid, search.recording_id, search.session_guid, search.segment_id,
                   segment.title, segment.start_seconds, segment.end_seconds,
                   session.title, session.start, session.room, session.persons, session.topics, session.language,
                   recording.path, \(texts)
            \(Self.publishedRows)
            """)
        let rows = try Row.fetchAll(statement, arguments: [ids])
        var byID: [Int64: Row] = [:]
        for row in rows { byID[row[Column.rowid]] = row }
        return ranked.compactMap { entry in byID[entry.id].map { (row: $0, rank: entry.score) } }
    }

    /// The start of the first cue from `from` to `to` of a recording whose text holds the
    /// query's words: the second they are said. Nil when no cue there does.
    static func saidAt(_ pattern: SearchPattern, recordingID: Int64, from: Double, to: Double, db: Database) throws -> Double? {
        let statement = try db.cachedStatement(sql: """
            SELECT start_seconds, text FROM cue WHERE recording_id = ? AND start_seconds >= ? AND start_seconds < ? ORDER BY start_seconds, id
            """)
        let cues = try Row.fetchCursor(statement, arguments: [recordingID, from, to])
        while let cue = try cues.next() {
            if pattern.matches(cue["text"]) { return cue["start_seconds"] }
        }
        return nil
    }

    /// The text of the row's best field that holds a term: transcript, segment title, title, ...
    static func matchedText(_ row: Row, _ pattern: SearchPattern) -> String {
        var first: String?
        for column in Column.texts {
            let text: String = row[column] ?? ""
            guard !text.isEmpty else { continue }
            if pattern.matches(text) { return text }
            if first == nil { first = text }
        }
        return first ?? ""
    }

    private static func passes(_ row: Row, _ query: SearchQuery, zone: TimeZone) -> Bool {
        query.admits(topics: { (try? JSONText.decode(row[Column.topics] as String) as [String]) ?? [] },
                     persons: { (try? JSONText.decode(row[Column.persons] as String) as [String]) ?? [] },
                     room: row[Column.room], language: row[Column.language], sessionStart: row[Column.sessionStart], zone: zone)
    }

    static func zone(_ db: Database) throws -> TimeZone {
        ConferenceZone.named(try String.fetchOne(db.cachedStatement(sql: "SELECT time_zone FROM conference WHERE id = 1")))
    }

    /// Seconds for a media fragment: `300`, `187.5` (to the millisecond, no trailing zeros).
    public static func seconds(_ value: Double) -> String {
        let millis = WholeSeconds.nearest(value * 1000)
        if millis % 1000 == 0 { return String(millis / 1000) }
        var text = String(format: "%d.%03d", millis / 1000, millis % 1000)
        while text.hasSuffix("0") { text.removeLast() }
        return text
    }
}

extension SearchQuery {
    /// Whether a hit of a session with these values passes the query's filters (topic, speaker,
    /// room, language, day): the same test in both stores. The lists are read only when needed.
    public func admits(topics: () -> [String], persons: () -> [String], room: String?, language: String?,
                       sessionStart: Double, zone: TimeZone) -> Bool {
        if let topic = topic.map(TextMatch.fold), !topic.isEmpty {
            if !topics().map(TextMatch.fold).contains(topic) { return false }
        }
        if let speaker = speaker.map(TextMatch.fold), !speaker.isEmpty {
            if !persons().map(TextMatch.fold).contains(where: { $0.contains(speaker) }) { return false }
        }
        if let wanted = self.room.map(TextMatch.compact), !wanted.isEmpty {
            if TextMatch.compact(room ?? "") != wanted { return false }
        }
        if let wanted = LanguageCode.normalize(self.language) {
            if LanguageCode.normalize(language) != wanted { return false }
        }
        if let day, !day.isEmpty {
            if ClockText.day(Date(timeIntervalSince1970: sessionStart), zone: zone) != day { return false }
        }
        return true
    }

    public var hasFilters: Bool {
        [topic, day, speaker, room, language].contains { $0.map { !$0.isEmpty } ?? false }
    }
}

/// A session's topics or persons (a JSON list of strings) as decoded before: facets read the
/// same sessions' lists for query after query, and decoding them was 8% of the server's
/// samples on the 100,000-segment index. Kept by the JSON text itself, so an edited session
/// is decoded afresh; forgotten all at once past `capacity` texts.
enum SessionLists {
    static let capacity = 20_000
    private static let decodedLists = Mutex<[String: [String]]>([:])

    static func decoded(_ json: String?) -> [String] {
        guard let json, !json.isEmpty else { return [] }
        if let known = decodedLists.withLock({ $0[json] }) { return known }
        let list: [String] = (try? JSONText.decode(json)) ?? []
        decodedLists.withLock { lists in
            if lists.count >= capacity { lists.removeAll(keepingCapacity: true) }
            lists[json] = list
        }
        return list
    }
}
