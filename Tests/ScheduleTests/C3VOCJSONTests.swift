import Foundation
import Testing

@testable import Schedule

@Suite("c3voc schedule.json")
struct C3VOCJSONTests {
    @Test("pretalx export: header, persons, and the event's offset trusted over time_zone_name")
    func pretalx() throws {
        let programme = try Fixture.load("pretalx-schedule.json")
        #expect(programme.conference == Conference(title: "WinterCon 2022", acronym: "wintercon22", timeZone: "UTC"))
        #expect(programme.sessions.count == 5)
        #expect(programme.warnings.isEmpty)

        let opening = try #require(programme.session(guid: "6e3a5f1c-93b0-5d2c-9a47-1c2f8d0b7e11"))
        // The file says UTC, the event says +01:00: the event wins.
        #expect(utc(opening.start) == "2022-12-02T09:00:00+00:00")
        #expect(utc(opening.end) == "2022-12-02T09:45:00+00:00")
        #expect(opening.id == "412")
        #expect(opening.slug == "wintercon22-412-eroffnung-und-rundgang")
        #expect(opening.subtitle == nil)
        #expect(opening.description == nil)
        #expect(opening.track == nil)
        #expect(opening.topics == [])
        #expect(opening.persons == ["Jana Köhler"])
        #expect(opening.type == "Talk")
        #expect(opening.language == "de")
        #expect(opening.url == "https://pretalx.example.org/wintercon22/talk/QXH7LM/")
        #expect(!opening.doNotRecord)

        let mesh = try #require(programme.session(titled: "Mesh-Netze für alle"))
        #expect(mesh.subtitle == "Vom Dach bis zum Keller")
        #expect(mesh.end.timeIntervalSince(mesh.start) == 90 * 60)
        #expect(mesh.persons == ["Ole Brandt", "Aylin Demir"])
        #expect(mesh.topics == ["Infrastruktur"])
        #expect(mesh.description == "Wir bauen gemeinsam einen Knoten auf.\n\nBitte **Laptop** mitbringen.")

        // Listed under the first day, held after midnight.
        let night = try #require(programme.session(titled: "Nachtvorlesung: Kryptographie bei Kerzenlicht"))
        #expect(night.start == instant("2022-12-03T00:30:00+01:00"))
        #expect(night.doNotRecord)
        #expect(programme.conference.localTimestamp(night.start) == "2022-12-02T23:30:00+00:00")
    }

    @Test("frab export: public_name persons, HH:MM:SS durations, an event past midnight without a date")
    func frab() throws {
        let programme = try Fixture.load("frab-schedule.json")
        #expect(programme.conference == Conference(title: "HackCamp 2023", acronym: "hackcamp23", timeZone: "Europe/Berlin"))
        #expect(programme.sessions.map(\.id) == ["1101", "1104", "1107", "1112", "1120"])

        let opening = try #require(programme.session(guid: "2b1f8a7c-6d5e-4f3a-9b2c-1d0e9f8a7b61"))
        #expect(opening.persons == ["kaddi", "Ünal"])
        #expect(opening.topics == ["Camp"])
        #expect(opening.type == "lecture")

        // 23:30 for 1:15 runs into the next day.
        let lightning = try #require(programme.session(titled: "Lightning Talks"))
        #expect(lightning.end == instant("2023-08-18T00:45:00+02:00"))
        #expect(lightning.persons.isEmpty)

        // No `date`: 01:15 under a day that starts at 10:00 is the next morning; 00:30:00 is HH:MM:SS.
        let walk = try #require(programme.session(titled: "Night walk to the lake"))
        #expect(walk.start == instant("2023-08-18T01:15:00+02:00"))
        #expect(walk.end == instant("2023-08-18T01:45:00+02:00"))
        #expect(walk.doNotRecord)
        #expect(walk.abstract == nil)

        let solder = try #require(programme.session(titled: "Learn to solder"))
        #expect(solder.track == "Hardware & Making")
        #expect(solder.description == "Kits are provided.\nMax. 20 people.")
    }

    @Test("schedule 2: flat events, rooms and tracks by reference, participants, localized abstracts")
    func scheduleTwo() throws {
        let programme = try Fixture.load("schedule2.json")
        #expect(programme.conference.title == "Winterkongress 2024")
        #expect(programme.sessions.map(\.title) == ["Fuzzing the Fridge", "Lockpicking for beginners", "Light show"])

        let fridge = programme.sessions[0]
        #expect(fridge.room == "Saal Eins")
        #expect(fridge.track == "Security")
        #expect(fridge.abstract == "What happens when your fridge parses XML.")
        #expect(fridge.persons == ["Noor Haddad", "Lisa Ek"])
        #expect(fridge.end == instant("2024-12-27T11:40:00+01:00"))

        // Room by guid only; track by slug only.
        let light = programme.sessions[2]
        #expect(light.room == "Bühne Zwei")
        #expect(light.track == "Art & Beauty")
        #expect(light.start == instant("2024-12-28T00:15:00+01:00"))
        #expect(light.persons == ["Kollektiv Glühwurm"])

        // The deprecated `duration` when there is no `end`.
        let lockpicking = programme.sessions[1]
        #expect(lockpicking.end == instant("2024-12-27T16:00:00+01:00"))
        #expect(lockpicking.track == nil)
        #expect(lockpicking.abstract == nil)
    }

