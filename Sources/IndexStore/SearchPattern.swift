import Foundation
import Linking

/// User text made into a safe FTS5 query: words and "quoted phrases", each term a prefix (so
/// `innov` finds innovation and the beginning of a compound finds the compound), all required.
/// Only letters and digits reach FTS5, each inside double quotes.
struct SearchPattern {
    /// The terms, folded, for FTS5.
    var fts: String
    /// The terms as typed (lower-cased), for ranking exact forms above folded ones.
    var exact: [String]
    /// Each folded word, and whether it is searched as a prefix (for the match estimate).
    var terms: [(text: String, prefix: Bool)]

    init?(_ text: String) {
        var phrases: [[String]] = []
        var inQuote = false
        var current = ""
        var words: [String] = []
        func flushWord() {
            let word = current
            current = ""
            guard !word.isEmpty else { return }
            words.append(word)
        }
        func flushPhrase() {
            flushWord()
            if !words.isEmpty { phrases.append(words) }
            words = []
        }
        for character in text.prefix(1000) {
            if character == "\"" {
                if inQuote { flushPhrase() } else { flushWord(); for w in words { phrases.append([w]) }; words = [] }
                inQuote.toggle()
            } else if character.isLetter || character.isNumber {
                current.append(character)
            } else {
                flushWord()
                if !inQuote { for w in words { phrases.append([w]) }; words = [] }
            }
        }
        if inQuote { flushPhrase() } else { flushWord(); for w in words { phrases.append([w]) } }
        var folded = phrases.prefix(32).map { phrase in phrase.prefix(16).map { TextMatch.fold(String($0.prefix(64))) } }
            .filter { !$0.isEmpty }
        // Lone stop words ("och", "the") say nothing when there are other words to look for.
        let meaningful = folded.filter { $0.count > 1 || !TextMatch.stopWords.contains($0[0]) }
        if !meaningful.isEmpty { folded = meaningful }
        guard !folded.isEmpty else { return nil }
        // Every term is also a prefix, except very short ones, which would match half the index.
        fts = folded.map { phrase in "\"" + phrase.joined(separator: " ") + "\"" + ((phrase.last?.count ?? 0) >= 4 ? "*" : "") }
            .joined(separator: " ")
        terms = folded.flatMap { phrase in phrase.enumerated().map { (index, word) in (word, index == phrase.count - 1 && word.count >= 4) } }
        exact = phrases.flatMap { $0 }.map { $0.lowercased() }
    }

    /// Whether a text holds any term (folded; a prefix term as the beginning of a word).
    func matches(_ text: String) -> Bool {
        let folded = TextMatch.fold(text)
        let bytes = Array(folded.utf8)
        guard terms.contains(where: { Self.contains(bytes, Array($0.text.utf8)) }) else { return false }
        return folded.split { !($0.isLetter || $0.isNumber) }.contains { word in
            terms.contains { $0.prefix ? word.hasPrefix($0.text) : word == $0.text }
        }
    }

    /// About 160 characters of `text` around the first matched word, HTML-escaped, with every
    /// matched word in `<mark>…</mark>`.
    func snippet(_ text: String, width: Int = 160) -> String {
        let characters = Array(text.replacingOccurrences(of: "\n", with: " "))
        var words: [(range: Range<Int>, folded: String)] = []
        var index = 0
        while index < characters.count {
            guard characters[index].isLetter || characters[index].isNumber else { index += 1; continue }
            let start = index
            while index < characters.count && (characters[index].isLetter || characters[index].isNumber) { index += 1 }
            words.append((start..<index, TextMatch.fold(String(characters[start..<index]))))
        }
        let matched = words.filter { word in terms.contains { $0.prefix ? word.folded.hasPrefix($0.text) : word.folded == $0.text } }
        let first = matched.first?.range.lowerBound ?? 0
        var from = max(0, first - width / 3)
        var to = min(characters.count, from + width)
        if to == characters.count { from = max(0, to - width) }
        // Do not cut a word in two.
        while from > 0 && (characters[from - 1].isLetter || characters[from - 1].isNumber) { from -= 1 }
        while to < characters.count && (characters[to].isLetter || characters[to].isNumber) { to += 1 }
        var out = from > 0 ? "…" : ""
        var position = from
        for word in matched where word.range.lowerBound >= from && word.range.upperBound <= to {
            out += Self.escape(String(characters[position..<word.range.lowerBound]))
            out += "<mark>" + Self.escape(String(characters[word.range])) + "</mark>"
            position = word.range.upperBound
        }
        out += Self.escape(String(characters[position..<to]))
        return out + (to < characters.count ? "…" : "")
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// 1.5 when every term appears as typed (diacritics and all) in the text, else 1.
    func exactBonus(in text: String) -> Double {
        let lower = Array(text.lowercased().utf8)
        return exact.allSatisfy { Self.contains(lower, Array($0.utf8)) } ? 1.5 : 1
    }

    /// Byte substring search (the texts are short; no Foundation).
    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return needle.isEmpty }
        let first = needle[0]
        var index = 0
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first && haystack[index..<(index + needle.count)].elementsEqual(needle) { return true }
            index += 1
        }
        return false
    }
}
