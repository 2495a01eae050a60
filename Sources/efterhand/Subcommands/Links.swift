import ArgumentParser
import Foundation
import IndexStore
import Linking
import PostgresStore
import Schedule

/// `efterhand links`: the links in the index now.
struct Links: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the current links of every recording in the index.")

    @OptionGroup var index: IndexOptions

    @Flag(help: "Print JSON in the contract of `efterhand link --json`.")
    var json = false

    func run() throws {
        try StoredLinksOutput.print(status: nil, index: index, json: json)
    }
}

enum StoredLinksOutput {
    /// The links of every recording (or those with `status`) in the index or the store.
    static func print(status: LinkStatus?, index: IndexOptions, json: Bool) throws {
        if let location = try index.postgres() {
            let snapshot = try PostgresCommand.snapshot(location)
            try print(snapshot.linkResults(status: status), timeZone: snapshot.conference?.timeZone, json: json)
        } else {
            let database = try index.open()
            try print(try database.linkResults(status: status), timeZone: try database.conference()?.timeZone, json: json)
        }
    }

    static func print(_ results: [RecordingLinks], timeZone: String?, json: Bool) throws {
        let zone = ConferenceZone.named(timeZone)
        if json {
            Swift.print(String(decoding: try RecordingLinks.encoder(zone: zone).encode(results), as: UTF8.self))
        } else {
            Swift.print(LinkReport.text(results, zone: zone), terminator: "")
        }
    }
}
