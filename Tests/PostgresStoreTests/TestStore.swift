import Foundation
import TestSupport
import PostgresNIO
@testable import PostgresStore
import Testing

/// A database of its own on the private test cluster (`scripts/postgres-cluster.sh`, started by
/// `make test`, which sets EFTERHAND_TEST_DATABASE_URL), dropped when the test ends.
struct TestStore {
    static let variable = "EFTERHAND_TEST_DATABASE_URL"
    /// How long a test waits for the server's first answer: the whole suite runs side by side on
    /// two cores, and 15 s (the commands' limit) was seen to pass under that load.
    static let patience: Duration = .seconds(120)

    let location: PostgresLocation
    let server: PostgresLocation

    /// The cluster's location, or a failure that says how to start it: these tests never pass
    /// without a real PostgreSQL.
    static func server() throws -> PostgresLocation {
        guard let text = ProcessInfo.processInfo.environment[variable], !text.isEmpty else {
            throw Missing(description: "\(variable) is not set: start the test cluster with `scripts/postgres-cluster.sh start` and export its URL (make test does both)")
        }
        return try PostgresLocation(url: text)
    }

    struct Missing: Error, CustomStringConvertible { var description: String }

    /// Makes a new, empty database and runs `body` with its location; drops it afterwards.
    static func with<T: Sendable>(_ body: @Sendable (PostgresLocation) async throws -> T) async throws -> T {
        let server = try server()
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
        try await admin(server, "CREATE DATABASE \(name)")
        do {
            let result = try await body(server.with(database: String(name)))
            try await admin(server, "DROP DATABASE \(name) WITH (FORCE)")
            return result
        } catch {
            try? await admin(server, "DROP DATABASE \(name) WITH (FORCE)")
            throw error
        }
    }

    static func admin(_ server: PostgresLocation, _ sql: String) async throws {
        try await PostgresIndex.with(server, migrate: false, timeout: patience) { database in
            try await database.client.query(PostgresQuery(unsafeSQL: sql))
        }
    }

    /// One value from a query (the tests' way to look inside).
    static func value<T: PostgresDecodable & Sendable>(_ database: PostgresIndex, _ query: PostgresQuery, as type: T.Type = T.self) async throws -> T? {
        var first: T?
        for try await value in try await database.client.query(query).decode(T.self) where first == nil { first = value }
        return first
    }
}

/// A media root `week` in a folder of its own holding copies of some of the sample week's
/// files, and beside it a speech engine of the tests' own (`engine.sh`, run as `--speech-command
/// "engine.sh {input} {output} …"`): the shell lines after `#!/bin/sh`.
struct EngineWeek {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("efterhand-pg-week-\(UUID().uuidString)")
    var media: URL { folder.appendingPathComponent("week") }
    var engine: URL { folder.appendingPathComponent("engine.sh") }
    /// The sample week's folder (its files, its programme).
    static let sample = EfterhandBinary.root.appendingPathComponent("Media")
    static var schedule: String { sample.appendingPathComponent("schedule.json").path }

    init(_ files: [String], engine script: String) throws {
        try FileManager.default.createDirectory(at: media, withIntermediateDirectories: true)
        for file in files { try FileManager.default.copyItem(at: Self.sample.appendingPathComponent(file), to: media.appendingPathComponent(file)) }
        try ("#!/bin/sh\n" + script + "\n").write(to: engine, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: engine.path)
    }

    func remove() { try? FileManager.default.removeItem(at: folder) }
}
