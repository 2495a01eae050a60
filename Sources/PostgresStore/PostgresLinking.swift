import Captions
import Foundation
import IndexStore
import Linking
import MediaProbe
import PostgresNIO
import Pipeline
import Schedule

/// Linking in the PostgreSQL store (issue 23 parts 3 and 5): the same plan as the SQLite index's
/// (`LinkStage.plan` over the same `LinkInputs`), read and written in one transaction that holds
/// the store's link lock, so that relinks and the decisions that start them run one at a time
/// across every machine and each sees the last one's result.
extension PostgresIndex {
    /// The advisory lock key that linking holds ("eftrlink" as 8 bytes).
    static let linkLock: Int64 = 0x6566_7472_6c69_6e6b

    /// Links every present recording to the stored programme, applies the decisions, cuts
    /// segments, names the segments cut in even parts, and writes what changed, as
    /// `LinkStage.relink` does; returns its lines for a summary.
    @discardableResult
    public func relink(segmentMinutes: Double = 5) async throws -> [String] {
        try await transaction { connection in try await self.relink(on: connection, segmentMinutes: segmentMinutes).notes }
    }

    /// Inside the caller's transaction: takes the link lock (held until it ends), then relinks.
    func relink(on connection: PostgresConnection, segmentMinutes: Double = 5) async throws -> LinkPlan {
        try await connection.query("SELECT pg_advisory_xact_lock(\(Self.linkLock))", logger: logger)
        // Copies of one file at several paths, as the SQLite ingest's duplicate stage marks them:
        // every present recording with the fingerprint of an older one (the smallest id) is its copy.
        try await connection.query("""
            UPDATE recording SET duplicate_of = copies.original
            FROM (SELECT id, CASE WHEN count(*) OVER same > 1 AND id <> min(id) OVER same THEN min(id) OVER same END AS original
                  FROM recording WHERE state <> 'missing' AND fingerprint IS NOT NULL WINDOW same AS (PARTITION BY fingerprint)) AS copies
            WHERE recording.id = copies.id AND recording.duplicate_of IS DISTINCT FROM copies.original
            """, logger: logger)
        let inputs = try await linkInputs(connection)
        let plan = LinkStage.plan(inputs, segmentMinutes: segmentMinutes)
        for move in plan.moves {
            try await connection.query("UPDATE decision SET session_guid = \(move.to) WHERE session_guid = \(move.from)", logger: logger)
            // A person's chapters follow too, unless the new session has its own for that recording.
            try await connection.query("""
                DELETE FROM chapter_set WHERE session_guid = \(move.from)
                    AND fingerprint IN (SELECT fingerprint FROM chapter_set WHERE session_guid = \(move.to))
                """, logger: logger)
            try await connection.query("UPDATE chapter_set SET session_guid = \(move.to) WHERE session_guid = \(move.from)", logger: logger)
        }
        try await write(plan, inputs: inputs, segmentMinutes: segmentMinutes, recordingIDs: nil, on: connection)
        try await keepProposals(plan.proposals, on: connection)
        return plan
    }

    /// Inside the caller's transaction: takes the link lock, then applies the decisions on the
    /// recordings of `fingerprint` to the linker's answers the last relink kept, as the SQLite
    /// index's `LinkStage.relinkDecided` does: the same writes as a relink of every recording,
    /// without linking the others again. False, and nothing written, when a relink of every
    /// recording is needed instead: a link job waits (something changed since the last), or the
    /// kept answers cannot stand for one (`LinkStage.planDecided`).
    func relinkDecided(fingerprint: String, on connection: PostgresConnection, segmentMinutes: Double = 5) async throws -> Bool {
        try await connection.query("SELECT pg_advisory_xact_lock(\(Self.linkLock))", logger: logger)
        for try await _ in try await connection.query("SELECT 1 FROM job WHERE kind = 'link' AND state = 'queued' LIMIT 1", logger: logger).decode(Int.self) {
            return false
        }
        let inputs = try await linkInputs(connection, fingerprint: fingerprint)
        let ids = inputs.recordings.compactMap(\.id)
        var proposals: [Int64: LinkProposal] = [:]
        for try await (id, text) in try await connection.query("""
            SELECT recording_id, proposal FROM link_proposal WHERE recording_id = ANY(\(ids))
            """, logger: logger).decode((Int64, String).self) {
            proposals[id] = LinkProposal(json: text)
        }
        guard let plan = LinkStage.planDecided(inputs, proposals: proposals, segmentMinutes: segmentMinutes) else { return false }
        try await write(plan, inputs: inputs, segmentMinutes: segmentMinutes, recordingIDs: ids, on: connection)
        return true
    }

