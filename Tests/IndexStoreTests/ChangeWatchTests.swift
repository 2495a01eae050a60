import Foundation
import GRDB
import Testing
@testable import IndexStore

/// `IndexChangeWatch`: the server asks it before every request whether the index changed.
@Suite("change watch")
struct ChangeWatchTests {
    @Test("every commit by another connection is seen, and nothing else changes the answer")
    func everyCommitSeen() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("efterhand-watch-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        // Two openings of one index, as `efterhand serve` and `efterhand ingest` have.
        let writer = try IndexDatabase(folder: folder.path)
        let server = try IndexDatabase(folder: folder.path)
        let watch = try #require(try server.changeWatch())
        try writer.writer.write { db in try db.execute(sql: "CREATE TABLE watched (n INTEGER)") }

        var last = try watch.version()
        #expect(try watch.version() == last)
        // The fast path is in use: the wal-index header is readable and agrees with itself.
        #expect(watch.walIndexHeader() != nil)
        for n in 0..<200 {
            try writer.writer.write { db in try db.execute(sql: "INSERT INTO watched VALUES (?)", arguments: [n]) }
            let now = try watch.version()
            #expect(now != last, "commit \(n) was not seen")
            #expect(try watch.version() == now, "no commit after \(n), yet the answer changed")
            last = now
        }
        // A checkpoint that resets the WAL is no commit of new data, but must not hide the next one.
        try writer.writer.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        last = try watch.version()
        try writer.writer.write { db in try db.execute(sql: "INSERT INTO watched VALUES (-1)") }
        #expect(try watch.version() != last)
    }

    @Test("commits made while the watch is asked from other threads are all seen by the end")
    func concurrentCommits() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("efterhand-watch-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let writer = try IndexDatabase(folder: folder.path)
        let server = try IndexDatabase(folder: folder.path)
        let watch = try #require(try server.changeWatch())
        try await writer.writer.write { db in try db.execute(sql: "CREATE TABLE watched (n INTEGER)") }
        let before = try watch.version()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<2 {
                group.addTask { for _ in 0..<2000 { _ = try watch.version() } }
            }
            group.addTask {
                for n in 0..<100 { try writer.writer.write { db in try db.execute(sql: "INSERT INTO watched VALUES (?)", arguments: [n]) } }
            }
            try await group.waitForAll()
        }
        let settled = try watch.version()
        #expect(settled != before)
        try await writer.writer.write { db in try db.execute(sql: "INSERT INTO watched VALUES (-1)") }
        #expect(try watch.version() != settled)
    }
}
