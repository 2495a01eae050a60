import Foundation

/// Reads c3voc `schedule.json` (https://c3voc.de/schedule/schema.json) as pretalx and frab
/// export it, the "schedule 2" shape with a flat `events` list, and the document
/// `efterhand schedule show --json` writes (a flat `sessions` list).
///
/// - Persons come as frab's `{id, public_name}`, pretalx's `{code, name, public_name}`,
///   schedule 2's `participants: [{name, role}]`, or plain strings.
/// - An event's `date` (an ISO date-time with offset) is trusted over the conference's
///   `time_zone_name`; without `date`, `start` (`HH:MM`) is read under the day's date, on the
///   next calendar day when it is earlier than the day's `day_start` (days that run past midnight).
/// - `duration` is `HH:MM` or `HH:MM:SS`; schedule 2's `end` wins over it.
enum C3VOCImporter {
    static func read(_ source: SourceText) throws(ScheduleError) -> ImportedProgramme {
        let root: JSONNode
        switch JSONReader.parse(source.bytes) {
        case .success(let node): root = node
        case .failure(let failure):
            throw source.error(failure.message, at: SourceLocation(offset: failure.offset))
        }
        var reader = Reader(source: source)
        return try reader.read(root)
    }

    private struct Reader {
        let source: SourceText
        var warnings: [ScheduleWarning] = []
        var drafts: [SessionDraft] = []
        var zone: TimeZone = SourceText.defaultZone
        var zoneName = SourceText.defaultZoneName
        var roomNames: [String: String] = [:]
        var trackNames: [String: String] = [:]

        init(source: SourceText) { self.source = source }

        func fail(_ message: String, _ node: JSONNode?, _ path: JSONPath, event: String? = nil) -> ScheduleError {
            source.error(message, at: SourceLocation(offset: node?.offset, jsonPath: path.text), event: event)
        }

        mutating func read(_ root: JSONNode) throws(ScheduleError) -> ImportedProgramme {
            guard root.members != nil else {
                throw fail("expected an object with a \"schedule\" member, found \(root.kind)", root, .root)
            }
            // The c3voc wrapper, or (leniently) its contents without it, or efterhand's own output.
            var schedule = root
            var schedulePath = JSONPath.root
            if let inner = root["schedule"] {
                guard inner.members != nil else {
                    throw fail("\"schedule\" should be an object, found \(inner.kind)", inner, JSONPath.root.key("schedule"))
                }
                schedule = inner
                schedulePath = schedulePath.key("schedule")
            }
            let conference = schedule["conference"]
            let conferencePath = schedulePath.key("conference")
            if let conference, conference.members == nil, !conference.isNull {
                throw fail("\"conference\" should be an object, found \(conference.kind)", conference, conferencePath)
            }
            let zoneNode = conference?.first("time_zone_name", "time_zone", "timezone")
            (zone, zoneName) = source.zone(
                named: zoneNode?.text,
                at: SourceLocation(offset: zoneNode?.offset, jsonPath: conferencePath.key("time_zone_name").text),
                warnings: &warnings)
            indexRoomsAndTracks(conference)

            let days = conference?.first("days")
            // Schedule 2's `events`, or the `sessions` of `efterhand schedule show --json`.
            let flatKey = ["events", "sessions"].first { schedule[$0].map { !$0.isNull } ?? false }
            guard days != nil || flatKey != nil else {
                throw fail("found neither \"conference.days\" (c3voc) nor \"events\" (schedule 2) nor \"sessions\"", schedule, schedulePath)
            }
            if let days {
                let daysPath = conferencePath.key("days")
                guard let list = days.elements else { throw fail("\"days\" should be an array, found \(days.kind)", days, daysPath) }
                for (dayIndex, day) in list.enumerated() {
                    try readDay(day, path: daysPath.index(dayIndex))
                }
            }
            if let flatKey, let flat = schedule[flatKey] {
                let flatPath = schedulePath.key(flatKey)
                guard let list = flat.elements else { throw fail("\"\(flatKey)\" should be an array, found \(flat.kind)", flat, flatPath) }
                for (index, event) in list.enumerated() {
                    try readEvent(event, path: flatPath.index(index), day: nil, roomKey: nil)
                }
            }
            let header = Conference(
                title: clean(conference?["title"]?.text), acronym: clean(conference?["acronym"]?.text),
                timeZone: zoneName)
            return ImportedProgramme(conference: header, drafts: drafts, warnings: warnings)
        }

