import Foundation
import PostgresNIO

/// Commit notices (issue 23 part 4): the store's triggers `pg_notify('efterhand_commit', table)`
/// in every transaction that changes the catalogue or the queue; PostgreSQL delivers it to every
/// listening connection when (and only when) the transaction commits.
extension PostgresIndex {
    public static let commitChannel = "efterhand_commit"

    /// Calls `look` once listening has begun, then after each commit notice, until it returns
    /// false. When the connection is lost, it listens again and calls `look` before waiting
    /// again (a commit may have come meanwhile), after `retryDelay`.
    public func followCommits(retryDelay: Duration = .seconds(1), _ look: () async throws -> Bool) async throws {
        while true {
            try Task.checkCancellation()
            do {
                let done = try await client.withConnection { connection in
                    try await connection.listen(on: Self.commitChannel) { notices in
                        if try await !look() { return true }
                        for try await _ in notices {
                            if try await !look() { return true }
                        }
                        return false
                    }
                }
                if done { return }
            } catch let error as PostgresStoreError {
                throw error
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                logger.warning("lost the commit notices of \(location): \(error); listening again")
            }
            try await Task.sleep(for: retryDelay)
        }
    }
}
