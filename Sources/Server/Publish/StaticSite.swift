import Captions
import Feed
import Foundation
import Hummingbird
import IndexStore
import Logging
import NIOCore
import NIOEmbedded

/// Why a publish could not be made.
public struct PublishError: Error, CustomStringConvertible {
    public var description: String
}

/// What a publish wrote.
public struct PublishSummary: Sendable {
    /// Files in the published folder (media links not counted).
    public var files = 0
    /// Of them, written anew; the rest are the previous publish's files, linked unchanged
    /// (same bytes, same modification time).
    public var written = 0
    public var kept = 0
    /// Files of the previous publish that are gone from this one.
    public var removed = 0
    public var bytes = 0
    /// Addresses with a query whose answer differs from the address without it (another
    /// language's transcript, a feed's next page): written as `PATH@QUERY`, which the nginx
    /// configuration in `scripts/publish/` serves (a host that ignores queries serves `PATH`).
    public var queryVariants = 0
    /// Recordings linked into `media/` (without `--media-url`).
    public var mediaLinks = 0
    /// Whether the folder now shows this publish (false: nothing changed, nothing was touched).
    public var swapped = false
    /// Addresses the pages or documents link to that did not answer.
    public var problems: [String] = []
}

/// `efterhand publish`: the public side of the catalogue as static files, from one committed
/// state of the index. Every file is the answer `efterhand serve` gives at that address: the
/// server's own router is asked, in-process, for the feeds, the API documents the portal and
/// the pages read, the chapter and transcript tracks, thumbnails and assets, and for every
/// address those link to. The files are written to a new folder beside the previous publish
/// (unchanged files hard-linked, keeping their times) and shown at once by swapping a symbolic
/// link, so a web server never serves half a publish.
public enum StaticSite {
    /// Publishes the index of `configuration` to `destination`. Retries when a commit lands
    /// while the files are asked for; throws `PublishError` when that keeps happening, or when
    /// `destination` is a folder that no publish made.
    /// With `searchAPI`, the lookup page's search asks that server (`efterhand serve`) instead
    /// of the static search files.
    public static func publish(configuration: ServerConfiguration, repository: (any IndexRepository)? = nil, to destination: String, searchAPI: String? = nil,
                               logger: Logger = Logger(label: "efterhand.publish")) async throws -> PublishSummary {
        var configuration = configuration
        configuration.accessLog = false
        let services = try repository.map { try ServerServices(configuration: configuration, repository: $0) } ?? ServerServices(configuration: configuration)
        let responder = buildRouter(services: services).buildResponder()
        let client = InProcessClient(responder: responder, logger: logger)
        for _ in 0..<3 {
            let catalogue = try await services.catalogue()
            var site = try await crawl(client, catalogue: catalogue, publicURL: configuration.publicURL)
            let search = try await services.blocking { try services.repository.staticSearchData() }
            site.files.merge(try StaticSearch.files(search, catalogue: catalogue, api: searchAPI)) { _, new in new }
            // The files are of one commit only if none landed while they were asked for.
            guard try services.isCurrent(catalogue) else { continue }
            for recording in catalogue.recordings.values where configuration.mediaURL == nil {
                if let path = try? servablePath(of: recording.recording, in: catalogue, services: services) {
                    site.media["media/\(recording.id)"] = path
                }
            }
            return try SiteFolder(destination).replace(with: site)
        }
        throw PublishError(description: "the index kept changing while it was published (an ingest is running?); try again when it is done")
    }

    /// The files of a publish: bytes by path in the folder, and media links.
    struct Site {
        var files: [String: Data] = [:]
        var media: [String: String] = [:]
        var queryVariants = 0
        var problems: [String] = []
    }

    /// Addresses never published: the staff area, the admin API, search (the page's search is
    /// pointed elsewhere), the media files themselves, the health probe.
    static func publishable(_ path: String) -> Bool {
        !(path.hasPrefix("/staff") || path.hasPrefix("/media/") || path.hasPrefix("/api/search") || path.hasPrefix("/healthz")
          || path.contains("/decisions") || path.hasSuffix("/transcript"))
    }

