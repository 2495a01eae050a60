import Foundation
import IndexStore
import Schedule

/// JSON Feed 1.1 (`application/feed+json`) of the published sessions, one item per session,
/// newest first, with the `_efterhand` extension; paged by a cursor so that a page never
/// shifts when sessions are added or removed while a reader walks the pages.
public enum JSONFeed {
    /// The media type to serve the feed with.
    public static let mediaType = "application/feed+json; charset=utf-8"
    /// The version URL every document names.
    public static let version = "https://jsonfeed.org/version/1.1"
    /// Items per page when the request does not say.
    public static let defaultPageSize = 50
    /// The most items one page may hold.
    public static let maximumPageSize = 500

    /// Where a page starts: after the item with this start and guid, in feed order.
    public struct Cursor: Sendable, Equatable {
        public var start: Date
        public var guid: String

        public init(start: Date, guid: String) {
            self.start = start
            self.guid = guid
        }

        /// `1633431600~7f3c…`: the start in Unix seconds, a tilde, the guid.
        public var text: String {
            Links.seconds(start.timeIntervalSince1970) + "~" + guid
        }

        /// Reads `text` back; nil when it is not a cursor.
        public init?(text: String) {
            // Session starts lie within a few thousand years of 1970; anything else is no cursor
            // this server wrote (and would not survive being turned into milliseconds).
            guard let tilde = text.firstIndex(of: "~"), let seconds = Double(text[..<tilde]), seconds.isFinite, abs(seconds) < 1e11 else { return nil }
            let guid = String(text[text.index(after: tilde)...])
            guard !guid.isEmpty else { return nil }
            self.init(start: Date(timeIntervalSince1970: seconds), guid: guid)
        }
    }

    /// One page of a feed.
    public struct Page: Sendable, Equatable {
        public var size: Int
        public var after: Cursor?

        public init(size: Int = JSONFeed.defaultPageSize, after: Cursor? = nil) {
            self.size = size
            self.after = after
        }
    }

    /// The feed for `filter`, one page of it; nil for a topic or room that has no session.
    public static func render(_ catalogue: Catalogue, filter: FeedFilter = .all, page: Page = Page(), pageSizeGiven: Bool = false) throws -> Data? {
        guard let entries = catalogue.entries(for: filter) else { return nil }
        let links = catalogue.links
        let remaining = page.after.map { cursor in
            entries.filter { ($0.session.start, $0.session.guid) < (cursor.start, cursor.guid) }
        } ?? entries
        let shown = Array(remaining.prefix(page.size))
        let feedURL = links.feed(filter)
        var nextURL: String?
        if remaining.count > shown.count, let last = shown.last {
            let cursor = Cursor(start: last.session.start, guid: last.session.guid)
            nextURL = feedURL + "?" + (pageSizeGiven ? "page_size=\(page.size)&" : "") + "after=" + Links.query(cursor.text)
        }
        var title = catalogue.title
        var description = "Recorded sessions of \(catalogue.title), with chapters, thumbnails and transcripts."
        if let facet = catalogue.facet(for: filter) {
            let kind: String
            switch filter {
            case .topic: kind = "topic"
            case .room: kind = "room"
            default: kind = "day"
            }
            title += " – \(facet.name)"
            description = "Recorded sessions of \(catalogue.title), \(kind) \(facet.name)."
        }
        let document = Document(
            version: version, title: title, homePageURL: links.home, feedURL: feedURL, description: description,
            language: catalogue.language, nextURL: nextURL,
            items: shown.map { item($0, catalogue: catalogue) },
            extension: FeedExtension(about: links.openAPI, totalItems: entries.count, pageSize: page.size))
        return try APIJSON.encode(document)
    }

