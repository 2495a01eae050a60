import Foundation

extension ICalendarImporter {
    /// What a calendar's components hold that the import needs: the calendar's name and zone,
    /// its named `VTIMEZONE`s, and each `VEVENT`'s properties with the line of its `BEGIN`.
    struct Components {
        var calendarName: String?
        var calendarZoneName: String?
        var zones: [String: CalendarZone] = [:]
        var events: [(properties: [ContentLine], line: Int)] = []
    }

    /// Walks the content lines by a stack of component names, checking that every `BEGIN` has
    /// its `END`; only `VEVENT` and `VTIMEZONE` (with its observances) are kept, and of
    /// `VCALENDAR` its name and zone.
    struct ComponentWalker {
        let source: SourceText
        private(set) var found = Components()
        private var stack: [(name: String, line: Int)] = []
        private var sawCalendar = false
        /// The properties of the open VEVENT.
        private var current: [ContentLine] = []
        private var zone: CalendarZone?
        private var observance: CalendarZone.Observance?
        // What the open VTIMEZONE holds so far, against ScheduleLimits' bounds.
        private var zoneTransitions = 0
        private var zoneRules = 0

        init(source: SourceText) { self.source = source }

        /// The components of `lines`, or the first error in their nesting or their zones.
        static func walk(_ lines: [ContentLine], source: SourceText) throws(ScheduleError) -> Components {
            var walker = ComponentWalker(source: source)
            for line in lines {
                switch line.name {
                case "BEGIN": try walker.begin(line)
                case "END": try walker.end(line)
                default: try walker.property(line)
                }
            }
            if let open = walker.stack.last {
                throw source.error(
                    "the file ends inside BEGIN:\(open.name) from line \(open.line); it looks cut short",
                    at: SourceLocation(line: lines.last?.number ?? 1))
            }
            guard walker.sawCalendar else {
                throw source.error("no BEGIN:VCALENDAR; this is not an iCalendar file", at: SourceLocation(line: 1))
            }
            return walker.found
        }

        private mutating func begin(_ line: ContentLine) throws(ScheduleError) {
            let component = line.value.uppercased()
            stack.append((component, line.number))
            switch component {
            case "VCALENDAR": sawCalendar = true
            case "VEVENT":
                try source.checkSessionCount(found.events.count + 1, at: SourceLocation(line: line.number))
                try source.checkDeadline(at: SourceLocation(line: line.number))
                current = []
            case "VTIMEZONE":
                zone = CalendarZone(id: "", line: line.number)
                zoneTransitions = 0
                zoneRules = 0
            case "STANDARD", "DAYLIGHT":
                try countTransitions(1, line)
                observance = CalendarZone.Observance(line: line.number)
            default: break
            }
        }

        private mutating func end(_ line: ContentLine) throws(ScheduleError) {
            let component = line.value.uppercased()
            guard let open = stack.lastIndex(where: { $0.name == component }) else {
                throw source.error("END:\(component) without a BEGIN:\(component)", at: SourceLocation(line: line.number))
            }
            if open != stack.count - 1 {
                let inner = stack[stack.count - 1]
                throw source.error(
                    "END:\(component) while BEGIN:\(inner.name) from line \(inner.line) is still open",
                    at: SourceLocation(line: line.number))
            }
            let begin = stack.removeLast()
            switch component {
            case "VEVENT":
                found.events.append((current, begin.line))
            case "VTIMEZONE":
                if let finished = zone, !finished.id.isEmpty { found.zones[finished.id] = finished }
                zone = nil
            case "STANDARD", "DAYLIGHT":
                if let finished = observance { zone?.observances.append(finished) }
                observance = nil
            default: break
            }
        }

        /// A property, kept by the component it is in.
        private mutating func property(_ line: ContentLine) throws(ScheduleError) {
            guard let top = stack.last?.name else { return }
            switch top {
            case "VEVENT": current.append(line)
            case "VCALENDAR":
                switch line.name {
                case "X-WR-CALNAME": found.calendarName = ICalendarImporter.unescape(line.value)
                case "X-WR-TIMEZONE": found.calendarZoneName = line.value
                default: break
                }
            case "VTIMEZONE":
                if line.name == "TZID" { zone?.id = line.value }
                if line.name == "X-LIC-LOCATION" { zone?.location = line.value }
            case "STANDARD", "DAYLIGHT":
                try observanceProperty(line)
            default: break
            }
        }

        private mutating func observanceProperty(_ line: ContentLine) throws(ScheduleError) {
            // Counted before the values are read, so a zone of a million RDATEs stops here.
            if line.name == "RDATE" {
                try countTransitions(line.value.utf8.reduce(1) { $1 == UInt8(ascii: ",") ? $0 + 1 : $0 }, line)
            } else if line.name == "RRULE" {
                zoneRules += 1
                if zoneRules > ScheduleLimits.maxZoneRules {
                    throw zoneTooLarge("yearly rules (RRULE; ScheduleLimits.maxZoneRules)", ScheduleLimits.maxZoneRules, line)
                }
            }
            do throws(CalendarZone.RuleError) {
                try observance?.read(line)
            } catch {
                throw source.error(error.message, at: SourceLocation(line: line.number))
            }
        }

        /// Adds `count` onsets (an observance, or the values of an RDATE) to the open zone's.
        private mutating func countTransitions(_ count: Int, _ line: ContentLine) throws(ScheduleError) {
            zoneTransitions += count
            if zoneTransitions > ScheduleLimits.maxZoneTransitions {
                throw zoneTooLarge(
                    "onsets (observances and RDATE values; ScheduleLimits.maxZoneTransitions)",
                    ScheduleLimits.maxZoneTransitions, line)
            }
        }

        private func zoneTooLarge(_ what: String, _ limit: Int, _ line: ContentLine) -> ScheduleError {
            let name = zone.map { $0.id.isEmpty ? "the VTIMEZONE from line \($0.line)" : "VTIMEZONE \"\(abbreviated($0.id, limit: 40))\"" }
            return source.error(
                "\(name ?? "a VTIMEZONE") holds more than \(limit) \(what); efterhand reads at most that many a zone",
                at: SourceLocation(line: line.number))
        }
    }
}
