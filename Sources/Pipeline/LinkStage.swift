import Foundation
import Captions
import IndexStore
import Linking
import Schedule

/// Links every present recording to the stored programme, applies the manual decisions, cuts
/// segments, and writes each recording whose links changed in its own transaction. Runs in an
/// ingest when anything linking depends on changed, and after every manual decision.
public struct LinkStage: IngestStage {
    static let name = "link"
    let database: IndexDatabase
    /// Length of even segments for long sessions without chapters.
    let segmentMinutes: Double

    public init(database: IndexDatabase, segmentMinutes: Double = 5) {
        self.database = database
        self.segmentMinutes = segmentMinutes
    }

    func run(_ run: inout IngestRun) throws {
        let decisionsChanged = try !database.decisions().isEmpty && !run.changedIDs.isEmpty
        guard run.relinkOwed || run.programmeChanged || !run.changedIDs.isEmpty || !run.missingIDs.isEmpty || decisionsChanged
            || run.summary.moved > 0 else { return }
        let report = run.progress
        let started = run.started
        // The caption stage, later in the same run, names the segments cut here.
        run.summary.decisions = try relink(nameSegments: false) { done, total in
            report(IngestProgress(done: done, total: total, elapsed: Date().timeIntervalSince(started), stage: .link))
        }
    }

    /// Recordings whose links are stored in one transaction.
    static let recordingsPerCommit = 50

    /// Links, decides and cuts every present recording; writes those whose links changed.
    /// A decision whose session left the programme follows it to the one session of the new
    /// programme that is clearly the same (see `SessionSuccessor`), or puts its recording in
    /// review; the returned lines say which, for the ingest summary.
    /// `progress` is told how many recordings are written of how many. Segments cut again are
    /// then named from their transcripts (`SegmentNamer`), unless `nameSegments` is false
    /// because the caller names them itself.
    @discardableResult
    public func relink(nameSegments: Bool = true, progress: (_ done: Int, _ total: Int) -> Void = { _, _ in }) throws -> [String] {
        // Read before anything else: a change noted after this read keeps its note.
        let owed = try database.owedRelink()
        let sessions = try database.sessions(), decisions = try database.decisions()
        // Sessions that left the programme are read only when a decision names one.
        let current = Set(sessions.map(\.guid))
        let orphaned = decisions.contains { $0.sessionGuid.map { !current.contains($0) } ?? false }
        let inputs = try LinkInputs(
            sessions: sessions, allSessions: orphaned ? try database.sessions(includeRemoved: true) : sessions,
            timeZone: try database.conference()?.timeZone,
            recordings: try database.recordings(includeMissing: false).filter { $0.state == .ok && $0.probe != nil },
            heard: try database.heardCues(), decisions: decisions, links: try database.links(),
            segments: Dictionary(grouping: try database.segments(), by: { $0.recordingID ?? -1 }), chapterSets: try database.chapterSets())
        let plan = Self.plan(inputs, segmentMinutes: segmentMinutes)
        for move in plan.moves { try database.moveDecisions(from: move.from, to: move.to) }
        // Stored some recordings at a time: one transaction each cost a third of linking a cold
        // week, and a run killed between two batches is completed by the next (`owedRelink`).
        progress(0, inputs.recordings.count)
        for start in stride(from: 0, to: plan.saves.count, by: Self.recordingsPerCommit) {
            try database.saveLinks(Array(plan.saves[start..<min(start + Self.recordingsPerCommit, plan.saves.count)]))
            progress(inputs.recordings.count - plan.saves.count + start, inputs.recordings.count)
        }
        progress(inputs.recordings.count, inputs.recordings.count)
        try database.saveLinkProposals(plan.proposals)
        // Segments cut again are "Del N av M" until named from their transcripts once more.
        if nameSegments { try SegmentNamer().refresh(database) }
        if let owed { try database.settleRelink(owed) }
        return plan.notes
    }

