import Foundation
import GRDB
import Schedule

/// What the facets of a search need to know of each search row, held in memory with the
/// catalogue of one commit (`IndexSnapshot.facetTable`): the published session it counts for
/// and its segment. With it, the facets of a query without filters are the matching rowids
/// looked up here, instead of a join of up to `facetLimit` rows with `search_row`, `session`,
/// `recording`, `link` and `publication` in SQL, which was half of each distinct search on
/// the 100,000-segment index (2.2 of 4 ms; issue 20). The counts are those of
/// `IndexDatabase.facetsBySession` (SearchTests compares them).
public struct SearchFacetTable: Sendable {
    struct Row: Sendable {
        /// Index into `sessions`.
        var session: Int32
        /// The row's segment; nil for a session's own row (title, abstract, speakers).
        var segment: Int64?
    }

    struct FacetSession: Sendable {
        var topics: [String]
        var persons: [String]
        var room: String?
        var day: String
    }

    /// Rows of published segments and sessions only, by rowid: a recording that was read, a
    /// session neither opted out nor hidden, and a link between them.
    var rows: [Int64: Row] = [:]
    var sessions: [FacetSession] = []

    /// The facets of the rows `matching` (rowids, the first `facetLimit` matches in index
    /// order): per published session, its distinct matching segments, counted for each of its
    /// topics and speakers, its room and its day.
    func facets(matching: [Int64]) -> SearchFacets {
        var counts: [Int32: Int] = [:]
        var segments = Set<Int64>()
        for id in matching {
            guard let row = rows[id] else { continue }
            let counted = row.segment.map { segments.insert($0).inserted } ?? false
            counts[row.session, default: 0] += counted ? 1 : 0
        }
        var facets = SearchFacets()
        for (index, count) in counts {
            let session = sessions[Int(index)]
            for topic in session.topics { facets.topics[topic, default: 0] += count }
            for person in session.persons { facets.speakers[person, default: 0] += count }
            if let room = session.room { facets.rooms[room, default: 0] += count }
            facets.days[session.day, default: 0] += count
        }
        return facets
    }
}

extension IndexDatabase {
    /// The facet table of the index as `db` sees it (inside the snapshot's read transaction).
    static func facetTable(_ db: Database) throws -> SearchFacetTable {
        let zone = try Self.zone(db)
        var table = SearchFacetTable()
        var sessionIndex: [String: Int32] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT guid, topics, persons, room, start FROM session
            WHERE do_not_record = 0 AND NOT EXISTS (SELECT 1 FROM publication WHERE publication.session_guid = session.guid AND publication.hidden = 1)
            """) {
            sessionIndex[row[0]] = Int32(table.sessions.count)
            table.sessions.append(SearchFacetTable.FacetSession(topics: SessionLists.decoded(row[1]), persons: SessionLists.decoded(row[2]), room: row[3],
                                                                day: ClockText.day(Date(timeIntervalSince1970: row[4]), zone: zone)))
        }
        // The sessions each recording that was read is linked to.
        var published: [Int64: Set<Int32>] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT link.recording_id, link.session_guid FROM link JOIN recording ON recording.id = link.recording_id
            WHERE link.kind = 'link' AND recording.state = 'ok'
            """) {
            if let session = sessionIndex[row[1]] { published[row[0], default: []].insert(session) }
        }
        let rows = try Row.fetchCursor(db, sql: "SELECT rowid, recording_id, session_guid, segment_id FROM search_row")
        while let row = try rows.next() {
            guard let guid = row[2] as String?, let session = sessionIndex[guid], published[row[1]]?.contains(session) == true else { continue }
            table.rows[row[0]] = SearchFacetTable.Row(session: session, segment: row[3])
        }
        return table
    }

    /// The facets of a query without filters from `table` (of the same commit as `db`): the
    /// first `facetLimit` matching rowids, looked up.
    static func facets(_ pattern: SearchPattern, table: SearchFacetTable, db: Database) throws -> SearchFacets {
        let statement = try db.cachedStatement(sql: "SELECT rowid FROM search WHERE search MATCH ? ORDER BY rowid LIMIT \(Self.facetLimit)")
        return table.facets(matching: try Int64.fetchAll(statement, arguments: [pattern.fts]))
    }
}
