import Foundation

/// Reads a spreadsheet's CSV export: a header row naming the columns, then one session a row.
///
/// - Columns are matched by name, in Swedish or English, ignoring case, accents, spaces and
///   punctuation (`Titel`, `Start`, `Slut`, `Längd`, `Sal`, `Talare`, `Ämnen`, …; see
///   `CSVImporter.columns`). Columns it does not know are listed in a warning.
/// - Separated by commas, semicolons (as Swedish Excel writes) or tabs, whichever the header
///   uses most; Excel's `sep=;` first line is honoured. Quoting per RFC 4180, with line breaks
///   inside quotes. A UTF-8 byte-order mark is skipped; a file that is not UTF-8 is read as
///   Windows-1252.
/// - Times as ISO (`2021-10-04T13:00:00+02:00`) or `2021-10-04 13:00`, or a time of day with a
///   separate date column. The end is an end time or a duration (`45`, `0:45`, `45 min`).
/// - `do_not_record` (`ja`/`nej`, `yes`/`no`, `true`/`false`, `x`) opts out of recording; a
///   `inspelning`/`recording` column says the opposite (`nej` opts out).
/// - The guid is the `guid`/`uid` column, else the `id` column, else derived from title, start
///   and room.
enum CSVImporter {
    enum Column: Hashable {
        case guid, id, slug, title, subtitle, date, start, end, duration, room, persons, topics, track, type
        case language, abstract, description, url, doNotRecord, recording
    }

    /// Header names, folded to lower-case ASCII letters and digits, and the columns they name.
    static let columns: [String: Column] = {
        let names: [Column: [String]] = [
            .guid: ["guid", "uid", "uuid"],
            .id: ["id", "nr", "nummer", "eventid", "sessionid"],
            .slug: ["slug"],
            .title: ["title", "titel", "rubrik", "session", "sessionstitel", "talk", "programpunkt"],
            .subtitle: ["subtitle", "undertitel", "underrubrik"],
            .date: ["date", "datum", "dag", "day"],
            .start: ["start", "starttid", "begin", "borjar", "fran", "from", "starttime", "startdatetime", "starts", "tid", "time"],
            .end: ["end", "slut", "sluttid", "slutar", "till", "to", "endtime", "enddatetime", "ends", "stop"],
            .duration: ["duration", "langd", "varaktighet", "minuter", "minutes", "length", "tidsatgang"],
            .room: ["room", "sal", "lokal", "rum", "plats", "location", "venue", "scen", "stage"],
            .persons: [
                "speakers", "speaker", "talare", "persons", "person", "personer", "presenter", "presenters",
                "presentatorer", "forelasare", "medverkande", "people",
            ],
            .topics: [
                "topics", "topic", "amnen", "amne", "taggar", "tags", "keywords", "nyckelord", "categories", "category",
                "kategorier", "kategori",
            ],
            .track: ["track", "spar", "tema"],
            .type: ["type", "typ", "format", "sessionstyp", "sessiontype"],
            .language: ["language", "sprak", "lang"],
            .abstract: ["abstract", "beskrivning", "sammanfattning", "summary", "ingress"],
            .description: ["description", "langbeskrivning", "detaljer", "details"],
            .url: ["url", "lank", "link", "webb", "webbsida", "webpage", "website"],
            .doNotRecord: [
                "donotrecord", "ejinspelning", "spelaintein", "ingeninspelning", "optout", "recordingoptout", "norecording",
                "inteinspelad",
            ],
            .recording: ["inspelning", "spelasin", "recording", "record", "recorded", "inspelad", "spelainn"],
        ]
        var table: [String: Column] = [:]
        for (column, aliases) in names { for alias in aliases { table[alias] = column } }
        return table
    }()

    /// `Längd (min)` → `langdmin`; then known suffixes are tried off (`langd`).
    static func fold(_ header: String) -> String {
        header.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
            .lowercased()
            .filter { $0.isASCII && ($0.isLetter || $0.isNumber) }
    }

