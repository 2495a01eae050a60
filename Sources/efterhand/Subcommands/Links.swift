import ArgumentParser
import Foundation
import IndexStore
import Linking
import Schedule

/// `efterhand links`: the links in the index now.
struct Links: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the current links of every recording in the index.")

    @OptionGroup var index: IndexOptions

    @Flag(help: "Print JSON in the contract of `efterhand link --json`.")
    var json = false

    func run() throws {
        let database = try index.open()
        try StoredLinksOutput.print(try database.linkResults(), database: database, json: json)
    }
}

enum StoredLinksOutput {
    static func print(_ results: [RecordingLinks], database: IndexDatabase, json: Bool) throws {
        let zone = ConferenceZone.named(try database.conference()?.timeZone)
        if json {
            Swift.print(String(decoding: try RecordingLinks.encoder(zone: zone).encode(results), as: UTF8.self))
        } else {
            Swift.print(LinkReport.text(results, zone: zone), terminator: "")
        }
    }
}