    /// Writes a plan's saves, names the segments cut again, and plans the pictures and speech
    /// work that follow from the links now, for every recording or only `recordingIDs`.
    private func write(_ plan: LinkPlan, inputs: LinkInputs, segmentMinutes: Double, recordingIDs: [Int64]?, on connection: PostgresConnection) async throws {
        for save in plan.saves {
            try await connection.query("""
                UPDATE recording SET link_status = \(save.status.rawValue), recording_start = \(save.start?.timeIntervalSince1970),
                    recording_start_source = \(save.startSource?.rawValue), updated_at = now()
                WHERE id = \(save.recordingID)
                """, logger: logger)
            try await replaceLinks(recordingID: save.recordingID, links: save.links, segments: save.segments, on: connection)
        }
        // Names come from every segment's text (a word common to every talk names none), so all are read.
        if !plan.saves.isEmpty { try await nameSegments(on: connection) }
        // Pictures named for what is linked now, and spans linked now (or not drafted yet), go to
        // the workers that make and hear them.
        try await planThumbnails(on: connection, recordingIDs: recordingIDs)
        try await enqueueSpeech(inputs, plan: plan, segmentMinutes: segmentMinutes, recordingIDs: recordingIDs, on: connection)
    }

    /// Keeps the linker's answers a relink made (`LinkProposal.json`, by recording id), writing
    /// only the ones that changed.
    private func keepProposals(_ proposals: [Int64: String], on connection: PostgresConnection) async throws {
        guard !proposals.isEmpty else { return }
        let ids = proposals.keys.sorted(), texts = ids.map { proposals[$0] ?? "" }
        try await connection.query("""
            INSERT INTO link_proposal (recording_id, proposal) SELECT id, proposal FROM unnest(\(ids)::int8[], \(texts)::text[]) AS t(id, proposal)
            ON CONFLICT (recording_id) DO UPDATE SET proposal = excluded.proposal WHERE link_proposal.proposal IS DISTINCT FROM excluded.proposal
            """, logger: logger)
    }