    /// What relinking writes, worked out from what it read (the same for both stores): the
    /// decisions that follow their session to its successor, the recordings whose links,
    /// status or cuts changed, the linker's answers to keep, and the lines for the summary.
    public static func plan(_ inputs: LinkInputs, segmentMinutes: Double = 5) -> LinkPlan {
        var inputs = inputs
        let proposals = Linker(sessions: inputs.sessions, options: LinkOptions(timeZone: ConferenceZone.named(inputs.timeZone)))
            .link(linkable(inputs.recordings, heard: inputs.heard))
        let sessionsByGuid = Dictionary(inputs.sessions.map { ($0.guid, $0) }, uniquingKeysWith: { a, _ in a })
        let followed = followDecisions(&inputs, to: sessionsByGuid)
        var notes = followed.notes
        let decisions = Dictionary(grouping: inputs.decisions, by: \.fingerprint)
        let segmenter = Segmenter(evenMinutes: segmentMinutes)
        var saves: [IndexDatabase.LinkSave] = []
        var kept: [Int64: String] = [:]
        for (recording, proposed) in zip(inputs.recordings, proposals) {
            guard let id = recording.id else { continue }
            let proposal = LinkProposal(proposed)
            kept[id] = proposal.json
            let step = apply(decisions[recording.fingerprint ?? ""] ?? [], to: proposal, of: recording, inputs: inputs, sessions: sessionsByGuid,
                             gone: followed.gone, segmenter: segmenter)
            notes += step.notes
            if let save = step.save { saves.append(save) }
        }
        return LinkPlan(moves: followed.moves, saves: saves, notes: notes, proposals: kept)
    }

    /// What a person's decision changes, worked out without linking every recording again:
    /// their decisions applied to the linker's answers the last relink kept (`proposals`, by
    /// recording id) for the recordings of one fingerprint (`inputs` holds those, their
    /// decisions, links, segments and chapters, and the whole programme). The same saves as a
    /// relink of every recording when nothing else changed since the last one; nil when this
    /// cannot stand for one: a recording without a kept answer, or one that names a session no
    /// longer in the programme (the relink moves decisions to a successor), or a decision that does.
    public static func planDecided(_ inputs: LinkInputs, proposals: [Int64: LinkProposal], segmentMinutes: Double = 5) -> LinkPlan? {
        let sessionsByGuid = Dictionary(inputs.sessions.map { ($0.guid, $0) }, uniquingKeysWith: { a, _ in a })
        guard !inputs.recordings.isEmpty, inputs.decisions.allSatisfy({ $0.sessionGuid.map { sessionsByGuid[$0] != nil } ?? true }) else { return nil }
        let decisions = Dictionary(grouping: inputs.decisions, by: \.fingerprint)
        let segmenter = Segmenter(evenMinutes: segmentMinutes)
        var saves: [IndexDatabase.LinkSave] = []
        var notes: [String] = []
        for recording in inputs.recordings {
            guard let id = recording.id, let proposal = proposals[id],
                  (proposal.links + proposal.candidates).allSatisfy({ sessionsByGuid[$0.sessionGuid] != nil }) else { return nil }
            let step = apply(decisions[recording.fingerprint ?? ""] ?? [], to: proposal, of: recording, inputs: inputs, sessions: sessionsByGuid,
                             gone: [:], segmenter: segmenter)
            notes += step.notes
            if let save = step.save { saves.append(save) }
        }
        return LinkPlan(moves: [], saves: saves, notes: notes, proposals: [:])
    }

