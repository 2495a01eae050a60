import Foundation
import Testing
@testable import Linking
import MediaProbe
import Schedule

/// The linking engine on small, hand-made programmes.
@Suite("linker")
struct LinkerTests {
    static let zone = TimeZone(identifier: "Europe/Stockholm")!

    static func at(_ text: String) -> Date {
        ISO8601DateFormatter().date(from: text)!
    }

    static func session(_ n: Int, _ title: String, _ start: String, minutes: Double, room: String, persons: [String] = []) -> Session {
        let begin = at(start)
        return Session(guid: "00000000-0000-4000-8000-\(String(format: "%012d", n))", id: "\(n)", slug: "s-\(n)", title: title,
                       start: begin, end: begin.addingTimeInterval(minutes * 60), room: room, persons: persons)
    }

    static func recording(_ path: String, seconds: Double, tags: [String: String] = [:], chapters: [Chapter] = []) -> Recording {
        Recording(path: path, probe: ProbeResult(path: path, durationSeconds: seconds, durationSource: .container, tags: tags, chapters: chapters))
    }

    /// Two rooms with talks at the same times, as a real week has.
    static let programme = [
        session(1, "Öppna data i Göteborg", "2021-10-06T13:00:00+02:00", minutes: 45, room: "Sal A", persons: ["Gunilla Gudmunds"]),
        session(2, "Robotar i hemtjänsten", "2021-10-06T13:00:00+02:00", minutes: 45, room: "Sal B", persons: ["Erik Berg"]),
        session(3, "Upphandling av innovation", "2021-10-06T14:00:00+02:00", minutes: 45, room: "Sal A"),
        session(4, "Klimatomställning i kommunen", "2021-10-06T14:00:00+02:00", minutes: 45, room: "Sal B"),
    ]

    let linker = Linker(sessions: programme, options: LinkOptions(timeZone: zone))

    @Test("time alone, with two rooms in parallel, is doubtful and goes to review")
    func parallelRoomsNeedReview() throws {
        let result = linker.link([Self.recording("rec/2021-10-06 12-58-00.mkv", seconds: 2820)])[0]
        #expect(result.status == .review)
        #expect(Set(result.candidates.map(\.guid)) .isSuperset(of: [Self.programme[0].guid, Self.programme[1].guid]))
        #expect(result.links.isEmpty)
    }

    @Test("the room folder settles it, in any spelling", arguments: ["sal-b", "SAL_B", "Sal B", "salb"])
    func roomFolder(folder: String) throws {
        let result = linker.link([Self.recording("rec/\(folder)/2021-10-06 12-58-00.mkv", seconds: 2820)])[0]
        #expect(result.status == .linked)
        #expect(result.links.map(\.guid) == [Self.programme[1].guid])
        #expect(abs(result.links[0].inSeconds - 120) < 0.001)
        #expect(abs(result.links[0].outSeconds - 2820) < 0.001)
    }

    @Test("a recording from another room's folder is not linked to this room's talk by title alone")
    func roomConflict() {
        let result = linker.link([Self.recording("rec/sal-b/x.mp4", seconds: 2700, tags: ["title": "Öppna data i Göteborg"])])[0]
        #expect(result.status != .linked || result.links.first?.guid != Self.programme[0].guid || result.links[0].score < 0.7)
        #expect(result.links.first?.reasons.contains { $0.contains("the session is in Sal A") } ?? true)
    }

    @Test("a misspelled title still finds its talk")
    func misspelledTitle() {
        let result = linker.link([Self.recording("x.mp4", seconds: 2700, tags: ["title": "Robotar i hemtjänstn"])])[0]
        #expect(result.status == .linked)
        #expect(result.links.first?.guid == Self.programme[1].guid)
    }

    @Test("a speaker's name in the title counts")
    func speakerName() {
        let result = linker.link([Self.recording("x.mp4", seconds: 2700, tags: ["title": "Gunilla Gudmunds om öppna data"])])[0]
        #expect(result.links.first?.guid == Self.programme[0].guid || result.candidates.first?.guid == Self.programme[0].guid)
    }

