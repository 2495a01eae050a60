import ArgumentParser
import Foundation
import Linking
import MediaProbe
import Schedule
import Speech

/// `efterhand link`: which talk each recording holds.
struct Link: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Link recordings to the sessions of the programme.",
        subcommands: [Propose.self, Accept.self, Reject.self, Unlink.self],
        defaultSubcommand: Propose.self
    )

    /// `efterhand link --media DIR... --schedule FILE`: probe, link and print; nothing is stored.
    struct Propose: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "propose",
            abstract: "Probe the recordings, link them to the programme and print the proposed links (nothing is stored).",
            discussion: "Exits 0 when the run worked, whatever the links; 1 when the programme cannot be read."
        )

        @Option(name: .customLong("media"), parsing: .upToNextOption, help: "Folders or files of recordings.")
        var media: [String] = []

        @Option(name: .customLong("schedule"), parsing: .upToNextOption, help: "Programme files (schedule.json, schedule.xml, .ics, .csv).")
        var schedules: [String] = []

        @Option(help: "Read probe results saved by `efterhand probe --json` instead of probing --media.")
        var probeResults: String?

        @Option(help: "Read what is said in recordings from a JSON file, {\"PATH\": [{\"start\", \"end\", \"text\"}]} (as a speech engine heard their first minutes); weighed for recordings the other clues leave in doubt.")
        var heard: String?

        @Option(help: ArgumentHelp("Write, to a JSON file {\"PATH\": \"PROMPT\"}, the words to prompt a speech engine with when it hears again the recordings that what was heard leaves in doubt (the listening step's second pass).", visibility: .hidden))
        var heardPrompts: String?

        @Option(help: ArgumentHelp("Read what was heard again with those prompts (a --heard file); it counts where it agrees with --heard.", visibility: .hidden))
        var heardPrompted: String?

        @Option(help: "Time zone for wall-clock times without an offset (default: the programme's own, else Europe/Stockholm).")
        var timeZone: String?

        @Flag(help: "Print JSON, one object per recording.")
        var json = false

        @Flag(help: "Print, on standard error, how long probing and linking took.")
        var stats = false

        @OptionGroup var global: GlobalOptions

        func validate() throws {
            guard !schedules.isEmpty else { throw ValidationError("Name at least one programme with --schedule.") }
            guard !media.isEmpty || probeResults != nil else { throw ValidationError("Name recordings with --media (or --probe-results).") }
            if let timeZone, TimeZone(identifier: timeZone) == nil { throw ValidationError("Unknown time zone '\(timeZone)'.") }
        }

        func run() throws {
            global.bootstrapLogging()
            let programme = try ProgrammeFiles.load(schedules, timeZone: timeZone.flatMap(TimeZone.init(identifier:)))
            let zone = ConferenceZone.named(programme.conference.timeZone)
            let probeStarted = Date()
            var recordings: [Recording]
            if let probeResults {
                let data = try Data(contentsOf: URL(fileURLWithPath: probeResults))
                recordings = try JSONDecoder().decode([ProbeResult].self, from: data).map {
                    Recording(path: $0.path, probe: $0, modified: RecordingFiles.modificationTime($0.path))
                }
            } else {
                recordings = RecordingFiles.probe(media)
            }
            if let heard {
                let lines = try Self.heardLines(heard)
                let again = try heardPrompted.map(Self.heardLines) ?? [:]
                for index in recordings.indices {
                    let path = recordings[index].path
                    recordings[index].heard = Self.merged(plain: lines[path] ?? [], prompted: again[path])
                }
            }
            let linkStarted = Date()
            let linker = Linker(sessions: programme.sessions, options: LinkOptions(timeZone: zone))
            if let heardPrompts {
                let prompts = ParallelMap.run(recordings) { recording in linker.heardPrompt(for: recording).map { (recording.path, $0) } }
                let written = Dictionary(prompts.compactMap { $0 }, uniquingKeysWith: { a, _ in a })
                try JSONEncoder().encode(written).write(to: URL(fileURLWithPath: heardPrompts))
            }
            let results = linker.link(recordings)
            let linkSeconds = Date().timeIntervalSince(linkStarted)
            if json {
                print(String(decoding: try RecordingLinks.encoder(zone: zone).encode(results), as: UTF8.self))
            } else {
                print(LinkReport.text(results, zone: zone), terminator: "")
            }
            if stats {
                FileHandle.standardError.write(Data(String(format: "probed %d recordings in %.3f s; linked them to %d sessions in %.3f s\n",
                    recordings.count, linkStarted.timeIntervalSince(probeStarted), programme.sessions.count, linkSeconds).utf8))
            }
        }

        /// What was heard with a prompt where it agrees with what was heard without one, and
        /// the plain lines elsewhere: the listening step's merge (`PromptedHearing`).
        static func merged(plain: [HeardLine], prompted: [HeardLine]?) -> [HeardLine] {
            guard let prompted else { return plain }
            let segments = { (lines: [HeardLine]) in lines.map { SpeechSegment(start: $0.start, end: $0.end, text: $0.text) } }
            return PromptedHearing.merge(plain: segments(plain), prompted: segments(prompted)).segments
                .map { HeardLine(start: $0.start, end: $0.end, text: $0.text) }
        }

        /// The `--heard` file: recording paths to what was heard in them; a clear error for a
        /// file that is not that.
        static func heardLines(_ path: String) throws -> [String: [HeardLine]] {
            do {
                return try JSONDecoder().decode([String: [HeardLine]].self, from: Data(contentsOf: URL(fileURLWithPath: path)))
            } catch {
                FileHandle.standardError.write(Data("error: '\(path)' is not a --heard file ({\"PATH\": [{\"start\": s, \"end\": s, \"text\": \"…\"}]}): \(error)\n".utf8))
                throw ExitCode(1)
            }
        }
    }
}

