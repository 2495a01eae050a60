import Foundation
import Testing

@testable import Schedule

@Suite("schedule.xml: frab, pretalx, pentabarf, wafer")
struct ScheduleXMLTests {
    @Test("frab's XML and frab's JSON of the same programme give the same sessions")
    func frabMatchesJSON() throws {
        let xml = try Fixture.load("frab-schedule.xml")
        let json = try Fixture.load("frab-schedule.json")
        #expect(xml.conference == json.conference)
        #expect(xml.sessions.count == 4)
        for session in xml.sessions {
            #expect(json.session(guid: session.guid) == session, "\(session.title)")
        }
        // <recording><optout>true</optout></recording>
        #expect(xml.session(titled: "Night walk to the lake")?.doNotRecord == true)
        #expect(xml.sessions.filter(\.doNotRecord).count == 1)
    }

    @Test("pretalx's XML: conference tracks are not event tracks, CDATA is text, optout is read")
    func pretalx() throws {
        let xml = try Fixture.load("pretalx-schedule.xml")
        let json = try Fixture.load("pretalx-schedule.json")
        #expect(xml.conference == Conference(title: "WinterCon 2022", acronym: "wintercon22", timeZone: "Europe/Berlin"))
        #expect(xml.sessions.count == 3)
        for guid in ["6e3a5f1c-93b0-5d2c-9a47-1c2f8d0b7e11", "3f5a7c9e-2b4d-5f6a-8b0c-4d6e8f0a2b44"] {
            #expect(xml.session(guid: guid) == json.session(guid: guid))
        }
        let night = try #require(xml.session(guid: "8c4f2e6a-1b3d-5e7f-9a0b-2c4d6e8f0a33"))
        #expect(night.abstract == "A late talk for the <em>night owls</em>.")
        #expect(night.doNotRecord)
        #expect(night.start == instant("2022-12-03T00:30:00+01:00"))
        #expect(night.persons == ["Sam Ito"])
        #expect(xml.session(titled: "Eröffnung und Rundgang")?.track == nil)
    }

    @Test("FOSDEM's pentabarf XML: wall-clock starts under the day's date, derived guids")
    func fosdem() throws {
        let programme = try Fixture.load("fosdem-pentabarf.xml", zone: "Europe/Brussels")
        #expect(programme.conference == Conference(title: "FOSDEM 2020", acronym: nil, timeZone: "Europe/Brussels"))
        #expect(programme.sessions.map(\.id) == ["9025", "9307", "10261", "9060"])
        let welcome = programme.sessions[0]
        #expect(welcome.start == instant("2020-02-01T09:30:00+01:00"))
        #expect(welcome.end == instant("2020-02-01T09:55:00+01:00"))
        // Pentabarf has no guid: a name-based UUID of title, start and room (checked against
        // Python's uuid.uuid5(uuid.NAMESPACE_URL, …)).
        #expect(welcome.guid == "6c69722b-d7d0-5cb8-8dca-fbd733758481")
        #expect(welcome.language == nil)
        #expect(welcome.abstract == "<p>FOSDEM welcome and opening talk.</p>")
        #expect(programme.sessions[1].description == "<p>Longer text with &amp; and &lt;tags&gt;.</p>")
        #expect(programme.sessions[2].persons == ["Pieter Claes", "Élodie Marchand"])
        #expect(programme.sessions[2].room == "H.2215 (Ferrer)")
        #expect(programme.sessions[3].start == instant("2020-02-02T17:45:00+01:00"))
    }

    @Test("wall-clock times follow --time-zone, else the file's zone, else Europe/Stockholm")
    func wallClockZones() throws {
        let stockholm = try Fixture.load("fosdem-pentabarf.xml")
        #expect(stockholm.conference.timeZone == "Europe/Stockholm")
        let newYork = try Fixture.load("fosdem-pentabarf.xml", zone: "America/New_York")
        #expect(newYork.sessions[0].start == instant("2020-02-01T09:30:00-05:00"))
        // Re-importing keeps the derived guids; a different zone moves the start, and so the guid.
        #expect(try Fixture.load("fosdem-pentabarf.xml").sessions.map(\.guid) == stockholm.sessions.map(\.guid))
        #expect(newYork.sessions[0].guid != stockholm.sessions[0].guid)

        let named = """
            <schedule><conference><title>T</title><time_zone_name>Asia/Tokyo</time_zone_name></conference>
            <day index="1" date="2024-05-01"><room name="R"><event id="1">
            <start>10:00</start><duration>00:30</duration><title>Talk</title></event></room></day></schedule>
            """
        let tokyo = try parse(named, name: "tokyo.xml")
        #expect(tokyo.sessions[0].start == instant("2024-05-01T10:00:00+09:00"))
        #expect(tokyo.sessions[0].room == "R")
    }

