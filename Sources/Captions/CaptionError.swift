/// Why a caption file could not be read or does not fit its recording: a broad `code` for
/// programs, the `file` and 1-based `line` it concerns, and a `reason` for people.
///
/// `message` (and `description`) put them together: `'talk.sv.vtt' line 12: invalid end time '00:61.000'`.
public struct CaptionError: Error, Sendable, Equatable, Codable, CustomStringConvertible {
    /// The broad kinds of problem.
    public enum Code: String, Sendable, Codable {
        /// The file could not be read (missing, not a regular file, too large, permission).
        case unreadable
        /// The bytes are not text (NUL bytes, say).
        case notText = "not_text"
        /// A WebVTT file without its `WEBVTT` first line.
        case missingHeader = "missing_header"
        /// A timing line that does not parse.
        case malformedTiming = "malformed_timing"
        /// A block that is not a cue: no timing line, or no cue number where one belongs.
        case malformedCue = "malformed_cue"
        /// A cue that ends before it starts.
        case endBeforeStart = "end_before_start"
        /// A cue outside the recording (validation).
        case outOfRange = "out_of_range"
        /// A cue that starts before the one above it (validation).
        case outOfOrder = "out_of_order"
        /// A cue that overlaps the one above it by more than the tolerance (validation).
        case overlap
        /// A transcript whose JSON is not the expected shape.
        case malformedJSON = "malformed_json"
        /// More cues than one transcript may hold (`CaptionFile.maxCues`).
        case tooManyCues = "too_many_cues"
    }

    /// The kind of problem.
    public var code: Code
    /// The file as the caller named it.
    public var file: String
    /// The 1-based line the problem is on, when it is on one.
    public var line: Int?
    /// What is wrong, in words, without the file and line.
    public var reason: String

    public init(code: Code, file: String, line: Int? = nil, reason: String) {
        self.code = code
        self.file = file
        self.line = line
        self.reason = reason
    }

    /// The file, the line and the reason in one sentence.
    public var message: String {
        if let line { return "'\(file)' line \(line): \(reason)" }
        return "'\(file)': \(reason)"
    }

    public var description: String { message }
}
