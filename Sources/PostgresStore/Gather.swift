import Captions
import Foundation
import IndexStore
import Linking
import MediaProbe
import PostgresNIO
import Schedule

/// What `efterhand gather` copied.
public struct GatherSummary: Sendable, Equatable {
    public var sessions = 0
    public var recordings = 0
    public var segments = 0
    public var cues = 0
    public var searchRows = 0
    /// Recordings outside the media root's folder: not copied (named, with their path).
    public var outside: [String] = []
    /// Recordings of the root that the index no longer holds: marked missing in the store.
    public var gone = 0
}

/// `efterhand gather`: a municipality's SQLite index copied into the PostgreSQL store, the way a
/// national catalogue gathers every municipality's recordings. Its recordings go under a named
/// media root (by path inside the root's folder, so servers and workers that mount it elsewhere
/// agree); each recording is copied in one transaction (its links, segments, transcript and
/// search rows replaced whole), so a gather run again copies the index as it is now and a
/// server never sees half a recording. Decisions, hidden sessions and the programme come along.
extension PostgresIndex {
    public func gather(from index: IndexDatabase, root name: String, folder: String,
                       progress: (_ done: Int, _ total: Int) -> Void = { _, _ in }) async throws -> GatherSummary {
        guard MediaRootMap.isName(name) else { throw PostgresStoreError.worker("media root name '\(name)' is not a name (letters, digits, '.', '_', '-')") }
        guard let resolvedFolder = MediaFiles.resolved(folder) else { throw PostgresStoreError.worker("media root '\(name)': \(folder) is not there") }
        var summary = GatherSummary()
        let conference = try index.conference()
        let sessions = try index.sessions(includeRemoved: true)
        let current = Set(try index.sessions().map(\.guid))
        let hidden = try index.hiddenSessions()
        let decisions = try index.decisions()
        func json<T: Encodable>(_ value: T) -> String { (try? JSONText.encode(value)) ?? "null" }

        try await transaction { connection in
            try await connection.query("INSERT INTO media_root (name) VALUES (\(name)) ON CONFLICT DO NOTHING", logger: self.logger)
            if let conference {
                try await connection.query("""
                    INSERT INTO conference (id, document, time_zone) VALUES (1, \(json(conference))::jsonb, \(conference.timeZone))
                    ON CONFLICT (id) DO UPDATE SET document = EXCLUDED.document, time_zone = EXCLUDED.time_zone
                    """, logger: self.logger)
            }
            for start in stride(from: 0, to: sessions.count, by: 500) {
                let batch = sessions[start..<min(start + 500, sessions.count)]
                let guids = batch.map(\.guid), documents = batch.map { json($0) }, titles = batch.map(\.title)
                let starts = batch.map { $0.start.timeIntervalSince1970 }, rooms = batch.map { $0.room ?? "" }
                let languages = batch.map { $0.language ?? "" }, optedOut = batch.map(\.doNotRecord), listed = batch.map { current.contains($0.guid) }
                try await connection.query("""
                    INSERT INTO session (guid, document, title, start, room, language, do_not_record, in_programme)
                    SELECT guid, document::jsonb, title, start, NULLIF(room, ''), NULLIF(language, ''), opted_out, listed
                    FROM unnest(\(guids)::text[], \(documents)::text[], \(titles)::text[], \(starts)::float8[], \(rooms)::text[],
                                \(languages)::text[], \(optedOut)::bool[], \(listed)::bool[])
                         AS t(guid, document, title, start, room, language, opted_out, listed)
                    ON CONFLICT (guid) DO UPDATE SET document = EXCLUDED.document, title = EXCLUDED.title, start = EXCLUDED.start,
                        room = EXCLUDED.room, language = EXCLUDED.language, do_not_record = EXCLUDED.do_not_record,
                        in_programme = EXCLUDED.in_programme
                    """, logger: self.logger)
            }
            let guids = sessions.map(\.guid), hiddenFlags = sessions.map { hidden.contains($0.guid) }
            try await connection.query("""
                INSERT INTO publication (session_guid, hidden, who)
                SELECT guid, hidden, 'gather' FROM unnest(\(guids)::text[], \(hiddenFlags)::bool[]) AS t(guid, hidden)
                ON CONFLICT (session_guid) DO UPDATE SET hidden = EXCLUDED.hidden, at = now(), who = EXCLUDED.who
                WHERE publication.hidden IS DISTINCT FROM EXCLUDED.hidden
                """, logger: self.logger)
            let fingerprints = Array(Set(decisions.map(\.fingerprint)))
            try await connection.query("DELETE FROM decision WHERE fingerprint = ANY(\(fingerprints))", logger: self.logger)
            for decision in decisions {
                try await connection.query("""
                    INSERT INTO decision (fingerprint, session_guid, action, in_seconds, out_seconds, path, decided_at)
                    VALUES (\(decision.fingerprint), \(decision.sessionGuid), \(decision.action.rawValue), \(decision.inSeconds),
                            \(decision.outSeconds), \(decision.path), \(decision.decidedAt.timeIntervalSince1970))
                    """, logger: self.logger)
            }
        }
        summary.sessions = sessions.count

        let recordings = try index.recordings(includeMissing: true)
        let links = try index.links()
        var copied = Set<String>()
        let prefix = resolvedFolder.hasSuffix("/") ? resolvedFolder : resolvedFolder + "/"
        for (done, recording) in recordings.enumerated() {
            progress(done, recordings.count)
            let absolute = MediaFiles.resolved(recording.absolutePath) ?? recording.absolutePath
            guard let id = recording.id, absolute.hasPrefix(prefix) else {
                summary.outside.append(recording.path)
                continue
            }
            let path = String(absolute.dropFirst(prefix.count))
            copied.insert(path)
            let segments = try index.segments(recordingID: id)
            let cues = try index.cues(recordingID: id)
            let documents = try index.searchDocuments(recordingID: id)
            let spans = try index.verifiedSpans(recordingID: id).flatMap { language, list in list.map { (language, $0.0, $0.1) } }
            let recordingLinks = links[id] ?? []
            var probe = recording.probe
            probe?.path = path
            try await transaction { connection in
                let rows = try await connection.query("""
                    INSERT INTO recording (media_root, path, fingerprint, size, mtime, state, probe, error_code, error_message, duration,
                                           link_status, recording_start, recording_start_source)
                    VALUES (\(name), \(path), \(recording.fingerprint), \(recording.size), \(recording.mtime), \(recording.state.rawValue),
                            \(probe.map { json($0) })::jsonb, \(recording.errorCode), \(recording.errorMessage), \(recording.duration),
                            \(recording.linkStatus.rawValue), \(recording.recordingStart?.timeIntervalSince1970), \(recording.recordingStartSource?.rawValue))
                    ON CONFLICT (media_root, path) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, size = EXCLUDED.size, mtime = EXCLUDED.mtime,
                        state = EXCLUDED.state, probe = EXCLUDED.probe, error_code = EXCLUDED.error_code, error_message = EXCLUDED.error_message,
                        duration = EXCLUDED.duration, link_status = EXCLUDED.link_status, recording_start = EXCLUDED.recording_start,
                        recording_start_source = EXCLUDED.recording_start_source, updated_at = now()
                    RETURNING id
                    """, logger: self.logger)
                var stored: Int64?
                for try await value in rows.decode(Int64.self) { stored = value }
                guard let stored else { return }
                try await connection.query("DELETE FROM link WHERE recording_id = \(stored)", logger: self.logger)
                try await connection.query("DELETE FROM segment WHERE recording_id = \(stored)", logger: self.logger)
                try await connection.query("DELETE FROM cue WHERE recording_id = \(stored)", logger: self.logger)
                try await connection.query("DELETE FROM verified_span WHERE recording_id = \(stored)", logger: self.logger)
                if !spans.isEmpty {
                    let languages = spans.map(\.0), starts = spans.map(\.1), ends = spans.map(\.2)
                    try await connection.query("""
                        INSERT INTO verified_span (recording_id, language, start_seconds, end_seconds)
                        SELECT \(stored), language, s, e FROM unnest(\(languages)::text[], \(starts)::float8[], \(ends)::float8[]) AS t(language, s, e)
                        """, logger: self.logger)
                }
                if !recordingLinks.isEmpty {
                    let positions = Array(recordingLinks.indices), guids = recordingLinks.map(\.sessionGuid)
                    let kinds = recordingLinks.map(\.kind.rawValue), bodies = recordingLinks.map { json($0) }
                    try await connection.query("""
                        INSERT INTO link (recording_id, position, session_guid, kind, document)
                        SELECT \(stored), position, guid, kind, document::jsonb
                        FROM unnest(\(positions)::int[], \(guids)::text[], \(kinds)::text[], \(bodies)::text[]) AS t(position, guid, kind, document)
                        """, logger: self.logger)
                }
                // Segment ids are the store's own: the index's are mapped by session and position.
                var segmentIDs: [Int64: Int64] = [:]
                if !segments.isEmpty {
                    let guids = segments.map(\.sessionGuid), positions = segments.map(\.position)
                    let starts = segments.map(\.startSeconds), ends = segments.map(\.endSeconds), titles = segments.map(\.title)
                    let topics = segments.map { json($0.topics) }, sources = segments.map(\.source.rawValue)
                    let ordinals = Array(segments.indices)
                    let inserted = try await connection.query("""
                        INSERT INTO segment (recording_id, session_guid, position, start_seconds, end_seconds, title, topics, source)
                        SELECT \(stored), guid, position, start_seconds, end_seconds, title, topics::jsonb, source
                        FROM unnest(\(guids)::text[], \(positions)::int[], \(starts)::float8[], \(ends)::float8[], \(titles)::text[],
                                    \(topics)::text[], \(sources)::text[], \(ordinals)::int[])
                             AS t(guid, position, start_seconds, end_seconds, title, topics, source, ordinal)
                        ORDER BY ordinal
                        RETURNING id, session_guid, position, start_seconds
                        """, logger: self.logger)
                    var byPlace: [String: Int64] = [:]
                    for try await (segment, guid, position, start) in inserted.decode((Int64, String, Int, Double).self) {
                        byPlace["\(guid)\u{0}\(position)\u{0}\(start)"] = segment
                    }
                    for segment in segments {
                        if let old = segment.id, let new = byPlace["\(segment.sessionGuid)\u{0}\(segment.position)\u{0}\(segment.startSeconds)"] { segmentIDs[old] = new }
                    }
                }
                for start in stride(from: 0, to: cues.count, by: 2000) {
                    let batch = cues[start..<min(start + 2000, cues.count)]
                    let languages = batch.map(\.language), starts = batch.map(\.cue.start), ends = batch.map(\.cue.end)
                    let texts = batch.map(\.cue.text), sources = batch.map(\.source), statuses = batch.map(\.status.rawValue)
                    try await connection.query("""
                        INSERT INTO cue (recording_id, language, start_seconds, end_seconds, text, source, status)
                        SELECT \(stored), language, start_seconds, end_seconds, text, source, status
                        FROM unnest(\(languages)::text[], \(starts)::float8[], \(ends)::float8[], \(texts)::text[], \(sources)::text[], \(statuses)::text[])
                             AS t(language, start_seconds, end_seconds, text, source, status)
                        """, logger: self.logger)
                }
                let kept = documents.filter { segmentIDs[$0.segmentID] != nil }
                if !kept.isEmpty {
                    func column(_ index: Int) -> [String] { kept.map { $0.texts[index] } }
                    let kinds = kept.map(\.kind), guids = kept.map(\.sessionGuid), segmentsOf = kept.compactMap { segmentIDs[$0.segmentID] }
                    let folded = kept.map { TextMatch.fold($0.texts.joined(separator: "\n")) }
                    try await connection.query("""
                        INSERT INTO search_document (kind, recording_id, session_guid, segment_id, session_title, subtitle, abstract, speakers,
                                                     topics, segment_title, transcript, folded)
                        SELECT kind, \(stored), guid, segment_id, a, b, c, d, e, f, g, folded
                        FROM unnest(\(kinds)::text[], \(guids)::text[], \(segmentsOf)::int8[], \(column(0))::text[], \(column(1))::text[],
                                    \(column(2))::text[], \(column(3))::text[], \(column(4))::text[], \(column(5))::text[], \(column(6))::text[],
                                    \(folded)::text[])
                             AS t(kind, guid, segment_id, a, b, c, d, e, f, g, folded)
                        """, logger: self.logger)
                }
            }
            summary.recordings += 1
            summary.segments += segments.count
            summary.cues += cues.count
            summary.searchRows += documents.count
        }
        let stale = try await run("""
            UPDATE recording SET state = 'missing', updated_at = now()
            WHERE media_root = \(name) AND state <> 'missing' AND NOT (path = ANY(\(Array(copied))))
            RETURNING id
            """)
        for try await _ in stale.decode(Int64.self) { summary.gone += 1 }
        progress(recordings.count, recordings.count)
        return summary
    }
}
