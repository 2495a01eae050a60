import Foundation

/// Reads iCalendar (RFC 5545) `VEVENT`s as sessions.
///
/// - Lines are unfolded as bytes, before UTF-8 decoding, because real exports fold in the middle
///   of a multi-byte character. A line that is not UTF-8 is read as Windows-1252.
/// - `UID` → guid, `SUMMARY` → title (its `LANGUAGE` parameter → language), `DESCRIPTION` →
///   abstract, `LOCATION` → room, `CATEGORIES` → topics, `URL` → url, `ATTENDEE;ROLE=CHAIR`
///   → persons (their `CN`), `DTSTART` with `DTEND` or `DURATION`.
/// - Times: UTC (`…Z`), `TZID=` with a `VTIMEZONE` or an IANA name, or floating (read in
///   `--time-zone`, else `X-WR-TIMEZONE`, else Europe/Stockholm). An IANA `TZID` is read with
///   the system's zone data; any other `TZID` (Outlook's `W. Europe Standard Time`) with the
///   rules of its `VTIMEZONE`.
/// - efterhand's own properties carry what iCalendar has no property for:
///   `X-EFTERHAND-ID`, `X-EFTERHAND-SLUG`, `X-EFTERHAND-SUBTITLE`, `X-EFTERHAND-TRACK`,
///   `X-EFTERHAND-TYPE`, and `X-EFTERHAND-DO-NOT-RECORD:TRUE` for a recording opt-out.
/// - All-day and cancelled events are skipped with a warning; a repeating event is imported
///   once, at its first occurrence, with a warning.
enum ICalendarImporter {
    static func read(_ source: SourceText) throws(ScheduleError) -> ImportedProgramme {
        let components = try ComponentWalker.walk(try contentLines(source), source: source)
        var warnings: [ScheduleWarning] = []

        // The zone for floating times, and the conference's: --time-zone, X-WR-TIMEZONE, the
        // first IANA-named VTIMEZONE, Europe/Stockholm.
        let namedZone = components.calendarZoneName
            ?? components.zones.values.sorted(by: { $0.line < $1.line }).lazy
                .compactMap { zone in [zone.id, zone.location ?? ""].first(where: { TimeZone(identifier: $0) != nil }) }
                .first
        let (floating, floatingName) = source.zone(named: namedZone, at: SourceLocation(line: 1), warnings: &warnings)
        var resolver = ZoneResolver(zones: components.zones, floating: floating, source: source)

        var drafts: [SessionDraft] = []
        for (properties, beginLine) in components.events {
            try source.checkDeadline(at: SourceLocation(line: beginLine))
            if let draft = try readEvent(
                properties, line: beginLine, index: drafts.count, resolver: &resolver, source: source, warnings: &warnings)
            {
                drafts.append(draft)
            }
        }
        warnings += resolver.warnings
        let conference = Conference(title: clean(components.calendarName), acronym: nil, timeZone: floatingName)
        return ImportedProgramme(conference: conference, drafts: drafts, warnings: warnings)
    }

    // MARK: - One event

    private static func readEvent(
        _ properties: [ContentLine], line: Int, index: Int, resolver: inout ZoneResolver, source: SourceText,
        warnings: inout [ScheduleWarning]
    ) throws(ScheduleError) -> SessionDraft? {
        var draft = SessionDraft(location: SourceLocation(line: line), index: index)
        let byName = collect(properties, into: &draft)
        readText(byName, into: &draft)
        let label = draft.label
        if let flag = byName["X-EFTERHAND-DO-NOT-RECORD"] {
            guard let value = parseBool(flag.value) else {
                throw source.error(
                    "X-EFTERHAND-DO-NOT-RECORD should be TRUE or FALSE, found \"\(abbreviated(flag.value, limit: 20))\"",
                    at: SourceLocation(line: flag.number), event: label)
            }
            draft.doNotRecord = value
        }
        if byName["STATUS"]?.value.uppercased() == "CANCELLED" {
            warnings.append(source.warning("is cancelled (STATUS:CANCELLED); skipped", at: draft.location, event: label))
            return nil
        }
        guard let startLine = byName["DTSTART"] else {
            throw source.error("has no DTSTART", at: draft.location, event: label)
        }
        if startLine.parameter("VALUE")?.uppercased() == "DATE" || (startLine.value.count == 8 && !startLine.value.contains("T")) {
            warnings.append(source.warning("is an all-day entry, not a session; skipped", at: draft.location, event: label))
            return nil
        }
        try readTimes(byName, start: startLine, into: &draft, label: label, resolver: &resolver, source: source)
        if byName["RRULE"] != nil || byName["RDATE"] != nil {
            warnings.append(source.warning(
                "repeats (RRULE/RDATE); only its first occurrence is imported", at: draft.location, event: label))
        }
        return draft
    }

