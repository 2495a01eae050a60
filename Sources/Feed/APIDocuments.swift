import Foundation
import IndexStore
import MediaProbe
import Schedule

/// The JSON documents of the API (`/api/recordings/{id}`, `/api/sessions/{guid}`,
/// `/api/topics`), rendered from one catalogue. Keys are snake_case.
public enum APIDocuments {
    /// The media type of every API document.
    public static let mediaType = "application/json; charset=utf-8"

    /// A public recording: its file, streams, the sessions and segments it holds, and where its
    /// media, chapters and transcripts are.
    public static func recording(_ recording: Catalogue.PublicRecording, catalogue: Catalogue) throws -> Data {
        let links = catalogue.links
        let stored = recording.recording
        let document = RecordingDocument(
            id: recording.id, fileName: (stored.path as NSString).lastPathComponent, container: stored.probe?.container,
            mimeType: recording.mediaType, sizeInBytes: stored.size, durationInSeconds: stored.duration,
            modified: stored.mtime.map { catalogue.timestamp(Date(timeIntervalSince1970: $0.rounded(.down))) },
            streams: (stored.probe?.streams ?? []).filter { $0.kind == .video || $0.kind == .audio || $0.kind == .subtitle }.map(StreamDocument.init),
            mediaURL: links.media(stored), image: recording.image.map(links.thumbnail),
            chapters: PartDocument.Formats(json: links.recordingAPI(recording.id, "chapters.json"), vtt: links.recordingAPI(recording.id, "chapters.vtt")),
            transcripts: PartDocument.Formats(json: links.recordingAPI(recording.id, "transcript.json"),
                                              vtt: links.recordingAPI(recording.id, "transcript.vtt"),
                                              srt: links.recordingAPI(recording.id, "transcript.srt")),
            transcriptLanguages: recording.languages, defaultLanguage: recording.defaultLanguage,
            sessions: recording.sessions.map { held in
                HeldSession(guid: held.session.guid, title: held.session.title, url: links.watch(held.session), api: links.sessionAPI(held.session),
                            inSeconds: held.link.inSeconds, outSeconds: held.link.outSeconds, part: held.link.part, parts: held.link.parts,
                            decidedBy: held.link.decidedBy.rawValue)
            },
            segments: recording.segments.map { SegmentDocument($0, catalogue: catalogue) })
        return try APIJSON.encode(document)
    }

    /// A published session: the programme's fields, its feed item's links, its recording parts
    /// and segments.
    public static func session(_ entry: Catalogue.Entry, catalogue: Catalogue) throws -> Data {
        let links = catalogue.links
        let session = entry.session
        let document = SessionDocument(
            guid: session.guid, slug: session.slug, title: session.title, subtitle: session.subtitle, abstract: session.abstract,
            description: session.description, start: catalogue.timestamp(session.start), end: catalogue.timestamp(session.end), day: entry.day,
            room: session.room, track: session.track, type: session.type, language: session.language, persons: session.persons,
            topics: session.topics.map { TopicLink(name: $0, feedURL: links.feed(.topic(Slug.make($0)))) }, url: links.watch(session),
            sourceURL: WebAddress.checked(session.url), image: entry.image.map(links.thumbnail),
            recordings: entry.parts.map { PartDocument($0, catalogue: catalogue) },
            segments: entry.segments.map { SegmentDocument($0, catalogue: catalogue) })
        return try APIJSON.encode(document)
    }

    /// Topics (and rooms and days) with their published sessions and feeds.
    public static func topics(_ catalogue: Catalogue) throws -> Data {
        let links = catalogue.links
        let document = TopicsDocument(
            topics: catalogue.topics.map { FacetDocument(name: $0.name, slug: $0.slug, count: $0.count, feedURL: links.feed(.topic($0.slug))) },
            rooms: catalogue.rooms.map { FacetDocument(name: $0.name, slug: $0.slug, count: $0.count, feedURL: links.feed(.room($0.slug))) },
            days: catalogue.days.map { FacetDocument(name: $0.name, slug: $0.slug, count: $0.count, feedURL: links.feed(.day($0.slug))) })
        return try APIJSON.encode(document)
    }

    // MARK: - Documents

    struct RecordingDocument: Encodable {
        var id: Int64
        var fileName: String
        var container: String?
        var mimeType: String
        var sizeInBytes: Int64?
        var durationInSeconds: Double?
        var modified: String?
        var streams: [StreamDocument]
        var mediaURL: String
        var image: String?
        var chapters: PartDocument.Formats
        var transcripts: PartDocument.Formats
        var transcriptLanguages: [String]
        var defaultLanguage: String
        var sessions: [HeldSession]
        var segments: [SegmentDocument]

        enum CodingKeys: String, CodingKey {
            case id, fileName = "file_name", container, mimeType = "mime_type", sizeInBytes = "size_in_bytes"
            case durationInSeconds = "duration_in_seconds", modified, streams, mediaURL = "media_url", image, chapters, transcripts
            case transcriptLanguages = "transcript_languages", defaultLanguage = "default_language", sessions, segments
        }
    }

    struct StreamDocument: Encodable {
        var kind: String
        var codec: String?
        var language: String?
        var width: Int?
        var height: Int?
        var channels: Int?

        init(_ stream: StreamInfo) {
            kind = stream.kind.rawValue
            codec = stream.codec
            language = stream.language
            width = stream.width
            height = stream.height
            channels = stream.channels
        }
    }

    struct HeldSession: Encodable {
        var guid: String
        var title: String
        var url: String
        var api: String
        var inSeconds: Double
        var outSeconds: Double
        var part: Int?
        var parts: Int?
        var decidedBy: String

        enum CodingKeys: String, CodingKey {
            case guid, title, url, api, inSeconds = "in_seconds", outSeconds = "out_seconds", part, parts, decidedBy = "decided_by"
        }
    }

    struct SessionDocument: Encodable {
        var guid: String
        var slug: String?
        var title: String
        var subtitle: String?
        var abstract: String?
        var description: String?
        var start: String
        var end: String
        var day: String
        var room: String?
        var track: String?
        var type: String?
        var language: String?
        var persons: [String]
        var topics: [TopicLink]
        var url: String
        var sourceURL: String?
        var image: String?
        var recordings: [PartDocument]
        var segments: [SegmentDocument]

        enum CodingKeys: String, CodingKey {
            case guid, slug, title, subtitle, abstract, description, start, end, day, room, track, type, language, persons, topics, url
            case sourceURL = "source_url", image, recordings, segments
        }
    }

    struct TopicLink: Encodable {
        var name: String
        var feedURL: String

        enum CodingKeys: String, CodingKey {
            case name, feedURL = "feed_url"
        }
    }

    struct TopicsDocument: Encodable {
        var topics: [FacetDocument]
        var rooms: [FacetDocument]
        var days: [FacetDocument]
    }

    struct FacetDocument: Encodable {
        var name: String
        var slug: String
        var count: Int
        var feedURL: String

        enum CodingKeys: String, CodingKey {
            case name, slug, count, feedURL = "feed_url"
        }
    }
}
