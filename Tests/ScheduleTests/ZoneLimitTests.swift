import Foundation
import Testing

@testable import Schedule

/// VTIMEZONEs that are large or hold numbers out of range, and durations that add up past what
/// an Int holds (issue 16, finding 4).
@Suite("time-zone and number bounds")
struct ZoneLimitTests {
    /// A calendar with one VTIMEZONE named `Konferenstid` holding `zone` lines, and `events`
    /// events in it, one a day from 2021-01-01.
    static func calendar(zone: String, events: Int = 1) -> String {
        var text = "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VTIMEZONE\nTZID:Konferenstid\n" + zone + "END:VTIMEZONE\n"
        for index in 0..<events {
            let day = CivilDateTime(epochSeconds: (daysFromCivil(year: 2021, month: 1, day: 1) + index) * 86_400)
            let date = pad(day.year, 4) + pad(day.month, 2) + pad(day.day, 2)
            text += "BEGIN:VEVENT\nUID:e\(index)\nSUMMARY:Talk \(index)\nDTSTART;TZID=Konferenstid:\(date)T120000\n"
                + "DURATION:PT30M\nEND:VEVENT\n"
        }
        return text + "END:VCALENDAR\n"
    }

    /// A zone at +01:00 that goes to +02:00 on each of `dates` (RDATEs) from 2021-01-01.
    static func rdateZone(_ count: Int) -> String {
        let dates = (0..<count).map { index -> String in
            let day = CivilDateTime(epochSeconds: (daysFromCivil(year: 2021, month: 1, day: 1) + index * 2) * 86_400)
            return pad(day.year, 4) + pad(day.month, 2) + pad(day.day, 2) + "T000000"
        }
        return """
            BEGIN:STANDARD
            DTSTART:19700101T000000
            TZOFFSETFROM:+0100
            TZOFFSETTO:+0100
            END:STANDARD
            BEGIN:DAYLIGHT
            DTSTART:20210101T000000
            TZOFFSETFROM:+0100
            TZOFFSETTO:+0200
            RDATE:\(dates.joined(separator: ","))
            END:DAYLIGHT

            """
    }

    @Test("a zone past the transition limit is refused, naming the TZID and the line")
    func tooManyTransitions() throws {
        let error = try #require(parseError(Self.calendar(zone: Self.rdateZone(ScheduleLimits.maxZoneTransitions)), name: "big.ics"))
        #expect(error.message.contains("VTIMEZONE \"Konferenstid\" holds more than 10000"), "\(error)")
        #expect(error.message.contains("ScheduleLimits.maxZoneTransitions"))
        #expect(error.line == 14)
    }

    /// The issue's file had 200,000 RDATEs and 5,000 events and took 256 s, each event walking
    /// every RDATE; at the limit, lookups are a binary search.
    @Test("a zone at the limit with many events imports quickly, with the right offsets")
    func manyTransitionsQuickly() throws {
        let text = Self.calendar(zone: Self.rdateZone(ScheduleLimits.maxZoneTransitions - 2), events: 2000)
        let clock = ContinuousClock()
        let start = clock.now
        let programme = try parse(text, name: "many.ics")
        #expect(clock.now - start < .seconds(5))
        #expect(programme.sessions.count == 2000)
        // Event 0 is on the first RDATE (+02:00), event 1 the day after, still +02:00 (no
        // STANDARD onset since 1970 after it), so every event is at +02:00.
        #expect(programme.session(guid: "e0")?.start == instant("2021-01-01T12:00:00+02:00"))
        #expect(programme.session(guid: "e1")?.start == instant("2021-01-02T12:00:00+02:00"))
    }

    @Test("transitions by RDATE and by rule, found by lookup, give the offset in force")
    func lookupMatchesRules() throws {
        let zone = """
            BEGIN:STANDARD
            DTSTART:16010101T030000
            TZOFFSETFROM:+0200
            TZOFFSETTO:+0100
            RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10
            END:STANDARD
            BEGIN:DAYLIGHT
            DTSTART:16010101T020000
            TZOFFSETFROM:+0100
            TZOFFSETTO:+0200
            RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3
            END:DAYLIGHT
            BEGIN:STANDARD
            DTSTART:20210601T000000
            TZOFFSETFROM:+0200
            TZOFFSETTO:+0300
            RDATE:20210701T000000
            END:STANDARD

            """
        var text = Self.calendar(zone: zone, events: 0)
        let events = [("a", "20210301T120000"), ("b", "20210401T120000"), ("c", "20210615T120000"), ("d", "20210702T120000"),
                      ("e", "20211101T120000")]
        let body = events.map { "BEGIN:VEVENT\nUID:\($0.0)\nSUMMARY:T\nDTSTART;TZID=Konferenstid:\($0.1)\nEND:VEVENT\n" }.joined()
        text = text.replacingOccurrences(of: "END:VCALENDAR\n", with: body + "END:VCALENDAR\n")
        let programme = try parse(text, name: "rules.ics")
        #expect(programme.session(guid: "a")?.start == instant("2021-03-01T12:00:00+01:00"))
        #expect(programme.session(guid: "b")?.start == instant("2021-04-01T12:00:00+02:00"))
        #expect(programme.session(guid: "c")?.start == instant("2021-06-15T12:00:00+03:00"))
        #expect(programme.session(guid: "d")?.start == instant("2021-07-02T12:00:00+03:00"))
        #expect(programme.session(guid: "e")?.start == instant("2021-11-01T12:00:00+01:00"))
    }