    /// Adds the event's categories and chairs to `draft`, and returns its other properties by
    /// name, the first of each.
    private static func collect(_ properties: [ContentLine], into draft: inout SessionDraft) -> [String: ContentLine] {
        var byName: [String: ContentLine] = [:]
        for property in properties {
            switch property.name {
            case "CATEGORIES":
                draft.keywords += splitEscaped(property.value, on: ",").map(unescape)
            case "ATTENDEE":
                guard property.parameter("ROLE")?.uppercased() == "CHAIR" else { continue }
                var name = property.parameter("CN") ?? property.value
                if name.lowercased().hasPrefix("mailto:") { name = String(name.dropFirst(7)) }
                draft.persons.append(name)
            default:
                if byName[property.name] == nil { byName[property.name] = property }
            }
        }
        return byName
    }

    /// The properties that are plain text, standard and efterhand's own.
    private static func readText(_ byName: [String: ContentLine], into draft: inout SessionDraft) {
        func text(_ name: String) -> String? { byName[name].map { unescape($0.value) } }
        draft.guid = text("UID")
        draft.title = text("SUMMARY")
        draft.language = byName["SUMMARY"]?.parameter("LANGUAGE") ?? byName["DESCRIPTION"]?.parameter("LANGUAGE")
        draft.abstract = text("DESCRIPTION")
        draft.room = text("LOCATION")
        draft.url = byName["URL"]?.value
        draft.id = text("X-EFTERHAND-ID")
        draft.slug = text("X-EFTERHAND-SLUG")
        draft.subtitle = text("X-EFTERHAND-SUBTITLE")
        draft.track = text("X-EFTERHAND-TRACK")
        draft.type = text("X-EFTERHAND-TYPE")
    }

    /// The start from `DTSTART`, and the end from `DTEND`, else `DURATION`, else the start.
    private static func readTimes(
        _ byName: [String: ContentLine], start startLine: ContentLine, into draft: inout SessionDraft, label: String,
        resolver: inout ZoneResolver, source: SourceText
    ) throws(ScheduleError) {
        func fail(_ message: String, _ property: ContentLine) -> ScheduleError {
            source.error(message, at: SourceLocation(line: property.number), event: label)
        }
        guard let start = resolver.instant(startLine) else {
            throw fail("unparseable time \"\(abbreviated(startLine.value, limit: 40))\" in DTSTART", startLine)
        }
        draft.start = start
        if let endLine = byName["DTEND"] {
            guard let end = resolver.instant(endLine) else {
                throw fail("unparseable time \"\(abbreviated(endLine.value, limit: 40))\" in DTEND", endLine)
            }
            draft.end = end
        } else if let durationLine = byName["DURATION"] {
            guard let seconds = TimeText.duration(durationLine.value) else {
                throw fail("unparseable duration \"\(abbreviated(durationLine.value, limit: 40))\"", durationLine)
            }
            draft.end = start.addingTimeInterval(Double(seconds))
        } else {
            // RFC 5545 §3.6.1: a date-time DTSTART alone ends when it starts.
            draft.end = start
        }
    }

    // MARK: - Content lines

    /// One unfolded content line: `NAME;PARAM=value:value`, with the line it started on.
    struct ContentLine {
        var name: String
        var parameters: [(name: String, value: String)]
        var value: String
        var number: Int

        func parameter(_ name: String) -> String? {
            parameters.first(where: { $0.name == name })?.value
        }
    }

    /// Unfolds lines (a line starting with a space or tab continues the one before) on the bytes,
    /// then decodes and splits each into name, parameters and value.
    static func contentLines(_ source: SourceText) throws(ScheduleError) -> [ContentLine] {
        let bytes = source.bytes
        var lines: [ContentLine] = []
        var logical: [UInt8] = []
        var logicalStart = 1
        var lineNumber = 1
        var index = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var haveLogical = false

        func flush() throws(ScheduleError) {
            defer { logical.removeAll(keepingCapacity: true) }
            guard haveLogical, logical.contains(where: { $0 != 0x20 && $0 != 0x09 }) else { return }
            guard let line = parse(logical, number: logicalStart) else {
                throw source.error(
                    "not an iCalendar content line (NAME:value): \"\(abbreviated(decode(logical), limit: 40))\"",
                    at: SourceLocation(line: logicalStart))
            }
            lines.append(line)
        }

        while index < bytes.count {
            // One physical line: up to LF, without a CR before it.
            var end = index
            while end < bytes.count, bytes[end] != 0x0A { end += 1 }
            var contentEnd = end
            if contentEnd > index, bytes[contentEnd - 1] == 0x0D { contentEnd -= 1 }
            let physical = bytes[index..<contentEnd]
            if let first = physical.first, first == 0x20 || first == 0x09, haveLogical {
                logical.append(contentsOf: physical.dropFirst())
            } else {
                try flush()
                logical.append(contentsOf: physical)
                logicalStart = lineNumber
                haveLogical = true
            }
            index = end + 1
            lineNumber += 1
        }
        try flush()
        return lines
    }

