import Foundation

/// A date and time read from text: either a point in time (the text had an offset or `Z`), or
/// a wall-clock time that still needs a zone.
struct ParsedDateTime: Sendable, Equatable {
    var civil: CivilDateTime
    /// Seconds east of UTC, when the text gave an offset.
    var offset: Int?
    /// False for a bare date such as `2021-10-04`.
    var hasTime: Bool

    /// The point in time: the text's own offset when it had one, else `zone`.
    func instant(defaultZone zone: TimeZone) -> Date {
        if let offset {
            return Date(timeIntervalSince1970: Double(civil.secondsAsUTC - offset) + civil.fraction)
        }
        return civil.instant(in: zone)
    }
}

/// Lenient readers for the ways schedules write dates, times and durations. Each returns nil
/// for text it cannot read, never traps, and bounds every number it reads.
enum TimeText {
    /// Reads ISO 8601 / RFC 3339 dates and date-times as schedules write them:
    /// `2021-10-04T13:00:00+02:00`, `2021-10-04 13:00`, `2021-10-04T11:00Z`, `20211004T130000`,
    /// `2021-10-04 13.00`, `2021-10-04`.
    static func dateTime(_ text: some StringProtocol) -> ParsedDateTime? {
        var scanner = ByteScanner(text)
        scanner.skipSpaces()
        guard let year = scanner.number(digits: 4...4), (1...9999).contains(year) else { return nil }
        let dashed = scanner.take(UInt8(ascii: "-"))
        guard let month = scanner.number(digits: 2...2), (1...12).contains(month) else { return nil }
        if dashed, !scanner.take(UInt8(ascii: "-")) { return nil }
        guard let day = scanner.number(digits: 2...2), (1...daysInMonth(year: year, month: month)).contains(day)
        else { return nil }
        var civil = CivilDateTime(year: year, month: month, day: day)
        scanner.skipSpaces()
        if scanner.atEnd { return ParsedDateTime(civil: civil, offset: nil, hasTime: false) }
        let hadSpace = scanner.previousWasSpace
        let hadT = scanner.take(UInt8(ascii: "T")) || scanner.take(UInt8(ascii: "t"))
        guard hadSpace || hadT else { return nil }
        scanner.skipSpaces()
        guard let seconds = timeOfDay(scanner: &scanner, compactAllowed: true) else { return nil }
        civil = civil.at(secondsOfDay: seconds.whole)
        civil.fraction = seconds.fraction
        scanner.skipSpaces()
        let offset: Int?
        switch self.offset(scanner: &scanner) {
        case .absent: offset = nil
        case .seconds(let seconds): offset = seconds
        case .invalid: return nil
        }
        scanner.skipSpaces()
        guard scanner.atEnd else { return nil }
        return ParsedDateTime(civil: civil, offset: offset, hasTime: true)
    }

    /// Reads a bare date, `2021-10-04` (or the date part at the start of a date-time).
    static func date(_ text: some StringProtocol) -> CivilDateTime? {
        var scanner = ByteScanner(text)
        scanner.skipSpaces()
        guard let year = scanner.number(digits: 4...4), (1...9999).contains(year),
            scanner.take(UInt8(ascii: "-")),
            let month = scanner.number(digits: 2...2), (1...12).contains(month),
            scanner.take(UInt8(ascii: "-")),
            let day = scanner.number(digits: 2...2), (1...daysInMonth(year: year, month: month)).contains(day)
        else { return nil }
        return CivilDateTime(year: year, month: month, day: day)
    }

    /// Reads a time of day, `13:00`, `13:00:00`, `9:30`, `13.00`, and returns seconds past
    /// midnight. `24:00` is accepted, as the end of a day.
    static func timeOfDay(_ text: some StringProtocol) -> Int? {
        var scanner = ByteScanner(text)
        scanner.skipSpaces()
        guard let seconds = timeOfDay(scanner: &scanner, compactAllowed: false) else { return nil }
        scanner.skipSpaces()
        return scanner.atEnd ? seconds.whole : nil
    }

