import Foundation

/// One link of one recording's result: indexes into the results and their links.
struct LinkAt {
    var result: Int
    var link: Int
}

/// A stretch of the wall clock: where a link lies, or a slot.
struct ClockSpan {
    var from: Date
    var to: Date

    /// Whether two wall-clock windows of one talk are the same stretch of it (they overlap by
    /// more than half the shorter): two recordings of it at once, not parts one after another.
    func sameStretch(as other: ClockSpan) -> Bool {
        let overlap = min(to, other.to).timeIntervalSince(max(from, other.from))
        let shorter = min(to.timeIntervalSince(from), other.to.timeIntervalSince(other.from))
        return overlap > LinkThresholds.sameStretchShare * max(1, shorter)
    }

    /// How many seconds of `from`–`to` the spans cover together.
    static func covered(_ from: Date, _ to: Date, by spans: [ClockSpan]) -> TimeInterval {
        var total: TimeInterval = 0
        var reached = from
        let clipped = spans.map { ClockSpan(from: max($0.from, from), to: min($0.to, to)) }.filter { $0.from < $0.to }
        for span in clipped.sorted(by: { $0.from < $1.from }) {
            total += max(0, span.to.timeIntervalSince(max(span.from, reached)))
            reached = max(reached, span.to)
        }
        return total
    }
}

extension Linker {
    /// Several recordings linked to one session are either parts (one after another) or
    /// rivals (the same time, or no time to tell): rivals are flagged and the weaker sent to
    /// review, then recordings in review are settled by elimination where they can be, and
    /// last the parts are numbered.
    func crossCheck(_ results: inout [RecordingLinks], alternatives: [[Alternative]]) {
        let demoted = flagDuplicates(&results)
        // Demoted only now, so that the indexes above stay valid while they are in use.
        var alternatives = alternatives
        for index in demoted.sorted() {
            results[index].status = .review
            results[index].candidates = results[index].links + results[index].candidates
            alternatives[index] = results[index].links.map { Alternative(link: $0, misfit: nil) } + alternatives[index]
            results[index].links = []
        }
        for _ in 0..<LinkThresholds.eliminationRounds where resolveByElimination(&results, alternatives: alternatives) {}
        offerRoomAndLength(&results, alternatives: alternatives)
        numberParts(&results)
    }

    /// Flags every weaker rival of a session `duplicate`; returns the recordings to demote to
    /// review (those that do not name the session themselves).
    func flagDuplicates(_ results: inout [RecordingLinks]) -> Set<Int> {
        var demoted = Set<Int>()
        for entries in linkedBySession(results) where rivals(entries, in: results) {
            // The best score keeps the session; on a tie, the recording of this talk alone
            // over a stream that also holds others: it is the more specific explanation.
            guard let best = entries.max(by: { a, b in
                let (sa, sb) = (results[a.result].links[a.link].score, results[b.result].links[b.link].score)
                return sa != sb ? sa < sb : results[a.result].links.count > results[b.result].links.count
            }) else { continue }
            for entry in entries where entry.result != best.result {
                var link = results[entry.result].links[entry.link]
                link.flags.append(.duplicate)
                link.evidence.append(.duplicateOf(path: results[best.result].path, score: results[best.result].links[best.link].score))
                results[entry.result].links[entry.link] = link
                let explicit = link.evidence.contains { $0.namesSession }
                // A recording whose own title names the session is of that session, whatever
                // the other recording is (a copy, a part without a clock): flagged, kept.
                let named = link.score >= LinkThresholds.namedKeepScore && link.evidence.contains { $0.titleTagMatchesFully }
                if !explicit && !named { demoted.insert(entry.result) }
            }
        }
        return demoted
    }

    /// A recording with a room and nothing else is for a person to place: the talks in its
    /// room of about its length that no recording holds, when there are few.
    func offerRoomAndLength(_ results: inout [RecordingLinks], alternatives: [[Alternative]]) {
        let held = Set(results.filter { $0.status == .linked }.flatMap { $0.links.map(\.guid) })
        for index in results.indices where results[index].status == .unmatched && !alternatives[index].isEmpty {
            let open = alternatives[index].filter { !held.contains($0.link.guid) }
            guard (1...options.candidateCount).contains(open.count) else { continue }
            results[index].status = .review
            results[index].candidates = open.map { alternative in
                var link = alternative.link
                link.evidence.append(.noRecordingLinked)
                link.evidence.append(.doubtRoomAndLengthOnly)
                return link
            }
        }
    }

    /// Numbers the parts of each session that several recordings hold one after another.
    func numberParts(_ results: inout [RecordingLinks]) {
        for entries in linkedBySession(results) where !rivals(entries, in: results) {
            for (position, entry) in entries.enumerated() {
                var link = results[entry.result].links[entry.link]
                link.part = position + 1
                link.parts = entries.count
                link.flags.append(.part)
                let others = entries.enumerated().filter { $0.offset != position }.map { results[$0.element.result].path }
                link.evidence.append(.part(position + 1, of: entries.count, with: others))
                results[entry.result].links[entry.link] = link
            }
        }
    }

    /// The links of linked recordings, per session held by more than one, in the order of
    /// their wall-clock windows (those without one last).
    func linkedBySession(_ results: [RecordingLinks]) -> [[LinkAt]] {
        var bySession: [String: [LinkAt]] = [:]
        for (r, result) in results.enumerated() where result.status == .linked {
            for (l, link) in result.links.enumerated() { bySession[link.guid, default: []].append(LinkAt(result: r, link: l)) }
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
    func rivals(_ entries: [LinkAt], in results: [RecordingLinks]) -> Bool {
        let windows = entries.map { clockWindow(results[$0.result], results[$0.result].links[$0.link]) }
        for i in windows.indices {
            for j in windows.indices where j > i {
                guard let a = windows[i], let b = windows[j] else { return true }
                if a.sameStretch(as: b) { return true }
            }
        }
        return false
    }

    /// Where a link lies on the wall clock: the recording's start plus the link's in and out
    /// points. A modification time counts as a clock only when it puts the recording on the
    /// slot (a copy's time puts it anywhere).
    func clockWindow(_ result: RecordingLinks, _ link: ProposedLink) -> ClockSpan? {
        guard let start = result.recordingStart else { return nil }
        let window = ClockSpan(from: start.addingTimeInterval(link.inSeconds), to: start.addingTimeInterval(link.outSeconds))
        guard result.recordingStartSource == .mtime else { return window }
        guard let index = programme.index(ofGuid: link.guid) else { return nil }
        let session = programme.sessions[index]
        let overlap = min(window.to, session.end).timeIntervalSince(max(window.from, session.start))
        return overlap > LinkThresholds.mtimeOnSlotShare * max(1, window.to.timeIntervalSince(window.from)) ? window : nil
    }
}
