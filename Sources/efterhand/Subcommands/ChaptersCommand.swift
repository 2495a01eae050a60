import ArgumentParser
import Captions
import Foundation
import PostgresStore
import IndexStore
import Pipeline
import Schedule

/// `efterhand chapters show|set|reset`: what the staff pages' chapter editor does, from the
/// shell (the same `LinkStage.setChapters`, with `cli:USER` in the audit log).
struct ChaptersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chapters", abstract: "Show, set or reset a session's chapters in a recording (kept across re-ingests).",
        subcommands: [Show.self, SetChapters.self, Reset.self])

    struct Arguments: ParsableArguments {
        @Argument(help: "The recording: its id or its path.")
        var recording: String

        @Argument(help: "The session: its guid or slug.")
        var session: String

        @OptionGroup var index: IndexOptions
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the session's segments in the recording: start, end, title, where from.")
        @OptionGroup var arguments: Arguments
        func run() throws {
            let recording: StoredRecording?, session: Session?, all: [Segment]
            if let location = try arguments.index.postgres() {
                let snapshot = try PostgresCommand.snapshot(location)
                recording = snapshot.recording(idOrPath: arguments.recording)
                session = snapshot.session(guidOrSlug: arguments.session)
                all = recording?.id.flatMap { snapshot.segments[$0] } ?? []
            } else {
                let database = try arguments.index.open()
                recording = try database.recording(idOrPath: arguments.recording)
                session = try database.session(guidOrSlug: arguments.session)
                all = try recording?.id.map { try database.segments(recordingID: $0) } ?? []
            }
            guard let recording else { throw ChaptersCommand.failure("no recording '\(arguments.recording)' in the \(arguments.index.storeName)") }
            guard let session else { throw ChaptersCommand.failure("no session '\(arguments.session)' in the programme") }
            let segments = all.filter { $0.sessionGuid == session.guid }
            if segments.isEmpty { print("'\(TerminalText.escaped(recording.path))' has no segments of '\(TerminalText.escaped(session.title))' (is it linked?)") }
            for segment in segments {
                print("\(ClockText.position(segment.startSeconds))–\(ClockText.position(segment.endSeconds))  \(segment.source.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0))  \(TerminalText.escaped(segment.title))")
            }
        }
    }

    struct SetChapters: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set", abstract: "Set the session's chapters: each argument a start and a title (\"0:00 Inledning\" \"12:30 Frågor\"). They win over the file's chapters.")
        @OptionGroup var arguments: Arguments

        @Argument(help: "Chapters: a start (h:mm:ss, m:ss or seconds) and a title.")
        var chapters: [String]

        func validate() throws {
            if chapters.isEmpty { throw ValidationError("Give at least one chapter (or use `efterhand chapters reset`).") }
        }

        func run() throws {
            let parsed = try chapters.map { line -> ManualChapter in
                let parts = line.trimmingCharacters(in: .whitespaces).split(separator: " ", maxSplits: 1)
                guard parts.count == 2, let start = TypedPosition.seconds(String(parts[0])) else {
                    throw ValidationError("'\(line)' is not a start and a title (like \"12:30 Frågor\")")
                }
                return ManualChapter(startSeconds: start, title: String(parts[1]))
            }
            try ChaptersCommand.change(parsed, arguments)
        }
    }

    struct Reset: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Forget the chapters set by hand: the file's chapters or the even cuts come back.")
        @OptionGroup var arguments: Arguments
        func run() throws { try ChaptersCommand.change(nil, arguments) }
    }

    static func change(_ chapters: [ManualChapter]?, _ arguments: Arguments) throws {
        let who = CommandLineUser.audited
        let segments: [Segment]
        do {
            if let location = try arguments.index.postgres() {
                segments = try PostgresCommand.blocking(location) { try await $0.setChapters(chapters, recording: arguments.recording, session: arguments.session, by: who) }
            } else {
                segments = try LinkStage(database: try arguments.index.open()).setChapters(chapters, recording: arguments.recording, session: arguments.session, by: who)
            }
        } catch let error as ChapterError {
            throw failure(error.description)
        }
        print(chapters == nil ? "chapters reset (the file's chapters or even cuts again):" : "chapters set (kept across re-ingests; in the audit log as \(who)):")
        for segment in segments {
            print("  \(ClockText.position(segment.startSeconds))–\(ClockText.position(segment.endSeconds))  \(TerminalText.escaped(segment.title))")
        }
    }

    static func failure(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("error: \(TerminalText.escaped(message))\n".utf8))
        return ExitCode(1)
    }
}
