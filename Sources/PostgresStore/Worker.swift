import Foundation
import Logging
import MediaProbe
import Pipeline
import PostgresNIO
import Speech

/// What `efterhand worker` is told.
public struct WorkerOptions: Sendable {
    /// The kinds of job this worker takes.
    public var kinds: [String] = Worker.kinds
    /// Jobs run at once.
    public var concurrency = 1
    /// How long a claim holds a job without a heartbeat; the heartbeat renews it every third of it.
    public var leaseSeconds: Double = 60
    /// Where this machine finds each media root.
    public var roots = MediaRootMap()
    /// Stop when no job of its kinds waits or runs, instead of waiting for more.
    public var untilIdle = false
    /// How this worker signs its claims: host and process, so an operator can find it.
    public var name = "\(ProcessInfo.processInfo.hostName):\(getpid())"
    /// Between looks at the queue when no commit notice comes (a lease that runs out sends none).
    public var pollSeconds: Double = 2
    public var probe = ProbeOptions()
    /// The speech engine for transcribe jobs (none: the worker takes none), and its windows.
    public var engine: (any SpeechEngine)?
    public var transcribe = TranscribeOptions()

    public init() {}
}

/// What a worker did.
public struct WorkerSummary: Sendable, Equatable {
    public var done = 0
    public var failed = 0
    /// Jobs whose lease this worker lost before it finished (another worker has them).
    public var lost = 0
}

/// `efterhand worker`: claims jobs of its kinds from the PostgreSQL store and runs them, any
/// number of them on any number of machines that see the media.
public struct Worker: Sendable {
    /// The kinds a worker takes unless told: those that need no speech engine.
    public static let kinds = [ProbeJob.kind, LinkJob.kind, CaptionsJob.kind, ThumbnailJob.kind]
    /// Every kind this build can run.
    public static let allKinds = [ProbeJob.kind, LinkJob.kind, CaptionsJob.kind, ThumbnailJob.kind, TranscribeJob.kind, ListenJob.kind]
    /// The kinds that need a speech engine.
    public static let speechKinds = [TranscribeJob.kind, ListenJob.kind]

    let database: PostgresIndex
    let options: WorkerOptions
    let logger = Logger(label: "efterhand.worker")

    public init(database: PostgresIndex, options: WorkerOptions) throws(PostgresStoreError) {
        for kind in options.kinds where !Self.allKinds.contains(kind) {
            throw .worker("unknown job kind '\(kind)' (this build runs \(Self.allKinds.joined(separator: ", ")))")
        }
        if let kind = options.kinds.first(where: Self.speechKinds.contains), options.engine == nil {
            throw .worker("\(kind) jobs need a speech engine: --speech-command or --speech-url (as `efterhand transcribe` takes them)")
        }
        guard options.concurrency >= 1, options.leaseSeconds >= 1 else {
            throw .worker("--concurrency and --lease-seconds must be at least 1")
        }
        self.database = database
        self.options = options
    }

    /// Runs until cancelled, or with `untilIdle` until the queue holds nothing of its kinds.
    public func run() async throws -> WorkerSummary {
        let bell = Bell()
        return try await withThrowingTaskGroup(of: WorkerSummary?.self) { group in
            // Every commit (a job enqueued, finished or given back) rings; a lease that runs out
            // sends no notice, so the slots also look every `pollSeconds`.
            group.addTask {
                do {
                    try await database.followCommits { await bell.ring(); return true }
                } catch is CancellationError {}
                return nil
            }
            for _ in 0..<options.concurrency {
                group.addTask { try await self.slot(bell: bell) }
            }
            var summary = WorkerSummary(), slots = options.concurrency
            while slots > 0, let ended = try await group.next() {
                guard let ended else { continue }
                slots -= 1
                summary.done += ended.done
                summary.failed += ended.failed
                summary.lost += ended.lost
            }
            group.cancelAll()
            return summary
        }
    }

