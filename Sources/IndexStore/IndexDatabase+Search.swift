import Captions
import Foundation
import GRDB
import Linking
import Schedule

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
    /// The recording's path with a media fragment: `Media/talk.mp4#t=300,600`.
    public var url: String
    /// The matched text, HTML-escaped, with the matched words in `<mark>…</mark>`.
    public var snippet: String
    /// Higher is better.
    public var score: Double

    enum CodingKeys: String, CodingKey {
        case recordingID = "recording_id", sessionGuid = "session_guid", sessionTitle = "session_title", segmentTitle = "segment_title"
        case startSeconds = "start_seconds", endSeconds = "end_seconds", url, snippet, score
    }
}

/// Counts per topic, day, room and speaker of the segments that match a query.
public struct SearchFacets: Sendable, Codable, Equatable {
    public var topics: [String: Int] = [:]
    public var days: [String: Int] = [:]
    public var rooms: [String: Int] = [:]
    public var speakers: [String: Int] = [:]
}

extension IndexDatabase {
    static func registerSearch(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v3: full-text search") { db in
            // One row per session part (title, abstract, speakers, topics: lands on its first
            // segment) and one per segment (segment title and transcript: lands on the segment).
            // Folded matching (öppna = oppna); prefixes indexed for `innov` and compounds.
            try db.execute(sql: """
                CREATE VIRTUAL TABLE search USING fts5(
                  kind UNINDEXED, recording_id UNINDEXED, session_guid UNINDEXED, segment_id UNINDEXED,
                  session_title, subtitle, abstract, speakers, topics, segment_title, transcript,
                  tokenize = 'unicode61 remove_diacritics 2', prefix = '3 4 5 6')
                """)
            // Field weights for `ORDER BY rank`: titles above abstract above transcript.
            try db.execute(sql: "INSERT INTO search (search, rank) VALUES ('rank', 'bm25(0, 0, 0, 0, 10.0, 5.0, 3.0, 6.0, 5.0, 8.0, 1.0)')")
            // Which search rows belong to which recording: FTS5 cannot index its own columns,
            // so this keeps a refresh from scanning the whole text index.
            try db.create(table: "search_row") { t in
                t.column("rowid", .integer).primaryKey()
                t.column("recording_id", .integer).notNull().indexed()
            }
            for row in try Row.fetchAll(db, sql: "SELECT id FROM recording") {
                try refreshSearch(recordingID: row["id"], db: db)
            }
        }
    }

    /// Rebuilds the search rows of one recording from its links, segments, sessions and cues.
    /// Called inside the transactions that change them, so search never lags the index.
    static func refreshSearch(recordingID: Int64, db: Database) throws {
        try db.execute(sql: "DELETE FROM search WHERE rowid IN (SELECT rowid FROM search_row WHERE recording_id = ?)", arguments: [recordingID])
        try db.execute(sql: "DELETE FROM search_row WHERE recording_id = ?", arguments: [recordingID])
        let segments = try Row.fetchAll(db, sql: """
            SELECT segment.id, segment.session_guid, segment.title, segment.start_seconds, segment.end_seconds,
                   session.title AS session_title, session.subtitle, session.abstract, session.persons, session.topics
            FROM segment JOIN session ON session.guid = segment.session_guid
            WHERE segment.recording_id = ? AND session.do_not_record = 0
            ORDER BY segment.session_guid, segment.start_seconds, segment.position
            """, arguments: [recordingID])
        guard !segments.isEmpty else { return }
        let cues = try Row.fetchAll(db, sql: "SELECT start_seconds, end_seconds, text FROM cue WHERE recording_id = ? ORDER BY start_seconds",
                                    arguments: [recordingID])
        let bounds = segments.map { segment -> Segment in
            Segment(id: segment["id"], sessionGuid: segment["session_guid"], position: 0, startSeconds: segment["start_seconds"],
                    endSeconds: segment["end_seconds"], title: segment["title"], topics: [], source: .session)
        }
        var text: [Int64: [String]] = [:]
        for cue in cues {
            let span = Cue(start: cue["start_seconds"], end: cue["end_seconds"], text: "")
            if let segment = segmentFor(span, among: bounds), let id = segment.id { text[id, default: []].append(cue["text"]) }
        }
        var firstOfSession = Set<String>()
        for segment in segments {
            let guid: String = segment["session_guid"]
            let id: Int64 = segment["id"]
            if firstOfSession.insert(guid).inserted {
                let persons: [String] = (try? JSONText.decode(segment["persons"] as String)) ?? []
                let topics: [String] = (try? JSONText.decode(segment["topics"] as String)) ?? []
                try db.execute(sql: "INSERT INTO search_row (recording_id) VALUES (?)", arguments: [recordingID])
                try db.execute(sql: """
                    INSERT INTO search (rowid, kind, recording_id, session_guid, segment_id, session_title, subtitle, abstract, speakers, topics, segment_title, transcript)
                    VALUES (?, 'session', ?, ?, ?, ?, ?, ?, ?, ?, '', '')
                    """, arguments: [db.lastInsertedRowID] +  [recordingID, guid, id, segment["session_title"] as String, (segment["subtitle"] as String?) ?? "",
                                     (segment["abstract"] as String?) ?? "", persons.joined(separator: ", "), topics.joined(separator: ", ")])
            }
            try db.execute(sql: "INSERT INTO search_row (recording_id) VALUES (?)", arguments: [recordingID])
            try db.execute(sql: """
                INSERT INTO search (rowid, kind, recording_id, session_guid, segment_id, session_title, subtitle, abstract, speakers, topics, segment_title, transcript)
                VALUES (?, 'segment', ?, ?, ?, '', '', '', '', '', ?, ?)
                """, arguments: [db.lastInsertedRowID, recordingID, guid, id, segment["title"] as String, (text[id] ?? []).joined(separator: "\n")])
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
    }

    // MARK: - Queries

    /// Segments that match, best first: BM25 with field weights (titles above abstract above
    /// transcript), exact (unfolded) forms above folded ones, then the latest sessions first.
    /// Any input is a query: user text never reaches FTS5 syntax unescaped.
    public func search(_ query: SearchQuery) throws -> [SearchHit] {
        guard let pattern = SearchPattern(query.text) else { return [] }
        let limit = max(1, min(query.limit, 500))
        return try writer.read { db in
            let zone = try Self.zone(db)
            let rows = try Self.matches(pattern, db: db, limit: query.hasFilters ? 2000 : limit * 4)
            var hits: [(hit: SearchHit, text: String)] = []
            var seen = Set<Int64>()
            for (row, rank) in rows {
                let segmentID: Int64 = row["segment_id"]
                guard seen.insert(segmentID).inserted else { continue }
                guard Self.passes(row, query, zone: zone) else { continue }
                let start: Double = row["start_seconds"]
                let end: Double = row["end_seconds"]
                let text = Self.matchedText(row, pattern)
                let score = -rank * pattern.exactBonus(in: text)
                hits.append((SearchHit(recordingID: row["recording_id"], sessionGuid: row["session_guid"], sessionTitle: row["session_title"],
                                       segmentTitle: row["segment_title"], startSeconds: start, endSeconds: end,
                                       url: "\(row["path"] as String)#t=\(Self.seconds(start)),\(Self.seconds(end))",
                                       snippet: "", score: (score * 1000).rounded() / 1000), text))
            }
            hits.sort { ($0.hit.score, $0.hit.recordingID, -$0.hit.startSeconds) > ($1.hit.score, $1.hit.recordingID, -$1.hit.startSeconds) }
            // Snippets only for what is returned: marking words is the costly part.
            return hits.prefix(limit).map { entry in
                var hit = entry.hit
                hit.snippet = pattern.snippet(entry.text)
                return hit
            }
        }
    }

    /// Facets of a query: counts of matching segments per topic, day, room and speaker.
    public func facets(_ query: SearchQuery) throws -> SearchFacets {
        guard let pattern = SearchPattern(query.text) else { return SearchFacets() }
        return try writer.read { db in
            let zone = try Self.zone(db)
            var facets = SearchFacets()
            var seen = Set<Int64>()
            for (row, _) in try Self.matches(pattern, db: db, limit: 5000) {
                guard seen.insert(row["segment_id"]).inserted, Self.passes(row, query, zone: zone) else { continue }
                for topic in (try? JSONText.decode(row["topics"] as String) as [String]) ?? [] { facets.topics[topic, default: 0] += 1 }
                for person in (try? JSONText.decode(row["persons"] as String) as [String]) ?? [] { facets.speakers[person, default: 0] += 1 }
                if let room = row["room"] as String? { facets.rooms[room, default: 0] += 1 }
                facets.days[ClockText.day(Date(timeIntervalSince1970: row["start"]), zone: zone), default: 0] += 1
            }
            return facets
        }
    }

    /// Above this many matching rows, BM25 would have to score them all; such queries (a word
    /// said in every talk) take the most recently indexed rows instead, so every query stays fast.
    static let rankingLimit = 4000

    /// The best `limit` rows for a pattern, with what a hit needs: FTS5 finds and ranks row ids
    /// alone first (no joins, no snippets); only those rows are then read and joined.
    static func matches(_ pattern: SearchPattern, db: Database, limit: Int) throws -> [(row: Row, rank: Double)] {
        let ranked = try estimatedMatches(pattern, db: db) <= rankingLimit
        let top = try Row.fetchAll(db, sql: "SELECT rowid, \(ranked ? "rank" : "0.0") AS rank FROM search WHERE search MATCH ? ORDER BY \(ranked ? "rank" : "rowid DESC") LIMIT \(limit)",
                                   arguments: [pattern.fts])
        guard !top.isEmpty else { return [] }
        var rank: [Int64: Double] = [:]
        for row in top { rank[row["rowid"]] = row["rank"] }
        let ids = top.map { "(\($0["rowid"] as Int64))" }.joined(separator: ",")
        let rows = try Row.fetchAll(db, sql: """
            WITH top(id) AS (VALUES \(ids))
            SELECT search.rowid AS rowid, search.recording_id, search.session_guid, search.segment_id,
                   search.session_title AS text_title, search.subtitle AS text_subtitle, search.abstract AS text_abstract,
                   search.speakers AS text_speakers, search.topics AS text_topics, search.segment_title AS text_segment,
                   search.transcript AS text_transcript,
                   segment.title AS segment_title, segment.start_seconds, segment.end_seconds,
                   session.title AS session_title, session.start, session.room, session.persons, session.topics, session.language,
                   recording.path
            FROM top
            JOIN search ON search.rowid = top.id
            JOIN segment ON segment.id = search.segment_id
            JOIN session ON session.guid = search.session_guid
            JOIN recording ON recording.id = search.recording_id
            WHERE recording.state = 'ok' AND session.do_not_record = 0
              AND EXISTS (SELECT 1 FROM link WHERE link.recording_id = recording.id AND link.session_guid = session.guid AND link.kind = 'link')
            """)
        return rows.map { (row: $0, rank: rank[$0["rowid"]] ?? 0) }
            .sorted { ($0.rank, -($0.row["start"] as Double)) < ($1.rank, -($1.row["start"] as Double)) }
    }

    /// The text of the row's best field that holds a term: transcript, segment title, title, ...
    static func matchedText(_ row: Row, _ pattern: SearchPattern) -> String {
        let fields = ["text_transcript", "text_segment", "text_title", "text_subtitle", "text_abstract", "text_speakers", "text_topics"]
        for field in fields {
            let text: String = row[field] ?? ""
            if !text.isEmpty && pattern.matches(text) { return text }
        }
        return fields.lazy.compactMap { (row[$0] as String?).flatMap { $0.isEmpty ? nil : $0 } }.first ?? ""
    }

    /// How many rows a query matches, counted up to `rankingLimit + 1` only: FTS5 walks the
    /// matches in rowid order without ranking them, so this stays cheap for any query.
    static func estimatedMatches(_ pattern: SearchPattern, db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT count(*) FROM (SELECT rowid FROM search WHERE search MATCH ? LIMIT \(rankingLimit + 1))",
                         arguments: [pattern.fts]) ?? 0
    }

    private static func passes(_ row: Row, _ query: SearchQuery, zone: TimeZone) -> Bool {
        if let topic = query.topic.map(TextMatch.fold), !topic.isEmpty {
            let topics = ((try? JSONText.decode(row["topics"] as String) as [String]) ?? []).map(TextMatch.fold)
            if !topics.contains(topic) { return false }
        }
        if let speaker = query.speaker.map(TextMatch.fold), !speaker.isEmpty {
            let persons = ((try? JSONText.decode(row["persons"] as String) as [String]) ?? []).map(TextMatch.fold)
            if !persons.contains(where: { $0.contains(speaker) }) { return false }
        }
        if let room = query.room.map(TextMatch.compact), !room.isEmpty {
            if TextMatch.compact((row["room"] as String?) ?? "") != room { return false }
        }
        if let language = LanguageCode.normalize(query.language) {
            if LanguageCode.normalize(row["language"] as String?) != language { return false }
        }
        if let day = query.day, !day.isEmpty {
            if ClockText.day(Date(timeIntervalSince1970: row["start"]), zone: zone) != day { return false }
        }
        return true
    }

    private static func zone(_ db: Database) throws -> TimeZone {
        let name = try String.fetchOne(db, sql: "SELECT time_zone FROM conference WHERE id = 1") ?? "Europe/Stockholm"
        return TimeZone(identifier: name) ?? TimeZone(identifier: "Europe/Stockholm")!
    }

    /// Seconds for a media fragment: `300`, `187.5` (to the millisecond, no trailing zeros).
    static func seconds(_ value: Double) -> String {
        let millis = Int((value * 1000).rounded())
        if millis % 1000 == 0 { return String(millis / 1000) }
        var text = String(format: "%d.%03d", millis / 1000, millis % 1000)
        while text.hasSuffix("0") { text.removeLast() }
        return text
    }
}

extension SearchQuery {
    var hasFilters: Bool {
        [topic, day, speaker, room, language].contains { $0.map { !$0.isEmpty } ?? false }
    }
}
