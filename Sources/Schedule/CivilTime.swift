import Foundation

/// A wall-clock date and time with no zone attached: what a schedule says before we know where.
///
/// The arithmetic is done here, on proleptic Gregorian days, rather than through `Calendar`, so
/// that it is exact, the same on every platform, and cheap enough for a programme of 50,000
/// events.
struct CivilDateTime: Sendable, Equatable {
    var year: Int
    var month: Int
    var day: Int
    var hour: Int = 0
    var minute: Int = 0
    var second: Int = 0
    /// Fractions of a second, in `0..<1`.
    var fraction: Double = 0

    /// Days since 1970-01-01 of this date.
    var dayNumber: Int { daysFromCivil(year: year, month: month, day: day) }

    /// Seconds since 1970-01-01T00:00:00 if this wall-clock time were UTC.
    var secondsAsUTC: Int { dayNumber * 86_400 + hour * 3_600 + minute * 60 + second }

    /// This date at `seconds` past its midnight (which may be 24 h or more, for days that run past
    /// midnight).
    func at(secondsOfDay seconds: Int) -> CivilDateTime {
        CivilDateTime(epochSeconds: dayNumber * 86_400 + seconds)
    }

    /// The wall-clock time `seconds` after 1970-01-01T00:00:00.
    init(epochSeconds seconds: Int, fraction: Double = 0) {
        let days = seconds >= 0 ? seconds / 86_400 : -((-seconds + 86_399) / 86_400)
        let rest = seconds - days * 86_400
        (year, month, day) = civilFromDays(days)
        hour = rest / 3_600
        minute = rest / 60 % 60
        second = rest % 60
        self.fraction = fraction
    }

    init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0, fraction: Double = 0) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
        self.fraction = fraction
    }

    /// The point in time this wall-clock time names in `zone`.
    ///
    /// A time that a zone skips (the spring-forward hour) is read with the offset in force
    /// before the change, so 02:30 becomes 03:30 summer time; a time that happens twice (the
    /// autumn hour) is read as the first of the two.
    func instant(in zone: TimeZone) -> Date {
        let local = secondsAsUTC
        let before = zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(local - 86_400)))
        let after = zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(local + 86_400)))
        if before == after { return Date(timeIntervalSince1970: Double(local - before) + fraction) }
        // A change of offset within a day of this time: take the earliest reading that the zone
        // agrees with, else (a skipped time) the offset from before the change.
        let candidates = [local - max(before, after), local - min(before, after)]
        for candidate in candidates
        where zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(candidate))) == local - candidate {
            return Date(timeIntervalSince1970: Double(candidate) + fraction)
        }
        return Date(timeIntervalSince1970: Double(local - before) + fraction)
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
public func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yearOfEra = y - era * 400
    let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
    let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
    return era * 146_097 + dayOfEra - 719_468
}

/// The proleptic Gregorian date `days` after 1970-01-01 (Howard Hinnant's `civil_from_days`).
public func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let dayOfEra = z - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let mp = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * mp + 2) / 5 + 1
    let month = mp < 10 ? mp + 3 : mp - 9
    return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
}

func daysInMonth(year: Int, month: Int) -> Int {
    switch month {
    case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
    case 4, 6, 9, 11: return 30
    default: return 31
    }
}

/// 0 for Monday through 6 for Sunday.
func dayOfWeek(dayNumber days: Int) -> Int {
    // 1970-01-01 was a Thursday.
    ((days % 7) + 7 + 3) % 7
}

// MARK: - Formatting

/// RFC 3339 text for `date` as the programme writes it (see `ClockText.rfc3339`): milliseconds
/// when there are any, UTC as `+00:00`.
func rfc3339(_ date: Date, in zone: TimeZone) -> String {
    ClockText.rfc3339(date, zone: zone, fractions: .milliseconds, utc: .numeric)
}

/// The same at a fixed offset from UTC (session ids hash this text: it must never change).
func rfc3339(_ date: Date, offsetSeconds offset: Int) -> String {
    ClockText.rfc3339(date, offsetSeconds: offset, fractions: .milliseconds, utc: .numeric)
}

/// Zero-padded decimal, without going through `String(format:)`.
func pad(_ value: Int, _ width: Int) -> String {
    let digits = String(abs(value))
    let padded = digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    return value < 0 ? "-" + padded : padded
}
