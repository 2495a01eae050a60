import Foundation
import Synchronization

/// The one rule for a conference's time zone: the zone the programme names, else
/// Europe/Stockholm (where Innovationsveckan takes place, and what the importers read
/// wall-clock times in when a programme names none or an unknown one).
public enum ConferenceZone {
    /// The zone used when none is named or the name is unknown.
    public static let fallbackName = "Europe/Stockholm"

    /// Europe/Stockholm; a fixed +01:00 should the system have no zone database.
    public static let fallback = TimeZone(identifier: fallbackName) ?? TimeZone(secondsFromGMT: 3600) ?? .gmt

    /// UTC by that name (`ClockText` writes `Z` for it).
    public static let utc = TimeZone(identifier: "UTC") ?? .gmt

    /// The zone called `name`, else the fallback. Zones are kept by name once made: making one
    /// reads the zone database, and every search asks for the conference's twice (issue 20:
    /// 1.8% of a distinct search's time).
    public static func named(_ name: String?) -> TimeZone {
        guard let name else { return fallback }
        if let known = made.withLock({ $0[name] }) { return known }
        let zone = TimeZone(identifier: name) ?? fallback
        made.withLock { zones in
            // A programme can name only so many zones; a hostile list of names cannot grow this without end.
            if zones.count < maximumKept { zones[name] = zone }
        }
        return zone
    }

    /// Zones made so far, by the name asked for.
    private static let made = Mutex<[String: TimeZone]>([:])
    static let maximumKept = 64
}