    /// One job at a time: claims, runs, and when there is none waits for the bell.
    /// Stopped (cancelled), it finishes the job in hand and claims no other.
    func slot(bell: Bell) async throws -> WorkerSummary {
        var summary = WorkerSummary()
        while !Task.isCancelled {
            let claimed: ClaimedJob?
            do {
                claimed = try await database.claim(kinds: options.kinds, roots: options.roots.names, worker: options.name, leaseSeconds: options.leaseSeconds)
            } catch where Task.isCancelled {
                break
            }
            guard let job = claimed else {
                if options.untilIdle, try await database.jobCounts().idle(kinds: options.kinds) { break }
                await bell.wait(seconds: options.pollSeconds)
                continue
            }
            logger.info("\(job.kind) job \(job.id) (\(job.key)), attempt \(job.attempt) of \(job.maxAttempts)")
            switch try await perform(job) {
            case .done: summary.done += 1
            case .failed: summary.failed += 1
            case .lost:
                summary.lost += 1
                logger.warning("\(job.kind) job \(job.id): lost its lease before it finished; another worker has it")
            }
        }
        return summary
    }

    enum Ending { case done, failed, lost }

    /// Runs one job with a heartbeat beside it, then stores its result only if the lease still holds.
    func perform(_ job: ClaimedJob) async throws -> Ending {
        let heartbeat = Task {
            while !Task.isCancelled {
                try await Task.sleep(for: .seconds(options.leaseSeconds / 3))
                guard try await database.heartbeat(job, leaseSeconds: options.leaseSeconds) else { return }
            }
        }
        defer { heartbeat.cancel() }
        if job.kind == LinkJob.kind {
            // The relink is written in the transaction that marks the job done.
            let database = database, minutes = LinkJob.decode(job).segmentMinutes
            return try await finished(job) { _ = try await database.relink(on: $0, segmentMinutes: minutes) }
        }
        if job.kind == CaptionsJob.kind {
            do {
                let captions = try CaptionsJob.decode(job)
                // Not stored (or no longer ok): nothing to read; done.
                guard let known = try await captions.known(in: database) else { return try await finished(job) { _ in } }
                let roots = options.roots, deadline = options.probe.timeout
                let read = try await Self.blocking { () throws(JobFailure) in try captions.run(known, roots: roots, deadline: deadline) }
                for problem in read.problems { logger.warning("captions job \(job.id): \(problem)") }
                let database = database
                return try await finished(job) { try await captions.store(read, known: known, on: $0, database: database) }
            } catch let failure as JobFailure {
                return try await failed(job, failure)
            }
        }
        if job.kind == ThumbnailJob.kind {
            do {
                let pictures = try ThumbnailJob.decode(job)
                let wanted = try await pictures.wanted(in: database)
                let roots = options.roots, deadline = options.probe.timeout
                // FFmpeg blocks: off Swift's cooperative threads.
                let (made, failed) = try await Self.blocking { () throws(JobFailure) in try pictures.run(wanted, roots: roots, deadline: deadline) }
                // What was made is kept and the job is done; a picture that could not be made is
                // named in the log (the next relink asks for it again).
                let ending = try await finished(job) { try await ThumbnailJob.store(made, on: $0) }
                if let first = failed.first, ending == .done {
                    logger.warning("thumbnail job \(job.id): \(failed.count) of \(wanted.count) pictures could not be made, the first: \(first)")
                }
                return ending
            } catch let failure as JobFailure {
                return try await failed(job, failure)
            }
        }
        if job.kind == TranscribeJob.kind, let engine = options.engine {
            do {
                let span = try TranscribeJob.decode(job)
                let roots = options.roots, transcribe = options.transcribe
                // Decoding and the engine block: off Swift's cooperative threads, so heartbeats keep their time.
                let listened = try await span.listened(in: database)
                let heard = try await Self.blocking { () throws(JobFailure) in try span.run(roots: roots, engine: engine, options: transcribe, listened: listened) }
                let database = database, source = engine.source
                return try await finished(job) { connection in
                    if let heard { try await span.store(heard, source: source, on: connection, database: database) }
                }
            } catch let failure as JobFailure {
                return try await failed(job, failure)
            }
        }
        if job.kind == ListenJob.kind, let engine = options.engine {
            do {
                let listen = try ListenJob.decode(job)
                guard let (id, listened, pieces) = try await listen.due(in: database, engine: engine) else { return try await finished(job) { _ in } }
                let roots = options.roots
                let before = listen.prompt == nil ? [] : try await ListenJob.cues(recordingID: id, source: engine.source, in: database)
                let heard = try await Self.blocking { () throws(JobFailure) in
                    try listen.run(pieces, listened: listened, before: before, roots: roots, engine: engine)
                }
                let database = database, source = engine.source
                return try await finished(job) { connection in
                    if let heard {
                        try await listen.store(heard, pieces: pieces, listened: listened, recordingID: id, source: source, on: connection, database: database)
                    }
                }
            } catch let failure as JobFailure {
                return try await failed(job, failure)
            }
        }
        do {
            let probe = try ProbeJob.decode(job)
            let roots = options.roots, prober = Prober(options: options.probe)
            // FFmpeg blocks: off Swift's cooperative threads, so heartbeats keep their time.
            let outcome = try await Self.blocking { () throws(JobFailure) in try probe.run(roots: roots, prober: prober) }
            let database = database
            return try await finished(job) { connection in
                try await probe.store(outcome, on: connection)
                // Subtitle streams are read once the links are known (their language may be the session's).
                if outcome.subtitled { _ = try await database.enqueue([CaptionsJob(root: probe.root, path: probe.path).request], on: connection) }
            }
        } catch let failure as JobFailure {
            return try await failed(job, failure)
        }
    }

