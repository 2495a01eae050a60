import Foundation
import Testing
@testable import Linking
import MediaProbe
import Schedule

/// Title tags written with a typo or two, with no other clue (issue 19): a title that is near
/// one session's title alone links to it, with a reason that says so; one near two stays in review.
@Suite("near-exact titles")
struct NearTitleTests {
    static let programme = [
        LinkerTests.session(1, "OpenCodes", "2021-10-06T13:00:00+02:00", minutes: 45, room: "Sal A"),
        LinkerTests.session(2, "Why Nobody cares, and only You can save the World", "2021-10-06T13:00:00+02:00", minutes: 45, room: "Sal B"),
        LinkerTests.session(3, "Från idé till drift: klimatomställning i Karlstad", "2021-10-06T14:00:00+02:00", minutes: 45, room: "Sal A"),
        LinkerTests.session(4, "Från idé till drift: klimatomställning i Växjö", "2021-10-06T14:00:00+02:00", minutes: 45, room: "Sal B"),
        LinkerTests.session(5, "Workshop om öppna data, del 1", "2021-10-07T09:00:00+02:00", minutes: 45, room: "Sal A"),
        LinkerTests.session(6, "Workshop om öppna data, del 2", "2021-10-07T10:00:00+02:00", minutes: 45, room: "Sal A"),
        LinkerTests.session(7, "AI i vården", "2021-10-07T11:00:00+02:00", minutes: 45, room: "Sal B"),
        LinkerTests.session(8, "Robotik", "2021-10-07T13:00:00+02:00", minutes: 45, room: "Sal B"),
    ]

    let linker = Linker(sessions: programme, options: LinkOptions(timeZone: LinkerTests.zone))

    /// A renamed export with nothing but its title tag (no clock, no room).
    func link(_ title: String) -> RecordingLinks {
        linker.link([LinkerTests.recording("export/final_v3.mp4", seconds: 2700, tags: ["title": title])])[0]
    }

    @Test("one or two wrong, missing or swapped letters in a title no other comes near: linked, and the reason says so", arguments: [
        ("OpenCdes", 0, 1),
        ("Why Nobody cares, and only You can save the Word", 1, 1),
        ("Från idé uill drift: klimatomställning i Karlstad", 2, 1),
        ("Från ied till drfit: klimatomställning i Karlstad", 2, 2),
        ("Open Codes", 0, 0),
        ("AI i vårdn", 6, 1),
    ])
    func nearOne(title: String, session: Int, letters: Int) {
        let result = link(title)
        #expect(result.status == .linked, "\(title): \(result.candidates.map { ($0.title, $0.score) })")
        #expect(result.links.map(\.guid) == [Self.programme[session].guid])
        let reason = letters == 0 ? "but for spaces and punctuation" : "but for \(letters) letter\(letters == 1 ? "" : "s")"
        #expect(result.links.first?.reasons.contains { $0.contains(reason) } == true, "\(result.links.first?.reasons ?? [])")
    }

    @Test("a title near two sessions' titles names neither; a short title is too near others to guess; three typos are too many", arguments: [
        "Workshop om öppna data, del 3",
        "Robotk",
        "Från ied tlil drfit: klimatomställning i Karlstad",
    ])
    func notNear(title: String) {
        let result = link(title)
        #expect(!(result.links.first?.reasons.contains { $0.contains("is the session title but for") } ?? false), "\(title): \(result.links.map(\.reasons))")
        if title.hasPrefix("Workshop") { #expect(result.status != .linked, "\(result.links.map(\.title))") }
    }

    @Test("the edit distance counts insertions, deletions, substitutions and swaps, and stops past its limit")
    func distance() {
        func d(_ a: String, _ b: String, _ limit: Int = 2) -> Int? { TextMatch.editDistance(Array(a.utf8), Array(b.utf8), limit: limit) }
        #expect(d("opencodes", "opencodes") == 0)
        #expect(d("opencdes", "opencodes") == 1)
        #expect(d("opencodse", "opencodes") == 1)
        #expect(d("openxodes", "opencodes") == 1)
        #expect(d("opencodesx", "opencodes") == 1)
        #expect(d("oepncodse", "opencodes") == 2)
        #expect(d("oepncdose", "opencodes") == nil)
        #expect(d("abc", "abcdef") == nil)
        #expect(d("", "ab") == 2 && d("", "abc") == nil)
    }
}