    @Test("a stream over two talks in one room is linked to both, in order")
    func stream() {
        let result = linker.link([Self.recording("rec/sal-a/2021-10-06 12-55-00.mkv", seconds: 6600)])[0]
        #expect(result.status == .linked)
        #expect(result.links.map(\.guid) == [Self.programme[0].guid, Self.programme[2].guid])
        #expect(abs(result.links[0].inSeconds - 300) < 0.001)
        #expect(abs(result.links[1].inSeconds - 3900) < 0.001)
    }

    @Test("chapter boundaries near the changeovers move in and out points")
    func chapterSnap() {
        let chapters = [Chapter(index: 0, startSeconds: 0, endSeconds: 400, title: "Intro"),
                        Chapter(index: 1, startSeconds: 400, endSeconds: 2950, title: "Föredrag")]
        let result = linker.link([Self.recording("rec/sal-a/2021-10-06 12-55-00.mkv", seconds: 3000, chapters: chapters)])[0]
        #expect(result.links.first?.guid == Self.programme[0].guid)
        #expect(result.links.first?.inSeconds == 400)
        #expect(result.links.first?.outSeconds == 2950)
    }

    @Test("two recordings of the same time and talk: the weaker is flagged and sent to review")
    func rivals() {
        let results = linker.link([
            Self.recording("rec/sal-a/2021-10-06 12-58-00.mkv", seconds: 2820, tags: ["title": "Öppna data i Göteborg"]),
            Self.recording("backup/sal-a/2021-10-06 12-59-00.mkv", seconds: 2760),
        ])
        #expect(results[0].status == .linked)
        #expect(results[1].status == .review)
        #expect(results[1].candidates.first?.flags.contains(.duplicate) == true)
        #expect(results[1].candidates.first?.reasons.contains { $0.contains("rec/sal-a/2021-10-06 12-58-00.mkv") } == true)
    }

    /// Sal A has a talk at 11:00 and one at 13:00: a camera tag of 11:00 UTC is 13:00 in
    /// Stockholm as written, and 11:00 if the camera wrote local time as UTC.
    static let twoHoursApart = programme + [session(5, "Digital arbetsmiljö", "2021-10-06T11:00:00+02:00", minutes: 45, room: "Sal A")]
    static let camera = recording("rec/sal-a/MVI_0001.MP4", seconds: 2760, tags: ["creation_time": "2021-10-06T11:00:30.000000Z"])

    @Test("a camera clock that fits a talk both as written and as local time goes to review with both")
    func clockDoubt() {
        let result = Linker(sessions: Self.twoHoursApart, options: LinkOptions(timeZone: Self.zone)).link([Self.camera])[0]
        #expect(result.status == .review)
        #expect(Set(result.candidates.map(\.guid)).isSuperset(of: [Self.programme[0].guid, Self.twoHoursApart[4].guid]))
        #expect(result.candidates.contains { $0.reasons.contains { $0.contains("if the camera wrote local time as UTC") } })
    }

    @Test("the other talk's own recording settles the camera clock", arguments: [true, false])
    func clockDoubtSettled(otherHasFileNameClock: Bool) throws {
        // The 13:00 talk has its own recording: by an OBS file name, or by a modification time
        // that puts it on the slot. So the camera's tag was local time: the 11:00 talk.
        let other = otherHasFileNameClock
            ? Self.recording("rec/sal-a/2021-10-06 12-58-30.mkv", seconds: 2760)
            : Recording(path: "rec/sal-a/export.mp4", probe: ProbeResult(path: "rec/sal-a/export.mp4", durationSeconds: 2760, durationSource: .container),
                        modified: Self.at("2021-10-06T13:44:30+02:00"))
        let results = Linker(sessions: Self.twoHoursApart, options: LinkOptions(timeZone: Self.zone)).link([Self.camera, other])
        #expect(results[1].status == .linked)
        #expect(results[1].links.map(\.guid) == [Self.programme[0].guid])
        #expect(results[0].status == .linked)
        let link = try #require(results[0].links.first)
        #expect(link.guid == Self.twoHoursApart[4].guid)
        #expect(link.flags.contains(.clockLocalAsUTC))
        #expect(link.reasons.contains { $0.contains("recorded at the same time by linked recordings") && $0.contains(other.path) })
        #expect(abs(link.outSeconds - link.inSeconds - 45 * 60) < 60)
    }