    @Test("pentabarf's day_change: a time before it belongs to the next calendar day")
    func dayChange() throws {
        let text = """
            <?xml version="1.0"?>
            <schedule><conference><title>Night</title><day_change>04:00:00</day_change></conference>
            <day index="1" date="2024-05-01"><room name="Club">
            <event id="1"><start>23:00</start><duration>01:00</duration><title>Late set</title></event>
            <event id="2"><start>01:30</start><duration>01:00</duration><title>Later set</title></event>
            </room></day></schedule>
            """
        let programme = try parse(text, name: "night.xml", zone: "Europe/Stockholm")
        #expect(programme.sessions.map(\.title) == ["Late set", "Later set"])
        #expect(programme.sessions[1].start == instant("2024-05-02T01:30:00+02:00"))
    }

    @Test("DebConf's wafer XML: offsets from <date>, items without persons or type, optout")
    func debconf() throws {
        let programme = try Fixture.load("debconf-wafer.xml")
        #expect(programme.conference == Conference(title: "DebConf 23", acronym: "DebConf23", timeZone: "Asia/Kolkata"))
        #expect(programme.sessions.count == 4)
        let lunch = try #require(programme.session(titled: "Lunch"))
        #expect(lunch.persons.isEmpty)
        #expect(lunch.type == nil)
        #expect(lunch.track == "No Track")
        #expect(lunch.end.timeIntervalSince(lunch.start) == 90 * 60)
        let bof = try #require(programme.session(guid: "4a6f3d52-8f0e-4b6f-9b58-5c2f1a7d9e03"))
        #expect(bof.title == "Debian in Kerala: സ്വതന്ത്ര സോഫ്റ്റ്‌വെയർ")
        #expect(bof.doNotRecord)
        #expect(bof.persons == ["Meera Nair", "Arjun Menon"])
        #expect(programme.conference.localTimestamp(bof.start) == "2023-09-10T14:00:00+05:30")
        #expect(programme.session(titled: "Lintian tips & tricks")?.url == "https://debconf23.example.org/talks/10-lintian-tips/")
    }

    @Test(
        "a DTD or entity declaration is refused before parsing, never expanded",
        arguments: [
            """
            <?xml version="1.0"?>
            <!DOCTYPE schedule [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>
            <schedule><conference><title>&lol2;</title></conference></schedule>
            """,
            """
            <?xml version="1.0"?>
            <!DOCTYPE schedule SYSTEM "http://example.org/schedule.dtd">
            <schedule/>
            """,
            """
            <?xml version="1.0"?>
            <!doctype schedule [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
            <schedule><conference><title>&secret;</title></conference></schedule>
            """,
        ])
    func dtdRefused(text: String) throws {
        let error = try #require(parseError(text, name: "evil.xml"))
        #expect(error.message.contains("DTD"))
        #expect(error.line == 2)
        #expect(error.description.hasPrefix("evil.xml:2:"))
    }

    @Test("the word DOCTYPE inside a comment or CDATA is not a declaration")
    func doctypeInComment() throws {
        let text = """
            <?xml version="1.0"?>
            <!-- exported without <!DOCTYPE> on purpose -->
            <schedule><conference><title>T</title></conference>
            <day date="2024-05-01"><room name="R"><event id="1"><date>2024-05-01T10:00:00+02:00</date>
            <duration>00:30</duration><title>Talk</title><abstract><![CDATA[HTML: <!DOCTYPE html>]]></abstract></event></room></day>
            </schedule>
            """
        let programme = try parse(text, name: "comment.xml")
        #expect(programme.sessions.first?.abstract == "HTML: <!DOCTYPE html>")
    }

    @Test("malformed XML names the line")
    func malformed() throws {
        let text = "<schedule>\n<conference><title>T</title></conference>\n<day date=\"2024-05-01\"><room name=\"R\">\n<event id=\"1\"><title>Unclosed</event>\n</room></day></schedule>\n"
        let error = try #require(parseError(text, name: "broken.xml"))
        #expect(error.message.hasPrefix("malformed XML"))
        #expect(error.line == 4)
    }

    @Test("an XML file that is not a schedule says so")
    func notSchedule() throws {
        let error = try #require(parseError("<rss version=\"2.0\"><channel/></rss>", name: "feed.xml"))
        #expect(error.message.contains("<rss>"))
    }
}
