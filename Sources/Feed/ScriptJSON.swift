import Foundation

/// JSON for a `<script>` block of a page (JSON-LD, page data): no `<`, `>` or `&` that could
/// close the element or open a comment.
public enum ScriptJSON {
    /// `value` as JSON with sorted keys, made safe inside `<script>`; `null` if it cannot be encoded.
    ///
    /// The typed value is encoded by `JSONEncoder` and then written by `JSONSerialization`,
    /// whose `.sortedKeys` order (numeric and case-insensitive: `7f3c…` before `10ab…`) the pages
    /// have always had. `JSONEncoder`'s own `.sortedKeys` orders by code point instead, which
    /// would reorder a map keyed by session guids (the home page's data); both escape `/` as `\/`.
    public static func text<Value: Encodable>(_ value: Value) -> String {
        guard let encoded = try? JSONEncoder().encode(value),
              let object = try? JSONSerialization.jsonObject(with: encoded, options: [.fragmentsAllowed]),
              let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .fragmentsAllowed]),
              let text = String(data: data, encoding: .utf8) else { return "null" }
        return text.replacingOccurrences(of: "<", with: "\\u003c").replacingOccurrences(of: ">", with: "\\u003e")
            .replacingOccurrences(of: "&", with: "\\u0026")
    }
}
