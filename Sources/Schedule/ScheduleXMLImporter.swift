import Foundation

#if canImport(FoundationXML)
import FoundationXML
#endif

/// Reads frab and pretalx `schedule.xml` and the older pentabarf shape it grew from, as FOSDEM
/// (pentabarf) and DebConf (wafer) publish it:
///
///     <schedule><conference>…<time_zone_name/></conference>
///       <day index date start end><room name>
///         <event guid id><date/><start/><duration/><room/><slug/><title/>…
///           <persons><person id>Name</person></persons>
///           <recording><license/><optout>false</optout></recording></event>
///
/// An event's `<date>` (with offset) is trusted when present; otherwise its wall-clock `<start>`
/// is read under its day's date, on the next calendar day when earlier than the day's start
/// (the day's `start` attribute, else the conference's `day_change`).
///
/// A document with a DTD (`<!DOCTYPE`, which is where entity declarations live) is refused
/// before the XML parser sees it, so no entity is ever expanded and nothing is fetched; so is
/// one with a NUL byte, which XML does not allow and which crashes FoundationXML's parser.
enum ScheduleXMLImporter {
    static func read(_ source: SourceText) throws(ScheduleError) -> ImportedProgramme {
        if let offset = declarationOffset(in: source.bytes) {
            throw source.error(
                "the document has a DTD (<!DOCTYPE or <!ENTITY); schedule XML needs none, and efterhand does not expand entities",
                at: SourceLocation(offset: offset))
        }
        // XML allows no U+0000. NULs are also how libxml2 guesses UCS-4 from the first four
        // bytes, and FoundationXML's parser on Linux crashes (a null parser context) on a
        // document that begins 00 00 00 3C, so such a file never reaches it.
        if let offset = source.bytes.firstIndex(of: 0) {
            throw source.error(
                "a NUL byte, which XML does not allow (is the file UTF-16 or UTF-32 without a byte order mark?)",
                at: SourceLocation(offset: offset))
        }
        var warnings: [ScheduleWarning] = []
        var document = try utf8Document(source, warnings: &warnings)
        if let offset = blankProcessingInstructions(&document) {
            throw source.error("a processing instruction (<?) that starts here is never closed", at: SourceLocation(offset: offset))
        }
        let collector = EventCollector()
        let parser = XMLParser(data: Data(document))
        parser.shouldResolveExternalEntities = false
        parser.shouldProcessNamespaces = false
        parser.delegate = collector
        _ = parser.parse()
        if let failure = collector.failure {
            throw source.error(failure.message, at: SourceLocation(line: max(failure.line, 1), column: failure.column > 0 ? failure.column : nil))
        }
        guard collector.sawSchedule else {
            throw source.error("the root element should be <schedule>", at: SourceLocation(line: 1))
        }
        warnings += collector.undeclaredEntities.map { line in
            source.warning("an undeclared entity (such as &nbsp;) was left out of the text", at: SourceLocation(line: line))
        }
        var imported = try assemble(collector, source: source)
        imported.warnings = warnings + imported.warnings
        return imported
    }

