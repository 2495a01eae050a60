import Foundation
import Schedule

/// One session scored against one recording's clues.
struct Scored {
    var session: Int
    var score: Double
    var evidence: [Evidence]
    var flags: [LinkFlag]
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

/// Scores sessions against a recording's clues: each clue a support (combined as independent
/// chances) or a penalty, each with its evidence.
struct Scorer {
    let programme: ProgrammeIndex
    let options: LinkOptions

    /// Scores every session that any clue points at: explicit references, sessions near the
    /// recording's time, and the sessions whose titles share the rarest words with its text;
    /// best first. `clockNote` marks a reading of the camera clock as local time written as UTC.
    func scoreAll(_ clues: Clues, clockNote: Evidence?) -> [Scored] {
        var candidates = Set(clues.explicit.keys).union(clues.textCandidates)
        if let heard = clues.heard { candidates.formUnion(programme.heardCandidates(heard)) }
        var windowText: String? = nil
        if let start = clues.start {
            candidates.formUnion(programme.sessionsNear(start.date, duration: clues.duration ?? 0, padding: options.padding))
            let end = start.date.addingTimeInterval(clues.duration ?? 0)
            windowText = "recording \(ClockText.wallClock(start.date, zone: options.timeZone))–\(ClockText.wallClock(end, zone: options.timeZone)) (\(start.evidence))"
        }
        let sessions = programme.sessions
        var scored = candidates.map { score(session: $0, clues: clues, windowText: windowText ?? "", clockNote: clockNote) }
        scored.sort { ($0.score, sessions[$1.session].start, sessions[$1.session].guid) > ($1.score, sessions[$0.session].start, sessions[$0.session].guid) }
        return scored
    }

    /// Scores one session against the clues.
    func score(session index: Int, clues: Clues, windowText: String, clockNote: Evidence?) -> Scored {
        var sheet = ScoreSheet()
        if let explicit = clues.explicit[index] {
            sheet.supports.append(explicit.support)
            sheet.evidence.append(explicit.evidence)
        }
        sheet.addWindow(of: clues, session: index, in: programme, windowText: windowText, clockNote: clockNote)
        sheet.addRoom(of: clues, session: index, in: programme)
        let titleSimilarity = sheet.addText(of: clues, session: index, in: programme)
        sheet.addSpeaker(of: clues, session: index, in: programme)
        if let heard = clues.heard, let spoken = programme.spoken(heard, session: index) {
            sheet.supports.append(spoken.support)
            sheet.evidence.append(.spoken(spoken.match))
            sheet.flags.append(.heard)
        }
        sheet.addDoubts(of: clues, session: index, in: programme, titleSimilarity: titleSimilarity)
        if programme.sessions[index].doNotRecord {
            sheet.flags.append(.doNotRecord)
            sheet.evidence.append(.optedOut)
        }
        return sheet.scored(session: index)
    }
}

/// The supports, penalties and evidence gathered for one session while it is scored.
struct ScoreSheet {
    var supports: [Double] = []
    var evidence: [Evidence] = []
    var flags: [LinkFlag] = []
    var penalty = 1.0
    var coverage = 0.0
    var inSlot = 0.0
    var misfit = TimeInterval.infinity
    var inRoom = false
    var windowKnown = false

    /// The score: the supports combined as independent chances, times the penalties, in 0...1.
    func scored(session index: Int) -> Scored {
        let combined = 1 - supports.reduce(1.0) { $0 * (1 - $1) }
        return Scored(session: index, score: min(1, max(0, combined * penalty)), evidence: evidence, flags: flags,
                      slotCoverage: coverage, recordingInSlot: inSlot, misfit: misfit, windowKnown: windowKnown, inRoom: inRoom)
    }

    /// How the recording's window on the wall clock meets the slot.
    mutating func addWindow(of clues: Clues, session index: Int, in programme: ProgrammeIndex, windowText window: String, clockNote: Evidence?) {
        guard let start = clues.start else { return }
        let session = programme.sessions[index]
        let slot = programme.slotLength(index)
        let end = start.date.addingTimeInterval(clues.duration ?? 0)
        let overlap = max(0, min(end, session.end).timeIntervalSince(max(start.date, session.start)))
        let length = end.timeIntervalSince(start.date)
        coverage = slot > 0 ? overlap / slot : 0
        let within = length > 0 ? overlap / length : 0
        inSlot = within
        misfit = (length - overlap) + (slot - overlap)
        // A modification time is weak (a copy resets it), unless the window it gives lines up
        // with a slot at both ends: a copy's time does not do that by chance.
        let linesUp = (coverage >= LinkThresholds.linedUpCoverage && within >= LinkThresholds.linedUpInSlot) || misfit <= LinkThresholds.clearlyCloser
        let weight = start.source != .mtime ? 1.0 : (linesUp ? LinkThresholds.mtimeLinedUpWeight : LinkThresholds.mtimeWeight)
        windowKnown = start.source != .mtime
        if overlap > 0 {
            supports.append(LinkThresholds.windowSupport * max(coverage, LinkThresholds.inSlotWeight * min(1, within)) * weight)
            evidence.append(.window(recording: window, coverage: coverage, inSlot: within, slot: programme.slotTexts[index]))
            if let clockNote {
                evidence.append(clockNote)
                flags.append(.clockLocalAsUTC)
                supports[supports.count - 1] *= LinkThresholds.localAsUTCSupport
            }
        } else if start.source != .mtime {
            // The recording's own clock puts it elsewhere: that speaks against this session.
            penalty *= clues.explicit[index] == nil ? LinkThresholds.outsideSlotPenalty : LinkThresholds.outsideSlotNamedPenalty
            evidence.append(.windowOutsideSlot(recording: window, slot: programme.slotTexts[index], day: programme.days[index]))
        }
    }

