import Foundation

/// One programme item: a talk, workshop or other session, as the schedule describes it.
///
/// Every importer fills the same fields. Text fields are trimmed, with line breaks as `\n`;
/// an empty string in the source becomes `nil`. `start` and `end` are points in time, read
/// with the source's offset or time zone, so they compare across files and zones.
public struct Session: Sendable, Equatable, Codable {
    /// A stable identifier: the source's guid or UID, else a name-based UUID from title, start
    /// and room (see `SessionID`), so re-importing an edited file keeps it.
    public var guid: String
    /// The source's own event id, as text (`"101"`), when it gives one.
    public var id: String?
    /// The source's slug (`iv21-101-digitala-gorel`), when it gives one.
    public var slug: String?
    /// The session's title; never empty.
    public var title: String
    /// A subtitle, when the source gives a non-empty one.
    public var subtitle: String?
    /// The short summary (frab/pretalx `abstract`, iCalendar `DESCRIPTION`, CSV `beskrivning`).
    public var abstract: String?
    /// The long description (frab/pretalx `description`).
    public var description: String?
    /// When the session begins.
    public var start: Date
    /// When the session ends; never before `start`.
    public var end: Date
    /// The room name (iCalendar `LOCATION`).
    public var room: String?
    /// The track name.
    public var track: String?
    /// The kind of session as the source names it (`lecture`, `Talk`, `workshop`).
    public var type: String?
    /// The language code the source gives (`sv`, `en`).
    public var language: String?
    /// Speakers' names, in the source's order, without duplicates.
    public var persons: [String]
    /// Subjects to search and filter by: the track first, then the categories or keywords the
    /// source gives, without duplicates.
    public var topics: [String]
    /// A link to the session's page.
    public var url: String?
    /// The speakers opted out of recording (`do_not_record`, `<recording><optout>`).
    public var doNotRecord: Bool

    /// Makes a session from its parts.
    public init(
        guid: String, id: String? = nil, slug: String? = nil, title: String, subtitle: String? = nil,
        abstract: String? = nil, description: String? = nil, start: Date, end: Date, room: String? = nil,
        track: String? = nil, type: String? = nil, language: String? = nil, persons: [String] = [],
        topics: [String] = [], url: String? = nil, doNotRecord: Bool = false
    ) {
        self.guid = guid
        self.id = id
        self.slug = slug
        self.title = title
        self.subtitle = subtitle
        self.abstract = abstract
        self.description = description
        self.start = start
        self.end = end
        self.room = room
        self.track = track
        self.type = type
        self.language = language
        self.persons = persons
        self.topics = topics
        self.url = url
        self.doNotRecord = doNotRecord
    }
}

/// The conference a programme belongs to.
public struct Conference: Sendable, Equatable, Codable {
    /// The conference's name, when the file gives one.
    public var title: String?
    /// Its short name (`iv21`), when the file gives one.
    public var acronym: String?
    /// The IANA name of the zone the programme is shown in and wall-clock times are read in
    /// (`Europe/Stockholm`).
    public var timeZone: String

    /// Makes a conference header.
    public init(title: String? = nil, acronym: String? = nil, timeZone: String) {
        self.title = title
        self.acronym = acronym
        self.timeZone = timeZone
    }
}

/// Something in a schedule that was accepted but deserves a look, such as two sessions that
/// share a guid. The import still succeeds.
public struct ScheduleWarning: Sendable, Equatable, CustomStringConvertible {
    /// The file the warning is about, as it was named to the loader.
    public var file: String
    /// The 1-based line it concerns, when it concerns one place.
    public var line: Int?
    /// The session it concerns, as `"Title" (id 42)`, when it concerns one.
    public var event: String?
    /// What is wrong, in a sentence.
    public var message: String

    /// Makes a warning.
    public init(file: String, line: Int? = nil, event: String? = nil, message: String) {
        self.file = file
        self.line = line
        self.event = event
        self.message = message
    }

    /// `schedule.json:12: event "Title" (id 42): message`
    public var description: String {
        var text = file
        if let line { text += ":\(line)" }
        text += ": "
        if let event { text += "event \(event): " }
        return text + message
    }
}

/// A conference's programme: its header and its sessions, ready for linking to recordings.
public struct Programme: Sendable, Equatable {
    /// The conference header.
    public var conference: Conference
    /// The sessions, sorted by start, then room, then title (and the remaining fields, so the
    /// order never depends on the order of the source).
    public var sessions: [Session]
    /// What the import noticed but accepted: duplicate guids, an unknown zone name, skipped
    /// calendar entries.
    public var warnings: [ScheduleWarning]

    /// Makes a programme; `sessions` are kept in the order given.
    public init(conference: Conference, sessions: [Session], warnings: [ScheduleWarning] = []) {
        self.conference = conference
        self.sessions = sessions
        self.warnings = warnings
    }
}
