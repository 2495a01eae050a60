/// One timed piece of text: a subtitle, a caption or a transcript segment.
///
/// Times are seconds from the start of the recording. `text` is plain text without markup,
/// its lines separated by `"\n"`; `speaker` is who says it, when the source names them.
public struct Cue: Sendable, Equatable, Hashable, Codable {
    /// When the cue appears, in seconds from the start of the recording.
    public var start: Double
    /// When it goes, in seconds; not before `start` in what the parsers return.
    public var end: Double
    /// Plain text, lines separated by `"\n"`.
    public var text: String
    /// Who speaks, when the source says (`<v Name>` in WebVTT, `Name` in ASS).
    public var speaker: String?

    public init(start: Double, end: Double, text: String, speaker: String? = nil) {
        self.start = start
        self.end = end
        self.text = text
        self.speaker = speaker
    }

    /// How long the cue is shown, in seconds (negative only when `end` is before `start`).
    public var duration: Double { end - start }
}