    /// The document as valid UTF-8 with an encoding declaration that says so.
    ///
    /// FoundationXML's parser on Linux traps on element names that are not UTF-8, so the bytes
    /// are checked (and Latin-1 or Windows-1252 converted) here rather than left to libxml2.
    static func utf8Document(_ source: SourceText, warnings: inout [ScheduleWarning]) throws(ScheduleError) -> [UInt8] {
        var bytes = source.bytes
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        // The XML declaration, if any, and its encoding value.
        var encodingRange: Range<Int>?
        if bytes.starts(with: Array("<?xml".utf8)), let end = find(bytes, "?>", from: 5) {
            let declaration = Array(bytes[0..<end])
            if let key = find(declaration, "encoding", from: 0) {
                var index = key
                while index < declaration.count, declaration[index] == 0x20 || declaration[index] == UInt8(ascii: "=") { index += 1 }
                if index < declaration.count, declaration[index] == UInt8(ascii: "\"") || declaration[index] == UInt8(ascii: "'") {
                    let quote = declaration[index]
                    let valueStart = index + 1
                    if let valueEnd = declaration[valueStart...].firstIndex(of: quote) { encodingRange = valueStart..<valueEnd }
                }
            }
        }
        let declared = encodingRange.map { String(decoding: bytes[$0], as: UTF8.self).lowercased() }
        var text: [UInt8]
        switch declared {
        case nil, "utf-8", "utf8", "us-ascii", "ascii", "utf-16", "utf-16le", "utf-16be":
            // UTF-16 was turned into UTF-8 when the file was read.
            if String(validating: bytes, as: UTF8.self) != nil {
                text = bytes
            } else {
                warnings.append(source.warning("the file is not valid UTF-8; it is read as Windows-1252"))
                text = Array(windows1252(bytes).utf8)
            }
        case "iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "iso-8859-15", "windows-1252", "cp1252":
            text = Array(windows1252(bytes).utf8)
        case let other?:
            throw source.error("the document's encoding \"\(abbreviated(other, limit: 30))\" is not one efterhand reads (UTF-8, UTF-16, ISO-8859-1, Windows-1252)",
                               at: SourceLocation(line: 1))
        }
        if declared != nil, let declaration = find(text, "encoding", from: 0),
            let open = text[declaration...].firstIndex(where: { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "'") }),
            let close = text[(open + 1)...].firstIndex(of: text[open])
        {
            text.replaceSubrange((open + 1)..<close, with: Array("UTF-8".utf8))
        }
        return text
    }

    /// Replaces processing instructions after the XML declaration (`<?xml-stylesheet …?>`) with
    /// spaces, keeping line breaks. Schedules carry nothing in them, and FoundationXML on Linux
    /// crashes on one without data (`<?target?>`). Returns where an unclosed one starts.
    static func blankProcessingInstructions(_ bytes: inout [UInt8]) -> Int? {
        var index = 0
        while index + 1 < bytes.count {
            guard bytes[index] == UInt8(ascii: "<") else {
                index += 1
                continue
            }
            if matches(bytes, at: index, "<!--") {
                index = find(bytes, "-->", from: index + 4) ?? bytes.count
            } else if matches(bytes, at: index, "<![CDATA[") {
                index = find(bytes, "]]>", from: index + 9) ?? bytes.count
            } else if bytes[index + 1] == UInt8(ascii: "?") {
                let isDeclaration = index == 0 && matches(bytes, at: 0, "<?xml")
                    && bytes.count > 5 && [0x20, 0x09, 0x0A, 0x0D].contains(bytes[5])
                guard let end = find(bytes, "?>", from: index + 2) else { return index }
                if !isDeclaration {
                    for position in index..<end where bytes[position] != 0x0A && bytes[position] != 0x0D {
                        bytes[position] = 0x20
                    }
                }
                index = end
            } else {
                index += 1
            }
        }
        return nil
    }

    /// Where a `<!DOCTYPE` or `<!ENTITY` declaration starts, looking through the prolog (the
    /// only place XML allows them) and, to be safe, anywhere outside comments and CDATA.
    static func declarationOffset(in bytes: [UInt8]) -> Int? {
        let doctype = Array("<!DOCTYPE".utf8)
        let entity = Array("<!ENTITY".utf8)
        var index = 0
        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: "<"), index + 1 < bytes.count else {
                index += 1
                continue
            }
            if bytes[index + 1] == UInt8(ascii: "!") {
                if matches(bytes, at: index, "<!--") {
                    index = find(bytes, "-->", from: index + 4) ?? bytes.count
                    continue
                }
                if matches(bytes, at: index, "<![CDATA[") {
                    index = find(bytes, "]]>", from: index + 9) ?? bytes.count
                    continue
                }
                if matchesIgnoringCase(bytes, at: index, doctype) || matchesIgnoringCase(bytes, at: index, entity) {
                    return index
                }
            }
            index += 1
        }
        return nil
    }

    private static func matches(_ bytes: [UInt8], at index: Int, _ text: String) -> Bool {
        let pattern = Array(text.utf8)
        return index + pattern.count <= bytes.count && bytes[index..<index + pattern.count].elementsEqual(pattern)
    }

    private static func matchesIgnoringCase(_ bytes: [UInt8], at index: Int, _ pattern: [UInt8]) -> Bool {
        guard index + pattern.count <= bytes.count else { return false }
        for offset in 0..<pattern.count where bytes[index + offset] | 0x20 != pattern[offset] | 0x20 { return false }
        return true
    }

    /// The offset just past the first `text` at or after `start`.
    private static func find(_ bytes: [UInt8], _ text: String, from start: Int) -> Int? {
        let pattern = Array(text.utf8)
        var index = start
        while index + pattern.count <= bytes.count {
            if bytes[index] == pattern[0], bytes[index..<index + pattern.count].elementsEqual(pattern) {
                return index + pattern.count
            }
            index += 1
        }
        return nil
    }

    static func describe(_ error: Error) -> String {
        let nsError = error as NSError
        let code = XMLParser.ErrorCode(rawValue: nsError.code)
        let detail: String? = switch code {
        case .prematureDocumentEndError: "the document ends early"
        case .tagNameMismatchError: "an end tag does not match its start tag"
        case .undeclaredEntityError: "an undeclared entity is used (&name;)"
        case .entityRefAtEOFError, .entityRefLoopError, .entityNotFinishedError: "an entity reference is broken"
        case .ltRequiredError, .gtRequiredError: "a tag is broken"
        case .attributeNotStartedError, .attributeNotFinishedError, .attributeRedefinedError:
            "an attribute is broken or repeated"
        case .emptyDocumentError: "the document is empty"
        case .documentStartError: "the document does not start with XML"
        case .invalidCharacterError, .invalidCharacterRefError: "the document has an invalid character"
        case .notWellBalancedError: "elements are not properly nested"
        case .extraContentError: "there is content after the root element"
        default: nil
        }
        return "malformed XML: \(detail ?? "XML parser error \(nsError.code)")"
    }

    // MARK: - From collected text to drafts

    private static func assemble(_ collector: EventCollector, source: SourceText) throws(ScheduleError) -> ImportedProgramme {
        var warnings: [ScheduleWarning] = []
        let (zone, zoneName) = source.zone(
            named: collector.conference["time_zone_name"] ?? collector.conference["timezone"],
            at: SourceLocation(line: collector.conferenceLine), warnings: &warnings)
        let dayChange = collector.conference["day_change"].flatMap { TimeText.timeOfDay($0) }
        var drafts: [SessionDraft] = []
        drafts.reserveCapacity(collector.events.count)
        for raw in collector.events {
            var draft = SessionDraft(location: SourceLocation(line: raw.line, column: raw.column), index: drafts.count)
            func text(_ name: String) -> String? { raw.fields[name]?.text }
            draft.guid = raw.attributes["guid"] ?? text("guid")
            draft.id = raw.attributes["id"] ?? text("id")
            draft.slug = text("slug")
            draft.title = text("title")
            draft.subtitle = text("subtitle")
            draft.abstract = text("abstract")
            draft.description = text("description")
            draft.room = text("room") ?? raw.room
            draft.track = text("track")
            draft.type = text("type")
            draft.language = text("language")
            draft.url = text("url")
            draft.persons = raw.persons
            draft.keywords = raw.keywords
            let label = draft.label
            func fail(_ message: String, field: String) -> ScheduleError {
                let place = raw.fields[field]
                return source.error(message, at: SourceLocation(line: place?.line ?? raw.line, column: place?.column ?? raw.column), event: label)
            }

            if let optout = raw.optout {
                guard let value = parseBool(optout) else {
                    throw fail("<optout> should be true or false, found \"\(abbreviated(optout, limit: 20))\"", field: "recording")
                }
                draft.doNotRecord = value
            } else if let flag = text("do_not_record") {
                guard let value = parseBool(flag) else {
                    throw fail("<do_not_record> should be true or false, found \"\(abbreviated(flag, limit: 20))\"", field: "do_not_record")
                }
                draft.doNotRecord = value
            }

            var startCivil: CivilDateTime?
            if let dateText = clean(text("date")) {
                guard let parsed = TimeText.dateTime(dateText) else {
                    throw fail("unparseable time \"\(abbreviated(dateText, limit: 40))\"", field: "date")
                }
                if parsed.hasTime { draft.start = parsed.instant(defaultZone: zone) } else { startCivil = parsed.civil }
            }
            if draft.start == nil, let startText = clean(text("start")) {
                if let parsed = TimeText.dateTime(startText), parsed.hasTime {
                    draft.start = parsed.instant(defaultZone: zone)
                } else if let seconds = TimeText.timeOfDay(startText) {
                    guard let date = startCivil ?? raw.day?.date else {
                        throw fail("has a start time \"\(startText)\" but neither a <date> nor a day date", field: "start")
                    }
                    var past = seconds
                    if startCivil == nil, let dayStart = raw.day?.startSeconds ?? dayChange, seconds < dayStart { past += 86_400 }
                    draft.start = date.at(secondsOfDay: past).instant(in: zone)
                } else {
                    throw fail("unparseable time \"\(abbreviated(startText, limit: 40))\"", field: "start")
                }
            }
            if let endText = clean(text("end")) {
                guard let parsed = TimeText.dateTime(endText), parsed.hasTime else {
                    throw fail("unparseable time \"\(abbreviated(endText, limit: 40))\"", field: "end")
                }
                draft.end = parsed.instant(defaultZone: zone)
            } else if let durationText = clean(text("duration")) {
                guard let seconds = TimeText.duration(durationText) else {
                    throw fail("unparseable duration \"\(abbreviated(durationText, limit: 40))\"", field: "duration")
                }
                draft.end = draft.start.map { $0.addingTimeInterval(Double(seconds)) }
            }
            drafts.append(draft)
        }
        let conference = Conference(
            title: clean(collector.conference["title"]), acronym: clean(collector.conference["acronym"]),
            timeZone: zoneName)
        return ImportedProgramme(conference: conference, drafts: drafts, warnings: warnings)
    }
}

