/// What efterhand learned from one recording: the contract of `efterhand probe --json`.
///
/// Unknown values are `nil` (encoded as JSON `null`), never 0 or "". A file that could not be
/// probed still has a result, with `error` set and whatever was known before the failure.
public struct ProbeResult: Sendable, Equatable, Codable {
    /// The path as the caller gave it (absolute or relative).
    public var path: String
    public var sizeBytes: Int64?
    /// libavformat's demuxer name, such as `mov,mp4,m4a,3gp,3g2,mj2` or `matroska,webm`.
    public var container: String?
    public var durationSeconds: Double?
    public var durationSource: DurationSource?
    public var startSeconds: Double?
    public var bitRate: Int64?
    /// Container tags, keys lower-cased.
    public var tags: [String: String]
    public var streams: [StreamInfo]
    /// Chapters as the file declares them, in order, odd ones included.
    public var chapters: [Chapter]
    public var error: ProbeError?
    /// Bytes libavformat read from the file; not part of the JSON contract.
    public var bytesRead: Int64?

    public init(
        path: String, sizeBytes: Int64? = nil, container: String? = nil,
        durationSeconds: Double? = nil, durationSource: DurationSource? = nil,
        startSeconds: Double? = nil, bitRate: Int64? = nil, tags: [String: String] = [:],
        streams: [StreamInfo] = [], chapters: [Chapter] = [], error: ProbeError? = nil,
        bytesRead: Int64? = nil
    ) {
        self.path = path
        self.sizeBytes = sizeBytes
        self.container = container
        self.durationSeconds = durationSeconds
        self.durationSource = durationSource
        self.startSeconds = startSeconds
        self.bitRate = bitRate
        self.tags = tags
        self.streams = streams
        self.chapters = chapters
        self.error = error
        self.bytesRead = bytesRead
    }

    /// True when the file was read without error.
    public var succeeded: Bool { error == nil }

    /// Where `durationSeconds` came from.
    public enum DurationSource: String, Sendable, Codable {
        case container, streams, scan
    }

    enum CodingKeys: String, CodingKey {
        case path, sizeBytes = "size_bytes", container
        case durationSeconds = "duration_seconds", durationSource = "duration_source"
        case startSeconds = "start_seconds", bitRate = "bit_rate", tags, streams, chapters, error
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        path = try c.decode(String.self, forKey: .path)
        sizeBytes = try c.decodeIfPresent(Int64.self, forKey: .sizeBytes)
        container = try c.decodeIfPresent(String.self, forKey: .container)
        durationSeconds = try c.decodeIfPresent(Double.self, forKey: .durationSeconds)
        durationSource = try c.decodeIfPresent(DurationSource.self, forKey: .durationSource)
        startSeconds = try c.decodeIfPresent(Double.self, forKey: .startSeconds)
        bitRate = try c.decodeIfPresent(Int64.self, forKey: .bitRate)
        tags = try c.decodeIfPresent([String: String].self, forKey: .tags) ?? [:]
        streams = try c.decodeIfPresent([StreamInfo].self, forKey: .streams) ?? []
        chapters = try c.decodeIfPresent([Chapter].self, forKey: .chapters) ?? []
        error = try c.decodeIfPresent(ProbeError.self, forKey: .error)
        bytesRead = nil
    }

    // Written out by hand so that unknown values appear as `null` rather than being left out.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(path, forKey: .path)
        try c.encode(sizeBytes, forKey: .sizeBytes)
        try c.encode(container, forKey: .container)
        try c.encode(durationSeconds, forKey: .durationSeconds)
        try c.encode(durationSource, forKey: .durationSource)
        try c.encode(startSeconds, forKey: .startSeconds)
        try c.encode(bitRate, forKey: .bitRate)
        try c.encode(tags, forKey: .tags)
        try c.encode(streams, forKey: .streams)
        try c.encode(chapters, forKey: .chapters)
        try c.encode(error, forKey: .error)
    }
}

/// One elementary stream of a recording.
public struct StreamInfo: Sendable, Equatable, Codable {
    /// What a stream carries, as in the JSON contract.
    public enum Kind: String, Sendable, Codable {
        case video, audio, subtitle, data, attachment
    }

    public var index: Int
    public var kind: Kind
    /// FFmpeg's codec name (`h264`, `aac`, `mov_text`), or nil when FFmpeg does not know it.
    public var codec: String?
    public var language: String?
    public var title: String?
    public var width: Int?
    public var height: Int?
    public var frameRate: Double?
    public var sampleRate: Int?
    public var channels: Int?
    public var durationSeconds: Double?
    /// A cover picture (album art) rather than a moving picture.
    public var attachedPicture: Bool

    public init(
        index: Int, kind: Kind, codec: String? = nil, language: String? = nil,
        title: String? = nil, width: Int? = nil, height: Int? = nil, frameRate: Double? = nil,
        sampleRate: Int? = nil, channels: Int? = nil, durationSeconds: Double? = nil,
        attachedPicture: Bool = false
    ) {
        self.index = index
        self.kind = kind
        self.codec = codec
        self.language = language
        self.title = title
        self.width = width
        self.height = height
        self.frameRate = frameRate
        self.sampleRate = sampleRate
        self.channels = channels
        self.durationSeconds = durationSeconds
        self.attachedPicture = attachedPicture
    }

    enum CodingKeys: String, CodingKey {
        case index, kind, codec, language, title, width, height
        case frameRate = "frame_rate", sampleRate = "sample_rate", channels
        case durationSeconds = "duration_seconds", attachedPicture = "attached_picture"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(index, forKey: .index)
        try c.encode(kind, forKey: .kind)
        try c.encode(codec, forKey: .codec)
        try c.encode(language, forKey: .language)
        try c.encode(title, forKey: .title)
        try c.encode(width, forKey: .width)
        try c.encode(height, forKey: .height)
        try c.encode(frameRate, forKey: .frameRate)
        try c.encode(sampleRate, forKey: .sampleRate)
        try c.encode(channels, forKey: .channels)
        try c.encode(durationSeconds, forKey: .durationSeconds)
        try c.encode(attachedPicture, forKey: .attachedPicture)
    }
}

/// A chapter as the container declares it; `end` may be before `start` in broken files.
public struct Chapter: Sendable, Equatable, Codable {
    public var index: Int
    public var startSeconds: Double
    public var endSeconds: Double
    public var title: String?

    public init(index: Int, startSeconds: Double, endSeconds: Double, title: String? = nil) {
        self.index = index
        self.startSeconds = startSeconds
        self.endSeconds = endSeconds
        self.title = title
    }

    enum CodingKeys: String, CodingKey {
        case index, startSeconds = "start_seconds", endSeconds = "end_seconds", title
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(index, forKey: .index)
        try c.encode(startSeconds, forKey: .startSeconds)
        try c.encode(endSeconds, forKey: .endSeconds)
        try c.encode(title, forKey: .title)
    }
}
