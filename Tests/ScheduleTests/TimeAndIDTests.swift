import Foundation
import Testing

@testable import Schedule

@Suite("times, durations and guids")
struct TimeAndIDTests {
    @Test(
        "date-times schedules write",
        arguments: [
            ("2021-10-04T13:00:00+02:00", "2021-10-04T11:00:00+00:00"),
            ("2021-10-04T13:00+02:00", "2021-10-04T11:00:00+00:00"),
            ("2021-10-04 13:00", "2021-10-04T11:00:00+00:00"),
            ("2021-10-04 13.00", "2021-10-04T11:00:00+00:00"),
            ("2021-10-04T11:00:00Z", "2021-10-04T11:00:00+00:00"),
            ("2021-10-04T11:00:00.250Z", "2021-10-04T11:00:00.250+00:00"),
            ("20211004T130000", "2021-10-04T11:00:00+00:00"),
            ("20211004T110000Z", "2021-10-04T11:00:00+00:00"),
            ("2021-10-04T13:00:00+0200", "2021-10-04T11:00:00+00:00"),
            ("2021-10-04T08:00:00-03", "2021-10-04T11:00:00+00:00"),
            ("2021-10-04 24:00", "2021-10-04T22:00:00+00:00"),
            ("2021-12-31T23:30:00-01:00", "2022-01-01T00:30:00+00:00"),
            ("2024-02-29T12:00:00Z", "2024-02-29T12:00:00+00:00"),
        ])
    func dateTimes(text: String, expected: String) throws {
        let parsed = try #require(TimeText.dateTime(text))
        let stockholm = try #require(TimeZone(identifier: "Europe/Stockholm"))
        #expect(utc(parsed.instant(defaultZone: stockholm)) == expected)
    }

    @Test(
        "text that is not a date-time",
        arguments: [
            "", "13:00", "2021-02-30T10:00", "2023-02-29", "2021-10-04T25:00", "2021-10-04T13:60", "2021-10-04T13:00+25:00",
            "2021-10-04X13:00", "21-10-04 13:00", "2021-10-04T13:00:00+02:00junk", "2021-1-4 13:00", "0000-01-01T00:00",
            "99999999999999999999-01-01", "2021-10-04T1300000000000",
        ])
    func notDateTimes(text: String) {
        #expect(TimeText.dateTime(text) == nil)
    }

    @Test(
        "durations",
        arguments: [
            ("00:45", 2700), ("0:45", 2700), ("1:30:15", 5415), ("45", 2700), ("45 min", 2700), ("45 minuter", 2700),
            ("1 h 30 min", 5400), ("1h30m", 5400), ("PT45M", 2700), ("P1DT2H", 93600), ("P1W", 604_800), ("-PT5M", -300),
            ("2 timmar", 7200),
        ])
    func durations(text: String, seconds: Int) {
        #expect(TimeText.duration(text) == seconds)
    }

    @Test("text that is not a duration", arguments: ["", "abc", "1:75", "4x:00", "P1Y", "PT", "12345678901:00", "45 parsecs", "1::00"])
    func notDurations(text: String) {
        #expect(TimeText.duration(text) == nil)
    }

    @Test("wall-clock times at the spring and autumn changes")
    func daylightSaving() throws {
        let zone = try #require(TimeZone(identifier: "Europe/Stockholm"))
        // 02:30 on 28 March 2021 does not exist: read with the offset from before the change.
        let skipped = CivilDateTime(year: 2021, month: 3, day: 28, hour: 2, minute: 30).instant(in: zone)
        #expect(utc(skipped) == "2021-03-28T01:30:00+00:00")
        // 02:30 on 31 October 2021 happens twice: the first.
        let twice = CivilDateTime(year: 2021, month: 10, day: 31, hour: 2, minute: 30).instant(in: zone)
        #expect(utc(twice) == "2021-10-31T00:30:00+00:00")
        #expect(rfc3339(twice, in: zone) == "2021-10-31T02:30:00+02:00")
        #expect(rfc3339(twice.addingTimeInterval(3600), in: zone) == "2021-10-31T02:30:00+01:00")
    }

    @Test("civil day arithmetic agrees with Foundation's calendar from 1583 to 2380")
    func civilDays() {
        // Foundation's Gregorian calendar is Julian before October 1582; efterhand's is
        // proleptic, so compare only after the switch.
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        for days in stride(from: -140_000, through: 150_000, by: 997) {
            let (year, month, day) = civilFromDays(days)
            let components = calendar.dateComponents([.year, .month, .day], from: Date(timeIntervalSince1970: Double(days) * 86_400))
            #expect([year, month, day] == [components.year, components.month, components.day])
            #expect(daysFromCivil(year: year, month: month, day: day) == days)
        }
    }

    @Test(
        "SHA-1 test vectors (FIPS 180)",
        arguments: [
            ("abc", "a9993e364706816aba3e25717850c26c9cd0d89d"),
            ("", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
            ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "84983e441c3bd26ebaae4aa1f95129e5e54670f1"),
            (String(repeating: "a", count: 1000), "291e9a6c66994949b57ba5e650361e98fc36b1ba"),
        ])
    func sha1(message: String, digest: String) {
        #expect(SHA1.hash(Array(message.utf8)).map { String(format: "%02x", $0) }.joined() == digest)
    }

    @Test("name-based UUIDs match RFC 9562's version 5 (as Python's uuid.uuid5 computes them)")
    func uuid5() {
        let dns: [UInt8] = [0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8]
        #expect(SessionID.uuid5(namespace: dns, name: "python.org") == "886313e1-3b8a-5372-9b90-0c9aee199e5d")
        let start = instant("2020-02-01T09:30:00+01:00")
        #expect(SessionID.derived(title: "Welcome to FOSDEM 2020", start: start, room: "Janson") == "6c69722b-d7d0-5cb8-8dca-fbd733758481")
        #expect(SessionID.derived(title: "Welcome to FOSDEM 2020", start: start, room: "Janson 2") != "6c69722b-d7d0-5cb8-8dca-fbd733758481")
    }
}
