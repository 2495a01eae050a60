import Foundation
import GRDB
import Linking
import MediaProbe
import Schedule

/// The rows of the index's tables as GRDB records: one type per table, each column named once
/// in its `CodingKeys`, JSON columns written as they always were (sorted keys, slashes as they
/// are). A stored value this build does not know (a state, kind, source or action) fails to
/// decode with an error that names its column, instead of reading as some default.
protocol IndexRow: Codable, FetchableRecord, PersistableRecord {}

extension IndexRow {
    static func databaseJSONEncoder(for column: String) -> JSONEncoder { JSONText.encoder() }
}

/// A row of `recording`.
struct RecordingRow: IndexRow {
    static let databaseTableName = "recording"
    var id: Int64?
    var path: String
    var absolutePath: String
    var fingerprint: String?
    var size: Int64?
    var mtime: Double?
    var state: RecordingState
    /// Left out of some reads (see `IndexDatabase.recordings(withProbe:)`).
    var probe: ProbeResult?
    var errorCode: String?
    var errorMessage: String?
    var duration: Double?
    var linkStatus: LinkStatus
    var recordingStart: Double?
    var recordingStartSource: StartSource?
    var duplicateOf: Int64?
    /// Not read back (nil in reads that leave it out); set when a row is written.
    var firstSeen: Double?
    var updatedAt: Double?

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id, path, absolutePath = "absolute_path", fingerprint, size, mtime, state, probe, errorCode = "error_code"
        case errorMessage = "error_message", duration, linkStatus = "link_status", recordingStart = "recording_start"
        case recordingStartSource = "recording_start_source", duplicateOf = "duplicate_of", firstSeen = "first_seen", updatedAt = "updated_at"
    }

    /// The columns a new probe of a known file writes: not its links' state, not when it was first seen.
    static let probeColumns: [CodingKeys] = [.path, .absolutePath, .fingerprint, .size, .mtime, .state, .probe, .errorCode, .errorMessage,
                                             .duration, .updatedAt]
    /// The columns every write of a whole recording sets (all but its id and when it was first seen).
    static let recordingColumns: [CodingKeys] = probeColumns + [.linkStatus, .recordingStart, .recordingStartSource]

    init(_ r: StoredRecording, now: Double) {
        id = r.id
        path = r.path
        absolutePath = r.absolutePath
        fingerprint = r.fingerprint
        size = r.size
        mtime = r.mtime
        state = r.state
        probe = r.probe
        errorCode = r.errorCode
        errorMessage = r.errorMessage
        duration = r.duration
        linkStatus = r.linkStatus
        recordingStart = r.recordingStart?.timeIntervalSince1970
        recordingStartSource = r.recordingStartSource
        duplicateOf = r.duplicateOf
        firstSeen = now
        updatedAt = now
    }

    var recording: StoredRecording {
        StoredRecording(id: id, path: path, absolutePath: absolutePath, fingerprint: fingerprint, size: size, mtime: mtime, state: state,
                        probe: probe, errorCode: errorCode, errorMessage: errorMessage, duration: duration, linkStatus: linkStatus,
                        recordingStart: recordingStart.map(Date.init(timeIntervalSince1970:)), recordingStartSource: recordingStartSource,
                        duplicateOf: duplicateOf)
    }
}

/// A row of `session`: a session of the programme, kept (with `in_programme` false) after it left it.
struct SessionRow: IndexRow {
    static let databaseTableName = "session"
    var guid: String
    var sourceID: String?
    var slug: String?
    var title: String
    var subtitle: String?
    var abstract: String?
    var description: String?
    var start: Double
    var end: Double
    var room: String?
    var track: String?
    var type: String?
    var language: String?
    var persons: [String]
    var topics: [String]
    var url: String?
    var doNotRecord: Bool
    var inProgramme: Bool

    enum CodingKeys: String, CodingKey {
        case guid, sourceID = "source_id", slug, title, subtitle, abstract, description, start, end, room, track, type, language, persons, topics, url
        case doNotRecord = "do_not_record", inProgramme = "in_programme"
    }

    init(_ s: Session) {
        guid = s.guid
        sourceID = s.id
        slug = s.slug
        title = s.title
        subtitle = s.subtitle
        abstract = s.abstract
        description = s.description
        start = s.start.timeIntervalSince1970
        end = s.end.timeIntervalSince1970
        room = s.room
        track = s.track
        type = s.type
        language = s.language
        persons = s.persons
        topics = s.topics
        url = s.url
        doNotRecord = s.doNotRecord
        inProgramme = true
    }

    var session: Session {
        Session(guid: guid, id: sourceID, slug: slug, title: title, subtitle: subtitle, abstract: abstract, description: description,
                start: Date(timeIntervalSince1970: start), end: Date(timeIntervalSince1970: end), room: room, track: track, type: type,
                language: language, persons: persons, topics: topics, url: url, doNotRecord: doNotRecord)
    }
}

