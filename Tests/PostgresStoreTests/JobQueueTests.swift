import Foundation
import Synchronization
import PostgresNIO
@testable import PostgresStore
import Testing

@Suite("PostgreSQL store: location, migrations, job queue")
struct JobQueueTests {
    @Test func locations() throws {
        let plain = try PostgresLocation(url: "postgres://anna:hemligt@db.example.se:6543/vecka?sslmode=require")
        #expect(plain.host == "db.example.se" && plain.port == 6543 && plain.user == "anna" && plain.password == "hemligt" && plain.database == "vecka" && plain.sslMode == "require")
        #expect(plain.description == "postgres://anna@db.example.se:6543/vecka", "the password never shows")
        let socket = try PostgresLocation(url: "postgresql://efterhand@/efterhand?host=/run/postgresql")
        #expect(socket.socketFolder == "/run/postgresql" && socket.sslMode == "disable")
        #expect(try PostgresLocation(url: "postgres://u@127.0.0.1").database == "u")
        for bad in ["Index", "postgres://127.0.0.1/x", "postgres://u@h:70000/x", "postgres://u@h/x?sslmode=maybe", "mysql://u@h/x"] {
            #expect(throws: PostgresStoreError.self, "\(bad)") { try PostgresLocation(url: bad) }
        }
    }

