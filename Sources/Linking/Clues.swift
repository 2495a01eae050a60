import Foundation
import MediaProbe

/// A chapter of the recording with a title that has words.
struct ChapterClue {
    var title: String
    var words: [String]
    var start: Double
    var end: Double
}

/// A session the recording names outright (guid, slug or id), how sure that is, and where.
struct ExplicitReference {
    var support: Double
    var evidence: Evidence
}

/// The session the title tag names best, and how well.
struct TitleMatch {
    var session: Int
    var similarity: Double
}

/// The one session whose title the title tag is but for a letter or two (see
/// `ProgrammeIndex.nearTitle`): which, how many letters differ, and the share of letters alike.
struct NearTitle {
    var session: Int
    var letters: Int
    var similarity: Double
}

/// Everything read off one recording that the scoring uses.
struct Clues {
    var duration: Double?
    var start: RecordingStart?
    /// The reading of a `creation_time` written in local time as if it were UTC.
    var localAsUTC: RecordingStart?
    var titleWords: [String]
    var titleText: String?
    var chapters: [ChapterClue]
    var fileWords: [String]
    /// Compacted room keys the recording names, with where each was read.
    var rooms: [String: Evidence.RoomSource]
    var explicit: [Int: ExplicitReference]
    var titleWeighted = TitleIndex.Weighted(words: [], set: [], weights: [], total: 0, lengths: [])
    var fileWeighted = TitleIndex.Weighted(words: [], set: [], weights: [], total: 0, lengths: [])
    var chapterWeighted: [TitleIndex.Weighted] = []
    /// Sessions whose titles share rare words with the recording's text.
    var textCandidates: [Int] = []
    /// The session the title tag names best, when it names one.
    var bestTitle: TitleMatch? = nil
    /// The one session whose title the title tag is but for a letter or two.
    var nearTitle: NearTitle? = nil
    /// What was heard in the recording, when it is weighed (see `Linker.decide`).
    var heard: HeardText? = nil
}

extension ProgrammeIndex {
    /// Reads every clue off a recording: its clock (both readings of a camera's), text, rooms
    /// and explicit references, weighed against this programme. Wall-clock names are read in `zone`.
    func clues(for recording: Recording, zone: TimeZone) -> Clues {
        let probe = recording.probe
        let baseName = (PathText.lastComponent(recording.path) as NSString).deletingPathExtension
        let (start, localAsUTC) = Self.clock(of: recording, zone: zone)
        let title = probe.tags["title"]
        let chapters = probe.chapters.compactMap { chapter -> ChapterClue? in
            guard let title = chapter.title, chapter.endSeconds > chapter.startSeconds else { return nil }
            let words = TextMatch.words(title)
            return words.isEmpty ? nil : ChapterClue(title: title, words: words, start: chapter.startSeconds, end: chapter.endSeconds)
        }
        // Tag text other than the title (comment, description, album, artist) counts as title words too.
        let otherText = ["comment", "description", "synopsis", "album", "artist", "show", "episode_id"]
            .compactMap { probe.tags[$0] }.joined(separator: " ")
        var clues = Clues(
            duration: probe.durationSeconds, start: start, localAsUTC: localAsUTC,
            titleWords: TextMatch.words((title ?? "") + " " + otherText), titleText: title,
            chapters: chapters, fileWords: TextMatch.words(baseName), rooms: rooms(of: recording, baseName: baseName),
            explicit: explicitReferences(in: recording, baseName: baseName))
        clues.titleWeighted = titleIndex.weighted(clues.titleWords)
        clues.fileWeighted = titleIndex.weighted(clues.fileWords)
        clues.chapterWeighted = chapters.map { titleIndex.weighted($0.words) }
        clues.textCandidates = textCandidates(titleWords: clues.titleWords, otherWords: chapters.flatMap(\.words) + clues.fileWords)
        if !clues.titleWords.isEmpty {
            clues.bestTitle = clues.textCandidates
                .map { TitleMatch(session: $0, similarity: titleIndex.similarity(clues.titleWeighted, weightedWords[$0])) }
                .max { ($0.similarity, $1.session) < ($1.similarity, $0.session) }
        }
        // A title tag with a typo or two (or only other spaces and punctuation) still names its
        // talk; one that is a title as written is matched word for word above.
        if let title, let near = nearTitle(title), near.letters > 0 || (clues.bestTitle?.similarity ?? 0) < 1 {
            clues.nearTitle = near
            if !clues.textCandidates.contains(near.session) { clues.textCandidates.append(near.session) }
            if near.similarity > clues.bestTitle?.similarity ?? 0 { clues.bestTitle = TitleMatch(session: near.session, similarity: near.similarity) }
        }
        return clues
    }

