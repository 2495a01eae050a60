import Foundation
import IndexStore
import Linking
import Schedule

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

    init(_ proposal: LinkProposal) {
        status = proposal.status
        links = proposal.links
        candidates = proposal.candidates
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

