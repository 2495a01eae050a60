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
                guard abs(offset) <= ScheduleLimits.maxOffsetSeconds else {
                    throw RuleError(message:
                        "\(property.name) \"\(abbreviated(property.value, limit: 30))\" is more than 18 hours from UTC")
                }
                if property.name == "TZOFFSETFROM" { offsetFrom = offset } else { offsetTo = offset }
            case "RRULE":
                rule = try YearlyRule.parse(property.value)
            case "RDATE":
                dates += property.value.split(separator: ",").compactMap { TimeText.dateTime($0)?.civil }
            default:
                break
            }
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

        /// The rule in `text`, nil when it is not a yearly rule or names a week that no month
        /// has (`BYDAY=6SU`); throws when a number is out of its range (`BYDAY=-9223372036854775808SU`,
        /// `BYMONTH=13`), naming it.
        static func parse(_ text: String) throws(RuleError) -> YearlyRule? {
            var parts: [String: String] = [:]
            for part in text.split(separator: ";") {
                let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
                if pair.count == 2 { parts[pair[0].uppercased()] = pair[1].uppercased() }
            }
            guard parts["FREQ"] == "YEARLY" else { return nil }
            func number(_ value: some StringProtocol, _ name: String, in range: ClosedRange<Int>) throws(RuleError) -> Int {
                guard let number = Int(value), range.contains(number) else {
                    throw RuleError(message:
                        "RRULE \(name)=\(abbreviated(String(value), limit: 30)) is not a number from \(range.lowerBound) to \(range.upperBound)")
                }
                return number
            }
            var rule = YearlyRule()
            if let value = parts["INTERVAL"] { rule.interval = try number(value, "INTERVAL", in: 1...ScheduleLimits.maxRuleInterval) }
            if let value = parts["COUNT"] { rule.count = try number(value, "COUNT", in: 1...ScheduleLimits.maxRuleCount) }
            if let list = parts["BYMONTH"] {
                for value in list.split(separator: ",") {
                    let month = try number(value, "BYMONTH", in: 1...12)
                    rule.month = rule.month ?? month
                }
            }
            if let list = parts["BYMONTHDAY"] {
                let limit = ScheduleLimits.maxByMonthDay
                for value in list.split(separator: ",") {
                    let day = try number(value, "BYMONTHDAY", in: -limit...limit)
                    // Days counted from the month's end are not used by time zones; they are left out.
                    if day > 0 { rule.monthDays.append(day) }
                }
            }
            rule.until = parts["UNTIL"].flatMap { TimeText.dateTime($0)?.civil }
            if let byDay = parts["BYDAY"]?.split(separator: ",").first {
                let names = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
                guard let day = names.firstIndex(of: String(byDay.suffix(2))) else { return nil }
                rule.weekday = day
                let ordinal = byDay.dropLast(2)
                if !ordinal.isEmpty {
                    let limit = ScheduleLimits.maxByDayOrdinal
                    let value = try number(ordinal, "BYDAY", in: -limit...limit)
                    // Within a month only the first to fifth (or last to fifth-last) weekday exists.
                    guard value != 0, (-5...5).contains(value) else { return nil }
                    rule.ordinal = value
                }
            }
            return rule
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

    /// `+0100`, `-0500`, `+013045`.
    static func offset(_ text: String) -> Int? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let sign = trimmed.first, sign == "+" || sign == "-" else { return nil }
        let digits = trimmed.dropFirst()
        guard digits.count == 4 || digits.count == 6, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
            let hours = Int(digits.prefix(2)), let minutes = Int(digits.dropFirst(2).prefix(2)), minutes < 60
        else { return nil }
        let seconds = digits.count == 6 ? Int(digits.suffix(2)) ?? 0 : 0
        guard seconds < 60 else { return nil }
        let value = hours * 3600 + minutes * 60 + seconds
        return sign == "-" ? -value : value
    }
}

