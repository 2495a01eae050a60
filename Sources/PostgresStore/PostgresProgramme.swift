import Foundation
import IndexStore
import PostgresNIO
import Schedule

/// The programme in the PostgreSQL store: stored by `efterhand ingest --schedule` (as in the
/// SQLite index) or copied by `efterhand gather`.
extension PostgresIndex {
    /// Stores a programme as `IndexDatabase.saveProgramme` does: sessions that left it stay,
    /// out of the programme, for the decisions that name them; every recording's search rows
    /// are built again with the sessions' texts. False (and nothing written) when the same
    /// programme was the last one stored.
    public func storeProgramme(_ programme: Programme) async throws -> Bool {
        let hash = IndexDatabase.programmeHash(programme)
        return try await transaction { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.linkLock))", logger: self.logger)
            var previous: String?
            for try await value in try await connection.query("SELECT programme_hash FROM conference WHERE id = 1", logger: self.logger).decode(String?.self) {
                previous = value
            }
            if previous == hash { return false }
            try await connection.query("UPDATE session SET in_programme = false WHERE in_programme", logger: self.logger)
            try await self.upsertProgramme(conference: programme.conference, sessions: programme.sessions, listed: Set(programme.sessions.map(\.guid)),
                                           hash: hash, on: connection)
            var recordings: [Int64] = []
            for try await id in try await connection.query("SELECT DISTINCT recording_id FROM segment ORDER BY recording_id", logger: self.logger).decode(Int64.self) {
                recordings.append(id)
            }
            for id in recordings { try await self.refreshSearch(recordingID: id, on: connection) }
            return true
        }
    }

    /// Writes the conference (with `hash`, the programme's, or none when it came from elsewhere)
    /// and `sessions`, those in `listed` marked as in the programme.
    /// The sessions in the programme now, in the caller's transaction, by start, room and guid.
    func programme(on connection: PostgresConnection) async throws -> [Session] {
        let decoder = JSONDecoder()
        var sessions: [Session] = []
        for try await document in try await connection.query("SELECT document::text FROM session WHERE in_programme ORDER BY start, room, guid",
                                                             logger: logger).decode(String.self) {
            if let session = try? decoder.decode(Session.self, from: Data(document.utf8)) { sessions.append(session) }
        }
        return sessions
    }

    func upsertProgramme(conference: Conference?, sessions: [Session], listed: Set<String>, hash: String?, on connection: PostgresConnection) async throws {
        func json<T: Encodable>(_ value: T) -> String { (try? JSONText.encode(value)) ?? "null" }
        if let conference {
            try await connection.query("""
                INSERT INTO conference (id, document, time_zone, programme_hash) VALUES (1, \(json(conference))::jsonb, \(conference.timeZone), \(hash))
                ON CONFLICT (id) DO UPDATE SET document = EXCLUDED.document, time_zone = EXCLUDED.time_zone, programme_hash = EXCLUDED.programme_hash
                """, logger: logger)
        }
        for start in stride(from: 0, to: sessions.count, by: 500) {
            let batch = sessions[start..<min(start + 500, sessions.count)]
            let guids = batch.map(\.guid), documents = batch.map { json($0) }, titles = batch.map(\.title)
            let starts = batch.map { $0.start.timeIntervalSince1970 }, rooms = batch.map { $0.room ?? "" }
            let languages = batch.map { $0.language ?? "" }, optedOut = batch.map(\.doNotRecord), inProgramme = batch.map { listed.contains($0.guid) }
            try await connection.query("""
                INSERT INTO session (guid, document, title, start, room, language, do_not_record, in_programme)
                SELECT guid, document::jsonb, title, start, NULLIF(room, ''), NULLIF(language, ''), opted_out, listed
                FROM unnest(\(guids)::text[], \(documents)::text[], \(titles)::text[], \(starts)::float8[], \(rooms)::text[],
                            \(languages)::text[], \(optedOut)::bool[], \(inProgramme)::bool[])
                     AS t(guid, document, title, start, room, language, opted_out, listed)
                ON CONFLICT (guid) DO UPDATE SET document = EXCLUDED.document, title = EXCLUDED.title, start = EXCLUDED.start,
                    room = EXCLUDED.room, language = EXCLUDED.language, do_not_record = EXCLUDED.do_not_record,
                    in_programme = EXCLUDED.in_programme
                """, logger: logger)
        }
    }
}
