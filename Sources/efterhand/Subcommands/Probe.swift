import ArgumentParser
import Foundation
import MediaProbe

/// `efterhand probe PATH...`: what is inside each recording.
struct Probe: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read duration, streams, tags and chapters of recordings through libavformat.",
        discussion: """
            Each PATH is a file or a folder; folders are walked for media files. Exits 0 when \
            every file was probed, 1 when any failed, 2 on a usage error.
            """
    )

    @Argument(help: "Files or folders to probe.")
    var paths: [String]

    @Flag(help: "Print a JSON array, one object per file, instead of a table.")
    var json = false

    @Option(help: "Seconds one file may take before it fails with a timeout.")
    var timeout: Double = 10

    @Flag(help: "Print, on standard error, how many files and bytes were read and how long it took.")
    var stats = false

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard timeout > 0 else { throw ValidationError("--timeout must be more than 0 seconds.") }
    }

    func run() throws {
        global.bootstrapLogging()
        let started = Date()
        let found = MediaFiles.expand(paths)
        let results = Prober(options: ProbeOptions(timeout: timeout)).probe(found.files)
        if json {
            print(try ProbeReport.json(results))
            // Standard output stays one JSON array of probe results; what the walk passed over
            // (symlink loops, broken links, names that are not UTF-8) is still named, on stderr.
            for skipped in found.skipped {
                FileHandle.standardError.write(Data("skipped \(skipped.path): \(skipped.reason)\n".utf8))
            }
        } else {
            print(ProbeReport.table(results), terminator: "")
            for skipped in found.skipped { print("skipped \(TerminalText.escaped(skipped.path)): \(skipped.reason)") }
        }
        if stats {
            let seconds = Date().timeIntervalSince(started)
            let bytes = results.compactMap(\.bytesRead).reduce(0, +)
            let perFile = results.isEmpty ? 0 : bytes / Int64(results.count)
            FileHandle.standardError.write(Data("probed \(results.count) files in \(String(format: "%.3f", seconds)) s; read \(bytes) bytes, \(perFile) per file\n".utf8))
        }
        if results.contains(where: { !$0.succeeded }) { throw ExitCode(1) }
    }
}
