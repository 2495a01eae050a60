import Foundation
import IndexStore
import Schedule
import MediaProbe

/// Cuts the part of a recording that belongs to a session into segments: the chapters a person
/// set for it, else the recording's chapters inside it (clipped, odd ones cleaned up), else even
/// cuts for long sessions, else the session as one segment. Pure.
public struct Segmenter: Sendable {
    /// Length of even segments for long sessions without chapters.
    public var evenLength: Double
    /// Sessions longer than this without chapters get even segments.
    public var evenThreshold: Double = 20 * 60
    /// Pieces shorter than this are dropped or merged.
    public var minimumLength: Double = 1
    /// The most even segments one session gets: past 500 × 5 minutes (41 hours, no talk) the
    /// pieces grow instead, so a hostile duration (up to 292,000 years) cannot make billions.
    public var maximumEvenSegments = 500

    public init(evenMinutes: Double = 5) {
        evenLength = max(60, evenMinutes * 60)
    }

    /// Segments for the session `guid` between `inSeconds` and `outSeconds` of a recording
    /// with `chapters` and `duration`; `manual` is the chapter set a person made, if any.
    public func segments(sessionGuid guid: String, title: String, topics: [String], inSeconds: Double, outSeconds: Double,
                         duration: Double?, chapters: [Chapter], manual: [ManualChapter]? = nil) -> [Segment] {
        let end = min(outSeconds, duration ?? outSeconds)
        let start = max(0, min(inSeconds, end))
        guard end - start >= minimumLength else {
            return [Segment(sessionGuid: guid, position: 0, startSeconds: start, endSeconds: max(start, end), title: title, topics: topics, source: .session)]
        }
        if let manual, !manual.isEmpty {
            return manualSegments(manual, sessionGuid: guid, title: title, topics: topics, from: start, to: end)
        }
        let pieces = cleanChapters(chapters, from: start, to: end)
        if !pieces.isEmpty {
            // Fill gaps so that every second of the session's part lands in a segment.
            var filled: [(Double, Double, String, Segment.Source)] = []
            var cursor = start
            for piece in pieces {
                if piece.0 - cursor >= 5 { filled.append((cursor, piece.0, title, .session)) } else if let last = filled.indices.last, piece.0 > cursor {
                    filled[last].1 = piece.0
                }
                filled.append((max(cursor, piece.0), piece.1, piece.2, .chapter))
                cursor = piece.1
            }
            if end - cursor >= 5 { filled.append((cursor, end, title, .session)) } else if let last = filled.indices.last { filled[last].1 = end }
            return filled.enumerated().map { index, piece in
                Segment(sessionGuid: guid, position: index, startSeconds: piece.0, endSeconds: piece.1, title: piece.2, topics: topics, source: piece.3)
            }
        }
        let length = end - start
        guard length > evenThreshold else {
            return [Segment(sessionGuid: guid, position: 0, startSeconds: start, endSeconds: end, title: title, topics: topics, source: .session)]
        }
        let step = max(evenLength, length / Double(maximumEvenSegments))
        var count = WholeSeconds.down(length / step)
        if length - Double(count) * step >= step / 2 { count += 1 }
        count = min(max(1, count), maximumEvenSegments)
        return (0..<count).map { index in
            let from = start + Double(index) * step
            let to = index == count - 1 ? end : min(end, start + Double(index + 1) * step)
            return Segment(sessionGuid: guid, position: index, startSeconds: from, endSeconds: to,
                           title: Self.evenTitle(position: index, count: count), topics: topics, source: .even)
        }
    }

    /// A person's chapters cut to `from...to`: the first starts at `from` whatever its own start,
    /// each runs to the next one's start and the last to `to`; chapters that start within
    /// `minimumLength` of the next, or of the end, or outside the part, are passed over (kept in
    /// the set, so they come back when the in and out points do). With none left, the part is
    /// one segment named `title`.
    func manualSegments(_ manual: [ManualChapter], sessionGuid guid: String, title: String, topics: [String], from: Double, to: Double) -> [Segment] {
        let sorted = manual.enumerated().filter { $0.element.startSeconds.isFinite }
            .sorted { ($0.element.startSeconds, $0.offset) < ($1.element.startSeconds, $1.offset) }
        var pieces: [(start: Double, title: String)] = []
        for (offset, chapter) in sorted {
            let title = chapter.title.trimmingCharacters(in: .whitespacesAndNewlines)
            let named = title.isEmpty ? "Kapitel \(offset + 1)" : title
            let begins = max(from, chapter.startSeconds)
            guard to - begins >= minimumLength else { continue }
            if let last = pieces.last, begins - last.start < minimumLength {
                // Two chapters at (nearly) the same second, or several before the in point: the later one stands.
                pieces[pieces.count - 1] = (last.start, named)
            } else {
                pieces.append((pieces.isEmpty ? from : begins, named))
            }
        }
        if pieces.isEmpty { pieces = [(from, title)] }
        return pieces.enumerated().map { index, piece in
            Segment(sessionGuid: guid, position: index, startSeconds: piece.start, endSeconds: index + 1 < pieces.count ? pieces[index + 1].start : to,
                    title: piece.title, topics: topics, source: .manual)
        }
    }

    /// The title of even cut `position` (from 0) of `count`: "Del 3 av 9".
    static func evenTitle(position: Int, count: Int) -> String {
        "Del \(position + 1) av \(count)"
    }

    /// Chapters inside `from...to`: clipped to it, zero-length and reversed ones dropped, sorted,
    /// overlaps cut at the next chapter's start.
    func cleanChapters(_ chapters: [Chapter], from: Double, to: Double) -> [(Double, Double, String)] {
        var pieces = chapters.compactMap { chapter -> (Double, Double, String)? in
            guard chapter.startSeconds.isFinite, chapter.endSeconds.isFinite, chapter.endSeconds > chapter.startSeconds else { return nil }
            let a = max(from, chapter.startSeconds)
            let b = min(to, chapter.endSeconds)
            guard b - a >= minimumLength else { return nil }
            let title = chapter.title?.trimmingCharacters(in: .whitespacesAndNewlines)
            return (a, b, (title?.isEmpty ?? true) ? "Kapitel \(chapter.index + 1)" : title!)
        }
        pieces.sort { ($0.0, $0.1) < ($1.0, $1.1) }
        var cleaned: [(Double, Double, String)] = []
        for piece in pieces {
            if let last = cleaned.last, piece.0 < last.1 {
                // Overlap: the earlier chapter ends where the next one starts.
                cleaned[cleaned.count - 1].1 = piece.0
                if cleaned[cleaned.count - 1].1 - cleaned[cleaned.count - 1].0 < minimumLength { cleaned.removeLast() }
            }
            cleaned.append(piece)
        }
        return cleaned
    }
}