        /// Schedule 2 refers to rooms and tracks by guid or slug; keep their names at hand.
        mutating func indexRoomsAndTracks(_ conference: JSONNode?) {
            for room in conference?["rooms"]?.elements ?? [] {
                guard let name = clean(room["name"]?.text) else { continue }
                for key in ["guid", "slug", "id"] { if let value = room[key]?.text { roomNames[value] = name } }
            }
            for track in conference?["tracks"]?.elements ?? [] {
                guard let name = clean(track["name"]?.text) else { continue }
                for key in ["guid", "slug", "id"] { if let value = track[key]?.text { trackNames[value] = name } }
            }
        }

        /// The context a c3voc day gives its events: the date, and when the day starts.
        struct Day {
            var date: CivilDateTime?
            var startSeconds: Int?
        }

        mutating func readDay(_ node: JSONNode, path: JSONPath) throws(ScheduleError) {
            guard node.members != nil else { throw fail("a day should be an object, found \(node.kind)", node, path) }
            var day = Day()
            if let dateNode = node["date"], let text = dateNode.text {
                guard let date = TimeText.date(text) else {
                    throw fail("unparseable date \"\(abbreviated(text, limit: 40))\"", dateNode, path.key("date"))
                }
                day.date = date
            }
            if let startNode = node.first("day_start", "start"), let text = startNode.text {
                guard let parsed = TimeText.dateTime(text) else {
                    throw fail("unparseable time \"\(abbreviated(text, limit: 40))\"", startNode, path.key("day_start"))
                }
                day.date = day.date ?? CivilDateTime(year: parsed.civil.year, month: parsed.civil.month, day: parsed.civil.day)
                day.startSeconds = parsed.civil.hour * 3600 + parsed.civil.minute * 60 + parsed.civil.second
            }
            guard let rooms = node["rooms"], !rooms.isNull else { return }
            let roomsPath = path.key("rooms")
            if let members = rooms.members {
                for (roomName, events) in members {
                    let roomPath = roomsPath.key(roomName)
                    guard let list = events.elements else {
                        throw fail("a room's events should be an array, found \(events.kind)", events, roomPath)
                    }
                    for (index, event) in list.enumerated() {
                        try readEvent(event, path: roomPath.index(index), day: day, roomKey: roomName)
                    }
                }
            } else if let list = rooms.elements {
                // Some generators write rooms as a list of {name, events}.
                for (roomIndex, room) in list.enumerated() {
                    let roomPath = roomsPath.index(roomIndex)
                    for (index, event) in (room.first("events", "talks")?.elements ?? []).enumerated() {
                        try readEvent(event, path: roomPath.key("events").index(index), day: day, roomKey: room["name"]?.text)
                    }
                }
            } else {
                throw fail("\"rooms\" should be an object of room names, found \(rooms.kind)", rooms, roomsPath)
            }
        }

        mutating func readEvent(_ node: JSONNode, path: JSONPath, day: Day?, roomKey: String?) throws(ScheduleError) {
            guard node.members != nil else { throw fail("an event should be an object, found \(node.kind)", node, path) }
            if drafts.count >= source.limits.maxSessions { throw fail(source.sessionLimitMessage, node, path) }
            if source.deadline.hasPassed { throw fail(source.deadline.message, node, path) }
            var draft = textFields(node, path: path, roomKey: roomKey)
            let label = draft.label
            if let flag = node.first("do_not_record") {
                draft.doNotRecord = try doNotRecord(flag, path: path, label: label)
            }
            let start = try startTime(node, path: path, day: day, label: label)
            draft.start = start
            draft.end = try endTime(node, start: start, path: path, label: label)
            drafts.append(draft)
        }

        /// A draft with the event's text fields, its persons and its keywords.
        ///
        /// Fields are looked up with `JSONNode.first`, a linear search, which beats hashing here:
        /// an event has a score of short keys, and short strings compare as integers. The last of
        /// a repeated key wins.
        func textFields(_ node: JSONNode, path: JSONPath, roomKey: String?) -> SessionDraft {
            var draft = SessionDraft(location: SourceLocation(offset: node.offset, jsonPath: path.text), index: drafts.count)
            draft.guid = node.first("guid", "uuid")?.text
            draft.id = node.first("id", "code")?.text
            draft.slug = node.first("slug")?.text
            draft.title = localized(node.first("title"), language: nil)
            draft.language = node.first("language")?.text
            draft.subtitle = localized(node.first("subtitle"), language: draft.language)
            draft.abstract = localized(node.first("abstract"), language: draft.language)
            draft.description = localized(node.first("description"), language: draft.language)
            draft.type = node.first("type")?.text
            draft.url = node.first("url")?.text
            draft.track = named(node.first("track"), table: trackNames)
            draft.room = named(node.first("room"), table: roomNames) ?? roomKey
            draft.persons = personNames(node.first("persons") ?? node.first("participants") ?? node.first("speakers"))
            for key in ["keywords", "tags", "topics", "categories"] {
                if let list = node.first(key) { draft.keywords += personNames(list) }
            }
            return draft
        }

