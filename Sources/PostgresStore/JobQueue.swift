import Foundation
import Logging
import PostgresNIO

/// One piece of work in the `job` table: what to do (`kind`), on what (`key`: the same work
/// enqueued again while it waits or runs is the same job), where its files are (`mediaRoot`),
/// and its details as JSON.
public struct JobRequest: Sendable, Equatable {
    public var kind: String
    public var key: String
    public var mediaRoot: String?
    public var payload: String
    public var maxAttempts: Int

    public init(kind: String, key: String, mediaRoot: String?, payload: String, maxAttempts: Int = 3) {
        self.kind = kind
        self.key = key
        self.mediaRoot = mediaRoot
        self.payload = payload
        self.maxAttempts = maxAttempts
    }
}

/// A job a worker holds: the claim's attempt number is part of its identity, so a worker whose
/// lease expired and was taken over can no longer finish, fail or renew it.
public struct ClaimedJob: Sendable, Equatable {
    public let id: Int64
    public let kind: String
    public let key: String
    public let mediaRoot: String?
    public let payload: String
    public let attempt: Int
    public let maxAttempts: Int
    public let worker: String
}

/// How the queue stands, per kind and state.
public struct JobCounts: Sendable, Equatable {
    public var byKindAndState: [String: [String: Int]] = [:]

    public func count(_ kind: String? = nil, state: String) -> Int {
        byKindAndState.filter { kind == nil || $0.key == kind }.values.reduce(0) { $0 + ($1[state] ?? 0) }
    }

    /// No job waits or runs.
    public var idle: Bool { count(state: "queued") + count(state: "running") == 0 }
}

/// A job that failed for good, with the reason of its last attempt.
public struct FailedJob: Sendable, Equatable {
    public let id: Int64
    public let kind: String
    public let key: String
    public let attempts: Int
    public let reason: String
}

/// Work as jobs in PostgreSQL (issue 23 part 3): claimed with `FOR UPDATE SKIP LOCKED`, so that
/// workers on several machines get disjoint jobs; held by a lease that a heartbeat renews; a job
/// whose lease ran out (its worker died or hung) goes back to the queue for another, until its
/// attempts are spent. A job's result is written in the same transaction that marks it done, and
/// only while the worker still holds it: each job's work lands exactly once.
extension PostgresIndex {
    /// Adds the jobs not already waiting or running (same kind and key; a `link` job only not
    /// already waiting: one that runs may have read the store before the work it should link
    /// was done); returns how many were new.
    @discardableResult
    public func enqueue(_ requests: [JobRequest]) async throws -> Int {
        guard !requests.isEmpty else { return 0 }
        return try await transaction { connection in try await self.enqueue(requests, on: connection) }
    }

    /// Inside the caller's transaction (a relink enqueues the spans it linked): as `enqueue`.
    func enqueue(_ requests: [JobRequest], on connection: PostgresConnection) async throws -> Int {
        var inserted = 0
        // In batches, so that one bind array stays well under the protocol's limits.
        for start in stride(from: 0, to: requests.count, by: 1000) {
            let batch = Array(requests[start..<min(start + 1000, requests.count)])
            let kinds = batch.map(\.kind), keys = batch.map(\.key), roots = batch.map { $0.mediaRoot ?? "" }
            let payloads = batch.map(\.payload), attempts = batch.map(\.maxAttempts)
            let rows = try await connection.query("""
                INSERT INTO job (kind, key, media_root, payload, max_attempts)
                SELECT kind, key, NULLIF(root, ''), payload::jsonb, attempts
                FROM unnest(\(kinds)::text[], \(keys)::text[], \(roots)::text[], \(payloads)::text[], \(attempts)::int[]) AS t(kind, key, root, payload, attempts)
                ON CONFLICT (kind, key) WHERE state = 'queued' OR (state = 'running' AND kind <> 'link') DO NOTHING
                RETURNING id
                """, logger: logger)
            for try await _ in rows.decode(Int64.self) { inserted += 1 }
        }
        return inserted
    }

