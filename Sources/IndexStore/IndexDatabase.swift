import CSearchRank
import Foundation
import GRDB
import Linking
import MediaProbe
import Schedule

/// The index: one SQLite database (WAL) that holds recordings, sessions, links, manual
/// decisions and segments. Every read and write of the index goes through this type, so that
/// another backend can replace it without touching the stages around it.
public final class IndexDatabase: Sendable {
    /// The database file's name inside the index folder.
    public static let fileName = "index.sqlite"

    let writer: any DatabaseWriter
    /// The index folder (thumbnails are kept beside the database); nil for an index in memory.
    public let folder: String?
    /// Opened read-only as a file that does not change (see `init(readOnlyFolder:)`).
    public let isImmutable: Bool

    /// Opens the index in `folder` (creating it when needed, unless `create` is false), and
    /// brings its schema up to date. Fails with an `IndexError` that names the file and says
    /// why: no index there, a read-only folder, a full disk.
    ///
    /// `forQueries` is for the server and `efterhand search`: each connection maps the file
    /// and keeps a larger page cache, which a search needs and an ingest does not (on 10,000
    /// recordings the two cost an ingest 50 MB of resident memory).
    public init(folder: String, create: Bool = true, forQueries: Bool = false) throws {
        _ = Self.sqliteTuned
        self.folder = folder
        isImmutable = false
        let file = (folder as NSString).appendingPathComponent(Self.fileName)
        if !create, !FileManager.default.fileExists(atPath: file) {
            throw IndexError(.missing, file: file, message: "no index at '\(file)'")
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            if forQueries {
                // Reads straight from the page cache (searches touch many full-text pages; a read
                // system call per page cost a third of a query), and a larger cache per connection.
                try db.execute(sql: "PRAGMA mmap_size = 1073741824")
                try db.execute(sql: "PRAGMA cache_size = -32768")
            }
            try Self.registerRank(db)
        }
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            writer = try DatabasePool(path: file, configuration: configuration)
            try Self.migrate(writer)
        } catch {
            throw IndexError(explaining: error, file: file)
        }
    }

    /// Opens the index in a folder that cannot be written (a read-only mount, an image), for
    /// reading only: as an immutable file, since SQLite cannot share a WAL index read-only
    /// without writing its `-shm` beside it. Nothing may change the file while it is open.
    /// Fails when the index needs a migration, which only a writable index can have.
    public init(readOnlyFolder folder: String) throws {
        _ = Self.sqliteTuned
        self.folder = folder
        isImmutable = true
        let file = (folder as NSString).appendingPathComponent(Self.fileName)
        guard FileManager.default.fileExists(atPath: file) else { throw IndexError(.missing, file: file, message: "no index at '\(file)'") }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.label = "efterhand.index.read-only"
        configuration.prepareDatabase { db in try Self.registerRank(db) }
        do {
            // A URI filename: Debian's SQLite is built with SQLITE_USE_URI.
            writer = try DatabaseQueue(path: URL(fileURLWithPath: file).absoluteString + "?immutable=1", configuration: configuration)
            let current = try writer.read { db in try Migrations.migrator.hasCompletedMigrations(db) }
            guard current else {
                throw IndexError(.readOnly, file: file, message: "the index '\(file)' was made by an older efterhand and cannot be brought up to date: it is read-only")
            }
        } catch {
            throw IndexError(explaining: error, file: file)
        }
    }

    /// SQLite's memory statistics off, once, before the first connection of the process opens:
    /// their process-wide mutex was 5% of the server's samples under distinct searches on the
    /// 100,000-segment index (issue 20).
    private static let sqliteTuned: Int32 = efterhand_sqlite_memstatus_off()

    /// An index in memory, for tests.
    public init() throws {
        folder = nil
        isImmutable = false
        var configuration = Configuration()
        configuration.prepareDatabase { db in try Self.registerRank(db) }
        writer = try DatabaseQueue(configuration: configuration)
        try Self.migrate(writer)
    }

    /// Brings the schema up to date (`Migrations`), then fills what a migration left for
    /// today's code to fill: the search rows, when v4 rebuilt their table on an index that
    /// already held segments.
    static func migrate(_ writer: any DatabaseWriter) throws {
        let migrator = Migrations.migrator
        let before = try writer.read { db in try migrator.appliedIdentifiers(db) }
        try migrator.migrate(writer)
        guard !before.contains(Migrations.searchRebuilt) else { return }
        try writer.write { db in
            if try Int.fetchOne(db, sql: "SELECT count(*) FROM segment") ?? 0 > 0 { try rebuildSearch(db: db) }
        }
    }

    // MARK: - Writes

    /// Stores the programme: sessions are upserted by guid (so their ids stay stable), sessions
    /// that left the programme are kept but marked, and the conference header replaced.
    /// Returns whether anything changed.
    /// `progress` is told how many sessions are stored, every thousand.
    @discardableResult
    public func saveProgramme(_ programme: Programme, progress: (Int) -> Void = { _ in }) throws -> Bool {
        let hash = Self.programmeHash(programme)
        return try writer.write { db in
            let previous = try String.fetchOne(db, sql: "SELECT programme_hash FROM conference WHERE id = 1")
            if previous == hash { return false }
            try db.execute(sql: """
                INSERT INTO conference (id, title, acronym, time_zone, programme_hash) VALUES (1, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET title = excluded.title, acronym = excluded.acronym,
                  time_zone = excluded.time_zone, programme_hash = excluded.programme_hash
                """, arguments: [programme.conference.title, programme.conference.acronym, programme.conference.timeZone, hash])
            try db.execute(sql: "UPDATE session SET in_programme = 0")
            for (index, session) in programme.sessions.enumerated() {
                if index.isMultiple(of: 1000) { progress(index) }
                try SessionRow(session).upsert(db)
            }
            progress(programme.sessions.count)
            try Self.rebuildSearch(db: db)
            try Self.oweRelink(db: db)
            return true
        }
    }

    /// Writes one recording with its links and segments in one transaction: after a crash the
    /// index holds either all of it or none of it.
    public func saveRecording(_ recording: StoredRecording, links: [StoredLink], segments: [Segment]) throws -> Int64 {
        try writer.write { db in
            let id = try Self.upsertRecording(recording, db: db)
            try Self.replaceLinks(recordingID: id, links: links, segments: segments, db: db)
            try Self.oweRelink(db: db)
            return id
        }
    }

    /// Writes what a new probe of a known recording found (`recording.id` set), and keeps its
    /// links, segments and link status until the link stage works them out again (the note this
    /// leaves makes sure it does, even after a kill). Readers meanwhile see the recording still
    /// published as it was, not withdrawn for the moment between the two stages.
    public func saveProbe(_ recording: StoredRecording) throws {
        guard let id = recording.id else {
            _ = try saveRecording(recording, links: [], segments: [])
            return
        }
        try writer.write { db in
            try RecordingRow(recording, now: Date().timeIntervalSince1970).update(db, columns: RecordingRow.probeColumns)
            try Self.oweRelink(db: db)
        }
    }

    /// What one recording is linked to, as the link stage decided: its link status and start,
    /// its links (and candidates) and its segments.
    public struct LinkSave: Sendable {
        public var recordingID: Int64
        public var status: LinkStatus
        public var start: Date?
        public var startSource: StartSource?
        public var links: [StoredLink]
        public var segments: [Segment]

        public init(recordingID: Int64, status: LinkStatus, start: Date?, startSource: StartSource?, links: [StoredLink], segments: [Segment]) {
            self.recordingID = recordingID
            self.status = status
            self.start = start
            self.startSource = startSource
            self.links = links
            self.segments = segments
        }
    }

    /// Replaces the links and segments of existing recordings (and their link status), all of
    /// `saves` in one transaction: a commit per recording was a third of linking a cold week.
    public func saveLinks(_ saves: [LinkSave]) throws {
        guard !saves.isEmpty else { return }
        try writer.write { db in
            let update = try db.cachedStatement(sql: """
                UPDATE recording SET link_status = ?, recording_start = ?, recording_start_source = ?, updated_at = ? WHERE id = ?
                """)
            for save in saves {
                try update.execute(arguments: [save.status.rawValue, save.start?.timeIntervalSince1970, save.startSource?.rawValue,
                                               Date().timeIntervalSince1970, save.recordingID])
                try Self.replaceLinks(recordingID: save.recordingID, links: save.links, segments: save.segments, db: db)
            }
        }
    }

    /// A recording that was at one path and is now at another keeps its id.
    public func move(recordingID: Int64, to path: String, absolutePath: String, size: Int64, mtime: Double) throws {
        try writer.write { db in
            try db.execute(sql: "UPDATE recording SET path = ?, absolute_path = ?, size = ?, mtime = ?, state = CASE WHEN state = 'missing' THEN 'ok' ELSE state END, updated_at = ? WHERE id = ?",
                           arguments: [path, absolutePath, size, mtime, Date().timeIntervalSince1970, recordingID])
            try Self.oweRelink(db: db)
        }
    }

    /// Marks recordings whose files are gone; their rows, links and decisions are kept.
    public func markMissing(_ ids: [Int64]) throws {
        guard !ids.isEmpty else { return }
        try writer.write { db in
            for id in ids {
                try db.execute(sql: "UPDATE recording SET state = 'missing', updated_at = ? WHERE id = ?", arguments: [Date().timeIntervalSince1970, id])
            }
            try Self.oweRelink(db: db)
        }
    }

    /// Deletes recordings (with their links and segments); manual decisions are kept, keyed by
    /// fingerprint, in case the file comes back.
    public func delete(_ ids: [Int64]) throws {
        guard !ids.isEmpty else { return }
        try writer.write { db in
            for id in ids { try db.execute(sql: "DELETE FROM recording WHERE id = ?", arguments: [id]) }
            try Self.oweRelink(db: db)
        }
    }

    /// Sets which recordings are copies of which (`nil` for none).
    public func setDuplicates(_ duplicateOf: [Int64: Int64?]) throws {
        guard !duplicateOf.isEmpty else { return }
        try writer.write { db in
            for (id, original) in duplicateOf {
                try db.execute(sql: "UPDATE recording SET duplicate_of = ? WHERE id = ?", arguments: [original, id])
            }
        }
    }

    /// Points the decisions and chapters on session `old` at session `new` (its successor in a new programme).
    public func moveDecisions(from old: String, to new: String) throws {
        try writer.write { db in
            try db.execute(sql: "UPDATE decision SET session_guid = ? WHERE session_guid = ?", arguments: [new, old])
            // A person's chapters follow too, unless the new session has its own for that recording.
            try db.execute(sql: """
                DELETE FROM chapter_set WHERE session_guid = ? AND fingerprint IN (SELECT fingerprint FROM chapter_set WHERE session_guid = ?)
                """, arguments: [old, new])
            try db.execute(sql: "UPDATE chapter_set SET session_guid = ? WHERE session_guid = ?", arguments: [new, old])
        }
    }

    /// Records a person's decision about a recording (by its fingerprint) and a session. With
    /// `seen` (a `LinkState.token`), only if recording `recordingID` still holds the links its
    /// maker saw, checked in the same transaction; else a `DecisionConflict` and nothing stored.
    public func recordDecision(_ decision: Decision, recordingID: Int64? = nil, seen: String? = nil) throws {
        try writer.write { db in
            if let seen, let recordingID {
                let status = try String.fetchOne(db, sql: "SELECT link_status FROM recording WHERE id = ?", arguments: [recordingID])
                    .flatMap(LinkStatus.init(rawValue:)) ?? .unmatched
                let links = try Self.linkRows(db, sql: "SELECT * FROM link WHERE recording_id = ? ORDER BY kind, position", arguments: [recordingID]).map(\.link)
                if LinkState.token(status: status, links: links) != seen {
                    let last = try Self.auditEntries(fingerprint: decision.fingerprint, limit: 1, db: db).first
                    throw DecisionConflict(path: decision.path ?? String(recordingID), last: last)
                }
            }
            try DecisionRow(decision).insert(db)
        }
    }

    /// Writes a recording: by id when it has one, else by path (a path seen before keeps its
    /// id and when it was first seen).
    private static func upsertRecording(_ recording: StoredRecording, db: Database) throws -> Int64 {
        let row = RecordingRow(recording, now: Date().timeIntervalSince1970)
        if let id = recording.id {
            try row.update(db, columns: RecordingRow.recordingColumns)
            return id
        }
        let saved = try row.upsertAndFetch(db, onConflict: ["path"]) { _ in [RecordingRow.CodingKeys.firstSeen.noOverwrite] }
        guard let id = saved.id else { throw DatabaseError(message: "no id for the recording '\(recording.path)'") }
        return id
    }

    private static func replaceLinks(recordingID: Int64, links: [StoredLink], segments: [Segment], db: Database) throws {
        try db.cachedStatement(sql: "DELETE FROM link WHERE recording_id = ?").execute(arguments: [recordingID])
        try db.cachedStatement(sql: "DELETE FROM segment WHERE recording_id = ?").execute(arguments: [recordingID])
        for (position, link) in links.enumerated() {
            try LinkRow(link, recordingID: recordingID, position: position).insert(db, onConflict: .replace)
        }
        for segment in segments {
            try SegmentRow(segment, recordingID: recordingID).insert(db)
        }
        try refreshSearch(recordingID: recordingID, db: db)
    }

    // MARK: - Reads

    /// What the index knows of each file, by path, for deciding what to probe again.
    public func fileStates() throws -> [String: FileState] {
        try writer.read { db in
            var states: [String: FileState] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT id, path, fingerprint, size, mtime, state FROM recording") {
                let path: String = row["path"]
                states[path] = FileState(id: row["id"], path: path, fingerprint: row["fingerprint"], size: row["size"], mtime: row["mtime"],
                                         state: try StoredValue.decode(row["state"], column: "recording.state"))
            }
            return states
        }
    }

    /// Every recording, with its probe result (decoded) and links.
    /// Every recording; `withProbe: false` leaves the probe result out (nil), which spares
    /// decoding a JSON document per recording on runs where nothing changed.
    /// `fingerprint`: only the recordings of that file (copies at several paths included).
    public func recordings(includeMissing: Bool = true, withProbe: Bool = true, fingerprint: String? = nil) throws -> [StoredRecording] {
        try writer.read { db in
            let columns = withProbe ? "*" : """
                id, path, absolute_path, fingerprint, size, mtime, state, error_code, error_message, duration, link_status,
                recording_start, recording_start_source, duplicate_of
                """
            let conditions: [String] = (includeMissing ? [] : ["state != 'missing'"]) + (fingerprint == nil ? [] : ["fingerprint = ?"])
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            let rows = try Row.fetchAll(db, sql: "SELECT \(columns) FROM recording \(filter) ORDER BY path", arguments: StatementArguments(fingerprint.map { [$0] } ?? []))
            return try rows.map(Self.recording)
        }
    }

    /// One recording by id or by path.
    public func recording(idOrPath: String) throws -> StoredRecording? {
        try writer.read { db in
            let row: Row?
            if let id = Int64(idOrPath) {
                row = try Row.fetchOne(db, sql: "SELECT * FROM recording WHERE id = ?", arguments: [id])
            } else {
                row = try Row.fetchOne(db, sql: "SELECT * FROM recording WHERE path = ? OR absolute_path = ?", arguments: [idOrPath, idOrPath])
                    ?? Row.fetchOne(db, sql: "SELECT * FROM recording WHERE absolute_path = ?", arguments: [Self.absolute(idOrPath)])
            }
            return try row.map(Self.recording)
        }
    }

    /// The programme as stored: sessions in it (and, with `includeRemoved`, those that left it).
    public func sessions(includeRemoved: Bool = false) throws -> [Session] {
        try writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM session \(includeRemoved ? "" : "WHERE in_programme = 1") ORDER BY start, room, guid").map(Self.session)
        }
    }

    /// A session by guid or slug.
    public func session(guidOrSlug: String) throws -> Session? {
        try writer.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM session WHERE guid = ? OR slug = ? ORDER BY in_programme DESC LIMIT 1",
                             arguments: [guidOrSlug, guidOrSlug]).map(Self.session)
        }
    }

    /// The conference header, when a programme was stored.
    public func conference() throws -> Conference? {
        try writer.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM conference WHERE id = 1").map {
                Conference(title: $0["title"], acronym: $0["acronym"], timeZone: $0["time_zone"])
            }
        }
    }

    /// Links and candidates of every recording, keyed by recording id, in stored order.
    public func links() throws -> [Int64: [StoredLink]] {
        try writer.read { db in
            var byRecording: [Int64: [StoredLink]] = [:]
            for link in try Self.linkRows(db, sql: "SELECT * FROM link ORDER BY recording_id, kind, position") {
                byRecording[link.recordingID, default: []].append(link.link)
            }
            return byRecording
        }
    }

    /// Links and candidates of one recording, in stored order.
    public func links(recordingID: Int64) throws -> [StoredLink] {
        try writer.read { db in
            try Self.linkRows(db, sql: "SELECT * FROM link WHERE recording_id = ? ORDER BY kind, position", arguments: [recordingID]).map(\.link)
        }
    }

    private static func linkRows(_ db: Database, sql: String, arguments: StatementArguments = []) throws -> [LinkRow] {
        try Row.fetchAll(db, sql: sql, arguments: arguments).map { try LinkRow(row: $0) }
    }

    /// Segments of one recording (or of all), in order.
    public func segments(recordingID: Int64? = nil) throws -> [Segment] {
        try writer.read { db in
            let rows = recordingID == nil
                ? try Row.fetchAll(db, sql: "SELECT * FROM segment ORDER BY recording_id, start_seconds, position")
                : try Row.fetchAll(db, sql: "SELECT * FROM segment WHERE recording_id = ? ORDER BY start_seconds, position", arguments: [recordingID])
            return try rows.map(Self.segment)
        }
    }

    /// Manual decisions, oldest first: all, or those on the file of `fingerprint`.
    public func decisions(fingerprint: String? = nil) throws -> [Decision] {
        try writer.read { db in
            try DecisionRow.fetchAll(db, sql: "SELECT * FROM decision \(fingerprint == nil ? "" : "WHERE fingerprint = ?") ORDER BY decided_at, id",
                                     arguments: StatementArguments(fingerprint.map { [$0] } ?? [])).map(\.decision)
        }
    }

    /// Counts for the ingest summary.
    public func counts() throws -> [String: Int] {
        try writer.read { db in
            var counts: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT state, link_status, count(*) AS n FROM recording GROUP BY state, link_status") {
                let state: String = row["state"]
                let status: String = row["link_status"]
                let n: Int = row["n"]
                counts["state." + state, default: 0] += n
                if state == "ok" { counts["link." + status, default: 0] += n }
            }
            counts["segments"] = try Int.fetchOne(db, sql: "SELECT count(*) FROM segment JOIN recording ON recording.id = segment.recording_id WHERE recording.state = 'ok'") ?? 0
            counts["duplicates"] = try Int.fetchOne(db, sql: "SELECT count(*) FROM recording WHERE duplicate_of IS NOT NULL AND state != 'missing'") ?? 0
            return counts
        }
    }

    /// `PRAGMA integrity_check`: "ok" when the file is sound.
    public func integrityCheck() throws -> String {
        try writer.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "; ") }
    }

    // MARK: - Helpers

    /// A path as the index keeps it: absolute, standardized, from the working folder.
    public static func absolute(_ path: String) -> String {
        let joined = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        return (joined as NSString).standardizingPath
    }

    public static func programmeHash(_ programme: Programme) -> String {
        let text = (try? JSONText.encode(programme.sessions)) ?? ""
        return Fingerprint.hex(Fingerprint.hash(Data((programme.conference.timeZone + (programme.conference.title ?? "") + text).utf8)))
    }
}

/// JSON text in TEXT columns (and the audit log's before and after).
public enum JSONText {
    /// Sorted keys, slashes as they are: what every JSON column has always held.
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    public static func encode<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try encoder().encode(value), as: UTF8.self)
    }

    public static func decode<T: Decodable>(_ text: String) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(text.utf8))
    }
}
