import Foundation
import GRDB

/// The media roots: the resolved folders (and files) that ingests were given with `--media`,
/// and the targets of links followed with `--follow-symlinks`. The server serves a recording's
/// file only when its resolved path, looked up at request time, lies inside one of them, so a
/// file swapped for a link to somewhere else after the ingest is not served.
extension IndexDatabase {
    // MARK: - Writes

    /// Adds resolved media roots (those already known stay: an ingest of one folder does not
    /// withdraw the folders of earlier ingests, whose recordings are still in the index).
    public func addMediaRoots(_ roots: [String]) throws {
        try writer.write { db in
            for root in roots {
                try db.execute(sql: "INSERT OR IGNORE INTO media_root (path) VALUES (?)", arguments: [root])
            }
        }
    }

    // MARK: - Reads

    /// The media roots, sorted.
    public func mediaRoots() throws -> [String] {
        try writer.read { db in try Self.mediaRoots(db) }
    }

    static func mediaRoots(_ db: Database) throws -> [String] {
        try String.fetchAll(db, sql: "SELECT path FROM media_root ORDER BY path")
    }
}
