import Foundation
import Schedule

/// What the linker decided for one recording.
public enum LinkStatus: String, Sendable, Codable {
    /// Linked automatically: the score is above the link threshold and no rival comes close.
    case linked
    /// Doubtful: a person should choose among `candidates`.
    case review
    /// No session comes close.
    case unmatched
}

/// A proposed link from a recording to one session, with its score, the part of the
/// recording it covers, and the evidence for it; `reasons` are its words a person can check.
public struct ProposedLink: Sendable, Equatable, Codable {
    public var guid: String
    public var title: String
    /// From 0 to 1.
    public var score: Double
    /// Where the session starts and ends in the recording, in seconds from its beginning.
    public var inSeconds: Double
    public var outSeconds: Double
    /// The clues and steps behind the link, in the order they were found.
    public var evidence: [Evidence]
    /// Machine-readable marks (`do_not_record`, `clock_local_as_utc`, `duplicate`, `part`, ...).
    public var flags: [LinkFlag]
    /// When a talk was recorded in several files: this file's place (1-based) and the count.
    public var part: Int?
    public var parts: Int?

    /// The evidence as reason lines, as `efterhand links --json` and the index write them.
    public var reasons: [String] { evidence.map(\.line) }

    /// A link with its evidence, as the linker makes it.
    public init(guid: String, title: String, score: Double, inSeconds: Double, outSeconds: Double,
                evidence: [Evidence], flags: [LinkFlag] = [], part: Int? = nil, parts: Int? = nil) {
        self.guid = guid
        self.title = title
        self.score = score
        self.inSeconds = inSeconds
        self.outSeconds = outSeconds
        self.evidence = evidence
        self.flags = flags
        self.part = part
        self.parts = parts
    }

    /// A link read back from the index, whose reasons are words only.
    public init(guid: String, title: String, score: Double, inSeconds: Double, outSeconds: Double,
                reasons: [String], flags: [LinkFlag] = [], part: Int? = nil, parts: Int? = nil) {
        self.init(guid: guid, title: title, score: score, inSeconds: inSeconds, outSeconds: outSeconds,
                  evidence: reasons.map(Evidence.stored), flags: flags, part: part, parts: parts)
    }

    /// Two links are equal when they read the same: evidence compares by its words.
    public static func == (a: ProposedLink, b: ProposedLink) -> Bool {
        a.guid == b.guid && a.title == b.title && a.score == b.score && a.inSeconds == b.inSeconds && a.outSeconds == b.outSeconds
            && a.reasons == b.reasons && a.flags == b.flags && a.part == b.part && a.parts == b.parts
    }

    enum CodingKeys: String, CodingKey {
        case guid, title, score, inSeconds = "in_seconds", outSeconds = "out_seconds", reasons, flags, part, parts
    }

    /// Reads a link in the contract of `efterhand link --json`; its reasons come back as words only.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(guid: try c.decode(String.self, forKey: .guid), title: try c.decode(String.self, forKey: .title),
                  score: try c.decode(Double.self, forKey: .score), inSeconds: try c.decode(Double.self, forKey: .inSeconds),
                  outSeconds: try c.decode(Double.self, forKey: .outSeconds), reasons: try c.decode([String].self, forKey: .reasons),
                  flags: try c.decode([LinkFlag].self, forKey: .flags), part: try c.decodeIfPresent(Int.self, forKey: .part),
                  parts: try c.decodeIfPresent(Int.self, forKey: .parts))
    }

    /// Writes the link in the contract of `efterhand link --json` (score to 2 places, points to 3).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(guid, forKey: .guid)
        try c.encode(title, forKey: .title)
        try c.encode((score * 100).rounded() / 100, forKey: .score)
        try c.encode((inSeconds * 1000).rounded() / 1000, forKey: .inSeconds)
        try c.encode((outSeconds * 1000).rounded() / 1000, forKey: .outSeconds)
        try c.encode(reasons, forKey: .reasons)
        try c.encode(flags, forKey: .flags)
        try c.encode(part, forKey: .part)
        try c.encode(parts, forKey: .parts)
    }
}

/// The linker's answer for one recording, in the contract of `efterhand link --json`.
public struct RecordingLinks: Sendable, Equatable, Codable {
    public var path: String
    public var status: LinkStatus
    /// When the recording began on the wall clock, as read (and corrected) by the linker.
    public var recordingStart: Date?
    public var recordingStartSource: StartSource?
    /// The links made (status `linked`), or the best guess when in review.
    public var links: [ProposedLink]
    /// Alternatives for a person to choose from (status `review`, and close runners-up).
    public var candidates: [ProposedLink]

    public init(path: String, status: LinkStatus, recordingStart: Date? = nil, recordingStartSource: StartSource? = nil,
                links: [ProposedLink] = [], candidates: [ProposedLink] = []) {
        self.path = path
        self.status = status
        self.recordingStart = recordingStart
        self.recordingStartSource = recordingStartSource
        self.links = links
        self.candidates = candidates
    }

    enum CodingKeys: String, CodingKey {
        case path, status, recordingStart = "recording_start", recordingStartSource = "recording_start_source", links, candidates
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(path, forKey: .path)
        try c.encode(status, forKey: .status)
        try c.encode(recordingStart, forKey: .recordingStart)
        try c.encode(recordingStartSource, forKey: .recordingStartSource)
        try c.encode(links, forKey: .links)
        try c.encode(candidates, forKey: .candidates)
    }
}

extension RecordingLinks {
    /// A JSON encoder for link results: dates as RFC 3339 with the offset of `zone`
    /// (`2021-10-04T12:58:10+02:00`), keys sorted.
    public static func encoder(zone: TimeZone) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(ClockText.rfc3339(date, zone: zone))
        }
        return encoder
    }
}