    /// Takes the oldest waiting job of one of `kinds` whose media root is among `roots` (or that
    /// needs none), for `worker`, with a lease of `leaseSeconds`. First returns to the queue the
    /// jobs whose lease ran out (their attempt noted as expired), or fails them when their
    /// attempts are spent. Nil when nothing is waiting.
    public func claim(kinds: [String], roots: [String], worker: String, leaseSeconds: Double) async throws -> ClaimedJob? {
        try await transaction { connection in
            try await connection.query("""
                WITH expired AS (
                    SELECT id, attempts, worker, COALESCE(lease_until, now()) AS since FROM job
                    WHERE state = 'running' AND lease_until < now()
                    FOR UPDATE SKIP LOCKED),
                released AS (
                    UPDATE job SET state = CASE WHEN job.attempts >= job.max_attempts THEN 'failed' ELSE 'queued' END,
                        worker = NULL, lease_until = NULL,
                        finished_at = CASE WHEN job.attempts >= job.max_attempts THEN now() END
                    FROM expired WHERE job.id = expired.id RETURNING job.id)
                INSERT INTO job_attempt (job_id, attempt, worker, started_at, outcome, reason)
                SELECT id, attempts, COALESCE(worker, '?'), since, 'lease expired',
                       'the worker ' || COALESCE(worker, '?') || ' stopped renewing its lease (it stopped, hung or lost the database)'
                FROM expired
                ON CONFLICT (job_id, attempt) DO NOTHING
                """, logger: self.logger)
            let rows = try await connection.query("""
                UPDATE job SET state = 'running', worker = \(worker), attempts = attempts + 1,
                    lease_until = now() + make_interval(secs => \(leaseSeconds))
                WHERE id = (
                    SELECT id FROM job
                    WHERE state = 'queued' AND not_before <= now() AND kind = ANY(\(kinds))
                      AND (media_root IS NULL OR media_root = ANY(\(roots)))
                      -- Linking waits for the probes: it links what they found.
                      AND (kind <> 'link' OR NOT EXISTS (SELECT 1 FROM job AS probe WHERE probe.kind = 'probe' AND probe.state IN ('queued', 'running')))
                      -- Captions wait for the links too: a draft without a language takes its session's.
                      AND (kind <> 'captions' OR NOT EXISTS (SELECT 1 FROM job AS other WHERE other.kind IN ('probe', 'link') AND other.state IN ('queued', 'running')))
                    ORDER BY id LIMIT 1
                    FOR UPDATE SKIP LOCKED)
                RETURNING id, kind, key, media_root, payload::text, attempts, max_attempts
                """, logger: self.logger)
            var claimed: ClaimedJob?
            for try await (id, kind, key, root, payload, attempt, maxAttempts) in rows.decode((Int64, String, String, String?, String, Int, Int).self) {
                claimed = ClaimedJob(id: id, kind: kind, key: key, mediaRoot: root, payload: payload, attempt: attempt, maxAttempts: maxAttempts, worker: worker)
            }
            return claimed
        }
    }

    /// Renews the lease; false when the worker no longer holds the job (its lease ran out and
    /// another took it, or it was finished): the worker must then drop its work.
    public func heartbeat(_ job: ClaimedJob, leaseSeconds: Double) async throws -> Bool {
        let rows = try await run("""
            UPDATE job SET lease_until = now() + make_interval(secs => \(leaseSeconds))
            WHERE id = \(job.id) AND worker = \(job.worker) AND attempts = \(job.attempt) AND state = 'running'
            RETURNING id
            """)
        var held = false
        for try await _ in rows.decode(Int64.self) { held = true }
        return held
    }

    /// Writes the job's result (`write`, in the same transaction) and marks it done, only while
    /// `job.worker` still holds it; false (and nothing written) when it does not.
    public func finish(_ job: ClaimedJob, write: (PostgresConnection) async throws -> Void) async throws -> Bool {
        try await transaction { connection in
            guard try await self.holds(job, on: connection) else { return false }
            try await write(connection)
            try await connection.query("""
                UPDATE job SET state = 'done', worker = NULL, lease_until = NULL, finished_at = now() WHERE id = \(job.id)
                """, logger: self.logger)
            try await self.noteAttempt(job, outcome: "done", reason: nil, on: connection)
            return true
        }
    }

