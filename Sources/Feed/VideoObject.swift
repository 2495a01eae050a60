import Foundation
import Schedule

/// schema.org's `VideoObject` for a session's watch page: the talk as one video, with each
/// segment of its first part as a `Clip` that starts at its own `?t=` link. Typed so that the
/// page's JSON-LD cannot drift from one spelling of a key to another; `ScriptJSON.text` writes it.
public struct VideoObject: Encodable, Sendable, Equatable {
    /// One segment of the session: a `Clip` with its offsets from the session's in point.
    public struct Clip: Encodable, Sendable, Equatable {
        public var type = "Clip"
        public var name: String
        /// Whole seconds from the session's start, rounded down.
        public var startOffset: Int
        /// Whole seconds from the session's start, rounded up.
        public var endOffset: Int
        /// The watch page at the clip's start (`/sessions/slug?t=310`), absolute.
        public var url: String

        enum CodingKeys: String, CodingKey {
            case type = "@type", name, startOffset, endOffset, url
        }
    }

    public var context = "https://schema.org"
    public var type = "VideoObject"
    public var name: String
    /// The abstract (or description, or subtitle), else the title: schema.org wants one.
    public var description: String
    public var uploadDate: String
    public var url: String
    /// ISO 8601 (`PT1H2M3S`).
    public var duration: String
    public var thumbnailUrl: [String]?
    public var contentUrl: String?
    public var inLanguage: String?
    public var hasPart: [Clip]

    enum CodingKeys: String, CodingKey {
        case context = "@context", type = "@type"
        case name, description, uploadDate, url, duration, thumbnailUrl, contentUrl, inLanguage, hasPart
    }

    /// The JSON-LD of `entry`'s watch page; `origin` (`http://host` or the public URL) makes
    /// root-relative links absolute.
    public init(entry: Catalogue.Entry, catalogue: Catalogue, origin: String) {
        let session = entry.session
        let links = catalogue.links
        let part = entry.parts.first
        let inPoint = part?.link.inSeconds ?? 0
        let outPoint = part?.link.outSeconds ?? 0
        let description = entry.summary
        name = session.title
        self.description = description.isEmpty ? session.title : description
        uploadDate = catalogue.timestamp(session.start)
        url = links.absolute(links.watch(session), origin: origin)
        duration = Self.isoDuration(max(0, outPoint - inPoint))
        thumbnailUrl = entry.image.map { [links.absolute(links.thumbnail($0), origin: origin)] }
        contentUrl = part.map { links.absolute(links.media($0.recording), origin: origin) }
        inLanguage = session.language
        hasPart = entry.firstPartSegments.map { segment in
            let from = max(0, segment.segment.startSeconds - inPoint)
            let to = max(from, segment.segment.endSeconds - inPoint)
            return Clip(name: segment.segment.title, startOffset: WholeSeconds.down(from), endOffset: WholeSeconds.up(to),
                        url: links.absolute(links.watch(session, at: from), origin: origin))
        }
    }

    /// Seconds as an ISO 8601 duration (`PT1H2M3S`), for schema.org.
    public static func isoDuration(_ seconds: Double) -> String {
        let total = max(0, WholeSeconds.nearest(seconds))
        var text = "PT"
        if total >= 3600 { text += "\(total / 3600)H" }
        if total >= 60 { text += "\(total / 60 % 60)M" }
        return text + "\(total % 60)S"
    }
}

extension Catalogue.Entry {
    /// What the pages and the JSON-LD say about the session: its abstract, else its
    /// description, else its subtitle, else nothing.
    public var summary: String {
        session.abstract ?? session.description ?? session.subtitle ?? ""
    }

    /// The segments of the session's first part, which is the one its watch page plays.
    public var firstPartSegments: [Catalogue.SegmentEntry] {
        let part = parts.first
        return segments.filter { $0.recordingID == part?.recordingID }
    }
}

extension Links {
    /// `link` made absolute on `origin` when it is root-relative (`/sessions/x`); other links as they are.
    public func absolute(_ link: String, origin: String) -> String {
        link.hasPrefix("/") ? origin + link : link
    }
}