    static func column(for header: String) -> Column? {
        let folded = fold(header)
        if let column = columns[folded] { return column }
        for suffix in ["min", "minuter", "minutes", "hhmm", "iso"] where folded.hasSuffix(suffix) {
            if let column = columns[String(folded.dropLast(suffix.count))] { return column }
        }
        return nil
    }

    /// One cell: its text and the byte offset where it starts.
    struct Cell {
        var text: String
        var offset: Int
    }

    static func read(_ source: SourceText) throws(ScheduleError) -> ImportedProgramme {
        var warnings: [ScheduleWarning] = []
        let bytes = source.bytes
        var start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        let isUTF8 = String(validating: bytes[start...], as: UTF8.self) != nil
        if !isUTF8 {
            warnings.append(source.warning("the file is not UTF-8; it is read as Windows-1252 (Swedish Excel's \"CSV\")"))
        }

        // Excel's `sep=;` line names the separator.
        var separator: UInt8?
        let sepLine = Array("sep=".utf8)
        if bytes.count >= start + 5, bytes[start..<start + 4].map({ $0 | 0x20 }).elementsEqual(sepLine) {
            separator = bytes[start + 4]
            start += 5
            while start < bytes.count, bytes[start] == 0x0D || bytes[start] == 0x0A { start += 1 }
        }
        let delimiter = separator ?? guessDelimiter(bytes, from: start)
        let records = try parseRecords(bytes, from: start, delimiter: delimiter, utf8: isUTF8, source: source)
        guard let header = records.first else { throw source.error("the file has no header row", at: SourceLocation(line: 1)) }

        var mapping: [Column: Int] = [:]
        var unknown: [String] = []
        for (index, cell) in header.enumerated() {
            let name = cell.text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !name.isEmpty else { continue }
            if let column = column(for: name) {
                if mapping[column] == nil { mapping[column] = index }
            } else {
                unknown.append(name)
            }
        }
        let headerPlace = SourceLocation(offset: header.first?.offset ?? start)
        guard mapping[.title] != nil else {
            throw source.error(
                "no title column; name one \"title\" or \"titel\" (the header has: \(header.map(\.text).joined(separator: ", ")))",
                at: headerPlace)
        }
        guard mapping[.start] != nil else {
            throw source.error("no start column; name one \"start\" or \"starttid\"", at: headerPlace)
        }
        if !unknown.isEmpty {
            warnings.append(source.warning("columns not used: \(unknown.joined(separator: ", "))", at: headerPlace))
        }

        let (zone, zoneName) = source.zone(named: nil, at: headerPlace, warnings: &warnings)
        var drafts: [SessionDraft] = []
        drafts.reserveCapacity(records.count)
        for record in records.dropFirst() {
            guard record.contains(where: { !isBlank($0.text) }) else { continue }
            drafts.append(try readRow(record, mapping: mapping, index: drafts.count, zone: zone, source: source))
        }
        let conference = Conference(title: nil, acronym: nil, timeZone: zoneName)
        return ImportedProgramme(conference: conference, drafts: drafts, warnings: warnings)
    }

    private static func readRow(
        _ record: [Cell], mapping: [Column: Int], index: Int, zone: TimeZone, source: SourceText
    ) throws(ScheduleError) -> SessionDraft {
        let row = Row(record: record, mapping: mapping, zone: zone, source: source)
        var draft = row.textFields(index: index)
        let label = draft.label
        if let doNotRecord = try row.doNotRecord(label: label) { draft.doNotRecord = doNotRecord }
        let date = try row.date(label: label)
        guard let startCell = row.cell(.start) else { return draft }
        let start = try row.time(startCell, on: date, label: label)
        draft.start = start.instant
        if let endCell = row.cell(.end) {
            let startDay = CivilDateTime(year: start.civil.year, month: start.civil.month, day: start.civil.day)
            draft.end = try row.time(endCell, on: date ?? startDay, label: label).instant
        } else if let durationCell = row.cell(.duration) {
            guard let seconds = TimeText.duration(durationCell.text) else {
                throw row.fail("unparseable duration \"\(abbreviated(durationCell.text, limit: 40))\"", durationCell, label: label)
            }
            draft.end = start.instant.addingTimeInterval(Double(seconds))
        }
        return draft
    }