    @Test("a talk's own recording keeps it over a stream that scores the same; the stream goes to review")
    func singleOverStream() {
        let results = linker.link([
            Self.recording("rec/sal-a/2021-10-06 12-55-00.mkv", seconds: 6600),
            Self.recording("rec/sal-a/2021-10-06 13-58-00.mkv", seconds: 2820),
        ])
        #expect(results[1].status == .linked)
        #expect(results[1].links.map(\.guid) == [Self.programme[2].guid])
        #expect(results[0].status == .review)
        #expect(results[0].candidates.contains { $0.guid == Self.programme[2].guid && $0.flags.contains(.duplicate) })
    }

    @Test("of parallel talks that a recording covers alike, it is the one whose slot its length fits")
    func lengthPicksAmongParallelTalks() throws {
        // A 20-minute and a 45-minute talk at 13:00 in two rooms; a 48-minute recording without a
        // room covers both whole, but only the 45-minute one is explained by a few minutes of
        // early start and overrun.
        // (The 20-minute talk comes first in the programme's order, so that order cannot decide.)
        let programme = [
            Self.session(1, "Robotar i hemtjänsten", "2021-10-06T13:00:00+02:00", minutes: 20, room: "Sal B"),
            Self.session(2, "Öppna data i Göteborg", "2021-10-06T13:00:00+02:00", minutes: 45, room: "Sal A"),
        ]
        let linker = Linker(sessions: programme, options: LinkOptions(timeZone: Self.zone))
        let long = linker.link([Self.recording("rec/2021-10-06 12-58-00.mkv", seconds: 48 * 60)])[0]
        #expect(long.status == .linked)
        #expect(long.links.map(\.guid) == [programme[1].guid])
        // Against a 40-minute talk instead of the 20-minute one, a few minutes explain either.
        var close = programme
        close[0].end = close[0].start.addingTimeInterval(40 * 60)
        let doubtful = Linker(sessions: close, options: LinkOptions(timeZone: Self.zone))
            .link([Self.recording("rec/2021-10-06 12-58-00.mkv", seconds: 48 * 60)])[0]
        #expect(doubtful.status == .review)
        #expect(Set(doubtful.candidates.map(\.guid)) == Set(programme.map(\.guid)))
    }

    @Test("two parts of a talk, each doubtful over a camera clock, settle each other")
    func partsSettleEachOther() throws {
        // Both parts' tags fit the 13:00 talk as written and the 11:00 talk as local time; the
        // 11:00 talk has its own recording, and the two parts together hold the 13:00 one.
        let other = Self.recording("rec/sal-a/2021-10-06 10-59-00.mkv", seconds: 47 * 60)
        let first = Self.recording("rec/sal-a/MVI_0001.MP4", seconds: 21 * 60, tags: ["creation_time": "2021-10-06T11:00:30.000000Z"])
        let second = Self.recording("rec/sal-a/MVI_0002.MP4", seconds: 22 * 60, tags: ["creation_time": "2021-10-06T11:24:00.000000Z"])
        let results = Linker(sessions: Self.twoHoursApart, options: LinkOptions(timeZone: Self.zone)).link([other, first, second])
        #expect(results[0].links.map(\.guid) == [Self.twoHoursApart[4].guid])
        for (index, part) in [(1, 1), (2, 2)] {
            #expect(results[index].status == .linked, "\(results[index].path): \(results[index].status)")
            let link = try #require(results[index].links.first)
            #expect(link.guid == Self.programme[0].guid)
            #expect(link.part == part && link.parts == 2)
            #expect(!link.flags.contains(.clockLocalAsUTC))
        }
    }

    @Test("a recording that completes a talk another recording holds in part is its rest")
    func restOfATalk() throws {
        // The first 25 minutes of the 13:00 talk are in an OBS file; the camera's tag fits the
        // rest of it as written, and the 11:00 talk (recorded by nobody) as local time.
        let first = Self.recording("rec/sal-a/2021-10-06 12-58-00.mkv", seconds: 25 * 60)
        let rest = Self.recording("rec/sal-a/MVI_0002.MP4", seconds: 20 * 60, tags: ["creation_time": "2021-10-06T11:27:00.000000Z"])
        let results = Linker(sessions: Self.twoHoursApart, options: LinkOptions(timeZone: Self.zone)).link([first, rest])
        #expect(results.map(\.status) == [.linked, .linked])
        let link = try #require(results[1].links.first)
        #expect(link.guid == Self.programme[0].guid)
        #expect(link.part == 2 && link.parts == 2)
        #expect(link.reasons.contains { $0.contains("the rest of this session after the part recorded in rec/sal-a/2021-10-06 12-58-00.mkv") })
        // Without the first part, the camera clock stays in doubt.
        #expect(Linker(sessions: Self.twoHoursApart, options: LinkOptions(timeZone: Self.zone)).link([rest])[0].status == .review)
    }

