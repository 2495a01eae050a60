import Foundation
import IndexStore

/// Names the segments that have no title of their own (even cuts of a long talk without
/// chapters, "Del 3 av 9") by the most distinctive words of their own transcript against the
/// week's: TF-IDF over segments, two-word phrases included ("öppna data · datamängder ·
/// kollektivtrafik"). Titles from chapters and the programme always win: only `.even`
/// segments are named, and one whose transcript says too little keeps "Del N av M".
public struct SegmentNamer: Sendable {
    /// Words in a name, at most.
    public var words = 3
    /// A segment needs this many words of its own (stop words left out) to be named.
    public var minimumWords = 3
    /// Added to a phrase's score: more than any single word's tf × idf in a segment of a
    /// realistic length, so that "öppna data" comes before "data".
    let phraseBonus = 1000.0

    public init() {}

    /// Names the index's even segments from their transcripts (or gives them back "Del N av M"
    /// where there is too little text), writing only titles that change.
    public func refresh(_ database: IndexDatabase) throws {
        try database.renameSegments(renames(try database.segmentTexts()))
    }

    /// The new title of each segment (by id) whose name changes (see `names`).
    public func renames(_ texts: [SegmentText]) -> [Int64: String] {
        let titles = names(texts)
        var changes: [Int64: String] = [:]
        for text in texts {
            guard let id = text.segment.id, let title = titles[id], title != text.segment.title else { continue }
            changes[id] = title
        }
        return changes
    }

    /// The title of every `.even` segment (by id): its name from its transcript, else its
    /// place in its session's part ("Del 2 av 9"). Every segment with text counts as a document.
    func names(_ texts: [SegmentText]) -> [Int64: String] {
        let said = texts.map { Self.terms(in: $0.text) }
        var weekCount: [String: Int] = [:]
        for document in said { for entry in document where entry.phrase { weekCount[entry.term, default: 0] += 1 } }
        // A pair of words said once in the whole week is a coincidence, not a phrase.
        let terms = said.map { document in document.filter { !$0.phrase || (weekCount[$0.term] ?? 0) >= 2 } }
        var documentFrequency: [String: Int] = [:]
        for document in terms where !document.isEmpty {
            for term in Set(document.map(\.term)) { documentFrequency[term, default: 0] += 1 }
        }
        let documents = terms.filter { !$0.isEmpty }.count
        var evenCount: [String: Int] = [:]
        for text in texts where text.segment.source == .even { evenCount[Self.partKey(text.segment), default: 0] += 1 }
        var titles: [Int64: String] = [:]
        for (text, document) in zip(texts, terms) where text.segment.source == .even {
            guard let id = text.segment.id else { continue }
            let words = document.filter { !$0.phrase }.count
            let name = words >= minimumWords ? pick(document, frequency: documentFrequency, documents: documents) : nil
            titles[id] = name ?? Segmenter.evenTitle(position: text.segment.position, count: evenCount[Self.partKey(text.segment)] ?? 1)
        }
        return titles
    }

    /// The best `words` terms of one segment, by tf × idf, phrases said again elsewhere in the
    /// week before single words (see `phraseBonus`), leaving out words inside a phrase already chosen and the reverse; nil when no
    /// term sets the segment apart (every term is in every segment).
    func pick(_ document: [(term: String, phrase: Bool)], frequency: [String: Int], documents: Int) -> String? {
        var counts: [String: (count: Int, phrase: Bool)] = [:]
        for entry in document { counts[entry.term, default: (0, entry.phrase)].count += 1 }
        let scored = counts.compactMap { term, value -> (String, Double)? in
            let idf = log(Double(documents) / Double(max(1, frequency[term] ?? 1)))
            guard idf > 0 else { return nil }
            return (term, Double(value.count) * idf + (value.phrase ? phraseBonus : 0))
        }.sorted { ($0.1, $1.0) > ($1.1, $0.0) }
        var chosen: [String] = []
        for (term, _) in scored where chosen.count < words {
            let parts = Set(term.split(separator: " ").map(String.init))
            let overlaps = chosen.contains { other in
                let otherParts = Set(other.split(separator: " ").map(String.init))
                return !parts.isDisjoint(with: otherParts)
            }
            if !overlaps { chosen.append(term) }
        }
        return chosen.isEmpty ? nil : chosen.joined(separator: " · ")
    }

    /// The words of a text (lower case, letters only, no stop words, at least three letters)
    /// and its two-word phrases: words next to each other in one clause (no punctuation
    /// between them) that are not stop words; a two-letter word such as "ai" makes phrases,
    /// not a term of its own.
    static func terms(in text: String) -> [(term: String, phrase: Bool)] {
        var terms: [(term: String, phrase: Bool)] = []
        for clause in text.lowercased().split(whereSeparator: { ".,;:!?()[]\"\n–—".contains($0) }) {
            var previous: String?
            for token in clause.split(whereSeparator: { !$0.isLetter }).map(String.init) {
                guard token.count >= 2, !stopWords.contains(token) else {
                    previous = nil
                    continue
                }
                if token.count >= 3 { terms.append((token, false)) }
                if let before = previous { terms.append((before + " " + token, true)) }
                previous = token
            }
        }
        return terms
    }

    static func partKey(_ segment: Segment) -> String {
        "\(segment.recordingID ?? -1)|\(segment.sessionGuid)"
    }

    /// Swedish and English words too common to name anything.
    static let stopWords: Set<String> = [
        "och", "att", "det", "som", "en", "ett", "är", "på", "av", "för", "med", "till", "den", "har", "de", "inte", "om", "vi", "jag",
        "du", "ni", "han", "hon", "man", "men", "så", "var", "vara", "där", "här", "kan", "ska", "skulle", "kommer", "också", "eller", "när",
        "från", "vid", "sig", "sin", "sitt", "sina", "oss", "vår", "vårt", "våra", "era", "ert", "er", "dem", "deras", "hur", "vad", "vem",
        "vilka", "vilken", "vilket", "alla", "allt", "andra", "annat", "någon", "något", "några", "mycket", "mer", "mest", "bara", "nu", "då",
        "sedan", "efter", "innan", "under", "över", "mellan", "genom", "utan", "mot", "hos", "dag", "idag", "tack", "lite", "bra", "alltså",
        "liksom", "jättebra", "ju", "väl", "nog", "just", "detta", "dessa", "denna", "the", "and", "for", "that", "this", "with", "you", "are",
        "was", "were", "have", "has", "had", "not", "but", "from", "they", "them", "their", "our", "your", "will", "would", "can", "could",
        "what", "which", "who", "how", "when", "where", "there", "here", "all", "also", "about", "into", "more", "some", "very", "just",
        "thank", "thanks", "today", "okay", "yes", "eh", "ehm", "mm", "haha", "tar", "får", "fick", "gör", "göra", "gjorde", "blir", "bli",
        "blev", "vill", "ville", "måste", "kunna", "helst", "väldigt", "ganska", "olika", "många", "första", "sista", "nya", "stor", "stora",
        "säga", "sa", "sagt", "finns", "fanns", "hade", "haft", "varit", "ser", "såg", "tänker", "tror", "vet", "kanske", "verkligen",
    ]
}
