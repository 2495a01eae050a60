import Foundation
import Linking
import Logging
import MediaProbe
import Schedule

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
    /// Make a JPEG for every segment and session (off with `--no-thumbnails`).
    public var thumbnails = true
    /// Width of the thumbnails in pixels.
    public var thumbnailWidth = 320
    /// Follow symlinks whose target lies outside the media folders (`--follow-symlinks`); the
    /// targets become media roots that the server may serve from.
    public var followSymlinks = false

    public init(media: [String]) {
        self.media = media
    }
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
    /// Thumbnails made in this run (those already made are not made again), and how long it took.
    public var thumbnails = 0
    public var thumbnailSeconds = 0.0
    /// Manual decisions whose session left the programme: moved to the same session under its
    /// new guid, or (their recordings) put in review.
    public var decisions: [String] = []

    enum CodingKeys: String, CodingKey {
        case recordings, new, changed, unchanged, moved, missing, duplicates, failed, linked, review, unmatched, segments, seconds
        case skipped, errors, cues, thumbnails, thumbnailSeconds = "thumbnail_seconds", decisions
    }

    public init() {}
}

/// Progress of a run, for a progress bar: which stage, how much of it is done, seconds since
/// the run began.
public struct IngestProgress: Sendable {
    /// The stages that take long on a large week, in order, and what they count.
    public enum Stage: String, Sendable {
        case programme = "storing the programme", probe = "probing", link = "linking"

        public var unit: String {
            switch self {
            case .programme: "sessions"
            case .probe: "files"
            case .link: "recordings"
            }
        }
    }

    public var done: Int
    public var total: Int
    public var elapsed: Double
    public var stage: Stage = .probe
}

/// Brings the index up to date with the media folders and the programme: incremental (files
/// whose size and modification time are unchanged are not opened), crash-safe (one transaction
/// per recording), and respectful of manual decisions (they always win over the engine).
public struct Ingestor: Sendable {
    let database: IndexDatabase
    let options: IngestOptions
    let logger = Logger(label: "efterhand.ingest")

    public init(database: IndexDatabase, options: IngestOptions) {
        self.database = database
        self.options = options
    }

