import Foundation

/// Text comparison that handles Swedish: case and diacritics folded (å, ä → a, ö → o), common
/// Swedish and English stop words ignored, and words matched by their beginnings so that
/// compounds and inflections meet (`innovationsprogrammet` ~ `innovationsprogram`).
public enum TextMatch {
    /// Lower case without diacritics: `Öppna Data` → `oppna data`.
    public static func fold(_ text: String) -> String {
        if let fast = foldLatin(text) { return fast }
        return foldUnicode(text)
    }

    /// The fast path for ASCII and the Latin letters of Swedish, Finnish, German, French and
    /// Spanish text: byte by byte, no Unicode tables. Nil for anything else.
    static func foldLatin(_ text: String) -> String? {
        var out = [UInt8]()
        out.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            if byte < 0x80 {
                out.append(byte >= 65 && byte <= 90 ? byte + 32 : byte)
                continue
            }
            // E2 80 xx: dashes, quotes and other general punctuation; separators when folded.
            if byte == 0xE2 {
                guard iterator.next() == 0x80, iterator.next() != nil else { return nil }
                out.append(UInt8(ascii: " "))
                continue
            }
            // Two-byte sequences C3 xx: Latin-1 letters.
            guard byte == 0xC3, let next = iterator.next() else { return nil }
            switch next {
            case 0x80...0x85, 0xA0...0xA5: out.append(UInt8(ascii: "a"))   // À-Å à-å
            case 0x86, 0xA6: out.append(contentsOf: [UInt8(ascii: "a"), UInt8(ascii: "e")])  // Æ æ
            case 0x87, 0xA7: out.append(UInt8(ascii: "c"))
            case 0x88...0x8B, 0xA8...0xAB: out.append(UInt8(ascii: "e"))
            case 0x8C...0x8F, 0xAC...0xAF: out.append(UInt8(ascii: "i"))
            case 0x91, 0xB1: out.append(UInt8(ascii: "n"))
            case 0x92...0x96, 0x98, 0xB2...0xB6, 0xB8: out.append(UInt8(ascii: "o"))  // Ò-Ö Ø ò-ö ø
            case 0x99...0x9C, 0xB9...0xBC: out.append(UInt8(ascii: "u"))
            case 0x9D, 0xBD, 0xBF: out.append(UInt8(ascii: "y"))
            case 0x9F: out.append(contentsOf: [UInt8(ascii: "s"), UInt8(ascii: "s")])
            default: return nil
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func foldUnicode(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.lowercased().decomposedStringWithCanonicalMapping.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .nonspacingMark, .spacingMark, .enclosingMark:
                continue
            default:
                switch scalar {
                case "ø": out.append("o")
                case "æ": out.append(contentsOf: "ae".unicodeScalars)
                case "ß": out.append(contentsOf: "ss".unicodeScalars)
                case "đ": out.append("d")
                case "ł": out.append("l")
                default: out.append(scalar)
                }
            }
        }
        return String(out)
    }

    /// Folded words, stop words and one-letter words left out.
    public static func words(_ text: String) -> [String] {
        fold(text)
            .split { !($0.isLetter || $0.isNumber) }
            .map(String.init)
            .filter { $0.count > 1 && !stopWords.contains($0) }
    }