    /// One recording's links after `decisions`, oldest first, applied to the linker's
    /// `proposal`, and its cuts: the save when they differ from what is stored (`inputs`).
    private static func apply(_ decisions: [Decision], to proposal: LinkProposal, of recording: StoredRecording, inputs: LinkInputs,
                              sessions: [String: Session], gone: [String: Session], segmenter: Segmenter) -> (save: IndexDatabase.LinkSave?, notes: [String]) {
        guard let id = recording.id else { return (nil, []) }
        var outcome = Outcome(proposal)
        for decision in decisions {
            outcome.apply(decision, sessions: sessions, duration: recording.duration)
        }
        var notes: [String] = []
        for candidate in outcome.candidates where candidate.flags.contains(Outcome.sessionGoneFlag) {
            let title = gone[candidate.sessionGuid].map { "'\($0.title)'" } ?? candidate.sessionGuid
            notes.append("\(recording.path): the session you chose (\(title)) is no longer in the programme; the recording is in review")
        }
        let segments = cut(outcome.links, of: recording, sessions: sessions, segmenter: segmenter,
                           chapterSets: inputs.chapterSets[recording.fingerprint ?? ""] ?? [:])
        let rows = outcome.links + outcome.candidates
        // The start as both stores keep it (seconds since 1970): a date read back from one may differ
        // from the linker's in the last bit, and would have the recording written on every relink.
        let unchanged = (inputs.links[id] ?? []) == rows && recording.linkStatus == outcome.status
            && recording.recordingStart?.timeIntervalSince1970 == proposal.recordingStart?.timeIntervalSince1970
            && recording.recordingStartSource == proposal.recordingStartSource
            && sameCuts(inputs.segments[id] ?? [], segments)
        if unchanged { return (nil, notes) }
        return (IndexDatabase.LinkSave(recordingID: id, status: outcome.status, start: proposal.recordingStart,
                                       startSource: proposal.recordingStartSource, links: rows, segments: segments), notes)
    }

    /// The words to prompt a speech engine with when it hears again each of `recordings`
    /// (listened to, and left in doubt by what was heard): see `Linker.heardPrompt`. Recordings
    /// that need no second hearing, or have no probe, are left out.
    func heardPrompts(for recordings: [StoredRecording]) throws -> [Int64: String] {
        Self.heardPrompts(for: recordings, sessions: try database.sessions(), timeZone: try database.conference()?.timeZone, heard: try database.heardCues())
    }

    /// The same over values a store read (the PostgreSQL store's relink, which enqueues the
    /// second hearing as a listen job).
    public static func heardPrompts(for recordings: [StoredRecording], sessions: [Session], timeZone: String?, heard: [Int64: [Cue]]) -> [Int64: String] {
        let stored = recordings.filter { $0.probe != nil }
        let linker = Linker(sessions: sessions, options: LinkOptions(timeZone: ConferenceZone.named(timeZone)))
        var prompts: [Int64: String] = [:]
        for (recording, linkable) in zip(stored, linkable(stored, heard: heard)) {
            if let id = recording.id, let prompt = linker.heardPrompt(for: linkable) { prompts[id] = prompt }
        }
        return prompts
    }

    private func linker(_ sessions: [Session]) throws -> Linker {
        Linker(sessions: sessions, options: LinkOptions(timeZone: ConferenceZone.named(try database.conference()?.timeZone)))
    }

    /// The stored recordings (each with a probe) as the linker reads them, with what was heard
    /// (`heard`, by recording id) in those a speech engine listened to.
    static func linkable(_ stored: [StoredRecording], heard: [Int64: [Cue]]) -> [Recording] {
        stored.compactMap { recording in
            recording.probe.map {
                Recording(path: recording.path, probe: $0, modified: recording.mtime.map(Date.init(timeIntervalSince1970:)),
                          heard: (recording.id.flatMap { heard[$0] } ?? []).map { HeardLine(start: $0.start, end: $0.end, text: $0.text) })
            }
        }
    }

    /// The segments of each linked session of `recording`, with the chapters people set for it
    /// (`chapterSets`, by session guid).
    private static func cut(_ links: [StoredLink], of recording: StoredRecording, sessions: [String: Session], segmenter: Segmenter,
                     chapterSets: [String: [ManualChapter]]) -> [Segment] {
        links.flatMap { link -> [Segment] in
            let session = sessions[link.sessionGuid]
            return segmenter.segments(sessionGuid: link.sessionGuid, title: session?.title ?? link.sessionGuid, topics: session?.topics ?? [],
                                      inSeconds: link.inSeconds, outSeconds: link.outSeconds, duration: recording.duration,
                                      chapters: recording.probe?.chapters ?? [], manual: chapterSets[link.sessionGuid])
        }
    }