    /// Reads a duration and returns seconds. Accepts the clock form of frab and pretalx (`00:45`,
    /// `01:30:00`), ISO 8601 and RFC 5545 (`PT45M`, `P1DT2H`, `-PT5M`), bare minutes (`45`) and
    /// minutes or hours with a unit (`45 min`, `1 h 30 min`, `1h30m`, `45 minuter`).
    static func duration(_ text: some StringProtocol) -> Int? {
        var scanner = ByteScanner(text)
        scanner.skipSpaces()
        if scanner.atEnd { return nil }
        var sign = 1
        if scanner.take(UInt8(ascii: "-")) { sign = -1 } else { _ = scanner.take(UInt8(ascii: "+")) }
        if scanner.peek == UInt8(ascii: "P") || scanner.peek == UInt8(ascii: "p") {
            return isoDuration(scanner: &scanner).map { $0 * sign }
        }
        guard let first = scanner.number(digits: 1...7) else { return nil }
        if scanner.take(UInt8(ascii: ":")) {
            guard let minutes = scanner.number(digits: 2...2), minutes < 60 else { return nil }
            var seconds = 0
            if scanner.take(UInt8(ascii: ":")) {
                guard let s = scanner.number(digits: 1...2), s < 60 else { return nil }
                seconds = s
            }
            scanner.skipSpaces()
            return scanner.atEnd ? sign * (first * 3600 + minutes * 60 + seconds) : nil
        }
        // Numbers with units, or bare minutes.
        var total = 0
        var number: Int? = first
        while let value = number {
            scanner.skipSpaces()
            let unit = scanner.letters().lowercased()
            let scale: Int
            switch unit {
            case "", "m", "min", "mins", "minute", "minutes", "minut", "minuter": scale = 60
            case "h", "hr", "hrs", "hour", "hours", "t", "tim", "timme", "timmar": scale = 3600
            case "s", "sec", "secs", "second", "seconds", "sek", "sekund", "sekunder": scale = 1
            default: return nil
            }
            guard let sum = adding(total, value, times: scale) else { return nil }
            total = sum
            scanner.skipSpaces()
            if scanner.atEnd { return sign * total }
            guard !unit.isEmpty else { return nil }
            number = scanner.number(digits: 1...7)
        }
        return nil
    }

    /// `total + value * scale`, or nil when that does not fit in an Int.
    private static func adding(_ total: Int, _ value: Int, times scale: Int) -> Int? {
        let (product, productOverflow) = value.multipliedReportingOverflow(by: scale)
        let (sum, sumOverflow) = total.addingReportingOverflow(product)
        return productOverflow || sumOverflow ? nil : sum
    }

    // MARK: - Pieces

    /// `HH:MM[:SS[.fff]]`, `H.MM`, or (after a `T`) `HHMM[SS]`.
    private static func timeOfDay(scanner: inout ByteScanner, compactAllowed: Bool) -> (whole: Int, fraction: Double)? {
        let start = scanner.index
        guard let hourDigits = scanner.digitRun(max: 6) else { return nil }
        var hour: Int
        var minute: Int
        var second = 0
        var fraction = 0.0
        if compactAllowed, hourDigits.count == 4 || hourDigits.count == 6 {
            // 130000: iCalendar and ISO basic format.
            hour = hourDigits.value / (hourDigits.count == 6 ? 10_000 : 100)
            minute = hourDigits.value / (hourDigits.count == 6 ? 100 : 1) % 100
            second = hourDigits.count == 6 ? hourDigits.value % 100 : 0
        } else {
            guard hourDigits.count <= 2 else { return nil }
            hour = hourDigits.value
            guard let separator = scanner.peek, separator == UInt8(ascii: ":") || separator == UInt8(ascii: ".")
            else { scanner.index = start; return nil }
            scanner.index += 1
            guard let m = scanner.number(digits: 2...2) else { return nil }
            minute = m
            if scanner.take(separator) {
                guard let s = scanner.number(digits: 2...2) else { return nil }
                second = s
                if scanner.take(UInt8(ascii: ".")) || scanner.take(UInt8(ascii: ",")) {
                    guard let digits = scanner.digitRun(max: 9) else { return nil }
                    fraction = Double(digits.value) / pow(10, Double(digits.count))
                }
            }
        }
        // A leap second is read as the last second of its minute.
        if second == 60 { second = 59 }
        guard minute < 60, second < 60, hour < 24 || (hour == 24 && minute == 0 && second == 0 && fraction == 0)
        else { return nil }
        return (hour * 3600 + minute * 60 + second, fraction)
    }

    private enum OffsetReading { case absent, seconds(Int), invalid }

