import Foundation
import MediaProbe
import Schedule

/// A recording as the linker sees it: where it is, what the probe found, and the file's
/// modification time (for the weakest clue to when it was made).
public struct Recording: Sendable {
    public var path: String
    public var probe: ProbeResult
    public var modified: Date?

    public init(path: String, probe: ProbeResult, modified: Date? = nil) {
        self.path = path
        self.probe = probe
        self.modified = modified
    }
}

/// Thresholds and tolerances of the linker.
public struct LinkOptions: Sendable {
    /// At or above this score a link is made automatically.
    public var linkThreshold: Double = 0.7
    /// Below this score a session is not even proposed for review.
    public var reviewThreshold: Double = 0.35
    /// A rival within this much of the best score makes the decision doubtful.
    public var ambiguityMargin: Double = 0.1
    /// How far before and after a slot a recording's window is still looked at.
    public var padding: TimeInterval = 20 * 60
    /// How close a chapter boundary must be to a scheduled changeover to be taken as it.
    public var chapterSnap: TimeInterval = 5 * 60
    /// How many alternatives a recording in review lists.
    public var candidateCount = 3
    /// The zone that wall-clock times (file names) are read in and reasons are written in.
    public var timeZone: TimeZone

    public init(timeZone: TimeZone) {
        self.timeZone = timeZone
    }
}

/// Decides which sessions each recording holds. Pure: no I/O, the same answer for the same input.
public struct Linker: Sendable {
    let sessions: [Session]
    let options: LinkOptions
    /// Folded title and subtitle words of each session.
    private let words: [[String]]
    /// Each speaker's folded name words, per session.
    private let personWords: [[[String]]]
    private let titleIndex: TitleIndex
    private let weightedWords: [TitleIndex.Weighted]
    private let byGuid: [String: Int]
    private let bySlug: [String: Int]
    private let byID: [String: [Int]]
    private let byWordPrefix: [String: [Int]]
    private let roomKeys: [String]
    private let knownRooms: [String: String]
    private let longestSlot: TimeInterval
    private let slotTexts: [String]
    private let days: [String]

    /// Prepares the programme for linking (indexes by guid, slug, word and time).
    public init(sessions: [Session], options: LinkOptions) {
        let sorted = sessions.sorted { ($0.start, $0.guid) < ($1.start, $1.guid) }
        self.sessions = sorted
        self.options = options
        words = sorted.map { TextMatch.words($0.title + " " + ($0.subtitle ?? "")) }
        personWords = sorted.map { $0.persons.map(TextMatch.words).filter { !$0.isEmpty } }
        titleIndex = TitleIndex(documents: words)
        weightedWords = words.map(titleIndex.weighted)
        var byGuid: [String: Int] = [:]
        var bySlug: [String: Int] = [:]
        var byID: [String: [Int]] = [:]
        var byWordPrefix: [String: [Int]] = [:]
        var knownRooms: [String: String] = [:]
        for (index, session) in sorted.enumerated() {
            byGuid[session.guid.lowercased()] = index
            if let slug = session.slug?.lowercased(), slug.count >= 4 { bySlug[slug] = index }
            if let id = session.id { byID[id, default: []].append(index) }
            for word in Set(words[index] + personWords[index].flatMap { $0 }) { byWordPrefix[String(word.prefix(4)), default: []].append(index) }
            if let room = session.room, !TextMatch.compact(room).isEmpty { knownRooms[TextMatch.compact(room)] = room }
        }
        self.byGuid = byGuid
        self.bySlug = bySlug
        self.byID = byID
        self.byWordPrefix = byWordPrefix
        self.knownRooms = knownRooms
        roomKeys = sorted.map { TextMatch.compact($0.room ?? "") }
        longestSlot = sorted.map { $0.end.timeIntervalSince($0.start) }.max() ?? 0
        slotTexts = sorted.map { "\(ClockText.wallClock($0.start, zone: options.timeZone))–\(ClockText.wallClock($0.end, zone: options.timeZone))" }
        days = sorted.map { ClockText.day($0.start, zone: options.timeZone) }
    }

    /// Links every recording, then looks across recordings for talks recorded in several parts
    /// and for recordings that compete for one talk.
    public func link(_ recordings: [Recording]) -> [RecordingLinks] {
        // Each recording is linked on its own (pure), so one worker per core.
        let decided = ParallelMap.run(recordings) { decide($0) }
        var results = decided.map(\.result)
        crossCheck(&results, alternatives: decided.map(\.alternatives))
        return results
    }

    /// One session a recording in review might hold, with how far the recording's window is
    /// from its slot (`Scored.misfit`; nil when the recording has no trustworthy clock).
    struct Alternative {
        var link: ProposedLink
        var misfit: TimeInterval?
        var inRoom = false
    }

    // MARK: - One recording

    /// Everything read off one recording that the scoring uses.
    struct Clues {
        var duration: Double?
        var start: RecordingStart?
        /// The reading of a `creation_time` written in local time as if it were UTC.
        var localAsUTC: RecordingStart?
        var titleWords: [String]
        var titleText: String?
        var chapterWords: [(title: String, words: [String], start: Double, end: Double)]
        var fileWords: [String]
        var rooms: [String: String]
        var explicit: [Int: (support: Double, reason: String)]
        var titleWeighted = TitleIndex.Weighted(words: [], set: [], weights: [], total: 0)
        var fileWeighted = TitleIndex.Weighted(words: [], set: [], weights: [], total: 0)
        var chapterWeighted: [TitleIndex.Weighted] = []
        /// Sessions whose titles share rare words with the recording's text.
        var textCandidates: [Int] = []
        /// The session the title tag names best, when it names one.
        var bestTitle: (session: Int, similarity: Double)? = nil
    }

    struct Scored {
        var session: Int
        var score: Double
        var reasons: [String]
        var flags: [String]
        var slotCoverage: Double
        /// The share of the recording that lies inside the slot.
        var recordingInSlot: Double = 0
        /// How far the recording's window is from the slot, in seconds: the part of the
        /// recording outside the slot plus the part of the slot outside the recording.
        var misfit: TimeInterval = .infinity
        var windowKnown: Bool
        /// Whether the recording's room (folder, file name, tag) is the session's.
        var inRoom = false
    }

