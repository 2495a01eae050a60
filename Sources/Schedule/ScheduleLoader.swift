import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The schedule formats efterhand reads.
public enum ScheduleFormat: String, Sendable, CaseIterable {
    /// c3voc `schedule.json` as pretalx and frab export it, the flat "schedule 2" shape, and the
    /// `efterhand schedule show --json` document.
    case c3vocJSON
    /// frab/pretalx `schedule.xml` and its pentabarf (FOSDEM) and wafer (DebConf) variants.
    case scheduleXML
    /// iCalendar (RFC 5545) `.ics`.
    case iCalendar
    /// A spreadsheet's CSV with a header row, comma- or semicolon-separated.
    case csv

    /// Tells the format from the file's first bytes, and from its extension only when the bytes
    /// do not say. Nil when it is none of the four.
    public static func detect(_ data: Data, fileName: String) -> ScheduleFormat? {
        detect(Array(data.prefix(4096)), fileName: fileName)
    }

    static func detect(_ head: [UInt8], fileName: String) -> ScheduleFormat? {
        var index = head.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        while index < head.count, [0x20, 0x09, 0x0A, 0x0D].contains(head[index]) { index += 1 }
        if index < head.count {
            switch head[index] {
            case UInt8(ascii: "{"), UInt8(ascii: "["): return .c3vocJSON
            case UInt8(ascii: "<"): return .scheduleXML
            default: break
            }
            let start = String(decoding: head[index..<min(head.count, index + 15)], as: UTF8.self)
            if start.uppercased() == "BEGIN:VCALENDAR" { return .iCalendar }
        }
        switch (fileName as NSString).pathExtension.lowercased() {
        case "json": return .c3vocJSON
        case "xml": return .scheduleXML
        case "ics", "ical", "ifb", "icalendar": return .iCalendar
        case "csv", "tsv": return .csv
        default: break
        }
        // A first line with separators looks like a CSV header.
        let firstLine = head[index...].prefix { $0 != 0x0A }
        if firstLine.contains(UInt8(ascii: ";")) || firstLine.contains(UInt8(ascii: ",")) || firstLine.contains(0x09) {
            return .csv
        }
        return nil
    }
}

/// Reads a programme from any of the four formats into one `Programme`.
public enum ScheduleLoader {
    /// Reads the schedule file at `path`. `timeZone` is the zone for wall-clock times that carry
    /// no offset (pentabarf XML, floating iCalendar times, CSV); without it they are read in the
    /// zone the file names, else in Europe/Stockholm. Errors name `path`.
    ///
    /// The path is looked at before it is opened: a folder, a FIFO, a socket or a device is
    /// refused by what it is, and a file larger than `limits.maxBytes` by its size, so nothing
    /// waits on a pipe or reads `/dev/zero` without end.
    public static func load(
        path: String, timeZone: TimeZone? = nil, limits: ScheduleLimits = .standard
    ) throws(ScheduleError) -> Programme {
        let data = try read(path: path, limit: limits.maxBytes)
        return try parse(data, fileName: path, timeZone: timeZone, limits: limits)
    }

    /// Reads a schedule from bytes; `fileName` names it in errors and helps tell the format.
    public static func parse(
        _ data: Data, fileName: String, timeZone: TimeZone? = nil, limits: ScheduleLimits = .standard
    ) throws(ScheduleError) -> Programme {
        guard data.count <= limits.maxBytes else {
            throw ScheduleError(file: fileName, message: tooLarge(data.count, limit: limits.maxBytes))
        }
        var bytes = [UInt8](data)
        bytes = transcodedFromUTF16(bytes)
        guard bytes.contains(where: { ![0x20, 0x09, 0x0A, 0x0D, 0xEF, 0xBB, 0xBF].contains($0) }) else {
            throw ScheduleError(file: fileName, message: "the file is empty")
        }
        guard let format = ScheduleFormat.detect(Array(bytes.prefix(4096)), fileName: fileName) else {
            throw ScheduleError(
                file: fileName, line: 1,
                message: "not a schedule efterhand reads: expected c3voc JSON, schedule XML, iCalendar or CSV")
        }
        let source = SourceText(file: fileName, bytes: bytes, zoneOverride: timeZone, limits: limits)
        let imported: ImportedProgramme
        switch format {
        case .c3vocJSON: imported = try C3VOCImporter.read(source)
        case .scheduleXML: imported = try ScheduleXMLImporter.read(source)
        case .iCalendar: imported = try ICalendarImporter.read(source)
        case .csv: imported = try CSVImporter.read(source)
        }
        return try finish(imported, source: source)
    }

    // MARK: - Reading the file

