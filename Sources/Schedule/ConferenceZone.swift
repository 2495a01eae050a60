import Foundation

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

    /// The zone called `name`, else the fallback.
    public static func named(_ name: String?) -> TimeZone {
        name.flatMap(TimeZone.init(identifier:)) ?? fallback
    }
}