    func clues(for recording: Recording) -> Clues {
        let probe = recording.probe
        let zone = options.timeZone
        let name = PathText.lastComponent(recording.path)
        let baseName = (name as NSString).deletingPathExtension
        var start = RecordingClock.fromTags(probe.tags)
            ?? RecordingClock.fromFileName(recording.path, zone: zone)
            ?? RecordingClock.fromModificationTime(recording.modified, duration: probe.durationSeconds)
        var localAsUTC: RecordingStart? = nil
        if let tagStart = start, tagStart.source == .tag, probe.tags["creation_time"]?.hasSuffix("Z") == true {
            let offset = TimeInterval(zone.secondsFromGMT(for: tagStart.date))
            if offset != 0 {
                localAsUTC = RecordingStart(date: tagStart.date.addingTimeInterval(-offset), source: .tag, evidence: tagStart.evidence)
            }
        }
        if start?.source == .tag, start?.date.timeIntervalSince1970 ?? 0 < 86_400 * 365 {
            // A zero or 1970 creation_time is a missing one.
            start = RecordingClock.fromFileName(recording.path, zone: zone)
        }

        let title = probe.tags["title"]
        let chapters = probe.chapters.compactMap { chapter -> (String, [String], Double, Double)? in
            guard let title = chapter.title, chapter.endSeconds > chapter.startSeconds else { return nil }
            let words = TextMatch.words(title)
            return words.isEmpty ? nil : (title, words, chapter.startSeconds, chapter.endSeconds)
        }
        // Tag text other than the title (comment, description, album, artist) counts as title words too.
        let otherText = ["comment", "description", "synopsis", "album", "artist", "show", "episode_id"]
            .compactMap { probe.tags[$0] }.joined(separator: " ")

        // Rooms: folder names, the file name's word runs and room tags, against known rooms.
        var roomKeys: [(key: String, evidence: String)] = []
        let folders = PathText.components(recording.path).dropLast()
        for folder in folders { roomKeys.append((TextMatch.compact(folder), "folder \(folder)")) }
        for key in ["location", "room", "venue"] { if let value = probe.tags[key] { roomKeys.append((TextMatch.compact(value), "\(key) tag")) } }
        let nameTokens = TextMatch.fold(baseName).split { !($0.isLetter || $0.isNumber) }.map(String.init)
        for length in 1...min(4, max(1, nameTokens.count)) where nameTokens.count >= length {
            for from in 0...(nameTokens.count - length) {
                roomKeys.append((nameTokens[from..<(from + length)].joined(), "file name"))
            }
        }
        var rooms: [String: String] = [:]
        for (key, evidence) in roomKeys where knownRooms[key] != nil && rooms[key] == nil { rooms[key] = evidence }

        // Explicit references: a guid anywhere in tags or path, a slug, an id in an id tag.
        var explicit: [Int: (Double, String)] = [:]
        for (key, value) in probe.tags.sorted(by: { $0.key < $1.key }) {
            for guid in Self.uuids(in: value) {
                if let index = byGuid[guid], explicit[index] == nil { explicit[index] = (0.99, "session guid in \(key) tag") }
            }
            for token in Self.slugTokens(value) {
                if let index = bySlug[token], explicit[index] == nil { explicit[index] = (0.95, "session slug \(token) in \(key) tag") }
            }
            if ["session_id", "event_id", "talk_id", "session", "event"].contains(key), let ids = byID[value.trimmingCharacters(in: .whitespaces)], ids.count == 1 {
                explicit[ids[0]] = explicit[ids[0]] ?? (0.9, "session id \(value) in \(key) tag")
            }
        }
        for guid in Self.uuids(in: recording.path) {
            if let index = byGuid[guid], explicit[index] == nil { explicit[index] = (0.99, "session guid in the file name") }
        }
        for token in Self.slugTokens(baseName) {
            if let index = bySlug[token], explicit[index] == nil { explicit[index] = (0.95, "session slug \(token) in the file name") }
        }

        var clues = Clues(
            duration: probe.durationSeconds, start: start, localAsUTC: localAsUTC,
            titleWords: TextMatch.words((title ?? "") + " " + otherText), titleText: title,
            chapterWords: chapters, fileWords: TextMatch.words(baseName), rooms: rooms,
            explicit: explicit.mapValues { (support: $0.0, reason: $0.1) })
        clues.titleWeighted = titleIndex.weighted(clues.titleWords)
        clues.fileWeighted = titleIndex.weighted(clues.fileWords)
        clues.chapterWeighted = chapters.map { titleIndex.weighted($0.1) }
        clues.textCandidates = textCandidates(titleWords: clues.titleWords, otherWords: chapters.flatMap(\.1) + clues.fileWords)
        if !clues.titleWords.isEmpty {
            clues.bestTitle = clues.textCandidates
                .map { (session: $0, similarity: titleIndex.similarity(clues.titleWeighted, weightedWords[$0])) }
                .max { ($0.similarity, $1.session) < ($1.similarity, $0.session) }
        }
        return clues
    }

