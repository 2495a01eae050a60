import Foundation
import Schedule

/// One reading of a recording's clock: the clues under it and the sessions scored, best first.
struct Reading {
    var clues: Clues
    var scored: [Scored]
}

/// Which reading of a camera clock the linker goes by, and whether the other stays in doubt.
struct ClockChoice {
    /// The reading taken: its clues, and its sessions scored (with the other reading's best
    /// among them when in doubt).
    var reading: Reading
    /// Set when the other reading explains the recording as well.
    var doubt: Evidence? = nil
    /// The other reading, local time as UTC, when it explains the recording as well as the tag
    /// as written: its sessions stay alternatives for the look across recordings.
    var other: Reading? = nil
}

extension Scorer {
    /// A camera that wrote local time as UTC is off by exactly the zone's offset. That reading
    /// is taken only when it explains the recording clearly better than the tag as written (a
    /// better fit of time, title and room), never on a tie; when the two explain it alike, the
    /// tag as written is taken and the other reading stays in doubt.
    func chooseReading(_ clues: Clues) -> ClockChoice {
        let asWritten = Reading(clues: clues, scored: scoreAll(clues, clockNote: nil))
        guard let alternative = clues.localAsUTC, let original = clues.start else { return ClockChoice(reading: asWritten) }
        var corrected = clues
        corrected.start = alternative
        let note = Evidence.clockLocalAsUTC(written: ClockText.rfc3339(original.date, zone: ConferenceZone.utc, utc: .numeric))
        let rescored = Reading(clues: corrected, scored: scoreAll(corrected, clockNote: note))
        let difference = (rescored.scored.first?.score ?? 0) - (asWritten.scored.first?.score ?? 0)
        if coveredTalks(asWritten.scored) > max(1, coveredTalks(rescored.scored)) {
            // A room's stream: the tag as written explains more talks, one after another.
            return ClockChoice(reading: asWritten)
        }
        if difference > LinkThresholds.clockReadingMargin { return ClockChoice(reading: rescored) }
        guard difference >= -LinkThresholds.clockReadingMargin, let written = asWritten.scored.first, let read = rescored.scored.first,
              written.session != read.session, read.score >= options.reviewThreshold else { return ClockChoice(reading: asWritten) }
        // Close scores: the tag as written wins when its window fits its slot clearly
        // better (less of the recording outside it). Otherwise both readings stay
        // candidates: a few minutes of late start or overrun say nothing about which
        // clock is right, and the recordings of the other talks often do (elimination).
        let fitWritten = written.slotCoverage * written.recordingInSlot
        let fitCorrected = read.slotCoverage * read.recordingInSlot
        guard fitCorrected > fitWritten - LinkThresholds.clockFitMargin else { return ClockChoice(reading: asWritten) }
        var doubtful = read
        doubtful.evidence.append(note)
        doubtful.windowKnown = false
        var scored = asWritten.scored
        scored.insert(doubtful, at: min(1, scored.count))
        return ClockChoice(reading: Reading(clues: clues, scored: scored),
                           doubt: .doubtClockReading(otherTitle: programme.sessions[read.session].title), other: rescored)
    }

    /// `first`, then each other talk, best first, that the recording's window covers for the
    /// most part at or above the link threshold, as long as no two of their slots overlap: the
    /// talks of a room's stream, one after another.
    func talksInRow(_ scored: [Scored], after first: [Scored]) -> [Scored] {
        var chosen = first
        for entry in scored where entry.score >= options.linkThreshold && entry.windowKnown && entry.slotCoverage >= LinkThresholds.inRowCoverage {
            if !chosen.contains(where: { $0.session == entry.session }), chosen.allSatisfy({ !programme.slotsOverlap($0.session, entry.session) }) {
                chosen.append(entry)
            }
        }
        return chosen
    }

    /// How many talks, one after another, a reading of the clock links this recording to and
    /// holds whole, as a room's stream does (it starts before the first and ends after the last).
    func coveredTalks(_ scored: [Scored]) -> Int {
        talksInRow(scored, after: []).filter { $0.slotCoverage >= LinkThresholds.heldWholeCoverage }.count
    }
}
