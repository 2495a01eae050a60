import Foundation
import NIOSSL
import PostgresNIO

/// Where the PostgreSQL store is: a `postgres://user[:password]@host[:port]/database` URL (also
/// `postgresql://`), as libpq writes them. `?sslmode=require` asks for TLS, `disable` (the
/// default on loopback) for none, `prefer` (elsewhere) for TLS when the server offers it;
/// `?host=/run/postgresql` reaches a server through its Unix socket folder.
public struct PostgresLocation: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var socketFolder: String?
    public var user: String
    public var password: String?
    public var database: String
    public var sslMode: String

    /// The environment variable that names the store when `--database` does not.
    public static let environmentVariable = "EFTERHAND_DATABASE_URL"

    /// Whether `text` names a PostgreSQL store (and not an index folder).
    public static func isURL(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    public init(url text: String) throws(PostgresStoreError) {
        guard Self.isURL(text), let components = URLComponents(string: text) else {
            throw .badLocation("'\(text)' is not a postgres:// URL (postgres://user@host:port/database)")
        }
        let items = Dictionary((components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        socketFolder = items["host"].flatMap { $0.hasPrefix("/") ? $0 : nil }
        host = components.host.flatMap { $0.isEmpty ? nil : $0 } ?? items["host"].flatMap { $0.hasPrefix("/") ? nil : $0 } ?? "127.0.0.1"
        if let port = components.port {
            guard (1...65535).contains(port) else { throw .badLocation("port \(port) in '\(text)' is not a TCP port") }
            self.port = port
        } else {
            port = 5432
        }
        guard let user = components.user.flatMap({ $0.removingPercentEncoding }), !user.isEmpty else {
            throw .badLocation("'\(text)' names no user (postgres://user@host/database)")
        }
        self.user = user
        password = components.password.flatMap { $0.removingPercentEncoding }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        database = path.isEmpty ? user : (path.removingPercentEncoding ?? path)
        let loopback = ["127.0.0.1", "::1", "localhost"].contains(host) || socketFolder != nil
        sslMode = items["sslmode"] ?? (loopback ? "disable" : "prefer")
        guard ["disable", "prefer", "require"].contains(sslMode) else {
            throw .badLocation("sslmode=\(sslMode) in '\(text)': say disable, prefer or require")
        }
    }

    /// The URL without its password, for messages and logs.
    public var description: String {
        let place = socketFolder.map { "?host=\($0)" } ?? ""
        return "postgres://\(user)@\(host):\(port)/\(database)\(place)"
    }

    /// The same server, another database (the tests make one each).
    public func with(database: String) -> PostgresLocation {
        var copy = self
        copy.database = database
        return copy
    }

    /// postgres-nio's configuration for this location.
    public var configuration: PostgresClient.Configuration {
        var configuration: PostgresClient.Configuration
        if let socketFolder {
            configuration = .init(unixSocketPath: socketFolder + "/.s.PGSQL.\(port)", username: user, password: password, database: database)
        } else {
            let tls: PostgresClient.Configuration.TLS = switch sslMode {
            case "require": .require(.makeClientConfiguration())
            case "prefer": .prefer(.makeClientConfiguration())
            default: .disable
            }
            configuration = .init(host: host, port: port, username: user, password: password, database: database, tls: tls)
        }
        configuration.options.connectTimeout = .seconds(10)
        return configuration
    }

    /// The same for one connection outside the pool (the one that listens for commits).
    public func connectionConfiguration() throws -> PostgresConnection.Configuration {
        var configuration: PostgresConnection.Configuration
        if let socketFolder {
            configuration = .init(unixSocketPath: socketFolder + "/.s.PGSQL.\(port)", username: user, password: password, database: database)
        } else {
            let tls: PostgresConnection.Configuration.TLS = switch sslMode {
            case "require": .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            case "prefer": .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
            default: .disable
            }
            configuration = .init(host: host, port: port, username: user, password: password, database: database, tls: tls)
        }
        configuration.options.connectTimeout = .seconds(10)
        return configuration
    }
}