    /// The answer for one recording on its own and, when in review, every session it might
    /// hold (the candidates shown are the first of these), for the look across recordings.
    func decide(_ recording: Recording) -> (result: RecordingLinks, alternatives: [Alternative]) {
        var clues = clues(for: recording)
        var scored = scoreAll(clues, clockNote: nil)
        // A camera that wrote local time as UTC is off by exactly the zone's offset. That
        // reading is taken only when it explains the recording clearly better than the tag as
        // written (a better fit of time, title and room), never on a tie.
        var clockDoubt: String? = nil
        // The other reading of the clock, local time as UTC, when it explains the recording as
        // well as the tag as written: its sessions stay alternatives for the look across
        // recordings.
        var otherReading: (clues: Clues, scored: [Scored])? = nil
        if let alternative = clues.localAsUTC, let original = clues.start {
            var corrected = clues
            corrected.start = alternative
            let note = "creation_time \(ClockText.rfc3339(original.date, zone: ConferenceZone.utc, utc: .numeric)) read as local time written as UTC (camera clock off by exactly the zone's offset)"
            let rescored = scoreAll(corrected, clockNote: note)
            let asWritten = scored.first
            let asCorrected = rescored.first
            let difference = (asCorrected?.score ?? 0) - (asWritten?.score ?? 0)
            if coveredTalks(scored) > max(1, coveredTalks(rescored)) {
                // A room's stream: the tag as written explains more talks, one after another.
            } else if difference > 0.06 {
                clues = corrected
                scored = rescored
            } else if difference >= -0.06, let asWritten, let asCorrected, asWritten.session != asCorrected.session,
                      asCorrected.score >= options.reviewThreshold {
                // Close scores: the tag as written wins when its window fits its slot clearly
                // better (less of the recording outside it). Otherwise both readings stay
                // candidates: a few minutes of late start or overrun say nothing about which
                // clock is right, and the recordings of the other talks often do (elimination).
                let fitWritten = asWritten.slotCoverage * asWritten.recordingInSlot
                let fitCorrected = asCorrected.slotCoverage * asCorrected.recordingInSlot
                if fitCorrected > fitWritten - 0.03 {
                    otherReading = (corrected, rescored)
                    clockDoubt = "the creation_time tag fits \"\(sessions[asCorrected.session].title)\" as well if the camera wrote local time as UTC"
                    scored.insert(Scored(session: asCorrected.session, score: asCorrected.score, reasons: asCorrected.reasons + [note],
                                         flags: asCorrected.flags, slotCoverage: asCorrected.slotCoverage,
                                         recordingInSlot: asCorrected.recordingInSlot, misfit: asCorrected.misfit, windowKnown: false, inRoom: asCorrected.inRoom), at: min(1, scored.count))
                }
            }
        }

        var result = RecordingLinks(path: recording.path, status: .unmatched, recordingStart: clues.start?.date, recordingStartSource: clues.start?.source)
        guard var best = scored.first, best.score >= options.reviewThreshold else {
            result.candidates = scored.prefix(options.candidateCount).filter { $0.score >= 0.2 }.map { proposed($0, clues: clues, alone: true) }
            return (result, roomAndLength(clues))
        }
        // Parallel slots that a recording covers alike score alike, however long they are. Of
        // those, a recording that is mostly one talk holds the one whose slot its window fits
        // clearly best: a 56-minute recording covers a 20-minute slot at 08:00 as fully as a
        // 45-minute one, but it is the 45-minute talk.
        if best.windowKnown, let better = scored.filter({ other in
            other.windowKnown && other.session != best.session && slotsOverlap(other.session, best.session)
                && other.score >= best.score - options.ambiguityMargin / 2 && other.recordingInSlot >= 0.6
                && other.misfit <= best.misfit - Self.clearlyCloser
        }).min(by: { $0.misfit < $1.misfit }) {
            best = better
        }

        // The best session, then any other session this recording also covers (a room's
        // afternoon stream), as long as their slots do not overlap each other.
        var chosen = talksInRow(scored, after: [best])
        // Rivals: sessions at the same time (or any other, when the recording's time is
        // unknown) that score nearly as well as a chosen one.
        var rivals: [Scored] = []
        for pick in chosen {
            for other in scored where other.session != pick.session && !chosen.contains(where: { $0.session == other.session }) {
                let conflicting = !pick.windowKnown || !other.windowKnown || slotsOverlap(pick.session, other.session)
                // Two slots that the recording's window covers alike are rivals; a slot that fits
                // the window clearly worse (much shorter or longer than the recording) is not.
                let fitsWorse = pick.windowKnown && other.windowKnown && other.misfit >= pick.misfit + Self.clearlyCloser
                if conflicting && !fitsWorse && other.score >= pick.score - options.ambiguityMargin && other.score >= options.reviewThreshold
                    && !rivals.contains(where: { $0.session == other.session }) {
                    rivals.append(other)
                }
            }
        }
        chosen.sort { sessions[$0.session].start < sessions[$1.session].start }
        let alone = chosen.count == 1
        var links = chosen.map { proposed($0, clues: clues, alone: alone) }
        var alternatives: [Alternative] = []
        if best.score >= options.linkThreshold && rivals.isEmpty && clockDoubt == nil {
            result.status = .linked
            result.links = links
        } else {
            result.status = .review
            if let clockDoubt {
                for index in links.indices { links[index].reasons.append("doubtful: \(clockDoubt)") }
            }
            if !rivals.isEmpty {
                for index in links.indices {
                    links[index].reasons.append("doubtful: \(rivals.count) other session\(rivals.count == 1 ? "" : "s") at the same time score\(rivals.count == 1 ? "s" : "") nearly as well")
                }
            }
            // In review the proposals become candidates: the best guess first, then its rivals,
            // then the next best.
            var listed = Set(chosen.map(\.session))
            alternatives = zip(chosen, links).map { Alternative(link: $0.1, misfit: $0.0.windowKnown ? $0.0.misfit : nil, inRoom: $0.0.inRoom) }
            for other in rivals + scored where other.score >= options.reviewThreshold && listed.insert(other.session).inserted {
                alternatives.append(Alternative(link: proposed(other, clues: clues, alone: true), misfit: other.windowKnown ? other.misfit : nil, inRoom: other.inRoom))
            }
            result.candidates = alternatives.prefix(max(links.count + rivals.count, options.candidateCount)).map(\.link)
            // For the look across recordings, the other reading of the clock with its in and out
            // points, in place of the one candidate of it shown.
            if let otherReading {
                alternatives.removeAll { $0.link.flags.contains("clock_local_as_utc") }
                for other in otherReading.scored where other.score >= options.reviewThreshold {
                    alternatives.append(Alternative(link: proposed(other, clues: otherReading.clues, alone: true), misfit: other.misfit, inRoom: other.inRoom))
                }
            }
        }
        return (result, alternatives)
    }

