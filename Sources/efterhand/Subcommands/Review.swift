import ArgumentParser
import Foundation
import IndexStore
import Linking

/// `efterhand review`: the recordings a person should look at.
struct Review: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List recordings in review with their candidates and reasons.",
        discussion: "Decide with `efterhand link accept|reject|unlink`."
    )

    @OptionGroup var index: IndexOptions

    @Flag(help: "Print JSON in the contract of `efterhand link --json`.")
    var json = false

    func run() throws {
        try StoredLinksOutput.print(status: .review, index: index, json: json)
    }
}
