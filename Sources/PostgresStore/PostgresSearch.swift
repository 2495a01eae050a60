import Foundation
import IndexStore
import Linking
import PostgresNIO
import Schedule

/// Search in PostgreSQL (issue 23 part 2): the same queries as the SQLite index answers, with
/// PostgreSQL's own full-text search. A row matches when one of these finds it:
/// - each word as a prefix (`innov` finds innovation), phrases in order, in `efterhand_simple`
///   (unaccent: å/ä/ö folded as SQLite's tokenizer folds them), as the SQLite index matches;
/// - `websearch_to_tsquery` of the text as typed in `efterhand_swedish` and `efterhand_english`
///   (stems: `kommunerna` finds kommun);
/// - every word of five letters or more inside the folded text, through the `pg_trgm` index
///   (`trafik` finds kollektivtrafiken, a compound SQLite's prefixes miss).
/// Ranked by `ts_rank` with the column weights in PostgreSQL's four classes, exact forms above
/// folded ones as in SQLite, then the latest sessions first; only published segments. As in
/// SQLite, a query that matches more rows than `rankingLimit` ranks the first it finds (a word
/// said in every talk would otherwise rank them all: 0.4 s a query at 100,000 segments).
extension PostgresIndex {
    /// The prefix query of a pattern in `efterhand_simple`'s syntax: each phrase's words in
    /// order (`<->`), the last word of four letters or more a prefix, all phrases required.
    /// Only letters and digits reach it (SearchPattern keeps nothing else), each quoted.
    static func prefixQuery(_ pattern: SearchPattern) -> String {
        pattern.phrases.map { phrase in
            let words = phrase.enumerated().map { index, word in
                "'" + word + "'" + (index == phrase.count - 1 && word.count >= 4 ? ":*" : "")
            }
            return words.count == 1 ? words[0] : "(" + words.joined(separator: " <-> ") + ")"
        }.joined(separator: " & ")
    }

    /// The `LIKE` patterns of the words long enough to be looked for inside compounds; empty
    /// when some word is shorter (then the prefixes and stems decide alone).
    static func infixPatterns(_ pattern: SearchPattern) -> [String] {
        let words = pattern.phrases.map { $0.joined(separator: " ") }
        guard words.allSatisfy({ $0.count >= 5 }) else { return [] }
        return words.map { "%" + $0 + "%" }
    }

    /// The pattern's phrases for `websearch_to_tsquery`: each quoted, all required, so that
    /// the stems widen what a word finds but not what the query means (no OR, no -word, as in
    /// the SQLite index).
    static func websearchText(_ pattern: SearchPattern) -> String {
        pattern.phrases.map { "\"" + $0.joined(separator: " ") + "\"" }.joined(separator: " ")
    }

    /// Rows ranked per query at most, as in the SQLite index (there the first in index order;
    /// here the first the scan meets, which for rows written in order is much the same).
    static let rankingLimit = 500

    public func search(_ query: SearchQuery, timeLimit: Duration? = nil) async throws -> [SearchHit] {
        try await searchWithFacets(query, timeLimit: timeLimit).hits
    }

    /// The hits and the facets of a query, from one state of the store (one transaction). The
    /// facets count the published segments among the ranked rows (at most `rankingLimit`; the
    /// SQLite index counts its first 5,000 matches). With `timeLimit`, PostgreSQL cancels the
    /// statement past it (`statement_timeout`) and the search throws `SearchTimeLimitExceeded`.
    public func searchWithFacets(_ query: SearchQuery, timeLimit: Duration? = nil) async throws -> (hits: [SearchHit], facets: SearchFacets) {
        guard let pattern = SearchPattern(query.text) else { return ([], SearchFacets()) }
        do {
            return try await transaction { connection in
                if let timeLimit {
                    let milliseconds = max(1, Int(timeLimit.components.seconds * 1000 + timeLimit.components.attoseconds / 1_000_000_000_000_000))
                    try await connection.query(PostgresQuery(unsafeSQL: "SET LOCAL statement_timeout = \(milliseconds)"), logger: self.logger)
                }
                return try await self.search(query, pattern, on: connection)
            }
        } catch let error as PostgresStoreError where error.description.contains("canceling statement due to statement timeout") {
            throw SearchTimeLimitExceeded(timeLimit: timeLimit ?? .zero)
        }
    }