    /// For a recording with a room but no clock to go by: the talks in its room whose slot its
    /// length fits (a few minutes shorter to a quarter of an hour longer), closest first. Which
    /// of them no other recording holds is for the look across recordings to say.
    func roomAndLength(_ clues: Clues) -> [Alternative] {
        guard clues.start == nil || clues.start?.source == .mtime, !clues.rooms.isEmpty, let duration = clues.duration, duration > 0 else { return [] }
        return sessions.indices.compactMap { index -> (Alternative, TimeInterval)? in
            let slot = sessions[index].end.timeIntervalSince(sessions[index].start)
            guard clues.rooms[roomKeys[index]] != nil, duration >= slot - 5 * 60, duration <= slot + 15 * 60 else { return nil }
            var scored = score(session: index, clues: clues, windowText: "", clockNote: nil)
            scored.reasons.append("the slot \(days[index]) \(slotTexts[index]) (\(ClockText.length(slot))) fits the recording's length (\(ClockText.length(duration)))")
            return (Alternative(link: proposed(scored, clues: clues, alone: true), misfit: nil, inRoom: true), abs(duration - slot - 5 * 60))
        }.sorted { ($0.1, $0.0.link.guid) < ($1.1, $1.0.link.guid) }.map(\.0)
    }

    /// A slot this much closer to the recording's window than another is clearly the better
    /// fit: more than a few minutes of early start and a few of overrun explain.
    static let clearlyCloser: TimeInterval = 10 * 60

    /// `first`, then each other talk, best first, that the recording's window covers for the
    /// most part at or above the link threshold, as long as no two of their slots overlap: the
    /// talks of a room's stream, one after another.
    func talksInRow(_ scored: [Scored], after first: [Scored]) -> [Scored] {
        var chosen = first
        for entry in scored where entry.score >= options.linkThreshold && entry.windowKnown && entry.slotCoverage >= 0.6 {
            if !chosen.contains(where: { $0.session == entry.session }), chosen.allSatisfy({ !slotsOverlap($0.session, entry.session) }) {
                chosen.append(entry)
            }
        }
        return chosen
    }

    /// How many talks, one after another, a reading of the clock links this recording to and
    /// holds whole, as a room's stream does (it starts before the first and ends after the last).
    func coveredTalks(_ scored: [Scored]) -> Int {
        talksInRow(scored, after: []).filter { $0.slotCoverage >= 0.9 }.count
    }

    // MARK: - Scoring

    /// Scores every session that any clue points at: explicit references, sessions near the
    /// recording's time, and the sessions whose titles share the rarest words with its text.
    func scoreAll(_ clues: Clues, clockNote: String?) -> [Scored] {
        var candidates = Set(clues.explicit.keys).union(clues.textCandidates)
        var windowText: String? = nil
        if let start = clues.start {
            candidates.formUnion(sessionsNear(start.date, duration: clues.duration ?? 0))
            let end = start.date.addingTimeInterval(clues.duration ?? 0)
            windowText = "recording \(ClockText.wallClock(start.date, zone: options.timeZone))–\(ClockText.wallClock(end, zone: options.timeZone)) (\(start.evidence))"
        }
        var scored = candidates.map { score(session: $0, clues: clues, windowText: windowText ?? "", clockNote: clockNote) }
        scored.sort { ($0.score, sessions[$1.session].start, sessions[$1.session].guid) > ($1.score, sessions[$0.session].start, sessions[$0.session].guid) }
        return scored
    }

    /// The sessions whose words best meet the recording's text (title, tags, chapters, file
    /// name), found through the word index and ranked by the rarity of the shared words; at
    /// most `limit` of them, so that common words do not make every session a candidate.
    func textCandidates(titleWords: [String], otherWords: [String], limit: Int = 25) -> [Int] {
        var weights: [Int: Double] = [:]
        for word in Set(titleWords + otherWords) {
            for index in byWordPrefix[String(word.prefix(4)), default: []] {
                if let match = words[index].first(where: { TextMatch.sameWord(word, $0) }) {
                    weights[index, default: 0] += titleIndex.weight(match)
                } else if personWords[index].contains(where: { $0.contains(word) }) {
                    weights[index, default: 0] += titleIndex.weight(word)
                }
            }
        }
        return weights.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(limit).map(\.key)
    }

