import Foundation

/// One session a recording in review might hold, with how far the recording's window is
/// from its slot (`Scored.misfit`; nil when the recording has no trustworthy clock).
struct Alternative {
    var link: ProposedLink
    var misfit: TimeInterval?
    var inRoom = false
}

/// The answer for one recording on its own and, when in review, every session it might
/// hold (the candidates shown are the first of these), for the look across recordings.
struct Decided {
    var result: RecordingLinks
    var alternatives: [Alternative]
}

extension Linker {
    /// Links one recording on its own: its clues, the reading of its clock, the sessions
    /// scored, the best (and the talks after it in a room's stream), and its rivals. What was
    /// heard in it is weighed only when the other clues leave it in review or unmatched, so
    /// that a draft of its first minutes never undoes a link made by its metadata.
    func decide(_ recording: Recording) -> Decided {
        let read = programme.clues(for: recording, zone: options.timeZone)
        let plain = decide(recording, clues: read)
        guard plain.result.status != .linked, !recording.heard.isEmpty else { return plain }
        var listened = read
        listened.heard = HeardText(recording.heard)
        return listened.heard?.isEmpty == false ? decide(recording, clues: listened) : plain
    }

    /// Links one recording by `read`, its clues (with what was heard, when that is weighed).
    func decide(_ recording: Recording, clues read: Clues) -> Decided {
        let choice = scorer.chooseReading(read)
        let clues = choice.reading.clues
        let scored = choice.reading.scored
        var result = RecordingLinks(path: recording.path, status: .unmatched, recordingStart: clues.start?.date, recordingStartSource: clues.start?.source)
        guard let first = scored.first, first.score >= options.reviewThreshold else {
            result.candidates = scored.prefix(options.candidateCount).filter { $0.score >= LinkThresholds.unmatchedCandidateFloor }
                .map { placement.proposed($0, clues: clues, alone: true) }
            return Decided(result: result, alternatives: roomAndLength(clues))
        }
        let best = closerFit(than: first, among: scored)
        // The best session, then any other session this recording also covers (a room's
        // afternoon stream), as long as their slots do not overlap each other.
        var chosen = scorer.talksInRow(scored, after: [best])
        let rivals = rivals(of: chosen, among: scored)
        chosen.sort { programme.sessions[$0.session].start < programme.sessions[$1.session].start }
        let alone = chosen.count == 1
        let links = chosen.map { placement.proposed($0, clues: clues, alone: alone) }
        if best.score >= options.linkThreshold && rivals.isEmpty && choice.doubt == nil {
            result.status = .linked
            result.links = links
            return Decided(result: result, alternatives: [])
        }
        return review(result, chosen: chosen, links: links, rivals: rivals, choice: choice)
    }

    /// Parallel slots that a recording covers alike score alike, however long they are. Of
    /// those, a recording that is mostly one talk holds the one whose slot its window fits
    /// clearly best: a 56-minute recording covers a 20-minute slot at 08:00 as fully as a
    /// 45-minute one, but it is the 45-minute talk.
    func closerFit(than best: Scored, among scored: [Scored]) -> Scored {
        guard best.windowKnown else { return best }
        return scored.filter { other in
            other.windowKnown && other.session != best.session && programme.slotsOverlap(other.session, best.session)
                && other.score >= best.score - options.ambiguityMargin / 2 && other.recordingInSlot >= LinkThresholds.mostlyOneTalk
                && other.misfit <= best.misfit - LinkThresholds.clearlyCloser
        }.min(by: { $0.misfit < $1.misfit }) ?? best
    }