    /// The feed item of one published session.
    static func item(_ entry: Catalogue.Entry, catalogue: Catalogue) -> Item {
        let links = catalogue.links
        let session = entry.session
        let text = [session.abstract, session.description, session.subtitle].compactMap { $0 }.first { !$0.isEmpty } ?? session.title
        let attachments = entry.parts.map { part -> Attachment in
            let whole = part.link.inSeconds <= 0.5 && abs(part.link.outSeconds - (part.recording.duration ?? part.link.outSeconds)) <= 0.5
            return Attachment(
                url: whole ? links.media(part.recording) : links.media(part.recording, from: part.link.inSeconds, to: part.link.outSeconds),
                mimeType: MediaTypes.of(part.recording),
                title: (part.link.parts ?? 1) > 1 ? "Part \(part.link.part ?? 1) of \(part.link.parts ?? 1)" : nil,
                sizeInBytes: part.recording.size,
                durationInSeconds: max(0, WholeSeconds.nearest(part.link.outSeconds - part.link.inSeconds)))
        }
        return Item(
            id: session.guid, url: links.watch(session), title: session.title, contentText: text, summary: session.abstract,
            image: entry.image.map(links.thumbnail), datePublished: catalogue.timestamp(session.start),
            authors: session.persons.isEmpty ? nil : session.persons.map { Author(name: $0) },
            tags: session.topics.isEmpty ? nil : session.topics, language: session.language, attachments: attachments,
            extension: ItemExtension(entry, catalogue: catalogue))
    }

    // MARK: - Document

    struct Document: Encodable {
        var version: String
        var title: String
        var homePageURL: String
        var feedURL: String
        var description: String
        var language: String?
        var nextURL: String?
        var items: [Item]
        var `extension`: FeedExtension

        enum CodingKeys: String, CodingKey {
            case version, title, homePageURL = "home_page_url", feedURL = "feed_url", description, language, nextURL = "next_url", items
            case `extension` = "_efterhand"
        }
    }

    struct FeedExtension: Encodable {
        var about: String
        var totalItems: Int
        var pageSize: Int

        enum CodingKeys: String, CodingKey {
            case about, totalItems = "total_items", pageSize = "page_size"
        }
    }

    struct Item: Encodable {
        var id: String
        var url: String
        var title: String
        var contentText: String
        var summary: String?
        var image: String?
        var datePublished: String
        var authors: [Author]?
        var tags: [String]?
        var language: String?
        var attachments: [Attachment]
        var `extension`: ItemExtension

        enum CodingKeys: String, CodingKey {
            case id, url, title, contentText = "content_text", summary, image, datePublished = "date_published", authors, tags, language
            case attachments, `extension` = "_efterhand"
        }
    }

    struct Author: Encodable {
        var name: String
    }

    struct Attachment: Encodable {
        var url: String
        var mimeType: String
        var title: String?
        var sizeInBytes: Int64?
        var durationInSeconds: Int

        enum CodingKeys: String, CodingKey {
            case url, mimeType = "mime_type", title, sizeInBytes = "size_in_bytes", durationInSeconds = "duration_in_seconds"
        }
    }

    /// `_efterhand` on an item: what the portal needs beyond JSON Feed.
    struct ItemExtension: Encodable {
        var about: String
        var slug: String?
        var room: String?
        var start: String
        var end: String
        var recordings: [PartDocument]
        var segments: [SegmentDocument]
        var api: String

        init(_ entry: Catalogue.Entry, catalogue: Catalogue) {
            let links = catalogue.links
            about = links.openAPI
            slug = entry.session.slug
            room = entry.session.room
            start = catalogue.timestamp(entry.session.start)
            end = catalogue.timestamp(entry.session.end)
            recordings = entry.parts.map { PartDocument($0, catalogue: catalogue) }
            segments = entry.segments.map { SegmentDocument($0, catalogue: catalogue) }
            api = links.sessionAPI(entry.session)
        }
    }
}

/// A session's part of a recording, as the feed extension and the session API show it.
struct PartDocument: Encodable {
    var recordingID: Int64
    var inSeconds: Double
    var outSeconds: Double
    var durationInSeconds: Double
    var part: Int?
    var parts: Int?
    var mediaURL: String
    var mimeType: String
    var api: String
    var chapters: Formats
    var transcripts: Formats
    var transcriptLanguages: [String]