    func search(_ query: SearchQuery, _ pattern: SearchPattern, on connection: PostgresConnection) async throws -> (hits: [SearchHit], facets: SearchFacets) {
        func run(_ sql: PostgresQuery) async throws -> PostgresRowSequence { try await connection.query(sql, logger: self.logger) }
        let limit = max(1, min(query.limit, 500))
        // One statement at a time on a connection: each read to its end before the next is sent
        // (a statement sent while another's rows wait makes both wait for ever).
        var zone = ConferenceZone.named(nil)
        for try await name in try await run("SELECT time_zone FROM conference WHERE id = 1").decode(String.self) { zone = ConferenceZone.named(name) }
        let prefix = Self.prefixQuery(pattern), infix = Self.infixPatterns(pattern), text = Self.websearchText(pattern)
        let rows = try await run("""
            WITH q AS (SELECT to_tsquery('efterhand_simple', \(prefix)) AS simple,
                              websearch_to_tsquery('efterhand_swedish', \(text)) AS sv,
                              websearch_to_tsquery('efterhand_english', \(text)) AS en),
            -- Each way of matching through its own index, at most `rankingLimit` rows each, read
            -- lazily, then the first `rankingLimit` distinct ones, prefixes first: one OR of the
            -- four made PostgreSQL read every row (720 ms for a rare word at 100,000 segments),
            -- and a UNION every match of a common word (335 ms); so 40 and 14 ms.
            found AS (
                SELECT id FROM (
                    (SELECT d.id, 1 AS way FROM search_document d, q WHERE d.doc_simple @@ q.simple LIMIT \(Self.rankingLimit))
                    UNION ALL (SELECT d.id, 2 FROM search_document d, q WHERE d.doc_swedish @@ q.sv LIMIT \(Self.rankingLimit))
                    UNION ALL (SELECT d.id, 3 FROM search_document d, q WHERE d.doc_english @@ q.en LIMIT \(Self.rankingLimit))
                    UNION ALL (SELECT d.id, 4 FROM search_document d
                               WHERE d.folded LIKE (\(infix)::text[])[1] AND d.folded LIKE ALL (\(infix)::text[]) LIMIT \(Self.rankingLimit))) AS ways
                GROUP BY id ORDER BY min(way), id LIMIT \(Self.rankingLimit)),
            -- Ranked apart, first: left to the planner, the joins below drove from every linked
            -- recording's rows to these (110,000 rows read for 500; 230 ms, 48 ms so).
            matched AS MATERIALIZED (
                SELECT d.id,
                       ts_rank('{0.1, 0.3, 0.6, 1.0}', d.doc_simple, q.simple, 1)
                       + 0.1 * ts_rank('{0.1, 0.3, 0.6, 1.0}', d.doc_swedish, q.sv, 1)
                       + 0.1 * ts_rank('{0.1, 0.3, 0.6, 1.0}', d.doc_english, q.en, 1)
                       + 0.001 AS rank
                FROM found JOIN search_document d ON d.id = found.id, q)
            SELECT d.id, d.recording_id, d.session_guid, d.segment_id, s.title, s.start_seconds, s.end_seconds,
                   se.title, se.start, se.room, (se.document -> 'persons')::text, (se.document -> 'topics')::text, se.language,
                   r.media_root || '/' || r.path,
                   d.transcript, d.segment_title, d.session_title, d.subtitle, d.abstract, d.speakers, d.topics, m.rank::float8
            FROM matched m
            JOIN search_document d ON d.id = m.id
            JOIN segment s ON s.id = d.segment_id
            JOIN session se ON se.guid = d.session_guid
            JOIN recording r ON r.id = d.recording_id
            WHERE r.state = 'ok' AND NOT se.do_not_record
              AND EXISTS (SELECT 1 FROM link WHERE link.recording_id = r.id AND link.session_guid = se.guid AND link.kind = 'link')
              AND NOT EXISTS (SELECT 1 FROM publication p WHERE p.session_guid = se.guid AND p.hidden)
            ORDER BY m.rank DESC, d.id
            """)
        var facets = SearchFacets()
        var hits: [(hit: SearchHit, text: String, start: Double)] = []
        var seen = Set<Int64>()
        for try await row in rows.decode((Int64, Int64, String, Int64, String, Double, Double, String, Double, String?, String, String, String?, String,
                                          String, String, String, String, String, String, String, Double).self) {
            guard seen.insert(row.3).inserted else { continue }
            let persons = row.10, topics = row.11
            guard query.admits(topics: { Self.list(topics) }, persons: { Self.list(persons) }, room: row.9, language: row.12,
                               sessionStart: row.8, zone: zone) else { continue }
            for topic in Self.list(topics) { facets.topics[topic, default: 0] += 1 }
            for person in Self.list(persons) { facets.speakers[person, default: 0] += 1 }
            if let room = row.9 { facets.rooms[room, default: 0] += 1 }
            facets.days[ClockText.day(Date(timeIntervalSince1970: row.8), zone: zone), default: 0] += 1
            let texts = [row.14, row.15, row.16, row.17, row.18, row.19, row.20]
            let text = texts.first { !$0.isEmpty && pattern.matches($0) } ?? texts.first { !$0.isEmpty } ?? ""
            let score = row.21 * pattern.exactBonus(in: text)
            hits.append((SearchHit(recordingID: row.1, sessionGuid: row.2, sessionTitle: row.7, segmentTitle: row.4, startSeconds: row.5,
                                   endSeconds: row.6, atSeconds: row.5, url: row.13, snippet: "", score: (score * 1000).rounded() / 1000),
                         text, row.8))
        }
        hits.sort { ($0.hit.score, $0.start, $0.hit.recordingID, -$0.hit.startSeconds) > ($1.hit.score, $1.start, $1.hit.recordingID, -$1.hit.startSeconds) }
        var answer: [SearchHit] = []
        for entry in hits.prefix(limit) {
            var hit = entry.hit
            hit.snippetParts = pattern.snippetParts(entry.text)
            hit.snippet = SearchPattern.html(hit.snippetParts)
            hit.atSeconds = try await saidAt(pattern, recordingID: hit.recordingID, from: hit.startSeconds, to: hit.endSeconds, on: connection) ?? hit.startSeconds
            hit.url += "#t=\(IndexDatabase.seconds(hit.atSeconds)),\(IndexDatabase.seconds(hit.endSeconds))"
            answer.append(hit)
        }
        return (answer, facets)
    }

    /// The start of the first cue in the stretch whose text holds the query's words.
    func saidAt(_ pattern: SearchPattern, recordingID: Int64, from: Double, to: Double, on connection: PostgresConnection) async throws -> Double? {
        let cues = try await connection.query("""
            SELECT start_seconds, text FROM cue WHERE recording_id = \(recordingID) AND start_seconds >= \(from) AND start_seconds < \(to)
            ORDER BY start_seconds, id
            """, logger: logger)
        // Read to the end: a row sequence left half read keeps the connection (and the
        // transaction's next statement) waiting.
        var first: Double?
        for try await (start, text) in cues.decode((Double, String).self) where first == nil && pattern.matches(text) { first = start }
        return first
    }

    static func list(_ json: String) -> [String] {
        (try? JSONText.decode(json) as [String]) ?? []
    }
}
