import Foundation
import MediaProbe

/// Settings of an ingest run.
public struct IngestOptions: Sendable {
    /// Folders (or files) of recordings.
    public var media: [String]
    /// Delete recordings whose files are gone instead of marking them missing.
    public var prune = false
    /// Length of even segments for long sessions without chapters.
    public var segmentMinutes: Double = 5
    public var probe = ProbeOptions()
    /// Files modified this recently are looked at twice, this far apart, to skip files still
    /// being written.
    public var settleSeconds: Double = 1
    public var recentSeconds: Double = 30
    /// When the JPEG of every segment and session is made (`--thumbnails`).
    public var thumbnails = ThumbnailMode.onRequest
    /// Width of the thumbnails in pixels.
    public var thumbnailWidth = 320
    /// Follow symlinks whose target lies outside the media folders (`--follow-symlinks`); the
    /// targets become media roots that the server may serve from.
    public var followSymlinks = false

    public init(media: [String]) {
        self.media = media
    }
}

/// When an ingest makes the pictures of segments and sessions.
public enum ThumbnailMode: String, Sendable, CaseIterable {
    /// Named at ingest (file, time, size) with nothing decoded; `efterhand serve` makes each
    /// when it is first asked for, and a later `--thumbnails now` run makes those still missing.
    /// Decoding up to a segment's second costs far more than probing a file.
    case onRequest = "on-request"
    /// Named and made during the ingest, with every named one whose file is missing.
    case now
    /// None named, none made.
    case off
}

/// What an ingest run did, in the contract of `efterhand ingest --json`.
public struct IngestSummary: Sendable, Equatable, Codable {
    public var recordings = 0
    public var new = 0
    public var changed = 0
    public var unchanged = 0
    public var moved = 0
    public var missing = 0
    public var duplicates = 0
    public var failed = 0
    public var linked = 0
    public var review = 0
    public var unmatched = 0
    public var segments = 0
    public var seconds = 0.0
    /// Files passed over (still being written, partial downloads, hidden), with why.
    public var skipped: [String] = []
    /// Files that failed to probe in this run, with FFmpeg's reason, and caption files that
    /// could not be read, with the line.
    public var errors: [String] = []
    /// Cues read from subtitle streams and sidecar files in this run.
    public var cues = 0
    /// Thumbnails made in this run (those already made are not made again), named in this run
    /// to be made on request, and how long both took.
    public var thumbnails = 0
    public var thumbnailsPlanned = 0
    public var thumbnailSeconds = 0.0
    /// Seconds each stage of the run took, by stage (`programme`, `scan`, `probe`, `link`,
    /// `duplicates`, `captions`, `thumbnails`).
    public var stageSeconds: [String: Double] = [:]
    /// Manual decisions whose session left the programme: moved to the same session under its
    /// new guid, or (their recordings) put in review.
    public var decisions: [String] = []
    /// What `ingest --transcribe` drafted (left out of the JSON without it).
    public var speech: TranscribeSummary?

    enum CodingKeys: String, CodingKey {
        case recordings, new, changed, unchanged, moved, missing, duplicates, failed, linked, review, unmatched, segments, seconds
        case skipped, errors, cues, thumbnails, thumbnailsPlanned = "thumbnails_planned", thumbnailSeconds = "thumbnail_seconds"
        case stageSeconds = "stage_seconds", decisions, speech
    }

    public init() {}
}

/// Progress of a run, for a progress bar: which stage, how much of it is done, seconds since
/// the run began.
public struct IngestProgress: Sendable {
    /// The stages that take long on a large week, in order, and what they count.
    public enum Stage: String, Sendable {
        case programme = "storing the programme", probe = "probing", link = "linking", transcribe = "transcribing"

        public var unit: String {
            switch self {
            case .programme: "sessions"
            case .probe: "files"
            case .link: "recordings"
            case .transcribe: "talks"
            }
        }
    }

    public var done: Int
    public var total: Int
    public var elapsed: Double
    public var stage: Stage = .probe

    public init(done: Int, total: Int, elapsed: Double, stage: Stage = .probe) {
        self.done = done
        self.total = total
        self.elapsed = elapsed
        self.stage = stage
    }
}

