import Foundation
import NIOPosix
import NIOConcurrencyHelpers

/// Where searches run: on threads of their own, never on Swift's cooperative pool (a search
/// blocks its thread inside SQLite, and the pool has one thread per core, which `/healthz` and
/// every other request need), at most `running` at once, with at most `waiting` in line behind
/// them. A search past the line is refused at once (503 `busy`) rather than queued without end.
///
/// The search's task runs on the gate's threads (a task executor preference), so that it gets
/// there in one hop and goes on from there to its answer, instead of waiting for a turn, hopping
/// to a worker and hopping back: under a portal's distinct queries the thread wake-ups of those
/// hops cost a fifth of the server's throughput (issue 20).
final class SearchGate: Sendable {
    /// Searches at once: one per core, at least two.
    let running: Int
    /// Searches that may wait for a turn.
    let waiting: Int
    /// How long one search may take inside SQLite before it is stopped.
    let timeLimit: Duration

    /// Searches let in: running, or in the executor's line.
    private let admitted = NIOLockedValueBox(0)
    private let executor: GateExecutor

    init(running: Int = max(2, ProcessInfo.processInfo.activeProcessorCount), waiting: Int = 256, timeLimit: Duration = .seconds(2)) {
        self.running = running
        self.waiting = waiting
        self.timeLimit = timeLimit
        executor = GateExecutor(threads: running)
    }

    /// Runs `body` when a turn comes, on the gate's threads; nil when the line is full.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T? {
        let allowed = running + waiting
        let entered = admitted.withLockedValue { count -> Bool in
            guard count < allowed else { return false }
            count += 1
            return true
        }
        guard entered else { return nil }
        defer { admitted.withLockedValue { $0 -= 1 } }
        return try await withTaskExecutorPreference(executor) { try body() }
    }

    /// Searches waiting for a turn now.
    var lineLength: Int { max(0, admitted.withLockedValue { $0 } - running) }
}

/// A task executor on a few threads of its own: the jobs of the tasks that prefer it run there,
/// in the order they come, one per thread at a time.
final class GateExecutor: TaskExecutor, Sendable {
    private let pool: NIOThreadPool

    init(threads: Int) {
        pool = NIOThreadPool(numberOfThreads: threads)
        pool.start()
    }

    deinit {
        pool.shutdownGracefully { _ in }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        pool.submit { _ in job.runSynchronously(on: executor) }
    }
}
