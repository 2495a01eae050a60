import ArgumentParser
import Foundation
import Logging
import MediaProbe

/// The root command: `efterhand SUBCOMMAND`.
struct Efterhand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "efterhand",
        abstract: "Turns a week of recorded talks into a searchable, time-coded catalogue and feed.",
        subcommands: [Probe.self, ScheduleCommand.self, Link.self, Ingest.self, Review.self, Links.self, Transcript.self, Transcribe.self, Report.self, Search.self, Reindex.self, Serve.self, SessionCommand.self, ChaptersCommand.self, Publish.self, WorkerCommand.self, JobsCommand.self, Gather.self]
    )
}

/// Options every subcommand shares.
struct GlobalOptions: ParsableArguments {
    @Flag(name: [.short, .long], help: "Log more, FFmpeg's own messages included.")
    var verbose = false

    /// Sets up swift-log for the run: warnings by default (info for the loggers labelled
    /// `informing`), debug with `--verbose`.
    func bootstrapLogging(informing: Set<String> = []) {
        let verbose = verbose
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = verbose ? .debug : (informing.contains(label) ? .info : .warning)
            return handler
        }
    }
}

@main
enum Main {
    /// Runs the command line. Usage errors exit with status 2, as the probe contract says.
    static func main() async {
        Prober.keepFreedMemory()
        do {
            var command = try Efterhand.parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = Efterhand.exitCode(for: error)
            if code == .validationFailure {
                FileHandle.standardError.write(Data((Efterhand.fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            Efterhand.exit(withError: error)
        }
    }
}