    /// `Z`, `+02:00`, `+0200`, `+02`, `UTC`, or nothing.
    private static func offset(scanner: inout ByteScanner) -> OffsetReading {
        guard let byte = scanner.peek else { return .absent }
        switch byte {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            scanner.index += 1
            return .seconds(0)
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            scanner.index += 1
            guard let hours = scanner.number(digits: 2...2), hours <= 18 else { return .invalid }
            var minutes = 0
            if scanner.take(UInt8(ascii: ":")) {
                guard let m = scanner.number(digits: 2...2) else { return .invalid }
                minutes = m
            } else if let m = scanner.number(digits: 2...2) {
                minutes = m
            }
            guard minutes < 60 else { return .invalid }
            let value = hours * 3600 + minutes * 60
            return .seconds(byte == UInt8(ascii: "-") ? -value : value)
        default:
            let word = scanner.letters().uppercased()
            return word == "UTC" || word == "GMT" ? .seconds(0) : .invalid
        }
    }

    /// RFC 5545 / ISO 8601 durations: `P1W`, `P1DT2H30M`, `PT45M`, `PT0S`. Years and months have
    /// no fixed length and are refused.
    private static func isoDuration(scanner: inout ByteScanner) -> Int? {
        scanner.index += 1
        var total = 0
        var inTime = false
        var sawComponent = false
        // Weeks, days, hours, minutes, seconds: each at most once and in that order, so a
        // value like P9999999W9999999W… cannot add up past what an Int holds.
        var lastRank = -1
        while !scanner.atEnd {
            if scanner.take(UInt8(ascii: "T")) || scanner.take(UInt8(ascii: "t")) {
                guard !inTime else { return nil }
                inTime = true
                continue
            }
            guard let value = scanner.number(digits: 1...7), let unit = scanner.peek else { return nil }
            scanner.index += 1
            let rank: Int
            let scale: Int
            switch (unit | 0x20, inTime) {
            case (UInt8(ascii: "w"), false): (rank, scale) = (0, 604_800)
            case (UInt8(ascii: "d"), false): (rank, scale) = (1, 86_400)
            case (UInt8(ascii: "h"), true): (rank, scale) = (2, 3600)
            case (UInt8(ascii: "m"), true): (rank, scale) = (3, 60)
            case (UInt8(ascii: "s"), true): (rank, scale) = (4, 1)
            default: return nil
            }
            guard rank > lastRank, let sum = adding(total, value, times: scale) else { return nil }
            lastRank = rank
            total = sum
            sawComponent = true
        }
        return sawComponent ? total : nil
    }
}

/// Walks the UTF-8 bytes of a short piece of text.
struct ByteScanner {
    let bytes: [UInt8]
    var index = 0

    init(_ text: some StringProtocol) { bytes = Array(text.utf8) }

    var atEnd: Bool { index >= bytes.count }
    var peek: UInt8? { index < bytes.count ? bytes[index] : nil }
    var previousWasSpace: Bool { index > 0 && (bytes[index - 1] == 0x20 || bytes[index - 1] == 0x09) }

    mutating func take(_ byte: UInt8) -> Bool {
        guard peek == byte else { return false }
        index += 1
        return true
    }

    mutating func skipSpaces() {
        while let byte = peek, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1 }
    }

    /// A run of at most `max` ASCII digits; nil when there is none or it is longer.
    mutating func digitRun(max: Int) -> (value: Int, count: Int)? {
        var value = 0
        var count = 0
        while let byte = peek, byte >= 0x30, byte <= 0x39 {
            guard count < max else { return nil }
            value = value * 10 + Int(byte - 0x30)
            count += 1
            index += 1
        }
        return count > 0 ? (value, count) : nil
    }

    /// A number of `digits.lowerBound` to `digits.upperBound` digits, reading no more than the
    /// upper bound (so `20211004` reads as `2021`, `10`, `04`); the scanner does not move when
    /// there are too few.
    mutating func number(digits: ClosedRange<Int>) -> Int? {
        let start = index
        var value = 0
        var count = 0
        while count < digits.upperBound, let byte = peek, byte >= 0x30, byte <= 0x39 {
            value = value * 10 + Int(byte - 0x30)
            count += 1
            index += 1
        }
        guard digits.contains(count) else {
            index = start
            return nil
        }
        return value
    }

    /// A run of ASCII or Swedish letters, as text.
    mutating func letters() -> String {
        let start = index
        while let byte = peek, (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z") || byte >= 0x80 {
            index += 1
        }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }
}
