import Foundation
import Schedule

/// Where a recording's wall-clock start came from.
public enum StartSource: String, Sendable, Codable {
    /// The container's `creation_time` tag.
    case tag
    /// A time stamp in the file name (`2021-10-04 13-00-12.mkv` as OBS writes it).
    case filename
    /// The file's modification time minus its duration: a weak guess.
    case mtime
}

/// A reading of when a recording started.
public struct RecordingStart: Sendable, Equatable {
    public var date: Date
    public var source: StartSource
    /// How the start was read, in words (`creation_time tag 2021-10-06T07:28:00Z`).
    public var evidence: String
}

/// Reads a recording's start time from its tags, its file name, or its modification time.
public enum RecordingClock {
    /// The start from the `creation_time` tag (or QuickTime's creation date), when it parses.
    public static func fromTags(_ tags: [String: String]) -> RecordingStart? {
        for key in ["creation_time", "com.apple.quicktime.creationdate", "date_recorded", "date"] {
            guard let value = tags[key], let date = parseISO8601(value) else { continue }
            return RecordingStart(date: date, source: .tag, evidence: "\(key) tag \(value)")
        }
        return nil
    }

    /// `2021-10-06T07:28:00(.000000)Z`, as muxers write creation_time, parsed without a formatter.
    static func parseUTCStamp(_ text: String) -> Date? {
        let c = Array(text.utf8)
        guard c.count >= 20, c.last == UInt8(ascii: "Z"), c[4] == UInt8(ascii: "-"), c[7] == UInt8(ascii: "-"),
              c[10] == UInt8(ascii: "T") || c[10] == UInt8(ascii: " "), c[13] == UInt8(ascii: ":"), c[16] == UInt8(ascii: ":") else { return nil }
        func number(_ from: Int, _ count: Int) -> Int? {
            var value = 0
            for i in from..<(from + count) {
                guard c[i] >= 48 && c[i] <= 57 else { return nil }
                value = value * 10 + Int(c[i] - 48)
            }
            return value
        }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2), let hour = number(11, 2),
              let minute = number(14, 2), let second = number(17, 2), (1...12).contains(month), (1...31).contains(day),
              hour < 24, minute < 60, second < 61 else { return nil }
        var fraction = 0.0
        if c.count > 20 {
            guard c[19] == UInt8(ascii: "."), c.count > 21 else { return nil }
            var scale = 0.1
            for i in 20..<(c.count - 1) {
                guard c[i] >= 48 && c[i] <= 57 else { return nil }
                fraction += Double(c[i] - 48) * scale
                scale /= 10
            }
        }
        let days = daysFromCivil(year: year, month: month, day: day)
        return Date(timeIntervalSince1970: Double(days * 86_400 + hour * 3600 + minute * 60 + second) + fraction)
    }

    /// The start from a time stamp in the file's name, read as wall-clock time in `zone`
    /// (recorders write local time) unless the stamp ends in `Z`. Accepts `2021-10-04 13-00-12`,
    /// `2021-10-04_1300`, `2021-10-04T13:00:00`, `20211004T130000`, `20211004_130000`, ...
    public static func fromFileName(_ path: String, zone: TimeZone) -> RecordingStart? {
        let name = PathText.lastComponent(path)
        guard let stamp = FileNameStamp.find(in: name) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = stamp.utc ? ConferenceZone.utc : zone
        let components = DateComponents(year: stamp.year, month: stamp.month, day: stamp.day, hour: stamp.hour, minute: stamp.minute, second: stamp.second)
        guard let date = calendar.date(from: components) else { return nil }
        return RecordingStart(date: date, source: .filename, evidence: "time stamp \"\(stamp.text)\" in the file name")
    }

    /// Modification time minus duration: when a copy kept the file's times, this is when the
    /// recording began. Weak: copies and edits change it.
    public static func fromModificationTime(_ modified: Date?, duration: Double?) -> RecordingStart? {
        guard let modified, let duration, duration > 0 else { return nil }
        return RecordingStart(date: modified.addingTimeInterval(-duration), source: .mtime, evidence: "file modified time minus duration")
    }

    static func parseISO8601(_ text: String) -> Date? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let date = parseUTCStamp(trimmed) { return date }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: trimmed) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: trimmed) { return date }
        // `2021-10-06 07:28:00` (no zone) is how some tools write UTC.
        let spaced = trimmed.replacingOccurrences(of: " ", with: "T")
        if spaced.count == 19, let date = formatter.date(from: spaced + "Z") { return date }
        return nil
    }
}

