import Foundation
import Testing

@testable import Schedule

@Suite("iCalendar")
struct ICalendarTests {
    @Test("an Outlook export: Windows TZID with VTIMEZONE rules, folds inside UTF-8 characters, escapes")
    func outlook() throws {
        let programme = try Fixture.load("outlook-calendar.ics")
        #expect(programme.conference == Conference(title: "Öppen källkod-dagen 2022", acronym: nil, timeZone: "Europe/Stockholm"))
        #expect(programme.sessions.count == 5)

        let welcome = programme.sessions[0]
        // The fixture folds this title and the description in the middle of "å" and "ö".
        #expect(welcome.title == "Välkommen hit till Öppen källkod-dagen – så börjar du med öppna licenser")
        #expect(welcome.abstract == """
            Första raden av beskrivningen
            Andra raden med komma, semikolon; och ett omvänt snedstreck \\ – därefter ett ord på svenska: öppenhet, ärlighet och återbruk.
            """)
        #expect(welcome.guid.hasPrefix("040000008200E00074C5B7101A82E008"))
        #expect(welcome.language == "sv-SE")
        #expect(welcome.room == "Stora salen")
        #expect(welcome.persons == ["Åsa Lindström"])
        #expect(welcome.topics == ["Öppen källkod", "Nybörjare"])
        // "W. Europe Standard Time" in October, before the change: +02:00.
        #expect(welcome.start == instant("2022-10-20T09:00:00+02:00"))
        #expect(welcome.end == instant("2022-10-20T09:45:00+02:00"))

        // The same zone after the last Sunday of October: +01:00; DURATION instead of DTEND.
        let cases = try #require(programme.session(titled: "Licenser i praktiken – fallstudier från kommunerna"))
        #expect(cases.start == instant("2022-10-31T10:00:00+01:00"))
        #expect(cases.end == instant("2022-10-31T11:30:00+01:00"))
        #expect(cases.persons == ["Holm, Per"])

        // UTC, two CATEGORIES lines, URL.
        let rust = try #require(programme.session(guid: "rust-lunch-2022@example.se"))
        #expect(utc(rust.start) == "2022-10-20T10:00:00+00:00")
        #expect(rust.topics == ["Rust", "Programmering"])
        #expect(rust.url == "https://example.se/oppen-kallkod-dagen/rust")
        #expect(rust.title == "Lunchföredrag: \"Rust i produktion\"")

        // Floating time, read in Europe/Stockholm; an old Mozilla TZID path.
        #expect(programme.session(guid: "floating-fika@example.se")?.start == instant("2022-10-20T15:00:00+02:00"))
        #expect(programme.session(guid: "mozilla-path@example.se")?.start == instant("2022-10-21T16:00:00+02:00"))

        // The all-day entry is skipped, with a warning that names it.
        #expect(programme.session(guid: "allday-1@example.se") == nil)
        #expect(programme.warnings.count == 1)
        #expect(programme.warnings.first?.event?.contains("Konferensdag 1") == true)
    }

    @Test("floating times follow --time-zone; times with a TZID or Z do not")
    func floatingZone() throws {
        let programme = try Fixture.load("outlook-calendar.ics", zone: "America/New_York")
        #expect(programme.session(guid: "floating-fika@example.se")?.start == instant("2022-10-20T15:00:00-04:00"))
        #expect(programme.session(guid: "rust-lunch-2022@example.se")?.start == instant("2022-10-20T10:00:00Z"))
        #expect(programme.sessions[0].start == instant("2022-10-20T09:00:00+02:00"))
    }

    @Test("lines are unfolded as bytes: a fold inside 2-, 3- and 4-byte characters")
    func foldingBytes() throws {
        let title = "Göteborg – världens 🚲-stad"
        let bytes = Array("SUMMARY:\(title)".utf8)
        // Fold after every byte: every character with more than one byte is split.
        var folded: [UInt8] = []
        for (index, byte) in bytes.enumerated() {
            if index > 8 { folded += [0x0D, 0x0A, 0x20] }
            folded.append(byte)
        }
        var document = Array("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:u1\r\nDTSTART:20211004T110000Z\r\n".utf8)
        document += folded
        document += Array("\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n".utf8)
        let programme = try ScheduleLoader.parse(Data(document), fileName: "folded.ics")
        #expect(programme.sessions.first?.title == title)
    }

    @Test(
        "text escapes",
        arguments: [
            (#"a\,b\;c"#, "a,b;c"), (#"line\nbreak\Nagain"#, "line\nbreak\nagain"), (#"back\\slash"#, #"back\slash"#),
            (#"odd\:colon"#, "odd:colon"), (#"trailing\"#, #"trailing\"#),
        ])
    func escapes(raw: String, text: String) {
        #expect(ICalendarImporter.unescape(raw) == text)
    }

    @Test("a VTIMEZONE with US rules (second Sunday of March, first of November) under a made-up name")
    func customRules() throws {
        let text = """
            BEGIN:VCALENDAR
            BEGIN:VTIMEZONE
            TZID:Office Time
            BEGIN:STANDARD
            DTSTART:20071104T020000
            TZOFFSETFROM:-0400
            TZOFFSETTO:-0500
            RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU
            END:STANDARD
            BEGIN:DAYLIGHT
            DTSTART:20070311T020000
            TZOFFSETFROM:-0500
            TZOFFSETTO:-0400
            RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU
            END:DAYLIGHT
            END:VTIMEZONE
            BEGIN:VEVENT
            UID:before
            SUMMARY:Before the change
            DTSTART;TZID=Office Time:20240309T120000
            DURATION:PT1H
            END:VEVENT
            BEGIN:VEVENT
            UID:after
            SUMMARY:After the change
            DTSTART;TZID="Office Time":20240311T120000
            DURATION:PT1H
            END:VEVENT
            BEGIN:VEVENT
            UID:november
            SUMMARY:November
            DTSTART;TZID=Office Time:20241104T120000
            DURATION:P1D
            END:VEVENT
            END:VCALENDAR
            """
        let programme = try parse(text, name: "office.ics")
        #expect(programme.session(guid: "before")?.start == instant("2024-03-09T12:00:00-05:00"))
        #expect(programme.session(guid: "after")?.start == instant("2024-03-11T12:00:00-04:00"))
        #expect(programme.session(guid: "november")?.start == instant("2024-11-04T12:00:00-05:00"))
        #expect(programme.session(guid: "november")?.end == instant("2024-11-05T12:00:00-05:00"))
    }

    @Test("an unknown TZID without a VTIMEZONE is read in the floating zone, with a warning")
    func unknownZone() throws {
        let text = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:x\nSUMMARY:S\nDTSTART;TZID=Mars/Olympus:20211004T130000\nEND:VEVENT\nEND:VCALENDAR\n"
        let programme = try parse(text, name: "mars.ics")
        #expect(programme.sessions.first?.start == instant("2021-10-04T13:00:00+02:00"))
        #expect(programme.warnings.contains { $0.message.contains("Mars/Olympus") && $0.line == 5 })
    }

    @Test("cancelled and repeating events")
    func cancelledAndRepeating() throws {
        let text = """
            BEGIN:VCALENDAR
            BEGIN:VEVENT
            UID:gone
            SUMMARY:Cancelled talk
            STATUS:CANCELLED
            DTSTART:20211004T110000Z
            END:VEVENT
            BEGIN:VEVENT
            UID:daily
            SUMMARY:Morning stand-up
            DTSTART:20211004T070000Z
            DURATION:PT15M
            RRULE:FREQ=DAILY;COUNT=5
            END:VEVENT
            END:VCALENDAR
            """
        let programme = try parse(text, name: "mixed.ics")
        #expect(programme.sessions.map(\.guid) == ["daily"])
        #expect(programme.warnings.count == 2)
    }
}