    /// When the recording began (tag, file name or modification time) and, for a `creation_time`
    /// in UTC, the other reading: local time written as UTC.
    static func clock(of recording: Recording, zone: TimeZone) -> (start: RecordingStart?, localAsUTC: RecordingStart?) {
        let probe = recording.probe
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
        if start?.source == .tag, start?.date.timeIntervalSince1970 ?? 0 < LinkThresholds.earliestClock {
            // A zero or 1970 creation_time is a missing one.
            start = RecordingClock.fromFileName(recording.path, zone: zone)
        }
        return (start, localAsUTC)
    }

    /// Rooms: folder names, the file name's word runs and room tags, against known rooms.
    func rooms(of recording: Recording, baseName: String) -> [String: Evidence.RoomSource] {
        var roomKeys: [(key: String, source: Evidence.RoomSource)] = []
        for folder in PathText.components(recording.path).dropLast() { roomKeys.append((TextMatch.compact(folder), .folder(folder))) }
        for key in ["location", "room", "venue"] {
            if let value = recording.probe.tags[key] { roomKeys.append((TextMatch.compact(value), .tag(key))) }
        }
        let nameTokens = TextMatch.fold(baseName).split { !($0.isLetter || $0.isNumber) }.map(String.init)
        for length in 1...min(LinkThresholds.longestRoomRun, max(1, nameTokens.count)) where nameTokens.count >= length {
            for from in 0...(nameTokens.count - length) {
                roomKeys.append((nameTokens[from..<(from + length)].joined(), .fileName))
            }
        }
        var rooms: [String: Evidence.RoomSource] = [:]
        for (key, source) in roomKeys where knownRooms[key] != nil && rooms[key] == nil { rooms[key] = source }
        return rooms
    }

    /// Explicit references: a guid anywhere in tags or path, a slug, an id in an id tag.
    func explicitReferences(in recording: Recording, baseName: String) -> [Int: ExplicitReference] {
        var explicit: [Int: ExplicitReference] = [:]
        func note(_ index: Int?, _ support: Double, _ evidence: Evidence) {
            if let index, explicit[index] == nil { explicit[index] = ExplicitReference(support: support, evidence: evidence) }
        }
        for (key, value) in recording.probe.tags.sorted(by: { $0.key < $1.key }) {
            for guid in Self.uuids(in: value) { note(byGuid[guid], LinkThresholds.guidSupport, .sessionGuid(in: .tag(key))) }
            for token in Self.slugTokens(value) { note(bySlug[token], LinkThresholds.slugSupport, .sessionSlug(token, in: .tag(key))) }
            if ["session_id", "event_id", "talk_id", "session", "event"].contains(key),
               let ids = byID[value.trimmingCharacters(in: .whitespaces)], ids.count == 1 {
                note(ids[0], LinkThresholds.idSupport, .sessionID(value, tag: key))
            }
        }
        for guid in Self.uuids(in: recording.path) { note(byGuid[guid], LinkThresholds.guidSupport, .sessionGuid(in: .fileName)) }
        for token in Self.slugTokens(baseName) { note(bySlug[token], LinkThresholds.slugSupport, .sessionSlug(token, in: .fileName)) }
        return explicit
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
        text.lowercased().split { !($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }.map(String.init)
            .filter { $0.count >= LinkThresholds.shortestSlug }
    }
}
