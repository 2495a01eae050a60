import Foundation
import MediaProbe
import Schedule

/// A recording as the linker sees it: where it is, what the probe found, the file's
/// modification time (for the weakest clue to when it was made), and what is said in it
/// where a speech engine listened (its first minutes).
public struct Recording: Sendable {
    public var path: String
    public var probe: ProbeResult
    public var modified: Date?
    /// What was heard; weighed only when the other clues leave the recording in doubt.
    public var heard: [HeardLine]

    /// A recording at `path` as probed, with its file's modification time when known.
    public init(path: String, probe: ProbeResult, modified: Date? = nil, heard: [HeardLine] = []) {
        self.path = path
        self.probe = probe
        self.modified = modified
        self.heard = heard
    }
}

/// Decides which sessions each recording holds. Pure: no I/O, the same answer for the same input.
///
/// The parts, each in its file, called one way, in this order:
/// `ProgrammeIndex` (the programme's lookup tables) → `Clues` (what a recording says about
/// itself) → `ClockReading` (which reading of a camera clock to go by) → `Scoring` (each
/// session against the clues, as typed `Evidence`) → `Placement` (in and out points) →
/// `Decision` (one recording on its own; what is said, `Heard`, when the rest leave it in doubt) → `CrossCheck` (duplicates, parts) → `Elimination`
/// (recordings in review settled by what the others hold). Every fixed figure is in `LinkThresholds`.
public struct Linker: Sendable {
    let programme: ProgrammeIndex
    let options: LinkOptions
    let scorer: Scorer
    let placement: Placement

    /// Prepares the programme for linking (indexes by guid, slug, word and time).
    public init(sessions: [Session], options: LinkOptions) {
        programme = ProgrammeIndex(sessions: sessions, zone: options.timeZone)
        self.options = options
        scorer = Scorer(programme: programme, options: options)
        placement = Placement(programme: programme, options: options)
    }

    /// Links every recording, then looks across recordings for talks recorded in several parts
    /// and for recordings that compete for one talk.
    public func link(_ recordings: [Recording]) -> [RecordingLinks] {
        // Each recording is linked on its own (pure), so one worker per core.
        let decided = ParallelMap.run(recordings) { decide($0) }
        var results = decided.map(\.result)
        crossCheck(&results, alternatives: decided.map(\.alternatives))
        return results
    }
}
