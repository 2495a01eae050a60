import Foundation
import PostgresNIO

/// What goes wrong with the PostgreSQL store, in words an operator can act on.
public enum PostgresStoreError: Error, CustomStringConvertible, Equatable {
    /// `--database` or `EFTERHAND_DATABASE_URL` is not a usable URL.
    case badLocation(String)
    /// The server did not answer, refused us, or failed a statement.
    case server(String)
    /// The store was made by a newer efterhand: its migrations are unknown to this one.
    case newerSchema(String)
    /// A worker was asked for a media root it was not told where to find, or a kind it cannot run.
    case worker(String)

    public var description: String {
        switch self {
        case .badLocation(let text): "database: \(text)"
        case .server(let text): "PostgreSQL: \(text)"
        case .newerSchema(let text): "PostgreSQL: \(text)"
        case .worker(let text): "worker: \(text)"
        }
    }

    /// A postgres-nio error as one line: the server's own message when it sent one.
    static func from(_ error: any Error, at location: PostgresLocation) -> PostgresStoreError {
        if let mine = error as? PostgresStoreError { return mine }
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] {
                return .server("\(message) (\(location))")
            }
            return .server("\(error.code) talking to \(location)\(error.underlying.map { ": \($0)" } ?? "")")
        }
        return .server("\(error) (\(location))")
    }
}