    /// Moves each decision whose session left the programme to that session's successor, when
    /// there is exactly one (the move is written to the store, so that it holds through later
    /// programmes), with a person's chapters on it unless the successor has its own. Returns
    /// the moves, the lines for the summary and the sessions left behind by the decisions that
    /// stay.
    static func followDecisions(_ inputs: inout LinkInputs, to current: [String: Session])
        -> (moves: [LinkPlan.Move], notes: [String], gone: [String: Session]) {
        let orphaned = Set(inputs.decisions.compactMap(\.sessionGuid).filter { current[$0] == nil })
        guard !orphaned.isEmpty else { return ([], [], [:]) }
        let gone = Dictionary(inputs.allSessions.filter { orphaned.contains($0.guid) }.map { ($0.guid, $0) }, uniquingKeysWith: { a, _ in a })
        let candidates = Array(current.values)
        var moves: [LinkPlan.Move] = []
        var notes: [String] = []
        for guid in orphaned.sorted() {
            guard let old = gone[guid], let successor = SessionSuccessor.find(for: old, in: candidates) else { continue }
            let new = successor.session.guid
            moves.append(LinkPlan.Move(from: guid, to: new))
            for index in inputs.decisions.indices where inputs.decisions[index].sessionGuid == guid { inputs.decisions[index].sessionGuid = new }
            for (fingerprint, sets) in inputs.chapterSets {
                guard let chapters = sets[guid] else { continue }
                inputs.chapterSets[fingerprint]?[guid] = nil
                if sets[new] == nil { inputs.chapterSets[fingerprint]?[new] = chapters }
            }
            notes.append("decisions on '\(old.title)' now hold for '\(successor.session.title)' (\(new)): the same \(successor.same.joined(separator: " and ")) in the new programme")
        }
        return (moves, notes, gone)
    }

    static func sameCuts(_ a: [Segment], _ b: [Segment]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy {
            $0.sessionGuid == $1.sessionGuid && $0.startSeconds == $1.startSeconds && $0.endSeconds == $1.endSeconds
                && ($0.title == $1.title || $0.source == .even && $1.source == .even) && $0.source == $1.source
                && $0.topics == $1.topics && $0.position == $1.position
        }
    }
}

/// What relinking reads of a store, read at one moment (see `LinkStage.plan`).
public struct LinkInputs: Sendable {
    /// The programme as it is.
    public var sessions: [Session]
    /// Every session ever imported, those that left the programme included (a store may give
    /// only `sessions` when no decision names a session that left).
    public var allSessions: [Session]
    /// The conference's time zone (its name).
    public var timeZone: String?
    /// The present recordings that were read (state ok, with a probe).
    public var recordings: [StoredRecording]
    /// What a speech engine heard in the recordings it listened to, by recording id.
    public var heard: [Int64: [Cue]]
    public var decisions: [Decision]
    /// Stored links and candidates, by recording id.
    public var links: [Int64: [StoredLink]]
    /// Stored segments, by recording id.
    public var segments: [Int64: [Segment]]
    /// The chapters people set, by fingerprint and session guid.
    public var chapterSets: [String: [String: [ManualChapter]]]

    public init(sessions: [Session], allSessions: [Session], timeZone: String?, recordings: [StoredRecording], heard: [Int64: [Cue]],
                decisions: [Decision], links: [Int64: [StoredLink]], segments: [Int64: [Segment]], chapterSets: [String: [String: [ManualChapter]]]) {
        self.sessions = sessions
        self.allSessions = allSessions
        self.timeZone = timeZone
        self.recordings = recordings
        self.heard = heard
        self.decisions = decisions
        self.links = links
        self.segments = segments
        self.chapterSets = chapterSets
    }
}

/// What relinking writes (see `LinkStage.plan`).
public struct LinkPlan: Sendable {
    /// Decisions (and chapters) on a session that left the programme, moved to its successor.
    public struct Move: Sendable, Equatable {
        public var from: String
        public var to: String
    }
    public var moves: [Move]
    /// The recordings whose links, status or cuts changed.
    public var saves: [IndexDatabase.LinkSave]
    /// Lines for the summary.
    public var notes: [String]
    /// The linker's answer for every recording linked (`LinkProposal.json`, by recording id), for
    /// the store to keep where it changed; empty from `planDecided`, which links none.
    public var proposals: [Int64: String]
}