    /// Notes a failed attempt and its reason. The job waits `retryAfter` seconds (doubling with
    /// each attempt) before another try, or fails for good when `permanent` or its attempts are
    /// spent. False when the worker no longer held it.
    public func fail(_ job: ClaimedJob, reason: String, permanent: Bool, retryAfter: Double = 10) async throws -> Bool {
        try await transaction { connection in
            guard try await self.holds(job, on: connection) else { return false }
            let last = permanent || job.attempt >= job.maxAttempts
            let delay = min(600, retryAfter * pow(2, Double(max(0, job.attempt - 1))))
            try await connection.query("""
                UPDATE job SET state = \(last ? "failed" : "queued"), worker = NULL, lease_until = NULL,
                    not_before = now() + make_interval(secs => \(last ? 0 : delay)),
                    finished_at = CASE WHEN \(last) THEN now() END
                WHERE id = \(job.id)
                """, logger: self.logger)
            try await self.noteAttempt(job, outcome: "failed", reason: reason, on: connection)
            return true
        }
    }

    /// Whether `job.worker` holds the job now; locks its row until the transaction ends, so that
    /// no claim takes it over meanwhile.
    private func holds(_ job: ClaimedJob, on connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.query("""
            SELECT id FROM job WHERE id = \(job.id) AND worker = \(job.worker) AND attempts = \(job.attempt) AND state = 'running'
            FOR UPDATE
            """, logger: logger)
        var held = false
        for try await _ in rows.decode(Int64.self) { held = true }
        return held
    }

    private func noteAttempt(_ job: ClaimedJob, outcome: String, reason: String?, on connection: PostgresConnection) async throws {
        try await connection.query("""
            INSERT INTO job_attempt (job_id, attempt, worker, started_at, outcome, reason)
            VALUES (\(job.id), \(job.attempt), \(job.worker), now(), \(outcome), \(reason))
            """, logger: logger)
    }

    /// The queue's counts per kind and state.
    public func jobCounts() async throws -> JobCounts {
        var counts = JobCounts()
        let rows = try await run("SELECT kind, state, count(*)::int FROM job GROUP BY kind, state")
        for try await (kind, state, count) in rows.decode((String, String, Int).self) {
            counts.byKindAndState[kind, default: [:]][state] = count
        }
        return counts
    }

    /// Jobs that failed for good, with the reason of their last attempt.
    public func failedJobs(limit: Int = 100) async throws -> [FailedJob] {
        let rows = try await run("""
            SELECT job.id, job.kind, job.key, job.attempts,
                   COALESCE((SELECT reason FROM job_attempt a WHERE a.job_id = job.id ORDER BY attempt DESC LIMIT 1), '')
            FROM job WHERE state = 'failed' ORDER BY id LIMIT \(limit)
            """)
        var failed: [FailedJob] = []
        for try await (id, kind, key, attempts, reason) in rows.decode((Int64, String, String, Int, String).self) {
            failed.append(FailedJob(id: id, kind: kind, key: key, attempts: attempts, reason: reason))
        }
        return failed
    }

    /// Puts jobs that failed for good back in the queue with `tries` more attempts (an operator
    /// fixed the cause); their earlier attempts stay in the log. Returns how many.
    @discardableResult
    public func retryFailed(kind: String? = nil, tries: Int = 3) async throws -> Int {
        let rows = try await run("""
            UPDATE job SET state = 'queued', max_attempts = attempts + \(max(1, tries)), not_before = now(), finished_at = NULL
            WHERE state = 'failed' AND (\(kind)::text IS NULL OR kind = \(kind))
            RETURNING id
            """)
        var count = 0
        for try await _ in rows.decode(Int64.self) { count += 1 }
        return count
    }
}