/// A `VTIMEZONE` made ready for lookups: the onsets its observances give by date (DTSTART and
/// RDATE) sorted once, and those its yearly rules give worked out once for each year asked
/// about, so that the offset of each event is a binary search, not a walk over every onset.
final class ZoneRules {
    /// From `onset` (wall-clock seconds as if UTC) the zone is at `offset`, by the observance
    /// at `observance` in the VTIMEZONE.
    struct Transition {
        var onset: Int
        var observance: Int
        var offset: Int
    }

    private struct Rule {
        var observance: Int
        var start: CivilDateTime
        var rule: CalendarZone.YearlyRule
        var offset: Int
    }

    /// By onset; at one onset only the first observance's, which wins a tie.
    private let dated: [Transition]
    private let rules: [Rule]
    /// The offset before every onset: the earliest observance's "from" offset.
    private let initialOffset: Int?
    private var ruleOnsets: [Int: [Transition]] = [:]

    init(_ zone: CalendarZone) {
        var dated: [Transition] = []
        var rules: [Rule] = []
        var earliest: (onset: Int, observance: CalendarZone.Observance)?
        for (index, observance) in zone.observances.enumerated() {
            guard let start = observance.start else { continue }
            if start.secondsAsUTC < (earliest?.onset ?? Int.max) { earliest = (start.secondsAsUTC, observance) }
            guard let offset = observance.offsetTo else { continue }
            dated.append(Transition(onset: start.secondsAsUTC, observance: index, offset: offset))
            for date in observance.dates {
                dated.append(Transition(onset: date.secondsAsUTC, observance: index, offset: offset))
            }
            if let rule = observance.rule {
                rules.append(Rule(observance: index, start: start, rule: rule, offset: offset))
            }
        }
        self.dated = ZoneRules.ordered(dated)
        self.rules = rules
        initialOffset = earliest.flatMap { $0.observance.offsetFrom ?? $0.observance.offsetTo }
    }

    /// The offset in force at a wall-clock time: that of the latest onset at or before it.
    func offset(at local: CivilDateTime) -> Int? {
        let seconds = local.secondsAsUTC
        var best = ZoneRules.latest(atOrBefore: seconds, in: dated)
        if !rules.isEmpty {
            for year in [local.year - 1, local.year] {
                guard let candidate = ZoneRules.latest(atOrBefore: seconds, in: onsets(inYear: year)) else { continue }
                if let current = best,
                    current.onset > candidate.onset || (current.onset == candidate.onset && current.observance < candidate.observance)
                {
                    continue
                }
                best = candidate
            }
        }
        return best?.offset ?? initialOffset
    }

    /// The rules' onsets in `year`, ordered, worked out once.
    private func onsets(inYear year: Int) -> [Transition] {
        if let known = ruleOnsets[year] { return known }
        var found: [Transition] = []
        for rule in rules where year >= rule.start.year {
            if let onset = rule.rule.onset(inYear: year, from: rule.start) {
                found.append(Transition(onset: onset, observance: rule.observance, offset: rule.offset))
            }
        }
        let ordered = ZoneRules.ordered(found)
        ruleOnsets[year] = ordered
        return ordered
    }

    /// Sorted by onset, keeping at each onset only the first observance's transition.
    private static func ordered(_ transitions: [Transition]) -> [Transition] {
        let sorted = transitions.sorted { ($0.onset, $0.observance) < ($1.onset, $1.observance) }
        var result: [Transition] = []
        result.reserveCapacity(sorted.count)
        for transition in sorted where transition.onset != result.last?.onset { result.append(transition) }
        return result
    }

    /// The last transition at or before `seconds`, by binary search.
    private static func latest(atOrBefore seconds: Int, in transitions: [Transition]) -> Transition? {
        var low = 0
        var high = transitions.count
        while low < high {
            let middle = (low + high) / 2
            if transitions[middle].onset <= seconds { low = middle + 1 } else { high = middle }
        }
        return low > 0 ? transitions[low - 1] : nil
    }
}

/// Turns a DTSTART or DTEND into a point in time, resolving and caching its TZID.
struct ZoneResolver {
    enum Resolved {
        case system(TimeZone)
        case rules(ZoneRules)
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
                resolved = .rules(ZoneRules(defined))
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
