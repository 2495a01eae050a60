import Foundation

/// The query of a request as forms and browsers write it: `+` is a space, `%XX` escapes are
/// decoded in names and values; a name given twice keeps its first value.
struct QueryParameters: Sendable {
    private var values: [String: String] = [:]

    init(_ query: String?) {
        for pair in (query ?? "").split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(parts[0])
            let value = parts.count > 1 ? Self.decode(parts[1]) : ""
            if values[name] == nil { values[name] = value }
        }
    }

    subscript(_ name: String) -> String? { values[name] }

    /// A non-empty value, trimmed.
    func text(_ name: String) -> String? {
        values[name].map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// A whole number in `range`, or a 400 naming the parameter.
    func integer(_ name: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let text = text(name) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw APIError.badParameter("'\(name)' must be a whole number from \(range.lowerBound) to \(range.upperBound), not '\(text)'")
        }
        return value
    }

    private static func decode(_ text: Substring) -> String {
        // Most names and values need no decoding; Foundation's is slow enough to show in a profile.
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "%") }) else { return String(text) }
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}

/// A path parameter as the client meant it: percent escapes decoded.
func decodedParameter(_ raw: String) -> String {
    raw.removingPercentEncoding ?? raw
}

extension ServerContext {
    /// The path parameter `name`, decoded by the one rule every route uses
    /// (`decodedParameter`): `/sessions/iv21-105-%C3%B6ppna-data` names the slug with `ö`.
    func pathParameter(_ name: String) -> String {
        decodedParameter(parameters.get(name) ?? "")
    }
}
