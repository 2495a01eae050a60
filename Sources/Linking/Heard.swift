import Foundation

/// One stretch of what is said in a recording, from a speech-to-text draft of its first
/// minutes (and of a minute at each candidate's in point): seconds into the recording, and text.
public struct HeardLine: Sendable, Equatable, Codable {
    public var start: Double
    public var end: Double
    public var text: String

    public init(start: Double, end: Double, text: String) {
        self.start = start
        self.end = end
        self.text = text
    }
}

/// What a speaker said that names a session: a speaker's name, the title, words of the
/// abstract and topics, each as heard (for the reason), and when the first of them was said.
public struct SpokenMatch: Sendable, Equatable {
    /// The words around a speaker's name, as heard ("jag heter Julia Olander").
    public var name: String?
    /// The words that say the title, as heard.
    public var title: String?
    /// Rare words of the title, topics and abstract heard, as heard.
    public var about: [String]
    /// Seconds into the recording of the first of them.
    public var at: Double
}

/// The heard lines as words, ready to be weighed against many sessions. Every token is kept
/// as it was heard, for quoting; the words that count (folded, no stop words) point at them.
struct HeardText {
    struct Token {
        var shown: String
        var at: Double
    }

    var tokens: [Token] = []
    /// Folded content words, and the index of the token each one is.
    var words: [String] = []
    var tokenOf: [Int] = []

    init(_ lines: [HeardLine]) {
        for line in lines.sorted(by: { $0.start < $1.start }) {
            for piece in line.text.split(whereSeparator: { !($0.isLetter || $0.isNumber) }) {
                let shown = String(piece)
                if let word = TextMatch.words(shown).first {
                    words.append(word)
                    tokenOf.append(tokens.count)
                }
                tokens.append(Token(shown: shown, at: line.start))
            }
        }
    }

    var isEmpty: Bool { words.isEmpty }

    /// The tokens from content word `first` to content word `last`, with `before` tokens ahead.
    func quote(_ first: Int, _ last: Int, before: Int = 0) -> String {
        let from = max(0, tokenOf[first] - before), to = tokenOf[last]
        return tokens[from...to].map(\.shown).joined(separator: " ")
    }

    /// When content word `index` was said.
    func time(_ index: Int) -> Double { tokens[tokenOf[index]].at }
}

extension ProgrammeIndex {
    /// What the heard text says of session `index`: how much it supports the session (0 when
    /// nothing counts) and what was said, for the reason.
    func spoken(_ heard: HeardText, session index: Int) -> (support: Double, match: SpokenMatch)? {
        guard !heard.isEmpty else { return nil }
        var supports: [Double] = []
        var name: (quote: String, at: Double)? = nil
        if let full = heardName(heard, session: index) {
            name = full
            supports.append(LinkThresholds.spokenNameSupport)
        } else if let surname = heardSurname(heard, session: index) {
            name = surname
            supports.append(LinkThresholds.spokenSurnameSupport)
        }
        let title = heardTitle(heard, session: index).flatMap { $0.recall >= LinkThresholds.spokenTitleFloor ? $0 : nil }
        if let title { supports.append(LinkThresholds.spokenTitleSupport * title.recall * title.recall) }
        // Topic words said outside the title and the name as said: a speaker's name that the
        // abstract also mentions is one clue, not two.
        let about = heardTopics(heard, session: index).filter { word in
            !(title?.quote.contains(word.word) ?? false) && !(name?.quote.contains(word.word) ?? false)
        }
        if !about.isEmpty {
            supports.append(LinkThresholds.spokenTopicSupport * min(1, Double(about.count) / Double(LinkThresholds.spokenTopicFull)))
        }
        guard !supports.isEmpty else { return nil }
        let support = 1 - supports.reduce(1.0) { $0 * (1 - $1) }
        let times = [name?.at, title?.at, about.first?.at].compactMap { $0 }
        return (support, SpokenMatch(name: name?.quote, title: title?.quote, about: about.map(\.word), at: times.min() ?? 0))
    }