    /// Runs one ingest. `programme` is nil when no schedule was given: recordings are indexed
    /// and left unmatched (or linked to a programme stored earlier).
    public func run(programme: Programme?, progress: @Sendable (IngestProgress) -> Void = { _ in }) throws -> IngestSummary {
        let started = Date()
        var summary = IngestSummary()
        // A run killed between storing recordings (or the programme) and linking them left a note.
        let relinkOwed = try database.owedRelink() != nil
        let programmeChanged = try programme.map { programme in
            try database.saveProgramme(programme) { done in
                progress(IngestProgress(done: done, total: programme.sessions.count, elapsed: Date().timeIntervalSince(started), stage: .programme))
            }
        } ?? false

        // 1. What is on disk now.
        let found = MediaFiles.expand(options.media, followSymlinks: options.followSymlinks)
        try database.addMediaRoots(found.roots)
        summary.skipped = found.skipped.map { "\($0.path): \($0.reason)" }
        let firstLook = Date()
        var onDisk: [String: (size: Int64, mtime: Double)] = [:]
        for path in found.files {
            if let look = Self.look(path) { onDisk[path] = look }
        }

        // 2. What the index knows.
        let known = try database.fileStates()
        var toProbe: [String] = []
        for path in found.files {
            guard let look = onDisk[path] else {
                toProbe.append(path)
                continue
            }
            if let state = known[path], state.state != .missing, state.size == look.size, state.mtime == look.mtime {
                summary.unchanged += 1
            } else {
                toProbe.append(path)
            }
        }

        // 3. Files modified a moment ago may still be growing: look again after a pause.
        let now = Date().timeIntervalSince1970
        let recent = toProbe.filter { onDisk[$0].map { now - $0.mtime < options.recentSeconds } ?? false }
        if !recent.isEmpty {
            let wait = options.settleSeconds - Date().timeIntervalSince(firstLook)
            if wait > 0 { Thread.sleep(forTimeInterval: wait) }
            var growing = Set<String>()
            for path in recent where Self.look(path).map({ $0.size != onDisk[path]!.size || $0.mtime != onDisk[path]!.mtime }) ?? true {
                growing.insert(path)
                summary.skipped.append("\(path): still being written (size changed between two looks)")
            }
            toProbe.removeAll { growing.contains($0) }
        }

        // 4. Probe and fingerprint what is new or changed, in parallel.
        let total = toProbe.count
        let counter = ProgressCounter()
        let prober = Prober(options: options.probe)
        let probed = ParallelMap.run(toProbe) { path -> (ProbeResult, String?) in
            let result = prober.probe(path)
            let fingerprint = Fingerprint.of(path: path)
            let done = counter.increment()
            progress(IngestProgress(done: done, total: total, elapsed: Date().timeIntervalSince(started)))
            return (result, fingerprint)
        }

        // 5. Moves, new and changed files, missing ones.
        let seen = Set(found.files)
        let roots = options.media.map(IndexDatabase.absolute)
        var vanished = known.values.filter { state in
            !seen.contains(state.path) && MediaFiles.isInside(IndexDatabase.absolute(state.path), roots: roots)
        }
        var changedIDs = Set<Int64>()
        for (path, (result, fingerprint)) in zip(toProbe, probed) {
            let look = onDisk[path]
            var record = StoredRecording(
                path: path, absolutePath: IndexDatabase.absolute(path), fingerprint: fingerprint, size: result.sizeBytes ?? look?.size,
                mtime: look?.mtime, state: result.succeeded ? .ok : .failed, probe: result, errorCode: result.error?.code.rawValue,
                errorMessage: result.error?.message, duration: result.durationSeconds)
            if let existing = known[path] {
                record.id = existing.id
                if existing.state == .missing { summary.new += 1 } else { summary.changed += 1 }
            } else if let fingerprint, let index = vanished.firstIndex(where: { $0.fingerprint == fingerprint }) {
                // The same file, vanished from one path and found at another: a move keeps its id.
                record.id = vanished[index].id
                vanished.remove(at: index)
                summary.moved += 1
            } else {
                summary.new += 1
            }
            if let error = result.error { summary.errors.append(error.message) }
            if let id = record.id, record.state == .ok {
                // A known file that still probes: its links stay until relink() has the new ones.
                try database.saveProbe(record)
                changedIDs.insert(id)
            } else {
                // New, or no longer readable (relink() passes failed files over): no links.
                changedIDs.insert(try database.saveRecording(record, links: [], segments: []))
            }
        }
        let missingIDs = vanished.filter { $0.state != .missing }.map(\.id)
        if options.prune {
            try database.delete(vanished.map(\.id))
        } else {
            try database.markMissing(missingIDs)
        }

        // 6. Link and segment, when anything that linking depends on changed.
        let decisions = try database.decisions()
        let decisionsChanged = !decisions.isEmpty && !changedIDs.isEmpty
        if relinkOwed || programmeChanged || !changedIDs.isEmpty || !missingIDs.isEmpty || decisionsChanged || summary.moved > 0 {
            summary.decisions = try relink { done, total in
                progress(IngestProgress(done: done, total: total, elapsed: Date().timeIntervalSince(started), stage: .link))
            }
        }

        // 7. Copies of one file at several paths.
        try markDuplicates()

        // 8. Drafts from subtitle streams and sidecar files; then thumbnails, timed apart.
        try readCaptions(into: &summary)
        if options.thumbnails {
            let thumbnailsStarted = Date()
            summary.thumbnails = try makeThumbnails(into: &summary)
            summary.thumbnailSeconds = Date().timeIntervalSince(thumbnailsStarted)
        }

        let counts = try database.counts()
        summary.recordings = (counts["state.ok"] ?? 0) + (counts["state.failed"] ?? 0)
        summary.failed = counts["state.failed"] ?? 0
        summary.missing = counts["state.missing"] ?? 0
        summary.linked = counts["link.linked"] ?? 0
        summary.review = counts["link.review"] ?? 0
        summary.unmatched = (counts["link.unmatched"] ?? 0) + (counts["state.failed"] ?? 0)
        summary.segments = counts["segments"] ?? 0
        summary.duplicates = counts["duplicates"] ?? 0
        summary.seconds = Date().timeIntervalSince(started)
        return summary
    }

