import Foundation

extension Programme {
    /// The document `efterhand schedule show --json` prints:
    ///
    ///     {"conference": {"acronym", "time_zone", "title"},
    ///      "sessions": [{"abstract", "do_not_record", "end", "guid", "id", "language", "persons",
    ///                    "room", "slug", "start", "subtitle", "title", "topics", "track", "type", "url"}]}
    ///
    /// Keys are sorted; an unknown value is `null`, never left out; `start` and `end` are RFC 3339
    /// with the offset the conference's zone has at that moment (`2021-10-04T13:00:00+02:00`).
    /// The JSON importer reads this document back to the same sessions (less `description`,
    /// which the contract does not carry).
    public func jsonData() throws -> Data {
        let zone = conference.zone
        let document = Document(
            conference: ConferenceRecord(conference),
            sessions: sessions.map { SessionRecord($0, zone: zone) })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(document)
    }
}

extension Conference {
    /// The conference's zone (Europe/Stockholm when its name is unknown to this system).
    public var zone: TimeZone { TimeZone(identifier: timeZone) ?? SourceText.defaultZone }

    /// RFC 3339 text for `date` with the offset the conference's zone has then:
    /// `2021-10-04T13:00:00+02:00`.
    public func localTimestamp(_ date: Date) -> String { rfc3339(date, in: zone) }
}

private struct Document: Encodable {
    var conference: ConferenceRecord
    var sessions: [SessionRecord]
}

private struct ConferenceRecord: Encodable {
    var conference: Conference

    init(_ conference: Conference) { self.conference = conference }

    enum CodingKeys: String, CodingKey { case title, acronym, timeZone = "time_zone" }

    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        // `encode` of an optional writes null, where the synthesized `encodeIfPresent` would omit it.
        try container.encode(conference.title, forKey: .title)
        try container.encode(conference.acronym, forKey: .acronym)
        try container.encode(conference.timeZone, forKey: .timeZone)
    }
}

private struct SessionRecord: Encodable {
    var session: Session
    var start: String
    var end: String

    init(_ session: Session, zone: TimeZone) {
        self.session = session
        start = rfc3339(session.start, in: zone)
        end = rfc3339(session.end, in: zone)
    }

    enum CodingKeys: String, CodingKey {
        case guid, id, slug, title, subtitle, start, end, room, track, type, language, persons, topics, abstract, url
        case doNotRecord = "do_not_record"
    }

    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(session.guid, forKey: .guid)
        try container.encode(session.id, forKey: .id)
        try container.encode(session.slug, forKey: .slug)
        try container.encode(session.title, forKey: .title)
        try container.encode(session.subtitle, forKey: .subtitle)
        try container.encode(start, forKey: .start)
        try container.encode(end, forKey: .end)
        try container.encode(session.room, forKey: .room)
        try container.encode(session.track, forKey: .track)
        try container.encode(session.type, forKey: .type)
        try container.encode(session.language, forKey: .language)
        try container.encode(session.persons, forKey: .persons)
        try container.encode(session.topics, forKey: .topics)
        try container.encode(session.abstract, forKey: .abstract)
        try container.encode(session.url, forKey: .url)
        try container.encode(session.doNotRecord, forKey: .doNotRecord)
    }
}
