import Foundation

/// Text handling shared by the parsers: decoding bytes, splitting lines, reading and writing
/// timestamps.
enum CaptionText {
    // MARK: - Bytes to text

    /// Decodes caption bytes: UTF-8 (a BOM is dropped), UTF-16 with a BOM, or else Windows-1252,
    /// which is what old subtitle tools write. NUL bytes outside UTF-16 mean it is not text.
    static func decode(_ data: Data, file: String) throws(CaptionError) -> String {
        let bytes = [UInt8](data)
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            let little = bytes[0] == 0xFF
            var units: [UInt16] = []
            units.reserveCapacity(bytes.count / 2)
            var index = 2
            while index + 1 < bytes.count {
                let (a, b) = (UInt16(bytes[index]), UInt16(bytes[index + 1]))
                units.append(little ? a | b << 8 : a << 8 | b)
                index += 2
            }
            if units.contains(0) { throw notText(file) }
            return String(decoding: units, as: UTF16.self)
        }
        let body = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? bytes.dropFirst(3) : bytes[...]
        if body.contains(0) { throw notText(file) }
        if let text = String(validating: body, as: UTF8.self) { return text }
        return String(String.UnicodeScalarView(body.map(windows1252)))
    }

    private static func notText(_ file: String) -> CaptionError {
        CaptionError(code: .notText, file: file, reason: "not a text file (it contains NUL bytes)")
    }

    /// Windows-1252: Latin-1 except 0x80...0x9F, which hold curly quotes, dashes and the euro sign.
    private static func windows1252(_ byte: UInt8) -> Unicode.Scalar {
        let high: [UInt32] = [
            0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D, 0x017D, 0x8F,
            0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
        ]
        if (0x80...0x9F).contains(byte) { return Unicode.Scalar(high[Int(byte) - 0x80]) ?? "?" }
        return Unicode.Scalar(byte)
    }

    // MARK: - Lines

    /// Splits on CRLF, CR and LF (and only those: U+2028 inside a caption stays text).
    static func lines(_ text: String) -> [Substring] {
        var result: [Substring] = []
        let utf8 = text.utf8
        var lineStart = utf8.startIndex
        var index = utf8.startIndex
        while index != utf8.endIndex {
            let byte = utf8[index]
            if byte == 0x0A || byte == 0x0D {
                result.append(text[lineStart..<index])
                var next = utf8.index(after: index)
                if byte == 0x0D, next != utf8.endIndex, utf8[next] == 0x0A { next = utf8.index(after: next) }
                index = next
                lineStart = next
            } else {
                index = utf8.index(after: index)
            }
        }
        result.append(text[lineStart..<utf8.endIndex])
        return result
    }

    static func isBlank(_ line: Substring) -> Bool {
        line.utf8.allSatisfy { $0 == 0x20 || $0 == 0x09 }
    }

    static func trimmed<S: StringProtocol>(_ text: S) -> Substring {
        var slice = Substring(text)
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return slice
    }

    /// The payload as lines of plain text: each trimmed, empty ones dropped, CR and LF inside a
    /// line treated as line breaks.
    static func payloadLines(_ text: String) -> [Substring] {
        lines(text).map { trimmed($0) }.filter { !$0.isEmpty }
    }

    // MARK: - Timestamps

    /// Reads `hh:mm:ss.ttt` or `mm:ss.ttt`. Lenient where files are sloppy: one-digit fields,
    /// a comma for the point, any number of fraction digits, no fraction at all. Strict where it
    /// matters: digits only, minutes and seconds below 60.
    static func seconds(_ text: Substring) -> Double? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3 else { return nil }
        var whole = parts[parts.count - 1]
        var fraction: Substring = ""
        if let point = whole.firstIndex(where: { $0 == "." || $0 == "," }) {
            fraction = whole[whole.index(after: point)...]
            whole = whole[..<point]
            guard !fraction.isEmpty, fraction.count <= 9, isDigits(fraction) else { return nil }
        }
        guard let secs = number(whole, maxDigits: 2), secs < 60 else { return nil }
        guard let minutes = number(parts[parts.count - 2], maxDigits: 2), minutes < 60 else { return nil }
        var hours = 0
        if parts.count == 3 {
            guard let value = number(parts[0], maxDigits: 7) else { return nil }
            hours = value
        }
        // Parsed from decimal text in one go, so 3.119 is the same Double as 3119 / 1000.
        let total = hours * 3600 + minutes * 60 + secs
        return fraction.isEmpty ? Double(total) : Double("\(total).\(fraction)")
    }

    private static func number(_ text: Substring, maxDigits: Int) -> Int? {
        guard !text.isEmpty, text.count <= maxDigits, isDigits(text) else { return nil }
        return Int(text)
    }

    static func isDigits<S: StringProtocol>(_ text: S) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    /// Writes `hh:mm:ss.ttt` (the point is `,` for SRT), rounded to the millisecond. Negative
    /// and non-finite times are written as zero.
    static func timestamp(_ seconds: Double, separator: Character = ".") -> String {
        let clamped = seconds.isFinite ? min(max(0, seconds), 359_999_999) : 0
        let millis = Int64((clamped * 1000).rounded())
        let hours = millis / 3_600_000
        let minutes = millis / 60_000 % 60
        let secs = millis / 1000 % 60
        let rest = millis % 1000
        return pad(hours, 2) + ":" + pad(minutes, 2) + ":" + pad(secs, 2) + String(separator) + pad(rest, 3)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    /// Rounds to the millisecond, as the writers do, so that compared values survive a round trip.
    static func millisecond(_ seconds: Double) -> Double {
        seconds.isFinite ? (max(0, seconds) * 1000).rounded() / 1000 : 0
    }

    // MARK: - Timing lines

    /// A parsed `start --> end [settings]` line.
    struct Timing {
        var start: Double
        var end: Double
    }

    /// Reads a timing line, or says what is wrong with it. Whatever follows the end time
    /// (WebVTT cue settings, SRT coordinates) is ignored.
    static func timing(_ line: Substring, file: String, number: Int) throws(CaptionError) -> Timing {
        guard let arrow = line.range(of: "-->") else {
            throw CaptionError(code: .malformedTiming, file: file, line: number, reason: "expected a timing line 'start --> end', found '\(excerpt(line))'")
        }
        let startText = trimmed(line[..<arrow.lowerBound])
        let after = line[arrow.upperBound...].drop { $0 == " " || $0 == "\t" }
        let endText = after.prefix { $0 != " " && $0 != "\t" }
        guard let start = seconds(startText) else {
            throw CaptionError(code: .malformedTiming, file: file, line: number, reason: "invalid start time '\(excerpt(startText))'")
        }
        guard let end = seconds(endText) else {
            throw CaptionError(code: .malformedTiming, file: file, line: number, reason: "invalid end time '\(excerpt(endText))'")
        }
        guard end >= start else {
            throw CaptionError(
                code: .endBeforeStart, file: file, line: number,
                reason: "the cue ends (\(timestamp(end))) before it starts (\(timestamp(start)))")
        }
        return Timing(start: start, end: end)
    }

    /// A line as it may be quoted in an error: cut, so a hostile file cannot fill the log.
    static func excerpt<S: StringProtocol>(_ text: S) -> String {
        text.count > 60 ? String(text.prefix(60)) + "…" : String(text)
    }
}

/// A position a person typed: `1:02:03`, `2:03.5`, or plain seconds (`75`, `75,5`); nil for
/// anything else, a negative number or more than ten million seconds (a staff form's field, a
/// command's argument).
public enum TypedPosition {
    public static func seconds(_ text: String) -> Double? {
        let text = text.trimmingCharacters(in: .whitespaces)
        let value: Double?
        if text.contains(":") {
            value = CaptionText.seconds(Substring(text))
        } else {
            let plain = text.replacingOccurrences(of: ",", with: ".")
            value = plain.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E }) && !plain.isEmpty ? Double(plain) : nil
        }
        guard let value, value.isFinite, value >= 0, value <= 10_000_000 else { return nil }
        return value
    }
}
