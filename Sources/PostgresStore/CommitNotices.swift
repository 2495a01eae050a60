import Foundation
import PostgresNIO

/// Commit notices (issue 23 part 4): the store's triggers `pg_notify('efterhand_commit', table)`
/// in every transaction that changes the catalogue or the queue; PostgreSQL delivers it to every
/// listening connection when (and only when) the transaction commits.
extension PostgresIndex {
    public static let commitChannel = "efterhand_commit"

    /// Calls `look` once listening has begun, then after each commit notice, until it returns
    /// false. Listens on a connection of its own (not the pool's: a pooled connection comes back
    /// to the pool between uses); when it is lost, or `look` throws something other than a
    /// `PostgresStoreError`, it connects again after `retryDelay` and calls `look` before waiting
    /// again (a commit may have come meanwhile).
    public func followCommits(retryDelay: Duration = .seconds(1), _ look: () async throws -> Bool) async throws {
        var attempt = 0
        while true {
            try Task.checkCancellation()
            attempt += 1
            var connection: PostgresConnection?
            do {
                let made = try await PostgresConnection.connect(configuration: location.connectionConfiguration(), id: attempt, logger: logger)
                connection = made
                let notices = try await made.listen(Self.commitChannel)
                if try await !look() {
                    try? await made.close()
                    return
                }
                for try await _ in notices {
                    if try await !look() {
                        try? await made.close()
                        return
                    }
                }
                // The sequence ends when the task is cancelled (a worker or server stopping) or the
                // connection closed under it.
                try Task.checkCancellation()
                logger.warning("the commit notices of \(location) stopped; listening again")
            } catch let error as PostgresStoreError {
                try? await connection?.close()
                throw error
            } catch is CancellationError {
                try? await connection?.close()
                throw CancellationError()
            } catch {
                logger.warning("lost the commit notices of \(location): \(String(reflecting: error)); listening again")
            }
            try? await connection?.close()
            try await Task.sleep(for: retryDelay)
        }
    }
}
