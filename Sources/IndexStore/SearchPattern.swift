import Foundation
import Linking

/// User text made into a safe FTS5 query: words and "quoted phrases", each term a prefix (so
/// `innov` finds innovation and the beginning of a compound finds the compound), all required.
/// Only letters and digits reach FTS5, each inside double quotes.
public struct SearchPattern: Sendable {
    /// The terms, folded, for FTS5.
    public var fts: String
    /// The terms as typed (lower-cased), for ranking exact forms above folded ones.
    public var exact: [String]
    /// Each folded word, and whether it is searched as a prefix.
    public var terms: [(text: String, prefix: Bool)]
    /// The folded phrases (a lone word is a phrase of one), as the FTS5 query holds them.
    public var phrases: [[String]]

    public init?(_ text: String) {
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
            } else if (character.isLetter || character.isNumber) && String(character) != SearchPattern.pairJoiner {
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
        self.phrases = folded
        // Every term is also a prefix, except very short ones, which would match half the index.
        // A phrase of several words also needs each pair of them in the `pairs` column: the
        // pairs are rare where the words are not, so FTS5 checks positions in few rows.
        fts = folded.map { phrase in
            let star = (phrase.last?.count ?? 0) >= 4 ? "*" : ""
            var parts = ["\"" + phrase.joined(separator: " ") + "\"" + star]
            for index in phrase.indices.dropLast() {
                let last = index + 1 == phrase.count - 1
                parts.append("pairs : \"" + SearchPattern.pairToken(phrase[index], phrase[index + 1]) + "\"" + (last ? star : ""))
            }
            return parts.joined(separator: " AND ")
        }.joined(separator: " AND ")
        terms = folded.flatMap { phrase in phrase.enumerated().map { (index, word) in (word, index == phrase.count - 1 && word.count >= 4) } }
        exact = phrases.flatMap { $0 }.map { $0.lowercased() }
    }

    /// Joins two adjacent words into one token of the index's `pairs` column, and begins it: a
    /// letter (so the tokenizer keeps the pair whole) that no Swedish or English word holds.
    /// Leading with it keeps pairs out of the words' prefix searches (`digital*`).
    static let pairJoiner = "\u{01C2}"

    /// The token of two adjacent (folded or lower-case) words.
    static func pairToken(_ first: String, _ second: String) -> String {
        pairJoiner + first + pairJoiner + second
    }

    /// The index's `pairs` column of a row: every two adjacent words of each of its texts.
    static func pairs(_ texts: [String]) -> String {
        var out: [String] = []
        for text in texts where !text.isEmpty {
            let lower = text.lowercased()
            let bytes = Array(lower.utf8)
            let list = words(in: lower).map { String(decoding: bytes[$0], as: UTF8.self) }
            for index in list.indices.dropLast() { out.append(pairToken(list[index], list[index + 1])) }
        }
        return out.joined(separator: " ")
    }

    /// Whether a text holds any term (folded; a prefix term as the beginning of a word).
    public func matches(_ text: String) -> Bool {
        let folded = TextMatch.fold(text)
        let bytes = Array(folded.utf8)
        let needles = terms.map { (bytes: Array($0.text.utf8), prefix: $0.prefix) }
        guard needles.contains(where: { Self.contains(bytes, $0.bytes) }) else { return false }
        return Self.words(in: folded).contains { range in
            let word = bytes[range]
            return needles.contains { $0.prefix ? word.starts(with: $0.bytes) : word.elementsEqual($0.bytes) }
        }
    }

    /// Letters and digits, with an ASCII fast path (Unicode properties are slow to look up).
    static func isWordPart(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        guard value >= 0x80 else {
            return (value >= 0x61 && value <= 0x7A) || (value >= 0x41 && value <= 0x5A) || (value >= 0x30 && value <= 0x39)
        }
        return scalar.properties.isAlphabetic || scalar.properties.numericType != nil
    }

