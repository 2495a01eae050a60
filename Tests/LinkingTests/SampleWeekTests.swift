import Foundation
import Testing
import Linking
import MediaProbe
import Schedule

/// The sample week in Media/: every sample recording gets the link it should.
@Suite("linking the sample week")
struct SampleWeekTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func guid(_ id: Int) -> String { "7f3c2a10-0000-4000-8000-000000000\(id)" }

    /// Probes Media/ and links it to Media/schedule.json, once for the whole suite.
    static let results: [RecordingLinks] = {
        let media = root.appendingPathComponent("Media").path
        let programme = try! ScheduleLoader.load(path: root.appendingPathComponent("Media/schedule.json").path)
        let files = MediaFiles.expand([media]).files
        let recordings = Prober().probe(files).map { Recording(path: $0.path, probe: $0) }
        let linker = Linker(sessions: programme.sessions, options: LinkOptions(timeZone: TimeZone(identifier: programme.conference.timeZone)!))
        return linker.link(recordings)
    }()

    static func result(_ name: String) throws -> RecordingLinks {
        try #require(results.first { $0.path.hasSuffix("Media/" + name) }, "no result for \(name)")
    }

    struct Expected: Sendable, CustomStringConvertible {
        var file: String
        var links: [(id: Int, in: Double, out: Double)]
        var description: String { file }
    }

    static let expected: [Expected] = [
        Expected(file: "inspelning-01.mp4", links: [(101, 0, 2850)]),
        Expected(file: "innovationsprogram-del1.mp4", links: [(102, 60, 720)]),
        Expected(file: "innovationsprogram-del2.mp4", links: [(102, 0, 1890)]),
        Expected(file: "sal-a/2021-10-05 12-58-40.mkv", links: [(103, 80, 2780)]),
        Expected(file: "sommarjobbare.mp4", links: [(104, 120, 2820)]),
        Expected(file: "oppna-data.webm", links: [(105, 0, 2700)]),
        Expected(file: "brg-studion/brg-eftermiddag.mkv", links: [(106, 310, 2120), (107, 2130, 3880), (108, 3895, 5520)]),
        Expected(file: "yesbox/2021-10-07 09-58-00.mp4", links: [(109, 120, 2820)]),
        Expected(file: "jsp-kamera.mp4", links: [(110, 180, 2880)]),
    ]

    @Test("each sample recording is linked to its session, in and out within 1 s", arguments: expected)
    func linked(expected: Expected) throws {
        let result = try Self.result(expected.file)
        #expect(result.status == .linked, "\(expected.file): \(result.status) \(result.candidates.map { ($0.title, $0.score) })")
        #expect(result.links.map(\.guid) == expected.links.map { Self.guid($0.id) })
        for (link, want) in zip(result.links, expected.links) {
            #expect(abs(link.inSeconds - want.in) <= 1, "\(expected.file) in \(link.inSeconds), expected \(want.in)")
            #expect(abs(link.outSeconds - want.out) <= 1, "\(expected.file) out \(link.outSeconds), expected \(want.out)")
            #expect(link.score >= 0.7 && link.score <= 1)
            #expect(!link.reasons.isEmpty)
        }
    }

    @Test("the file with no useful metadata is unmatched")
    func unmatched() throws {
        let result = try Self.result("MVI_0042.MP4")
        #expect(result.status == .unmatched)
        #expect(result.links.isEmpty)
        #expect(result.recordingStart == nil || result.recordingStartSource == .mtime)
    }

    @Test("the guid in the comment tag is the reason given")
    func guidReason() throws {
        let link = try #require(try Self.result("inspelning-01.mp4").links.first)
        #expect(link.reasons.contains("session guid in comment tag"))
        #expect(link.score >= 0.99)
    }

    @Test("the OBS file name gives the start, the folder the room")
    func obsName() throws {
        let result = try Self.result("sal-a/2021-10-05 12-58-40.mkv")
        #expect(result.recordingStartSource == .filename)
        #expect(result.recordingStart.map { ClockText.rfc3339($0, zone: TimeZone(identifier: "Europe/Stockholm")!) } == "2021-10-05T12:58:40+02:00")
        let reasons = result.links.first?.reasons ?? []
        #expect(reasons.contains { $0.hasPrefix("room Sal A (folder sal-a)") })
        #expect(reasons.contains { $0.contains("covers 100% of the slot 13:00–13:45") })
    }

    @Test("a camera clock writing local time as UTC is recognised and said")
    func cameraClock() throws {
        let result = try Self.result("jsp-kamera.mp4")
        let link = try #require(result.links.first)
        #expect(link.flags.contains(.clockLocalAsUTC))
        #expect(link.reasons.contains { $0.contains("local time written as UTC") })
        #expect(result.recordingStart.map { ClockText.rfc3339($0, zone: TimeZone(identifier: "Europe/Stockholm")!) } == "2021-10-08T12:57:00+02:00")
    }

    @Test("a talk recorded in two parts is linked as parts, in order")
    func parts() throws {
        let first = try #require(try Self.result("innovationsprogram-del1.mp4").links.first)
        let second = try #require(try Self.result("innovationsprogram-del2.mp4").links.first)
        #expect(first.part == 1 && first.parts == 2)
        #expect(second.part == 2 && second.parts == 2)
    }

    @Test("the opted-out session is linked for staff and flagged")
    func optOut() throws {
        let link = try #require(try Self.result("yesbox/2021-10-07 09-58-00.mp4").links.first)
        #expect(link.flags.contains(.doNotRecord))
        #expect(link.reasons.contains { $0.contains("opted out") })
    }

    @Test("the afternoon stream's in and out points come from its chapters")
    func chaptersRefine() throws {
        let links = try Self.result("brg-studion/brg-eftermiddag.mkv").links
        #expect(links.count == 3)
        #expect(links.allSatisfy { link in link.reasons.contains { $0.hasPrefix("in and out from chapter") } })
    }
}