        /// `do_not_record` as a boolean, or as text that reads as yes or no.
        func doNotRecord(_ flag: JSONNode, path: JSONPath, label: String) throws(ScheduleError) -> Bool {
            if case .bool(let value) = flag.value { return value }
            guard let text = flag.text, let value = parseBool(text) else {
                throw fail("\"do_not_record\" should be true or false, found \(flag.kind)", flag, path.key("do_not_record"), event: label)
            }
            return value
        }

        /// The start: `date` (trusted, with its offset), else `start` as a date-time, else
        /// `start` as a time of day under the day's date.
        func startTime(_ node: JSONNode, path: JSONPath, day: Day?, label: String) throws(ScheduleError) -> Date? {
            var startCivil: CivilDateTime?
            if let dateNode = node.first("date") {
                guard let text = dateNode.text, let parsed = TimeText.dateTime(text) else {
                    throw fail("unparseable time \(quoted(dateNode))", dateNode, path.key("date"), event: label)
                }
                if parsed.hasTime { return parsed.instant(defaultZone: zone) }
                startCivil = parsed.civil
            }
            guard let startNode = node.first("start") else { return nil }
            guard let text = startNode.text else {
                throw fail("unparseable time \(quoted(startNode))", startNode, path.key("start"), event: label)
            }
            if let parsed = TimeText.dateTime(text), parsed.hasTime {
                return parsed.instant(defaultZone: zone)
            } else if let seconds = TimeText.timeOfDay(text) {
                guard let date = startCivil ?? day?.date else {
                    throw fail("has a start time \"\(text)\" but no date", startNode, path.key("start"), event: label)
                }
                var past = seconds
                if startCivil == nil, let dayStart = day?.startSeconds, seconds < dayStart { past += 86_400 }
                return date.at(secondsOfDay: past).instant(in: zone)
            } else {
                throw fail("unparseable time \(quoted(startNode))", startNode, path.key("start"), event: label)
            }
        }

        /// The end: schedule 2's `end`, else the start plus `duration`; nil without either.
        func endTime(_ node: JSONNode, start: Date?, path: JSONPath, label: String) throws(ScheduleError) -> Date? {
            if let endNode = node.first("end") {
                guard let text = endNode.text, let parsed = TimeText.dateTime(text), parsed.hasTime else {
                    throw fail("unparseable time \(quoted(endNode))", endNode, path.key("end"), event: label)
                }
                return parsed.instant(defaultZone: zone)
            }
            guard let durationNode = node.first("duration") else { return nil }
            let seconds: Int?
            if case .number(let text) = durationNode.value {
                // A bare number is minutes, as some generators write it.
                seconds = Double(text).flatMap { $0.isFinite && abs($0) < 1e7 ? Int($0 * 60) : nil }
            } else {
                seconds = durationNode.text.flatMap { TimeText.duration($0) }
            }
            guard let seconds else {
                throw fail("unparseable duration \(quoted(durationNode))", durationNode, path.key("duration"), event: label)
            }
            return start.map { $0.addingTimeInterval(Double(seconds)) }
        }

        /// A string, or one language of an `{"en": …, "de": …}` object: the event's language,
        /// else English, else the first given.
        func localized(_ node: JSONNode?, language: String?) -> String? {
            guard let node else { return nil }
            if let text = node.text { return text }
            guard let members = node.members else { return nil }
            let texts = members.compactMap { member in member.node.text.map { (member.key, $0) } }
            return texts.first(where: { $0.0 == language })?.1 ?? texts.first(where: { $0.0 == "en" })?.1 ?? texts.first?.1
        }

        /// A room or track given as a name, or as an object with a name, guid or slug.
        func named(_ node: JSONNode?, table: [String: String]) -> String? {
            guard let node else { return nil }
            if let text = node.text { return text }
            if let name = node["name"]?.text { return name }
            for key in ["guid", "slug", "id"] {
                if let value = node[key]?.text, let name = table[value] { return name }
            }
            return node["slug"]?.text
        }

        /// Names from strings or person objects (frab `public_name`, pretalx `name`).
        func personNames(_ node: JSONNode?) -> [String] {
            guard let node else { return [] }
            if let text = node.text { return splitList(text) }
            return (node.elements ?? []).compactMap { element in
                element.text ?? element.first("public_name", "name", "full_public_name", "full_name", "tag")?.text
            }
        }

        func quoted(_ node: JSONNode) -> String {
            node.text.map { "\"\(abbreviated($0, limit: 40))\"" } ?? node.kind
        }
    }
}
