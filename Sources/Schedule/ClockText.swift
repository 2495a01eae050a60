import Foundation

/// Times written for people and for JSON, in one place for every module. Computed by hand (a
/// civil calendar from the zone's offset) rather than through date formatters, which are slow to
/// make and not thread-safe.
public enum ClockText {
    /// What becomes of the part of a second.
    public enum Fractions: Sendable {
        /// Down to the whole second, never shown: feeds, API answers, link reports.
        case dropped
        /// Rounded to the millisecond and shown when there is any: the programme's own times.
        case milliseconds
    }

    /// How an offset of zero is written.
    public enum UTCStyle: Sendable {
        /// `Z`.
        case letterZ
        /// `+00:00` (what the programme writes, and what session ids hash).
        case numeric
    }

    /// 0001-01-02 and 9999-12-30 UTC: a day inside RFC 3339's years, whatever the zone's offset.
    public static let earliest = Date(timeIntervalSince1970: -62_135_596_800 + 86_400)
    /// See `earliest`.
    public static let latest = Date(timeIntervalSince1970: 253_402_128_000)

    /// `2021-10-04T12:58:10+02:00`: RFC 3339 with the offset `zone` has at that moment. Always
    /// RFC 3339: the date clamped to years 0001…9999, and in UTC where the zone's offset then is not
    /// a whole minute (local mean time before 1900: `+00:53:28` is no RFC 3339 offset).
    public static func rfc3339(_ date: Date, zone: TimeZone, fractions: Fractions = .dropped, utc: UTCStyle = .letterZ) -> String {
        let clamped = date.timeIntervalSince1970.isFinite ? min(max(date, earliest), latest) : earliest
        var offset = zone.secondsFromGMT(for: clamped)
        if offset % 60 != 0 { offset = 0 }
        return rfc3339(clamped, offsetSeconds: offset, fractions: fractions, utc: utc)
    }

    /// RFC 3339 text for `date` at a fixed offset from UTC (`offset` in whole minutes).
    public static func rfc3339(_ date: Date, offsetSeconds offset: Int, fractions: Fractions, utc: UTCStyle) -> String {
        let interval = date.timeIntervalSince1970
        guard interval.isFinite, abs(interval) < 253_402_300_800 else { return "0001-01-01T00:00:00Z" }
        let whole: Int
        var fractionMillis = 0
        switch fractions {
        case .dropped:
            whole = WholeSeconds.down(interval) + offset
        case .milliseconds:
            // In range (checked above), so the product fits an Int with room to spare.
            let millis = Int((interval * 1000).rounded()) + offset * 1000
            whole = millis >= 0 ? millis / 1000 : -((-millis + 999) / 1000)
            fractionMillis = millis - whole * 1000
        }
        let civil = CivilDateTime(epochSeconds: whole)
        var text = pad(civil.year, 4) + "-" + pad(civil.month, 2) + "-" + pad(civil.day, 2)
        text += "T" + pad(civil.hour, 2) + ":" + pad(civil.minute, 2) + ":" + pad(civil.second, 2)
        if fractionMillis != 0 { text += "." + pad(fractionMillis, 3) }
        if offset == 0 && utc == .letterZ { return text + "Z" }
        let magnitude = abs(offset)
        return text + (offset < 0 ? "-" : "+") + pad(magnitude / 3600, 2) + ":" + pad(magnitude / 60 % 60, 2)
    }

    /// Year, month, day, hour, minute, second of `date` in `zone`.
    static func civil(_ date: Date, zone: TimeZone) -> CivilDateTime {
        let offset = zone.secondsFromGMT(for: date)
        return CivilDateTime(epochSeconds: WholeSeconds.down(date.timeIntervalSince1970 + Double(offset)))
    }

    /// `2021-10-04` in `zone`: the day a moment falls on in the conference's zone.
    public static func day(_ date: Date, zone: TimeZone) -> String {
        let c = civil(date, zone: zone)
        return String(format: "%04d-%02d-%02d", c.year, c.month, c.day)
    }

    /// `12:58` (or `12:58:10` when the seconds matter) in `zone`.
    public static func wallClock(_ date: Date, zone: TimeZone) -> String {
        let c = civil(date, zone: zone)
        return c.second == 0 ? String(format: "%02d:%02d", c.hour, c.minute) : String(format: "%02d:%02d:%02d", c.hour, c.minute, c.second)
    }

    /// `h:mm:ss` for a position in a recording, to the nearest second (or as `rounding` says).
    public static func position(_ seconds: Double, rounding: FloatingPointRoundingRule = .toNearestOrAwayFromZero) -> String {
        let total = WholeSeconds.nearest(seconds.rounded(rounding))
        return String(format: "%d:%02d:%02d", total / 3600, total / 60 % 60, total % 60)
    }

    /// `45 min` or `1 h 35 min`
    public static func length(_ seconds: Double) -> String {
        let minutes = WholeSeconds.nearest(seconds / 60)
        return minutes >= 60 ? "\(minutes / 60) h \(minutes % 60) min" : "\(minutes) min"
    }
}