    /// Links every present recording to the stored programme, applies the manual decisions,
    /// cuts segments, and writes each recording whose links changed in its own transaction.
    /// A decision whose session left the programme follows it to the one session of the new
    /// programme that is clearly the same (see `SessionSuccessor`), or puts its recording in
    /// review; the returned lines say which, for the ingest summary.
    /// `progress` is told how many recordings are written of how many.
    @discardableResult
    public func relink(progress: (_ done: Int, _ total: Int) -> Void = { _, _ in }) throws -> [String] {
        // Read before anything else: a change noted after this read keeps its note.
        let owed = try database.owedRelink()
        let sessions = try database.sessions()
        let zone = ConferenceZone.named(try database.conference()?.timeZone)
        let stored = try database.recordings(includeMissing: false).filter { $0.state == .ok && $0.probe != nil }
        progress(0, stored.count)
        let linker = Linker(sessions: sessions, options: LinkOptions(timeZone: zone))
        let proposals = linker.link(stored.compactMap { recording in
            recording.probe.map { Recording(path: recording.path, probe: $0, modified: recording.mtime.map(Date.init(timeIntervalSince1970:))) }
        })
        let sessionsByGuid = Dictionary(sessions.map { ($0.guid, $0) }, uniquingKeysWith: { a, _ in a })
        let followed = try followDecisions(to: sessionsByGuid)
        var notes = followed.notes
        let gone = followed.gone
        let decisions = Dictionary(grouping: try database.decisions(), by: \.fingerprint)
        let existing = try database.links()
        let segmenter = Segmenter(evenMinutes: options.segmentMinutes)
        let storedSegments = Dictionary(grouping: try database.segments(), by: { $0.recordingID ?? -1 })

        for (done, (recording, proposal)) in zip(stored, proposals).enumerated() {
            progress(done, stored.count)
            guard let id = recording.id else { continue }
            var outcome = Outcome(proposal)
            for decision in decisions[recording.fingerprint ?? ""] ?? [] {
                outcome.apply(decision, sessions: sessionsByGuid, duration: recording.duration)
            }
            for candidate in outcome.candidates where candidate.flags.contains(Outcome.sessionGoneFlag) {
                let title = gone[candidate.sessionGuid].map { "'\($0.title)'" } ?? candidate.sessionGuid
                notes.append("\(recording.path): the session you chose (\(title)) is no longer in the programme; the recording is in review")
            }
            let segments = outcome.links.flatMap { link -> [Segment] in
                let session = sessionsByGuid[link.sessionGuid]
                return segmenter.segments(sessionGuid: link.sessionGuid, title: session?.title ?? link.sessionGuid, topics: session?.topics ?? [],
                                          inSeconds: link.inSeconds, outSeconds: link.outSeconds, duration: recording.duration,
                                          chapters: recording.probe?.chapters ?? [])
            }
            let rows = outcome.links + outcome.candidates
            let unchangedLinks = (existing[id] ?? []) == rows && recording.linkStatus == outcome.status
                && recording.recordingStart == proposal.recordingStart && recording.recordingStartSource == proposal.recordingStartSource
                && Self.sameCuts(storedSegments[id] ?? [], segments)
            if unchangedLinks { continue }
            try database.saveLinks(recordingID: id, status: outcome.status, start: proposal.recordingStart, startSource: proposal.recordingStartSource,
                                   links: rows, segments: segments)
        }
        progress(stored.count, stored.count)
        if let owed { try database.settleRelink(owed) }
        return notes
    }

    /// Moves each decision whose session left the programme to that session's successor, when
    /// there is exactly one (kept in the index, so that it holds through later programmes).
    /// Returns the lines for the summary and the sessions left behind by the decisions that
    /// stay (read only when some decision names a session that left).
    private func followDecisions(to current: [String: Session]) throws -> (notes: [String], gone: [String: Session]) {
        let orphaned = Set(try database.decisions().compactMap(\.sessionGuid).filter { current[$0] == nil })
        guard !orphaned.isEmpty else { return ([], [:]) }
        let gone = Dictionary(try database.sessions(includeRemoved: true).filter { orphaned.contains($0.guid) }.map { ($0.guid, $0) },
                              uniquingKeysWith: { a, _ in a })
        let candidates = Array(current.values)
        var notes: [String] = []
        for guid in orphaned.sorted() {
            guard let old = gone[guid], let successor = SessionSuccessor.find(for: old, in: candidates) else { continue }
            try database.moveDecisions(from: guid, to: successor.session.guid)
            notes.append("decisions on '\(old.title)' now hold for '\(successor.session.title)' (\(successor.session.guid)): the same \(successor.same.joined(separator: " and ")) in the new programme")
        }
        return (notes, gone)
    }

    private func markDuplicates() throws {
        let present = try database.fileStates().values.filter { $0.state != .missing }
        var byFingerprint: [String: [Int64]] = [:]
        for state in present { if let fingerprint = state.fingerprint { byFingerprint[fingerprint, default: []].append(state.id) } }
        let stored = Dictionary(try database.recordings(includeMissing: false, withProbe: false).compactMap { r in r.id.map { ($0, r.duplicateOf) } },
                                uniquingKeysWith: { a, _ in a })
        var updates: [Int64: Int64?] = [:]
        for ids in byFingerprint.values {
            let original = ids.min()!
            for id in ids {
                let want: Int64? = ids.count > 1 && id != original ? original : nil
                if stored[id] != want { updates[id] = want }
            }
        }
        try database.setDuplicates(updates)
    }

    static func sameCuts(_ a: [Segment], _ b: [Segment]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy {
            $0.sessionGuid == $1.sessionGuid && $0.startSeconds == $1.startSeconds && $0.endSeconds == $1.endSeconds
                && $0.title == $1.title && $0.topics == $1.topics && $0.position == $1.position
        }
    }

