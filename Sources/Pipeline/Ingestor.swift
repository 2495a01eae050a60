import Foundation
import IndexStore
import MediaProbe
import Logging
import Schedule

/// Brings the index up to date with the media folders and the programme: incremental (files
/// whose size and modification time are unchanged are not opened), crash-safe (one transaction
/// per recording), and respectful of manual decisions (they always win over the engine).
///
/// A run is a list of stages, each a type of its own that reads and adds to one `IngestRun`:
/// the programme, what is on disk, probing, linking, copies, drafts from subtitles and sidecar
/// files, thumbnails. One more stage is one more file and one more line in `stages`.
public struct Ingestor: Sendable {
    let database: IndexDatabase
    let options: IngestOptions
    let logger = Logger(label: "efterhand.ingest")

    public init(database: IndexDatabase, options: IngestOptions) {
        self.database = database
        self.options = options
    }

    /// The stages of a run, in order.
    func stages(programme: Programme?) -> [any IngestStage] {
        [
            ProgrammeStage(database: database, programme: programme),
            ScanStage(database: database, options: options),
            ProbeStage(database: database, options: options),
            LinkStage(database: database, segmentMinutes: options.segmentMinutes),
            DuplicateStage(database: database),
            CaptionStage(database: database, options: options),
            ThumbnailStage(database: database, options: options),
        ]
    }

    /// Runs one ingest. `programme` is nil when no schedule was given: recordings are indexed
    /// and left unmatched (or linked to a programme stored earlier).
    public func run(programme: Programme?, progress: @escaping @Sendable (IngestProgress) -> Void = { _ in }) throws -> IngestSummary {
        var run = IngestRun(progress: progress)
        for stage in stages(programme: programme) {
            let started = Date()
            try stage.run(&run)
            run.summary.stageSeconds[type(of: stage).name, default: 0] += Date().timeIntervalSince(started)
        }
        try tally(&run.summary)
        run.summary.seconds = Date().timeIntervalSince(run.started)
        return run.summary
    }

    /// Links every present recording to the stored programme (see `LinkStage`).
    @discardableResult
    public func relink(progress: (_ done: Int, _ total: Int) -> Void = { _, _ in }) throws -> [String] {
        try LinkStage(database: database, segmentMinutes: options.segmentMinutes).relink(progress: progress)
    }

    /// The index's totals after the run, for the summary.
    public func tally(_ summary: inout IngestSummary) throws {
        let counts = try database.counts()
        summary.recordings = (counts["state.ok"] ?? 0) + (counts["state.failed"] ?? 0)
        summary.failed = counts["state.failed"] ?? 0
        summary.missing = counts["state.missing"] ?? 0
        summary.linked = counts["link.linked"] ?? 0
        summary.review = counts["link.review"] ?? 0
        summary.unmatched = (counts["link.unmatched"] ?? 0) + (counts["state.failed"] ?? 0)
        summary.segments = counts["segments"] ?? 0
        summary.duplicates = counts["duplicates"] ?? 0
    }
}

/// One stage of an ingest: reads what the stages before it left in `run`, does its one job on
/// the index, and leaves what the stages after it need.
protocol IngestStage {
    /// What the summary's `stage_seconds` calls it.
    static var name: String { get }
    func run(_ run: inout IngestRun) throws
}

/// What the stages of one run hand on to each other.
struct IngestRun {
    let started = Date()
    let progress: @Sendable (IngestProgress) -> Void
    var summary = IngestSummary()
    /// A run killed between storing recordings (or the programme) and linking them left a note.
    var relinkOwed = false
    var programmeChanged = false
    /// Files to probe (new, changed, or unreadable at the first look), from the scan.
    var toProbe: [String] = []
    /// Size and modification time of each file found, at the first look.
    var onDisk: [String: FileLook] = [:]
    /// Every file found under the media folders, and the index's knowledge of files before the run.
    var found: Set<String> = []
    var known: [String: FileState] = [:]
    /// Recordings stored anew by the probe stage, and those whose files went missing.
    var changedIDs = Set<Int64>()
    var missingIDs: [Int64] = []

    init(progress: @escaping @Sendable (IngestProgress) -> Void) {
        self.progress = progress
    }

    /// Seconds since the run began.
    var elapsed: Double { Date().timeIntervalSince(started) }
}