    func score(session index: Int, clues: Clues, windowText: String, clockNote: String?) -> Scored {
        let session = sessions[index]
        let zone = options.timeZone
        var supports: [Double] = []
        var reasons: [String] = []
        var flags: [String] = []
        var penalty = 1.0
        var coverage = 0.0
        var inSlot = 0.0
        var misfit = TimeInterval.infinity
        var inRoom = false

        if let explicit = clues.explicit[index] {
            supports.append(explicit.support)
            reasons.append(explicit.reason)
        }

        let slot = session.end.timeIntervalSince(session.start)
        let slotText = slotTexts[index]
        var windowKnown = false
        if let start = clues.start {
            let end = start.date.addingTimeInterval(clues.duration ?? 0)
            let overlap = max(0, min(end, session.end).timeIntervalSince(max(start.date, session.start)))
            let length = end.timeIntervalSince(start.date)
            coverage = slot > 0 ? overlap / slot : 0
            let within = length > 0 ? overlap / length : 0
            inSlot = within
            misfit = (length - overlap) + (slot - overlap)
            // A modification time is weak (a copy resets it), unless the window it gives lines up
            // with a slot at both ends: a copy's time does not do that by chance.
            let linesUp = (coverage >= 0.9 && within >= 0.6) || misfit <= Self.clearlyCloser
            let weight = start.source != .mtime ? 1.0 : (linesUp ? 0.7 : 0.4)
            windowKnown = start.source != .mtime
            let window = windowText
            if overlap > 0 {
                supports.append(0.8 * max(coverage, 0.9 * min(1, within)) * weight)
                if coverage >= 0.95 {
                    reasons.append("\(window) covers \(Int((coverage * 100).rounded()))% of the slot \(slotText)")
                } else {
                    reasons.append("\(window) covers \(Int((coverage * 100).rounded()))% of the slot \(slotText), \(Int((within * 100).rounded()))% of the recording lies in it")
                }
                if let clockNote {
                    reasons.append(clockNote)
                    flags.append("clock_local_as_utc")
                    supports[supports.count - 1] *= 0.95
                }
            } else if start.source != .mtime {
                // The recording's own clock puts it elsewhere: that speaks against this session.
                penalty *= clues.explicit[index] == nil ? 0.35 : 0.9
                reasons.append("\(window) does not overlap the slot \(slotText) on \(days[index])")
            }
        }

        if let room = session.room, !room.isEmpty {
            let key = roomKeys[index]
            if let evidence = clues.rooms[key] {
                inRoom = true
                supports.append(0.45)
                reasons.append("room \(room) (\(evidence))")
            } else if let other = clues.rooms.first {
                penalty *= 0.5
                reasons.append("recording is from room \(knownRooms[other.key] ?? other.key) (\(other.value)), the session is in \(room)")
            }
        }

        let sessionWords = weightedWords[index]
        let titleSimilarity = titleIndex.similarity(clues.titleWeighted, sessionWords)
        let fileSimilarity = titleIndex.similarity(clues.fileWeighted, sessionWords) * 0.8
        let chapterBest = zip(clues.chapterWords, clues.chapterWeighted)
            .map { (chapter: $0.0.title, value: titleIndex.similarity($0.1, sessionWords)) }.max { $0.value < $1.value }
        let textSimilarity = max(titleSimilarity, fileSimilarity, (chapterBest?.value ?? 0) * 0.8)
        if textSimilarity >= 0.25 {
            supports.append(0.85 * textSimilarity)
            let percent = Int((textSimilarity * 100).rounded())
            if textSimilarity == titleSimilarity, let title = clues.titleText {
                reasons.append("title tag \"\(title)\" matches the session title (\(percent)%)")
            } else if textSimilarity == titleSimilarity {
                reasons.append("tag text matches the session title (\(percent)%)")
            } else if textSimilarity == fileSimilarity {
                reasons.append("file name matches the session title (\(percent)%)")
            } else if let chapterBest {
                reasons.append("chapter \"\(chapterBest.chapter)\" matches the session title (\(percent)%)")
            }
        }

        // A speaker named in the recording's title or tags.
        let recordingWords = Set(clues.titleWords + clues.fileWords + clues.chapterWords.flatMap(\.words))
        if let named = sessions[index].persons.indices.first(where: { p in
            let name = personWords[index].count > p ? personWords[index][p] : []
            return name.count >= 2 && name.allSatisfy(recordingWords.contains)
        }) {
            supports.append(0.5)
            reasons.append("speaker \(sessions[index].persons[named]) named in the recording's title or tags")
        }

        if let best = clues.bestTitle, best.session != index, best.similarity >= 0.75, titleSimilarity < 0.5 * best.similarity {
            // The recording names another talk: time and room alone must not override that.
            penalty *= 0.6
            reasons.append("the title tag matches another session better: \"\(sessions[best.session].title)\"")
        }

        if let duration = clues.duration, slot > 0, duration / slot < 0.2 {
            penalty *= 0.85
            reasons.append("recording (\(ClockText.length(duration))) is much shorter than the slot (\(ClockText.length(slot)))")
        }

        if session.doNotRecord {
            flags.append("do_not_record")
            reasons.append("session opted out of recording: linked for staff, never published")
        }

        let combined = 1 - supports.reduce(1.0) { $0 * (1 - $1) }
        return Scored(session: index, score: min(1, max(0, combined * penalty)), reasons: reasons, flags: flags, slotCoverage: coverage, recordingInSlot: inSlot, misfit: misfit, windowKnown: windowKnown, inRoom: inRoom)
    }

    /// Turns a scored session into a link with in and out points in the recording.
    func proposed(_ scored: Scored, clues: Clues, alone: Bool) -> ProposedLink {
        let session = sessions[scored.session]
        let duration = clues.duration ?? 0
        var inPoint = 0.0
        var outPoint = duration
        var reasons = scored.reasons
        if let start = clues.start, scored.windowKnown {
            inPoint = min(max(0, session.start.timeIntervalSince(start.date)), duration)
            outPoint = max(inPoint, min(duration, session.end.timeIntervalSince(start.date)))
        }
        if !clues.chapterWords.isEmpty && (scored.windowKnown || !alone) {
            // A chapter whose title matches this session (better than any other session) is
            // taken whole; otherwise chapter boundaries near the scheduled changeovers are used.
            let matching = zip(clues.chapterWords, clues.chapterWeighted)
                .map { (chapter: $0.0, value: titleIndex.similarity($0.1, weightedWords[scored.session])) }
                .filter { $0.value >= 0.3 && abs($0.chapter.start - inPoint) < max(options.chapterSnap, session.end.timeIntervalSince(session.start) / 2) }
                .max { $0.value < $1.value }
            if !alone, let matching {
                inPoint = matching.chapter.start
                outPoint = min(duration > 0 ? duration : matching.chapter.end, matching.chapter.end)
                reasons.append("in and out from chapter \"\(matching.chapter.title)\" (\(ClockText.position(inPoint))–\(ClockText.position(outPoint)))")
            } else if scored.windowKnown {
                let starts = clues.chapterWords.map(\.start)
                let ends = clues.chapterWords.map(\.end)
                if let snap = starts.filter({ abs($0 - inPoint) <= options.chapterSnap && abs($0 - inPoint) > 0.5 }).min(by: { abs($0 - inPoint) < abs($1 - inPoint) }) {
                    inPoint = snap
                    reasons.append("in point moved to the chapter boundary at \(ClockText.position(snap))")
                }
                if let snap = ends.filter({ abs($0 - outPoint) <= options.chapterSnap && abs($0 - outPoint) > 0.5 && $0 > inPoint }).min(by: { abs($0 - outPoint) < abs($1 - outPoint) }) {
                    outPoint = duration > 0 ? min(snap, duration) : snap
                    reasons.append("out point moved to the chapter boundary at \(ClockText.position(outPoint))")
                }
            }
        }
        return ProposedLink(guid: session.guid, title: session.title, score: scored.score, inSeconds: inPoint, outSeconds: outPoint,
                            reasons: reasons, flags: scored.flags)
    }

    // MARK: - Across recordings

