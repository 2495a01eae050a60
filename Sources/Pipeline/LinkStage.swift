import Foundation
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
        let sessions = try database.sessions()
        let stored = try database.recordings(includeMissing: false).filter { $0.state == .ok && $0.probe != nil }
        progress(0, stored.count)
        let proposals = try propose(stored, sessions: sessions)
        let sessionsByGuid = Dictionary(sessions.map { ($0.guid, $0) }, uniquingKeysWith: { a, _ in a })
        let followed = try followDecisions(to: sessionsByGuid)
        var notes = followed.notes
        let decisions = Dictionary(grouping: try database.decisions(), by: \.fingerprint)
        let existing = try database.links()
        let segmenter = Segmenter(evenMinutes: segmentMinutes)
        let storedSegments = Dictionary(grouping: try database.segments(), by: { $0.recordingID ?? -1 })
        let chapterSets = try database.chapterSets()

        // Stored some recordings at a time: one transaction each cost a third of linking a cold
        // week, and a run killed between two batches is completed by the next (`owedRelink`).
        var batch: [IndexDatabase.LinkSave] = []
        for (done, (recording, proposal)) in zip(stored, proposals).enumerated() {
            progress(done, stored.count)
            if batch.count >= Self.recordingsPerCommit {
                try database.saveLinks(batch)
                batch.removeAll(keepingCapacity: true)
            }
            guard let id = recording.id else { continue }
            var outcome = Outcome(proposal)
            for decision in decisions[recording.fingerprint ?? ""] ?? [] {
                outcome.apply(decision, sessions: sessionsByGuid, duration: recording.duration)
            }
            for candidate in outcome.candidates where candidate.flags.contains(Outcome.sessionGoneFlag) {
                let title = followed.gone[candidate.sessionGuid].map { "'\($0.title)'" } ?? candidate.sessionGuid
                notes.append("\(recording.path): the session you chose (\(title)) is no longer in the programme; the recording is in review")
            }
            let segments = cut(outcome.links, of: recording, sessions: sessionsByGuid, segmenter: segmenter,
                               chapterSets: chapterSets[recording.fingerprint ?? ""] ?? [:])
            let rows = outcome.links + outcome.candidates
            let unchangedLinks = (existing[id] ?? []) == rows && recording.linkStatus == outcome.status
                && recording.recordingStart == proposal.recordingStart && recording.recordingStartSource == proposal.recordingStartSource
                && Self.sameCuts(storedSegments[id] ?? [], segments)
            if unchangedLinks { continue }
            batch.append(IndexDatabase.LinkSave(recordingID: id, status: outcome.status, start: proposal.recordingStart,
                                                startSource: proposal.recordingStartSource, links: rows, segments: segments))
        }
        try database.saveLinks(batch)
        progress(stored.count, stored.count)
        // Segments cut again are "Del N av M" until named from their transcripts once more.
        if nameSegments { try SegmentNamer().refresh(database) }
        if let owed { try database.settleRelink(owed) }
        return notes
    }

    /// The linker's proposals for the stored recordings, in their order, with what was heard
    /// in those a speech engine listened to (see `Listener`).
    private func propose(_ stored: [StoredRecording], sessions: [Session]) throws -> [RecordingLinks] {
        try linker(sessions).link(try linkable(stored))
    }

    /// The words to prompt a speech engine with when it hears again each of `recordings`
    /// (listened to, and left in doubt by what was heard): see `Linker.heardPrompt`. Recordings
    /// that need no second hearing, or have no probe, are left out.
    func heardPrompts(for recordings: [StoredRecording]) throws -> [Int64: String] {
        let stored = recordings.filter { $0.probe != nil }
        let linker = try linker(try database.sessions())
        var prompts: [Int64: String] = [:]
        for (recording, linkable) in zip(stored, try linkable(stored)) {
            if let id = recording.id, let prompt = linker.heardPrompt(for: linkable) { prompts[id] = prompt }
        }
        return prompts
    }

    private func linker(_ sessions: [Session]) throws -> Linker {
        Linker(sessions: sessions, options: LinkOptions(timeZone: ConferenceZone.named(try database.conference()?.timeZone)))
    }

    /// The stored recordings (each with a probe) as the linker reads them, with what was heard
    /// in those a speech engine listened to.
    private func linkable(_ stored: [StoredRecording]) throws -> [Recording] {
        let heard = try database.heardCues()
        return stored.compactMap { recording in
            recording.probe.map {
                Recording(path: recording.path, probe: $0, modified: recording.mtime.map(Date.init(timeIntervalSince1970:)),
                          heard: (recording.id.flatMap { heard[$0] } ?? []).map { HeardLine(start: $0.start, end: $0.end, text: $0.text) })
            }
        }
    }

    /// The segments of each linked session of `recording`, with the chapters people set for it
    /// (`chapterSets`, by session guid).
    private func cut(_ links: [StoredLink], of recording: StoredRecording, sessions: [String: Session], segmenter: Segmenter,
                     chapterSets: [String: [ManualChapter]]) -> [Segment] {
        links.flatMap { link -> [Segment] in
            let session = sessions[link.sessionGuid]
            return segmenter.segments(sessionGuid: link.sessionGuid, title: session?.title ?? link.sessionGuid, topics: session?.topics ?? [],
                                      inSeconds: link.inSeconds, outSeconds: link.outSeconds, duration: recording.duration,
                                      chapters: recording.probe?.chapters ?? [], manual: chapterSets[link.sessionGuid])
        }
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

    static func sameCuts(_ a: [Segment], _ b: [Segment]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy {
            $0.sessionGuid == $1.sessionGuid && $0.startSeconds == $1.startSeconds && $0.endSeconds == $1.endSeconds
                && ($0.title == $1.title || $0.source == .even && $1.source == .even) && $0.source == $1.source
                && $0.topics == $1.topics && $0.position == $1.position
        }
    }
}
