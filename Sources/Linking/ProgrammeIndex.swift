import Foundation
import Schedule

/// The programme prepared for linking: sessions sorted by start, and lookup tables by guid,
/// slug, id, word and room. Built once; every other part of the linker reads it.
struct ProgrammeIndex: Sendable {
    /// The sessions, by start time (then guid).
    let sessions: [Session]
    /// Folded title and subtitle words of each session.
    let words: [[String]]
    /// Each speaker's folded name words, per session.
    let personWords: [[[String]]]
    let titleIndex: TitleIndex
    let weightedWords: [TitleIndex.Weighted]
    let byGuid: [String: Int]
    let bySlug: [String: Int]
    let byID: [String: [Int]]
    let byWordPrefix: [String: [Int]]
    /// Each session's room, compacted (`salb`), as clues name rooms.
    let roomKeys: [String]
    /// Compacted room names to the rooms as the programme writes them.
    let knownRooms: [String: String]
    let longestSlot: TimeInterval
    /// Each session's slot on the wall clock (`10:00–10:45`), for reasons.
    let slotTexts: [String]
    /// Each session's day (`2021-10-04`), for reasons.
    let days: [String]
    /// Each session's title as letters and digits only, folded (`opencodes`), and the sessions
    /// by that length: for titles written with a typo or two.
    let compactTitles: [[UInt8]]
    let byCompactLength: [Int: [Int]]
    /// Folded words of each session's title, topics, abstract and description that few other
    /// sessions have (see `LinkThresholds.topicRareShare`), each once: what a speaker says
    /// about this talk and not about every talk.
    let topicWords: [[String]]
    /// Sessions by the first letters of their speakers' names as they sound
    /// (`ProgrammeIndex.sound`) and of their topic words: where what was heard is looked up.
    let bySpokenPrefix: [String: [Int]]

    /// Indexes `sessions`, writing times for people in `zone`.
    init(sessions: [Session], zone: TimeZone) {
        let sorted = sessions.sorted { ($0.start, $0.guid) < ($1.start, $1.guid) }
        self.sessions = sorted
        let words = sorted.map { TextMatch.words($0.title + " " + ($0.subtitle ?? "")) }
        let personWords = sorted.map { $0.persons.map(TextMatch.words).filter { !$0.isEmpty } }
        self.words = words
        self.personWords = personWords
        titleIndex = TitleIndex(documents: words)
        weightedWords = words.map(titleIndex.weighted)
        var byGuid: [String: Int] = [:]
        var bySlug: [String: Int] = [:]
        var byID: [String: [Int]] = [:]
        var byWordPrefix: [String: [Int]] = [:]
        var knownRooms: [String: String] = [:]
        for (index, session) in sorted.enumerated() {
            byGuid[session.guid.lowercased()] = index
            if let slug = session.slug?.lowercased(), slug.count >= LinkThresholds.shortestSlug { bySlug[slug] = index }
            if let id = session.id { byID[id, default: []].append(index) }
            for word in Set(words[index] + personWords[index].flatMap { $0 }) {
                byWordPrefix[Self.prefix(word), default: []].append(index)
            }
            if let room = session.room, !TextMatch.compact(room).isEmpty { knownRooms[TextMatch.compact(room)] = room }
        }
        self.byGuid = byGuid
        self.bySlug = bySlug
        self.byID = byID
        self.byWordPrefix = byWordPrefix
        self.knownRooms = knownRooms
        roomKeys = sorted.map { TextMatch.compact($0.room ?? "") }
        let compactTitles = sorted.map { Array(TextMatch.compact($0.title).utf8) }
        self.compactTitles = compactTitles
        byCompactLength = Dictionary(grouping: compactTitles.indices, by: { compactTitles[$0].count })
        topicWords = Self.topicWords(sorted, titles: words)
        var bySpokenPrefix: [String: [Int]] = [:]
        for index in sorted.indices {
            let keys = Set(personWords[index].flatMap { $0 }.map { Self.spokenPrefix(Self.sound($0)) } + topicWords[index].map(Self.spokenPrefix))
            for key in keys { bySpokenPrefix[key, default: []].append(index) }
        }
        self.bySpokenPrefix = bySpokenPrefix
        longestSlot = sorted.map { $0.end.timeIntervalSince($0.start) }.max() ?? 0
        slotTexts = sorted.map { "\(ClockText.wallClock($0.start, zone: zone))–\(ClockText.wallClock($0.end, zone: zone))" }
        days = sorted.map { ClockText.day($0.start, zone: zone) }
    }

