import Foundation

/// Whole seconds of a time read from the index, for text, URLs and JSON. `Int(x.rounded())`
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

/// Only web addresses go out: a programme's `javascript:` or `data:` link, kept in an index
/// made before imports refused them, becomes nothing rather than a link a page or portal shows.
public enum WebAddress {
    public static func checked(_ text: String?) -> String? {
        guard let text, let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              url.host?.isEmpty == false else { return nil }
        return text
    }
}
