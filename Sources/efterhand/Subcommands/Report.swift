import ArgumentParser
import Foundation
import IndexStore

/// `efterhand report`: what is still missing captions.
struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Caption coverage: per published session, the transcript state of its segments and the minutes without verified text."
    )

    @OptionGroup var index: IndexOptions

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let database = try index.open()
        let coverage = try database.captionCoverage()
        let minutes = coverage.map(\.minutes).reduce(0, +)
        let missing = coverage.map(\.minutesWithoutVerifiedText).reduce(0, +)
        if json {
            struct Document: Encodable {
                var sessions: [CaptionCoverage]
                var totals: [String: Double]
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            encoder.dateEncodingStrategy = .iso8601
            let totals = ["sessions": Double(coverage.count), "minutes": (minutes * 10).rounded() / 10,
                          "minutes_without_verified_text": (missing * 10).rounded() / 10,
                          "segments_empty": Double(coverage.map(\.empty).reduce(0, +)), "segments_draft": Double(coverage.map(\.draft).reduce(0, +)),
                          "segments_verified": Double(coverage.map(\.verified).reduce(0, +))]
            print(String(decoding: try encoder.encode(Document(sessions: coverage, totals: totals)), as: UTF8.self))
            return
        }
        print("MISSING  TOTAL  EMPTY DRAFT VERIFIED  LANG   SESSION")
        for entry in coverage {
            print(String(format: "%5.1f m %5.1f m  %5d %5d %8d  ", entry.minutesWithoutVerifiedText, entry.minutes, entry.empty, entry.draft, entry.verified)
                  + (entry.languages.isEmpty ? "-" : entry.languages.joined(separator: ",")).padding(toLength: 6, withPad: " ", startingAt: 0) + " " + entry.title)
        }
        print(String(format: "%d published sessions, %.1f of %.1f minutes without verified text (%.0f%%)", coverage.count, missing, minutes,
                     minutes > 0 ? 100 * missing / minutes : 0))
    }
}
