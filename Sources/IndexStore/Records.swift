import Foundation
import Linking
import MediaProbe

/// Whether a recording's file could be read, and is still there.
public enum RecordingState: String, Sendable, Codable {
    /// Probed without error.
    case ok
    /// The probe failed; tried again only when the file changes.
    case failed
    /// The file is gone from where it was; kept until `--prune`.
    case missing
}

/// A recording as the index holds it.
public struct StoredRecording: Sendable, Equatable {
    public var id: Int64?
    public var path: String
    public var absolutePath: String
    public var fingerprint: String?
    public var size: Int64?
    public var mtime: Double?
    public var state: RecordingState
    public var probe: ProbeResult?
    public var errorCode: String?
    public var errorMessage: String?
    public var duration: Double?
    public var linkStatus: LinkStatus
    public var recordingStart: Date?
    public var recordingStartSource: StartSource?
    public var duplicateOf: Int64?

    public init(id: Int64? = nil, path: String, absolutePath: String, fingerprint: String?, size: Int64?, mtime: Double?, state: RecordingState,
                probe: ProbeResult?, errorCode: String? = nil, errorMessage: String? = nil, duration: Double? = nil,
                linkStatus: LinkStatus = .unmatched, recordingStart: Date? = nil, recordingStartSource: StartSource? = nil, duplicateOf: Int64? = nil) {
        self.id = id
        self.path = path
        self.absolutePath = absolutePath
        self.fingerprint = fingerprint
        self.size = size
        self.mtime = mtime
        self.state = state
        self.probe = probe
        self.errorCode = errorCode
        self.errorMessage = errorMessage
        self.duration = duration
        self.linkStatus = linkStatus
        self.recordingStart = recordingStart
        self.recordingStartSource = recordingStartSource
        self.duplicateOf = duplicateOf
    }
}

/// A link or a review candidate as stored, with who decided it.
public struct StoredLink: Sendable, Equatable, Codable {
    /// A made link, or an alternative offered for review.
    public enum Kind: String, Sendable, Codable { case link, candidate }
    /// The engine, or a person.
    public enum DecidedBy: String, Sendable, Codable { case auto, manual }

    public var sessionGuid: String
    public var kind: Kind
    public var score: Double
    public var inSeconds: Double
    public var outSeconds: Double
    public var reasons: [String]
    public var flags: [LinkFlag]
    public var part: Int?
    public var parts: Int?
    public var decidedBy: DecidedBy

    public init(sessionGuid: String, kind: Kind, score: Double, inSeconds: Double, outSeconds: Double, reasons: [String], flags: [LinkFlag],
                part: Int? = nil, parts: Int? = nil, decidedBy: DecidedBy) {
        self.sessionGuid = sessionGuid
        self.kind = kind
        self.score = score
        self.inSeconds = inSeconds
        self.outSeconds = outSeconds
        self.reasons = reasons
        self.flags = flags
        self.part = part
        self.parts = parts
        self.decidedBy = decidedBy
    }

    /// From the engine's proposal.
    public init(_ proposed: ProposedLink, kind: Kind) {
        self.init(sessionGuid: proposed.guid, kind: kind, score: proposed.score, inSeconds: proposed.inSeconds, outSeconds: proposed.outSeconds,
                  reasons: proposed.reasons, flags: proposed.flags, part: proposed.part, parts: proposed.parts, decidedBy: .auto)
    }
}

/// The linker's answer for one recording before any person's decision, as the last relink of
/// every recording made it: kept so that a decision is applied to it without linking every
/// recording again (`LinkStage.planDecided`). Kept as JSON (`json`, stable bytes: a relink
/// writes only the ones that changed).
public struct LinkProposal: Sendable, Equatable, Codable {
    public var status: LinkStatus
    public var recordingStart: Date?
    public var recordingStartSource: StartSource?
    public var links: [StoredLink]
    public var candidates: [StoredLink]

    public init(status: LinkStatus, recordingStart: Date?, recordingStartSource: StartSource?, links: [StoredLink], candidates: [StoredLink]) {
        self.status = status
        self.recordingStart = recordingStart
        self.recordingStartSource = recordingStartSource
        self.links = links
        self.candidates = candidates
    }

    /// The linker's answer, its links and candidates as stored rows.
    public init(_ proposal: RecordingLinks) {
        self.init(status: proposal.status, recordingStart: proposal.recordingStart, recordingStartSource: proposal.recordingStartSource,
                  links: proposal.links.map { StoredLink($0, kind: .link) }, candidates: proposal.candidates.map { StoredLink($0, kind: .candidate) })
    }

    /// Every figure as it is (dates as seconds since 1970, doubles whole), keys sorted.
    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .secondsSince1970
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    /// A kept proposal; nil for one that cannot be read (a relink of every recording makes it again).
    public init?(json: String) {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        guard let proposal = try? decoder.decode(LinkProposal.self, from: Data(json.utf8)) else { return nil }
        self = proposal
    }
}

/// A part of a recording that belongs to one session: the unit that search lands on.
public struct Segment: Sendable, Equatable, Codable {
    /// Where a segment's bounds came from.
    public enum Source: String, Sendable, Codable {
        /// One of the recording's chapters.
        case chapter
        /// The whole of the session's part (short sessions without chapters).
        case session
        /// An even cut of a long session without chapters.
        case even
        /// A chapter a person set (`ManualChapter`): wins over the other three.
        case manual
    }

    public var id: Int64?
    public var recordingID: Int64?
    public var sessionGuid: String
    public var position: Int
    public var startSeconds: Double
    public var endSeconds: Double
    public var title: String
    public var topics: [String]
    public var source: Source

    public init(id: Int64? = nil, recordingID: Int64? = nil, sessionGuid: String, position: Int, startSeconds: Double, endSeconds: Double,
                title: String, topics: [String], source: Source) {
        self.id = id
        self.recordingID = recordingID
        self.sessionGuid = sessionGuid
        self.position = position
        self.startSeconds = startSeconds
        self.endSeconds = endSeconds
        self.title = title
        self.topics = topics
        self.source = source
    }
}

/// A person's decision about a recording and a session. Keyed by the recording's fingerprint,
/// so it survives moves, re-ingests and programme re-imports.
public struct Decision: Sendable, Equatable {
    /// What a person decided.
    public enum Action: String, Sendable, Codable {
        /// The recording holds this session (optionally between in and out).
        case accept
        /// The recording does not hold this session.
        case reject
        /// The recording holds no session of the programme.
        case unlink
    }

    public var fingerprint: String
    public var sessionGuid: String?
    public var action: Action
    public var inSeconds: Double?
    public var outSeconds: Double?
    public var path: String?
    public var decidedAt: Date

    public init(fingerprint: String, sessionGuid: String?, action: Action, inSeconds: Double? = nil, outSeconds: Double? = nil,
                path: String? = nil, decidedAt: Date = Date()) {
        self.fingerprint = fingerprint
        self.sessionGuid = sessionGuid
        self.action = action
        self.inSeconds = inSeconds
        self.outSeconds = outSeconds
        self.path = path
        self.decidedAt = decidedAt
    }
}

/// What the index remembers of a file, to decide whether to open it again.
public struct FileState: Sendable, Equatable {
    public var id: Int64
    public var path: String
    public var fingerprint: String?
    public var size: Int64?
    public var mtime: Double?
    public var state: RecordingState
}
