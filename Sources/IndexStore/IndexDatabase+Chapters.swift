import Foundation
import GRDB

/// A chapter a person set for a session in a recording: where it starts (seconds into the
/// recording) and its title. It runs to the next chapter's start, the last to the session's out
/// point; the first starts at the in point whatever its own start says.
public struct ManualChapter: Sendable, Equatable, Codable {
    public var startSeconds: Double
    public var title: String

    public init(startSeconds: Double, title: String) {
        self.startSeconds = startSeconds
        self.title = title
    }

    enum CodingKeys: String, CodingKey { case startSeconds = "start_seconds", title }
}

extension IndexDatabase {
    /// Every chapter set people made (or those of the file of `fingerprint`), by recording
    /// fingerprint, then session guid, in order.
    public func chapterSets(fingerprint: String? = nil) throws -> [String: [String: [ManualChapter]]] {
        try writer.read { db in
            var sets: [String: [String: [ManualChapter]]] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT fingerprint, session_guid, start_seconds, title FROM chapter_set \(fingerprint == nil ? "" : "WHERE fingerprint = ?")
                ORDER BY fingerprint, session_guid, position
                """, arguments: StatementArguments(fingerprint.map { [$0] } ?? [])) {
                sets[row["fingerprint"], default: [:]][row["session_guid"], default: []]
                    .append(ManualChapter(startSeconds: row["start_seconds"], title: row["title"]))
            }
            return sets
        }
    }

    /// When each chapter set was made and by whom, by fingerprint, then session guid (for
    /// `efterhand gather`, where the later of two sets wins).
    public func chapterSetStamps() throws -> [String: [String: (at: Double, who: String)]] {
        try writer.read { db in
            var stamps: [String: [String: (at: Double, who: String)]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT fingerprint, session_guid, max(at) AS at, max(who) AS who FROM chapter_set GROUP BY fingerprint, session_guid") {
                stamps[row["fingerprint"], default: [:]][row["session_guid"]] = (row["at"], row["who"])
            }
            return stamps
        }
    }

    /// The chapters a person set for one session in one recording; nil when none.
    public func chapterSet(fingerprint: String, sessionGuid: String) throws -> [ManualChapter]? {
        try writer.read { db in
            let chapters = try Row.fetchAll(db, sql: "SELECT start_seconds, title FROM chapter_set WHERE fingerprint = ? AND session_guid = ? ORDER BY position",
                                            arguments: [fingerprint, sessionGuid]).map { ManualChapter(startSeconds: $0["start_seconds"], title: $0["title"]) }
            return chapters.isEmpty ? nil : chapters
        }
    }

    /// Replaces the chapter set of one session in one recording (nil or empty: none, so the
    /// file's chapters or the even cuts come back), as `who` set it. The segments are cut again
    /// by the next relink.
    public func saveChapterSet(_ chapters: [ManualChapter]?, fingerprint: String, sessionGuid: String, who: String) throws {
        try writer.write { db in
            try db.execute(sql: "DELETE FROM chapter_set WHERE fingerprint = ? AND session_guid = ?", arguments: [fingerprint, sessionGuid])
            let at = Date().timeIntervalSince1970
            for (position, chapter) in (chapters ?? []).enumerated() {
                try db.execute(sql: """
                    INSERT INTO chapter_set (fingerprint, session_guid, position, start_seconds, title, at, who) VALUES (?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [fingerprint, sessionGuid, position, chapter.startSeconds, chapter.title, at, who])
            }
        }
    }
}
