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
/// A document with any `<!` declaration other than a comment or CDATA (`<!DOCTYPE`, `<!ENTITY`,
/// `<!ELEMENT`, …) is refused before the XML parser sees it, wherever it stands, so no entity is
/// ever expanded and nothing is fetched (FoundationXML on Linux asks libxml2 to substitute
/// entities). The parser's delegate refuses any declaration that got past that scan as well.
/// A document with a NUL byte, which XML does not allow and which crashes FoundationXML's parser,
/// is refused too. The parser reads the document as a stream, in chunks, because libxml2 refuses
/// a single chunk over 10 MB.
enum ScheduleXMLImporter {
    static func read(_ source: SourceText) throws(ScheduleError) -> ImportedProgramme {
        // XML allows no U+0000. NULs are also how libxml2 guesses UCS-4 from the first four
        // bytes, and FoundationXML's parser on Linux crashes (a null parser context) on a
        // document that begins 00 00 00 3C, so such a file never reaches it.
        if let offset = source.bytes.firstIndex(of: 0) {
            throw source.error(
                "a NUL byte, which XML does not allow (is the file UTF-16 or UTF-32 without a byte order mark?)",
                at: SourceLocation(offset: offset))
        }
        var bytes = source.bytes
        switch scanMarkup(&bytes) {
        case .declaration(let offset)?:
            throw source.error(
                "the document has a DTD or declaration (<!DOCTYPE, <!ENTITY, …); a DTD/entity declaration is not allowed "
                    + "in schedule XML, and efterhand does not expand entities",
                at: SourceLocation(offset: offset))
        case .unclosedInstruction(let offset)?:
            throw source.error("a processing instruction (<?) that starts here is never closed", at: SourceLocation(offset: offset))
        case nil:
            break
        }
        var warnings: [ScheduleWarning] = []
        let document = try utf8Document(bytes, source: source, warnings: &warnings)
        let collector = try parseEvents(document, source: source)
        warnings += collector.undeclaredEntities.map { line in
            source.warning("an undeclared entity (such as &nbsp;) was left out of the text", at: SourceLocation(line: line))
        }
        var imported = try assemble(collector, source: source)
        imported.warnings = warnings + imported.warnings
        return imported
    }

    /// Runs the XML parser over a document that passed the checks, collecting the conference
    /// and its events. Its delegate also stops at any DTD declaration, at the session limit and
    /// at the deadline.
    fileprivate static func parseEvents(_ document: [UInt8], source: SourceText) throws(ScheduleError) -> EventCollector {
        let collector = EventCollector(source: source)
        let parser = XMLParser(stream: InputStream(data: Data(document)))
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
        return collector
    }

    /// `parseEvents` for the tests: whether the parser's delegate alone refuses `document`,
    /// without the scan in front of it.
    static func parseWithoutScan(_ document: [UInt8], source: SourceText) throws(ScheduleError) {
        _ = try parseEvents(document, source: source)
    }

