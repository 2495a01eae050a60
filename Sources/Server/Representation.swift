import Feed
import Foundation
import IndexStore
import NIOConcurrencyHelpers
import Hummingbird

/// A rendered answer, ready to send many times: its bytes, a gzip copy for clients that
/// accept it (made when the first one asks, then kept), and an entity tag from its content (so
/// an unchanged document keeps its tag across changes of the index elsewhere).
struct Representation: Sendable {
    var body: ByteBuffer
    /// The strong entity tag, quoted.
    var etag: String
    var contentType: String
    private let compressed: GzipCopy?

    /// Wraps `data`; JSON and text of more than a kilobyte may be sent gzipped.
    init(_ data: Data, contentType: String) {
        body = ByteBuffer(bytes: data)
        self.contentType = contentType
        let hash = FNV1a.hash(data)
        etag = "\"" + String(hash, radix: 16) + "-" + String(data.count, radix: 16) + "\""
        let compressible = contentType.contains("json") || contentType.hasPrefix("text/") || contentType.contains("subrip")
        compressed = compressible && data.count > 1024 ? GzipCopy(body) : nil
    }

    /// The gzip copy, when compressing pays.
    var gzipped: ByteBuffer? { compressed?.buffer }

    /// The tag of the gzip copy: a different representation needs a different strong tag.
    var gzipETag: String { String(etag.dropLast()) + "-gz\"" }

    /// The answer to `request`: 304 when its `If-None-Match` names this representation, else 200
    /// with the gzip copy when the client accepts gzip.
    func response(to request: Request, cacheControl: String) -> Response {
        var headers = HTTPFields()
        headers[.cacheControl] = cacheControl
        headers[.vary] = "Accept-Encoding"
        let gzipped = HeaderValues.acceptsGzip(request.headers[.acceptEncoding]) ? self.gzipped : nil
        let useGzip = gzipped != nil
        headers[.eTag] = useGzip ? gzipETag : etag
        if let condition = request.headers[.ifNoneMatch], HeaderValues.matches(condition, etags: [etag, gzipETag]) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = contentType
        if useGzip, let gzipped {
            headers[.contentEncoding] = "gzip"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: gzipped))
        }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: body))
    }
}

/// The gzip copy of a body, made once on first use; nil when it would not be smaller.
private final class GzipCopy: Sendable {
    /// The body itself (a `ByteBuffer` shares its storage), not a second copy of its bytes.
    private let source: ByteBuffer
    private let state = NIOLockedValueBox<ByteBuffer??>(nil)

    init(_ source: ByteBuffer) {
        self.source = source
    }

    var buffer: ByteBuffer? {
        state.withLockedValue { value in
            if let made = value { return made }
            let made = (try? Gzip.compress(source)).flatMap { $0.readableBytes < source.readableBytes ? $0 : nil }
            value = .some(made)
            return made
        }
    }
}

/// Rendered answers of the current catalogue, by request. A new catalogue empties it.
final class ResponseCache: Sendable {
    private let state = NIOLockedValueBox<(generation: UInt64, entries: [String: Representation])>((0, [:]))
    /// More distinct requests than this (pages, filters) in one generation are not kept.
    private let capacity = 2048

    /// The cached answer for `key`, or the one `render` makes (kept unless `render` returns nil).
    func representation(_ catalogue: Catalogue, key: String, render: () throws -> Representation?) rethrows -> Representation? {
        if let hit = cached(catalogue, key: key) { return hit }
        guard let made = try render() else { return nil }
        store(made, catalogue, key: key)
        return made
    }

    /// The cached answer for `key`, or the one `render` makes (and keeps).
    func representation(_ catalogue: Catalogue, key: String, render: () throws -> Representation) rethrows -> Representation {
        if let hit = cached(catalogue, key: key) { return hit }
        let made = try render()
        store(made, catalogue, key: key)
        return made
    }

    /// The answer kept for `key` in `catalogue`'s generation.
    func cached(_ catalogue: Catalogue, key: String) -> Representation? {
        state.withLockedValue { $0.generation == catalogue.generation ? $0.entries[key] : nil }
    }

    /// Keeps `made` as the answer for `key` of `catalogue` (unless a newer generation is kept).
    func store(_ made: Representation, _ catalogue: Catalogue, key: String) {
        state.withLockedValue { value in
            if value.generation != catalogue.generation {
                guard catalogue.generation > value.generation else { return }
                value = (catalogue.generation, [:])
            }
            if value.entries.count < capacity { value.entries[key] = made }
        }
    }
}
