import Foundation
import Schedule

/// A session left to a recording by elimination, with its link.
struct Pick {
    var link: ProposedLink
    var session: Session
}

/// A recording settled by elimination: the sessions left to it and when it began under the
/// reading of the clock they need.
struct Settled {
    var index: Int
    var picked: [Pick]
    var start: Date
    var duration: TimeInterval
    var evidence: Evidence
    var window: ClockSpan { ClockSpan(from: start, to: start.addingTimeInterval(duration)) }
}

/// A stretch of a session that a linked recording holds.
struct HeldSpan {
    var path: String
    var span: ClockSpan
}

/// What elimination found for one recording in review.
enum Elimination {
    /// Linked now.
    case settled(Settled)
    /// Left with one talk that it does not hold whole: maybe a part of it, with others in review.
    case partOfTalk(Settled)
}

/// One round of elimination: the results as they are settled, and the wall-clock spans of
/// each session held by a linked recording.
struct EliminationBoard {
    var results: [RecordingLinks]
    var covered: [String: [HeldSpan]]
    var changed = false

    /// The spans of session `guid` held by recordings other than `path`.
    func others(of guid: String, than path: String?) -> [ClockSpan] {
        (covered[guid] ?? []).filter { $0.path != path }.map(\.span)
    }

    /// Links the recording of `answer` to the sessions left to it, its doubts replaced by the reason.
    mutating func settle(_ answer: Settled) {
        let result = results[answer.index]
        var links: [ProposedLink] = []
        for pick in answer.picked {
            var link = pick.link
            if link.flags.contains(.clockLocalAsUTC) || result.recordingStartSource == .mtime {
                link.inSeconds = min(max(0, pick.session.start.timeIntervalSince(answer.start)), answer.duration)
                link.outSeconds = max(link.inSeconds, min(answer.duration, pick.session.end.timeIntervalSince(answer.start)))
            }
            link.evidence = link.evidence.filter { !$0.isDoubt } + [answer.evidence]
            links.append(link)
        }
        results[answer.index].status = .linked
        results[answer.index].links = links
        results[answer.index].candidates = result.candidates.filter { candidate in !links.contains { $0.guid == candidate.guid } }
        if links.first?.flags.contains(.clockLocalAsUTC) == true { results[answer.index].recordingStart = answer.start }
        for link in links {
            let span = ClockSpan(from: answer.start.addingTimeInterval(link.inSeconds), to: answer.start.addingTimeInterval(link.outSeconds))
            covered[link.guid, default: []].append(HeldSpan(path: result.path, span: span))
        }
        changed = true
    }
}

/// One recording in review as elimination sees it: its close candidates, which of them other
/// recordings hold at the same time (`takenBy`) and which are left.
struct Contest {
    var index: Int
    var path: String
    var start: Date
    /// The zone's offset at `start`: how far the other reading of a camera clock moves it.
    var offset: TimeInterval
    /// A modification time is no clock to eliminate by (a copy resets it).
    var trusted: Bool
    var top: Double
    var duration: TimeInterval
    var close: [Alternative] = []
    var left: [Alternative] = []
    var takenBy: [Evidence.Taken] = []

    /// When the recording began under a candidate's reading of the clock: moved by the zone's
    /// offset when it reads the clock as local time written as UTC.
    func begin(_ link: ProposedLink) -> Date {
        link.flags.contains(.clockLocalAsUTC) ? start.addingTimeInterval(-offset) : start
    }
}

extension Linker {
    /// A recording in review whose close candidates are all but one recorded, at the same
    /// time, by other recordings that are linked, holds the one left: a talk is not recorded
    /// twice at once. This settles a camera clock that fits two talks (UTC or local time) and a
    /// recording without a room among parallel talks. Returns whether anything was linked.
    func resolveByElimination(_ results: inout [RecordingLinks], alternatives: [[Alternative]]) -> Bool {
        var board = EliminationBoard(results: results, covered: heldSpans(in: results))
        var partsInReview: [String: [Settled]] = [:]
        for index in board.results.indices where board.results[index].status == .review {
            switch eliminate(index, on: board, pool: alternatives[index]) {
            case .settled(let answer): board.settle(answer)
            case .partOfTalk(let answer): partsInReview[answer.picked[0].link.guid, default: []].append(answer)
            case nil: continue
            }
        }
        settleParts(partsInReview, on: &board)
        results = board.results
        return board.changed
    }

    /// Wall-clock windows of the links made, per session. A recording without a clock that
    /// is as long as the slot holds the whole session, if it holds it at all.
    func heldSpans(in results: [RecordingLinks]) -> [String: [HeldSpan]] {
        var covered: [String: [HeldSpan]] = [:]
        for result in results where result.status == .linked {
            for link in result.links {
                if let window = clockWindow(result, link) {
                    covered[link.guid, default: []].append(HeldSpan(path: result.path, span: window))
                } else if let index = programme.index(ofGuid: link.guid),
                          link.outSeconds - link.inSeconds >= LinkThresholds.clocklessWhole * programme.slotLength(index) {
                    let session = programme.sessions[index]
                    covered[link.guid, default: []].append(HeldSpan(path: result.path, span: ClockSpan(from: session.start, to: session.end)))
                }
            }
        }
        return covered
    }

