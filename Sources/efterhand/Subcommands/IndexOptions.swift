import ArgumentParser
import Foundation
import IndexStore
import PostgresStore

/// Options for commands that use the index.
struct IndexOptions: ParsableArguments {
    @Option(help: "Folder that holds the index.")
    var index = "Index"

    @Option(help: ArgumentHelp("A PostgreSQL store instead of the SQLite index in --index: postgres://user@host:port/database (also EFTERHAND_DATABASE_URL).",
                               valueName: "url"))
    var database: String?

    /// The PostgreSQL store `--database` (or `EFTERHAND_DATABASE_URL`) names; nil for the SQLite index.
    func postgres() throws -> PostgresLocation? {
        guard let text = database ?? ProcessInfo.processInfo.environment[PostgresLocation.environmentVariable], !text.isEmpty else { return nil }
        do {
            return try PostgresLocation(url: text)
        } catch {
            throw ValidationError(error.description)
        }
    }

    /// What messages call the place recordings are kept: "index" or "store".
    var storeName: String { (try? postgres()) == nil ? "index" : "store" }

    /// Commands that run on the PostgreSQL store in this build: every command that reads or
    /// writes an index (`probe` reads files only).
    static let onPostgres = ["ingest --media-root", "worker", "jobs", "gather", "search", "serve", "links", "review", "report",
                             "link accept|reject|unlink", "chapters show|set|reset", "session hide|publish", "transcript export|import", "reindex", "publish", "transcribe"]

    /// Stops, with a line that says so (exit 2), a command that would open the SQLite index
    /// while a store is named: each command asks `postgres()` first, so this is a guard for
    /// one that forgot, never a silent fall back to the index in `--index`.
    func requireSQLite() throws {
        guard let location = try postgres() else { return }
        let command = CommandLine.arguments.dropFirst().first ?? "this command"
        FileHandle.standardError.write(Data("error: `efterhand \(TerminalText.escaped(command))` does not run on PostgreSQL (\(location)) yet; on PostgreSQL this build runs: \(Self.onPostgres.joined(separator: ", ")) (issue 23)\n".utf8))
        throw ExitCode(2)
    }

    /// Opens the index, or fails with a message that names the folder. `forQueries`: tuned
    /// for searching (see `IndexDatabase.init(folder:create:forQueries:)`). Only `ingest`
    /// makes a new index (`create`); every other command refuses a folder that holds none
    /// (exit 2), so that a typo in `--index` says so instead of reading an empty index.
    func open(forQueries: Bool = false, create: Bool = false) throws -> IndexDatabase {
        try requireSQLite()
        if !create { try requireIndex() }
        do {
            return try IndexDatabase(folder: index, forQueries: forQueries)
        } catch let error as IndexError {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        } catch {
            FileHandle.standardError.write(Data("error: cannot open the index in '\(index)': \(error)\n".utf8))
            throw ExitCode(1)
        }
    }

    /// Stops with `exitCode` (2, a usage error; `serve` says 1) and a line that says how to make
    /// one when the folder holds no index.
    func requireIndex(exitCode: Int32 = 2) throws {
        try requireSQLite()
        guard !FileManager.default.fileExists(atPath: (index as NSString).appendingPathComponent(IndexDatabase.fileName)) else { return }
        FileHandle.standardError.write(Data("error: no index in '\(TerminalText.escaped(index))' (make one with `efterhand ingest --index \(TerminalText.escaped(index))`)\n".utf8))
        throw ExitCode(exitCode)
    }
}

/// Who a change made from the shell is in the audit log: the account that ran the command.
enum CommandLineUser {
    static var audited: String { "cli:" + (ProcessInfo.processInfo.environment["USER"] ?? "unknown") }
}