    struct Formats: Encodable {
        var json: String
        var vtt: String
        var srt: String?
    }

    init(_ part: Catalogue.Part, catalogue: Catalogue) {
        let links = catalogue.links
        recordingID = part.recordingID
        inSeconds = part.link.inSeconds
        outSeconds = part.link.outSeconds
        durationInSeconds = ((part.link.outSeconds - part.link.inSeconds) * 1000).rounded() / 1000
        self.part = part.link.part
        parts = part.link.parts
        mediaURL = links.media(part.recording, from: part.link.inSeconds, to: part.link.outSeconds)
        mimeType = MediaTypes.of(part.recording)
        api = links.recordingAPI(part.recordingID)
        chapters = Formats(json: links.recordingAPI(part.recordingID, "chapters.json"), vtt: links.recordingAPI(part.recordingID, "chapters.vtt"))
        transcripts = Formats(json: links.recordingAPI(part.recordingID, "transcript.json"), vtt: links.recordingAPI(part.recordingID, "transcript.vtt"),
                              srt: links.recordingAPI(part.recordingID, "transcript.srt"))
        transcriptLanguages = catalogue.recordings[part.recordingID]?.languages ?? []
    }

    enum CodingKeys: String, CodingKey {
        case recordingID = "recording_id", inSeconds = "in_seconds", outSeconds = "out_seconds", durationInSeconds = "duration_in_seconds"
        case part, parts, mediaURL = "media_url", mimeType = "mime_type", api, chapters, transcripts, transcriptLanguages = "transcript_languages"
    }
}

/// A segment as the feed extension and the API show it: recording times, a deep link into the
/// media (`#t=start,end`) and into the watch page (`?t=start`), its thumbnail and transcript states.
struct SegmentDocument: Encodable {
    var recordingID: Int64
    var sessionGuid: String
    var position: Int
    var startSeconds: Double
    var endSeconds: Double
    var title: String
    var source: String
    var thumbnail: String?
    var url: String
    var watchURL: String?
    var transcript: [String: String]
    /// The languages whose draft text a speech engine made and no person has checked; left
    /// out when there are none.
    var machineGenerated: [String]?

    init(_ entry: Catalogue.SegmentEntry, catalogue: Catalogue) {
        let links = catalogue.links
        let segment = entry.segment
        recordingID = entry.recordingID
        sessionGuid = segment.sessionGuid
        position = segment.position
        startSeconds = segment.startSeconds
        endSeconds = segment.endSeconds
        title = segment.title
        source = segment.source.rawValue
        thumbnail = entry.thumbnail.map(links.thumbnail)
        let recording = catalogue.recordings[entry.recordingID]
        url = recording.map { links.media($0.recording, from: segment.startSeconds, to: segment.endSeconds) } ?? ""
        if let session = catalogue.entry(guidOrSlug: segment.sessionGuid)?.session,
           let link = recording?.sessions.first(where: { $0.session.guid == segment.sessionGuid })?.link {
            watchURL = links.watch(session, at: max(0, segment.startSeconds - link.inSeconds))
        }
        transcript = entry.transcript.mapValues(\.rawValue)
        machineGenerated = entry.machine.isEmpty ? nil : entry.machine.sorted()
    }

    enum CodingKeys: String, CodingKey {
        case recordingID = "recording_id", sessionGuid = "session_guid", position, startSeconds = "start_seconds", endSeconds = "end_seconds"
        case title, source, thumbnail, url, watchURL = "watch_url", transcript, machineGenerated = "machine_generated"
    }
}

/// JSON as every document here is written: keys sorted (so equal states give equal bytes and
/// equal ETags), slashes unescaped, no indentation.
public enum APIJSON {
    /// Encodes `value`.
    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }
}
