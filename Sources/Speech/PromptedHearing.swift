import Foundation

/// What an engine heard with a prompt (the names and titles of the talks a recording may hold),
/// checked against what it heard of the same audio without one.
///
/// A prompt makes Whisper spell names it half-hears as the programme does ("Mitt arm där du
/// har understånd" becomes "Mitt arm där Johan Andersson"), but it also makes Whisper repeat
/// the prompt where something else was said (seen here: "Hanna Andersson, Mohammed Lindqvist,
/// Lärdomar från Visby." for a speaker who said neither name). So a prompted segment is kept
/// only where it reads like the plain text heard at the same time, letter pair by letter pair;
/// elsewhere the plain text stands.
public enum PromptedHearing {
    /// A prompted segment is kept when the letter pairs it shares with the plain text heard at
    /// the same time reach this Dice coefficient (measured here on espeak-ng Swedish through
    /// Whisper base: 0.75-0.78 for a name or title heard better, 0.16-0.38 for a prompt repeated).
    public static let agreement = 0.5
    /// Seconds by which two segments must overlap to be the same speech (engines' segment
    /// edges differ by a few hundred milliseconds between passes).
    static let overlap = 0.3

    /// The prompted segments that agree with the plain ones at their time, and the plain
    /// segments where none does, in order; and how many prompted segments were kept.
    public static func merge(plain: [SpeechSegment], prompted: [SpeechSegment]) -> (segments: [SpeechSegment], kept: Int) {
        var kept: [SpeechSegment] = []
        for segment in prompted {
            let beside = plain.filter { overlaps($0, segment) }
            guard !beside.isEmpty else { continue }
            if similarity(segment.text, beside.map(\.text).joined(separator: " ")) >= agreement { kept.append(segment) }
        }
        let rest = plain.filter { segment in !kept.contains { overlaps($0, segment) } }
        return ((kept + rest).sorted { ($0.start, $0.end) < ($1.start, $1.end) }, kept.count)
    }

    /// Whether two segments share speech: they overlap by `overlap` seconds, or by half the
    /// shorter one's length when it is shorter than that.
    static func overlaps(_ a: SpeechSegment, _ b: SpeechSegment) -> Bool {
        let shared = min(a.end, b.end) - max(a.start, b.start)
        let shorter = min(a.end - a.start, b.end - b.start)
        return shared > 0 && shared >= min(overlap, shorter / 2)
    }

    /// The Dice coefficient of the two texts' letter pairs (lower-cased, each word with a space
    /// at either end, so that a word's first and last letters count): 1 for the same letters
    /// in the same words, 0 for nothing in common.
    static func similarity(_ a: String, _ b: String) -> Double {
        let first = pairs(a), second = pairs(b)
        let total = first.values.reduce(0, +) + second.values.reduce(0, +)
        guard total > 0 else { return 0 }
        let shared = first.reduce(0) { $0 + min($1.value, second[$1.key] ?? 0) }
        return 2 * Double(shared) / Double(total)
    }

    /// Each word's letter pairs, counted.
    static func pairs(_ text: String) -> [String: Int] {
        var counts: [String: Int] = [:]
        for word in text.lowercased().split(whereSeparator: { !($0.isLetter || $0.isNumber) }) {
            let letters = [" "] + word.map(String.init) + [" "]
            for index in 0..<(letters.count - 1) { counts[letters[index] + letters[index + 1], default: 0] += 1 }
        }
        return counts
    }
}