    /// What elimination says of one recording in review, if anything.
    func eliminate(_ index: Int, on board: EliminationBoard, pool: [Alternative]) -> Elimination? {
        guard let contest = contest(index, on: board, pool: pool) else { return nil }
        if let rest = continuedTalk(contest, on: board) { return .settled(rest) }
        guard contest.trusted, contest.top >= options.linkThreshold, contest.close.count >= 2, !contest.takenBy.isEmpty, contest.duration > 0
        else { return nil }
        // What is left under one reading of the clock must be one talk, or the talks of a
        // room's stream one after another. The other reading must have nothing left that could
        // explain the recording: no talk, or talks that hold little of it (the rest of its time
        // is talks recorded by others, so it is not of that time).
        var answers: [Settled] = []
        var open = 0
        for reading in [false, true] {
            guard case .open(let answer) = answer(under: reading, contest) else { continue }
            open += 1
            if let answer { answers.append(answer) }
        }
        guard open == 1, answers.count == 1, let answer = answers.first else { return nil }
        // Only a recording that holds each session (nearly) whole, or the part of it that
        // the other recordings of it lack (a talk recorded in several), and little else, is
        // settled so: a short clip may well belong to a session not listed at all.
        if answer.picked.allSatisfy({ Self.completes([answer.window], of: $0.session, with: board.others(of: $0.link.guid, than: contest.path)) }) {
            return .settled(answer)
        }
        return answer.picked.count == 1 ? .partOfTalk(answer) : nil
    }

    /// The close candidates of a recording in review (every candidate close to the best, once
    /// per reading of the clock), and which of them other linked recordings hold at the same time.
    func contest(_ index: Int, on board: EliminationBoard, pool: [Alternative]) -> Contest? {
        let result = board.results[index]
        guard let start = result.recordingStart, let top = pool.map(\.link.score).max(), top >= options.reviewThreshold else { return nil }
        var contest = Contest(index: index, path: result.path, start: start, offset: Double(options.timeZone.secondsFromGMT(for: start)),
                              trusted: result.recordingStartSource != .mtime, top: top, duration: pool.map(\.link.outSeconds).max() ?? 0)
        for candidate in pool where candidate.link.score >= top - options.ambiguityMargin && candidate.link.score >= options.reviewThreshold {
            let reading = candidate.link.flags.contains(.clockLocalAsUTC)
            if !contest.close.contains(where: { $0.link.guid == candidate.link.guid && $0.link.flags.contains(.clockLocalAsUTC) == reading }) {
                contest.close.append(candidate)
            }
        }
        for candidate in contest.close {
            // This recording's part of the session, on the wall clock.
            let begin = contest.begin(candidate.link)
            let part = ClockSpan(from: begin.addingTimeInterval(candidate.link.inSeconds), to: begin.addingTimeInterval(candidate.link.outSeconds))
            let rival = (board.covered[candidate.link.guid] ?? []).first { other in other.path != result.path && part.sameStretch(as: other.span) }
            if let rival {
                contest.takenBy.append(Evidence.Taken(title: candidate.link.title, path: rival.path))
            } else {
                contest.left.append(candidate)
            }
        }
        return contest
    }

    /// A talk that other recordings hold in part, and that this recording, after them,
    /// completes: the rest of a talk recorded in several parts. A recording that does that
    /// for one talk left is of it: in its own room, whatever else it might fit (the other
    /// reading of a camera clock, a talk nobody recorded); without a room, when the other
    /// talks at the time are recorded by others. An ending part may run over.
    func continuedTalk(_ contest: Contest, on board: EliminationBoard) -> Settled? {
        let continued = contest.left.filter { candidate in
            guard candidate.inRoom || (contest.trusted && contest.left.count == 1 && !contest.takenBy.isEmpty),
                  let talk = programme.index(ofGuid: candidate.link.guid), contest.duration > 0 else { return false }
            let begin = contest.begin(candidate.link)
            let window = ClockSpan(from: begin, to: begin.addingTimeInterval(contest.duration))
            let held = board.others(of: candidate.link.guid, than: contest.path)
            let slot = programme.sessions[talk]
            let own = min(window.to, slot.end).timeIntervalSince(max(window.from, slot.start))
            return !held.isEmpty && own >= LinkThresholds.restOwnShare * contest.duration && Self.completes([window], of: slot, with: held)
        }
        guard continued.count == 1, let talk = programme.index(ofGuid: continued[0].link.guid) else { return nil }
        let link = continued[0].link
        let held = (board.covered[link.guid] ?? []).filter { $0.path != contest.path }.map(\.path)
        return Settled(index: contest.index, picked: [Pick(link: link, session: programme.sessions[talk])], start: contest.begin(link),
                       duration: contest.duration, evidence: .restAfterParts(held))
    }
}