    /// Rivals: sessions at the same time (or any other, when the recording's time is
    /// unknown) that score nearly as well as a chosen one.
    func rivals(of chosen: [Scored], among scored: [Scored]) -> [Scored] {
        var rivals: [Scored] = []
        for pick in chosen {
            for other in scored where other.session != pick.session && !chosen.contains(where: { $0.session == other.session }) {
                let conflicting = !pick.windowKnown || !other.windowKnown || programme.slotsOverlap(pick.session, other.session)
                // Two slots that the recording's window covers alike are rivals; a slot that fits
                // the window clearly worse (much shorter or longer than the recording) is not.
                let fitsWorse = pick.windowKnown && other.windowKnown && other.misfit >= pick.misfit + LinkThresholds.clearlyCloser
                if conflicting && !fitsWorse && other.score >= pick.score - options.ambiguityMargin && other.score >= options.reviewThreshold
                    && !rivals.contains(where: { $0.session == other.session }) {
                    rivals.append(other)
                }
            }
        }
        return rivals
    }

    /// A recording in doubt: its proposals become candidates, the best guess first, then its
    /// rivals, then the next best; every session it might hold stays an alternative.
    func review(_ result: RecordingLinks, chosen: [Scored], links: [ProposedLink], rivals: [Scored], choice: ClockChoice) -> Decided {
        var result = result
        var links = links
        result.status = .review
        if let doubt = choice.doubt {
            for index in links.indices { links[index].evidence.append(doubt) }
        }
        if !rivals.isEmpty {
            for index in links.indices { links[index].evidence.append(.doubtRivals(count: rivals.count)) }
        }
        let clues = choice.reading.clues
        var listed = Set(chosen.map(\.session))
        var alternatives = zip(chosen, links).map { pick, link in
            Alternative(link: link, misfit: pick.windowKnown ? pick.misfit : nil, inRoom: pick.inRoom)
        }
        for other in rivals + choice.reading.scored where other.score >= options.reviewThreshold && listed.insert(other.session).inserted {
            alternatives.append(Alternative(link: placement.proposed(other, clues: clues, alone: true),
                                            misfit: other.windowKnown ? other.misfit : nil, inRoom: other.inRoom))
        }
        result.candidates = alternatives.prefix(max(links.count + rivals.count, options.candidateCount)).map(\.link)
        // For the look across recordings, the other reading of the clock with its in and out
        // points, in place of the one candidate of it shown.
        if let other = choice.other {
            alternatives.removeAll { $0.link.flags.contains(.clockLocalAsUTC) }
            for scored in other.scored where scored.score >= options.reviewThreshold {
                alternatives.append(Alternative(link: placement.proposed(scored, clues: other.clues, alone: true),
                                                misfit: scored.misfit, inRoom: scored.inRoom))
            }
        }
        return Decided(result: result, alternatives: alternatives)
    }

    /// For a recording with a room but no clock to go by: the talks in its room whose slot its
    /// length fits (a few minutes shorter to a quarter of an hour longer), closest first. Which
    /// of them no other recording holds is for the look across recordings to say.
    func roomAndLength(_ clues: Clues) -> [Alternative] {
        guard clues.start == nil || clues.start?.source == .mtime, !clues.rooms.isEmpty, let duration = clues.duration, duration > 0 else { return [] }
        let fitting = programme.sessions.indices.compactMap { index -> (alternative: Alternative, distance: TimeInterval)? in
            let slot = programme.slotLength(index)
            guard clues.rooms[programme.roomKeys[index]] != nil, duration >= slot - LinkThresholds.roomLengthShorter,
                  duration <= slot + LinkThresholds.roomLengthLonger else { return nil }
            var scored = scorer.score(session: index, clues: clues, windowText: "", clockNote: nil)
            scored.evidence.append(.lengthFitsSlot(day: programme.days[index], slot: programme.slotTexts[index], slotLength: slot, recordingLength: duration))
            let alternative = Alternative(link: placement.proposed(scored, clues: clues, alone: true), misfit: nil, inRoom: true)
            return (alternative, abs(duration - slot - LinkThresholds.usualOverrun))
        }
        return fitting.sorted { ($0.distance, $0.alternative.link.guid) < ($1.distance, $1.alternative.link.guid) }.map(\.alternative)
    }
}