    @Test("a copy's modification time that puts it right after the first part of a talk in its room makes it the rest")
    func restByModificationTime() throws {
        let first = Self.recording("rec/sal-a/2021-10-06 12-58-00.mkv", seconds: 25 * 60)
        let rest = Recording(path: "rec/sal-a/export.mp4", probe: ProbeResult(path: "rec/sal-a/export.mp4", durationSeconds: 20 * 60, durationSource: .container),
                             modified: Self.at("2021-10-06T13:47:00+02:00"))
        let linker = Linker(sessions: Self.programme, options: LinkOptions(timeZone: Self.zone))
        let results = linker.link([first, rest])
        #expect(results.map(\.status) == [.linked, .linked])
        let link = try #require(results[1].links.first)
        #expect(link.guid == Self.programme[0].guid)
        #expect(link.part == 2 && link.parts == 2)
        #expect(abs(link.outSeconds - 18 * 60) < 1)
        // A modification time alone is a copy's time: review.
        #expect(linker.link([rest])[0].status == .review)
    }

    @Test("a camera's stream whose tag, as written, would hold a talk another camera recorded then is read as local time")
    func streamClockSettled() throws {
        // Sal A: 11:00 and 12:00, 13:00 and 14:00. As written the stream is 13:00–14:50, as local
        // time 11:00–12:50; the 14:00 talk has its own recording.
        let programme = Self.twoHoursApart + [Self.session(6, "Arkiv i molnet", "2021-10-06T12:00:00+02:00", minutes: 45, room: "Sal A")]
        let stream = Self.recording("rec/sal-a/MVI_0009.MP4", seconds: 110 * 60, tags: ["creation_time": "2021-10-06T11:00:30.000000Z"])
        let other = Self.recording("rec/sal-a/2021-10-06 13-59-00.mkv", seconds: 47 * 60)
        let linker = Linker(sessions: programme, options: LinkOptions(timeZone: Self.zone))
        let results = linker.link([stream, other])
        #expect(results[1].links.map(\.guid) == [programme[2].guid])
        #expect(results[0].status == .linked)
        #expect(results[0].links.map(\.guid) == [programme[4].guid, programme[5].guid])
        #expect(results[0].links.allSatisfy { $0.flags.contains(.clockLocalAsUTC) })
        #expect(abs((results[0].links.last?.inSeconds ?? 0) - (59 * 60 + 30)) < 1)
        // Without the other recording, both readings stand.
        #expect(linker.link([stream])[0].status == .review)
    }

    @Test("a camera clock that, as written, covers two talks only in part is no room's stream")
    func partialTalksAreNoStream() throws {
        // As written, 13:15–14:36 holds two thirds of the 13:00 talk and most of the 14:00 one;
        // as local time, 11:15–12:36 holds the 80-minute workshop whole.
        let programme = Self.programme + [Self.session(5, "Verkstad: tjänstedesign", "2021-10-06T11:15:00+02:00", minutes: 80, room: "Sal A")]
        let camera = Self.recording("rec/sal-a/MVI_0003.MP4", seconds: 81 * 60, tags: ["creation_time": "2021-10-06T11:15:00.000000Z"])
        let result = Linker(sessions: programme, options: LinkOptions(timeZone: Self.zone)).link([camera])[0]
        #expect(result.status == .linked)
        let link = try #require(result.links.first)
        #expect(result.links.count == 1)
        #expect(link.guid == programme[4].guid)
        #expect(link.flags.contains(.clockLocalAsUTC))
    }