    /// Several recordings linked to one session are either parts (one after another) or
    /// rivals (the same time, or no time to tell): rivals are flagged and the weaker sent to
    /// review, then recordings in review are settled by elimination where they can be, and
    /// last the parts are numbered.
    func crossCheck(_ results: inout [RecordingLinks], alternatives: [[Alternative]]) {
        var demoted = Set<Int>()
        for entries in linkedBySession(results) where rivals(entries, in: results) {
            // The best score keeps the session; on a tie, the recording of this talk alone
            // over a stream that also holds others: it is the more specific explanation.
            let best = entries.max { a, b in
                let (sa, sb) = (results[a.result].links[a.link].score, results[b.result].links[b.link].score)
                return sa != sb ? sa < sb : results[a.result].links.count > results[b.result].links.count
            }!
            for entry in entries where entry.result != best.result {
                let bestPath = results[best.result].path
                let bestScore = results[best.result].links[best.link].score
                var link = results[entry.result].links[entry.link]
                link.flags.append("duplicate")
                link.reasons.append("another recording, \(bestPath), matches this session as well (score \(String(format: "%.2f", bestScore)))")
                results[entry.result].links[entry.link] = link
                let explicit = link.reasons.contains { $0.hasPrefix("session guid") || $0.hasPrefix("session slug") }
                // A recording whose own title names the session is of that session, whatever
                // the other recording is (a copy, a part without a clock): flagged, kept.
                let named = link.score >= 0.9 && link.reasons.contains { $0.hasPrefix("title tag") && $0.contains("(100%)") }
                if !explicit && !named { demoted.insert(entry.result) }
            }
        }
        // Demoted only now, so that the indexes above stay valid while they are in use.
        var alternatives = alternatives
        for index in demoted.sorted() {
            results[index].status = .review
            results[index].candidates = results[index].links + results[index].candidates
            alternatives[index] = results[index].links.map { Alternative(link: $0, misfit: nil) } + alternatives[index]
            results[index].links = []
        }
        for _ in 0..<3 where resolveByElimination(&results, alternatives: alternatives) {}
        // A recording with a room and nothing else is for a person to place: the talks in its
        // room of about its length that no recording holds, when there are few.
        let held = Set(results.filter { $0.status == .linked }.flatMap { $0.links.map(\.guid) })
        for index in results.indices where results[index].status == .unmatched && !alternatives[index].isEmpty {
            let open = alternatives[index].filter { !held.contains($0.link.guid) }
            guard (1...options.candidateCount).contains(open.count) else { continue }
            results[index].status = .review
            results[index].candidates = open.map { alternative in
                var link = alternative.link
                link.reasons.append("no recording is linked to this session")
                link.reasons.append("doubtful: only the room and the length to go by")
                return link
            }
        }
        for entries in linkedBySession(results) where !rivals(entries, in: results) {
            for (position, entry) in entries.enumerated() {
                var link = results[entry.result].links[entry.link]
                link.part = position + 1
                link.parts = entries.count
                link.flags.append("part")
                let others = entries.enumerated().filter { $0.offset != position }.map { results[$0.element.result].path }
                link.reasons.append("part \(position + 1) of \(entries.count) of this session (with \(others.joined(separator: ", ")))")
                results[entry.result].links[entry.link] = link
            }
        }
    }

    /// The links of linked recordings, per session held by more than one, in the order of
    /// their wall-clock windows (those without one last).
    func linkedBySession(_ results: [RecordingLinks]) -> [[(result: Int, link: Int)]] {
        var bySession: [String: [(result: Int, link: Int)]] = [:]
        for (r, result) in results.enumerated() where result.status == .linked {
            for (l, link) in result.links.enumerated() { bySession[link.guid, default: []].append((r, l)) }
        }
        return bySession.sorted { $0.key < $1.key }.map(\.value).filter { $0.count > 1 }.map { entries in
            entries.sorted { a, b in
                let wa = clockWindow(results[a.result], results[a.result].links[a.link])?.from ?? .distantFuture
                let wb = clockWindow(results[b.result], results[b.result].links[b.link])?.from ?? .distantFuture
                return (wa, results[a.result].path) < (wb, results[b.result].path)
            }
        }
    }

    /// Whether recordings linked to one session are rivals: two hold the same stretch of it, or
    /// one has no clock to tell.
    func rivals(_ entries: [(result: Int, link: Int)], in results: [RecordingLinks]) -> Bool {
        let windows = entries.map { clockWindow(results[$0.result], results[$0.result].links[$0.link]) }
        for i in windows.indices {
            for j in windows.indices where j > i {
                guard let a = windows[i], let b = windows[j] else { return true }
                if Self.sameStretch(a, b) { return true }
            }
        }
        return false
    }

