import Foundation

/// One byte range of a `Range: bytes=...` header, resolved against a file's size (RFC 9110 §14).
enum ByteRangeRequest: Equatable {
    /// No usable `Range` header: send the whole file (200). Also for a header that does not
    /// parse, for other units, and for several ranges, which a server may answer in full.
    case whole
    /// Send these bytes (206).
    case partial(ClosedRange<Int64>)
    /// No range overlaps the file (416).
    case unsatisfiable

    /// Reads `header` for a file of `size` bytes: `bytes=a-b` (b clamped to the end),
    /// `bytes=a-` (to the end) and `bytes=-n` (the last n bytes).
    init(header: String?, size: Int64) {
        guard let header else {
            self = .whole
            return
        }
        let trimmed = header.trimmingCharacters(in: .whitespaces)
        guard trimmed.lowercased().hasPrefix("bytes=") else {
            self = .whole
            return
        }
        let spec = trimmed.dropFirst(6).trimmingCharacters(in: .whitespaces)
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else {
            self = .whole
            return
        }
        let first = spec[..<dash].trimmingCharacters(in: .whitespaces)
        let last = spec[spec.index(after: dash)...].trimmingCharacters(in: .whitespaces)
        func number(_ text: String) -> Int64? {
            guard !text.isEmpty, text.allSatisfy(\.isASCII), text.allSatisfy(\.isNumber) else { return nil }
            return Int64(text) ?? Int64.max
        }
        if first.isEmpty {
            // A suffix: the last n bytes; n = 0 asks for nothing.
            guard let count = number(last) else {
                self = .whole
                return
            }
            guard count > 0, size > 0 else {
                self = .unsatisfiable
                return
            }
            self = .partial(max(0, size - count)...(size - 1))
            return
        }
        guard let start = number(first) else {
            self = .whole
            return
        }
        var end = size - 1
        if !last.isEmpty {
            guard let given = number(last), given >= start else {
                // An end before the start makes the header invalid: ignore it.
                self = .whole
                return
            }
            end = min(given, size - 1)
        }
        guard start < size else {
            self = .unsatisfiable
            return
        }
        self = .partial(start...end)
    }
}