    /// One record with the header's column mapping: its cells by column, and each part of a
    /// session read from them.
    private struct Row {
        let record: [Cell]
        let mapping: [Column: Int]
        let zone: TimeZone
        let source: SourceText

        /// The cell in `column`, unless the row has none there or it is blank.
        func cell(_ column: Column) -> Cell? {
            guard let position = mapping[column], position < record.count else { return nil }
            let value = record[position]
            return CSVImporter.isBlank(value.text) ? nil : value
        }

        func fail(_ message: String, _ cell: Cell, label: String) -> ScheduleError {
            source.error(message, at: SourceLocation(offset: cell.offset), event: label)
        }

        /// A draft with every field that is plain text in a cell.
        func textFields(index: Int) -> SessionDraft {
            var draft = SessionDraft(location: SourceLocation(offset: record.first?.offset), index: index)
            draft.title = cell(.title)?.text
            draft.id = cell(.id)?.text
            draft.guid = cell(.guid)?.text ?? draft.id
            draft.slug = cell(.slug)?.text
            draft.subtitle = cell(.subtitle)?.text
            draft.room = cell(.room)?.text
            draft.track = cell(.track)?.text
            draft.type = cell(.type)?.text
            draft.language = cell(.language)?.text
            draft.abstract = cell(.abstract)?.text
            draft.description = cell(.description)?.text
            draft.url = cell(.url)?.text
            draft.persons = splitList(cell(.persons)?.text)
            draft.keywords = splitList(cell(.topics)?.text)
            return draft
        }

        /// The opt-out: a `do_not_record` cell, else the opposite of a `recording` cell; nil
        /// when the row has neither.
        func doNotRecord(label: String) throws(ScheduleError) -> Bool? {
            if let flag = cell(.doNotRecord) {
                guard let value = parseBool(flag.text) else {
                    throw fail("cannot read \"\(abbreviated(flag.text, limit: 20))\" as yes or no", flag, label: label)
                }
                return value
            } else if let flag = cell(.recording) {
                guard let value = parseBool(flag.text) else {
                    throw fail("cannot read \"\(abbreviated(flag.text, limit: 20))\" as yes or no", flag, label: label)
                }
                return !value
            }
            return nil
        }

        /// The date column's day, if the row has one.
        func date(label: String) throws(ScheduleError) -> CivilDateTime? {
            guard let dateCell = cell(.date) else { return nil }
            guard let parsed = TimeText.dateTime(dateCell.text) else {
                throw fail("unparseable date \"\(abbreviated(dateCell.text, limit: 40))\"", dateCell, label: label)
            }
            return CivilDateTime(year: parsed.civil.year, month: parsed.civil.month, day: parsed.civil.day)
        }

        /// A date-time cell, or a time of day on `day`.
        func time(_ cell: Cell, on day: CivilDateTime?, label: String) throws(ScheduleError) -> (instant: Date, civil: CivilDateTime) {
            if let parsed = TimeText.dateTime(cell.text) {
                guard parsed.hasTime else {
                    throw fail("\"\(abbreviated(cell.text, limit: 40))\" has a date but no time of day", cell, label: label)
                }
                return (parsed.instant(defaultZone: zone), parsed.civil)
            }
            if let seconds = TimeText.timeOfDay(cell.text) {
                guard let day else {
                    throw fail(
                        "has the time \"\(abbreviated(cell.text, limit: 20))\" but no date; add a date column or write 2021-10-04 13:00",
                        cell, label: label)
                }
                let civil = day.at(secondsOfDay: seconds)
                return (civil.instant(in: zone), civil)
            }
            throw fail("unparseable time \"\(abbreviated(cell.text, limit: 40))\"", cell, label: label)
        }
    }

    /// True when a cell holds nothing but spaces, tabs and line breaks.
    static func isBlank(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
    }