/// Reading one or more programme files into one programme.
enum ProgrammeFiles {
    /// Loads every file; the first one's conference header is kept. Warnings go to stderr.
    static func load(_ paths: [String], timeZone: TimeZone?) throws -> Programme {
        var programme: Programme? = nil
        for path in paths {
            let loaded: Programme
            do {
                loaded = try ScheduleLoader.load(path: path, timeZone: timeZone)
            } catch {
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
                throw ExitCode(1)
            }
            for warning in loaded.warnings { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
            if programme == nil {
                programme = loaded
            } else {
                programme!.sessions += loaded.sessions
            }
        }
        return programme!
    }
}

/// Finding and probing recordings, with each file's modification time.
enum RecordingFiles {
    static func probe(_ paths: [String], options: ProbeOptions = ProbeOptions()) -> [Recording] {
        let files = MediaFiles.expand(paths).files
        let results = Prober(options: options).probe(files)
        return results.map { Recording(path: $0.path, probe: $0, modified: modificationTime($0.path)) }
    }

    /// The file's modification time, when it exists.
    static func modificationTime(_ path: String) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate]) as? Date
    }
}

/// How `efterhand link`, `links` and `review` print proposals for people. Every value that came
/// from a file or the programme goes through `TerminalText.escaped`.
enum LinkReport {
    static func text(_ results: [RecordingLinks], zone: TimeZone) -> String {
        var out = ""
        for result in results {
            let start = result.recordingStart.map { " (started \(ClockText.rfc3339($0, zone: zone)), from \(result.recordingStartSource?.rawValue ?? "?"))" } ?? ""
            out += "\(result.status.rawValue.uppercased().padding(toLength: 9, withPad: " ", startingAt: 0)) \(TerminalText.escaped(result.path))\(start)\n"
            for link in result.links { out += describe(link, marker: "->") }
            for candidate in result.candidates { out += describe(candidate, marker: "? ") }
        }
        let counts = Dictionary(grouping: results, by: \.status).mapValues(\.count)
        out += "\(results.count) recordings: \(counts[.linked] ?? 0) linked, \(counts[.review] ?? 0) in review, \(counts[.unmatched] ?? 0) unmatched\n"
        return out
    }

    static func describe(_ link: ProposedLink, marker: String) -> String {
        var line = "  \(marker) \(String(format: "%.2f", link.score)) \(ClockText.position(link.inSeconds))–\(ClockText.position(link.outSeconds)) \(TerminalText.escaped(link.title))"
        if let part = link.part, let parts = link.parts { line += " [part \(part)/\(parts)]" }
        let flags = link.flags.filter { $0 != .part }.map(\.rawValue)
        if !flags.isEmpty { line += " [\(flags.joined(separator: ", "))]" }
        return line + "\n" + link.reasons.map { "       - \(TerminalText.escaped($0))\n" }.joined()
    }
}
