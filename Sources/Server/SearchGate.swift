import Feed
import Foundation
import NIOPosix
import NIOConcurrencyHelpers

/// Where searches run: on threads of their own, never on Swift's cooperative pool (a search
/// blocks its thread inside SQLite, and the pool has one thread per core, which `/healthz` and
/// every other request need), at most `running` at once, with at most `waiting` in line behind
/// them. A search past the line is refused at once (503 `busy`) rather than queued without end.
final class SearchGate: Sendable {
    /// Searches at once: one per core, at least two.
    let running: Int
    /// Searches that may wait for a turn.
    let waiting: Int
    /// How long one search may take inside SQLite before it is stopped.
    let timeLimit: Duration

    private let state = NIOLockedValueBox<(running: Int, line: [CheckedContinuation<Bool, Never>])>((0, []))
    /// One thread per search that may run at once.
    private let pool: NIOThreadPool

    init(running: Int = max(2, ProcessInfo.processInfo.activeProcessorCount), waiting: Int = 256, timeLimit: Duration = .seconds(2)) {
        self.running = running
        self.waiting = waiting
        self.timeLimit = timeLimit
        pool = NIOThreadPool(numberOfThreads: running)
        pool.start()
    }

    deinit {
        pool.shutdownGracefully { _ in }
    }

    /// Runs `body` when a turn comes, on the gate's threads; nil when the line is full.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T? {
        guard await enter() else { return nil }
        defer { leave() }
        return try await pool.runIfActive(body)
    }

    /// Takes a turn now, or a place in line (resumed by `leave()`), or, with the line full,
    /// nothing: one decision under the lock. A free turn is taken first without suspending.
    private func enter() async -> Bool {
        let free = state.withLockedValue { state -> Bool in
            guard state.running < running else { return false }
            state.running += 1
            return true
        }
        if free { return true }
        return await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            enum Turn { case now, queued, full }
            let turn = state.withLockedValue { state -> Turn in
                if state.running < running {
                    state.running += 1
                    return .now
                }
                guard state.line.count < waiting else { return .full }
                state.line.append(continuation)
                return .queued
            }
            switch turn {
            case .now: continuation.resume(returning: true)
            case .full: continuation.resume(returning: false)
            case .queued: break
            }
        }
    }

    /// Searches waiting for a turn now.
    var lineLength: Int { state.withLockedValue { $0.line.count } }

    /// Hands the turn to the first in line, or gives it back.
    private func leave() {
        let next = state.withLockedValue { state -> CheckedContinuation<Bool, Never>? in
            if state.line.isEmpty {
                state.running -= 1
                return nil
            }
            return state.line.removeFirst()
        }
        next?.resume(returning: true)
    }
}
