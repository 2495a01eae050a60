import Captions
import Foundation
import GRDB

/// The search index as a static publish carries it (issue 22): every published search row with
/// what a hit needs, every token instance FTS5 indexed for those rows (its own tokenizer's
/// terms, columns and positions, read through `fts5vocab`), each row's token count and the
/// index's average, and the cues a hit lands on. Unpublished rows (opted out, hidden, not
/// linked) are left out: their text never reaches a public file.
public struct StaticSearchData: Sendable {
    public struct SearchRow: Sendable {
        public var rowid: Int64
        public var recordingID: Int64
        public var sessionGuid: String
        public var segmentID: Int64
        public var segmentTitle: String
        public var startSeconds: Double
        public var endSeconds: Double
        /// Tokens in the row, every column (FTS5's `xColumnSize(-1)`).
        public var size: Int
        /// The texts in the order a hit's snippet prefers them: transcript, segment title,
        /// session title, subtitle, abstract, speakers, topics.
        public var texts: [String]
    }

    public init() {}

    public var rows: [SearchRow] = []
    /// (term, rowid, column name, offset) of every token of the published rows.
    public var instances: [(term: String, rowid: Int64, column: String, offset: Int)] = []
    /// Tokens per row over the whole index (FTS5's `xColumnTotalSize(-1) / xRowCount`).
    public var averageLength: Double = 1
    /// Cues by recording, by start: where a hit lands (`saidAt`).
    public var cues: [Int64: [(start: Double, text: String)]] = [:]
    /// The ranking function's column weights, by column name (as `efterhand_rank` is given them).
    public static let columnWeights: [(column: String, weight: Double)] = {
        let names = ["kind", "recording_id", "session_guid", "segment_id", "session_title", "subtitle", "abstract", "speakers", "topics",
                     "segment_title", "transcript", "pairs"]
        let weights = IndexDatabase.columnWeights.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) ?? 0 }
        return Array(zip(names, weights).dropFirst(4)).map { (column: $0.0, weight: $0.1) }
    }()
    /// Rows ranked per query at most (see `IndexDatabase.ranked`).
    public static let rankingLimit = IndexDatabase.rankingLimit
}

extension IndexDatabase {
    /// The token instances of the `published` rows of the `search` table in `db`, as FTS5's own
    /// tokenizer made them (`fts5vocab`), each row's token count and the table's average.
    static func tokens(of published: Set<Int64>, into data: inout StaticSearchData, db: Database) throws {
        try db.execute(sql: "CREATE VIRTUAL TABLE IF NOT EXISTS temp.efterhand_search_instance USING fts5vocab(main, 'search', 'instance')")
        var sizes: [Int64: Int] = [:]
        var total = 0
        let instances = try Row.fetchCursor(db, sql: "SELECT term, doc, col, offset FROM temp.efterhand_search_instance")
        while let instance = try instances.next() {
            total += 1
            let rowid: Int64 = instance[1]
            guard published.contains(rowid) else { continue }
            sizes[rowid, default: 0] += 1
            data.instances.append((term: instance[0], rowid: rowid, column: instance[2], offset: instance[3]))
        }
        let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM search") ?? 0
        data.averageLength = count > 0 && total > 0 ? Double(total) / Double(count) : 1
        for index in data.rows.indices { data.rows[index].size = sizes[data.rows[index].rowid] ?? 0 }
    }