/// A row of `link`: a link or a review candidate of one recording, in its place among them.
struct LinkRow: IndexRow {
    static let databaseTableName = "link"
    var id: Int64?
    var recordingID: Int64
    var sessionGuid: String
    var kind: StoredLink.Kind
    var position: Int
    var score: Double
    var inSeconds: Double
    var outSeconds: Double
    var reasons: [String]
    var flags: [LinkFlag]
    var part: Int?
    var parts: Int?
    var decidedBy: StoredLink.DecidedBy

    enum CodingKeys: String, CodingKey {
        case id, recordingID = "recording_id", sessionGuid = "session_guid", kind, position, score, inSeconds = "in_seconds"
        case outSeconds = "out_seconds", reasons, flags, part, parts, decidedBy = "decided_by"
    }

    init(_ link: StoredLink, recordingID: Int64, position: Int) {
        self.recordingID = recordingID
        self.position = position
        sessionGuid = link.sessionGuid
        kind = link.kind
        score = link.score
        inSeconds = link.inSeconds
        outSeconds = link.outSeconds
        reasons = link.reasons
        flags = link.flags
        part = link.part
        parts = link.parts
        decidedBy = link.decidedBy
    }

    var link: StoredLink {
        StoredLink(sessionGuid: sessionGuid, kind: kind, score: score, inSeconds: inSeconds, outSeconds: outSeconds, reasons: reasons,
                   flags: flags, part: part, parts: parts, decidedBy: decidedBy)
    }
}

/// A row of `segment`.
struct SegmentRow: IndexRow {
    static let databaseTableName = "segment"
    var id: Int64?
    var recordingID: Int64
    var sessionGuid: String
    var position: Int
    var startSeconds: Double
    var endSeconds: Double
    var title: String
    var topics: [String]
    var source: Segment.Source

    enum CodingKeys: String, CodingKey {
        case id, recordingID = "recording_id", sessionGuid = "session_guid", position, startSeconds = "start_seconds"
        case endSeconds = "end_seconds", title, topics, source
    }

    init(_ segment: Segment, recordingID: Int64) {
        self.recordingID = recordingID
        sessionGuid = segment.sessionGuid
        position = segment.position
        startSeconds = segment.startSeconds
        endSeconds = segment.endSeconds
        title = segment.title
        topics = segment.topics
        source = segment.source
    }

    var segment: Segment {
        Segment(id: id, recordingID: recordingID, sessionGuid: sessionGuid, position: position, startSeconds: startSeconds,
                endSeconds: endSeconds, title: title, topics: topics, source: source)
    }
}

/// A row of `decision`: what a person decided, by the recording's fingerprint.
struct DecisionRow: IndexRow {
    static let databaseTableName = "decision"
    var id: Int64?
    var fingerprint: String
    var sessionGuid: String?
    var action: Decision.Action
    var inSeconds: Double?
    var outSeconds: Double?
    var path: String?
    var decidedAt: Double

    enum CodingKeys: String, CodingKey {
        case id, fingerprint, sessionGuid = "session_guid", action, inSeconds = "in_seconds", outSeconds = "out_seconds", path
        case decidedAt = "decided_at"
    }

    init(_ d: Decision) {
        fingerprint = d.fingerprint
        sessionGuid = d.sessionGuid
        action = d.action
        inSeconds = d.inSeconds
        outSeconds = d.outSeconds
        path = d.path
        decidedAt = d.decidedAt.timeIntervalSince1970
    }

    var decision: Decision {
        Decision(fingerprint: fingerprint, sessionGuid: sessionGuid, action: action, inSeconds: inSeconds, outSeconds: outSeconds, path: path,
                 decidedAt: Date(timeIntervalSince1970: decidedAt))
    }
}

/// A stored text that must be one of an enum's raw values: anything else is an error that
/// names the column, not a default.
enum StoredValue {
    static func decode<T: RawRepresentable>(_ text: String, column: String) throws -> T where T.RawValue == String {
        guard let value = T(rawValue: text) else {
            throw IndexError(.failed, file: IndexDatabase.fileName, message: "the index holds '\(text)' in \(column), which this efterhand does not know (an index made by a newer version?)")
        }
        return value
    }
}

extension IndexDatabase {
    static func recording(_ row: Row) throws -> StoredRecording { try RecordingRow(row: row).recording }
    static func session(_ row: Row) throws -> Session { try SessionRow(row: row).session }
    static func link(_ row: Row) throws -> StoredLink { try LinkRow(row: row).link }
    static func segment(_ row: Row) throws -> Segment { try SegmentRow(row: row).segment }
}