    @Test("a recording with a room and no clock goes to review with the talks of its length that no recording holds")
    func roomAndLength() throws {
        let clockless = Self.recording("rec/sal-a/export.mp4", seconds: 48 * 60)
        let held = Self.recording("rec/sal-a/2021-10-06 12-58-00.mkv", seconds: 47 * 60)
        let results = linker.link([clockless, held])
        #expect(results[1].links.map(\.guid) == [Self.programme[0].guid])
        #expect(results[0].status == .review)
        #expect(results[0].links.isEmpty)
        #expect(results[0].candidates.map(\.guid) == [Self.programme[2].guid])
        #expect(results[0].candidates[0].reasons.contains("no recording is linked to this session"))
        #expect(results[0].candidates[0].reasons.contains { $0.contains("2021-10-06 14:00–14:45 (45 min) fits the recording's length (48 min)") })
        // Alone, both talks of Sal A are candidates; a recording of no talk's length has none.
        #expect(Set(linker.link([clockless])[0].candidates.map(\.guid)) == [Self.programme[0].guid, Self.programme[2].guid])
        #expect(linker.link([Self.recording("rec/sal-a/export.mp4", seconds: 12 * 60)])[0].status == .unmatched)
        // No room, or a clock that puts it far from any talk: nothing to go by.
        #expect(linker.link([Self.recording("rec/export.mp4", seconds: 48 * 60)])[0].status == .unmatched)
        #expect(linker.link([Self.recording("rec/sal-a/2021-10-06 21-00-00.mkv", seconds: 48 * 60)])[0].status == .unmatched)
    }

    @Test("a recording far from any talk, with nothing else, is unmatched")
    func nothing() {
        let result = linker.link([Self.recording("rec/2021-10-06 21-00-00.mkv", seconds: 1800)])[0]
        #expect(result.status == .unmatched)
    }

    @Test("the same input always gives the same answer, whatever the order of the programme")
    func deterministic() {
        let shuffled = Linker(sessions: Self.programme.reversed(), options: LinkOptions(timeZone: Self.zone))
        let recordings = [Self.recording("rec/sal-b/2021-10-06 13-59-00.mkv", seconds: 2800),
                          Self.recording("y.mp4", seconds: 2700, tags: ["title": "Upphandling av innovation"])]
        #expect(linker.link(recordings) == shuffled.link(recordings))
    }
}

@Suite("recording clock")
struct RecordingClockTests {
    static let zone = TimeZone(identifier: "Europe/Stockholm")!

    @Test("time stamps in file names, read as local time", arguments: [
        ("2021-10-04 13-00-12.mkv", "2021-10-04T13:00:12+02:00"),
        ("2021-10-04_1300_sal-a.mp4", "2021-10-04T13:00:00+02:00"),
        ("20211004T130000.mp4", "2021-10-04T13:00:00+02:00"),
        ("rec_20211004_130005.mp4", "2021-10-04T13:00:05+02:00"),
        ("2021-10-04T13:00:00Z.mp4", "2021-10-04T15:00:00+02:00"),
        ("Sal A 2021-10-04 13.00.mp4", "2021-10-04T13:00:00+02:00"),
        ("2021-12-04 13-00-12.mkv", "2021-12-04T13:00:12+01:00"),
    ])
    func fileNames(name: String, expected: String) throws {
        let start = try #require(RecordingClock.fromFileName("x/" + name, zone: Self.zone))
        #expect(ClockText.rfc3339(start.date, zone: Self.zone) == expected)
        #expect(start.source == .filename)
    }

    @Test("names that only look like stamps are not read as one", arguments: [
        "MVI_0042.MP4", "2021-13-04 13-00.mkv", "talk-12345678901234.mp4", "2021-10-04.mp4", "v20211004.mp4",
    ])
    func notStamps(name: String) {
        #expect(RecordingClock.fromFileName(name, zone: Self.zone) == nil)
    }

    @Test("creation_time tags in the forms muxers write")
    func tags() {
        #expect(RecordingClock.fromTags(["creation_time": "2021-10-06T07:28:00.000000Z"])?.date == ISO8601DateFormatter().date(from: "2021-10-06T07:28:00Z"))
        #expect(RecordingClock.fromTags(["creation_time": "2021-10-06T07:28:00Z"]) != nil)
        #expect(RecordingClock.fromTags(["creation_time": "not a date"]) == nil)
    }

    @Test("uuids are found in text, whole only")
    func uuids() {
        #expect(ProgrammeIndex.uuids(in: "session 7F3C2A10-0000-4000-8000-000000000101.") == ["7f3c2a10-0000-4000-8000-000000000101"])
        #expect(ProgrammeIndex.uuids(in: "a7f3c2a10-0000-4000-8000-000000000101").isEmpty)
    }
}
