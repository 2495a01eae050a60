import Foundation
import Testing

@testable import Schedule

/// The programme files in Media/: the same sessions in all three formats, and the ones the
/// issue asks for. These tests read `Media/` in the checkout (found from this file's path).
@Suite("the sample week's programme in Media/")
struct SampleProgrammeTests {
    struct Expected: Sendable, CustomStringConvertible {
        var id: Int
        var start: String
        var end: String
        var room: String
        var title: String
        var persons: [String]
        var track: String?
        var keywords: [String]
        var doNotRecord = false
        var description: String { "\(id) \(title)" }
    }

    static let bgi = "Göteborg – Sveriges innovationsmotor"
    static let expected: [Expected] = [
        Expected(id: 101, start: "2021-10-04T13:00:00+02:00", end: "2021-10-04T13:45:00+02:00", room: "Sal A",
                 title: "Digitala Görel – en robot som höjer innovationsnivån", persons: ["Julia Olander", "Gunilla Gudmunds"],
                 track: "Göteborgs Stad", keywords: ["automatisering", "robotik", "digitalisering"]),
        Expected(id: 102, start: "2021-10-05T10:00:00+02:00", end: "2021-10-05T10:45:00+02:00", room: "Sal A",
                 title: "Göteborgs Stads innovationsprogram 2018–2023", persons: ["Julia Olander"],
                 keywords: ["innovationsprogram", "innovationsförmåga"]),
        Expected(id: 103, start: "2021-10-05T13:00:00+02:00", end: "2021-10-05T13:45:00+02:00", room: "Sal A",
                 title: "Innovationsarbete är en lagsport – alla ska kunna vara innovativa",
                 persons: ["Gunilla Gudmunds", "Julia Olander"], keywords: ["innovationskultur", "samverkan"]),
        Expected(id: 104, start: "2021-10-06T09:30:00+02:00", end: "2021-10-06T10:15:00+02:00", room: "Sal B",
                 title: "Sommarjobbare löser hållbarhetsutmaningar med användardriven innovation", persons: ["Gunilla Gudmunds"],
                 keywords: ["hållbarhet", "användardriven innovation", "sommarjobb"]),
        Expected(id: 105, start: "2021-10-06T13:00:00+02:00", end: "2021-10-06T13:45:00+02:00", room: "Sal B",
                 title: "Öppna data – vad är det och vad kan du göra med den?", persons: ["Gunilla Gudmunds"],
                 keywords: ["öppna data", "digitalisering"]),
        Expected(id: 106, start: "2021-10-07T13:00:00+02:00", end: "2021-10-07T13:25:00+02:00", room: "BRG-studion",
                 title: "Göteborg – Sveriges innovationsmotor: Innovationsprogrammet Hoppet", persons: ["Business Region Göteborg"],
                 track: bgi, keywords: ["innovationsmotor", "hoppet"]),
        Expected(id: 107, start: "2021-10-07T13:30:00+02:00", end: "2021-10-07T13:55:00+02:00", room: "BRG-studion",
                 title: "Göteborg – Sveriges innovationsmotor: Gothenburg Green City Zone", persons: ["Business Region Göteborg"],
                 track: bgi, keywords: ["innovationsmotor", "green city zone", "hållbarhet"]),
        Expected(id: 108, start: "2021-10-07T14:00:00+02:00", end: "2021-10-07T14:25:00+02:00", room: "BRG-studion",
                 title: "Göteborg – Sveriges innovationsmotor: Testbädden Electricity", persons: ["Business Region Göteborg"],
                 track: bgi, keywords: ["innovationsmotor", "testbädd", "elektrifiering"]),
        Expected(id: 109, start: "2021-10-07T10:00:00+02:00", end: "2021-10-07T10:45:00+02:00", room: "Yesbox",
                 title: "Yesbox – entreprenörskap och innovation i Göteborg", persons: ["Yesbox"],
                 keywords: ["entreprenörskap"], doNotRecord: true),
        Expected(id: 110, start: "2021-10-08T13:00:00+02:00", end: "2021-10-08T13:45:00+02:00", room: "Johanneberg Science Park",
                 title: "Johanneberg Science Park – samverkan för hållbar stadsutveckling", persons: ["Johanneberg Science Park"],
                 keywords: ["hållbar stadsutveckling", "samverkan"]),
        Expected(id: 111, start: "2021-10-08T10:00:00+02:00", end: "2021-10-08T10:30:00+02:00", room: "Sal A",
                 title: "Innovationsveckan i Göteborg – vad tar vi med oss?", persons: ["Julia Olander", "Gunilla Gudmunds"],
                 keywords: ["innovationskultur"]),
    ]

    static func load(_ file: String) throws -> Programme {
        try ScheduleLoader.load(path: Fixture.media.appendingPathComponent(file).path)
    }

    @Test("schedule.json, schedule.ics and schedule.csv give the same sessions")
    func sameSessions() throws {
        let json = try Self.load("schedule.json")
        let ics = try Self.load("schedule.ics")
        let csv = try Self.load("schedule.csv")
        #expect(json.sessions.count == 11)
        #expect(ics.sessions == json.sessions)
        #expect(csv.sessions == json.sessions)
        for programme in [json, ics, csv] {
            #expect(programme.warnings.isEmpty)
            #expect(programme.conference.timeZone == "Europe/Stockholm")
        }
        #expect(json.conference == Conference(title: "Innovationsveckan 2021", acronym: "iv21", timeZone: "Europe/Stockholm"))
        #expect(ics.conference.title == "Innovationsveckan 2021")
    }

    @Test("each session is the one the issue describes", arguments: expected)
    func session(expected: Expected) throws {
        let programme = try Self.load("schedule.json")
        let guid = String(format: "7f3c2a10-0000-4000-8000-0000000001%02d", expected.id % 100)
        let session = try #require(programme.session(guid: guid))
        #expect(session.id == String(expected.id))
        #expect(session.slug?.hasPrefix("iv21-\(expected.id)-") == true)
        #expect(programme.conference.localTimestamp(session.start) == expected.start)
        #expect(programme.conference.localTimestamp(session.end) == expected.end)
        #expect(session.room == expected.room)
        #expect(session.title == expected.title)
        #expect(session.persons == expected.persons)
        #expect(session.track == expected.track)
        #expect(session.topics == (expected.track.map { [$0] } ?? []) + expected.keywords)
        #expect(session.language == "sv")
        #expect(session.abstract?.isEmpty == false)
        #expect(session.doNotRecord == expected.doNotRecord)
    }
}