    /// The UTF-8 offsets of the words (runs of letters and digits) of a text.
    static func words(in text: String) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var offset = 0
        var start: Int?
        for scalar in text.unicodeScalars {
            if isWordPart(scalar) {
                if start == nil { start = offset }
            } else if let first = start {
                ranges.append(first..<offset)
                start = nil
            }
            offset += UTF8.width(scalar)
        }
        if let first = start { ranges.append(first..<offset) }
        return ranges
    }

    /// About 160 characters of `text` around the first matched word, HTML-escaped, with every
    /// matched word in `<mark>…</mark>`.
    func snippet(_ text: String, width: Int = 160) -> String {
        Self.html(snippetParts(text, width: width))
    }

    /// About 160 characters of `text` around the first matched word, in runs of matched words
    /// and the text between them (line breaks as spaces, `…` where the text was cut).
    public func snippetParts(_ text: String, width: Int = 160) -> [SnippetPart] {
        let scalars = Array(text.unicodeScalars)
        let needles = terms.map { (scalars: Array($0.text.unicodeScalars), prefix: $0.prefix) }
        // The words that match, from `start`, as far as `end` (a word begun before it included).
        func matchedWords(from start: Int, to end: Int, first: Bool) -> [Range<Int>] {
            var matched: [Range<Int>] = []
            var index = start
            while index < end {
                guard Self.isWordPart(scalars[index]) else { index += 1; continue }
                let wordStart = index
                while index < scalars.count && Self.isWordPart(scalars[index]) { index += 1 }
                if Self.wordMatches(scalars[wordStart..<index], needles) {
                    matched.append(wordStart..<index)
                    if first { break }
                }
            }
            return matched
        }
        // Only the first match places the window; only the words inside it are marked.
        let firstMatch = matchedWords(from: 0, to: scalars.count, first: true).first
        let first = firstMatch?.lowerBound ?? 0
        var from = max(0, first - width / 3)
        var to = min(scalars.count, from + width)
        if to == scalars.count { from = max(0, to - width) }
        // Do not cut a word in two.
        while from > 0 && Self.isWordPart(scalars[from - 1]) { from -= 1 }
        while to < scalars.count && Self.isWordPart(scalars[to]) { to += 1 }
        let matched = firstMatch.map { matchedWords(from: $0.lowerBound, to: to, first: false) } ?? []
        var parts: [SnippetPart] = []
        func add(_ run: ArraySlice<Unicode.Scalar>, marked: Bool) {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(run.count)
            for scalar in run {
                if scalar == "\n" || scalar == "\r" { bytes.append(0x20) } else { UTF8.encode(scalar) { bytes.append($0) } }
            }
            guard !bytes.isEmpty else { return }
            let out = String(decoding: bytes, as: UTF8.self)
            if !marked, let last = parts.last, !last.marked {
                parts[parts.count - 1].text += out
            } else {
                parts.append(SnippetPart(text: out, marked: marked))
            }
        }
        if from > 0 { add(["…"], marked: false) }
        var position = from
        for word in matched where word.lowerBound >= from && word.upperBound <= to {
            add(scalars[position..<word.lowerBound], marked: false)
            add(scalars[word], marked: true)
            position = word.upperBound
        }
        add(scalars[position..<to], marked: false)
        if to < scalars.count { add(["…"], marked: false) }
        return parts
    }

    /// Snippet parts as HTML: text escaped, matched words in `<mark>…</mark>`.
    public static func html(_ parts: [SnippetPart]) -> String {
        var out: [UInt8] = []
        for part in parts {
            if part.marked { out.append(contentsOf: "<mark>".utf8) }
            appendEscaped(part.text, to: &out)
            if part.marked { out.append(contentsOf: "</mark>".utf8) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Whether a word, folded as `TextMatch.fold` folds it, equals a needle (or begins with a
    /// prefix needle). ASCII words are compared in place; others are folded first.
    static func wordMatches(_ word: ArraySlice<Unicode.Scalar>, _ needles: [(scalars: [Unicode.Scalar], prefix: Bool)]) -> Bool {
        guard word.allSatisfy({ $0.isASCII }) else {
            // Most words fail on their first letter: fold just that one before the whole word.
            if let first = word.first, let lead = foldedLead(first), !needles.contains(where: { $0.scalars.first?.value == lead }) {
                return false
            }
            var text = String.UnicodeScalarView()
            text.append(contentsOf: word)
            let folded = Array(TextMatch.fold(String(text)).unicodeScalars)
            return needles.contains { $0.prefix ? folded.starts(with: $0.scalars) : folded.elementsEqual($0.scalars) }
        }
        return needles.contains { needle in
            guard needle.prefix ? word.count >= needle.scalars.count : word.count == needle.scalars.count else { return false }
            for (offset, expected) in needle.scalars.enumerated() {
                let value = word[word.startIndex + offset].value
                if (value >= 0x41 && value <= 0x5A ? value + 0x20 : value) != expected.value { return false }
            }
            return true
        }
    }

    /// The first letter of `TextMatch.fold` of a word that begins with `scalar`, for ASCII and
    /// the Latin-1 letters (`Ö` → `o`, `Æ` → `a`); nil for any other.
    static func foldedLead(_ scalar: Unicode.Scalar) -> UInt32? {
        let value = scalar.value
        if value < 0x80 { return value >= 0x41 && value <= 0x5A ? value + 0x20 : value }
        guard value >= 0xC0 && value <= 0xFF else { return nil }
        switch value & 0xDF {  // upper and lower case alike
        case 0xC0...0xC6: return UInt32(UInt8(ascii: "a"))
        case 0xC7: return UInt32(UInt8(ascii: "c"))
        case 0xC8...0xCB: return UInt32(UInt8(ascii: "e"))
        case 0xCC...0xCF: return UInt32(UInt8(ascii: "i"))
        case 0xD1: return UInt32(UInt8(ascii: "n"))
        case 0xD2...0xD6, 0xD8: return UInt32(UInt8(ascii: "o"))
        case 0xD9...0xDC: return UInt32(UInt8(ascii: "u"))
        case 0xDD: return UInt32(UInt8(ascii: "y"))
        case 0xDF: return value == 0xFF ? UInt32(UInt8(ascii: "y")) : value == 0xDF ? UInt32(UInt8(ascii: "s")) : nil
        default: return nil
        }
    }

    /// HTML-escapes text (`&`, `<`, `>`, `"`), with line breaks as spaces, as UTF-8 (the
    /// characters escaped are ASCII, so a byte never splits a character).
    static func appendEscaped(_ text: String, to out: inout [UInt8]) {
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "&"): out.append(contentsOf: "&amp;".utf8)
            case UInt8(ascii: "<"): out.append(contentsOf: "&lt;".utf8)
            case UInt8(ascii: ">"): out.append(contentsOf: "&gt;".utf8)
            case UInt8(ascii: "\""): out.append(contentsOf: "&quot;".utf8)
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"): out.append(0x20)
            default: out.append(byte)
            }
        }
    }

    /// 1.5 when every term appears as typed (diacritics and all) in the text, else 1.
    public func exactBonus(in text: String) -> Double {
        let lower = Self.lowercasedBytes(text)
        return exact.allSatisfy { Self.contains(lower, Array($0.utf8)) } ? 1.5 : 1
    }

    /// UTF-8 lower-cased for ASCII and Latin-1 letters (Å Ä Ö É ...) byte by byte, and by
    /// `lowercased()` only when the text has other letters that have case.
    static func lowercasedBytes(_ text: String) -> [UInt8] {
        var bytes = Array(text.utf8)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte >= 0x41 && byte <= 0x5A {
                bytes[index] = byte + 0x20
            } else if byte == 0xC3, index + 1 < bytes.count {
                let next = bytes[index + 1]
                if next >= 0x80 && next <= 0x9E && next != 0x97 { bytes[index + 1] = next + 0x20 }
                index += 1
            } else if byte >= 0xC4 && byte <= 0xD4 {
                // Latin Extended, Greek, Cyrillic: letters with case beyond Latin-1.
                return Array(text.lowercased().utf8)
            }
            index += 1
        }
        return bytes
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

/// A run of a snippet's text, and whether it is a matched word.
public struct SnippetPart: Sendable, Codable, Equatable {
    public var text: String
    public var marked: Bool

    public init(text: String, marked: Bool) {
        self.text = text
        self.marked = marked
    }
}
