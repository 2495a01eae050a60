import Foundation

/// A `VTIMEZONE`: its observances (STANDARD and DAYLIGHT), each with an onset, offsets and a
/// yearly rule, enough to read the zones Outlook and Exchange write under Windows names.
struct CalendarZone {
    var id: String
    var line: Int
    /// `X-LIC-LOCATION`, an IANA name some exporters add.
    var location: String?
    var observances: [Observance] = []

    struct RuleError: Error {
        var message: String
    }

    struct Observance {
        var line: Int
        var start: CivilDateTime?
        var offsetFrom: Int?
        var offsetTo: Int?
        var rule: YearlyRule?
        var dates: [CivilDateTime] = []

        mutating func read(_ property: ICalendarImporter.ContentLine) throws(RuleError) {
            switch property.name {
            case "DTSTART":
                guard let parsed = TimeText.dateTime(property.value) else {
                    throw RuleError(message: "unparseable DTSTART \"\(abbreviated(property.value, limit: 30))\" in a VTIMEZONE")
                }
                start = parsed.civil
            case "TZOFFSETFROM", "TZOFFSETTO":
                guard let offset = CalendarZone.offset(property.value) else {
                    throw RuleError(message: "unparseable \(property.name) \"\(abbreviated(property.value, limit: 30))\"")
                }
                if property.name == "TZOFFSETFROM" { offsetFrom = offset } else { offsetTo = offset }
            case "RRULE":
                rule = YearlyRule(property.value)
            case "RDATE":
                dates += property.value.split(separator: ",").compactMap { TimeText.dateTime($0)?.civil }
            default:
                break
            }
        }

        /// The latest onset at or before `local` (both wall-clock), in seconds as if UTC.
        func latestOnset(atOrBefore local: Int) -> Int? {
            guard let start else { return nil }
            var best: Int?
            func consider(_ onset: Int) {
                if onset <= local, onset > (best ?? Int.min) { best = onset }
            }
            consider(start.secondsAsUTC)
            for date in dates { consider(date.secondsAsUTC) }
            if let rule {
                let year = CivilDateTime(epochSeconds: local).year
                for candidateYear in [year - 1, year] where candidateYear >= start.year {
                    if let onset = rule.onset(inYear: candidateYear, from: start) { consider(onset) }
                }
            }
            return best
        }
    }

    /// `FREQ=YEARLY` rules as time zones use them: `BYMONTH=3;BYDAY=-1SU`, `BYDAY=2SU`, or
    /// `BYMONTHDAY=…;BYDAY=FR`, with `UNTIL`, `COUNT` and `INTERVAL`. Other rules are not
    /// time-zone rules and are ignored (the observance then has only its DTSTART).
    struct YearlyRule {
        var interval = 1
        var month: Int?
        var weekday: Int?
        var ordinal: Int?
        var monthDays: [Int] = []
        var until: CivilDateTime?
        var count: Int?

        init?(_ text: String) {
            var parts: [String: String] = [:]
            for part in text.split(separator: ";") {
                let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
                if pair.count == 2 { parts[pair[0].uppercased()] = pair[1].uppercased() }
            }
            guard parts["FREQ"] == "YEARLY" else { return nil }
            interval = parts["INTERVAL"].flatMap { Int($0) }.map { max(1, min($0, 100)) } ?? 1
            month = parts["BYMONTH"].flatMap { Int($0) }.flatMap { (1...12).contains($0) ? $0 : nil }
            monthDays = (parts["BYMONTHDAY"] ?? "").split(separator: ",").compactMap { Int($0) }.filter { (1...31).contains($0) }
            until = parts["UNTIL"].flatMap { TimeText.dateTime($0)?.civil }
            count = parts["COUNT"].flatMap { Int($0) }.map { min(max($0, 0), 10_000) }
            if let byDay = parts["BYDAY"]?.split(separator: ",").first {
                let names = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
                guard let day = names.firstIndex(of: String(byDay.suffix(2))) else { return nil }
                weekday = day
                let number = byDay.dropLast(2)
                if !number.isEmpty {
                    guard let value = Int(number), value != 0, abs(value) <= 5 else { return nil }
                    ordinal = value
                }
            }
        }

        /// This rule's onset in `year`, as wall-clock seconds if UTC, or nil when it has none.
        func onset(inYear year: Int, from start: CivilDateTime) -> Int? {
            guard (1...9999).contains(year), (year - start.year) % interval == 0 else { return nil }
            if let count, (year - start.year) / interval >= count { return nil }
            let month = month ?? start.month
            let length = daysInMonth(year: year, month: month)
            var day: Int?
            if let weekday {
                let first = daysFromCivil(year: year, month: month, day: 1)
                let firstWeekday = dayOfWeek(dayNumber: first)
                let firstMatch = 1 + (weekday - firstWeekday + 7) % 7
                let matches = Array(stride(from: firstMatch, through: length, by: 7))
                if let ordinal {
                    let position = ordinal > 0 ? ordinal - 1 : matches.count + ordinal
                    day = matches.indices.contains(position) ? matches[position] : nil
                } else if !monthDays.isEmpty {
                    day = matches.first(where: { monthDays.contains($0) })
                } else {
                    day = matches.first
                }
            } else {
                day = monthDays.first ?? start.day
            }
            guard let day, day <= length else { return nil }
            let onset = CivilDateTime(year: year, month: month, day: day, hour: start.hour, minute: start.minute, second: start.second)
            if let until, onset.secondsAsUTC > until.secondsAsUTC { return nil }
            return onset.secondsAsUTC
        }
    }