    /// The document as valid UTF-8 with an encoding declaration that says so.
    ///
    /// FoundationXML's parser on Linux traps on element names that are not UTF-8, so the bytes
    /// are checked (and Latin-1 or Windows-1252 converted) here rather than left to libxml2.
    static func utf8Document(
        _ original: [UInt8], source: SourceText, warnings: inout [ScheduleWarning]
    ) throws(ScheduleError) -> [UInt8] {
        var bytes = original
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

    /// What `scanMarkup` refuses, at a byte offset.
    enum MarkupProblem: Equatable {
        /// A `<!` that is neither a comment nor CDATA: `<!DOCTYPE`, `<!ENTITY`, `<!ELEMENT`, ….
        case declaration(Int)
        /// A `<?` without its `?>`.
        case unclosedInstruction(Int)
    }

    /// Walks the markup once, as the XML parser will read it: processing instructions, comments
    /// and CDATA sections are skipped whole (so a `<!--` inside a PI, or a `<!DOCTYPE` inside a
    /// comment, is what the parser takes it for), and so are quoted attribute values inside
    /// tags. Returns the first `<!` that is not a comment or CDATA, which is how every DTD and
    /// declaration begins, wherever it stands.
    ///
    /// Processing instructions after the XML declaration (`<?xml-stylesheet …?>`) are replaced
    /// with spaces, keeping line breaks: schedules carry nothing in them, and FoundationXML on
    /// Linux crashes on one without data (`<?target?>`).
    static func scanMarkup(_ bytes: inout [UInt8]) -> MarkupProblem? {
        let documentStart = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        let open = UInt8(ascii: "<"), close = UInt8(ascii: ">")
        let doubleQuote = UInt8(ascii: "\""), singleQuote = UInt8(ascii: "'")
        var index = documentStart
        while index < bytes.count {
            guard bytes[index] == open else {
                index += 1
                continue
            }
            if matches(bytes, at: index, "<?") {
                guard let end = find(bytes, "?>", from: index + 2) else { return .unclosedInstruction(index) }
                let isDeclaration = index == documentStart && matches(bytes, at: index, "<?xml")
                    && bytes.count > index + 5 && [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index + 5])
                if !isDeclaration {
                    for position in index..<end where bytes[position] != 0x0A && bytes[position] != 0x0D {
                        bytes[position] = 0x20
                    }
                }
                index = end
            } else if matches(bytes, at: index, "<!--") {
                index = find(bytes, "-->", from: index + 4) ?? bytes.count
            } else if matches(bytes, at: index, "<![CDATA[") {
                index = find(bytes, "]]>", from: index + 9) ?? bytes.count
            } else if matches(bytes, at: index, "<!") {
                return .declaration(index)
            } else {
                // A start or end tag, to its `>`; an attribute value may hold `>`, `<!--` or
                // anything else between its quotes.
                index += 1
                var quote: UInt8?
                while index < bytes.count {
                    let byte = bytes[index]
                    if let open = quote {
                        if byte == open { quote = nil }
                    } else if byte == doubleQuote || byte == singleQuote {
                        quote = byte
                    } else if byte == close {
                        break
                    }
                    index += 1
                }
                index += 1
            }
        }
        return nil
    }