    /// Splits `NAME;P1=a;P2="b:c":value` at the first colon outside quotes. Works on bytes: the
    /// delimiters are ASCII, and a long DESCRIPTION is decoded once, as a whole.
    static func parse(_ bytes: [UInt8], number: Int) -> ContentLine? {
        let semicolon = UInt8(ascii: ";"), colon = UInt8(ascii: ":"), quote = UInt8(ascii: "\""), comma = UInt8(ascii: ",")
        var index = 0
        while index < bytes.count, bytes[index] != semicolon, bytes[index] != colon { index += 1 }
        let name = upperASCII(bytes[0..<index])
        guard !name.isEmpty, index < bytes.count else { return nil }
        var parameters: [(name: String, value: String)] = []
        while index < bytes.count, bytes[index] == semicolon {
            index += 1
            let nameStart = index
            while index < bytes.count, ![UInt8(ascii: "="), semicolon, colon].contains(bytes[index]) { index += 1 }
            let parameterName = upperASCII(bytes[nameStart..<index])
            var values: [String] = []
            if index < bytes.count, bytes[index] == UInt8(ascii: "=") {
                index += 1
                repeat {
                    if index < bytes.count, bytes[index] == comma { index += 1 }
                    if index < bytes.count, bytes[index] == quote {
                        let valueStart = index + 1
                        index = valueStart
                        while index < bytes.count, bytes[index] != quote { index += 1 }
                        guard index < bytes.count else { return nil }
                        values.append(decode(bytes[valueStart..<index]))
                        index += 1
                    } else {
                        let valueStart = index
                        while index < bytes.count, ![semicolon, colon, comma].contains(bytes[index]) { index += 1 }
                        values.append(decode(bytes[valueStart..<index]))
                    }
                } while index < bytes.count && bytes[index] == comma
            }
            parameters.append((parameterName, values.joined(separator: ",")))
        }
        guard index < bytes.count, bytes[index] == colon else { return nil }
        return ContentLine(name: name, parameters: parameters, value: decode(bytes[(index + 1)...]), number: number)
    }

    /// A property or parameter name: trimmed and upper-cased. Names are ASCII (RFC 5545 §3.1);
    /// anything else is decoded as it is and will simply match nothing.
    static func upperASCII(_ bytes: ArraySlice<UInt8>) -> String {
        var trimmed = bytes
        while let first = trimmed.first, first == 0x20 || first == 0x09 { trimmed.removeFirst() }
        while let last = trimmed.last, last == 0x20 || last == 0x09 { trimmed.removeLast() }
        guard trimmed.allSatisfy({ $0 < 0x80 }) else { return decode(trimmed).uppercased() }
        return String(decoding: trimmed.map { $0 >= 0x61 && $0 <= 0x7A ? $0 - 0x20 : $0 }, as: UTF8.self)
    }

    /// UTF-8, else Windows-1252.
    static func decode(_ bytes: ArraySlice<UInt8>) -> String {
        String(validating: bytes, as: UTF8.self) ?? windows1252(bytes)
    }

    static func decode(_ bytes: [UInt8]) -> String { decode(bytes[...]) }

    /// RFC 5545 TEXT escapes: `\\`, `\;`, `\,`, `\n` and `\N`; any other escaped character stands
    /// for itself.
    static func unescape(_ text: String) -> String {
        guard text.utf8.contains(UInt8(ascii: "\\")) else { return text }
        // The escapes are ASCII, so this works on the UTF-8 bytes.
        var result: [UInt8] = []
        result.reserveCapacity(text.utf8.count)
        var escaping = false
        for byte in text.utf8 {
            if escaping {
                result.append(byte == UInt8(ascii: "n") || byte == UInt8(ascii: "N") ? 0x0A : byte)
                escaping = false
            } else if byte == UInt8(ascii: "\\") {
                escaping = true
            } else {
                result.append(byte)
            }
        }
        if escaping { result.append(UInt8(ascii: "\\")) }
        return String(decoding: result, as: UTF8.self)
    }

    /// Splits a list value at separators that are not escaped.
    static func splitEscaped(_ text: String, on separator: Character) -> [String] {
        var parts: [String] = []
        var current = ""
        var escaping = false
        for character in text {
            if escaping {
                current.append("\\")
                current.append(character)
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else if character == separator {
                parts.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        if escaping { current.append("\\") }
        parts.append(current)
        return parts
    }
}

/// Windows-1252, the code page of Swedish Windows, for bytes that are not UTF-8.
func windows1252(_ bytes: some Collection<UInt8>) -> String {
    let high: [UInt32] = [
        0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D, 0x017D, 0x8F,
        0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
    ]
    var scalars = String.UnicodeScalarView()
    for byte in bytes {
        let value = (0x80..<0xA0).contains(byte) ? high[Int(byte - 0x80)] : UInt32(byte)
        scalars.append(Unicode.Scalar(value) ?? "\u{FFFD}")
    }
    return String(scalars)
}
