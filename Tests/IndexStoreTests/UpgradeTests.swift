import Foundation
import GRDB
@testable import IndexStore
import Testing
import TestSupport

/// An index made by the last release (efa6109, `Fixtures/index-efa6109`) opens with today's
/// store: the same schema as a new index, and the same answers, with the person's decisions and
/// verified text kept.
@Suite struct UpgradeTests {
    static let fixture = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/index-efa6109")

    /// A copy of the fixture's index in a folder of its own (opening it may migrate it).
    static func copy() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("efterhand-upgrade-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: fixture.appendingPathComponent(IndexDatabase.fileName),
                                         to: folder.appendingPathComponent(IndexDatabase.fileName))
        return folder
    }

    /// What `sqlite_master` says of a database file, and which migrations it ran, in the order it ran them ("v10" sorts before "v2").
    static func schema(_ file: URL) throws -> (objects: [String], migrations: [String]) {
        let queue = try DatabaseQueue(path: file.path)
        return try queue.read { db in
            let objects = try Row.fetchAll(db, sql: "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name").map { row in
                "\(row["type"] as String) \(row["name"] as String) on \(row["tbl_name"] as String): \((row["sql"] as String?) ?? "-")"
            }
            return (objects, try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY rowid"))
        }
    }

    @Test("a new index has the schema of the last release's index brought up to date, object for object; the release's migrations are its first ones")
    func sameSchema() throws {
        let fresh = FileManager.default.temporaryDirectory.appendingPathComponent("efterhand-fresh-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: fresh) }
        _ = try IndexDatabase(folder: fresh.path)
        let made = try Self.schema(fresh.appendingPathComponent(IndexDatabase.fileName))
        let released = try Self.schema(Self.fixture.appendingPathComponent(IndexDatabase.fileName))
        // Migrations that shipped are never edited: the release's list starts the new one.
        #expect(Array(made.migrations.prefix(released.migrations.count)) == released.migrations)
        let upgraded = try Self.copy()
        defer { try? FileManager.default.removeItem(at: upgraded) }
        _ = try IndexDatabase(folder: upgraded.path)
        let brought = try Self.schema(upgraded.appendingPathComponent(IndexDatabase.fileName))
        #expect(made.migrations == brought.migrations)
        #expect(made.objects == brought.objects)
        #expect(made.objects.count > 20)
    }

    @Test("the last release's index gives the same links, search hits and transcript, decisions and verified text kept")
    func sameAnswers() throws {
        let folder = try Self.copy()
        defer { try? FileManager.default.removeItem(at: folder) }
        let binary = try EfterhandBinary.path()
        func answer(_ arguments: [String]) throws -> String {
            let (status, output) = try run(binary, arguments + ["--index", folder.path])
            #expect(status == 0, "\(arguments): \(output)")
            return output
        }
        func expected(_ name: String) throws -> String {
            try String(contentsOf: Self.fixture.appendingPathComponent(name), encoding: .utf8)
        }
        #expect(try answer(["links", "--json"]) == expected("links.json"))
        // Since issue 18 a hit also says where the words are said (`at_seconds`, the verified
        // cue's 2:10 here) and its link starts there; otherwise the answer is the release's.
        let search = try #require(try JSONSerialization.jsonObject(with: Data(try answer(["search", "öppna data", "--json"]).utf8)) as? [[String: Any]])
        let released = try #require(try JSONSerialization.jsonObject(with: Data(try expected("search-oppna-data.json").utf8)) as? [[String: Any]])
        #expect(search.first?["at_seconds"] as? Double == 130 && (search.first?["url"] as? String)?.hasSuffix("#t=130,900") == true)
        let asReleased = search.map { hit -> NSDictionary in
            var hit = hit
            if let start = hit["start_seconds"] as? Double, let end = hit["end_seconds"] as? Double, let url = hit["url"] as? String {
                hit["url"] = String(url.prefix { $0 != "#" }) + "#t=\(IndexDatabase.seconds(start)),\(IndexDatabase.seconds(end))"
            }
            hit["at_seconds"] = nil
            return hit as NSDictionary
        }
        #expect(asReleased == released.map { $0 as NSDictionary })
        #expect(try answer(["transcript", "export", "Media/inspelning-01.mp4", "--format", "vtt"]) == expected("inspelning-01.vtt"))

        let database = try IndexDatabase(folder: folder.path)
        let decisions = try database.decisions()
        #expect(decisions.map(\.action) == [.accept, .reject])
        #expect(decisions.first?.inSeconds == 30 && decisions.first?.outSeconds == 1700)
        let recording = try #require(try database.recording(idOrPath: "Media/inspelning-01.mp4"))
        let cues = try database.cues(recordingID: try #require(recording.id))
        #expect(cues.filter { $0.status == .verified }.map(\.cue.text).contains("Här pratar vi om öppna data och automatisering."))
    }

    @Test("v8 names each search row's segment and session as today's code does: the same rows, the same facets")
    func searchRowsNamed() throws {
        let migrated = try Self.copy()
        let rebuilt = try Self.copy()
        defer {
            try? FileManager.default.removeItem(at: migrated)
            try? FileManager.default.removeItem(at: rebuilt)
        }
        let old = try IndexDatabase(folder: migrated.path)
        let new = try IndexDatabase(folder: rebuilt.path)
        try new.rebuildSearch()
        let rows = { (database: IndexDatabase) throws -> [[String]] in
            try database.writer.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT search.segment_id, search.session_guid, search_row.segment_id, search_row.session_guid
                    FROM search_row JOIN search ON search.rowid = search_row.rowid ORDER BY search.segment_id, search.kind
                    """).map { row in (0..<4).map { (row[$0] as DatabaseValue).description } }
            }
        }
        let named = try rows(old)
        #expect(!named.isEmpty)
        #expect(named.allSatisfy { $0[0] == $0[2] && $0[1] == $0[3] })
        #expect(Set(named.map { $0[2] + $0[3] }) == Set(try rows(new).map { $0[2] + $0[3] }))
        for text in ["öppna data", "data", "innovation", "göteborg", "robot", "a"] {
            let query = SearchQuery(text: text)
            #expect(try old.facets(query) == new.facets(query), "\(text)")
        }
    }

    @Test("an index at v3 gets its search rows when v4 rebuilds the full-text table")
    func searchRowsAfterV4() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("efterhand-v3-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        do {
            let queue = try DatabaseQueue(path: folder.appendingPathComponent(IndexDatabase.fileName).path)
            try Migrations.migrator.migrate(queue, upTo: "v3: full-text search")
            try queue.write { db in
                try db.execute(sql: """
                    INSERT INTO session (guid, title, start, end, persons, topics, do_not_record) VALUES ('g1', 'Öppna data i kommunen', 0, 1800, '[]', '[]', 0);
                    INSERT INTO recording (id, path, absolute_path, state, link_status, first_seen, updated_at) VALUES (1, 'a.mp4', '/a.mp4', 'ok', 'linked', 0, 0);
                    INSERT INTO segment (recording_id, session_guid, position, start_seconds, end_seconds, title, topics, source)
                      VALUES (1, 'g1', 0, 0, 1800, 'Öppna data i kommunen', '[]', 'session');
                    INSERT INTO link (recording_id, session_guid, kind, position, score, in_seconds, out_seconds, reasons, flags, decided_by)
                      VALUES (1, 'g1', 'link', 0, 1, 0, 1800, '[]', '[]', 'auto');
                    """)
            }
        }
        let database = try IndexDatabase(folder: folder.path)
        let hits = try database.search(SearchQuery(text: "oppna data"))
        #expect(hits.map(\.sessionGuid) == ["g1"])
    }

    @Test("a stored value this build does not know is an error that names its column, not a default")
    func unknownStoredValue() throws {
        let folder = try Self.copy()
        defer { try? FileManager.default.removeItem(at: folder) }
        let queue = try DatabaseQueue(path: folder.appendingPathComponent(IndexDatabase.fileName).path)
        try queue.write { db in try db.execute(sql: "UPDATE recording SET state = 'archived' WHERE path = 'Media/oppna-data.webm'") }
        try queue.close()
        let database = try IndexDatabase(folder: folder.path)
        #expect(throws: (any Error).self) { try database.recordings() }
        do {
            _ = try database.fileStates()
            Issue.record("an unknown state read as some default")
        } catch {
            #expect("\(error)".contains("recording.state"))
        }
    }
}
