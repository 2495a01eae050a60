import Foundation
import Schedule

/// What one reading of a camera clock leaves to a recording in elimination.
enum ReadingOutcome {
    /// Nothing left under this reading explains the recording.
    case closed
    /// Talks left under this reading explain it; the answer, when they settle it.
    case open(Settled?)
}

extension Linker {
    /// The talks left to a recording under one reading of its clock (`localAsUTC` or as
    /// written), and whether they settle it.
    func answer(under localAsUTC: Bool, _ contest: Contest) -> ReadingOutcome {
        let left = contest.left.filter { $0.link.flags.contains(.clockLocalAsUTC) == localAsUTC }
        guard let first = left.first else { return .closed }
        let readingStart = contest.begin(first.link)
        let readingEnd = readingStart.addingTimeInterval(contest.duration)
        let slots = left.compactMap { programme.index(ofGuid: $0.link.guid) }
            .map { ClockSpan(from: programme.sessions[$0].start, to: programme.sessions[$0].end) }
        guard ClockSpan.covered(readingStart, readingEnd, by: slots) >= LinkThresholds.explainedShare * contest.duration else { return .closed }
        let fitting = withoutWorseFits(left, duration: contest.duration)
        // Among many parallel talks, a candidate left over that explains the recording
        // clearly worse than the best (a lower score, and a slot that fits the window
        // clearly worse) is no answer: the right one may not be listed at all. Between two
        // (the two readings of a camera clock, two rooms) it is the one left.
        let closest = contest.close.compactMap(\.misfit).min() ?? 0
        guard !fitting.isEmpty, fitting.allSatisfy({ $0.link.score >= options.linkThreshold }),
              contest.close.count <= 2 || fitting.allSatisfy({
                  $0.link.score >= contest.top - options.ambiguityMargin / 2 || ($0.misfit ?? .infinity) < closest + LinkThresholds.clearlyCloser
              })
        else { return .open(nil) }
        let picked = fitting.compactMap { candidate in
            programme.index(ofGuid: candidate.link.guid).map { Pick(link: candidate.link, session: programme.sessions[$0]) }
        }.sorted { $0.session.start < $1.session.start }
        guard picked.count == fitting.count, zip(picked, picked.dropFirst()).allSatisfy({ $0.session.end <= $1.session.start }) else { return .open(nil) }
        let own = picked.map { min(readingEnd, $0.session.end).timeIntervalSince(max(readingStart, $0.session.start)) }
        guard own.reduce(0, +) >= LinkThresholds.explainedShare * contest.duration else { return .open(nil) }
        return .open(Settled(index: contest.index, picked: picked, start: readingStart, duration: contest.duration,
                             evidence: .othersTaken(contest.takenBy)))
    }

    /// Of the talks left at one time, one whose slot the recording's window fits clearly worse
    /// than another's, which scores nearly as well and holds most of the recording (not a
    /// room's stream), is not it (as among the rivals of one recording).
    func withoutWorseFits(_ left: [Alternative], duration: TimeInterval) -> [Alternative] {
        left.filter { worse in
            !left.contains { better in
                guard let a = programme.index(ofGuid: worse.link.guid), let b = programme.index(ofGuid: better.link.guid), a != b,
                      programme.slotsOverlap(a, b), better.link.outSeconds - better.link.inSeconds >= LinkThresholds.mostlyOneTalk * duration,
                      let misfitWorse = worse.misfit, let misfitBetter = better.misfit else { return false }
                return misfitWorse >= misfitBetter + LinkThresholds.clearlyCloser && better.link.score >= worse.link.score - options.ambiguityMargin / 2
            }
        }
    }

    /// Parts of one talk that are each in review, each left with that talk alone, and that
    /// together hold it: a talk recorded in several parts, none of them linked yet.
    func settleParts(_ partsInReview: [String: [Settled]], on board: inout EliminationBoard) {
        for (guid, parts) in partsInReview.sorted(by: { $0.key < $1.key }) where parts.count >= 2 {
            let session = parts[0].picked[0].session
            let windows = parts.map(\.window)
            guard windows.indices.allSatisfy({ i in windows.indices.allSatisfy { j in i == j || !windows[i].sameStretch(as: windows[j]) } }),
                  Self.completes(windows, of: session, with: board.others(of: guid, than: nil)) else { continue }
            for part in parts { board.settle(part) }
        }
    }

    /// Whether recordings' windows hold a session (nearly) whole together with the other
    /// recordings of it, when those alone do not: they are what the others lack.
    static func completes(_ windows: [ClockSpan], of session: Session, with others: [ClockSpan]) -> Bool {
        let slot = session.end.timeIntervalSince(session.start)
        return slot > 0 && ClockSpan.covered(session.start, session.end, by: windows + others) >= LinkThresholds.heldTogether * slot
            && ClockSpan.covered(session.start, session.end, by: others) < LinkThresholds.heldTogether * slot
    }
}
