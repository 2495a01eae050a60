import ArgumentParser
import Foundation
import IndexStore
import PostgresStore

/// `efterhand report`: what is still missing captions.
struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Caption coverage: per published session, the minutes drafted by speech recognition, drafted from subtitles, verified, and without verified text."
    )

    @OptionGroup var index: IndexOptions

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let coverage: [CaptionCoverage]
        if let location = try index.postgres() {
            coverage = try PostgresCommand.snapshot(location).captionCoverage()
        } else {
            coverage = try index.open().captionCoverage()
        }
        func total(_ path: KeyPath<CaptionCoverage, Double>) -> Double { (coverage.map { $0[keyPath: path] }.reduce(0, +) * 10).rounded() / 10 }
        let minutes = total(\.minutes), missing = total(\.minutesWithoutVerifiedText)
        let machine = total(\.minutesDraftMachine), subtitles = total(\.minutesDraftSubtitles), verified = total(\.minutesVerified)
        if json {
            struct Document: Encodable {
                var sessions: [CaptionCoverage]
                var totals: [String: Double]
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            encoder.dateEncodingStrategy = .iso8601
            let totals = ["sessions": Double(coverage.count), "minutes": minutes, "minutes_without_verified_text": missing,
                          "minutes_draft_machine": machine, "minutes_draft_subtitles": subtitles, "minutes_verified": verified,
                          "segments_empty": Double(coverage.map(\.empty).reduce(0, +)), "segments_draft": Double(coverage.map(\.draft).reduce(0, +)),
                          "segments_draft_machine": Double(coverage.map(\.draftMachine).reduce(0, +)),
                          "segments_verified": Double(coverage.map(\.verified).reduce(0, +))]
            print(String(decoding: try encoder.encode(Document(sessions: coverage, totals: totals)), as: UTF8.self))
            return
        }
        print("MISSING  TOTAL   MACHINE SUBTITLES VERIFIED  LANG   SESSION")
        for entry in coverage {
            print(String(format: "%5.1f m %5.1f m  %6.1f m  %6.1f m %6.1f m  ", entry.minutesWithoutVerifiedText, entry.minutes,
                         entry.minutesDraftMachine, entry.minutesDraftSubtitles, entry.minutesVerified)
                  + (entry.languages.isEmpty ? "-" : entry.languages.joined(separator: ",")).padding(toLength: 6, withPad: " ", startingAt: 0) + " " + entry.title)
        }
        print(String(format: "%d published sessions, %.1f of %.1f minutes without verified text (%.0f%%)", coverage.count, missing, minutes,
                     minutes > 0 ? 100 * missing / minutes : 0))
        print(String(format: "drafts: %.1f minutes by speech recognition (machine), %.1f from subtitles; verified: %.1f; no text: %.1f",
                     machine, subtitles, verified, max(0, minutes - machine - subtitles - verified)))
    }
}
