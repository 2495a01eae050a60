import Foundation
import Linking
import Schedule

/// Why a manual decision could not be recorded.
public struct DecisionError: Error, CustomStringConvertible {
    public var description: String
}

extension IndexDatabase {
    /// The stored links in the contract of `efterhand link --json`, one object per present
    /// recording (optionally only those with `status`). Manual links carry the flag `manual`.
    public func linkResults(status: LinkStatus? = nil) throws -> [RecordingLinks] {
        let titles = Dictionary(try sessions(includeRemoved: true).map { ($0.guid, $0.title) }, uniquingKeysWith: { a, _ in a })
        let links = try self.links()
        return try recordings(includeMissing: false)
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

    /// Records a person's decision about a recording (an id or a path) and a session (a guid
    /// or a slug; none for `unlink`), and applies it at once. It is kept by the recording's
    /// fingerprint, so it survives re-ingests, moves and programme re-imports.
    @discardableResult
    public func decide(_ action: Decision.Action, recording reference: String, session sessionReference: String? = nil,
                       inSeconds: Double? = nil, outSeconds: Double? = nil, segmentMinutes: Double = 5) throws -> StoredRecording {
        guard let recording = try recording(idOrPath: reference) else {
            throw DecisionError(description: "no recording '\(reference)' in the index (give its id or path, as `efterhand links` shows them)")
        }
        guard let fingerprint = recording.fingerprint else {
            throw DecisionError(description: "recording '\(recording.path)' has no fingerprint (its file could not be read)")
        }
        var guid: String? = nil
        if let sessionReference {
            guard let session = try session(guidOrSlug: sessionReference) else {
                throw DecisionError(description: "no session '\(sessionReference)' in the programme (give its guid or slug)")
            }
            if action == .accept, try !sessions().contains(where: { $0.guid == session.guid }) {
                throw DecisionError(description: "session '\(sessionReference)' ('\(session.title)') is no longer in the programme")
            }
            guid = session.guid
        } else if action != .unlink {
            throw DecisionError(description: "name the session to \(action.rawValue)")
        }
        for (name, value) in [("--in", inSeconds), ("--out", outSeconds)] {
            // Bounded even when the recording's length is unknown: the feed turns these into whole seconds.
            if let value, !value.isFinite || value < 0 || value > 10_000_000 {
                throw DecisionError(description: "\(name) (\(value)) must be a number of seconds from 0 to 10000000")
            }
        }
        if let inSeconds, let duration = recording.duration, inSeconds >= duration {
            throw DecisionError(description: "--in (\(inSeconds)) is past the end of '\(recording.path)' (\(duration) s)")
        }
        if let inSeconds, let outSeconds, outSeconds <= inSeconds {
            throw DecisionError(description: "--out (\(outSeconds)) must be after --in (\(inSeconds))")
        }
        if let duration = recording.duration, let outSeconds, outSeconds > duration + 1 {
            throw DecisionError(description: "--out (\(outSeconds)) is past the end of '\(recording.path)' (\(duration) s)")
        }
        try recordDecision(Decision(fingerprint: fingerprint, sessionGuid: guid, action: action, inSeconds: inSeconds, outSeconds: outSeconds,
                                    path: recording.path))
        var options = IngestOptions(media: [])
        options.segmentMinutes = segmentMinutes
        try Ingestor(database: self, options: options).relink()
        return try self.recording(idOrPath: String(recording.id ?? 0)) ?? recording
    }
}