    /// The bytes of the regular file at `path` (a link is followed), refusing anything else
    /// and anything larger than `limit` before reading a byte.
    static func read(path: String, limit: Int) throws(ScheduleError) -> Data {
        var info = stat()
        guard stat(path, &info) == 0 else {
            let code = errno
            let reason = switch code {
            case ENOENT: "no such file"
            case ENOTDIR: "no such file (a part of the path is not a folder)"
            case EACCES: "permission denied"
            default: String(cString: strerror(code))
            }
            throw ScheduleError(file: path, message: "cannot read the file: \(reason)")
        }
        let kind: String? = switch info.st_mode & S_IFMT {
        case S_IFREG: nil
        case S_IFDIR: "a folder"
        case S_IFIFO: "a FIFO (named pipe)"
        case S_IFSOCK: "a socket"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        default: "not a regular file"
        }
        if let kind {
            throw ScheduleError(file: path, message: "'\(path)' is \(kind), not a programme file")
        }
        let size = Int(clamping: info.st_size)
        guard size <= limit else { throw ScheduleError(file: path, message: tooLarge(size, limit: limit)) }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            let reason = errno == EACCES ? "permission denied" : String(cString: strerror(errno))
            throw ScheduleError(file: path, message: "cannot read the file: \(reason)")
        }
        defer { try? handle.close() }
        let data: Data
        do {
            // One byte past the limit tells a file that grew since the stat.
            data = try handle.read(upToCount: limit + 1) ?? Data()
        } catch {
            let reason = (error as NSError).localizedFailureReason ?? (error as NSError).localizedDescription
            throw ScheduleError(file: path, message: "cannot read the file: \(reason)")
        }
        guard data.count <= limit else { throw ScheduleError(file: path, message: tooLarge(data.count, limit: limit)) }
        return data
    }

    static func tooLarge(_ size: Int, limit: Int) -> String {
        let amount = limit % (1 << 20) == 0 ? "\(limit >> 20) MiB" : "\(limit) bytes"
        return "the file is \(size) bytes, more than the \(amount) a programme may be (ScheduleLimits.maxBytes)"
    }

    // MARK: - Checks every format shares

    /// Checks each draft (a title, a start, an end not before it), gives guids to sessions
    /// without one, sorts, and reports guids used twice.
    static func finish(_ imported: ImportedProgramme, source: SourceText) throws(ScheduleError) -> Programme {
        var warnings = imported.warnings
        var sessions: [Session] = []
        sessions.reserveCapacity(imported.drafts.count)
        var locations: [SourceLocation] = []
        locations.reserveCapacity(imported.drafts.count)
        for draft in imported.drafts {
            let session = try checkedSession(draft, conference: imported.conference, source: source, warnings: &warnings)
            locations.append(draft.location)
            sessions.append(session)
        }
        let sortedSessions = sorted(sessions)
        warnings += repeatedGuidWarnings(unsorted: sessions, sorted: sortedSessions, locations: locations, source: source)
        return Programme(conference: imported.conference, sessions: sortedSessions, warnings: warnings)
    }

    /// One draft as a session: refused without a title or a start, or when it ends before it
    /// starts or outside the years accepted; warned about without an end or with a url that is
    /// not a web address.
    static func checkedSession(
        _ draft: SessionDraft, conference: Conference, source: SourceText, warnings: inout [ScheduleWarning]
    ) throws(ScheduleError) -> Session {
        guard let title = clean(draft.title) else {
            throw source.error("has no title", at: draft.location, event: draft.label)
        }
        guard let start = draft.start else {
            throw source.error("has no start time", at: draft.location, event: draft.label)
        }
        let end: Date
        if let given = draft.end {
            guard given >= start else {
                let zone = TimeZone(identifier: conference.timeZone) ?? SourceText.defaultZone
                throw source.error(
                    "ends before it starts (start \(rfc3339(start, in: zone)), end \(rfc3339(given, in: zone)))",
                    at: draft.location, event: draft.label)
            }
            end = given
        } else {
            warnings.append(source.warning("has no end or duration; it is taken to end when it starts",
                                           at: draft.location, event: draft.label))
            end = start
        }
        for (verb, instant) in [("starts", start), ("ends", end)]
        where !(ScheduleLimits.earliestInstant...ScheduleLimits.latestInstant).contains(instant) {
            throw source.error(
                "\(verb) \(describeOutOfRange(instant)), outside the years 1970 to 9999 that efterhand accepts",
                at: draft.location, event: draft.label)
        }
        var url = clean(draft.url)
        if let given = url, !WebAddress.isWebAddress(given) {
            warnings.append(source.warning(
                "has the url \"\(abbreviated(given, limit: 60))\", which is not an absolute http or https address; it is left out",
                at: draft.location, event: draft.label))
            url = nil
        }
        let room = clean(draft.room)
        let track = clean(draft.track)
        let guid = clean(draft.guid) ?? SessionID.derived(title: title, start: start, room: room)
        return Session(
            guid: guid, id: clean(draft.id), slug: clean(draft.slug), title: title,
            subtitle: clean(draft.subtitle), abstract: clean(draft.abstract), description: clean(draft.description),
            start: start, end: end, room: room, track: track, type: clean(draft.type),
            language: clean(draft.language), persons: cleanList(draft.persons),
            topics: cleanList((track.map { [$0] } ?? []) + draft.keywords), url: url,
            doNotRecord: draft.doNotRecord)
    }

    /// One warning for each guid that more than one session uses, in the order of the sorted
    /// sessions. `unsorted` and `locations` are in source order, index for index, so each
    /// session keeps its source line.
    static func repeatedGuidWarnings(
        unsorted: [Session], sorted: [Session], locations: [SourceLocation], source: SourceText
    ) -> [ScheduleWarning] {
        var firstUse: [String: Int] = [:]
        firstUse.reserveCapacity(unsorted.count)
        var repeated: [String: [Int]] = [:]
        for (index, session) in unsorted.enumerated() {
            if let first = firstUse.updateValue(index, forKey: session.guid) {
                repeated[session.guid, default: [first]].append(index)
                firstUse[session.guid] = first
            }
        }
        var warnings: [ScheduleWarning] = []
        var reported = Set<String>()
        for session in sorted {
            guard let indices = repeated[session.guid], reported.insert(session.guid).inserted else { continue }
            let lines = indices.compactMap { source.resolve(locations[$0]).line }.sorted()
            let names = indices.sorted { sessionOrder(unsorted[$0], unsorted[$1]) }
                .map { "\"\(abbreviated(unsorted[$0].title, limit: 60))\"" }
            let lineList = lines.isEmpty ? "" : " (lines \(lines.map(String.init).joined(separator: ", ")))"
            warnings.append(ScheduleWarning(
                file: source.file, line: lines.first,
                message: "guid \(session.guid) is used by \(indices.count) sessions\(lineList): \(names.joined(separator: ", ")); "
                    + "recordings linked by guid cannot tell them apart"))
        }
        return warnings
    }

    /// A time outside the years accepted, for an error: in UTC when it has a four-digit year.
    static func describeOutOfRange(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        // 253,402,300,800 s is 10000-01-01; year 1 is as far on the other side, less two millennia.
        if seconds.isFinite, abs(seconds) < 253_402_300_800 { return "at " + rfc3339(date, offsetSeconds: 0) }
        return seconds < 0 ? "before the year 1" : "after the year 9999"
    }

    /// `sessionOrder`, done on indices and a small key so that sorting does not move whole
    /// sessions around (a tenth of an import's time, otherwise).
    static func sorted(_ sessions: [Session]) -> [Session] {
        let keys = sessions.map { (start: $0.start, room: $0.room ?? "", hasRoom: $0.room != nil, title: $0.title) }
        let order = sessions.indices.sorted { a, b in
            let x = keys[a], y = keys[b]
            if x.start != y.start { return x.start < y.start }
            if x.hasRoom != y.hasRoom { return !x.hasRoom }
            if x.room != y.room { return x.room < y.room }
            if x.title != y.title { return x.title < y.title }
            return sessionOrder(sessions[a], sessions[b])
        }
        return order.map { sessions[$0] }
    }

    /// By start, then room, then title; the remaining fields break ties so that the order never
    /// depends on the order of the source. Only fields the JSON export keeps break ties
    /// (`description` is not one): otherwise export and re-import could swap two sessions that
    /// differ in their descriptions alone, and the export would not read back to itself. Sessions
    /// that differ in nothing else keep their source order (the sort is stable), and export the same.
    static func sessionOrder(_ a: Session, _ b: Session) -> Bool {
        if a.start != b.start { return a.start < b.start }
        if a.room != b.room { return (a.room ?? "") < (b.room ?? "") || (a.room == nil) }
        if a.title != b.title { return a.title < b.title }
        if a.end != b.end { return a.end < b.end }
        if a.guid != b.guid { return a.guid < b.guid }
        let keysA = [a.id, a.slug, a.subtitle, a.abstract, a.track, a.type, a.language, a.url]
        let keysB = [b.id, b.slug, b.subtitle, b.abstract, b.track, b.type, b.language, b.url]
        for (x, y) in zip(keysA, keysB) where x != y { return (x ?? "") < (y ?? "") || x == nil }
        if a.persons != b.persons { return a.persons.lexicographicallyPrecedes(b.persons) }
        if a.topics != b.topics { return a.topics.lexicographicallyPrecedes(b.topics) }
        return !a.doNotRecord && b.doNotRecord
    }

    /// Excel's "Unicode text" and some Windows tools write UTF-16 with a byte-order mark.
    static func transcodedFromUTF16(_ bytes: [UInt8]) -> [UInt8] {
        let littleEndian = bytes.starts(with: [0xFF, 0xFE])
        guard littleEndian || bytes.starts(with: [0xFE, 0xFF]) else { return bytes }
        var units: [UInt16] = []
        units.reserveCapacity(bytes.count / 2)
        var index = 2
        while index + 1 < bytes.count {
            let pair = littleEndian
                ? UInt16(bytes[index]) | UInt16(bytes[index + 1]) << 8
                : UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1])
            units.append(pair)
            index += 2
        }
        return Array(String(decoding: units, as: UTF16.self).utf8)
    }
}
