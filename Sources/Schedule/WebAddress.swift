import Foundation

/// The only links a programme may hand on: absolute `http` and `https` addresses. The importers
/// drop others with a warning; the feed and API check again on the way out, for an index made
/// before imports did.
public enum WebAddress {
    /// True for an absolute `http` or `https` address with a host and no spaces or control
    /// characters: the only links a programme may hand on, so that no `javascript:` or `data:`
    /// link reaches a page or a feed.
    public static func isWebAddress(_ text: String) -> Bool {
        guard !text.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || (0x7F...0x9F).contains($0.value) })
        else { return false }
        let lower = text.prefix(8).lowercased()
        let rest: Substring
        if lower.hasPrefix("https://") {
            rest = text.dropFirst(8)
        } else if lower.hasPrefix("http://") {
            rest = text.dropFirst(7)
        } else {
            return false
        }
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let hostAndPort = authority.split(separator: "@", omittingEmptySubsequences: false).last ?? ""
        let host = hostAndPort.hasPrefix("[") ? hostAndPort : hostAndPort.split(separator: ":", omittingEmptySubsequences: false).first ?? ""
        return !host.isEmpty
    }

    /// `text` when it is a web address, else nil.
    public static func checked(_ text: String?) -> String? {
        text.flatMap { isWebAddress($0) ? $0 : nil }
    }
}