    /// A recording in review whose close candidates are all but one recorded, at the same
    /// time, by other recordings that are linked, holds the one left: a talk is not recorded
    /// twice at once. This settles a camera clock that fits two talks (UTC or local time) and a
    /// recording without a room among parallel talks. Returns whether anything was linked.
    func resolveByElimination(_ results: inout [RecordingLinks], alternatives: [[Alternative]]) -> Bool {
        // Wall-clock windows of the links made, per session. A recording without a clock that
        // is as long as the slot holds the whole session, if it holds it at all.
        var covered: [String: [(path: String, from: Date, to: Date)]] = [:]
        for result in results where result.status == .linked {
            for link in result.links {
                if let window = clockWindow(result, link) {
                    covered[link.guid, default: []].append((result.path, window.from, window.to))
                } else if let session = byGuid[link.guid.lowercased()].map({ sessions[$0] }),
                          link.outSeconds - link.inSeconds >= 0.9 * session.end.timeIntervalSince(session.start) {
                    covered[link.guid, default: []].append((result.path, session.start, session.end))
                }
            }
        }
        var changed = false
        func others(of guid: String, than path: String?) -> [(Date, Date)] {
            (covered[guid] ?? []).filter { $0.path != path }.map { ($0.from, $0.to) }
        }
        func settle(_ answer: Settled) {
            let result = results[answer.index]
            var links: [ProposedLink] = []
            for (picked, session) in answer.picked {
                var link = picked
                if link.flags.contains("clock_local_as_utc") || result.recordingStartSource == .mtime {
                    link.inSeconds = min(max(0, session.start.timeIntervalSince(answer.start)), answer.duration)
                    link.outSeconds = max(link.inSeconds, min(answer.duration, session.end.timeIntervalSince(answer.start)))
                }
                link.reasons = link.reasons.filter { !$0.hasPrefix("doubtful:") } + [answer.reason]
                links.append(link)
            }
            results[answer.index].status = .linked
            results[answer.index].links = links
            results[answer.index].candidates = result.candidates.filter { candidate in !links.contains { $0.guid == candidate.guid } }
            if links[0].flags.contains("clock_local_as_utc") { results[answer.index].recordingStart = answer.start }
            for link in links {
                covered[link.guid, default: []].append((result.path, answer.start.addingTimeInterval(link.inSeconds), answer.start.addingTimeInterval(link.outSeconds)))
            }
            changed = true
        }
        var partsInReview: [String: [Settled]] = [:]
        for index in results.indices where results[index].status == .review {
            let result = results[index]
            let pool = alternatives[index]
            // A modification time is no clock to eliminate by (a copy resets it), but it may put
            // a recording right after the other part of a talk in its room (below).
            let trusted = result.recordingStartSource != .mtime
            guard let start = result.recordingStart, let top = pool.map(\.link.score).max(), top >= options.reviewThreshold else { continue }
            var close: [Alternative] = []
            // Every candidate close to the best must be recorded by another recording but those
            // left, and those left must each score enough for a link.
            for candidate in pool where candidate.link.score >= top - options.ambiguityMargin && candidate.link.score >= options.reviewThreshold {
                let reading = candidate.link.flags.contains("clock_local_as_utc")
                if !close.contains(where: { $0.link.guid == candidate.link.guid && $0.link.flags.contains("clock_local_as_utc") == reading }) {
                    close.append(candidate)
                }
            }
            // When the recording began under a candidate's reading of the clock: moved by the
            // zone's offset when it reads the clock as local time written as UTC.
            func begin(_ candidate: ProposedLink) -> Date {
                candidate.flags.contains("clock_local_as_utc") ? start.addingTimeInterval(-Double(options.timeZone.secondsFromGMT(for: start))) : start
            }
            var left: [Alternative] = []
            var takenBy: [String] = []
            for candidate in close {
                // This recording's part of the session, on the wall clock.
                let from = begin(candidate.link).addingTimeInterval(candidate.link.inSeconds)
                let to = begin(candidate.link).addingTimeInterval(candidate.link.outSeconds)
                let rival = (covered[candidate.link.guid] ?? []).first { other in
                    other.path != result.path && Self.sameStretch((from, to), (other.from, other.to))
                }
                if let rival { takenBy.append("\"\(candidate.link.title)\" by \(rival.path)") } else { left.append(candidate) }
            }
            let session = { (candidate: Alternative) in self.byGuid[candidate.link.guid.lowercased()] }
            let duration = pool.map(\.link.outSeconds).max() ?? 0
            // A talk that other recordings hold in part, and that this recording, after them,
            // completes: the rest of a talk recorded in several parts. A recording that does that
            // for one talk left is of it: in its own room, whatever else it might fit (the other
            // reading of a camera clock, a talk nobody recorded); without a room, when the other
            // talks at the time are recorded by others. An ending part may run over.
            let continued = left.filter { candidate in
                guard candidate.inRoom || (trusted && left.count == 1 && !takenBy.isEmpty), let talk = session(candidate), duration > 0 else { return false }
                let window = (begin(candidate.link), begin(candidate.link).addingTimeInterval(duration))
                let held = others(of: candidate.link.guid, than: result.path)
                let slot = sessions[talk]
                let own = min(window.1, slot.end).timeIntervalSince(max(window.0, slot.start))
                return !held.isEmpty && own >= 0.5 * duration && completes([window], of: slot, with: held)
            }
            if continued.count == 1, let talk = session(continued[0]) {
                let link = continued[0].link
                let held = (covered[link.guid] ?? []).filter { $0.path != result.path }.map(\.path)
                settle(Settled(index: index, picked: [(link, sessions[talk])], start: begin(link), duration: duration,
                               reason: "the rest of this session after the part recorded in \(held.joined(separator: ", "))"))
                continue
            }
            guard trusted, top >= options.linkThreshold, close.count >= 2, !takenBy.isEmpty, duration > 0 else { continue }
            // What is left under one reading of the clock must be one talk, or the talks of a
            // room's stream one after another. The other reading must have nothing left that could
            // explain the recording: no talk, or talks that hold little of it (the rest of its time
            // is talks recorded by others, so it is not of that time).
            let closest = close.compactMap(\.misfit).min() ?? 0
            var answers: [Settled] = []
            var open = 0
            for reading in [false, true] {
                var left = left.filter { $0.link.flags.contains("clock_local_as_utc") == reading }
                guard let first = left.first else { continue }
                let readingStart = begin(first.link)
                let readingEnd = readingStart.addingTimeInterval(duration)
                let explained = Self.covered(readingStart, readingEnd, by: left.compactMap { session($0) }.map { (sessions[$0].start, sessions[$0].end) })
                guard explained >= 0.6 * duration else { continue }
                open += 1
                // Of the talks left at one time, one whose slot the recording's window fits
                // clearly worse than another's, which scores nearly as well and holds most of the
                // recording (not a room's stream), is not it (as among the rivals of one recording).
                let leftOver = left
                left.removeAll { worse in
                    leftOver.contains { better in
                        guard let a = session(worse), let b = session(better), a != b, slotsOverlap(a, b),
                              better.link.outSeconds - better.link.inSeconds >= 0.6 * duration,
                              let misfitWorse = worse.misfit, let misfitBetter = better.misfit else { return false }
                        return misfitWorse >= misfitBetter + Self.clearlyCloser && better.link.score >= worse.link.score - options.ambiguityMargin / 2
                    }
                }
                // Among many parallel talks, a candidate left over that explains the recording
                // clearly worse than the best (a lower score, and a slot that fits the window
                // clearly worse) is no answer: the right one may not be listed at all. Between two
                // (the two readings of a camera clock, two rooms) it is the one left.
                guard !left.isEmpty, left.allSatisfy({ $0.link.score >= options.linkThreshold }),
                      close.count <= 2 || left.allSatisfy({ $0.link.score >= top - options.ambiguityMargin / 2 || ($0.misfit ?? .infinity) < closest + Self.clearlyCloser })
                else { continue }
                let picked = left.compactMap { candidate in session(candidate).map { (link: candidate.link, session: sessions[$0]) } }
                    .sorted { $0.session.start < $1.session.start }
                guard picked.count == left.count, zip(picked, picked.dropFirst()).allSatisfy({ $0.session.end <= $1.session.start }) else { continue }
                let own = picked.map { min(readingEnd, $0.session.end).timeIntervalSince(max(readingStart, $0.session.start)) }
                guard own.reduce(0, +) >= 0.6 * duration else { continue }
                answers.append(Settled(index: index, picked: picked.map { ($0.link, $0.session) }, start: readingStart, duration: duration,
                                       reason: "the other close candidates are recorded at the same time by linked recordings: " + takenBy.joined(separator: "; ")))
            }
            guard open == 1, answers.count == 1, let answer = answers.first else { continue }
            // Only a recording that holds each session (nearly) whole, or the part of it that
            // the other recordings of it lack (a talk recorded in several), and little else, is
            // settled so: a short clip may well belong to a session not listed at all.
            if answer.picked.allSatisfy({ completes([answer.window], of: $0.session, with: others(of: $0.link.guid, than: result.path)) }) {
                settle(answer)
            } else if answer.picked.count == 1 {
                partsInReview[answer.picked[0].link.guid, default: []].append(answer)
            }
        }
        // Parts of one talk that are each in review, each left with that talk alone, and that
        // together hold it: a talk recorded in several parts, none of them linked yet.
        for (guid, parts) in partsInReview.sorted(by: { $0.key < $1.key }) where parts.count >= 2 {
            let session = parts[0].picked[0].session
            let windows = parts.map(\.window)
            guard windows.indices.allSatisfy({ i in windows.indices.allSatisfy { j in i == j || !Self.sameStretch(windows[i], windows[j]) } }),
                  completes(windows, of: session, with: others(of: guid, than: nil)) else { continue }
            for part in parts { settle(part) }
        }
        return changed
    }

