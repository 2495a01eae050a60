import Foundation
import Logging
import PostgresNIO

/// One PostgreSQL store: a postgres-nio pool (`PostgresClient`) and the statements efterhand
/// runs on it. The pool must run while the store is used: commands use `with(_:_:)`, which runs
/// it for the length of a closure; `serve` adds `client` to its service group.
public final class PostgresIndex: Sendable {
    public let location: PostgresLocation
    public let client: PostgresClient
    let logger: Logger

    /// The statements' logger (warnings only unless --verbose).
    public static let quiet = Logger(label: "efterhand.postgres")

    public init(location: PostgresLocation, logger: Logger = PostgresIndex.quiet) {
        self.location = location
        self.logger = logger
        var configuration = location.configuration
        configuration.options.maximumConnections = 16
        client = PostgresClient(configuration: configuration, backgroundLogger: logger)
    }

    /// Runs the pool, checks that the server answers (within `timeout`), migrates, runs `body`,
    /// and stops the pool.
    public static func with<Result: Sendable>(
        _ location: PostgresLocation, migrate: Bool = true, timeout: Duration = .seconds(15),
        _ body: @Sendable (PostgresIndex) async throws -> Result
    ) async throws -> Result {
        let database = PostgresIndex(location: location)
        return try await withThrowingTaskGroup(of: Result?.self) { group in
            group.addTask {
                await database.client.run()
                return nil
            }
            defer { group.cancelAll() }
            try await database.connect(timeout: timeout)
            if migrate { try await database.migrate() }
            return try await body(database)
        }
    }

    /// Waits for one answer from the server, and says so in words when none comes: postgres-nio's
    /// pool keeps retrying a refused connection, so without a limit a wrong URL would hang.
    public func connect(timeout: Duration = .seconds(15)) async throws {
        let location = location
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try await self.client.query("SELECT 1", logger: self.logger)
                return true
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return false
            }
            defer { group.cancelAll() }
            do {
                guard try await group.next() == true else {
                    throw PostgresStoreError.server("no answer from \(location) within \(timeout) (is the server running, and the URL right?)")
                }
            } catch let error as PostgresStoreError {
                throw error
            } catch {
                throw PostgresStoreError.from(error, at: location)
            }
        }
    }

    /// Runs the migrations this store has not had, in order, each in its own transaction, under
    /// an advisory lock (so that processes starting together migrate once). Refuses a store with
    /// migrations this build does not know: a newer efterhand made it.
    public func migrate() async throws {
        try await transaction { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.migrationLock))", logger: self.logger)
            try await connection.query("CREATE TABLE IF NOT EXISTS schema_migration (identifier TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())", logger: self.logger)
            var applied = Set<String>()
            for try await identifier in try await connection.query("SELECT identifier FROM schema_migration", logger: self.logger).decode(String.self) {
                applied.insert(identifier)
            }
            let known = Set(PostgresMigrations.all.map(\.identifier))
            if let unknown = applied.subtracting(known).sorted().first {
                throw PostgresStoreError.newerSchema("the store at \(self.location) has migration \(unknown), which this efterhand does not know: use a newer efterhand")
            }
            for migration in PostgresMigrations.all where !applied.contains(migration.identifier) {
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: self.logger)
                }
                try await connection.query("INSERT INTO schema_migration (identifier) VALUES (\(migration.identifier))", logger: self.logger)
            }
        }
    }

    /// The advisory lock key migrations hold ("efterhnd" as 8 bytes).
    static let migrationLock: Int64 = 0x6566_7465_7268_6e64

    /// Runs `body` in a transaction; postgres-nio's errors become `PostgresStoreError`s.
    func transaction<Result: Sendable>(_ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        do {
            return try await client.withTransaction(logger: logger) { connection in
                try await body(connection)
            }
        } catch let error as PostgresStoreError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch let error as PostgresTransactionError {
            if error.closureError is CancellationError { throw CancellationError() }
            // The body's own refusals (a decision that conflicts, a bad chapter) pass as they are.
            if let refusal = error.closureError, !(refusal is PSQLError), !(refusal is PostgresDecodingError), !(refusal is PostgresStoreError) { throw refusal }
            throw PostgresStoreError.from(error.closureError ?? error.beginError ?? error.commitError ?? error.rollbackError ?? error, at: location)
        } catch {
            throw PostgresStoreError.from(error, at: location)
        }
    }

    /// Runs one statement outside a transaction; errors as `transaction`'s.
    @discardableResult
    func run(_ query: PostgresQuery) async throws -> PostgresRowSequence {
        do {
            return try await client.query(query, logger: logger)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw PostgresStoreError.from(error, at: location)
        }
    }
}