    /// The separator the header row uses most, outside quotes: `;`, `,` or tab.
    static func guessDelimiter(_ bytes: [UInt8], from start: Int) -> UInt8 {
        var counts: [UInt8: Int] = [UInt8(ascii: ";"): 0, UInt8(ascii: ","): 0, 0x09: 0]
        var quoted = false
        var index = start
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") { quoted.toggle() }
            if !quoted {
                if byte == 0x0A || byte == 0x0D { break }
                counts[byte]? += 1
            }
            index += 1
        }
        // Ties go to the first in this order; a header without any separator is one column.
        var best = UInt8(ascii: ",")
        var bestCount = 0
        for candidate in [UInt8(ascii: ";"), UInt8(ascii: ","), 0x09] where counts[candidate, default: 0] > bestCount {
            best = candidate
            bestCount = counts[candidate, default: 0]
        }
        return best
    }

    /// RFC 4180 records: fields split at `delimiter`, quoted fields may hold separators, line
    /// breaks and doubled quotes. Lenient about text after a closing quote, which is kept.
    static func parseRecords(
        _ bytes: [UInt8], from start: Int, delimiter: UInt8, utf8: Bool, source: SourceText
    ) throws(ScheduleError) -> [[Cell]] {
        let quote = UInt8(ascii: "\"")
        func text(_ slice: ArraySlice<UInt8>) -> String {
            utf8 ? String(decoding: slice, as: UTF8.self) : windows1252(slice)
        }
        var records: [[Cell]] = []
        var sessions = 0
        var index = start
        while index < bytes.count {
            let recordStart = index
            var record: [Cell] = []
            var endOfRecord = false
            while !endOfRecord {
                let fieldStart = index
                var value: String
                if index < bytes.count, bytes[index] == quote {
                    let buffer = try quotedField(bytes, at: &index, delimiter: delimiter, source: source)
                    value = text(buffer[...])
                } else {
                    while index < bytes.count, bytes[index] != delimiter, bytes[index] != 0x0A, bytes[index] != 0x0D { index += 1 }
                    value = text(bytes[fieldStart..<index])
                }
                record.append(Cell(text: value, offset: fieldStart))
                if index < bytes.count, bytes[index] == delimiter {
                    index += 1
                    continue
                }
                if index < bytes.count, bytes[index] == 0x0D { index += 1 }
                if index < bytes.count, bytes[index] == 0x0A { index += 1 }
                endOfRecord = true
            }
            // Rows after the header are sessions, but for blank ones; stop at the first past the limit.
            if !records.isEmpty, record.contains(where: { !isBlank($0.text) }) {
                sessions += 1
                try source.checkSessionCount(sessions, at: SourceLocation(offset: recordStart))
                try source.checkDeadline(at: SourceLocation(offset: recordStart))
            }
            records.append(record)
        }
        return records
    }

    /// The bytes of the quoted field that starts at `index`, its doubled quotes made single,
    /// with any text after its closing quote up to the next separator or line break kept; leaves
    /// `index` there.
    private static func quotedField(
        _ bytes: [UInt8], at index: inout Int, delimiter: UInt8, source: SourceText
    ) throws(ScheduleError) -> [UInt8] {
        let quote = UInt8(ascii: "\"")
        let fieldStart = index
        var buffer: [UInt8] = []
        index += 1
        var closed = false
        while index < bytes.count {
            if bytes[index] == quote {
                if index + 1 < bytes.count, bytes[index + 1] == quote {
                    buffer.append(quote)
                    index += 2
                    continue
                }
                index += 1
                closed = true
                break
            }
            buffer.append(bytes[index])
            index += 1
        }
        guard closed else {
            throw source.error("a quoted field that starts here is never closed", at: SourceLocation(offset: fieldStart))
        }
        let rest = index
        while index < bytes.count, bytes[index] != delimiter, bytes[index] != 0x0A, bytes[index] != 0x0D { index += 1 }
        buffer.append(contentsOf: bytes[rest..<index])
        return buffer
    }
}