    /// Asks for every address of the catalogue and every address they link to.
    static func crawl(_ client: InProcessClient, catalogue: Catalogue, publicURL: String?) async throws -> Site {
        var seeds = ["/", "/overview", "/feed.json", "/api/topics", "/openapi.json"] + PageAssets.names.map { PageAssets.path($0.file) }
        for recording in catalogue.recordings.values {
            let api = "/api/recordings/\(recording.id)"
            seeds += [api, api + "/chapters.json", api + "/chapters.vtt"]
            for format in ["vtt", "srt", "json"] {
                seeds.append(api + "/transcript." + format)
                seeds += recording.languages.map { api + "/transcript.\(format)?language=\($0)" }
            }
        }
        for entry in catalogue.entries {
            seeds += ["/api/sessions/\(entry.session.guid)", "/sessions/" + (entry.session.slug ?? entry.session.guid)]
        }
        var site = Site()
        var seen = Set<String>()
        let unique = seeds.filter { seen.insert($0).inserted }
        var wave = unique.filter { split($0).query.isEmpty }
        // Addresses with a query wait until the address without it has answered: a page's
        // queries (?t=, ?topic=) are read by its script from the address, so they are never
        // rendered (a watch page links a ?t= for each of its chapters); a document's are written
        // beside it only where the answer differs.
        var withQuery = unique.filter { !split($0).query.isEmpty }
        var plain: [String: InProcessClient.Answer] = [:]
        // Which page linked an address, for a problem's message.
        var linkedFrom: [String: String] = [:]
        // Addresses are asked in waves, several at once (rendering a page is most of the work, and
        // it runs on the asking task): a wave's answers are taken in address order, so the files
        // do not depend on which answer came first.
        let width = max(2, ProcessInfo.processInfo.activeProcessorCount * 2)
        while !wave.isEmpty || !withQuery.isEmpty {
            if wave.isEmpty {
                wave = withQuery.filter { plain[split($0).path]?.contentType?.hasPrefix("text/html") != true }
                withQuery = []
                if wave.isEmpty { break }
            }
            let answers = try await withThrowingTaskGroup(of: Fetched.self) { group -> [Fetched] in
                var addresses = wave.makeIterator()
                var results: [Fetched] = []
                for _ in 0..<width {
                    guard let address = addresses.next() else { break }
                    group.addTask { try await fetch(address, client: client, publicURL: publicURL) }
                }
                while let done = try await group.next() {
                    results.append(done)
                    if let address = addresses.next() { group.addTask { try await fetch(address, client: client, publicURL: publicURL) } }
                }
                return results.sorted { $0.address < $1.address }
            }
            wave = []
            for fetched in answers {
                let address = fetched.address, answer = fetched.answer
                let (path, query) = split(address)
                if query.isEmpty { plain[path] = answer }
                guard answer.status == .ok else {
                    site.problems.append("\(address) answers \(answer.status.code)" + (linkedFrom[address].map { " (linked from \($0))" } ?? ""))
                    continue
                }
                if query.isEmpty {
                    site.files[fileName(path: path, contentType: answer.contentType)] = answer.body
                } else if plain[path]?.body != answer.body {
                    site.files[String(path.dropFirst()) + "@" + query] = answer.body
                    site.queryVariants += 1
                }
                for link in fetched.links {
                    for next in [link, split(link).path] where seen.insert(next).inserted {
                        if split(next).query.isEmpty { wave.append(next) } else { withQuery.append(next) }
                        linkedFrom[next] = address
                    }
                }
            }
        }
        site.problems.sort()
        return site
    }

    /// One address's answer and the publishable addresses it links to.
    struct Fetched: Sendable {
        var address: String
        var answer: InProcessClient.Answer
        var links: [String]
    }

    static func fetch(_ address: String, client: InProcessClient, publicURL: String?) async throws -> Fetched {
        let answer = try await client.get(address)
        let found = answer.status == .ok ? links(in: answer.body, contentType: answer.contentType, publicURL: publicURL).filter { publishable(split($0).path) } : []
        return Fetched(address: address, answer: answer, links: found)
    }

