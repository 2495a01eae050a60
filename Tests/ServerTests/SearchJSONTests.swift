import Feed
import Foundation
import IndexStore
@testable import Server
import Testing

/// The search answer's hand-made JSON is byte for byte what JSONEncoder writes (`APIJSON`), on
/// answers made from awkward strings and numbers.
@Suite struct SearchJSONTests {
    /// A small deterministic generator, so that a failure can be repeated.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state
        }
    }

    static let pieces = ["öppna data", "Å", "\"", "\\", "/", "\n", "\t", "\r", "\u{8}", "\u{C}", "\u{1}", "\u{1F}", "\u{7F}", "\u{2028}", "😀",
                         "e\u{301}", "<b>", "&amp;", "http://x/y?z=1&w=2#t=3", " ", "", "{\"a\":1}", "\u{0}"]

    /// Names whose order depends on how keys are compared: numbers, case, Swedish letters.
    static let rooms = ["Sal 10", "Sal 9", "sal 9", "Sal a", "Sal B", "sal b", "Öppna", "öppna", "Åre", "zebra", "Ärende", "Aula", "aula 2",
                        "Aula 10", "A", "a", "B", "_x", "x_", "Z", "É", "e", "E", "1", "01", "2", "10", " ", "Sal  A", "Salé", "Sale"]

    static func text(_ g: inout Generator) -> String {
        (0..<Int.random(in: 0...5, using: &g)).map { _ in pieces.randomElement(using: &g) ?? "" }.joined()
    }

    static func number(_ g: inout Generator) -> Double {
        [0, 1, -1, 299.98, 1e-7, 123456789.125, 5400, 0.1 + 0.2, 1e21, -0.0, Double.random(in: -1000...100000, using: &g),
         Double(Int.random(in: 0...100000, using: &g))].randomElement(using: &g) ?? 0
    }

    static func answer(_ g: inout Generator) -> SearchResults {
        let hits = (0..<Int.random(in: 0...4, using: &g)).map { _ in
            SearchResults.Hit(recordingID: Int64.random(in: -5...Int64.max, using: &g), sessionGuid: text(&g), sessionTitle: text(&g), segmentTitle: text(&g),
                              startSeconds: number(&g), endSeconds: number(&g), atSeconds: number(&g), snippet: text(&g),
                              snippetParts: (0..<Int.random(in: 0...3, using: &g)).map { _ in SnippetPart(text: text(&g), marked: Bool.random(using: &g)) },
                              score: number(&g), url: text(&g), watchURL: text(&g), sessionAPI: text(&g),
                              thumbnail: Bool.random(using: &g) ? text(&g) : nil)
        }
        var facets = SearchFacets()
        for _ in 0..<Int.random(in: 0...4, using: &g) {
            facets.topics[text(&g)] = Int.random(in: 0...50, using: &g)
            facets.speakers[text(&g)] = Int.random(in: 0...50, using: &g)
        }
        facets.days["2021-10-0\(Int.random(in: 4...7, using: &g))"] = 3
        facets.days["2021-10-\(Int.random(in: 10...31, using: &g))"] = 1
        for _ in 0..<Int.random(in: 0...6, using: &g) {
            facets.rooms[(Self.rooms.randomElement(using: &g) ?? "") + (Bool.random(using: &g) ? "" : text(&g))] = Int.random(in: 1...9, using: &g)
        }
        let optional = { (g: inout Generator) -> String? in Bool.random(using: &g) ? text(&g) : nil }
        let query = SearchResults.Query(q: text(&g), topic: optional(&g), day: optional(&g), speaker: optional(&g), room: optional(&g),
                                        language: optional(&g), limit: Int.random(in: 1...100, using: &g))
        return SearchResults(query: query, total: hits.count, hits: hits, facets: facets)
    }

    @Test("2,000 generated answers: the same bytes as JSONEncoder's")
    func sameBytes() throws {
        var g = Generator(state: 20)
        for round in 0..<2000 {
            let answer = Self.answer(&g)
            let made = answer.json(), encoded = try APIJSON.encode(answer)
            #expect(made == encoded, "round \(round):\n\(String(decoding: made, as: UTF8.self))\n\(String(decoding: encoded, as: UTF8.self))")
            if made != encoded { break }
        }
    }
}