    static func look(_ path: String) -> (size: Int64, mtime: Double)? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        let mtime = Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
        return (Int64(info.st_size), mtime)
    }
}

/// The session of a new programme that is clearly one that left it: a programme without guids
/// gives a session a new derived guid when its title, time or room changes. Clearly the same
/// means: two of the three (start and end, room, title) unchanged, and no other session of the
/// new programme so close. Anything less is for a person to decide.
enum SessionSuccessor {
    static func find(for old: Session, in sessions: [Session]) -> (session: Session, same: [String])? {
        func same(_ new: Session) -> [String] {
            var kept: [String] = []
            if abs(new.start.timeIntervalSince(old.start)) < 1, abs(new.end.timeIntervalSince(old.end)) < 1 { kept.append("time") }
            if let room = old.room.map(TextMatch.fold), !room.isEmpty, new.room.map(TextMatch.fold) == room { kept.append("room") }
            if !old.title.isEmpty, TextMatch.fold(new.title) == TextMatch.fold(old.title) { kept.append("title") }
            return kept
        }
        let close = sessions.map { ($0, same($0)) }.filter { $0.1.count >= 2 }
        guard close.count == 1, let only = close.first else { return nil }
        return (only.0, only.1)
    }
}

/// The links of one recording after the engine and then each manual decision, oldest first.
struct Outcome {
    /// The flag of a candidate that stands for a person's choice of a session no longer in the programme.
    static let sessionGoneFlag = LinkFlag.sessionGone

    var status: LinkStatus
    var links: [StoredLink]
    var candidates: [StoredLink]

    init(_ proposal: RecordingLinks) {
        status = proposal.status
        links = proposal.links.map { StoredLink($0, kind: .link) }
        candidates = proposal.candidates.map { StoredLink($0, kind: .candidate) }
    }

    mutating func apply(_ decision: Decision, sessions: [String: Session], duration: Double?) {
        let when = ISO8601DateFormatter().string(from: decision.decidedAt)
        switch decision.action {
        case .unlink:
            links = []
            candidates = []
            status = .unmatched
        case .reject:
            guard let guid = decision.sessionGuid else { return }
            links.removeAll { $0.sessionGuid == guid }
            candidates.removeAll { $0.sessionGuid == guid }
            if links.isEmpty { status = candidates.isEmpty ? .unmatched : .review }
        case .accept:
            guard let guid = decision.sessionGuid else { return }
            guard sessions[guid] != nil else {
                // Never a link to a session that is not in the programme: the choice is kept,
                // shown for review, and the engine's links wait there beside it.
                candidates = links.map { var link = $0; link.kind = .candidate; return link } + candidates.filter { $0.sessionGuid != guid }
                candidates.insert(StoredLink(sessionGuid: guid, kind: .candidate, score: 0, inSeconds: decision.inSeconds ?? 0,
                                             outSeconds: decision.outSeconds ?? duration ?? 0,
                                             reasons: ["the session you chose is no longer in the programme (accepted by hand \(when))"],
                                             flags: [Self.sessionGoneFlag], decidedBy: .manual), at: 0)
                links = []
                status = .review
                return
            }
            let proposed = links.first { $0.sessionGuid == guid } ?? candidates.first { $0.sessionGuid == guid }
            let end = duration ?? proposed?.outSeconds ?? 0
            let inPoint = decision.inSeconds ?? proposed?.inSeconds ?? 0
            let outPoint = decision.outSeconds ?? proposed?.outSeconds ?? end
            var flags = proposed?.flags.filter { $0 != .duplicate } ?? []
            if sessions[guid]?.doNotRecord == true && !flags.contains(.doNotRecord) { flags.append(.doNotRecord) }
            let accepted = StoredLink(sessionGuid: guid, kind: .link, score: 1, inSeconds: inPoint, outSeconds: outPoint,
                                      reasons: ["accepted by hand \(when)"] + (proposed?.reasons ?? []), flags: flags,
                                      part: proposed?.part, parts: proposed?.parts, decidedBy: .manual)
            // An accepted session replaces automatic links that claim the same stretch of the recording.
            links.removeAll { $0.sessionGuid == guid || ($0.decidedBy == .auto && $0.inSeconds < outPoint && inPoint < $0.outSeconds) }
            candidates.removeAll { $0.sessionGuid == guid }
            if status != .linked { candidates = [] }
            links.append(accepted)
            links.sort { $0.inSeconds < $1.inSeconds }
            status = .linked
        }
    }
}

/// Counts finished items across threads.
final class ProgressCounter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()

    func increment() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }
}