    /// Writes a job's result and marks it done (`PostgresIndex.finish`), even when the worker is
    /// being stopped (SIGTERM): the job in hand is done, not lost. `.lost` when another holds it now.
    func finished(_ job: ClaimedJob, write: @escaping @Sendable (PostgresConnection) async throws -> Void) async throws -> Ending {
        let database = database
        return try await Task.detached { try await database.finish(job, write: write) }.value ? .done : .lost
    }

    /// Notes a failed attempt (even when the worker is being stopped).
    func failed(_ job: ClaimedJob, _ failure: JobFailure) async throws -> Ending {
        let permanent = if case .permanent = failure { true } else { false }
        logger.warning("\(job.kind) job \(job.id) failed: \(failure)")
        let database = database
        return try await Task.detached { try await database.fail(job, reason: failure.description, permanent: permanent) }.value ? .failed : .lost
    }

    /// Runs `work` on a thread of Dispatch's pool.
    static func blocking<T: Sendable>(_ work: @escaping @Sendable () throws(JobFailure) -> T) async throws(JobFailure) -> T {
        let result: Result<T, JobFailure> = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: Result { () throws(JobFailure) in try work() })
            }
        }
        return try result.get()
    }
}

extension JobCounts {
    /// No job of `kinds` waits or runs.
    public func idle(kinds: [String]) -> Bool {
        kinds.allSatisfy { count($0, state: "queued") + count($0, state: "running") == 0 }
    }
}

/// Wakes every waiting slot at once; a wait also ends after its time.
actor Bell {
    private var waiting: [Int: CheckedContinuation<Void, Never>] = [:]
    private var next = 0

    func ring() {
        let all = waiting
        waiting = [:]
        for continuation in all.values { continuation.resume() }
    }

    func wait(seconds: Double) async {
        next += 1
        let ticket = next
        await withCheckedContinuation { continuation in
            waiting[ticket] = continuation
            Task {
                try? await Task.sleep(for: .seconds(seconds))
                self.end(ticket)
            }
        }
    }

    private func end(_ ticket: Int) {
        waiting.removeValue(forKey: ticket)?.resume()
    }
}