    @Test("--time-zone changes the zone shown, never an instant that has an offset")
    func zoneOverride() throws {
        let plain = try Fixture.load("pretalx-schedule.json")
        let shifted = try Fixture.load("pretalx-schedule.json", zone: "America/New_York")
        #expect(shifted.conference.timeZone == "America/New_York")
        #expect(shifted.sessions.map(\.start) == plain.sessions.map(\.start))
        #expect(shifted.conference.localTimestamp(shifted.sessions[0].start) == "2022-12-02T04:00:00-05:00")
    }

    @Test(
        "person shapes",
        arguments: [
            (#"[{"id": 1, "public_name": "Frab Person"}]"#, ["Frab Person"]),
            (#"[{"code": "ABC", "name": "Pretalx Person", "biography": "x"}]"#, ["Pretalx Person"]),
            (#"[{"code": "ABC", "public_name": "Old Pretalx", "biography": null}]"#, ["Old Pretalx"]),
            (#"["Plain", "Strings"]"#, ["Plain", "Strings"]),
            (#"[{"name": " Padded "}, {"name": "Padded"}, {"name": ""}]"#, ["Padded"]),
            (#""Ada, Grace""#, ["Ada", "Grace"]),
        ])
    func persons(json: String, names: [String]) throws {
        let document = """
            {"schedule": {"conference": {"title": "T", "time_zone_name": "Europe/Stockholm", "days": [
              {"index": 1, "date": "2021-10-04", "rooms": {"Sal A": [
                {"guid": "g", "title": "Talk", "date": "2021-10-04T13:00:00+02:00", "duration": "00:45", "persons": \(json)}
              ]}}]}}}
            """
        let programme = try parse(document, name: "persons.json")
        #expect(programme.sessions.first?.persons == names)
    }

    @Test(
        "durations",
        arguments: [
            (#""00:45""#, 45 * 60), (#""0:45""#, 45 * 60), (#""00:45:00""#, 45 * 60), (#""01:30:30""#, 5430),
            (#""25:00""#, 25 * 3600), ("45", 45 * 60), (#""PT1H15M""#, 75 * 60), (#""00:00""#, 0),
        ])
    func durations(json: String, seconds: Int) throws {
        let document = """
            {"schedule": {"conference": {"days": [{"date": "2021-10-04", "rooms": {"Sal A": [
              {"guid": "g", "title": "Talk", "start": "13:00", "duration": \(json)}
            ]}}]}}}
            """
        let session = try #require(try parse(document, name: "durations.json").sessions.first)
        #expect(session.end.timeIntervalSince(session.start) == Double(seconds))
        // No zone in the file: wall-clock times are read in Europe/Stockholm.
        #expect(session.start == instant("2021-10-04T13:00:00+02:00"))
    }

    @Test("a day's start decides which calendar day an early-morning time belongs to")
    func pastMidnight() throws {
        let document = """
            {"schedule": {"conference": {"time_zone_name": "Europe/Berlin", "days": [
              {"index": 1, "date": "2023-08-17", "day_start": "2023-08-17T09:00:00+02:00", "rooms": {"Tent": [
                {"guid": "late", "title": "Late", "start": "02:00", "duration": "00:30"},
                {"guid": "early", "title": "Early", "start": "09:00", "duration": "00:30"}
              ]}}]}}}
            """
        let programme = try parse(document, name: "midnight.json")
        #expect(programme.session(guid: "early")?.start == instant("2023-08-17T09:00:00+02:00"))
        #expect(programme.session(guid: "late")?.start == instant("2023-08-18T02:00:00+02:00"))
    }

    @Test("do_not_record as booleans, strings and numbers")
    func doNotRecord() throws {
        for (value, expected) in [("true", true), ("false", false), (#""yes""#, true), ("1", true), ("0", false), ("null", false)] {
            let document = """
                {"schedule": {"conference": {"days": [{"date": "2021-10-04", "rooms": {"A": [
                  {"guid": "g", "title": "T", "start": "13:00", "duration": "00:10", "do_not_record": \(value)}]}}]}}}
                """
            #expect(try parse(document, name: "flag.json").sessions.first?.doNotRecord == expected, "do_not_record: \(value)")
        }
    }
}
