import Foundation
import IndexStore
import Linking
import Schedule

/// Why a manual decision could not be recorded.
public struct DecisionError: Error, CustomStringConvertible {
    public var description: String

    public init(description: String) {
        self.description = description
    }
}

extension LinkStage {
    /// Records a person's decision about a recording (an id or a path) and a session (a guid
    /// or a slug; none for `unlink`), and applies it at once. It is kept by the recording's
    /// fingerprint, so it survives re-ingests, moves and programme re-imports. The audit log
    /// keeps who (`by`: `staff:anna`, `cli:root`, `api:admin`) changed what: the recording's
    /// links before and after. With `seen` (the `LinkState.token` of the recording as its maker
    /// saw it), a recording whose links changed since is left as it is: `DecisionConflict`.
    @discardableResult
    public func decide(_ action: Decision.Action, recording reference: String, session sessionReference: String? = nil,
                       inSeconds: Double? = nil, outSeconds: Double? = nil, by who: String, seen: String? = nil) throws -> StoredRecording {
        guard let recording = try database.recording(idOrPath: reference) else {
            throw DecisionError(description: "no recording '\(reference)' in the index (give its id or path, as `efterhand links` shows them)")
        }
        let session = try sessionReference.map { reference -> (Session, inProgramme: Bool) in
            guard let session = try database.session(guidOrSlug: reference) else {
                throw DecisionError(description: "no session '\(reference)' in the programme (give its guid or slug)")
            }
            return (session, try database.sessions().contains { $0.guid == session.guid })
        }
        let decision = try Self.decision(action, recording: recording, session: session, inSeconds: inSeconds, outSeconds: outSeconds)
        let before = LinkState.json(status: recording.linkStatus, links: try database.links(recordingID: recording.id ?? -1))
        try database.recordDecision(decision, recordingID: recording.id, seen: seen)
        if try !relinkDecided(fingerprint: decision.fingerprint) { try relink() }
        let after = try database.recording(idOrPath: String(recording.id ?? 0)) ?? recording
        try database.recordAudit(AuditEntry(who: who, action: action.rawValue, fingerprint: decision.fingerprint, recordingPath: recording.path,
                                            sessionGuid: decision.sessionGuid, before: before,
                                            after: LinkState.json(status: after.linkStatus, links: try database.links(recordingID: after.id ?? -1))))
        return after
    }

    /// Applies the decisions on the recordings of `fingerprint` to the linker's answers the
    /// last relink kept (`LinkStage.planDecided`): what a relink of every recording would write
    /// for them, without linking the others again, so that a decision costs the same with ten
    /// recordings as with ten thousand. False, and nothing written, when a relink of every
    /// recording is needed instead: one is owed (something changed since the last), or the kept
    /// answers cannot stand for one.
    func relinkDecided(fingerprint: String) throws -> Bool {
        guard try database.owedRelink() == nil else { return false }
        // Read as `relink` reads, for the recordings of this file only (the linker is not run: no
        // time zone, nothing heard).
        let sessions = try database.sessions()
        let recordings = try database.recordings(includeMissing: false, fingerprint: fingerprint).filter { $0.state == .ok && $0.probe != nil }
        let ids = recordings.compactMap(\.id)
        var links: [Int64: [StoredLink]] = [:], segments: [Int64: [Segment]] = [:]
        for id in ids {
            links[id] = try database.links(recordingID: id)
            segments[id] = try database.segments(recordingID: id)
        }
        let inputs = LinkInputs(sessions: sessions, allSessions: sessions, timeZone: nil, recordings: recordings, heard: [:],
                                decisions: try database.decisions(fingerprint: fingerprint), links: links, segments: segments,
                                chapterSets: try database.chapterSets(fingerprint: fingerprint))
        let proposals = try database.linkProposals(recordingIDs: ids)
        guard let plan = Self.planDecided(inputs, proposals: proposals, segmentMinutes: segmentMinutes) else { return false }
        try database.saveLinks(plan.saves)
        // Names come from every segment's text (a word common to every talk names none), so all are read.
        if !plan.saves.isEmpty { try SegmentNamer().refresh(database) }
        return true
    }

    /// The decision a person asks for, checked against the recording and the session (with
    /// whether it is in the programme now), the same for both stores; a `DecisionError` that
    /// says what is wrong.
    public static func decision(_ action: Decision.Action, recording: StoredRecording, session: (Session, inProgramme: Bool)?,
                                inSeconds: Double?, outSeconds: Double?, at: Date = Date()) throws -> Decision {
        guard let fingerprint = recording.fingerprint else {
            throw DecisionError(description: "recording '\(recording.path)' has no fingerprint (its file could not be read)")
        }
        if let (session, inProgramme) = session {
            if action == .accept, !inProgramme {
                throw DecisionError(description: "session '\(session.slug ?? session.guid)' ('\(session.title)') is no longer in the programme")
            }
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
        return Decision(fingerprint: fingerprint, sessionGuid: session?.0.guid, action: action, inSeconds: inSeconds, outSeconds: outSeconds,
                        path: recording.path, decidedAt: at)
    }
}