    private static func matches(_ bytes: [UInt8], at index: Int, _ text: String) -> Bool {
        let pattern = Array(text.utf8)
        return index + pattern.count <= bytes.count && bytes[index..<index + pattern.count].elementsEqual(pattern)
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

    /// A parser error in words: what libxml2's code means, never a bare number.
    ///
    /// FoundationXML on Linux passes on libxml2's own codes (xmlerror.h's `xmlParserErrors`,
    /// from 1), while its `XMLParser.ErrorCode` counts from 0, so the codes are read here by
    /// libxml2's numbers.
    static func describe(_ error: Error) -> String {
        let code = (error as NSError).code
        let detail = wording[code] ?? "the document is not well-formed (libxml2 error \(code))"
        return "malformed XML: \(detail)"
    }

    /// libxml2's error codes (xmlerror.h), in words. Code 1 is how libxml2 reports its own
    /// limits: in a document read in chunks, an attribute value, CDATA section or comment over
    /// 10 MB (text between tags reaches the delegate in pieces and has no such limit).
    private static let wording: [Int: String] = [
        1: "a text node (attribute value, CDATA section or comment) larger than libxml2's 10 MB limit, or elements nested too deeply",  // XML_ERR_INTERNAL_ERROR
        2: "the XML parser ran out of memory",  // XML_ERR_NO_MEMORY
        3: "the document does not start with XML",  // XML_ERR_DOCUMENT_START
        4: "the document is empty",  // XML_ERR_DOCUMENT_EMPTY
        5: "the document ends early (an element is not closed)",  // XML_ERR_DOCUMENT_END
        6: "a character reference (&#x…;) is not a valid character",  // XML_ERR_INVALID_HEX_CHARREF
        7: "a character reference (&#…;) is not a valid character",  // XML_ERR_INVALID_DEC_CHARREF
        8: "a character reference is not a valid character",  // XML_ERR_INVALID_CHARREF
        9: "a character XML does not allow",  // XML_ERR_INVALID_CHAR
        14: "an entity reference is cut off at the end",  // XML_ERR_ENTITYREF_AT_EOF
        22: "an & that does not start an entity reference (write &amp;)",  // XML_ERR_ENTITYREF_NO_NAME
        23: "an entity reference without its closing ; (write &amp; for &)",  // XML_ERR_ENTITYREF_SEMICOL_MISSING
        26: "an undefined entity (&name;)",  // XML_ERR_UNDECLARED_ENTITY
        31: "the document's encoding is unknown",  // XML_ERR_UNKNOWN_ENCODING
        32: "the document's encoding is not supported",  // XML_ERR_UNSUPPORTED_ENCODING
        33: "a quoted value does not start with a quote",  // XML_ERR_STRING_NOT_STARTED
        34: "a quoted value is not closed",  // XML_ERR_STRING_NOT_CLOSED
        37: "an entity reference is broken",  // XML_ERR_ENTITY_NOT_FINISHED
        38: "an attribute value holds a < (write &lt;)",  // XML_ERR_LT_IN_ATTRIBUTE
        39: "an attribute value does not start with a quote",  // XML_ERR_ATTRIBUTE_NOT_STARTED
        40: "an attribute value is not closed",  // XML_ERR_ATTRIBUTE_NOT_FINISHED
        41: "an attribute has no value",  // XML_ERR_ATTRIBUTE_WITHOUT_VALUE
        42: "an attribute is given twice in one tag",  // XML_ERR_ATTRIBUTE_REDEFINED
        45: "a comment (<!--) is not closed",  // XML_ERR_COMMENT_NOT_FINISHED
        47: "a processing instruction (<?) is not closed",  // XML_ERR_PI_NOT_FINISHED
        57: "the XML declaration (<?xml …?>) is broken",  // XML_ERR_XMLDECL_NOT_FINISHED
        62: "]]> appears in text (write ]]&gt;)",  // XML_ERR_MISPLACED_CDATA_END
        63: "a CDATA section is not closed",  // XML_ERR_CDATA_NOT_FINISHED
        64: "a name starting with \"xml\" is reserved",  // XML_ERR_RESERVED_XML_NAME
        65: "a space is missing (between attributes?)",  // XML_ERR_SPACE_REQUIRED
        68: "a < or & that does not start a tag or a reference (write &lt; or &amp;)",  // XML_ERR_NAME_REQUIRED
        72: "a tag is broken (a < is missing)",  // XML_ERR_LT_REQUIRED
        73: "a tag is not closed with >",  // XML_ERR_GT_REQUIRED
        74: "an end tag is missing",  // XML_ERR_LTSLASH_REQUIRED
        75: "an attribute has no = before its value",  // XML_ERR_EQUAL_REQUIRED
        76: "an end tag does not match its start tag",  // XML_ERR_TAG_NAME_MISMATCH
        77: "a tag is not finished",  // XML_ERR_TAG_NOT_FINISHED
        79: "the encoding name in the XML declaration is broken",  // XML_ERR_ENCODING_NAME
        80: "a comment holds \"--\"",  // XML_ERR_HYPHEN_IN_COMMENT
        81: "the bytes do not match the document's encoding",  // XML_ERR_INVALID_ENCODING
        85: "elements are not properly nested",  // XML_ERR_NOT_WELL_BALANCED
        86: "there is content after the root element",  // XML_ERR_EXTRA_CONTENT
        89: "an entity refers to itself, or expands too far",  // XML_ERR_ENTITY_LOOP
        96: "the XML declaration has no version",  // XML_ERR_VERSION_MISSING
        108: "the XML version is not one libxml2 reads",  // XML_ERR_UNKNOWN_VERSION
        110: "a name longer than libxml2's limit",  // XML_ERR_NAME_TOO_LONG
        112: "a comment ends abruptly (<!--> or <!--->)",  // XML_ERR_COMMENT_ABRUPTLY_ENDED
        114: "the document is beyond one of libxml2's limits (size, depth or entity expansion)",  // XML_ERR_RESOURCE_LIMIT
        512: "the import stopped reading the document",  // NSXMLParserDelegateAbortedParseError
    ]

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
            try source.checkDeadline(at: SourceLocation(line: raw.line, column: raw.column))
            let reader = RawEventReader(raw: raw, zone: zone, dayChange: dayChange, source: source)
            drafts.append(try reader.draft(index: drafts.count))
        }
        let conference = Conference(
            title: clean(collector.conference["title"]), acronym: clean(collector.conference["acronym"]),
            timeZone: zoneName)
        return ImportedProgramme(conference: conference, drafts: drafts, warnings: warnings)
    }
}

