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
            try Self.migrator.migrate(writer)
        } catch {
            throw IndexError(explaining: error, file: file)
        }
    }

    /// Opens the index in a folder that cannot be written (a read-only mount, an image), for
    /// reading only: as an immutable file, since SQLite cannot share a WAL index read-only
    /// without writing its `-shm` beside it. Nothing may change the file while it is open.
    /// Fails when the index needs a migration, which only a writable index can have.
    public init(readOnlyFolder folder: String) throws {
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
            let current = try writer.read { db in try Self.migrator.hasCompletedMigrations(db) }
            guard current else {
                throw IndexError(.readOnly, file: file, message: "the index '\(file)' was made by an older efterhand and cannot be brought up to date: it is read-only")
            }
        } catch {
            throw IndexError(explaining: error, file: file)
        }
    }

    /// An index in memory, for tests.
    public init() throws {
        folder = nil
        isImmutable = false
        var configuration = Configuration()
        configuration.prepareDatabase { db in try Self.registerRank(db) }
        writer = try DatabaseQueue(configuration: configuration)
        try Self.migrator.migrate(writer)
    }

    /// Named migrations, in order; never edited once shipped, only added to. Each feature's
    /// tables are registered in that feature's file (`IndexDatabase+Transcripts.swift`, ...).
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        registerRecordings(&migrator)
        registerTranscripts(&migrator)
        registerSearch(&migrator)
        registerBookkeeping(&migrator)
        registerMediaRoots(&migrator)
        return migrator
    }

    static func registerRecordings(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v1: recordings, sessions, links, decisions, segments") { db in
            try db.create(table: "conference") { t in
                t.column("id", .integer).primaryKey()
                t.column("title", .text)
                t.column("acronym", .text)
                t.column("time_zone", .text).notNull()
                t.column("programme_hash", .text)
            }
            try db.create(table: "session") { t in
                t.column("guid", .text).primaryKey()
                t.column("source_id", .text)
                t.column("slug", .text)
                t.column("title", .text).notNull()
                t.column("subtitle", .text)
                t.column("abstract", .text)
                t.column("description", .text)
                t.column("start", .double).notNull()
                t.column("end", .double).notNull()
                t.column("room", .text)
                t.column("track", .text)
                t.column("type", .text)
                t.column("language", .text)
                t.column("persons", .text).notNull()
                t.column("topics", .text).notNull()
                t.column("url", .text)
                t.column("do_not_record", .boolean).notNull()
                t.column("in_programme", .boolean).notNull().defaults(to: true)
            }
            try db.create(table: "recording") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("path", .text).notNull().unique()
                t.column("absolute_path", .text).notNull()
                t.column("fingerprint", .text)
                t.column("size", .integer)
                t.column("mtime", .double)
                t.column("state", .text).notNull()
                t.column("probe", .text)
                t.column("error_code", .text)
                t.column("error_message", .text)
                t.column("duration", .double)
                t.column("link_status", .text).notNull().defaults(to: "unmatched")
                t.column("recording_start", .double)
                t.column("recording_start_source", .text)
                t.column("duplicate_of", .integer)
                t.column("first_seen", .double).notNull()
                t.column("updated_at", .double).notNull()
            }
            try db.create(index: "recording_fingerprint", on: "recording", columns: ["fingerprint"])
            try db.create(table: "link") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("recording_id", .integer).notNull().references("recording", onDelete: .cascade)
                t.column("session_guid", .text).notNull()
                t.column("kind", .text).notNull()
                t.column("position", .integer).notNull()
                t.column("score", .double).notNull()
                t.column("in_seconds", .double).notNull()
                t.column("out_seconds", .double).notNull()
                t.column("reasons", .text).notNull()
                t.column("flags", .text).notNull()
                t.column("part", .integer)
                t.column("parts", .integer)
                t.column("decided_by", .text).notNull()
                t.uniqueKey(["recording_id", "session_guid", "kind"])
            }
            try db.create(index: "link_session", on: "link", columns: ["session_guid"])
            try db.create(table: "decision") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("fingerprint", .text).notNull()
                t.column("session_guid", .text)
                t.column("action", .text).notNull()
                t.column("in_seconds", .double)
                t.column("out_seconds", .double)
                t.column("path", .text)
                t.column("decided_at", .double).notNull()
            }
            try db.create(index: "decision_fingerprint", on: "decision", columns: ["fingerprint"])
            try db.create(table: "segment") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("recording_id", .integer).notNull().references("recording", onDelete: .cascade)
                t.column("session_guid", .text).notNull()
                t.column("position", .integer).notNull()
                t.column("start_seconds", .double).notNull()
                t.column("end_seconds", .double).notNull()
                t.column("title", .text).notNull()
                t.column("topics", .text).notNull()
                t.column("source", .text).notNull()
            }
            try db.create(index: "segment_recording", on: "segment", columns: ["recording_id", "session_guid"])
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
                try db.execute(sql: """
                    INSERT INTO session (guid, source_id, slug, title, subtitle, abstract, description, start, end, room, track,
                      type, language, persons, topics, url, do_not_record, in_programme)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)
                    ON CONFLICT(guid) DO UPDATE SET source_id = excluded.source_id, slug = excluded.slug, title = excluded.title,
                      subtitle = excluded.subtitle, abstract = excluded.abstract, description = excluded.description,
                      start = excluded.start, end = excluded.end, room = excluded.room, track = excluded.track, type = excluded.type,
                      language = excluded.language, persons = excluded.persons, topics = excluded.topics, url = excluded.url,
                      do_not_record = excluded.do_not_record, in_programme = 1
                    """, arguments: [session.guid, session.id, session.slug, session.title, session.subtitle, session.abstract,
                                     session.description, session.start.timeIntervalSince1970, session.end.timeIntervalSince1970,
                                     session.room, session.track, session.type, session.language, JSONText.encode(session.persons),
                                     JSONText.encode(session.topics), session.url, session.doNotRecord])
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
            let probe = try recording.probe.map { try JSONText.encode($0) }
            try db.execute(sql: """
                UPDATE recording SET path = ?, absolute_path = ?, fingerprint = ?, size = ?, mtime = ?, state = ?, probe = ?, error_code = ?,
                  error_message = ?, duration = ?, updated_at = ? WHERE id = ?
                """, arguments: [recording.path, recording.absolutePath, recording.fingerprint, recording.size, recording.mtime, recording.state.rawValue,
                                 probe, recording.errorCode, recording.errorMessage, recording.duration, Date().timeIntervalSince1970, id])
            try Self.oweRelink(db: db)
        }
    }

    /// Replaces the links and segments of an existing recording (and its link status).
    public func saveLinks(recordingID: Int64, status: LinkStatus, start: Date?, startSource: StartSource?, links: [StoredLink], segments: [Segment]) throws {
        try writer.write { db in
            try db.execute(sql: "UPDATE recording SET link_status = ?, recording_start = ?, recording_start_source = ?, updated_at = ? WHERE id = ?",
                           arguments: [status.rawValue, start?.timeIntervalSince1970, startSource?.rawValue, Date().timeIntervalSince1970, recordingID])
            try Self.replaceLinks(recordingID: recordingID, links: links, segments: segments, db: db)
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

    /// Points the decisions on session `old` at session `new` (its successor in a new programme).
    public func moveDecisions(from old: String, to new: String) throws {
        try writer.write { db in
            try db.execute(sql: "UPDATE decision SET session_guid = ? WHERE session_guid = ?", arguments: [new, old])
        }
    }

    /// Records a person's decision about a recording (by its fingerprint) and a session.
    public func recordDecision(_ decision: Decision) throws {
        try writer.write { db in
            try db.execute(sql: "INSERT INTO decision (fingerprint, session_guid, action, in_seconds, out_seconds, path, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                           arguments: [decision.fingerprint, decision.sessionGuid, decision.action.rawValue, decision.inSeconds, decision.outSeconds,
                                       decision.path, decision.decidedAt.timeIntervalSince1970])
        }
    }

    private static func upsertRecording(_ r: StoredRecording, db: Database) throws -> Int64 {
        let now = Date().timeIntervalSince1970
        let probe = try r.probe.map { try JSONText.encode($0) }
        if let id = r.id {
            try db.execute(sql: """
                UPDATE recording SET path = ?, absolute_path = ?, fingerprint = ?, size = ?, mtime = ?, state = ?, probe = ?, error_code = ?,
                  error_message = ?, duration = ?, link_status = ?, recording_start = ?, recording_start_source = ?, updated_at = ? WHERE id = ?
                """, arguments: [r.path, r.absolutePath, r.fingerprint, r.size, r.mtime, r.state.rawValue, probe, r.errorCode, r.errorMessage,
                                 r.duration, r.linkStatus.rawValue, r.recordingStart?.timeIntervalSince1970, r.recordingStartSource?.rawValue, now, id])
            return id
        }
        try db.execute(sql: """
            INSERT INTO recording (path, absolute_path, fingerprint, size, mtime, state, probe, error_code, error_message, duration, link_status,
              recording_start, recording_start_source, first_seen, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(path) DO UPDATE SET absolute_path = excluded.absolute_path, fingerprint = excluded.fingerprint, size = excluded.size,
              mtime = excluded.mtime, state = excluded.state, probe = excluded.probe, error_code = excluded.error_code,
              error_message = excluded.error_message, duration = excluded.duration, link_status = excluded.link_status,
              recording_start = excluded.recording_start, recording_start_source = excluded.recording_start_source, updated_at = excluded.updated_at
            """, arguments: [r.path, r.absolutePath, r.fingerprint, r.size, r.mtime, r.state.rawValue, probe, r.errorCode, r.errorMessage, r.duration,
                             r.linkStatus.rawValue, r.recordingStart?.timeIntervalSince1970, r.recordingStartSource?.rawValue, now, now])
        return try Int64.fetchOne(db, sql: "SELECT id FROM recording WHERE path = ?", arguments: [r.path]) ?? db.lastInsertedRowID
    }

    private static func replaceLinks(recordingID: Int64, links: [StoredLink], segments: [Segment], db: Database) throws {
        try db.execute(sql: "DELETE FROM link WHERE recording_id = ?", arguments: [recordingID])
        try db.execute(sql: "DELETE FROM segment WHERE recording_id = ?", arguments: [recordingID])
        for (position, link) in links.enumerated() {
            try db.execute(sql: """
                INSERT OR REPLACE INTO link (recording_id, session_guid, kind, position, score, in_seconds, out_seconds, reasons, flags, part, parts, decided_by)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [recordingID, link.sessionGuid, link.kind.rawValue, position, link.score, link.inSeconds, link.outSeconds,
                                 JSONText.encode(link.reasons), JSONText.encode(link.flags), link.part, link.parts, link.decidedBy.rawValue])
        }
        for segment in segments {
            try db.execute(sql: """
                INSERT INTO segment (recording_id, session_guid, position, start_seconds, end_seconds, title, topics, source)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [recordingID, segment.sessionGuid, segment.position, segment.startSeconds, segment.endSeconds, segment.title,
                                 JSONText.encode(segment.topics), segment.source.rawValue])
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
                                         state: RecordingState(rawValue: row["state"]) ?? .failed)
            }
            return states
        }
    }

    /// Every recording, with its probe result (decoded) and links.
    /// Every recording; `withProbe: false` leaves the probe result out (nil), which spares
    /// decoding a JSON document per recording on runs where nothing changed.
    public func recordings(includeMissing: Bool = true, withProbe: Bool = true) throws -> [StoredRecording] {
        try writer.read { db in
            let columns = withProbe ? "*" : """
                id, path, absolute_path, fingerprint, size, mtime, state, error_code, error_message, duration, link_status,
                recording_start, recording_start_source, duplicate_of
                """
            let rows = try Row.fetchAll(db, sql: "SELECT \(columns) FROM recording \(includeMissing ? "" : "WHERE state != 'missing'") ORDER BY path")
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
            for row in try Row.fetchAll(db, sql: "SELECT * FROM link ORDER BY recording_id, kind, position") {
                let link = try Self.link(row)
                byRecording[row["recording_id"], default: []].append(link)
            }
            return byRecording
        }
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

    /// Manual decisions, oldest first.
    public func decisions() throws -> [Decision] {
        try writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM decision ORDER BY decided_at, id").map { row in
                Decision(fingerprint: row["fingerprint"], sessionGuid: row["session_guid"],
                         action: Decision.Action(rawValue: row["action"]) ?? .accept, inSeconds: row["in_seconds"], outSeconds: row["out_seconds"],
                         path: row["path"], decidedAt: Date(timeIntervalSince1970: row["decided_at"]))
            }
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

    // MARK: - Rows

    static func recording(_ row: Row) throws -> StoredRecording {
        let probeText: String? = row.hasColumn("probe") ? row["probe"] : nil
        let probe = try probeText.map { try JSONDecoder().decode(ProbeResult.self, from: Data($0.utf8)) }
        let start: Double? = row["recording_start"]
        let source: String? = row["recording_start_source"]
        return StoredRecording(
            id: row["id"], path: row["path"], absolutePath: row["absolute_path"], fingerprint: row["fingerprint"], size: row["size"],
            mtime: row["mtime"], state: RecordingState(rawValue: row["state"]) ?? .failed, probe: probe, errorCode: row["error_code"],
            errorMessage: row["error_message"], duration: row["duration"], linkStatus: LinkStatus(rawValue: row["link_status"]) ?? .unmatched,
            recordingStart: start.map(Date.init(timeIntervalSince1970:)), recordingStartSource: source.flatMap(StartSource.init(rawValue:)),
            duplicateOf: row["duplicate_of"])
    }

    static func session(_ row: Row) throws -> Session {
        Session(guid: row["guid"], id: row["source_id"], slug: row["slug"], title: row["title"], subtitle: row["subtitle"],
                abstract: row["abstract"], description: row["description"], start: Date(timeIntervalSince1970: row["start"]),
                end: Date(timeIntervalSince1970: row["end"]), room: row["room"], track: row["track"], type: row["type"],
                language: row["language"], persons: try JSONText.decode(row["persons"]), topics: try JSONText.decode(row["topics"]),
                url: row["url"], doNotRecord: row["do_not_record"])
    }

    static func link(_ row: Row) throws -> StoredLink {
        StoredLink(sessionGuid: row["session_guid"], kind: StoredLink.Kind(rawValue: row["kind"]) ?? .candidate, score: row["score"],
                   inSeconds: row["in_seconds"], outSeconds: row["out_seconds"], reasons: try JSONText.decode(row["reasons"]),
                   flags: try JSONText.decode(row["flags"]), part: row["part"], parts: row["parts"],
                   decidedBy: StoredLink.DecidedBy(rawValue: row["decided_by"]) ?? .auto)
    }

    static func segment(_ row: Row) throws -> Segment {
        Segment(id: row["id"], recordingID: row["recording_id"], sessionGuid: row["session_guid"], position: row["position"],
                startSeconds: row["start_seconds"], endSeconds: row["end_seconds"], title: row["title"],
                topics: try JSONText.decode(row["topics"]), source: Segment.Source(rawValue: row["source"]) ?? .session)
    }

    static func absolute(_ path: String) -> String {
        let joined = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        return (joined as NSString).standardizingPath
    }

    static func programmeHash(_ programme: Programme) -> String {
        let text = (try? JSONText.encode(programme.sessions)) ?? ""
        return Fingerprint.hex(Fingerprint.hash(Data((programme.conference.timeZone + (programme.conference.title ?? "") + text).utf8)))
    }
}

/// JSON text in TEXT columns.
enum JSONText {
    static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ text: String) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(text.utf8))
    }
}