    /// Whether the recording is from the session's room, or from another.
    mutating func addRoom(of clues: Clues, session index: Int, in programme: ProgrammeIndex) {
        guard let room = programme.sessions[index].room, !room.isEmpty else { return }
        if let source = clues.rooms[programme.roomKeys[index]] {
            inRoom = true
            supports.append(LinkThresholds.roomSupport)
            evidence.append(.room(room, source: source))
        } else if let other = clues.rooms.first {
            penalty *= LinkThresholds.otherRoomPenalty
            evidence.append(.otherRoom(programme.knownRooms[other.key] ?? other.key, source: other.value, session: room))
        }
    }

    /// How well the recording's text (title tag, tags, file name, chapters) matches the
    /// session's title. Returns the title tag's similarity, for the doubts.
    mutating func addText(of clues: Clues, session index: Int, in programme: ProgrammeIndex) -> Double {
        let titleIndex = programme.titleIndex
        let sessionWords = programme.weightedWords[index]
        var titleSimilarity = titleIndex.similarity(clues.titleWeighted, sessionWords)
        var typos: Int? = nil
        if let near = clues.nearTitle, near.session == index {
            titleSimilarity = max(titleSimilarity, near.similarity)
            typos = near.letters
        }
        let fileSimilarity = titleIndex.similarity(clues.fileWeighted, sessionWords) * LinkThresholds.secondaryTextWeight
        let chapterBest = zip(clues.chapters, clues.chapterWeighted)
            .map { (chapter: $0.0.title, value: titleIndex.similarity($0.1, sessionWords)) }.max { $0.value < $1.value }
        let textSimilarity = max(titleSimilarity, fileSimilarity, (chapterBest?.value ?? 0) * LinkThresholds.secondaryTextWeight)
        guard textSimilarity >= LinkThresholds.textMatchFloor else { return titleSimilarity }
        supports.append(LinkThresholds.textSupport * textSimilarity)
        if textSimilarity == titleSimilarity, let title = clues.titleText, let typos {
            evidence.append(.nearTitle(title, letters: typos, share: textSimilarity))
        } else if textSimilarity == titleSimilarity, let title = clues.titleText {
            evidence.append(.text(.titleTag(title), share: textSimilarity))
        } else if textSimilarity == titleSimilarity {
            evidence.append(.text(.tagText, share: textSimilarity))
        } else if textSimilarity == fileSimilarity {
            evidence.append(.text(.fileName, share: textSimilarity))
        } else if let chapterBest {
            evidence.append(.text(.chapter(chapterBest.chapter), share: textSimilarity))
        }
        return titleSimilarity
    }

    /// A speaker named in the recording's title or tags.
    mutating func addSpeaker(of clues: Clues, session index: Int, in programme: ProgrammeIndex) {
        let recordingWords = Set(clues.titleWords + clues.fileWords + clues.chapters.flatMap(\.words))
        let persons = programme.sessions[index].persons
        let personWords = programme.personWords[index]
        if let named = persons.indices.first(where: { p in
            let name = personWords.count > p ? personWords[p] : []
            return name.count >= LinkThresholds.speakerNameWords && name.allSatisfy(recordingWords.contains)
        }) {
            supports.append(LinkThresholds.speakerSupport)
            evidence.append(.speaker(persons[named]))
        }
    }

    /// What speaks against the session: a title tag that names another talk, a recording much
    /// shorter than the slot.
    mutating func addDoubts(of clues: Clues, session index: Int, in programme: ProgrammeIndex, titleSimilarity: Double) {
        if let best = clues.bestTitle, best.session != index, best.similarity >= LinkThresholds.namingTitleSimilarity,
           titleSimilarity < LinkThresholds.namingTitleRatio * best.similarity {
            // The recording names another talk: time and room alone must not override that.
            penalty *= LinkThresholds.namesAnotherPenalty
            evidence.append(.titleNamesAnother(programme.sessions[best.session].title))
        }
        let slot = programme.slotLength(index)
        if let duration = clues.duration, slot > 0, duration / slot < LinkThresholds.shortRecordingShare {
            penalty *= LinkThresholds.shortRecordingPenalty
            evidence.append(.muchShorter(recording: duration, slot: slot))
        }
    }
}
