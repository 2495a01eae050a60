import ArgumentParser
import Foundation
import PostgresStore
import IndexStore

/// `efterhand session hide|publish`: what the staff pages' "Dölj" and "Publicera" do, from the
/// shell (the same `IndexDatabase.setHidden`, with `cli:USER` in the audit log).
struct SessionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "session", abstract: "Hide a session from the feed, pages and search, or publish it again.",
        subcommands: [Hide.self, Publish.self])

    struct Arguments: ParsableArguments {
        @Argument(help: "The session: its guid or slug.")
        var session: String

        @OptionGroup var index: IndexOptions
    }

    struct Hide: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Hide a session (kept across re-ingests until it is published again).")
        @OptionGroup var arguments: Arguments
        func run() throws { try SessionCommand.change(hidden: true, arguments) }
    }

    struct Publish: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Publish a hidden session again (never one marked do-not-record in the programme).")
        @OptionGroup var arguments: Arguments
        func run() throws { try SessionCommand.change(hidden: false, arguments) }
    }

    static func change(hidden: Bool, _ arguments: Arguments) throws {
        let who = CommandLineUser.audited
        let location = try arguments.index.postgres()
        let database = location == nil ? try arguments.index.open() : nil
        do {
            if let location {
                try PostgresCommand.blocking(location) { try await $0.setHidden(hidden, sessionGuid: arguments.session, by: who) }
            }
            try database?.setHidden(hidden, sessionGuid: arguments.session, by: who)
        } catch let error as PublicationError {
            FileHandle.standardError.write(Data("error: \(TerminalText.escaped(error.description))\n".utf8))
            throw ExitCode(1)
        }
        print("\(hidden ? "hidden" : "published"): \(TerminalText.escaped(arguments.session)) (kept across re-ingests; in the audit log as \(who))")
    }
}
