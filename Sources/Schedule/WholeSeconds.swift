import Foundation

/// Whole seconds (or milliseconds) of a time read from a file, a request or the index, for text, URLs and JSON. `Int(x.rounded())`
/// traps on NaN, an infinity or anything past Int's range; these never do: NaN gives 0, and
/// times are clamped to ±`limit` (about 31,700 years, far past any recording).
public enum WholeSeconds {
    public static let limit = 1e12

    public static func down(_ seconds: Double) -> Int { whole(seconds.rounded(.down)) }
    public static func up(_ seconds: Double) -> Int { whole(seconds.rounded(.up)) }
    public static func nearest(_ seconds: Double) -> Int { whole(seconds.rounded()) }

    private static func whole(_ value: Double) -> Int {
        guard !value.isNaN else { return 0 }
        return Int(min(max(value, -limit), limit))
    }
}
