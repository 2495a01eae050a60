import Foundation
import IndexStore
import Linking
import Schedule

/// Why a manual decision could not be recorded.
public struct DecisionError: Error, CustomStringConvertible {
    public var description: String
}

extension LinkStage {
    /// Records a person's decision about a recording (an id or a path) and a session (a guid
    /// or a slug; none for `unlink`), and applies it at once. It is kept by the recording's
    /// fingerprint, so it survives re-ingests, moves and programme re-imports. The audit log
    /// keeps who (`by`: `staff:anna`, `cli:root`, `api:admin`) changed what: the recording's
    /// links before and after.
    @discardableResult
    public func decide(_ action: Decision.Action, recording reference: String, session sessionReference: String? = nil,
                       inSeconds: Double? = nil, outSeconds: Double? = nil, by who: String) throws -> StoredRecording {
        guard let recording = try database.recording(idOrPath: reference) else {
            throw DecisionError(description: "no recording '\(reference)' in the index (give its id or path, as `efterhand links` shows them)")
        }
        guard let fingerprint = recording.fingerprint else {
            throw DecisionError(description: "recording '\(recording.path)' has no fingerprint (its file could not be read)")
        }
        var guid: String? = nil
        if let sessionReference {
            guard let session = try database.session(guidOrSlug: sessionReference) else {
                throw DecisionError(description: "no session '\(sessionReference)' in the programme (give its guid or slug)")
            }
            if action == .accept, try !database.sessions().contains(where: { $0.guid == session.guid }) {
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
        let before = try Self.linkState(of: recording, database: database)
        try database.recordDecision(Decision(fingerprint: fingerprint, sessionGuid: guid, action: action, inSeconds: inSeconds, outSeconds: outSeconds,
                                    path: recording.path))
        try relink()
        let after = try database.recording(idOrPath: String(recording.id ?? 0)) ?? recording
        try database.recordAudit(AuditEntry(who: who, action: action.rawValue, fingerprint: fingerprint, recordingPath: recording.path,
                                            sessionGuid: guid, before: before, after: try Self.linkState(of: after, database: database)))
        return after
    }

    /// A recording's link status and links as JSON, for the audit log.
    static func linkState(of recording: StoredRecording, database: IndexDatabase) throws -> String {
        struct State: Encodable {
            struct Link: Encodable {
                var session: String
                var inSeconds: Double
                var outSeconds: Double
                var decidedBy: String
                enum CodingKeys: String, CodingKey { case session, inSeconds = "in_seconds", outSeconds = "out_seconds", decidedBy = "decided_by" }
            }
            var linkStatus: String
            var links: [Link]
            enum CodingKeys: String, CodingKey { case linkStatus = "link_status", links }
        }
        let links = try database.links(recordingID: recording.id ?? -1).filter { $0.kind == .link }
        let state = State(linkStatus: recording.linkStatus.rawValue,
                          links: links.map { State.Link(session: $0.sessionGuid, inSeconds: $0.inSeconds, outSeconds: $0.outSeconds, decidedBy: $0.decidedBy.rawValue) })
        return try JSONText.encode(state)
    }
}