    /// Letters and digits only, folded: `Sal A`, `sal-a` and `SAL_A` all become `sala`.
    public static func compact(_ text: String) -> String {
        String(fold(text).unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) }.map(Character.init))
    }

    /// Whether two folded words are the same word for matching: equal, one the beginning of the
    /// other (at least 6 letters shared: compounds and inflections), or, for words of 5 letters
    /// or more, one typo apart.
    public static func sameWord(_ a: String, _ b: String) -> Bool {
        a == b || sameWord(a, count: a.count, b, count: b.count)
    }

    /// `sameWord` for words whose lengths in characters are known (counting them is most of the
    /// work when one word is compared with many).
    static func sameWord(_ a: String, count aCount: Int, _ b: String, count bCount: Int) -> Bool {
        // Both rules need a word of at least five letters on the short side.
        guard min(aCount, bCount) >= 5 else { return a == b }
        if a == b { return true }
        let (short, shortCount, long, longCount) = aCount <= bCount ? (a, aCount, b, bCount) : (b, bCount, a, aCount)
        if shortCount >= 6 && long.hasPrefix(short) { return true }
        if longCount - shortCount <= 1 { return withinOneEdit(Array(short.utf8), Array(long.utf8)) }
        return false
    }

    /// True when `a` becomes `b` by at most one insertion, deletion, substitution or swap of
    /// neighbours. `a` is not longer than `b`.
    static func withinOneEdit(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var i = 0
        while i < a.count && a[i] == b[i] { i += 1 }
        if i == a.count { return b.count - a.count <= 1 }
        if a.count == b.count {
            if a[(i + 1)...] == b[(i + 1)...] { return true }
            // A swap of two neighbours (`innovaiton`) counts as one typo.
            return i + 1 < a.count && a[i] == b[i + 1] && a[i + 1] == b[i] && a[(i + 2)...] == b[(i + 2)...]
        }
        return a[i...] == b[(i + 1)...]
    }

    /// The optimal-string-alignment distance between `a` and `b` (insertions, deletions,
    /// substitutions and swaps of neighbours, each one typo), or nil when it is more than
    /// `limit`. Only a band of width `2 × limit + 1` is worked out.
    static func editDistance(_ a: [UInt8], _ b: [UInt8], limit: Int) -> Int? {
        guard abs(a.count - b.count) <= limit else { return nil }
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        let big = limit + 1
        var before = [Int](repeating: big, count: b.count + 1)
        var previous = Array(0...b.count).map { min($0, big) }
        var current = [Int](repeating: big, count: b.count + 1)
        for i in 1...a.count {
            current[0] = min(i, big)
            var best = current[0]
            let from = max(1, i - limit), to = min(b.count, i + limit)
            if from > 1 { current[from - 1] = big }
            for j in from...to {
                var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { value = min(value, before[j - 2] + 1) }
                current[j] = min(value, big)
                best = min(best, current[j])
            }
            if to < b.count { current[to + 1] = big }
            guard best <= limit else { return nil }
            (before, previous, current) = (previous, current, before)
        }
        return previous[b.count] <= limit ? previous[b.count] : nil
    }

    /// Swedish and English words too common to tell talks apart, already folded.
    public static let stopWords: Set<String> = Set([
        "och", "i", "att", "det", "som", "en", "på", "är", "av", "för", "med", "till", "den", "har",
        "de", "inte", "om", "ett", "men", "var", "jag", "så", "vi", "kan", "du", "vad", "hur", "från",
        "eller", "när", "man", "sin", "sig", "nu", "ut", "efter", "vid", "under", "mot", "alla",
        "också", "där", "då", "dem", "vara", "blir", "bli", "del", "ni", "oss", "vår", "våra", "vårt",
        "er", "här", "hos", "ska", "skall", "nya", "ny", "mer", "mest",
        "the", "a", "an", "of", "and", "or", "to", "in", "on", "for", "with", "at", "by", "from",
        "is", "are", "how", "what", "we", "our", "you", "your", "about", "this", "that", "it", "part",
    ].map(fold))
}

/// Title similarity weighted by how rare each word is among the programme's sessions, so that
/// `Öppna data` tells more than `Göteborg` in a week of Göteborg's talks.
struct TitleIndex {
    private var documentFrequency: [String: Int] = [:]
    private let sessionCount: Double

    init(documents: [[String]]) {
        sessionCount = Double(max(1, documents.count))
        for words in documents {
            for word in Set(words) { documentFrequency[word, default: 0] += 1 }
        }
    }

    func weight(_ word: String) -> Double {
        log(1 + sessionCount / Double(documentFrequency[word] ?? 1))
    }

    /// Words with their weights, ready for many comparisons.
    struct Weighted {
        var words: [String]
        var set: Set<String>
        var weights: [Double]
        var total: Double
        /// Each word's length in characters.
        var lengths: [Int]
        var isEmpty: Bool { words.isEmpty }
    }

    func weighted(_ words: [String]) -> Weighted {
        var seen = Set<String>()
        let unique = words.filter { seen.insert($0).inserted }
        let weights = unique.map(weight)
        return Weighted(words: unique, set: seen, weights: weights, total: weights.reduce(0, +), lengths: unique.map(\.count))
    }

    /// F1 of weighted precision and recall between the words of a recording's text and a
    /// session's words: 1 when they are the same words, 0 when none match.
    func similarity(_ recording: [String], _ session: [String]) -> Double {
        similarity(weighted(recording), weighted(session))
    }

    func similarity(_ a: Weighted, _ b: Weighted) -> Double {
        guard !a.isEmpty, !b.isEmpty else { return 0 }
        func matched(_ x: Weighted, in y: Weighted) -> Double {
            var sum = 0.0
            for (index, word) in x.words.enumerated() {
                let length = x.lengths[index]
                if y.set.contains(word) || y.words.indices.contains(where: { TextMatch.sameWord(word, count: length, y.words[$0], count: y.lengths[$0]) }) {
                    sum += x.weights[index]
                }
            }
            return sum
        }
        let precision = matched(a, in: b) / a.total
        let recall = matched(b, in: a) / b.total
        guard precision + recall > 0 else { return 0 }
        return 2 * precision * recall / (precision + recall)
    }
}
