import Foundation
import Linking
import Schedule

/// What the shell's reports (`links`, `review`, `report`, `chapters show`) and the staff pages'
/// caption report read, worked out from one catalogue read: the same answers from the SQLite
/// index and from the PostgreSQL store, which both assemble an `IndexSnapshot`.
extension IndexSnapshot {
    /// Per published session (linked, not opted out): its segments' transcript states in the
    /// session's language, the minutes without verified text and the languages present;
    /// what is most missing first.
    public func captionCoverage() -> [CaptionCoverage] {
        let sessions = Dictionary(self.sessions.map { ($0.guid, $0) }, uniquingKeysWith: { a, _ in a })
        var bySession: [String: CaptionCoverage] = [:]
        for recording in recordings where recording.state == .ok && recording.linkStatus == .linked {
            guard let id = recording.id else { continue }
            let fallback = defaultLanguages[id] ?? "und"
            let states = transcripts[id] ?? []
            let segments = Dictionary((self.segments[id] ?? []).compactMap { segment in segment.id.map { ($0, segment) } }, uniquingKeysWith: { a, _ in a })
            for transcript in states {
                guard let segment = transcript.segmentID.flatMap({ segments[$0] }), let session = sessions[segment.sessionGuid], !session.doNotRecord else { continue }
                var entry = bySession[session.guid] ?? CaptionCoverage(sessionGuid: session.guid, title: session.title, start: session.start, segments: 0,
                                                                       empty: 0, draft: 0, verified: 0, minutesWithoutVerifiedText: 0, minutes: 0, languages: [])
                if transcript.status != .empty && !entry.languages.contains(transcript.language) { entry.languages.append(transcript.language) }
                let wanted = LanguageCode.normalize(session.language) ?? fallback
                if transcript.language == wanted || (states.allSatisfy { $0.language != wanted } && transcript.language == states.first?.language) {
                    entry.add(transcript, minutes: (segment.endSeconds - segment.startSeconds) / 60)
                    if transcript.status != .verified && entry.firstUnchecked == nil {
                        entry.firstUnchecked = CaptionCoverage.Place(recordingID: id, startSeconds: segment.startSeconds)
                    }
                }
                bySession[session.guid] = entry
            }
        }
        return bySession.values.map { entry in
            var entry = entry
            entry.languages.sort()
            entry.round()
            return entry
        }.sorted { ($0.minutesWithoutVerifiedText, $1.start) > ($1.minutesWithoutVerifiedText, $0.start) }
    }

    /// The links of every probed recording (or those with `status`), as `efterhand links` prints
    /// them; a link to a session no longer in the programme is named by its guid.
    public func linkResults(status: LinkStatus? = nil) -> [RecordingLinks] {
        RecordingLinks.listed(recordings: recordings, links: links,
                              titles: Dictionary(sessions.map { ($0.guid, $0.title) }, uniquingKeysWith: { a, _ in a }), status: status)
    }

    /// A recording by its id, its path or the path it was found at.
    public func recording(idOrPath reference: String) -> StoredRecording? {
        if let id = Int64(reference) { return recordings.first { $0.id == id } }
        return recordings.first { $0.path == reference || $0.absolutePath == reference }
    }

    /// A session in the programme by guid or slug.
    public func session(guidOrSlug reference: String) -> Session? {
        sessions.first { $0.guid == reference } ?? sessions.first { $0.slug == reference }
    }
}

extension RecordingLinks {
    /// Each probed recording (`state` ok, or only those whose status is `status`) with its links
    /// and candidates, the sessions named by `titles` (their guid when a title is missing).
    public static func listed(recordings: [StoredRecording], links: [Int64: [StoredLink]], titles: [String: String], status: LinkStatus?) -> [RecordingLinks] {
        recordings
            .filter { $0.state == .ok && (status == nil || $0.linkStatus == status) }
            .map { recording in
                let rows = links[recording.id ?? -1] ?? []
                func proposed(_ link: StoredLink) -> ProposedLink {
                    ProposedLink(guid: link.sessionGuid, title: titles[link.sessionGuid] ?? link.sessionGuid, score: link.score,
                                 inSeconds: link.inSeconds, outSeconds: link.outSeconds, reasons: link.reasons,
                                 flags: link.flags + (link.decidedBy == .manual ? [.manual] : []), part: link.part, parts: link.parts)
                }
                return RecordingLinks(path: recording.path, status: recording.linkStatus, recordingStart: recording.recordingStart,
                                      recordingStartSource: recording.recordingStartSource,
                                      links: rows.filter { $0.kind == .link }.map(proposed),
                                      candidates: rows.filter { $0.kind == .candidate }.map(proposed))
            }
    }
}
