import Foundation
import Testing
@testable import IndexStore
import Pipeline
import MediaProbe

@Suite("segments")
struct SegmenterTests {
    let segmenter = Segmenter(evenMinutes: 5)

    func chapter(_ index: Int, _ start: Double, _ end: Double, _ title: String?) -> Chapter {
        Chapter(index: index, startSeconds: start, endSeconds: end, title: title)
    }

    @Test("a hostile duration (the probe's 292,000-year ceiling) gives a bounded number of segments that cover it")
    func hugeDuration() {
        let end = Double(Int64.max) / 1e6  // the probe's ceiling (Prober.maxSeconds)
        let segments = segmenter.segments(sessionGuid: "g", title: "t", topics: [], inSeconds: 0, outSeconds: end, duration: end, chapters: [])
        #expect(segments.count == segmenter.maximumEvenSegments)
        #expect(segments.first?.startSeconds == 0 && segments.last?.endSeconds == end)
        #expect(zip(segments, segments.dropFirst()).allSatisfy { $0.endSeconds == $1.startSeconds })
        let day = segmenter.segments(sessionGuid: "g", title: "t", topics: [], inSeconds: 0, outSeconds: 86_400, duration: 86_400, chapters: [])
        #expect(day.count == 288, "a day in 5-minute pieces, as before")
    }

    @Test("chapters inside the session's part become its segments, clipped to it")
    func chaptersClipped() {
        let chapters = [chapter(0, 0, 310, "Välkommen"), chapter(1, 310, 2120, "Hoppet"), chapter(2, 2130, 3880, "Green City Zone")]
        let segments = segmenter.segments(sessionGuid: "g", title: "Hoppet", topics: ["hoppet"], inSeconds: 310, outSeconds: 2120, duration: 5700, chapters: chapters)
        #expect(segments.map(\.title) == ["Hoppet"])
        #expect(segments.map(\.startSeconds) == [310])
        #expect(segments.map(\.endSeconds) == [2120])
        #expect(segments[0].topics == ["hoppet"])
        #expect(segments[0].source == .chapter)
    }

    @Test("odd chapters are cleaned: zero length, reversed, past the end, overlapping")
    func oddChapters() {
        let chapters = [chapter(0, 0, 0, "Noll"), chapter(1, 100, 50, "Baklänges"), chapter(2, 0, 600, "Ett"),
                        chapter(3, 500, 1200, "Överlapp"), chapter(4, 1200, 99_999, "Efter slutet"), chapter(5, 1300, 1300.5, "Kort")]
        let segments = segmenter.segments(sessionGuid: "g", title: "T", topics: [], inSeconds: 0, outSeconds: 1800, duration: 1800, chapters: chapters)
        #expect(segments.map(\.title) == ["Ett", "Överlapp", "Efter slutet"])
        #expect(segments.map(\.startSeconds) == [0, 500, 1200])
        #expect(segments.map(\.endSeconds) == [500, 1200, 1800])
        // Every second of the part lands in exactly one segment.
        for (a, b) in zip(segments, segments.dropFirst()) { #expect(a.endSeconds == b.startSeconds) }
    }

    @Test("gaps between chapters are filled with the session's title")
    func gapsFilled() {
        let segments = segmenter.segments(sessionGuid: "g", title: "Öppna data", topics: [], inSeconds: 0, outSeconds: 2700, duration: 2700,
                                          chapters: [chapter(0, 600, 1200, "Exempel")])
        #expect(segments.map(\.title) == ["Öppna data", "Exempel", "Öppna data"])
        #expect(segments.map(\.startSeconds) == [0, 600, 1200])
        #expect(segments.last?.endSeconds == 2700)
    }

    @Test("a long session without chapters gets even segments; the last one absorbs a short rest")
    func evenSegments() {
        let segments = segmenter.segments(sessionGuid: "g", title: "T", topics: [], inSeconds: 120, outSeconds: 2820, duration: 2940, chapters: [])
        #expect(segments.count == 9)
        #expect(segments.first?.startSeconds == 120)
        #expect(segments.last?.endSeconds == 2820)
        #expect(segments.allSatisfy { $0.source == .even })
        #expect(segments.map(\.title).first == "Del 1 av 9")
        let longer = Segmenter(evenMinutes: 10).segments(sessionGuid: "g", title: "T", topics: [], inSeconds: 0, outSeconds: 2700, duration: nil, chapters: [])
        // 45 minutes in 10-minute pieces: a rest of half a piece or more gets its own segment.
        #expect(longer.map(\.endSeconds) == [600, 1200, 1800, 2400, 2700])
        let rest = Segmenter(evenMinutes: 10).segments(sessionGuid: "g", title: "T", topics: [], inSeconds: 0, outSeconds: 2500, duration: nil, chapters: [])
        #expect(rest.map(\.endSeconds) == [600, 1200, 1800, 2500])
    }

    @Test("a short session without chapters is one segment")
    func shortSession() {
        let segments = segmenter.segments(sessionGuid: "g", title: "Kort", topics: [], inSeconds: 10, outSeconds: 1000, duration: 1000, chapters: [])
        #expect(segments.count == 1)
        #expect(segments[0].title == "Kort")
        #expect(segments[0].source == .session)
    }
}
