import Foundation
import Testing
@testable import Linking

@Suite("Swedish text matching")
struct TextMatchTests {
    @Test("folding removes case and diacritics", arguments: [
        ("Öppna Data", "oppna data"), ("Göteborgs Stad", "goteborgs stad"), ("SAL_Å", "sal_a"), ("Ærø", "aero"),
    ])
    func fold(input: String, expected: String) {
        #expect(TextMatch.fold(input) == expected)
    }

    @Test("rooms compare by letters and digits only")
    func compactRooms() {
        #expect(Set(["sal-a", "Sal A", "SAL_A", "sal a"].map(TextMatch.compact)) == ["sala"])
        #expect(TextMatch.compact("BRG-studion") == TextMatch.compact("brg studion"))
    }

    @Test("stop words and one-letter words are dropped")
    func words() {
        #expect(TextMatch.words("Öppna data – vad är det och vad kan du göra med den?") == ["oppna", "data", "gora"])
        #expect(TextMatch.words("The future of open data in the city") == ["future", "open", "data", "city"])
    }

    @Test("compounds, inflections and typos match; different words do not")
    func sameWord() {
        #expect(TextMatch.sameWord("innovationsprogrammet", "innovationsprogram"))
        #expect(TextMatch.sameWord("innovation", "innovationsmotor"))
        #expect(TextMatch.sameWord("hallbarhet", "hallbarhtet"))
        #expect(TextMatch.sameWord("electricity", "electricty"))
        #expect(TextMatch.sameWord("robot", "robit"))
        #expect(!TextMatch.sameWord("data", "date"))
        #expect(!TextMatch.sameWord("hoppet", "hoppas"))
        // Short words must be equal: `stad` is not `stads`, `data` is not `date`.
        #expect(!TextMatch.sameWord("stad", "stads"))
    }
}
