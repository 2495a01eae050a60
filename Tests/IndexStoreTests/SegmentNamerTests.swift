import Foundation
@testable import IndexStore
@testable import Pipeline
import Testing

/// Segments without a title of their own are named by what is said in them.
@Suite("segment names from transcripts")
struct SegmentNamerTests {
    func text(_ id: Int64, _ source: Segment.Source, _ title: String, _ said: String, position: Int = 0, session: String = "s") -> SegmentText {
        SegmentText(segment: Segment(id: id, recordingID: 1, sessionGuid: session, position: position, startSeconds: Double(id) * 300,
                                     endSeconds: Double(id) * 300 + 300, title: title, topics: [], source: source), text: said)
    }

    @Test("an even segment is named by its most distinctive words and phrases; chapters and the programme keep theirs")
    func names() {
        let texts = [
            text(1, .even, "Del 1 av 3", "Öppna data är data som vem som helst får använda. Öppna data från Göteborgs Stad, över hundra datamängder.", position: 0),
            text(2, .even, "Del 2 av 3", "Andra kan bygga tjänster på datamängderna om kollektivtrafik och kollektivtrafik i staden, Göteborgs Stad.", position: 1),
            text(3, .even, "Del 3 av 3", "Tack.", position: 2),
            text(4, .chapter, "Frågor", "Frågor om licenser och format och licenser för Göteborgs Stad."),
            text(5, .session, "Öppna data – vad är det?", "Öppna data och licenser i Göteborgs Stad.", session: "t"),
        ]
        let names = SegmentNamer().names(texts)
        #expect(names[1]?.hasPrefix("öppna data") == true, "\(names[1] ?? "")")
        #expect(names[2]?.contains("kollektivtrafik") == true, "\(names[2] ?? "")")
        // Words every segment has ("göteborgs stad") name nothing; three terms at most, no word twice.
        #expect(names.values.allSatisfy { !$0.contains("göteborgs stad") })
        #expect(names[1].map { $0.components(separatedBy: " · ").count <= 3 } == true)
        #expect(names[1].map { !$0.components(separatedBy: " · ").contains("öppna") } == true, "a word inside a chosen phrase is not repeated")
        // Too little said: the place in the talk stays.
        #expect(names[3] == "Del 3 av 3")
        #expect(names[4] == nil && names[5] == nil, "chapter and programme titles are never replaced")
    }

    @Test("terms are letters only, lower case, without stop words; phrases join neighbours only")
    func terms() {
        let terms = SegmentNamer.terms(in: "Vi pratar om AI-stöd och öppna data, 2021!")
        #expect(terms.map(\.term) == ["pratar", "stöd", "ai stöd", "öppna", "data", "öppna data"])
    }
}
