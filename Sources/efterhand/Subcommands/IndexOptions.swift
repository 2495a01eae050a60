import ArgumentParser
import Foundation
import IndexStore

/// Options for commands that use the index.
struct IndexOptions: ParsableArguments {
    @Option(help: "Folder that holds the index.")
    var index = "Index"

    /// Opens the index, or fails with a message that names the folder. `forQueries`: tuned
    /// for searching (see `IndexDatabase.init(folder:create:forQueries:)`). Only `ingest`
    /// makes a new index (`create`); every other command refuses a folder that holds none
    /// (exit 2), so that a typo in `--index` says so instead of reading an empty index.
    func open(forQueries: Bool = false, create: Bool = false) throws -> IndexDatabase {
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
        guard !FileManager.default.fileExists(atPath: (index as NSString).appendingPathComponent(IndexDatabase.fileName)) else { return }
        FileHandle.standardError.write(Data("error: no index in '\(TerminalText.escaped(index))' (make one with `efterhand ingest --index \(TerminalText.escaped(index))`)\n".utf8))
        throw ExitCode(exitCode)
    }
}

/// Who a change made from the shell is in the audit log: the account that ran the command.
enum CommandLineUser {
    static var audited: String { "cli:" + (ProcessInfo.processInfo.environment["USER"] ?? "unknown") }
}