    /// Everything linking reads, in the caller's transaction (see `LinkInputs`); with
    /// `fingerprint`, what a decision on its recordings needs (`relinkDecided`): those recordings,
    /// with their decisions, links, segments, chapters and what was heard, and the whole programme.
    func linkInputs(_ connection: PostgresConnection, fingerprint: String? = nil) async throws -> LinkInputs {
        let everything = fingerprint == nil, only = fingerprint ?? ""
        let decoder = JSONDecoder()
        func rows(_ query: PostgresQuery) async throws -> PostgresRowSequence { try await connection.query(query, logger: logger) }
        var all: [Session] = [], current: [Session] = []
        for try await (document, listed) in try await rows("SELECT document::text, in_programme FROM session ORDER BY start, room NULLS FIRST, guid")
            .decode((String, Bool).self) {
            guard let session = try? decoder.decode(Session.self, from: Data(document.utf8)) else { continue }
            all.append(session)
            if listed { current.append(session) }
        }
        var timeZone: String?
        for try await zone in try await rows("SELECT time_zone FROM conference WHERE id = 1").decode(String.self) { timeZone = zone }
        var recordings: [StoredRecording] = []
        for try await row in try await rows("""
            SELECT id, path, fingerprint, size, mtime, probe::text, duration, link_status, recording_start, recording_start_source
            FROM recording WHERE state = 'ok' AND probe IS NOT NULL AND (\(everything) OR fingerprint = \(only)) ORDER BY media_root, path
            """).decode((Int64, String, String?, Int64?, Double?, String, Double?, String, Double?, String?).self) {
            guard let probe = try? decoder.decode(ProbeResult.self, from: Data(row.5.utf8)) else { continue }
            // The path inside its media root, as the SQLite index keeps it: the linker reads clues in it.
            recordings.append(StoredRecording(id: row.0, path: row.1, absolutePath: "", fingerprint: row.2, size: row.3, mtime: row.4, state: .ok,
                                              probe: probe, duration: row.6, linkStatus: LinkStatus(rawValue: row.7) ?? .unmatched,
                                              recordingStart: row.8.map(Date.init(timeIntervalSince1970:)),
                                              recordingStartSource: row.9.flatMap(StartSource.init(rawValue:))))
        }
        let ids = recordings.compactMap(\.id)
        var listened: [Int64: ListenedSpans] = [:]
        for try await (id, signature) in try await rows("""
            SELECT recording_id, signature FROM listened WHERE \(everything) OR recording_id = ANY(\(ids))
            """).decode((Int64, String).self) {
            listened[id] = ListenedSpans(signature: signature)
        }
        var heard: [Int64: [Cue]] = [:]
        if !listened.isEmpty {
            for try await (id, start, end, text) in try await rows("""
                SELECT recording_id, start_seconds, end_seconds, text FROM cue WHERE recording_id = ANY(\(Array(listened.keys)))
                ORDER BY recording_id, start_seconds, id
                """).decode((Int64, Double, Double, String).self) where listened[id]?.contains(start) == true {
                heard[id, default: []].append(Cue(start: start, end: end, text: text))
            }
        }
        var decisions: [Decision] = []
        for try await row in try await rows("""
            SELECT fingerprint, session_guid, action, in_seconds, out_seconds, path, decided_at FROM decision
            WHERE \(everything) OR fingerprint = \(only) ORDER BY decided_at, id
            """).decode((String, String?, String, Double?, Double?, String?, Double).self) {
            guard let action = Decision.Action(rawValue: row.2) else { continue }
            decisions.append(Decision(fingerprint: row.0, sessionGuid: row.1, action: action, inSeconds: row.3, outSeconds: row.4, path: row.5,
                                      decidedAt: Date(timeIntervalSince1970: row.6)))
        }
        var links: [Int64: [StoredLink]] = [:]
        for try await (id, document) in try await rows("""
            SELECT recording_id, document::text FROM link WHERE \(everything) OR recording_id = ANY(\(ids)) ORDER BY recording_id, kind, position
            """)
            .decode((Int64, String).self) {
            if let link = try? decoder.decode(StoredLink.self, from: Data(document.utf8)) { links[id, default: []].append(link) }
        }
        var segments: [Int64: [Segment]] = [:]
        let picked = everything ? "true" : "segment.recording_id = ANY(ARRAY[\(ids.map(String.init).joined(separator: ", "))]::int8[])"
        for segment in try await segmentRows(where: picked, on: connection) { segments[segment.recordingID ?? -1, default: []].append(segment) }
        var chapterSets: [String: [String: [ManualChapter]]] = [:]
        for try await (fingerprint, guid, start, title) in try await rows("""
            SELECT fingerprint, session_guid, start_seconds, title FROM chapter_set WHERE \(everything) OR fingerprint = \(only)
            ORDER BY fingerprint, session_guid, position
            """).decode((String, String, Double, String).self) {
            chapterSets[fingerprint, default: [:]][guid, default: []].append(ManualChapter(startSeconds: start, title: title))
        }
        return LinkInputs(sessions: current, allSessions: all, timeZone: timeZone, recordings: recordings, heard: heard, decisions: decisions,
                          links: links, segments: segments, chapterSets: chapterSets)
    }

