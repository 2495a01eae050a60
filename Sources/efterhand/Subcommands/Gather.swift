import ArgumentParser
import Foundation
import IndexStore
import PostgresStore

/// `efterhand gather`: copies a SQLite index into the PostgreSQL store.
struct Gather: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy a municipality's SQLite index (--index) into the PostgreSQL store (--database), under a named media root.",
        discussion: """
            The way a national catalogue gathers every municipality's recordings. Each recording is copied in one \
            transaction with its links, segments, transcript and search rows; run again, it copies the index as it is \
            now (recordings the index no longer holds are marked missing). Decisions, hidden sessions and the programme \
            come along. Recordings outside the media root's folder are named and left out.
            """
    )

    @OptionGroup var index: IndexOptions

    @Option(name: .customLong("media-root"), help: ArgumentHelp("The root the index's recordings lie in, NAME=FOLDER.", valueName: "name=folder"))
    var mediaRoot: String

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard try index.postgres() != nil else { throw ValidationError("Gather copies into the PostgreSQL store: give --database postgres://… (or EFTERHAND_DATABASE_URL).") }
    }

    func run() async throws {
        global.bootstrapLogging()
        guard let location = try index.postgres() else { return }
        let roots: MediaRootMap
        do {
            roots = try MediaRootMap([mediaRoot])
        } catch {
            throw ValidationError(error.description)
        }
        guard FileManager.default.fileExists(atPath: (index.index as NSString).appendingPathComponent(IndexDatabase.fileName)) else {
            FileHandle.standardError.write(Data("error: no index in '\(TerminalText.escaped(index.index))'\n".utf8))
            throw ExitCode(2)
        }
        // Opened as any command opens it, so that what a running server or ingest has in the
        // write-ahead log is read too (an immutable read-only open skips it); only a folder that
        // cannot be written is read as an immutable file.
        let source: IndexDatabase
        do {
            source = try IndexDatabase(folder: index.index, create: false)
        } catch let error as IndexError where error.code == .readOnly {
            source = try IndexDatabase(readOnlyFolder: index.index)
        }
        let name = roots.names[0], folder = roots.folders[name] ?? ""
        let started = Date()
        try await PostgresCommand.run(location) { database in
            let summary = try await database.gather(from: source, root: name, folder: folder)
            for path in summary.outside { print("outside \(TerminalText.escaped(folder)), not copied: \(TerminalText.escaped(path))") }
            print("""
                gathered \(summary.recordings) recordings (\(summary.segments) segments, \(summary.cues) cues, \(summary.searchRows) search rows) \
                and \(summary.sessions) sessions into \(location) as '\(name)'; \(summary.gone) no longer in the index marked missing \
                (\(String(format: "%.2f", Date().timeIntervalSince(started))) s)
                """)
        }
    }
}
