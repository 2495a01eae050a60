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

@Suite("folding fast path")
struct FoldFastPathTests {
    @Test("the byte-wise fold agrees with the Unicode fold on Swedish and Latin text", arguments: [
        "Öppna Data", "Göteborg – Sveriges innovationsmotor", "ÅÄÖ åäö Æble Øre Straße", "Café Niño", "Testbädden “Electricity”",
        "2018–2023", "plain ascii TEXT 123",
    ])
    func agrees(text: String) {
        let fast = TextMatch.foldLatin(text)
        #expect(fast != nil)
        // Dashes and quotes become separators in the fast path: compare the words.
        let words = { (s: String) in s.split { !($0.isLetter || $0.isNumber) }.map(String.init) }
        #expect(words(fast ?? "") == words(TextMatch.foldUnicode(text)))
    }

    @Test("text outside the fast path takes the Unicode fold")
    func fallback() {
        #expect(TextMatch.foldLatin("Łódź") == nil)
        #expect(TextMatch.fold("Łódź") == "lodz")
    }
}
