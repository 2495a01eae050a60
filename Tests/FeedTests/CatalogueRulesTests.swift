import Feed
import Foundation
import IndexStore
import Schedule
import Testing

@Suite("Catalogue rules: the day of a session, and who opted out")
struct CatalogueRulesTests {
    @Test("a session's day is its day in the conference's zone, in the entry, the day facets and day(of:)")
    func dayInZone() throws {
        let f = CatalogueFixture.self
        // 23:30 in Stockholm is 21:30 UTC the same day; 00:30 in Stockholm is the day before in UTC.
        let late = f.session("late", title: "Late", at: Date(timeIntervalSince1970: 1_633_383_000))
        let early = f.session("early", title: "Early", at: Date(timeIntervalSince1970: 1_633_386_600))
        let snapshot = f.snapshot(sessions: [late, early], recordings: [f.recording(1, "a.mp4")],
                                  links: [1: [f.link("late", from: 0, to: 1800), f.link("early", from: 1800, to: 3600)]])
        let catalogue = f.catalogue(snapshot)
        #expect(catalogue.day(of: late) == "2021-10-04")
        #expect(catalogue.day(of: early) == "2021-10-05")
        #expect(catalogue.entry(guidOrSlug: "late")?.day == "2021-10-04")
        #expect(catalogue.entry(guidOrSlug: "early")?.day == "2021-10-05")
        #expect(catalogue.days.map(\.slug) == ["2021-10-04", "2021-10-05"])
        #expect(catalogue.day(of: early) == ClockText.day(early.start, zone: catalogue.timeZone))
    }

    @Test("a session marked do-not-record, or named by a do-not-record link, is opted out and never published")
    func optOut() throws {
        let f = CatalogueFixture.self
        let open = f.session("open", title: "Open", at: f.monday)
        let marked = f.session("marked", title: "Marked", at: f.monday.addingTimeInterval(3600), doNotRecord: true)
        let flagged = f.session("flagged", title: "Flagged", at: f.monday.addingTimeInterval(7200))
        let suggested = f.session("suggested", title: "Suggested", at: f.monday.addingTimeInterval(10800))
        let snapshot = f.snapshot(
            sessions: [open, marked, flagged, suggested],
            recordings: [f.recording(1, "a.mp4"), f.recording(2, "b.mp4"), f.recording(3, "c.mp4")],
            links: [1: [f.link("open", from: 0, to: 2700)], 2: [f.link("flagged", from: 0, to: 2700, doNotRecord: true)],
                    3: [f.link("suggested", from: 0, to: 600, doNotRecord: true, kind: .candidate)]])
        #expect(Catalogue.optedOutSessions(in: snapshot) == ["marked", "flagged", "suggested"])
        #expect(Catalogue.isOptedOut(marked) && !Catalogue.isOptedOut(open))
        #expect(Catalogue.isOptedOut(f.link("open", from: 0, to: 1), of: marked), "a link to an opted-out session is opted out")
        #expect(!Catalogue.isOptedOut(f.link("open", from: 0, to: 1), of: nil))
        let catalogue = f.catalogue(snapshot)
        #expect(catalogue.entries.map(\.session.guid) == ["open"])
        #expect(catalogue.recordings.keys.sorted() == [1], "the recording with a do-not-record link is never served")
    }
}