    /// `/a/b?x=1#t=3` as (`/a/b`, `x=1`).
    static func split(_ address: String) -> (path: String, query: String) {
        let withoutFragment = address.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? address
        let parts = withoutFragment.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        return (String(parts.first ?? ""), parts.count > 1 ? String(parts[1]) : "")
    }

    /// The file of an address: a page is `PATH/index.html` (`index.html` for `/`), a document
    /// at a path without an extension (`/api/recordings/7`, which is also the folder of its
    /// tracks) `PATH/index.json`, anything else its path.
    static func fileName(path: String, contentType: String?) -> String {
        if path == "/" { return "index.html" }
        let relative = String(path.dropFirst())
        if contentType?.hasPrefix("text/html") == true { return relative + "/index.html" }
        if !(relative.split(separator: "/").last ?? "").contains(".") { return relative + "/index.json" }
        return relative
    }

    /// The addresses on this site that a page (attributes) or a document (JSON strings) names;
    /// absolute ones under `publicURL` made relative; fragments dropped.
    static func links(in body: Data, contentType: String?, publicURL: String?) -> [String] {
        guard let type = contentType, type.hasPrefix("text/html") || type.contains("json") else { return [] }
        let html = type.hasPrefix("text/html")
        let origin = publicURL.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        // Every double-quoted run that begins with `/` or `http`: attribute values in a page
        // (and the JSON-LD in it), string values in a document. A scan of the bytes: Swift's
        // Regex was an eighth of a publish.
        var found: [String] = []
        let quote = UInt8(ascii: "\""), slash = UInt8(ascii: "/"), h = UInt8(ascii: "h")
        body.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            var index = 0
            while index < bytes.count {
                guard bytes[index] == quote, index + 1 < bytes.count, bytes[index + 1] == slash || bytes[index + 1] == h else { index += 1; continue }
                var end = index + 1
                while end < bytes.count && bytes[end] != quote && bytes[end] > 0x20 && bytes[end] != UInt8(ascii: "<") && bytes[end] != UInt8(ascii: "\\") { end += 1 }
                if end < bytes.count && bytes[end] == quote {
                    found.append(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[(index + 1)..<end]), as: UTF8.self))
                    index = end + 1
                } else {
                    index = end
                }
            }
        }
        return found.compactMap { candidate in
            var link = html ? candidate.replacingOccurrences(of: "&amp;", with: "&") : candidate
            if let origin, link.hasPrefix(origin + "/") { link = String(link.dropFirst(origin.count)) }
            // Templates of the API's description (`/api/recordings/{id}`) are no addresses.
            guard link.hasPrefix("/"), !link.hasPrefix("//"), !link.contains("{") else { return nil }
            let (path, query) = split(link)
            guard !path.isEmpty else { return nil }
            return query.isEmpty ? path : path + "?" + query
        }
    }

}

/// Asks the router for an address in-process: no socket, the same answer a client would get
/// (no compression asked for).
struct InProcessClient: Sendable {
    struct Answer: Sendable {
        var status: HTTPResponse.Status
        var contentType: String?
        var body: Data
    }

    let responder: any HTTPResponder<ServerContext>
    let logger: Logger

    func get(_ address: String) async throws -> Answer {
        let request = Request(head: HTTPRequest(method: .get, scheme: "http", authority: "localhost", path: address),
                              body: RequestBody(buffer: ByteBuffer()))
        let context = ServerContext(source: ApplicationRequestContextSource(channel: EmbeddedChannel(), logger: logger))
        let response = try await responder.respond(to: request, context: context)
        let writer = CollectingWriter()
        try await response.body.write(writer)
        return Answer(status: response.status, contentType: response.headers[.contentType], body: writer.collected())
    }
}

/// A response body, collected.
private final class CollectingWriter: ResponseBodyWriter, @unchecked Sendable {
    private var buffer = ByteBuffer()
    private let lock = NSLock()

    func write(_ buffer: ByteBuffer) async throws {
        var buffer = buffer
        lock.withLock { _ = self.buffer.writeBuffer(&buffer) }
    }

    func finish(_ trailingHeaders: HTTPFields?) async throws {}

    func collected() -> Data {
        lock.withLock { Data(buffer.readableBytesView) }
    }
}
