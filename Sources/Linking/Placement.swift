import Foundation

/// Where a session lies in a recording: in and out points from the recording's clock, moved
/// to a matching chapter or to chapter boundaries near the scheduled changeovers.
struct Placement {
    let programme: ProgrammeIndex
    let options: LinkOptions

    /// Turns a scored session into a link with in and out points in the recording. `alone`:
    /// the recording is linked to this session only (no stream of talks, no rivals).
    func proposed(_ scored: Scored, clues: Clues, alone: Bool) -> ProposedLink {
        let session = programme.sessions[scored.session]
        let duration = clues.duration ?? 0
        var points = Points(inPoint: 0, outPoint: duration, evidence: scored.evidence)
        if let start = clues.start, scored.windowKnown {
            points.inPoint = min(max(0, session.start.timeIntervalSince(start.date)), duration)
            points.outPoint = max(points.inPoint, min(duration, session.end.timeIntervalSince(start.date)))
        }
        if !clues.chapters.isEmpty && (scored.windowKnown || !alone) {
            // A chapter whose title matches this session (better than any other session) is
            // taken whole; otherwise chapter boundaries near the scheduled changeovers are used.
            if !alone, let matching = matchingChapter(scored, clues: clues, near: points.inPoint) {
                points.inPoint = matching.start
                points.outPoint = min(duration > 0 ? duration : matching.end, matching.end)
                points.evidence.append(.chapterInOut(matching.title, from: points.inPoint, to: points.outPoint))
            } else if scored.windowKnown {
                snap(&points, to: clues.chapters, duration: duration)
            }
        }
        return ProposedLink(guid: session.guid, title: session.title, score: scored.score, inSeconds: points.inPoint,
                            outSeconds: points.outPoint, evidence: points.evidence, flags: scored.flags)
    }

    /// In and out points being placed, with the evidence that placed them.
    struct Points {
        var inPoint: Double
        var outPoint: Double
        var evidence: [Evidence]
    }

    /// The chapter whose title matches the session best, near enough to the in point.
    func matchingChapter(_ scored: Scored, clues: Clues, near inPoint: Double) -> ChapterClue? {
        let reach = max(options.chapterSnap, programme.slotLength(scored.session) * LinkThresholds.chapterReachShare)
        return zip(clues.chapters, clues.chapterWeighted)
            .map { (chapter: $0.0, value: programme.titleIndex.similarity($0.1, programme.weightedWords[scored.session])) }
            .filter { $0.value >= LinkThresholds.chapterMatchFloor && abs($0.chapter.start - inPoint) < reach }
            .max { $0.value < $1.value }?.chapter
    }

    /// Moves the in and out points to the nearest chapter boundaries within `chapterSnap`.
    func snap(_ points: inout Points, to chapters: [ChapterClue], duration: Double) {
        let snapWindow = options.chapterSnap
        let deadBand = LinkThresholds.snapDeadBand
        let inPoint = points.inPoint
        if let snap = chapters.map(\.start).filter({ abs($0 - inPoint) <= snapWindow && abs($0 - inPoint) > deadBand })
            .min(by: { abs($0 - inPoint) < abs($1 - inPoint) }) {
            points.inPoint = snap
            points.evidence.append(.inPointSnapped(snap))
        }
        let outPoint = points.outPoint
        let newIn = points.inPoint
        if let snap = chapters.map(\.end).filter({ abs($0 - outPoint) <= snapWindow && abs($0 - outPoint) > deadBand && $0 > newIn })
            .min(by: { abs($0 - outPoint) < abs($1 - outPoint) }) {
            points.outPoint = duration > 0 ? min(snap, duration) : snap
            points.evidence.append(.outPointSnapped(points.outPoint))
        }
    }
}
