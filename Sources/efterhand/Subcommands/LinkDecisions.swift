import ArgumentParser
import Foundation
import IndexStore
import Pipeline
import Linking
import PostgresStore
import Schedule

/// `efterhand link accept|reject|unlink`: a person's decision, which no re-ingest overrides.
struct Decide: ParsableCommand {
    static func command(_ action: String, abstract: String) -> CommandConfiguration {
        CommandConfiguration(commandName: action, abstract: abstract)
    }

    struct Arguments: ParsableArguments {
        @Argument(help: "The recording: its id or its path.")
        var recording: String

        @OptionGroup var index: IndexOptions
    }
}

struct Accept: ParsableCommand {
    static let configuration = Decide.command("accept", abstract: "Link a recording to a session by hand (optionally between --in and --out seconds).")

    @OptionGroup var arguments: Decide.Arguments

    @Argument(help: "The session: its guid or slug.")
    var session: String

    @Option(name: .customLong("in"), help: "Where the session starts in the recording, in seconds.")
    var inSeconds: Double?

    @Option(name: .customLong("out"), help: "Where the session ends in the recording, in seconds.")
    var outSeconds: Double?

    func validate() throws {
        if let inSeconds, inSeconds < 0 { throw ValidationError("--in must not be negative.") }
        if let inSeconds, let outSeconds, outSeconds <= inSeconds { throw ValidationError("--out must be after --in.") }
    }

    func run() throws {
        try DecisionOutput.run(.accept, arguments, session: session, inSeconds: inSeconds, outSeconds: outSeconds)
    }
}

struct Reject: ParsableCommand {
    static let configuration = Decide.command("reject", abstract: "Say that a recording does not hold a session.")

    @OptionGroup var arguments: Decide.Arguments

    @Argument(help: "The session: its guid or slug.")
    var session: String

    func run() throws {
        try DecisionOutput.run(.reject, arguments, session: session)
    }
}

struct Unlink: ParsableCommand {
    static let configuration = Decide.command("unlink", abstract: "Say that a recording holds no session of the programme.")

    @OptionGroup var arguments: Decide.Arguments

    func run() throws {
        try DecisionOutput.run(.unlink, arguments, session: nil)
    }
}

enum DecisionOutput {
    static func run(_ action: Decision.Action, _ arguments: Decide.Arguments, session: String?, inSeconds: Double? = nil, outSeconds: Double? = nil) throws {
        if let location = try arguments.index.postgres() {
            // The store: the recording by id or `root/path`; the same decision, audit entry and relink.
            do {
                let recording = try PostgresCommand.blocking(location) { database in
                    try await database.decide(action, recording: arguments.recording, session: session, inSeconds: inSeconds, outSeconds: outSeconds,
                                              by: CommandLineUser.audited, seen: nil)
                }
                print("\(action.rawValue): recorded for \(TerminalText.escaped(recording.path)) in \(location) (kept by its fingerprint across re-ingests); now \(recording.linkStatus.rawValue)")
            } catch let error as DecisionError {
                FileHandle.standardError.write(Data("error: \(error.description)\n".utf8))
                throw ExitCode(1)
            }
            return
        }
        let database = try arguments.index.open()
        do {
            let recording = try LinkStage(database: database).decide(action, recording: arguments.recording, session: session, inSeconds: inSeconds,
                                                                     outSeconds: outSeconds, by: CommandLineUser.audited)
            let result = try database.linkResults().first { $0.path == recording.path }
            print("\(action.rawValue): recorded for \(TerminalText.escaped(recording.path)) (kept by its fingerprint across re-ingests)")
            if let result { print(LinkReport.text([result], zone: ConferenceZone.named(try database.conference()?.timeZone)), terminator: "") }
        } catch let error as DecisionError {
            FileHandle.standardError.write(Data("error: \(error.description)\n".utf8))
            throw ExitCode(1)
        } catch {
            // A read-only index or a full disk, said in those words.
            FileHandle.standardError.write(Data("error: the decision could not be recorded: \(database.explain(error))\n".utf8))
            throw ExitCode(1)
        }
    }
}