/// Reads one collected `<event>` as a draft: its text, its opt-out, and its times in the
/// conference's zone (`dayChange` is the conference's `day_change`, in seconds of the day).
private struct RawEventReader {
    let raw: RawEvent
    let zone: TimeZone
    let dayChange: Int?
    let source: SourceText

    func draft(index: Int) throws(ScheduleError) -> SessionDraft {
        var draft = textFields(index: index)
        let label = draft.label
        if let value = try doNotRecord(label: label) { draft.doNotRecord = value }
        draft.start = try start(label: label)
        draft.end = try end(start: draft.start, label: label)
        return draft
    }

    private func text(_ name: String) -> String? { raw.fields[name]?.text }

    /// An error at the element `field`, else at the event.
    private func fail(_ message: String, field: String, label: String) -> ScheduleError {
        let place = raw.fields[field]
        return source.error(message, at: SourceLocation(line: place?.line ?? raw.line, column: place?.column ?? raw.column), event: label)
    }

    private func textFields(index: Int) -> SessionDraft {
        var draft = SessionDraft(location: SourceLocation(line: raw.line, column: raw.column), index: index)
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
        return draft
    }

    /// `<recording><optout>`, else `<do_not_record>`; nil without either.
    private func doNotRecord(label: String) throws(ScheduleError) -> Bool? {
        if let optout = raw.optout {
            guard let value = parseBool(optout) else {
                throw fail("<optout> should be true or false, found \"\(abbreviated(optout, limit: 20))\"", field: "recording", label: label)
            }
            return value
        } else if let flag = text("do_not_record") {
            guard let value = parseBool(flag) else {
                throw fail("<do_not_record> should be true or false, found \"\(abbreviated(flag, limit: 20))\"", field: "do_not_record", label: label)
            }
            return value
        }
        return nil
    }

    /// `<date>` with a time of day, else `<start>` as a date-time, else `<start>` as a time of
    /// day under `<date>`'s or the day's date (on the next calendar day when earlier than the
    /// day's start).
    private func start(label: String) throws(ScheduleError) -> Date? {
        var startCivil: CivilDateTime?
        if let dateText = clean(text("date")) {
            guard let parsed = TimeText.dateTime(dateText) else {
                throw fail("unparseable time \"\(abbreviated(dateText, limit: 40))\"", field: "date", label: label)
            }
            if parsed.hasTime { return parsed.instant(defaultZone: zone) } else { startCivil = parsed.civil }
        }
        guard let startText = clean(text("start")) else { return nil }
        if let parsed = TimeText.dateTime(startText), parsed.hasTime {
            return parsed.instant(defaultZone: zone)
        } else if let seconds = TimeText.timeOfDay(startText) {
            guard let date = startCivil ?? raw.day?.date else {
                throw fail("has a start time \"\(startText)\" but neither a <date> nor a day date", field: "start", label: label)
            }
            var past = seconds
            if startCivil == nil, let dayStart = raw.day?.startSeconds ?? dayChange, seconds < dayStart { past += 86_400 }
            return date.at(secondsOfDay: past).instant(in: zone)
        } else {
            throw fail("unparseable time \"\(abbreviated(startText, limit: 40))\"", field: "start", label: label)
        }
    }

