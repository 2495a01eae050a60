import Foundation

/// A subtitle or caption file read into cues, each with the line it came from, so that a later
/// check can say where a problem is.
public struct CaptionFile: Sendable, Equatable {
    /// The text formats efterhand reads and writes; the raw value is the usual file extension.
    public enum Format: String, Sendable, Codable, CaseIterable {
        case webVTT = "vtt"
        case srt
    }

    /// A cue and the 1-based line of its timing line.
    public struct Entry: Sendable, Equatable {
        public var cue: Cue
        /// The 1-based line of the cue's timing line.
        public var line: Int

        public init(cue: Cue, line: Int) {
            self.cue = cue
            self.line = line
        }
    }

    /// The file as the caller named it.
    public var file: String
    /// The format the file was read as.
    public var format: Format
    /// Cues in file order (not sorted: `validate` reports disorder).
    public var entries: [Entry]

    public init(file: String, format: Format, entries: [Entry]) {
        self.file = file
        self.format = format
        self.entries = entries
    }

    /// The cues alone, in file order.
    public var cues: [Cue] { entries.map(\.cue) }

    /// The largest caption file `read` accepts, and the largest transcript upload the server
    /// takes: 16 MiB is eight times a 14-hour recording's transcript at `maxCues`.
    public static let maxBytes = 16 << 20

    /// The most cues one transcript may hold, from a file, an upload or a recording's subtitle
    /// stream: 50,000 is a cue a second for 14 hours. Each cue is stored, indexed and searched,
    /// so a file with 300,000 one-millisecond cues would slow every search of its segments.
    public static let maxCues = 50_000

    /// The error of a transcript that reaches `maxCues` at `line`.
    static func tooManyCues(file: String, line: Int) -> CaptionError {
        CaptionError(code: .tooManyCues, file: file, line: line,
                     reason: "more than \(maxCues) cues, the most one transcript may hold (a cue a second for 14 hours); split the file by recording")
    }

    /// Reads a WebVTT or SRT file: the format comes from the extension (`.vtt`, `.srt`, any
    /// case), or from the content (`WEBVTT` first line) for other names. Text is taken as
    /// UTF-8, UTF-16 with a byte order mark, or else Windows-1252.
    public static func read(path: String) throws(CaptionError) -> CaptionFile {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw CaptionError(code: .unreadable, file: path, reason: String(cString: strerror(errno)))
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw CaptionError(code: .unreadable, file: path, reason: "not a regular file")
        }
        guard Int(info.st_size) <= maxBytes else {
            throw CaptionError(code: .unreadable, file: path, reason: "larger than \(maxBytes >> 20) MB, too large for a caption file")
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw CaptionError(code: .unreadable, file: path, reason: "cannot be read (\(error.localizedDescription))")
        }
        let ext = (path as NSString).pathExtension.lowercased()
        return try parse(data, file: path, format: Format(rawValue: ext))
    }

    /// Parses caption bytes. Without a `format`, a `WEBVTT` first line means WebVTT and
    /// anything else is read as SRT.
    public static func parse(_ data: Data, file: String, format: Format? = nil) throws(CaptionError) -> CaptionFile {
        let text = try CaptionText.decode(data, file: file)
        let chosen = format ?? (text.hasPrefix("WEBVTT") ? .webVTT : .srt)
        switch chosen {
        case .webVTT: return try WebVTT.parse(text, file: file)
        case .srt: return try SRT.parse(text, file: file)
        }
    }
}
