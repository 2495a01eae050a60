import Foundation
import GRDB

/// One change a person made to the index: who (`staff:anna`, `cli:root`, `api:admin`), when,
/// what (`accept`, `reject`, `unlink`, ...), of which recording (by fingerprint, with its path
/// then) and session, and the state before and after as JSON.
public struct AuditEntry: Sendable, Equatable, Codable {
    public var id: Int64?
    public var at: Date
    public var who: String
    public var action: String
    public var fingerprint: String?
    public var recordingPath: String?
    public var sessionGuid: String?
    public var before: String
    public var after: String

    public init(at: Date = Date(), who: String, action: String, fingerprint: String?, recordingPath: String?, sessionGuid: String?,
                before: String, after: String) {
        self.at = at
        self.who = who
        self.action = action
        self.fingerprint = fingerprint
        self.recordingPath = recordingPath
        self.sessionGuid = sessionGuid
        self.before = before
        self.after = after
    }

    enum CodingKeys: String, CodingKey {
        case id, at, who, action, fingerprint, recordingPath = "recording_path", sessionGuid = "session_guid", before, after
    }
}

extension IndexDatabase {
    /// Adds `entry` to the audit log.
    public func recordAudit(_ entry: AuditEntry) throws {
        try writer.write { db in try Self.insertAudit(entry, db: db) }
    }

    /// Inside the caller's transaction: adds `entry` to the audit log.
    static func insertAudit(_ entry: AuditEntry, db: Database) throws {
        try db.execute(sql: """
            INSERT INTO audit (at, who, action, fingerprint, recording_path, session_guid, before, after) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [entry.at.timeIntervalSince1970, entry.who, entry.action, entry.fingerprint, entry.recordingPath,
                             entry.sessionGuid, entry.before, entry.after])
    }

    /// The audit log, newest first: all of it, or what touched one session or one recording
    /// (by fingerprint).
    public func auditEntries(sessionGuid: String? = nil, fingerprint: String? = nil, limit: Int = 10_000) throws -> [AuditEntry] {
        try writer.read { db in try Self.auditEntries(sessionGuid: sessionGuid, fingerprint: fingerprint, limit: limit, db: db) }
    }

    static func auditEntries(sessionGuid: String? = nil, fingerprint: String? = nil, limit: Int, db: Database) throws -> [AuditEntry] {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if let sessionGuid {
            conditions.append("session_guid = ?")
            arguments += [sessionGuid]
        }
        if let fingerprint {
            conditions.append("fingerprint = ?")
            arguments += [fingerprint]
        }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        arguments += [max(1, limit)]
        return try Row.fetchAll(db, sql: "SELECT * FROM audit \(filter) ORDER BY id DESC LIMIT ?", arguments: arguments).map { row in
            var entry = AuditEntry(at: Date(timeIntervalSince1970: row["at"]), who: row["who"], action: row["action"], fingerprint: row["fingerprint"],
                                   recordingPath: row["recording_path"], sessionGuid: row["session_guid"], before: row["before"], after: row["after"])
            entry.id = row["id"]
            return entry
        }
    }
}

extension IndexDatabase {
    /// Hides a session from the feed, pages and search (`hidden`), or publishes it again, as
    /// `who` chose; kept by the session's guid through re-ingests and programme re-imports, and
    /// written to the audit log in the same transaction. An opted-out session is never
    /// published: that is the programme's to change, and asking throws `PublicationError`.
    /// `sessionGuid` may also be the session's slug.
    public func setHidden(_ hidden: Bool, sessionGuid reference: String, by who: String) throws {
        try writer.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT guid, title, do_not_record FROM session WHERE guid = ? OR slug = ? ORDER BY guid = ? DESC LIMIT 1",
                                             arguments: [reference, reference, reference]) else {
                throw PublicationError(description: "no session '\(reference)' in the programme (give its guid or slug)")
            }
            let sessionGuid: String = row["guid"]
            if !hidden, (row["do_not_record"] as Bool?) == true {
                throw PublicationError(description: "'\(row["title"] as String? ?? sessionGuid)' is marked do-not-record in the programme, so it is never published")
            }
            let before = try Bool.fetchOne(db, sql: "SELECT hidden FROM publication WHERE session_guid = ?", arguments: [sessionGuid]) ?? false
            try db.execute(sql: "INSERT OR REPLACE INTO publication (session_guid, hidden, at, who) VALUES (?, ?, ?, ?)",
                           arguments: [sessionGuid, hidden, Date().timeIntervalSince1970, who])
            try Self.insertAudit(AuditEntry(who: who, action: hidden ? "hide" : "publish", fingerprint: nil, recordingPath: nil, sessionGuid: sessionGuid,
                                            before: "{\"hidden\":\(before)}", after: "{\"hidden\":\(hidden)}"), db: db)
        }
    }

    /// The sessions a person hid.
    public func hiddenSessions() throws -> Set<String> {
        try writer.read { db in try Self.hiddenSessions(db) }
    }

    static func hiddenSessions(_ db: Database) throws -> Set<String> {
        Set(try String.fetchAll(db, sql: "SELECT session_guid FROM publication WHERE hidden = 1"))
    }
}

/// Why a session's publication could not be changed.
public struct PublicationError: Error, CustomStringConvertible {
    public var description: String

    public init(description: String) {
        self.description = description
    }
}