    /// A recording settled by elimination: the sessions left to it and when it began under the
    /// reading of the clock they need.
    struct Settled {
        var index: Int
        var picked: [(link: ProposedLink, session: Session)]
        var start: Date
        var duration: TimeInterval
        var reason: String
        var window: (Date, Date) { (start, start.addingTimeInterval(duration)) }
    }

    /// Whether recordings' windows hold a session (nearly) whole together with the other
    /// recordings of it, when those alone do not: they are what the others lack.
    func completes(_ windows: [(Date, Date)], of session: Session, with others: [(Date, Date)]) -> Bool {
        let slot = session.end.timeIntervalSince(session.start)
        return slot > 0 && Self.covered(session.start, session.end, by: windows + others) >= 0.7 * slot
            && Self.covered(session.start, session.end, by: others) < 0.7 * slot
    }

    /// How many seconds of `from`–`to` the windows cover together.
    static func covered(_ from: Date, _ to: Date, by windows: [(Date, Date)]) -> TimeInterval {
        var total: TimeInterval = 0
        var reached = from
        for (a, b) in windows.map({ (max($0.0, from), min($0.1, to)) }).filter({ $0.0 < $0.1 }).sorted(by: { $0.0 < $1.0 }) {
            total += max(0, b.timeIntervalSince(max(a, reached)))
            reached = max(reached, b)
        }
        return total
    }

    // MARK: - Helpers

    /// Whether two wall-clock windows of one talk are the same stretch of it (they overlap by
    /// more than half the shorter): two recordings of it at once, not parts one after another.
    static func sameStretch(_ a: (Date, Date), _ b: (Date, Date)) -> Bool {
        let overlap = min(a.1, b.1).timeIntervalSince(max(a.0, b.0))
        let shorter = min(a.1.timeIntervalSince(a.0), b.1.timeIntervalSince(b.0))
        return overlap > 0.5 * max(1, shorter)
    }

    /// Where a link lies on the wall clock: the recording's start plus the link's in and out
    /// points. A modification time counts as a clock only when it puts the recording on the
    /// slot (a copy's time puts it anywhere).
    func clockWindow(_ result: RecordingLinks, _ link: ProposedLink) -> (from: Date, to: Date)? {
        guard let start = result.recordingStart else { return nil }
        let window = (from: start.addingTimeInterval(link.inSeconds), to: start.addingTimeInterval(link.outSeconds))
        guard result.recordingStartSource == .mtime else { return window }
        guard let index = byGuid[link.guid.lowercased()] else { return nil }
        let session = sessions[index]
        let overlap = min(window.to, session.end).timeIntervalSince(max(window.from, session.start))
        return overlap > 0.3 * max(1, window.to.timeIntervalSince(window.from)) ? window : nil
    }

    func sessionsNear(_ start: Date, duration: Double) -> [Int] {
        let from = start.addingTimeInterval(-options.padding - longestSlot)
        let to = start.addingTimeInterval(duration + options.padding)
        var low = 0
        var high = sessions.count
        while low < high {
            let mid = (low + high) / 2
            if sessions[mid].start < from { low = mid + 1 } else { high = mid }
        }
        var found: [Int] = []
        var index = low
        while index < sessions.count && sessions[index].start <= to {
            if sessions[index].end >= start.addingTimeInterval(-options.padding) { found.append(index) }
            index += 1
        }
        return found
    }

    func slotsOverlap(_ a: Int, _ b: Int) -> Bool {
        sessions[a].start < sessions[b].end && sessions[b].start < sessions[a].end
    }

    /// Lower-cased UUIDs (8-4-4-4-12 hex digits) in a text.
    static func uuids(in text: String) -> [String] {
        let chars = Array(text.lowercased().utf8)
        guard chars.count >= 36 else { return [] }
        var found: [String] = []
        var i = 0
        let dashes: Set<Int> = [8, 13, 18, 23]
        func isHex(_ c: UInt8) -> Bool { (c >= 48 && c <= 57) || (c >= 97 && c <= 102) }
        while i + 36 <= chars.count {
            var ok = true
            for k in 0..<36 {
                let c = chars[i + k]
                if dashes.contains(k) ? c != UInt8(ascii: "-") : !isHex(c) { ok = false; break }
            }
            if ok && (i == 0 || !isHex(chars[i - 1])) && (i + 36 == chars.count || !isHex(chars[i + 36])) {
                found.append(String(decoding: chars[i..<(i + 36)], as: UTF8.self))
                i += 36
            } else {
                i += 1
            }
        }
        return found
    }

    /// Words that could be slugs: runs of letters, digits, `-` and `_`, lower-cased.
    static func slugTokens(_ text: String) -> [String] {
        text.lowercased().split { !($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }.map(String.init).filter { $0.count >= 4 }
    }
}