    /// A speaker's whole name (at least two words) said in a row, with the two words before it.
    /// Names are heard as sounds, so a few letters may differ (`Marja Patterson` is `Maja
    /// Pettersson`): each word must begin with its letter, and the whole name may differ by one
    /// letter in `spokenNameLettersPerTypo`.
    func heardName(_ heard: HeardText, session index: Int) -> (quote: String, at: Double)? {
        for name in personWords[index] where name.count >= LinkThresholds.speakerNameWords {
            guard heard.words.count >= name.count else { continue }
            let sounds = name.map(Self.sound)
            let letters = Array(sounds.joined().utf8)
            let typos = letters.count / LinkThresholds.spokenNameLettersPerTypo
            for start in 0...(heard.words.count - name.count) {
                let said = heard.words[start..<(start + name.count)]
                let saidSounds = said.map(Self.sound)
                guard zip(saidSounds, sounds).allSatisfy({ $0.first == $1.first }) else { continue }
                if zip(said, name).allSatisfy({ TextMatch.sameWord($0, $1) })
                    || TextMatch.editDistance(Array(saidSounds.joined().utf8), letters, limit: typos) != nil {
                    return (heard.quote(start, start + name.count - 1, before: 2), heard.time(start))
                }
            }
        }
        return nil
    }

    /// A folded word as it sounds, roughly, for names: c as k (as s before e, i and y), w as v,
    /// z as s, x as ks, doubled letters once, `h` after the first letter gone, o and u alike
    /// (`Gunilla` and `Gonilah` are both `gonila`; `Carlson` and `Karlsson` both `karlson`).
    static func sound(_ word: String) -> String {
        let letters = Array(word)
        var out: [Character] = []
        for (index, letter) in letters.enumerated() {
            let next = index + 1 < letters.count ? letters[index + 1] : " "
            let sounded: [Character]
            switch letter {
            case "u": sounded = ["o"]
            case "c": sounded = "eiy".contains(next) ? ["s"] : ["k"]
            case "w": sounded = ["v"]
            case "z": sounded = ["s"]
            case "x": sounded = ["k", "s"]
            default: sounded = [letter]
            }
            for one in sounded {
                if one == "h" && !out.isEmpty { continue }
                if out.last == one { continue }
                out.append(one)
            }
        }
        return String(out)
    }

    /// A speaker's surname alone (a long one: short ones are ordinary words too).
    func heardSurname(_ heard: HeardText, session index: Int) -> (quote: String, at: Double)? {
        for name in personWords[index] where name.count >= LinkThresholds.speakerNameWords {
            guard let surname = name.last, surname.count >= LinkThresholds.spokenSurnameLetters else { continue }
            if let at = heard.words.firstIndex(where: { TextMatch.sameWord($0, surname) }) {
                return (heard.quote(at, at, before: 2), heard.time(at))
            }
        }
        return nil
    }

    /// The title said: the stretch of heard words, a little longer than the title, that holds
    /// the most of its weight; that share (0 to 1), the stretch as heard, and when.
    func heardTitle(_ heard: HeardText, session index: Int) -> (recall: Double, quote: String, at: Double)? {
        let title = weightedWords[index]
        guard !title.isEmpty, title.total > 0 else { return nil }
        // For each heard word, which title words it is.
        let matches = heard.words.map { word in title.words.indices.filter { TextMatch.sameWord(word, title.words[$0]) } }
        let span = title.words.count * 2 + LinkThresholds.spokenTitleSlack
        var best: (recall: Double, first: Int, last: Int)? = nil
        for start in heard.words.indices where !matches[start].isEmpty {
            var found = Set<Int>()
            var last = start
            for position in start..<min(heard.words.count, start + span) where !matches[position].isEmpty {
                found.formUnion(matches[position])
                last = position
            }
            let recall = found.reduce(0.0) { $0 + title.weights[$1] } / title.total
            if recall > best?.recall ?? 0 { best = (recall, start, last) }
        }
        guard let best else { return nil }
        return (best.recall, heard.quote(best.first, best.last), heard.time(best.first))
    }

    /// The session's topic words that were heard, each once, as heard, with when it was first said.
    func heardTopics(_ heard: HeardText, session index: Int) -> [(word: String, at: Double)] {
        let about = topicWords[index]
        guard !about.isEmpty else { return [] }
        var found: [(word: String, at: Double)] = []
        var seen = Set<String>()
        for (position, word) in heard.words.enumerated() where word.count >= LinkThresholds.spokenTopicLetters {
            guard let term = about.first(where: { TextMatch.sameWord(word, $0) }), seen.insert(term).inserted else { continue }
            found.append((heard.tokens[heard.tokenOf[position]].shown, heard.time(position)))
        }
        return found
    }