/// A date and time found in a file name.
struct FileNameStamp: Equatable {
    var year, month, day, hour, minute, second: Int
    var utc: Bool
    var text: String

    /// The first plausible stamp in `name`: a date (`2021-10-04` or `20211004`) followed by a
    /// time (`13-00-12`, `1300`, `13.00`, `13:00:00`, `130000`), separated by a space, `_`, `T`
    /// or `-`.
    static func find(in name: String) -> FileNameStamp? {
        let chars = Array(name.utf8)
        var index = 0
        while index < chars.count {
            if let stamp = parse(chars, at: index) { return stamp }
            index += 1
        }
        return nil
    }

    private static func digits(_ chars: [UInt8], _ at: Int, _ count: Int) -> Int? {
        guard at >= 0, at + count <= chars.count else { return nil }
        var value = 0
        for i in at..<(at + count) {
            let c = chars[i]
            guard c >= 48 && c <= 57 else { return nil }
            value = value * 10 + Int(c - 48)
        }
        return value
    }

    private static func isDigit(_ chars: [UInt8], _ at: Int) -> Bool {
        at >= 0 && at < chars.count && chars[at] >= 48 && chars[at] <= 57
    }

    private static func parse(_ chars: [UInt8], at start: Int) -> FileNameStamp? {
        // A stamp does not begin in the middle of a number.
        if isDigit(chars, start - 1) { return nil }
        var i = start
        guard let year = digits(chars, i, 4), (1990...2100).contains(year) else { return nil }
        i += 4
        let dashed = i < chars.count && chars[i] == UInt8(ascii: "-")
        if dashed { i += 1 }
        guard let month = digits(chars, i, 2), (1...12).contains(month) else { return nil }
        i += 2
        if dashed {
            guard i < chars.count, chars[i] == UInt8(ascii: "-") else { return nil }
            i += 1
        }
        guard let day = digits(chars, i, 2), (1...31).contains(day) else { return nil }
        i += 2
        guard i < chars.count, [UInt8(ascii: " "), UInt8(ascii: "_"), UInt8(ascii: "T"), UInt8(ascii: "-"), UInt8(ascii: "t")].contains(chars[i]) else { return nil }
        i += 1
        guard let hour = digits(chars, i, 2), hour < 24 else { return nil }
        i += 2
        let separators: [UInt8] = [UInt8(ascii: "-"), UInt8(ascii: ":"), UInt8(ascii: "."), UInt8(ascii: "h")]
        var separator: UInt8? = nil
        if i < chars.count, separators.contains(chars[i]) { separator = chars[i]; i += 1 }
        guard let minute = digits(chars, i, 2), minute < 60 else { return nil }
        i += 2
        var second = 0
        if let separator, i + 2 < chars.count + 1, i < chars.count, chars[i] == separator, let s = digits(chars, i + 1, 2), s < 60 {
            second = s
            i += 3
        } else if separator == nil, let s = digits(chars, i, 2), s < 60 {
            second = s
            i += 2
        }
        // Four digits more would make this a longer number, not a time.
        if isDigit(chars, i) { return nil }
        let utc = i < chars.count && (chars[i] == UInt8(ascii: "Z") || chars[i] == UInt8(ascii: "z"))
        let text = String(decoding: chars[start..<i], as: UTF8.self)
        return FileNameStamp(year: year, month: month, day: day, hour: hour, minute: minute, second: second, utc: utc, text: text)
    }
}