    /// Each of these trapped (`abs(Int.min)`) or was taken as given; now each is an error that
    /// names its line.
    @Test("numbers out of range in a VTIMEZONE are refused with the line", arguments: [
        ("RRULE:FREQ=YEARLY;BYDAY=-9223372036854775808SU;BYMONTH=3", "BYDAY"),
        ("RRULE:FREQ=YEARLY;BYDAY=99999999999999999999SU;BYMONTH=3", "BYDAY"),
        ("RRULE:FREQ=YEARLY;BYDAY=54SU", "BYDAY"),
        ("RRULE:FREQ=YEARLY;BYMONTH=13", "BYMONTH"),
        ("RRULE:FREQ=YEARLY;BYMONTH=-9223372036854775808", "BYMONTH"),
        ("RRULE:FREQ=YEARLY;BYMONTHDAY=32", "BYMONTHDAY"),
        ("RRULE:FREQ=YEARLY;INTERVAL=0", "INTERVAL"),
        ("RRULE:FREQ=YEARLY;INTERVAL=9223372036854775807", "INTERVAL"),
        ("RRULE:FREQ=YEARLY;COUNT=-1", "COUNT"),
        ("RRULE:FREQ=YEARLY;COUNT=99999999999", "COUNT"),
        ("TZOFFSETTO:+2500", "18 hours"),
        ("TZOFFSETFROM:-9959", "18 hours"),
    ])
    func outOfRange(line: String, detail: String) throws {
        let zone = "BEGIN:STANDARD\nDTSTART:19700101T030000\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0100\n\(line)\nEND:STANDARD\n"
        let error = try #require(parseError(Self.calendar(zone: zone), name: "odd.ics"))
        #expect(error.message.contains(detail), "\(error)")
        #expect(error.line == 9, "\(error)")
    }

    @Test("BYDAY ordinals a month cannot have are accepted and match nothing")
    func sixthSunday() throws {
        let zone = "BEGIN:STANDARD\nDTSTART:19700101T030000\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0100\nRRULE:FREQ=YEARLY;BYDAY=6SU\nEND:STANDARD\n"
        #expect(try parse(Self.calendar(zone: zone), name: "six.ics").sessions.count == 1)
    }

    /// Written out whole, so that the fuzz run (scripts/reliability/fuzz.py) takes it as a seed:
    /// it seeds from the calendars written as literals in these tests.
    @Test("a calendar with a trapping BYDAY, an absurd offset and an overflowing duration is refused, not a crash")
    func hostileCalendarSeed() throws {
        let text = """
            BEGIN:VCALENDAR
            VERSION:2.0
            BEGIN:VTIMEZONE
            TZID:Konferenstid
            BEGIN:DAYLIGHT
            DTSTART:19700329T020000
            TZOFFSETFROM:+0100
            TZOFFSETTO:+0200
            RRULE:FREQ=YEARLY;BYDAY=-9223372036854775808SU;BYMONTH=3;INTERVAL=9223372036854775807
            RDATE:19800101T000000,19810101T000000
            END:DAYLIGHT
            BEGIN:STANDARD
            DTSTART:19701025T030000
            TZOFFSETFROM:+2500
            TZOFFSETTO:+0100
            END:STANDARD
            END:VTIMEZONE
            BEGIN:VEVENT
            UID:x
            SUMMARY:T
            DTSTART;TZID=Konferenstid:00010101T120000
            DURATION:P9999999W9999999W
            URL:javascript:alert(1)
            END:VEVENT
            END:VCALENDAR
            """
        let error = try #require(parseError(text, name: "hostile.ics"))
        #expect(error.line == 9)
        #expect(error.message.hasPrefix("RRULE "), "\(error)")
    }

    // MARK: - Durations

    @Test("ISO durations take each unit once, in order, so no sum can overflow", arguments: [
        "P9999999W9999999W", "PT1H1H", "PT1M1H", "P1D1W", "PT9999999S9999999S",
    ])
    func repeatedUnits(text: String) {
        #expect(TimeText.duration(text) == nil)
    }

    /// 1.6 million weeks of 9,999,999 add up past Int.max: this trapped.
    @Test("a duration that would overflow an Int is unreadable, not a trap")
    func overflowingDuration() {
        let text = "P" + String(repeating: "9999999W", count: 1_600_000)
        #expect(TimeText.duration(text) == nil)
        #expect(TimeText.duration("PT99999999999999999H") == nil)
        #expect(TimeText.duration("9999999 h 9999999 h") == 2 * 9_999_999 * 3600)
        #expect(TimeText.duration("P1W2DT3H4M5S") == 604_800 + 2 * 86_400 + 3 * 3600 + 4 * 60 + 5)
    }
}