    /// Sessions whose titles or speakers share the rarest words with what was heard, and those
    /// whose speakers' names (by their sound) and topic words begin most like words heard.
    func heardCandidates(_ heard: HeardText) -> [Int] {
        var hits: [Int: Int] = [:]
        for key in Set(heard.words.map { Self.spokenPrefix(Self.sound($0)) } + heard.words.map(Self.spokenPrefix)) {
            for index in bySpokenPrefix[key] ?? [] { hits[index, default: 0] += 1 }
        }
        let spoken = hits.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(LinkThresholds.textCandidateLimit).map(\.key)
        return Array(Set(textCandidates(titleWords: heard.words, otherWords: []) + spoken))
    }
}

extension Linker {
    /// Words to prompt a speech engine with when it listens again to a recording that what was
    /// heard in it leaves in doubt: the speakers and titles of the sessions that score best for
    /// it ("Julia Olander: Öppna data i Ystad. Johan Andersson, Maria Nilsson: …"), best first.
    /// A speech engine spells half-heard names the way a prompt does; what it then hears is
    /// checked against what it heard without one before it counts (`PromptedHearing`).
    /// Nil when nothing was heard, when the recording is linked, or when no session scores.
    public func heardPrompt(for recording: Recording) -> String? {
        guard !recording.heard.isEmpty, decide(recording).result.status != .linked else { return nil }
        var clues = programme.clues(for: recording, zone: options.timeZone)
        clues.heard = HeardText(recording.heard)
        let text = recording.heard.map(\.text).joined(separator: " ")
        let said = ProgrammeIndex.triples(text)
        // The best-scoring sessions, those that score alike (a speaker of several talks) in the
        // order of how much their names and title sound like what was heard.
        let scored = scorer.scoreAll(clues, clockNote: nil).filter { $0.score > 0 }
            .map { (session: $0.session, score: $0.score, alike: programme.soundShare(of: $0.session, in: said)) }
            .sorted { ($0.score, $0.alike, $1.session) > ($1.score, $1.alike, $0.session) }
        var best = Array(scored.prefix(LinkThresholds.promptSessions).map(\.session))
        if best.count < LinkThresholds.promptSessions {
            // Where the words weigh little (a name and a title misheard), the sessions whose
            // speakers and title sound most like what was heard, letter by letter.
            let more = programme.soundingAlike(said)
            best += more.filter { !best.contains($0) }.prefix(LinkThresholds.promptSessions - best.count)
        }
        guard !best.isEmpty else { return nil }
        var prompt = ""
        for index in best {
            let session = programme.sessions[index]
            let names = session.persons.joined(separator: ", ")
            let line = (names.isEmpty ? "" : names + ": ") + session.title.trimmingCharacters(in: .whitespacesAndNewlines)
            let sentence = line.hasSuffix(".") || line.hasSuffix("?") || line.hasSuffix("!") ? line : line + "."
            guard prompt.count + sentence.count + 1 <= LinkThresholds.promptCharacters else { break }
            prompt += (prompt.isEmpty ? "" : " ") + sentence
        }
        return prompt.isEmpty ? nil : prompt
    }
}

extension ProgrammeIndex {
    /// The sessions whose speakers' names and title share the most letter triples with
    /// `said` (the triples of what was heard; as a share of their own), best first, those that share at least
    /// `promptSoundAlike` of them. Only to choose what to prompt a speech engine with: it
    /// weighs nothing for a link.
    func soundingAlike(_ said: Set<String>) -> [Int] {
        guard !said.isEmpty else { return [] }
        let shares = sessions.indices.map { (index: $0, share: soundShare(of: $0, in: said)) }
            .filter { $0.share >= LinkThresholds.promptSoundAlike }
        return shares.sorted { ($0.share, $1.index) > ($1.share, $0.index) }.map(\.index)
    }

    /// The share of session `index`'s letter triples (its speakers' names and title, by
    /// `triples`) that are among `said`.
    func soundShare(of index: Int, in said: Set<String>) -> Double {
        let session = sessions[index]
        let own = Self.triples((session.persons + [session.title]).joined(separator: " "))
        return own.isEmpty ? 0 : Double(own.filter(said.contains).count) / Double(own.count)
    }

    /// The letter triples of a text's words as they sound (folded, `sound`), each word padded
    /// with a space at either end.
    static func triples(_ text: String) -> Set<String> {
        var out = Set<String>()
        for word in TextMatch.fold(text).split(whereSeparator: { !($0.isLetter || $0.isNumber) }) {
            let letters = Array(" " + sound(String(word)) + " ")
            guard letters.count >= 3 else { continue }
            for index in 0...(letters.count - 3) { out.insert(String(letters[index..<(index + 3)])) }
        }
        return out
    }
}
