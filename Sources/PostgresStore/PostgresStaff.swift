import Foundation
import IndexStore
import Linking
import MediaProbe
import PostgresNIO
import Pipeline
import Schedule

/// What people decide, in the PostgreSQL store (issue 23 part 5): links, chapters and
/// publication, each with its audit entry, in one transaction with the relink it starts (of the
/// decided recording alone when the last relink's answers still hold: `relinkDecided`). The
/// link lock makes two staff deciding at once on two servers take turns; a decision that carries
/// the state its maker saw (`seen`) and finds another is refused (`DecisionConflict`) instead of
/// undoing the first. The checks are the SQLite index's (`LinkStage.decision`, `LinkStage.checked`).
extension PostgresIndex {
    /// Records a person's decision about a recording (its id, or its media root and path as
    /// `root/path`) and a session (guid or slug), relinks, and keeps who decided in the audit
    /// log: as `LinkStage.decide` does in the SQLite index. Returns the recording as it is now.
    public func decide(_ action: Decision.Action, recording reference: String, session sessionReference: String?,
                       inSeconds: Double?, outSeconds: Double?, by who: String, seen: String?) async throws -> StoredRecording {
        try await transaction { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.linkLock))", logger: self.logger)
            guard let recording = try await self.recording(reference, on: connection) else {
                throw DecisionError(description: "no recording '\(reference)' in the store (give its id, or its media root and path)")
            }
            let id = recording.id ?? -1
            let links = try await self.links(recordingID: id, on: connection)
            if let seen, LinkState.token(status: recording.linkStatus, links: links) != seen {
                throw DecisionConflict(path: recording.path, last: try await self.auditEntries(fingerprint: recording.fingerprint, limit: 1, on: connection).first)
            }
            let session = try await sessionReference.asyncMap { reference -> (Session, inProgramme: Bool) in
                guard let found = try await self.session(guidOrSlug: reference, on: connection) else {
                    throw DecisionError(description: "no session '\(reference)' in the programme (give its guid or slug)")
                }
                return found
            }
            let decision = try LinkStage.decision(action, recording: recording, session: session, inSeconds: inSeconds, outSeconds: outSeconds)
            try await connection.query("""
                INSERT INTO decision (fingerprint, session_guid, action, in_seconds, out_seconds, path, decided_at)
                VALUES (\(decision.fingerprint), \(decision.sessionGuid), \(decision.action.rawValue), \(decision.inSeconds), \(decision.outSeconds),
                        \(decision.path), \(decision.decidedAt.timeIntervalSince1970))
                """, logger: self.logger)
            if try await !self.relinkDecided(fingerprint: decision.fingerprint, on: connection) { _ = try await self.relink(on: connection) }
            let after = try await self.recording(String(id), on: connection) ?? recording
            try await self.insertAudit(AuditEntry(who: who, action: action.rawValue, fingerprint: decision.fingerprint, recordingPath: recording.path,
                                                  sessionGuid: decision.sessionGuid, before: LinkState.json(status: recording.linkStatus, links: links),
                                                  after: LinkState.json(status: after.linkStatus, links: try await self.links(recordingID: id, on: connection))),
                                       on: connection)
            return after
        }
    }

    /// Sets (or with nil resets) a session's chapters in a recording, as `LinkStage.setChapters`
    /// does in the SQLite index; returns the session's segments as cut now.
    public func setChapters(_ chapters: [ManualChapter]?, recording reference: String, session sessionReference: String, by who: String) async throws -> [Segment] {
        try await transaction { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.linkLock))", logger: self.logger)
            guard let recording = try await self.recording(reference, on: connection), let id = recording.id else {
                throw ChapterError(description: "no recording '\(reference)' in the store (give its id, or its media root and path)")
            }
            guard let fingerprint = recording.fingerprint else {
                throw ChapterError(description: "recording '\(recording.path)' has no fingerprint (its file could not be read)")
            }
            guard let (session, _) = try await self.session(guidOrSlug: sessionReference, on: connection) else {
                throw ChapterError(description: "no session '\(sessionReference)' in the programme (give its guid or slug)")
            }
            guard let link = try await self.links(recordingID: id, on: connection).first(where: { $0.kind == .link && $0.sessionGuid == session.guid }) else {
                throw ChapterError(description: "'\(recording.path)' is not linked to '\(session.title)': accept the link first, then set its chapters")
            }
            let cleaned = try chapters.map { try LinkStage.checked($0, from: link.inSeconds, to: min(link.outSeconds, recording.duration ?? link.outSeconds)) }
            let before = try await self.segmentRows(where: "recording.id = \(id)", on: connection).filter { $0.sessionGuid == session.guid }
            try await connection.query("DELETE FROM chapter_set WHERE fingerprint = \(fingerprint) AND session_guid = \(session.guid)", logger: self.logger)
            if let cleaned, !cleaned.isEmpty {
                let positions = Array(cleaned.indices), starts = cleaned.map(\.startSeconds), titles = cleaned.map(\.title)
                try await connection.query("""
                    INSERT INTO chapter_set (fingerprint, session_guid, position, start_seconds, title, at, who)
                    SELECT \(fingerprint), \(session.guid), position, start_seconds, title, \(Date().timeIntervalSince1970), \(who)
                    FROM unnest(\(positions)::int[], \(starts)::float8[], \(titles)::text[]) AS t(position, start_seconds, title)
                    """, logger: self.logger)
            }
            if try await !self.relinkDecided(fingerprint: fingerprint, on: connection) { _ = try await self.relink(on: connection) }
            let after = try await self.segmentRows(where: "recording.id = \(id)", on: connection).filter { $0.sessionGuid == session.guid }
            try await self.insertAudit(AuditEntry(who: who, action: cleaned == nil ? "chapters-reset" : "chapters", fingerprint: fingerprint,
                                                  recordingPath: recording.path, sessionGuid: session.guid,
                                                  before: try LinkStage.chapterState(before), after: try LinkStage.chapterState(after)),
                                       on: connection)
            return after
        }
    }

    /// Hides a session (or publishes it again), kept in the audit log, as
    /// `IndexDatabase.setHidden` does; a session the programme marks do-not-record is never
    /// published (`PublicationError`).
    public func setHidden(_ hidden: Bool, sessionGuid reference: String, by who: String) async throws {
        try await transaction { connection in
            guard let (session, _) = try await self.session(guidOrSlug: reference, on: connection) else {
                throw PublicationError(description: "no session '\(reference)' in the programme (give its guid or slug)")
            }
            if !hidden, session.doNotRecord {
                throw PublicationError(description: "'\(session.title)' is marked do-not-record in the programme, so it is never published")
            }
            var before = false
            for try await value in try await connection.query("SELECT hidden FROM publication WHERE session_guid = \(session.guid) FOR UPDATE",
                                                               logger: self.logger).decode(Bool.self) {
                before = value
            }
            try await connection.query("""
                INSERT INTO publication (session_guid, hidden, who) VALUES (\(session.guid), \(hidden), \(who))
                ON CONFLICT (session_guid) DO UPDATE SET hidden = EXCLUDED.hidden, at = now(), who = EXCLUDED.who
                """, logger: self.logger)
            func state(_ hidden: Bool) -> String { hidden ? #"{"hidden":true}"# : #"{"hidden":false}"# }
            try await self.insertAudit(AuditEntry(who: who, action: hidden ? "hide" : "publish", fingerprint: nil, recordingPath: nil,
                                                  sessionGuid: session.guid, before: state(before), after: state(hidden)), on: connection)
        }
    }

    /// The audit log, newest first: all of it, or what touched one session or one recording.
    public func auditEntries(sessionGuid: String?, fingerprint: String?, limit: Int) async throws -> [AuditEntry] {
        try await transaction { connection in
            try await self.auditEntries(sessionGuid: sessionGuid, fingerprint: fingerprint, limit: limit, on: connection)
        }
    }

    func auditEntries(sessionGuid: String? = nil, fingerprint: String?, limit: Int, on connection: PostgresConnection) async throws -> [AuditEntry] {
        var entries: [AuditEntry] = []
        for try await row in try await connection.query("""
            SELECT id, at, who, action, fingerprint, recording_path, session_guid, before, after FROM audit
            WHERE (\(sessionGuid)::text IS NULL OR session_guid = \(sessionGuid)) AND (\(fingerprint)::text IS NULL OR fingerprint = \(fingerprint))
            ORDER BY id DESC LIMIT \(max(1, limit))
            """, logger: logger).decode((Int64, Double, String, String, String?, String?, String?, String, String).self) {
            var entry = AuditEntry(at: Date(timeIntervalSince1970: row.1), who: row.2, action: row.3, fingerprint: row.4, recordingPath: row.5,
                                   sessionGuid: row.6, before: row.7, after: row.8)
            entry.id = row.0
            entries.append(entry)
        }
        return entries
    }

    func insertAudit(_ entry: AuditEntry, on connection: PostgresConnection) async throws {
        try await connection.query("""
            INSERT INTO audit (at, who, action, fingerprint, recording_path, session_guid, before, after)
            VALUES (\(entry.at.timeIntervalSince1970), \(entry.who), \(entry.action), \(entry.fingerprint), \(entry.recordingPath),
                    \(entry.sessionGuid), \(entry.before), \(entry.after))
            ON CONFLICT DO NOTHING
            """, logger: logger)
    }

    /// A recording by id, or by `root/path`, its row locked until the transaction ends; its
    /// path is `root/path`, as the catalogue shows it.
    func recording(_ reference: String, on connection: PostgresConnection) async throws -> StoredRecording? {
        let id = Int64(reference) ?? -1
        let slash = reference.firstIndex(of: "/")
        let root = slash.map { String(reference[..<$0]) } ?? ""
        let path = slash.map { String(reference[reference.index(after: $0)...]) } ?? ""
        var found: StoredRecording?
        for try await row in try await connection.query("""
            SELECT id, media_root, path, fingerprint, size, mtime, state, probe::text, duration, link_status, recording_start, recording_start_source
            FROM recording WHERE id = \(id) OR (media_root = \(root) AND path = \(path)) ORDER BY id = \(id) DESC LIMIT 1 FOR UPDATE
            """, logger: logger).decode((Int64, String, String, String?, Int64?, Double?, String, String?, Double?, String, Double?, String?).self) {
            found = StoredRecording(id: row.0, path: row.1 + "/" + row.2, absolutePath: "", fingerprint: row.3, size: row.4, mtime: row.5,
                                    state: RecordingState(rawValue: row.6) ?? .failed,
                                    probe: row.7.flatMap { try? JSONDecoder().decode(ProbeResult.self, from: Data($0.utf8)) }, duration: row.8,
                                    linkStatus: LinkStatus(rawValue: row.9) ?? .unmatched, recordingStart: row.10.map(Date.init(timeIntervalSince1970:)),
                                    recordingStartSource: row.11.flatMap(StartSource.init(rawValue:)))
        }
        return found
    }

    /// A recording's links and candidates, in stored order.
    func links(recordingID: Int64, on connection: PostgresConnection) async throws -> [StoredLink] {
        var links: [StoredLink] = []
        for try await document in try await connection.query("SELECT document::text FROM link WHERE recording_id = \(recordingID) ORDER BY kind, position",
                                                               logger: logger).decode(String.self) {
            if let link = try? JSONDecoder().decode(StoredLink.self, from: Data(document.utf8)) { links.append(link) }
        }
        return links
    }

    /// A session by guid or slug, and whether it is in the programme now.
    func session(guidOrSlug reference: String, on connection: PostgresConnection) async throws -> (Session, inProgramme: Bool)? {
        var found: (Session, inProgramme: Bool)?
        for try await (document, listed) in try await connection.query("""
            SELECT document::text, in_programme FROM session WHERE guid = \(reference) OR document->>'slug' = \(reference)
            ORDER BY guid = \(reference) DESC, in_programme DESC LIMIT 1
            """, logger: logger).decode((String, Bool).self) {
            if let session = try? JSONDecoder().decode(Session.self, from: Data(document.utf8)) { found = (session, listed) }
        }
        return found
    }
}

extension Optional {
    /// `map` with an asynchronous transform.
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        switch self {
        case .some(let value): try await transform(value)
        case .none: nil
        }
    }
}