    /// Each session's rare words of its title, topics, abstract and description.
    static func topicWords(_ sessions: [Session], titles: [[String]]) -> [[String]] {
        let all = zip(sessions, titles).map { session, title -> [String] in
            let text = [session.abstract, session.description].compactMap { $0?.prefix(LinkThresholds.aboutCharacters) }.joined(separator: " ")
            var seen = Set<String>()
            return (title + TextMatch.words(([session.track ?? ""] + session.topics + [text]).joined(separator: " ")))
                .filter { $0.count >= LinkThresholds.spokenTopicLetters && seen.insert($0).inserted }
        }
        var frequency: [String: Int] = [:]
        for words in all { for word in words { frequency[word, default: 0] += 1 } }
        let most = max(LinkThresholds.topicRareAtLeast, Int(Double(sessions.count) * LinkThresholds.topicRareShare))
        return all.map { $0.filter { frequency[$0, default: 0] <= most } }
    }

    /// The key of a word, as heard, in `bySpokenPrefix`.
    static func spokenPrefix(_ word: String) -> String {
        String(word.prefix(LinkThresholds.spokenPrefixLength))
    }

    /// The key of a word in the word index.
    static func prefix(_ word: String) -> String {
        String(word.prefix(LinkThresholds.wordPrefixLength))
    }

    /// The index of the session with this guid (any case).
    func index(ofGuid guid: String) -> Int? {
        byGuid[guid.lowercased()]
    }

    /// The length of a session's slot, in seconds.
    func slotLength(_ index: Int) -> TimeInterval {
        sessions[index].end.timeIntervalSince(sessions[index].start)
    }

    /// The sessions whose slots (with `padding`) meet a recording that starts at `start`.
    func sessionsNear(_ start: Date, duration: Double, padding: TimeInterval) -> [Int] {
        let from = start.addingTimeInterval(-padding - longestSlot)
        let to = start.addingTimeInterval(duration + padding)
        var low = 0
        var high = sessions.count
        while low < high {
            let mid = (low + high) / 2
            if sessions[mid].start < from { low = mid + 1 } else { high = mid }
        }
        var found: [Int] = []
        var index = low
        while index < sessions.count && sessions[index].start <= to {
            if sessions[index].end >= start.addingTimeInterval(-padding) { found.append(index) }
            index += 1
        }
        return found
    }

    /// Whether two sessions' slots overlap.
    func slotsOverlap(_ a: Int, _ b: Int) -> Bool {
        sessions[a].start < sessions[b].end && sessions[b].start < sessions[a].end
    }

    /// The sessions whose words best meet the recording's text (title, tags, chapters, file
    /// name), found through the word index and ranked by the rarity of the shared words; at
    /// most `limit` of them, so that common words do not make every session a candidate.
    /// The one session whose title `text` is but for a few letters (one in a title of 8
    /// letters or more, two from 20), spaces and punctuation aside; nil when no session's title
    /// is that close, or when two are (a tag near two titles names neither).
    func nearTitle(_ text: String) -> NearTitle? {
        let letters = Array(TextMatch.compact(text).utf8)
        let limit = letters.count >= LinkThresholds.nearTitleTwoLetters ? 2 : (letters.count >= LinkThresholds.nearTitleOneLetter ? 1 : 0)
        guard limit > 0 else { return nil }
        var found: [(session: Int, letters: Int)] = []
        for length in (letters.count - limit)...(letters.count + limit) {
            for index in byCompactLength[length] ?? [] {
                if let distance = TextMatch.editDistance(letters, compactTitles[index], limit: limit) { found.append((index, distance)) }
                if found.count > 1 { return nil }
            }
        }
        guard let near = found.first else { return nil }
        let length = Double(max(letters.count, compactTitles[near.session].count))
        return NearTitle(session: near.session, letters: near.letters, similarity: 1 - Double(near.letters) / length)
    }

    func textCandidates(titleWords: [String], otherWords: [String], limit: Int = LinkThresholds.textCandidateLimit) -> [Int] {
        var weights: [Int: Double] = [:]
        for word in Set(titleWords + otherWords) {
            for index in byWordPrefix[Self.prefix(word), default: []] {
                if let match = words[index].first(where: { TextMatch.sameWord(word, $0) }) {
                    weights[index, default: 0] += titleIndex.weight(match)
                } else if personWords[index].contains(where: { $0.contains(word) }) {
                    weights[index, default: 0] += titleIndex.weight(word)
                }
            }
        }
        return weights.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(limit).map(\.key)
    }
}