    @Test func migrationsRunOnceAndRefuseANewerStore() async throws {
        try await TestStore.with { location in
            // Three processes' worth of starts at once: the advisory lock makes one migrate.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<3 { group.addTask { try await PostgresIndex.with(location, timeout: TestStore.patience) { _ in } } }
                try await group.waitForAll()
            }
            try await PostgresIndex.with(location, timeout: TestStore.patience) { database in
                #expect(try await TestStore.value(database, "SELECT count(*)::int FROM schema_migration", as: Int.self) == PostgresMigrations.all.count)
                try await database.client.query("INSERT INTO schema_migration (identifier) VALUES ('v999')")
            }
            await #expect(throws: PostgresStoreError.self) { try await PostgresIndex.with(location, timeout: TestStore.patience) { _ in } }
        }
    }

    static func probe(_ number: Int, root: String = "week") -> JobRequest {
        ProbeJob(root: root, path: "day1/talk-\(number).mp4", fingerprint: "f\(number)", size: 1, mtime: 1).request
    }

    @Test func enqueueIsIdempotentWhileWaiting() async throws {
        try await TestStore.with { location in
            try await PostgresIndex.with(location, timeout: TestStore.patience) { database in
                try await database.client.query("INSERT INTO media_root (name) VALUES ('week')")
                #expect(try await database.enqueue((0..<5).map { Self.probe($0) }) == 5)
                #expect(try await database.enqueue((0..<7).map { Self.probe($0) }) == 2, "the five already waiting are not doubled")
                let job = try #require(try await database.claim(kinds: ["probe"], roots: ["week"], worker: "a", leaseSeconds: 30))
                #expect(try await database.finish(job) { _ in })
                #expect(try await database.enqueue([Self.probe(0)]) == 1, "done work may be owed again: the enqueuer decides")
            }
        }
    }

    @Test func claimsAreDisjointAndFollowTheRoots() async throws {
        try await TestStore.with { location in
            try await PostgresIndex.with(location, timeout: TestStore.patience) { database in
                try await database.client.query("INSERT INTO media_root (name) VALUES ('week'), ('other')")
                try await database.enqueue((0..<40).map { Self.probe($0) } + [Self.probe(99, root: "other")])
                // Eight claimers at once on their own connections.
                let claimed = try await withThrowingTaskGroup(of: [Int64].self) { group in
                    for worker in 0..<8 {
                        group.addTask {
                            var ids: [Int64] = []
                            while let job = try await database.claim(kinds: ["probe"], roots: ["week"], worker: "w\(worker)", leaseSeconds: 30) {
                                ids.append(job.id)
                            }
                            return ids
                        }
                    }
                    return try await group.reduce(into: []) { $0 += $1 }
                }
                #expect(claimed.count == 40 && Set(claimed).count == 40, "each job to one worker")
                #expect(try await database.claim(kinds: ["probe"], roots: ["week"], worker: "x", leaseSeconds: 30) == nil)
                #expect(try await database.claim(kinds: ["transcribe"], roots: ["other"], worker: "x", leaseSeconds: 30) == nil)
                let other = try #require(try await database.claim(kinds: ["probe"], roots: ["other"], worker: "x", leaseSeconds: 30))
                #expect(other.mediaRoot == "other")
            }
        }
    }

    @Test func anExpiredLeaseGoesToAnotherAndTheFirstCannotFinish() async throws {
        try await TestStore.with { location in
            try await PostgresIndex.with(location, timeout: TestStore.patience) { database in
                try await database.client.query("INSERT INTO media_root (name) VALUES ('week')")
                try await database.enqueue([Self.probe(1)])
                let first = try #require(try await database.claim(kinds: ["probe"], roots: ["week"], worker: "first", leaseSeconds: 1))
                #expect(try await database.heartbeat(first, leaseSeconds: 1))
                #expect(try await database.claim(kinds: ["probe"], roots: ["week"], worker: "second", leaseSeconds: 30) == nil, "held")
                try await Task.sleep(for: .milliseconds(1300))
                let second = try #require(try await database.claim(kinds: ["probe"], roots: ["week"], worker: "second", leaseSeconds: 30))
                #expect(second.id == first.id && second.attempt == 2)
                #expect(try await database.heartbeat(first, leaseSeconds: 30) == false)
                #expect(try await database.finish(first) { connection in
                    try await connection.query("INSERT INTO media_root (name) VALUES ('written-by-first')")
                } == false)
                #expect(try await database.fail(first, reason: "late", permanent: false) == false)
                #expect(try await database.finish(second) { _ in })
                #expect(try await TestStore.value(database, "SELECT count(*)::int FROM media_root WHERE name = 'written-by-first'", as: Int.self) == 0)
                let attempts = try await database.client.query("SELECT attempt, worker, outcome, COALESCE(reason, '') FROM job_attempt ORDER BY attempt")
                var rows: [String] = []
                for try await (attempt, worker, outcome, reason) in attempts.decode((Int, String, String, String).self) {
                    rows.append("\(attempt) \(worker) \(outcome) \(reason.contains("stopped renewing its lease"))")
                }
                #expect(rows == ["1 first lease expired true", "2 second done false"])
            }
        }
    }

    @Test func failuresKeepTheirReasonsAndAttemptsAreBounded() async throws {
        try await TestStore.with { location in
            try await PostgresIndex.with(location, timeout: TestStore.patience) { database in
                try await database.client.query("INSERT INTO media_root (name) VALUES ('week')")
                try await database.enqueue([Self.probe(1), Self.probe(2)])
                // A transient failure waits (doubling), then is tried again, until attempts are spent.
                for attempt in 1...3 {
                    try await database.client.query("UPDATE job SET not_before = now() WHERE key LIKE '%f1'")
                    let job = try #require(try await database.claim(kinds: ["probe"], roots: ["week"], worker: "w", leaseSeconds: 30))
                    #expect(job.key.hasSuffix("f1") && job.attempt == attempt)
                    #expect(try await database.fail(job, reason: "share not mounted (\(attempt))", permanent: false, retryAfter: 10))
                    if attempt < 3 {
                        let wait = try await TestStore.value(database, "SELECT extract(epoch FROM not_before - now())::float8 FROM job WHERE key LIKE '%f1'", as: Double.self) ?? 0
                        #expect(wait > Double(10 << (attempt - 1)) - 2, "attempt \(attempt) waits \(wait) s")
                    }
                }
                let permanent = try #require(try await database.claim(kinds: ["probe"], roots: ["week"], worker: "w", leaseSeconds: 30))
                #expect(try await database.fail(permanent, reason: "payload is not a probe", permanent: true))
                let failed = try await database.failedJobs()
                #expect(failed.map(\.reason) == ["share not mounted (3)", "payload is not a probe"])
                #expect(failed.map(\.attempts) == [3, 1])
                #expect(try await database.claim(kinds: ["probe"], roots: ["week"], worker: "w", leaseSeconds: 30) == nil)
                #expect(try await database.retryFailed() == 2)
                let again = try #require(try await database.claim(kinds: ["probe"], roots: ["week"], worker: "w", leaseSeconds: 30))
                #expect(again.attempt == 4 && again.maxAttempts == 6, "earlier attempts stay in the log")
            }
        }
    }

    @Test func aCommitIsHeardBeforeASecondPasses() async throws {
        try await TestStore.with { location in
            try await PostgresIndex.with(location, timeout: TestStore.patience) { database in
                try await database.client.query("INSERT INTO media_root (name) VALUES ('week')")
                let heard = try await withThrowingTaskGroup(of: Duration?.self) { group in
                    let clock = ContinuousClock()
                    let sent = SentAt()
                    group.addTask {
                        var looks = 0
                        try await database.followCommits {
                            looks += 1
                            return looks < 2
                        }
                        return sent.instant.withLock { $0 }.map { clock.now - $0 }
                    }
                    group.addTask {
                        try await Task.sleep(for: .milliseconds(300))
                        // Another process's commit: a pool connection of its own.
                        try await PostgresIndex.with(location, timeout: TestStore.patience) { other in
                            sent.instant.withLock { $0 = clock.now }
                            try await other.enqueue([Self.probe(1)])
                        }
                        return nil
                    }
                    var heard: Duration?
                    for try await result in group { if let result { heard = result } }
                    return heard
                }
                let delay = try #require(heard)
                #expect(delay < .seconds(1), "heard after \(delay)")
            }
        }
    }
}

/// When the other process committed.
final class SentAt: Sendable {
    let instant = Mutex<ContinuousClock.Instant?>(nil)
}