    /// The segments of the recordings `condition` (SQL on `segment` and `recording`) picks, in
    /// recording, then time order.
    func segmentRows(where condition: String, on connection: PostgresConnection) async throws -> [Segment] {
        var segments: [Segment] = []
        for try await row in try await connection.query(PostgresQuery(unsafeSQL: """
            SELECT segment.id, segment.recording_id, segment.session_guid, segment.position, segment.start_seconds, segment.end_seconds,
                   segment.title, segment.topics::text, segment.source
            FROM segment JOIN recording ON recording.id = segment.recording_id WHERE \(condition)
            ORDER BY segment.recording_id, segment.start_seconds, segment.position
            """), logger: logger).decode((Int64, Int64, String, Int, Double, Double, String, String, String).self) {
            segments.append(Segment(id: row.0, recordingID: row.1, sessionGuid: row.2, position: row.3, startSeconds: row.4, endSeconds: row.5,
                                    title: row.6, topics: Self.list(row.7), source: Segment.Source(rawValue: row.8) ?? .session))
        }
        return segments
    }

    /// Replaces a recording's links and segments, and its search rows with them; returns how
    /// many search rows it has now.
    @discardableResult
    func replaceLinks(recordingID: Int64, links: [StoredLink], segments: [Segment], on connection: PostgresConnection) async throws -> Int {
        try await connection.query("DELETE FROM link WHERE recording_id = \(recordingID)", logger: logger)
        // Its search rows go with the segments (ON DELETE CASCADE).
        try await connection.query("DELETE FROM segment WHERE recording_id = \(recordingID)", logger: logger)
        if !links.isEmpty {
            let positions = Array(links.indices), guids = links.map(\.sessionGuid), kinds = links.map(\.kind.rawValue)
            let documents = links.map { (try? JSONText.encode($0)) ?? "null" }
            try await connection.query("""
                INSERT INTO link (recording_id, position, session_guid, kind, document)
                SELECT \(recordingID), position, guid, kind, document::jsonb
                FROM unnest(\(positions)::int[], \(guids)::text[], \(kinds)::text[], \(documents)::text[]) AS t(position, guid, kind, document)
                """, logger: logger)
        }
        if !segments.isEmpty {
            let guids = segments.map(\.sessionGuid), positions = segments.map(\.position), starts = segments.map(\.startSeconds)
            let ends = segments.map(\.endSeconds), titles = segments.map(\.title), sources = segments.map(\.source.rawValue)
            let topics = segments.map { (try? JSONText.encode($0.topics)) ?? "[]" }, ordinals = Array(segments.indices)
            try await connection.query("""
                INSERT INTO segment (recording_id, session_guid, position, start_seconds, end_seconds, title, topics, source)
                SELECT \(recordingID), guid, position, start_seconds, end_seconds, title, topics::jsonb, source
                FROM unnest(\(guids)::text[], \(positions)::int[], \(starts)::float8[], \(ends)::float8[], \(titles)::text[],
                            \(topics)::text[], \(sources)::text[], \(ordinals)::int[])
                     AS t(guid, position, start_seconds, end_seconds, title, topics, source, ordinal)
                ORDER BY ordinal
                """, logger: logger)
        }
        return try await refreshSearch(recordingID: recordingID, on: connection)
    }

