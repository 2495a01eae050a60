import Captions
import Foundation
import IndexStore

/// A recording's segments as chapters: Podcasting 2.0 JSON chapters and a WebVTT chapter track.
public enum Chapters {
    /// The media type of JSON chapters (podcast namespace).
    public static let jsonMediaType = "application/json+chapters"
    /// The JSON chapters version written.
    public static let version = "1.2.0"

    /// `{"version": "1.2.0", "chapters": [{"startTime", "endTime", "title", "img", "url"}]}`,
    /// one chapter per segment by start, `img` its thumbnail, `url` the session's watch page
    /// at that moment.
    public static func json(_ recording: Catalogue.PublicRecording, catalogue: Catalogue) throws -> Data {
        let links = catalogue.links
        let chapters = ordered(recording).map { entry -> Chapter in
            let segment = entry.segment
            let session = recording.sessions.first { $0.session.guid == segment.sessionGuid }
            return Chapter(startTime: millisecond(segment.startSeconds), endTime: millisecond(segment.endSeconds), title: segment.title,
                           img: entry.thumbnail.map(links.thumbnail),
                           url: session.map { links.watch($0.session, at: max(0, segment.startSeconds - $0.link.inSeconds)) })
        }
        return try APIJSON.encode(Document(version: version, chapters: chapters))
    }

    /// A WebVTT chapter track: one cue per segment with its title.
    public static func vtt(_ recording: Catalogue.PublicRecording) -> String {
        WebVTT.chapters(ordered(recording).map { (start: $0.segment.startSeconds, end: $0.segment.endSeconds, title: $0.segment.title) })
    }

    static func ordered(_ recording: Catalogue.PublicRecording) -> [Catalogue.SegmentEntry] {
        recording.segments.enumerated().sorted { ($0.element.segment.startSeconds, $0.offset) < ($1.element.segment.startSeconds, $1.offset) }.map(\.element)
    }

    static func millisecond(_ seconds: Double) -> Double {
        (seconds * 1000).rounded() / 1000
    }

    struct Document: Encodable {
        var version: String
        var chapters: [Chapter]
    }

    struct Chapter: Encodable {
        var startTime: Double
        var endTime: Double
        var title: String
        var img: String?
        var url: String?
    }
}

/// A recording's transcript for players and readers: WebVTT, SubRip or the Podcasting 2.0 JSON
/// transcript. Cues where the segment has text (drafted or verified); where it has none, a stub
/// cue that spans the segment with no text (in WebVTT, with a `NOTE` saying so).
public enum TranscriptDocuments {
    /// Renders `transcripts` (of one recording) in `language` as `format`, keeping the
    /// segments of `sessions` (the published ones) only.
    public static func render(_ transcripts: RecordingTranscripts, language: String, format: TranscriptFormat, sessions: Set<String>) throws -> Data {
        let mine = transcripts.transcripts.filter { $0.language == language && sessions.contains($0.segment.sessionGuid) }
        return try TranscriptWriter.render(mine, format: format) { segment in
            "segment \(segment.position + 1) \"\(segment.title)\": not transcribed yet"
        }
    }

    /// The media type of each format.
    public static func mediaType(_ format: TranscriptFormat) -> String {
        switch format {
        case .vtt: return WebVTT.mediaType + "; charset=utf-8"
        case .srt: return SRT.mediaType + "; charset=utf-8"
        case .json: return "application/json; charset=utf-8"
        }
    }
}
