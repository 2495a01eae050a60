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
        try writer.write { db in
            try db.execute(sql: """
                INSERT INTO audit (at, who, action, fingerprint, recording_path, session_guid, before, after) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [entry.at.timeIntervalSince1970, entry.who, entry.action, entry.fingerprint, entry.recordingPath,
                                 entry.sessionGuid, entry.before, entry.after])
        }
    }

    /// The audit log, newest first: all of it, or what touched one session or one recording
    /// (by fingerprint).
    public func auditEntries(sessionGuid: String? = nil, fingerprint: String? = nil, limit: Int = 10_000) throws -> [AuditEntry] {
        try writer.read { db in
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
}
