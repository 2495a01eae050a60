import Foundation
import IndexStore
import Schedule

/// The rules that the catalogue and the pages that show what is not published (`/overview`)
/// must agree on, written once.
extension Catalogue {
    // MARK: - Opting out

    /// Whether `session` asked not to be recorded (the programme's do-not-record flag). Such a
    /// session is never published, whatever links it has.
    public static func isOptedOut(_ session: Session) -> Bool {
        session.doNotRecord
    }

    /// Whether `link` ties a recording to an opted-out talk: the link carries the do-not-record
    /// flag, or its session (nil when it is not in the programme) is opted out. A recording with
    /// such a link is never served.
    public static func isOptedOut(_ link: StoredLink, of session: Session?) -> Bool {
        link.flags.contains(.doNotRecord) || session.map(isOptedOut) == true
    }

    /// The guids of every opted-out session of `snapshot`: opted out in the programme, or named
    /// by an opted-out link of any recording (made links and candidates alike).
    public static func optedOutSessions(in snapshot: IndexSnapshot) -> Set<String> {
        let sessions = Dictionary(snapshot.sessions.map { ($0.guid, $0) }, uniquingKeysWith: { a, _ in a })
        var guids = Set(snapshot.sessions.filter(isOptedOut).map(\.guid))
        for link in snapshot.links.values.joined() where isOptedOut(link, of: sessions[link.sessionGuid]) {
            guids.insert(link.sessionGuid)
        }
        return guids
    }

    // MARK: - Days

    /// The day `session` falls on in the conference's zone (`2021-10-05`): its `Entry.day`, its
    /// day feed, and its row on `/overview`.
    public func day(of session: Session) -> String {
        ClockText.day(session.start, zone: timeZone)
    }
}