    /// `<end>`, else the start plus `<duration>`; nil without either.
    private func end(start: Date?, label: String) throws(ScheduleError) -> Date? {
        if let endText = clean(text("end")) {
            guard let parsed = TimeText.dateTime(endText), parsed.hasTime else {
                throw fail("unparseable time \"\(abbreviated(endText, limit: 40))\"", field: "end", label: label)
            }
            return parsed.instant(defaultZone: zone)
        } else if let durationText = clean(text("duration")) {
            guard let seconds = TimeText.duration(durationText) else {
                throw fail("unparseable duration \"\(abbreviated(durationText, limit: 40))\"", field: "duration", label: label)
            }
            return start.map { $0.addingTimeInterval(Double(seconds)) }
        }
        return nil
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

    private let deadline: ImportDeadline
    private let maxSessions: Int
    private let sessionLimitMessage: String

    init(source: SourceText) {
        deadline = source.deadline
        maxSessions = source.limits.maxSessions
        sessionLimitMessage = source.sessionLimitMessage
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

    /// Stops the parse with `message` at the parser's place, keeping the first reason given.
    private func stop(_ parser: XMLParser, _ message: String) {
        if failure == nil { failure = Failure(message: message, line: parser.lineNumber, column: parser.columnNumber) }
        parser.abortParsing()
    }

    /// True (and the parse stopped) once the import has run out of time.
    private func outOfTime(_ parser: XMLParser) -> Bool {
        guard deadline.hasPassed else { return false }
        stop(parser, deadline.message)
        return true
    }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        if failure != nil || outOfTime(parser) { return }
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
            guard events.count < maxSessions else {
                stop(parser, sessionLimitMessage)
                return
            }
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
        stop(parser, ScheduleXMLImporter.describe(parseError))
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if failure != nil || outOfTime(parser) { return }
        append(string)
    }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
        if failure != nil || outOfTime(parser) { return }
        append(String(decoding: CDATABlock, as: UTF8.self))
    }

    // MARK: - Declarations, refused

    // The scan in front of the parser refuses every DTD; should one get past it, the first
    // declaration the parser reports stops the parse. FoundationXML on Linux reports only some:
    // it does not call the entity declaration methods (it expands internal entities silently)
    // and it crashes on <!ATTLIST and <!NOTATION before any method is called, so the scan is
    // what keeps those out; these are here for the declarations it does report and for other
    // Foundations.

    private static let declarationRefused =
        "a DTD/entity declaration is not allowed in schedule XML, and efterhand does not expand entities"

    func parser(_ parser: XMLParser, foundElementDeclarationWithName elementName: String, model: String) {
        stop(parser, Self.declarationRefused + " (<!ELEMENT \(abbreviated(elementName, limit: 30))>)")
    }

    func parser(_ parser: XMLParser, foundInternalEntityDeclarationWithName name: String, value: String?) {
        stop(parser, Self.declarationRefused + " (<!ENTITY \(abbreviated(name, limit: 30))>)")
    }

    func parser(_ parser: XMLParser, foundExternalEntityDeclarationWithName name: String, publicID: String?, systemID: String?) {
        stop(parser, Self.declarationRefused + " (<!ENTITY \(abbreviated(name, limit: 30)) SYSTEM>)")
    }

    func parser(
        _ parser: XMLParser, foundAttributeDeclarationWithName attributeName: String, forElement elementName: String,
        type: String?, defaultValue: String?
    ) {
        stop(parser, Self.declarationRefused + " (<!ATTLIST \(abbreviated(elementName, limit: 30))>)")
    }

    func parser(_ parser: XMLParser, foundNotationDeclarationWithName name: String, publicID: String?, systemID: String?) {
        stop(parser, Self.declarationRefused + " (<!NOTATION \(abbreviated(name, limit: 30))>)")
    }

    func parser(
        _ parser: XMLParser, foundUnparsedEntityDeclarationWithName name: String, publicID: String?, systemID: String?,
        notationName: String?
    ) {
        stop(parser, Self.declarationRefused + " (<!ENTITY \(abbreviated(name, limit: 30)) NDATA>)")
    }

    /// FoundationXML asks this for every entity it does not know: a declared external one
    /// (with a system ID, which only a DTD gives) is refused; an undeclared one (`&nbsp;`) is
    /// left to `parseErrorOccurred`, which reports it.
    func parser(_ parser: XMLParser, resolveExternalEntityName name: String, systemID: String?) -> Data? {
        if systemID != nil { stop(parser, Self.declarationRefused + " (an external entity \(abbreviated(name, limit: 30)))") }
        return nil
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
        if failure != nil { return }
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
