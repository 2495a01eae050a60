import Foundation

/// Only web addresses go out: a programme's `javascript:` or `data:` link, kept in an index
/// made before imports refused them, becomes nothing rather than a link a page or portal shows.
public enum WebAddress {
    public static func checked(_ text: String?) -> String? {
        guard let text, let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              url.host?.isEmpty == false else { return nil }
        return text
    }
}
