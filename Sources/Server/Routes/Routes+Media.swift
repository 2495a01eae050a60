import Feed
import Foundation
import Hummingbird
import MediaProbe

/// `/media/{id}` and `/thumbnails/...`: files the index knows, found by id or by the exact
/// address the feed gave; no part of a request ever becomes a file-system path.
func addMediaRoutes(to routes: RouteRegistrar, services: ServerServices) {
    routes.on("getMedia") { request, context in
        let id = try recordingID(context)
        let catalogue = try await services.catalogue()
        guard let recording = catalogue.recordings[id] else { throw unknownRecording(id) }
        // Resolved now, not at ingest: a file swapped for a link to elsewhere since is refused.
        guard let path = MediaFiles.resolved(recording.recording.absolutePath) else {
            throw APIError.notFound("the file of this address is gone from the server")
        }
        guard MediaFiles.isInside(path, roots: catalogue.mediaRoots), !MediaFiles.isSystemPath(path) else {
            services.logger.warning("refused to serve recording \(id): '\(path)' lies outside the media folders \(catalogue.mediaRoots)")
            throw APIError.notFound(catalogue.mediaRoots.isEmpty
                ? "the index names no media folder yet: run `efterhand ingest` again to serve this file"
                : "the file of this address lies outside the media folders")
        }
        return try await serveFile(path, contentType: recording.mediaType, cacheControl: "public, max-age=3600",
                                   request: request, context: context, services: services)
    }
    routes.on("getThumbnail") { request, context in
        let requested = "thumbnails/" + context.parameters.getCatchAll().map { decodedParameter(String($0)) }.joined(separator: "/")
        let catalogue = try await services.catalogue()
        // The address is looked up among the thumbnails of public recordings; only the file
        // name stored by the index is joined to the index folder.
        guard let thumbnail = catalogue.thumbnail(file: requested),
              !thumbnail.file.split(separator: "/").contains(where: { $0 == ".." || $0 == "." }) else {
            throw APIError.notFound("no thumbnail '/\(requested)'")
        }
        let path = (services.configuration.indexFolder as NSString).appendingPathComponent(thumbnail.file)
        return try await serveFile(path, contentType: "image/jpeg", cacheControl: "public, max-age=86400",
                                   request: request, context: context, services: services)
    }
}

/// A file with validators and byte ranges: `ETag` (size and modification time), `Last-Modified`,
/// `Accept-Ranges`; 304 for a current `If-None-Match` (or `If-Modified-Since`); 206 for one
/// range (`bytes=a-b`, `bytes=a-`, `bytes=-n`) unless an `If-Range` is stale; 416 for a range
/// outside the file.
func serveFile(_ path: String, contentType: String, cacheControl: String, request: Request, context: ServerContext,
               services: ServerServices) async throws -> Response {
    var info = stat()
    guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
        throw APIError.notFound("the file of this address is gone from the server")
    }
    let size = Int64(info.st_size)
    let mtime = Int64(info.st_mtim.tv_sec)
    let mtimeNanoseconds = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
    let etag = "\"" + String(size, radix: 16) + "-" + String(mtimeNanoseconds, radix: 16) + "\""
    let lastModified = HTTPDate.format(mtime)

    var headers = HTTPFields()
    headers[.acceptRanges] = "bytes"
    headers[.eTag] = etag
    headers[.lastModified] = lastModified
    headers[.cacheControl] = cacheControl

    if let condition = request.headers[.ifNoneMatch] {
        if Representation.matches(condition, etags: [etag]) { return Response(status: .notModified, headers: headers) }
    } else if let since = request.headers[.ifModifiedSince].flatMap(HTTPDate.parse), mtime <= since {
        return Response(status: .notModified, headers: headers)
    }

    var range = ByteRangeRequest(header: request.headers[.range], size: size)
    if range != .whole, let ifRange = request.headers[.ifRange]?.trimmingCharacters(in: .whitespaces) {
        // A range applies only to the representation the client already has part of.
        let current = ifRange.hasPrefix("\"") ? ifRange == etag : HTTPDate.parse(ifRange) == mtime
        if !current { range = .whole }
    }
    headers[.contentType] = contentType
    switch range {
    case .unsatisfiable:
        throw APIError(.rangeNotSatisfiable, code: "range_not_satisfiable", message: "the range lies outside the file's \(size) bytes",
                       headers: [.contentRange: "bytes */\(size)", .acceptRanges: "bytes"])
    case .partial(let bytes):
        headers[.contentRange] = "bytes \(bytes.lowerBound)-\(bytes.upperBound)/\(size)"
        headers[.contentLength] = String(bytes.count)
        let body = try await services.fileIO.loadFile(path: path, range: Int(bytes.lowerBound)...Int(bytes.upperBound), context: context)
        return Response(status: .partialContent, headers: headers, body: body)
    case .whole:
        headers[.contentLength] = String(size)
        guard size > 0 else { return Response(status: .ok, headers: headers) }
        let body = try await services.fileIO.loadFile(path: path, range: 0...Int(size - 1), context: context)
        return Response(status: .ok, headers: headers, body: body)
    }
}

/// HTTP dates (IMF-fixdate, `Sun, 06 Nov 1994 08:49:37 GMT`), in whole seconds.
enum HTTPDate {
    private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    static func format(_ seconds: Int64) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        let clock = String(format: "%02d %04d %02d:%02d:%02d", parts.tm_mday, Int32(parts.tm_year) + 1900, parts.tm_hour, parts.tm_min, parts.tm_sec)
        // `01 2021 10:00:00` → `01 Oct 2021 10:00:00`
        let day = clock.prefix(2)
        return "\(days[Int(parts.tm_wday)]), \(day) \(months[Int(parts.tm_mon)])\(clock.dropFirst(2)) GMT"
    }

    /// The years an HTTP date may name here: a date outside is no date a file can carry, and
    /// RFC 9110 (§13.1.3, §13.1.5) says to ignore an invalid conditional.
    static let years = 1970...9999

    /// Unix seconds of an IMF-fixdate; nil for anything else, a field out of its range included.
    /// Never traps, whatever the header holds.
    static func parse(_ text: String) -> Int64? {
        let fields = text.trimmingCharacters(in: .whitespaces).split(separator: " ")
        func digits(_ field: Substring, _ counts: ClosedRange<Int>) -> Bool { counts.contains(field.count) && field.allSatisfy { ("0"..."9").contains($0) } }
        guard fields.count == 6, fields[5] == "GMT", digits(fields[1], 1...2), digits(fields[3], 4...4),
              let day = Int(fields[1]), let month = months.firstIndex(of: String(fields[2])), let year = Int(fields[3]),
              years.contains(year), (1...31).contains(day) else { return nil }
        let clock = fields[4].split(separator: ":", omittingEmptySubsequences: false)
        guard clock.count == 3, clock.allSatisfy({ digits($0, 2...2) }) else { return nil }
        let numbers = clock.compactMap { Int($0) }
        guard numbers.count == 3, (0...23).contains(numbers[0]), (0...59).contains(numbers[1]), (0...60).contains(numbers[2]) else { return nil }
        // Every field is small now: none of these conversions can trap.
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(numbers[0])
        parts.tm_min = Int32(numbers[1])
        parts.tm_sec = Int32(numbers[2])
        return Int64(timegm(&parts))
    }
}
