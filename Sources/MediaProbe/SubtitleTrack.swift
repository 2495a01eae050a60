import Captions

/// The cues of one text subtitle stream inside a recording.
public struct SubtitleTrack: Sendable, Equatable {
    /// The stream's index in the container, as in `ProbeResult.streams`.
    public var streamIndex: Int
    /// FFmpeg's codec name: `mov_text`, `subrip`, `webvtt`, `ass`, `ssa`...
    public var codec: String
    /// The stream's language tag (`swe`, `en`), nil when absent or `und`.
    public var language: String?
    /// The stream's title tag (`Svenska`, `SDH`), when it has one.
    public var title: String?
    /// The cues in time order, times in seconds into the recording (the container's start
    /// time is zero), text plain.
    public var cues: [Cue]

    public init(streamIndex: Int, codec: String, language: String? = nil, title: String? = nil, cues: [Cue] = []) {
        self.streamIndex = streamIndex
        self.codec = codec
        self.language = language
        self.title = title
        self.cues = cues
    }
}