// MARK: - The SAX side

/// What one `<event>` held, as text, with where each part was.
private struct RawEvent {
    struct Field {
        var text: String
        var line: Int
        var column: Int
    }

    var attributes: [String: String]
    var line: Int
    var column: Int
    var room: String?
    var day: DayContext?
    var fields: [String: Field] = [:]
    var persons: [String] = []
    var keywords: [String] = []
    var optout: String?
}

/// The date a `<day>` gives its events, and when that day starts.
private struct DayContext {
    var date: CivilDateTime?
    var startSeconds: Int?
}

/// Collects conference fields and events from XMLParser's callbacks. Elements are matched by
/// name in lower case and position, not by schema, so unknown elements are simply skipped.
private final class EventCollector: NSObject, XMLParserDelegate {
    struct Failure {
        var message: String
        var line: Int
        var column: Int
    }

    var sawSchedule = false
    var conference: [String: String] = [:]
    var conferenceLine = 1
    var events: [RawEvent] = []
    var failure: Failure?
    /// Lines where an undeclared entity (`&nbsp;`) was dropped; accepted, with a warning.
    var undeclaredEntities: [Int] = []

    private var stack: [String] = []
    private var day: DayContext?
    private var room: String?
    private var event: RawEvent?
    private var eventDepth = 0
    /// The event child being read (`title`, `persons`, …) and its text so far.
    private var field: (name: String, line: Int, column: Int)?
    private var fieldText = ""
    /// The grandchild being read (`person`, `optout`, `keyword`) and its text so far.
    private var subfield: String?
    private var subfieldText = ""
    /// Text of a direct child of `<conference>`.
    private var conferenceField: String?
    private var conferenceText = ""

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        let name = elementName.lowercased()
        let depth = stack.count
        stack.append(name)
        if depth == 0 {
            sawSchedule = name == "schedule"
            if !sawSchedule {
                failure = Failure(
                    message: "the root element is <\(elementName)>, not <schedule>; this is not a frab or pentabarf schedule",
                    line: parser.lineNumber, column: parser.columnNumber)
                parser.abortParsing()
            }
            return
        }
        if event != nil {
            if depth == eventDepth + 1 {
                field = (name, parser.lineNumber, parser.columnNumber)
                fieldText = ""
            } else if depth == eventDepth + 2 {
                subfield = name
                subfieldText = ""
            }
            return
        }
        switch (name, stack[depth - 1]) {
        case ("conference", "schedule"):
            conferenceLine = parser.lineNumber
        case (_, "conference") where depth == 2:
            conferenceField = name
            conferenceText = ""
        case ("day", "schedule"):
            var context = DayContext()
            context.date = attributes["date"].flatMap { TimeText.date($0) }
            if let start = attributes["start"].flatMap({ TimeText.dateTime($0) }) {
                context.date = context.date
                    ?? CivilDateTime(year: start.civil.year, month: start.civil.month, day: start.civil.day)
                context.startSeconds = start.civil.hour * 3600 + start.civil.minute * 60 + start.civil.second
            }
            day = context
            room = nil
        case ("room", "day"):
            room = attributes["name"]
        case ("event", _):
            event = RawEvent(
                attributes: attributes, line: parser.lineNumber, column: parser.columnNumber, room: room, day: day)
            eventDepth = depth
        default:
            break
        }
    }

    /// libxml2 codes that are warnings, not errors (xmlerror.h): the document is still read.
    private static let harmless: Set<Int> = [27, 93, 97, 98, 99, 100, 101, 102, 106, 107]
    private static let undeclaredEntity = 26

    /// FoundationXML runs libxml2 in recovery mode and reports every problem here, while
    /// `parse()` still returns true; so the first real error stops the parse.
    func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) {
        let code = (parseError as NSError).code
        if EventCollector.harmless.contains(code) || failure != nil { return }
        if code == EventCollector.undeclaredEntity {
            undeclaredEntities.append(parser.lineNumber)
            return
        }
        failure = Failure(message: ScheduleXMLImporter.describe(parseError), line: parser.lineNumber, column: parser.columnNumber)
        parser.abortParsing()
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        append(string)
    }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
        append(String(decoding: CDATABlock, as: UTF8.self))
    }

    private func append(_ string: String) {
        if event != nil {
            if field != nil { fieldText += string }
            if subfield != nil { subfieldText += string }
        } else if conferenceField != nil {
            conferenceText += string
        }
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        let depth = stack.count - 1
        let name = stack.popLast() ?? elementName.lowercased()
        if event != nil {
            // Mutate `event` in place (`event?.…`) and hold no copy of it meanwhile; a copy would
            // make each change duplicate its dictionary.
            if depth == eventDepth {
                if let finished = event { events.append(finished) }
                event = nil
            } else if depth == eventDepth + 1, let open = field {
                // The first occurrence wins, as most readers of these files do.
                if event?.fields[open.name] == nil {
                    event?.fields[open.name] = RawEvent.Field(text: fieldText, line: open.line, column: open.column)
                }
                field = nil
            } else if depth == eventDepth + 2, let child = subfield, let parent = field?.name {
                switch (parent, child) {
                case ("persons", "person"), ("persons", "speaker"): event?.persons.append(subfieldText)
                case ("recording", "optout"): event?.optout = subfieldText
                case ("keywords", _), ("tags", _), ("categories", _): event?.keywords.append(subfieldText)
                default: break
                }
                subfield = nil
            }
            return
        }
        if depth == 2, stack.last == "conference", let open = conferenceField, open == name {
            if conference[open] == nil { conference[open] = conferenceText }
            conferenceField = nil
        } else if name == "day", depth == 1 {
            day = nil
        } else if name == "room", depth == 2 {
            room = nil
        }
    }
}
