import Foundation
import IndexStore
import Schedule

/// Builds every link the feed and the API put in their output, so that one setting decides
/// whether they are absolute (`--public-url`) and where attachments point (`--media-url`).
public struct Links: Sendable, Equatable {
    /// The server's public address without a trailing slash (`https://play.example.org/talks`);
    /// nil leaves links root-relative (`/media/5`).
    public var publicURL: String?
    /// Where attachments and deep links point instead of `/media/{id}`: a base URL, to which the
    /// recording's path is appended, or a template with `{id}`, `{path}` or `{name}`.
    public var mediaURL: String?

    /// Makes a link builder; trailing slashes of both addresses are dropped.
    public init(publicURL: String? = nil, mediaURL: String? = nil) {
        self.publicURL = publicURL.map(Self.trimmed).flatMap { $0.isEmpty ? nil : $0 }
        self.mediaURL = mediaURL.map(Self.trimmed).flatMap { $0.isEmpty ? nil : $0 }
    }

    /// `path` (which starts with `/`) on this server: absolute with a public URL.
    public func local(_ path: String) -> String {
        (publicURL ?? "") + path
    }

    /// The feed of everything.
    public var feed: String { local("/feed.json") }

    /// The portal's home page.
    public var home: String { local("/") }

    /// The OpenAPI description, which documents the `_efterhand` extension.
    public var openAPI: String { local("/openapi.json") }

    /// A session's watch page (the web pages' issue serves it), optionally at a second.
    public func watch(_ session: Session, at seconds: Double? = nil) -> String {
        local("/sessions/" + Self.segment(session.slug ?? session.guid)) + (seconds.map { "?t=\(max(0, WholeSeconds.down($0)))" } ?? "")
    }

    /// The recording file: this server's `/media/{id}`, or the CDN's address for it.
    public func media(_ recording: StoredRecording) -> String {
        let id = recording.id ?? 0
        guard let mediaURL else { return local("/media/\(id)") }
        let path = recording.path.split(separator: "/").filter { $0 != "." }.map { Self.segment(String($0)) }.joined(separator: "/")
        if mediaURL.contains("{id}") || mediaURL.contains("{path}") || mediaURL.contains("{name}") {
            let name = Self.segment((recording.path as NSString).lastPathComponent)
            return mediaURL.replacingOccurrences(of: "{id}", with: String(id)).replacingOccurrences(of: "{path}", with: path)
                .replacingOccurrences(of: "{name}", with: name)
        }
        return mediaURL + "/" + path
    }

    /// The recording file with a Media Fragments time range (`#t=310,2120`).
    public func media(_ recording: StoredRecording, from start: Double, to end: Double) -> String {
        media(recording) + "#t=" + Self.seconds(start) + "," + Self.seconds(end)
    }

    /// A thumbnail, by its file relative to the index folder (`thumbnails/ab/….jpg`).
    public func thumbnail(_ file: ThumbnailFile) -> String {
        local("/" + file.file.split(separator: "/").map { Self.segment(String($0)) }.joined(separator: "/"))
    }

    /// `/api/recordings/{id}` and the files under it (`chapters.json`, `transcript.vtt`).
    public func recordingAPI(_ id: Int64, _ file: String? = nil) -> String {
        local("/api/recordings/\(id)" + (file.map { "/" + $0 } ?? ""))
    }

    /// `/api/sessions/{guid}`.
    public func sessionAPI(_ session: Session) -> String {
        local("/api/sessions/" + Self.segment(session.guid))
    }

    /// The feed of one topic, room or day.
    public func feed(_ filter: FeedFilter) -> String {
        switch filter {
        case .all: return feed
        case .topic(let slug): return local("/feeds/topics/\(Self.segment(slug)).json")
        case .room(let slug): return local("/feeds/rooms/\(Self.segment(slug)).json")
        case .day(let day): return local("/feeds/days/\(day).json")
        }
    }

    // MARK: - Text

    /// Seconds as the shortest decimal text to the millisecond (`310`, `12.5`).
    public static func seconds(_ value: Double) -> String {
        // Beyond what milliseconds in an Int64 hold (or not a number at all), the plain text
        // of the number: no time the index stores comes near, but a cursor in a request might.
        guard value.isFinite, abs(value) < 9e15 else { return String(value) }
        let milliseconds = Int64((value * 1000).rounded())
        let whole = milliseconds / 1000
        let fraction = milliseconds % 1000
        if fraction == 0 { return String(whole) }
        var text = String(format: "%lld.%03lld", whole, fraction)
        while text.hasSuffix("0") { text.removeLast() }
        return text
    }

    /// One path segment, percent-encoded but for the unreserved characters.
    public static func segment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }

    /// A query value, percent-encoded but for the unreserved characters.
    public static func query(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }

    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    private static func trimmed(_ url: String) -> String {
        var url = url.trimmingCharacters(in: .whitespaces)
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }
}

/// Which part of the catalogue a feed holds.
public enum FeedFilter: Sendable, Equatable, Hashable {
    case all
    /// A topic, by its slug (see `Slug.make`).
    case topic(String)
    /// A room, by its slug.
    case room(String)
    /// A day of the conference (`2021-10-05`), in its time zone.
    case day(String)
}

/// Names made fit for a URL: `Göteborg – Sveriges innovationsmotor` → `goteborg-sveriges-innovationsmotor`.
public enum Slug {
    /// Lower case, diacritics folded, every run of other characters one `-`; a name with no
    /// letter or digit left keeps its percent-encoded self.
    public static func make(_ name: String) -> String {
        let folded = name.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil)
        var slug = ""
        var dash = false
        for scalar in folded.unicodeScalars {
            if scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar)) {
                if dash && !slug.isEmpty { slug += "-" }
                slug.unicodeScalars.append(scalar)
                dash = false
            } else {
                dash = true
            }
        }
        return slug.isEmpty ? Links.segment(name.lowercased()) : slug
    }
}