    /// `efterhand reindex --database`: every search row made again from the stored segments,
    /// sessions and cues, in one transaction under the link lock (no relink writes rows
    /// meanwhile); returns how many rows there are now.
    public func rebuildSearch() async throws -> Int {
        try await transaction { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.linkLock))", logger: self.logger)
            try await connection.query("DELETE FROM search_document", logger: self.logger)
            var ids: [Int64] = []
            for try await id in try await connection.query("SELECT id FROM recording ORDER BY id", logger: self.logger).decode(Int64.self) { ids.append(id) }
            var rows = 0
            for id in ids { rows += try await self.refreshSearch(recordingID: id, on: connection) }
            return rows
        }
    }

    /// Rebuilds a recording's search rows from its segments, their sessions and its cues, by
    /// the same rules as the SQLite index (`SearchDocument.rows`); returns how many rows.
    @discardableResult
    func refreshSearch(recordingID: Int64, on connection: PostgresConnection) async throws -> Int {
        try await connection.query("DELETE FROM search_document WHERE recording_id = \(recordingID)", logger: logger)
        let decoder = JSONDecoder()
        var segments: [(segment: Segment, texts: SearchDocument.SessionTexts)] = []
        for try await row in try await connection.query("""
            SELECT segment.id, segment.session_guid, segment.position, segment.start_seconds, segment.end_seconds, segment.title, session.document::text
            FROM segment JOIN session ON session.guid = segment.session_guid
            WHERE segment.recording_id = \(recordingID) AND NOT session.do_not_record
            """, logger: logger).decode((Int64, String, Int, Double, Double, String, String).self) {
            guard let session = try? decoder.decode(Session.self, from: Data(row.6.utf8)) else { continue }
            segments.append((Segment(id: row.0, recordingID: recordingID, sessionGuid: row.1, position: row.2, startSeconds: row.3, endSeconds: row.4,
                                     title: row.5, topics: [], source: .session),
                             SearchDocument.SessionTexts(title: session.title, subtitle: session.subtitle ?? "", abstract: session.abstract ?? "",
                                                         persons: session.persons, topics: session.topics)))
        }
        guard !segments.isEmpty else { return 0 }
        var cues: [Cue] = []
        for try await (start, end, text) in try await connection.query("""
            SELECT start_seconds, end_seconds, text FROM cue WHERE recording_id = \(recordingID) ORDER BY start_seconds, id
            """, logger: logger).decode((Double, Double, String).self) {
            cues.append(Cue(start: start, end: end, text: text))
        }
        let documents = SearchDocument.rows(recordingID: recordingID, segments: segments, cues: cues)
        guard !documents.isEmpty else { return 0 }
        func column(_ index: Int) -> [String] { documents.map { $0.texts[index] } }
        let kinds = documents.map(\.kind), guids = documents.map(\.sessionGuid), segmentIDs = documents.map(\.segmentID)
        let folded = documents.map { TextMatch.fold($0.texts.joined(separator: "\n")) }
        try await connection.query("""
            INSERT INTO search_document (kind, recording_id, session_guid, segment_id, session_title, subtitle, abstract, speakers,
                                         topics, segment_title, transcript, folded)
            SELECT kind, \(recordingID), guid, segment_id, a, b, c, d, e, f, g, folded
            FROM unnest(\(kinds)::text[], \(guids)::text[], \(segmentIDs)::int8[], \(column(0))::text[], \(column(1))::text[],
                        \(column(2))::text[], \(column(3))::text[], \(column(4))::text[], \(column(5))::text[], \(column(6))::text[],
                        \(folded)::text[])
                 AS t(kind, guid, segment_id, a, b, c, d, e, f, g, folded)
            """, logger: logger)
        return documents.count
    }

    /// Names the even segments of present recordings from their transcripts, as the SQLite
    /// index does after a relink (`SegmentNamer`), and brings the renamed recordings' search
    /// rows up to date.
    func nameSegments(on connection: PostgresConnection) async throws {
        var segments: [Int64: [Segment]] = [:]
        for segment in try await segmentRows(where: "recording.state = 'ok'", on: connection) {
            segments[segment.recordingID ?? -1, default: []].append(segment)
        }
        var cues: [Int64: [Cue]] = [:]
        for try await (id, start, end, text) in try await connection.query("""
            SELECT recording_id, start_seconds, end_seconds, text FROM cue ORDER BY recording_id, start_seconds, id
            """, logger: logger).decode((Int64, Double, Double, String).self) {
            cues[id, default: []].append(Cue(start: start, end: end, text: text))
        }
        let changes = SegmentNamer().renames(SegmentText.assign(segments: segments, cues: cues))
        guard !changes.isEmpty else { return }
        let ids = Array(changes.keys), titles = ids.map { changes[$0] ?? "" }
        var renamed = Set<Int64>()
        for try await recording in try await connection.query("""
            UPDATE segment SET title = t.title FROM unnest(\(ids)::int8[], \(titles)::text[]) AS t(id, title)
            WHERE segment.id = t.id RETURNING segment.recording_id
            """, logger: logger).decode(Int64.self) {
            renamed.insert(recording)
        }
        for recording in renamed.sorted() { try await refreshSearch(recordingID: recording, on: connection) }
    }
}
