import Foundation
import GRDB

/// What an ingest still owes the index, kept in the index itself so that a run killed halfway
/// leaves a note for the next one. A recording saved by the probe stage has no links until the
/// link stage runs; a programme stored has links that point at the old one until then. The next
/// run sees unchanged files and an unchanged programme, and would skip linking: the note makes it
/// link anyway.
extension IndexDatabase {
    /// Notes, inside the caller's transaction, that links must be worked out again: written
    /// with every change that linking depends on, so the two commit together or not at all.
    static func oweRelink(db: Database) throws {
        try db.execute(sql: "INSERT OR REPLACE INTO ingest_note (key, value) VALUES ('relink', ?)", arguments: [UUID().uuidString])
    }

    // MARK: - Reads

    /// The note of an owed relink (changed whenever another change asks for one), or nil when
    /// the links are up to date with the recordings and the programme.
    public func owedRelink() throws -> String? {
        try writer.read { db in try String.fetchOne(db, sql: "SELECT value FROM ingest_note WHERE key = 'relink'") }
    }

    // MARK: - Writes

    /// Clears the note `token` once the relink that read it has written every recording; a
    /// change noted meanwhile has a new token and keeps its note.
    public func settleRelink(_ token: String) throws {
        try writer.write { db in
            try db.execute(sql: "DELETE FROM ingest_note WHERE key = 'relink' AND value = ?", arguments: [token])
        }
    }
}
