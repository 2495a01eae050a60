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
    /// What the relink after the copy said (decisions that followed a session, or lost it).
    public var notes: [String] = []
}

/// `efterhand gather`: a municipality's SQLite index copied into the PostgreSQL store, the way a
/// national catalogue gathers every municipality's recordings. Its recordings go under a named
/// media root (by path inside the root's folder, so servers and workers that mount it elsewhere
/// agree); each recording is copied in one transaction (its links, segments, transcript and
/// search rows replaced whole), so a gather run again copies the index as it is now and a
/// server never sees half a recording. The programme comes along; decisions, chapters and the
/// audit log join the store's, and a session hidden or published by a person in the store stays
/// so (issue 23 part 5: what people decided on any machine survives). The store is then linked
/// again (`relink`), so that its decisions hold for what was copied.
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
        let chapterSets = try index.chapterSets()
        let stamps = try index.chapterSetStamps()
        let audit = try index.auditEntries()
        let listened = try index.listenedSpans()
        let captionSources = try index.captionSources()
        let pictures = Dictionary(grouping: try index.thumbnails().values, by: { String($0.key.prefix { $0 != "@" }) })
        func json<T: Encodable>(_ value: T) -> String { (try? JSONText.encode(value)) ?? "null" }

        try await transaction { connection in
            try await connection.query("INSERT INTO media_root (name) VALUES (\(name)) ON CONFLICT DO NOTHING", logger: self.logger)
            try await self.upsertProgramme(conference: conference, sessions: sessions, listed: current, hash: nil, on: connection)
            // What a person chose in the store (on a staff page of a server over it) stays.
            let guids = sessions.map(\.guid), hiddenFlags = sessions.map { hidden.contains($0.guid) }
            try await connection.query("""
                INSERT INTO publication (session_guid, hidden, who)
                SELECT guid, hidden, 'gather' FROM unnest(\(guids)::text[], \(hiddenFlags)::bool[]) AS t(guid, hidden)
                ON CONFLICT (session_guid) DO UPDATE SET hidden = EXCLUDED.hidden, at = now(), who = EXCLUDED.who
                WHERE publication.hidden IS DISTINCT FROM EXCLUDED.hidden AND publication.who = 'gather'
                """, logger: self.logger)
            // Decisions are a log: the index's join the store's (made on a staff page of a
            // server over the store, or gathered before), each once; none is taken away.
            for decision in decisions {
                try await connection.query("""
                    INSERT INTO decision (fingerprint, session_guid, action, in_seconds, out_seconds, path, decided_at)
                    VALUES (\(decision.fingerprint), \(decision.sessionGuid), \(decision.action.rawValue), \(decision.inSeconds),
                            \(decision.outSeconds), \(decision.path.map { name + "/" + $0 }), \(decision.decidedAt.timeIntervalSince1970))
                    ON CONFLICT DO NOTHING
                    """, logger: self.logger)
            }
            // A chapter set replaces the store's for its recording and session only when it is the later one.
            for (fingerprint, sets) in chapterSets {
                for (guid, chapters) in sets {
                    guard let stamp = stamps[fingerprint]?[guid] else { continue }
                    var storeAt: Double?
                    for try await at in try await connection.query("""
                        SELECT max(at) FROM chapter_set WHERE fingerprint = \(fingerprint) AND session_guid = \(guid)
                        """, logger: self.logger).decode(Double?.self) {
                        storeAt = at
                    }
                    if let storeAt, storeAt >= stamp.at { continue }
                    try await connection.query("DELETE FROM chapter_set WHERE fingerprint = \(fingerprint) AND session_guid = \(guid)", logger: self.logger)
                    let positions = Array(chapters.indices), starts = chapters.map(\.startSeconds), titles = chapters.map(\.title)
                    try await connection.query("""
                        INSERT INTO chapter_set (fingerprint, session_guid, position, start_seconds, title, at, who)
                        SELECT \(fingerprint), \(guid), position, start_seconds, title, \(stamp.at), \(stamp.who)
                        FROM unnest(\(positions)::int[], \(starts)::float8[], \(titles)::text[]) AS t(position, start_seconds, title)
                        """, logger: self.logger)
                }
            }
            for entry in audit { try await self.insertAudit(entry, on: connection) }
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
            let spans = try index.verifiedSpans(recordingID: id).flatMap { language, list in list.map { (language, $0.0, $0.1) } }
            let recordingLinks = links[id] ?? []
            var probe = recording.probe
            probe?.path = path
            let searchRows = try await transaction { connection -> Int? in
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
                guard let stored else { return nil }
                // Text a person checked in the store stays, with its cues; the index's text replaces the rest.
                var checkedHere: [String: [(Double, Double)]] = [:]
                for try await (language, start, end) in try await connection.query("""
                    SELECT language, start_seconds, end_seconds FROM verified_span WHERE recording_id = \(stored) AND made_in_store
                    """, logger: self.logger).decode((String, Double, Double).self) {
                    checkedHere[language, default: []].append((start, end))
                }
                try await connection.query("""
                    DELETE FROM cue WHERE recording_id = \(stored) AND NOT EXISTS (
                        SELECT 1 FROM verified_span AS span WHERE span.recording_id = cue.recording_id AND span.made_in_store
                            AND span.language = cue.language AND cue.start_seconds < span.end_seconds AND cue.end_seconds > span.start_seconds)
                    """, logger: self.logger)
                try await connection.query("DELETE FROM verified_span WHERE recording_id = \(stored) AND NOT made_in_store", logger: self.logger)
                let spans = spans.filter { span in !(checkedHere[span.0] ?? []).contains { span.1 < $0.1 && span.2 > $0.0 } }
                let cues = cues.filter { !IndexDatabase.touches($0.cue, checkedHere[$0.language] ?? []) }
                try await connection.query("DELETE FROM listened WHERE recording_id = \(stored)", logger: self.logger)
                if let signature = listened[id]?.signature {
                    try await connection.query("INSERT INTO listened (recording_id, signature) VALUES (\(stored), \(signature))", logger: self.logger)
                }
                // What each draft was made from: a span the index already transcribed is not heard again in the store.
                try await connection.query("DELETE FROM caption_source WHERE recording_id = \(stored)", logger: self.logger)
                let sources = (captionSources[id] ?? [:]).sorted { $0.key < $1.key }
                if !sources.isEmpty {
                    let names = sources.map(\.key), signatures = sources.map(\.value)
                    try await connection.query("""
                        INSERT INTO caption_source (recording_id, source, signature)
                        SELECT \(stored), source, signature FROM unnest(\(names)::text[], \(signatures)::text[]) AS t(source, signature)
                        """, logger: self.logger)
                }
                if !spans.isEmpty {
                    let languages = spans.map(\.0), starts = spans.map(\.1), ends = spans.map(\.2)
                    try await connection.query("""
                        INSERT INTO verified_span (recording_id, language, start_seconds, end_seconds)
                        SELECT \(stored), language, s, e FROM unnest(\(languages)::text[], \(starts)::float8[], \(ends)::float8[]) AS t(language, s, e)
                        """, logger: self.logger)
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
                // The pictures the index names, with the JPEGs it made: a picture the store made already stays.
                for picture in recording.fingerprint.flatMap({ pictures[$0] }) ?? [] {
                    let jpeg = index.folder.flatMap { folder in
                        FileManager.default.contents(atPath: (folder as NSString).appendingPathComponent(picture.file)).map { ByteBuffer(bytes: $0) }
                    }
                    try await connection.query("""
                        INSERT INTO thumbnail (key, file, width, height, time_seconds, source, jpeg, made_at)
                        VALUES (\(picture.key), \(picture.file), \(picture.width), \(picture.height), \(picture.time), \(picture.source), \(jpeg),
                                CASE WHEN \(jpeg)::bytea IS NULL THEN NULL ELSE now() END)
                        ON CONFLICT (key) DO UPDATE SET jpeg = EXCLUDED.jpeg, width = EXCLUDED.width, height = EXCLUDED.height,
                            time_seconds = EXCLUDED.time_seconds, source = EXCLUDED.source, made_at = EXCLUDED.made_at
                        WHERE thumbnail.jpeg IS NULL AND EXCLUDED.jpeg IS NOT NULL
                        """, logger: self.logger)
                }
                // Links and segments as the index has them, the search rows built from them (after the
                // cues); but a recording people decided on or cut in the store keeps the store's
                // meanwhile (the relink at the end applies every decision), so that no server shows
                // the index's links over a person's choice while the gather runs.
                var decided = false
                for try await found in try await connection.query("""
                    SELECT EXISTS (SELECT 1 FROM decision WHERE fingerprint = \(recording.fingerprint))
                        OR EXISTS (SELECT 1 FROM chapter_set WHERE fingerprint = \(recording.fingerprint))
                    """, logger: self.logger).decode(Bool.self) {
                    decided = found
                }
                if decided { return try await self.refreshSearch(recordingID: stored, on: connection) }
                return try await self.replaceLinks(recordingID: stored, links: recordingLinks, segments: segments, on: connection)
            } ?? 0
            summary.recordings += 1
            summary.segments += segments.count
            summary.cues += cues.count
            summary.searchRows += searchRows
        }
        let stale = try await run("""
            UPDATE recording SET state = 'missing', updated_at = now()
            WHERE media_root = \(name) AND state <> 'missing' AND NOT (path = ANY(\(Array(copied))))
            RETURNING id
            """)
        for try await _ in stale.decode(Int64.self) { summary.gone += 1 }
        // The store's own decisions and chapters (made over it, or gathered from another index)
        // apply to what was copied: linked again, as an ingest links after it probes.
        summary.notes = try await relink()
        progress(recordings.count, recordings.count)
        return summary
    }
}
