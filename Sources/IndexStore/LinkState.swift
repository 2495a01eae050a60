import Foundation
import Linking

/// A recording's link status and links (not its candidates) as a person sees them: as JSON for
/// the audit log's before and after, and as a short token that a decision carries to say what
/// its maker saw, so that a decision made on a state someone else has changed meanwhile is
/// refused instead of silently undoing theirs (see `DecisionConflict`).
public enum LinkState {
    public static func json(status: LinkStatus, links: [StoredLink]) -> String {
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
        let state = State(linkStatus: status.rawValue, links: links.filter { $0.kind == .link }.map {
            State.Link(session: $0.sessionGuid, inSeconds: $0.inSeconds, outSeconds: $0.outSeconds, decidedBy: $0.decidedBy.rawValue)
        })
        // Plain values: encoding cannot fail.
        return (try? JSONText.encode(state)) ?? "{}"
    }

    /// 16 hex digits of the state's JSON (FNV-1a): what a staff page or an API client sends
    /// back as `seen` with its decision.
    public static func token(status: LinkStatus, links: [StoredLink]) -> String {
        let hash = FNV1a.hash(Data(json(status: status, links: links).utf8))
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

/// A decision made on a recording whose links changed after its maker last saw them: another
/// person decided (or an ingest relinked) meanwhile. Nothing was recorded; the description
/// says what the recording holds now and who changed it last.
public struct DecisionConflict: Error, CustomStringConvertible {
    public var description: String

    public init(description: String) {
        self.description = description
    }

    /// The conflict for a recording whose state is now `current`, with the audit log's latest
    /// entry for it (`last`), if any.
    public init(path: String, last: AuditEntry?) {
        let who = last.map { entry -> String in
            let when = ISO8601DateFormatter.string(from: entry.at, timeZone: TimeZone(identifier: "UTC") ?? .current, formatOptions: [.withInternetDateTime])
            return ": \(entry.who) made '\(entry.action)'\(entry.sessionGuid.map { " on session \($0)" } ?? "") at \(when)"
        } ?? ""
        description = "'\(path)' changed after you last saw it\(who); nothing was recorded. Look at it again and decide anew."
    }
}
