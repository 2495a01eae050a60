import ArgumentParser
import Foundation
import PostgresStore
import Server

/// `efterhand publish --to DIR`: the public side of the catalogue as static files (issue 22).
struct Publish: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the feeds, API documents, tracks, thumbnails and pages as static files, from one state of the index, and show them at once.",
        discussion: """
        DIR is a link to the current publish, kept in .DIR.versions/ beside it: a web server or CDN serves DIR. A file whose bytes \
        are unchanged keeps its time (a publish that changes nothing touches nothing). The lookup page searches in the browser, from \
        search/ in the folder (or asks --search-api). With --check, the folder is checked after it is written (or, with \
        --check-only, without publishing).
        """)

    @OptionGroup var index: IndexOptions

    @Option(help: "The folder to publish to (a link to the current version, made by the first publish).")
    var to: String

    @Option(help: "The public address the folder is served at (https://play.example.org); makes every link absolute.")
    var publicURL: String?

    @Option(help: "Where attachments point instead of media/ in the folder: a base URL, or a template with {id}, {path} or {name}.")
    var mediaURL: String?

    @Option(help: "A running `efterhand serve` whose /api/search the lookup page asks, instead of the static search files (for a catalogue too large for the browser; that server needs --cors-origin for this site).")
    var searchAPI: String?

    @Option(name: .customLong("media-root"), parsing: .singleValue,
            help: ArgumentHelp("With --database: where this machine mounts each named media root, NAME=FOLDER, to link the recordings into the folder.", valueName: "name=folder"))
    var mediaRoots: [String] = []

    @Flag(help: "Check the folder after publishing: JSON Feed 1.1, WebVTT, every link inside the folder; exit 1 on a problem.")
    var check = false

    @Flag(help: "Only check the folder, as --check does; publish nothing.")
    var checkOnly = false

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        for (name, url) in [("--public-url", publicURL), ("--media-url", mediaURL), ("--search-api", searchAPI)] {
            if let url, !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
                throw ValidationError("\(name) must start with http:// or https://, not '\(url)'.")
            }
        }
    }

    func run() async throws {
        global.bootstrapLogging(informing: [])
        if !checkOnly {
            let store = try index.postgres()
            if store == nil { try index.requireIndex(exitCode: 1) }
            let started = Date()
            let configuration = ServerConfiguration(indexFolder: index.index, publicURL: publicURL, mediaURL: mediaURL, accessLog: false)
            let search = searchAPI.map { ($0.hasSuffix("/") ? String($0.dropLast()) : $0) + "/api/search" }
            let summary: PublishSummary
            do {
                if let store {
                    // One state of the store, read once; the recordings from where this machine mounts their roots.
                    let roots: MediaRootMap
                    do { roots = try MediaRootMap(mediaRoots) } catch { throw ValidationError(error.description) }
                    summary = try await PostgresCommand.run(store) { [to] database in
                        let catalogue = PostgresCatalogue(database: database, roots: roots)
                        try await catalogue.readOnce()
                        return try await StaticSite.publish(configuration: configuration, repository: PostgresRepository(catalogue: catalogue), to: to, searchAPI: search)
                    }
                } else {
                    summary = try await StaticSite.publish(configuration: configuration, to: to, searchAPI: search)
                }
            } catch let error as PublishError {
                FileHandle.standardError.write(Data("error: \(error.description)\n".utf8))
                throw ExitCode(1)
            }
            let seconds = Date().timeIntervalSince(started)
            print(summary.swapped
                  ? "published \(summary.files) files (\(summary.bytes) bytes) to \(to): \(summary.written) written, \(summary.kept) unchanged, \(summary.removed) gone"
                  : "nothing changed: \(to) keeps its \(summary.files) files (\(summary.bytes) bytes)")
            print(String(format: "%.2f s; %d media links; %d addresses with a query answered apart (PATH@QUERY)", seconds, summary.mediaLinks, summary.queryVariants))
            for problem in summary.problems { print("problem: \(TerminalText.escaped(problem))") }
        }
        guard check || checkOnly else { return }
        let problems = StaticSite.check(folder: to, publicURL: publicURL)
        for problem in problems { print("check: \(TerminalText.escaped(problem))") }
        print(problems.isEmpty ? "check: every feed, track and link of \(to) is in order" : "check: \(problems.count) problem\(problems.count == 1 ? "" : "s")")
        if !problems.isEmpty { throw ExitCode(1) }
    }
}