    /// The static search data of a store that is not SQLite (the PostgreSQL store): its search
    /// rows, made by `SearchDocument.rows` as both stores make them, put in a search table in
    /// memory made as the index's is, so that the browser's search reads the tokens of SQLite's
    /// own tokenizer, as from the index. `published` says which rows a public file may carry;
    /// `cues` are the published recordings' cues, by recording and time.
    public static func staticSearchData(documents: [SearchDocument], published: (SearchDocument) -> Bool,
                                        segments: [Int64: Segment], cues: [Int64: [(start: Double, text: String)]]) throws -> StaticSearchData {
        let memory = try DatabaseQueue()
        return try memory.write { db in
            try db.execute(sql: Migrations.searchTable)
            let insert = try db.makeStatement(sql: """
                INSERT INTO search (rowid, kind, recording_id, session_guid, segment_id, session_title, subtitle, abstract, speakers, topics, segment_title, transcript, pairs)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            var data = StaticSearchData()
            var shown = Set<Int64>()
            for (offset, document) in documents.enumerated() {
                let rowid = Int64(offset + 1)
                try insert.execute(arguments: StatementArguments([rowid, document.kind, document.recordingID, document.sessionGuid, document.segmentID] as [any DatabaseValueConvertible])
                    + StatementArguments(document.texts + [document.pairs]))
                guard published(document), let segment = segments[document.segmentID] else { continue }
                shown.insert(rowid)
                // The texts in the order a hit's snippet prefers them (see `SearchRow.texts`).
                data.rows.append(StaticSearchData.SearchRow(rowid: rowid, recordingID: document.recordingID, sessionGuid: document.sessionGuid,
                                                            segmentID: document.segmentID, segmentTitle: segment.title, startSeconds: segment.startSeconds,
                                                            endSeconds: segment.endSeconds, size: 0, texts: [6, 5, 0, 1, 2, 3, 4].map { document.texts[$0] }))
            }
            try tokens(of: shown, into: &data, db: db)
            let recordings = Set(data.rows.map(\.recordingID))
            data.cues = cues.filter { recordings.contains($0.key) }
            return data
        }
    }

    /// The static search data of the index's current state (see `StaticSearchData`).
    public func staticSearchData() throws -> StaticSearchData {
        try writer.read { db in
            var data = StaticSearchData()
            let rows = try Row.fetchAll(db, sql: """
                WITH top(id) AS (SELECT rowid FROM search_row)
                SELECT search.rowid, search.recording_id, search.session_guid, search.segment_id,
                       segment.title, segment.start_seconds, segment.end_seconds,
                       search.transcript, search.segment_title, search.session_title, search.subtitle, search.abstract, search.speakers, search.topics
                \(Self.publishedRows)
                ORDER BY search.rowid
                """)
            var published = Set<Int64>()
            for row in rows {
                let rowid: Int64 = row[0]
                published.insert(rowid)
                data.rows.append(StaticSearchData.SearchRow(rowid: rowid, recordingID: row[1], sessionGuid: row[2], segmentID: row[3], segmentTitle: row[4],
                                                            startSeconds: row[5], endSeconds: row[6], size: 0,
                                                            texts: (7..<14).map { (row[$0] as String?) ?? "" }))
            }
            try Self.tokens(of: published, into: &data, db: db)
            let recordings = Set(data.rows.map(\.recordingID))
            for cue in try Row.fetchAll(db, sql: "SELECT recording_id, start_seconds, text FROM cue ORDER BY recording_id, start_seconds, id") {
                let id: Int64 = cue[0]
                guard recordings.contains(id) else { continue }
                data.cues[id, default: []].append((start: cue[1], text: cue[2]))
            }
            return data
        }
    }
}

/// One search row with its texts, as both stores keep them (see `rows`; published or not: both
/// stores apply publication when they answer).
public struct SearchDocument: Sendable, Equatable {
    public var kind: String
    public var recordingID: Int64
    public var sessionGuid: String
    public var segmentID: Int64
    /// session title, subtitle, abstract, speakers, topics, segment title, transcript.
    public var texts: [String]
    /// Word pairs for SQLite's phrase search (`SearchPattern.pairs`), within each text and each cue.
    public var pairs = ""

    /// What a session row says of its session.
    public struct SessionTexts: Sendable, Equatable {
        public var title: String
        public var subtitle: String
        public var abstract: String
        public var persons: [String]
        public var topics: [String]

        public init(title: String, subtitle: String, abstract: String, persons: [String], topics: [String]) {
            self.title = title
            self.subtitle = subtitle
            self.abstract = abstract
            self.persons = persons
            self.topics = topics
        }
    }

    /// The search rows of one recording, as both stores keep them: for each session linked to
    /// it, a row of the session's texts (at its first segment), then a row per segment with
    /// its title and the text of the cues that lie mostly in it (see `segmentFor`).
    /// `segments` are the recording's, with ids, each with its session's texts (sessions
    /// that must not be recorded left out); `cues` in time order.
    public static func rows(recordingID: Int64, segments: [(segment: Segment, texts: SessionTexts)], cues: [Cue]) -> [SearchDocument] {
        let ordered = segments.sorted { ($0.segment.sessionGuid, $0.segment.startSeconds, $0.segment.position) < ($1.segment.sessionGuid, $1.segment.startSeconds, $1.segment.position) }
        let bounds = ordered.map(\.segment)
        var text: [Int64: [String]] = [:]
        for cue in cues {
            if let segment = IndexDatabase.segmentFor(cue, among: bounds), let id = segment.id { text[id, default: []].append(cue.text) }
        }
        var documents: [SearchDocument] = []
        var firstOfSession = Set<String>()
        for (segment, session) in ordered {
            guard let id = segment.id else { continue }
            if firstOfSession.insert(segment.sessionGuid).inserted {
                let texts = [session.title, session.subtitle, session.abstract, session.persons.joined(separator: ", "), session.topics.joined(separator: ", ")]
                documents.append(SearchDocument(kind: "session", recordingID: recordingID, sessionGuid: segment.sessionGuid, segmentID: id,
                                                texts: texts + ["", ""], pairs: SearchPattern.pairs(texts)))
            }
            let said = text[id] ?? []
            documents.append(SearchDocument(kind: "segment", recordingID: recordingID, sessionGuid: segment.sessionGuid, segmentID: id,
                                            texts: ["", "", "", "", "", segment.title, said.joined(separator: "\n")],
                                            pairs: SearchPattern.pairs([segment.title] + said)))
        }
        return documents
    }
}