    /// The offset in force at a wall-clock time: that of the observance with the latest onset.
    func offset(at local: CivilDateTime) -> Int? {
        let seconds = local.secondsAsUTC
        var best: (onset: Int, offset: Int)?
        for observance in observances {
            guard let to = observance.offsetTo, let onset = observance.latestOnset(atOrBefore: seconds) else { continue }
            if onset > (best?.onset ?? Int.min) { best = (onset, to) }
        }
        if let best { return best.offset }
        // Before every onset: the earliest observance's "from" offset.
        let earliest = observances.filter { $0.start != nil }.min(by: { $0.start!.secondsAsUTC < $1.start!.secondsAsUTC })
        return earliest?.offsetFrom ?? earliest?.offsetTo
    }

    /// `+0100`, `-0500`, `+013045`.
    static func offset(_ text: String) -> Int? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let sign = trimmed.first, sign == "+" || sign == "-" else { return nil }
        let digits = trimmed.dropFirst()
        guard digits.count == 4 || digits.count == 6, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
            let hours = Int(digits.prefix(2)), let minutes = Int(digits.dropFirst(2).prefix(2)), minutes < 60
        else { return nil }
        let seconds = digits.count == 6 ? Int(digits.suffix(2)) ?? 0 : 0
        let value = hours * 3600 + minutes * 60 + seconds
        return sign == "-" ? -value : value
    }
}

/// Turns a DTSTART or DTEND into a point in time, resolving and caching its TZID.
struct ZoneResolver {
    enum Resolved {
        case system(TimeZone)
        case rules(CalendarZone)
    }

    let zones: [String: CalendarZone]
    let floating: TimeZone
    let source: SourceText
    private(set) var warnings: [ScheduleWarning] = []
    private var cache: [String: Resolved] = [:]

    init(zones: [String: CalendarZone], floating: TimeZone, source: SourceText) {
        self.zones = zones
        self.floating = floating
        self.source = source
    }

    /// Nil when the value is not a date-time.
    mutating func instant(_ property: ICalendarImporter.ContentLine) -> Date? {
        guard let parsed = TimeText.dateTime(property.value), parsed.hasTime else { return nil }
        if parsed.offset != nil { return parsed.instant(defaultZone: floating) }
        guard let tzid = property.parameter("TZID"), !tzid.isEmpty else { return parsed.civil.instant(in: floating) }
        switch resolve(tzid, line: property.number) {
        case .system(let zone):
            return parsed.civil.instant(in: zone)
        case .rules(let zone):
            guard let offset = zone.offset(at: parsed.civil) else { return parsed.civil.instant(in: floating) }
            return Date(timeIntervalSince1970: Double(parsed.civil.secondsAsUTC - offset) + parsed.civil.fraction)
        }
    }

    private mutating func resolve(_ tzid: String, line: Int) -> Resolved {
        if let known = cache[tzid] { return known }
        let resolved: Resolved
        if let zone = TimeZone(identifier: tzid) {
            resolved = .system(zone)
        } else if let defined = zones[tzid] {
            if let location = defined.location, let zone = TimeZone(identifier: location) {
                resolved = .system(zone)
            } else if !defined.observances.isEmpty {
                resolved = .rules(defined)
            } else {
                resolved = fallback(tzid, line: line)
            }
        } else {
            resolved = fallback(tzid, line: line)
        }
        cache[tzid] = resolved
        return resolved
    }

    /// A TZID without a VTIMEZONE: an old Mozilla path (`/mozilla.org/20050126_1/Europe/Stockholm`),
    /// a common Windows name, or else the floating zone, with a warning.
    private mutating func fallback(_ tzid: String, line: Int) -> Resolved {
        let parts = tzid.split(separator: "/")
        for count in [3, 2, 1] where parts.count >= count {
            if let zone = TimeZone(identifier: parts.suffix(count).joined(separator: "/")) { return .system(zone) }
        }
        if let name = ZoneResolver.windowsZones[tzid], let zone = TimeZone(identifier: name) { return .system(zone) }
        warnings.append(source.warning(
            "unknown TZID \"\(abbreviated(tzid, limit: 40))\" without a VTIMEZONE; its times are read in \(floating.identifier)",
            at: SourceLocation(line: line)))
        return .system(floating)
    }

    /// Windows zone names that calendars use as TZID, for files that leave out the VTIMEZONE.
    static let windowsZones: [String: String] = [
        "W. Europe Standard Time": "Europe/Berlin",
        "Central Europe Standard Time": "Europe/Budapest",
        "Central European Standard Time": "Europe/Warsaw",
        "Romance Standard Time": "Europe/Paris",
        "GMT Standard Time": "Europe/London",
        "FLE Standard Time": "Europe/Helsinki",
        "E. Europe Standard Time": "Europe/Chisinau",
        "Russian Standard Time": "Europe/Moscow",
        "UTC": "UTC",
        "Eastern Standard Time": "America/New_York",
        "Central Standard Time": "America/Chicago",
        "Mountain Standard Time": "America/Denver",
        "Pacific Standard Time": "America/Los_Angeles",
        "India Standard Time": "Asia/Kolkata",
        "China Standard Time": "Asia/Shanghai",
        "Tokyo Standard Time": "Asia/Tokyo",
        "AUS Eastern Standard Time": "Australia/Sydney",
    ]
}
