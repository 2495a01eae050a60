import Feed
import Foundation
import Hummingbird
import IndexStore
import MediaProbe

/// `/media/{id}` and `/thumbnails/...`: files the index knows, found by id or by the exact
/// address the feed gave; no part of a request ever becomes a file-system path.
func addMediaRoutes(to routes: RouteRegistrar, services: ServerServices) {
    routes.on("getMedia") { request, context in
        let id = try recordingID(context)
        let catalogue = try await services.catalogue()
        guard let recording = catalogue.recordings[id] else { throw unknownRecording(id) }
        let path = try servablePath(of: recording.recording, in: catalogue, services: services)
        return try await serveFile(path, contentType: recording.mediaType, cacheControl: "public, max-age=3600",
                                   request: request, context: context, services: services)
    }
    routes.on("getThumbnail") { request, context in
        let requested = "thumbnails/" + context.parameters.getCatchAll().map { decodedParameter(String($0)) }.joined(separator: "/")
        let catalogue = try await services.catalogue()
        // The address is looked up among the thumbnails of public recordings; only the file
        // name stored by the index is joined to the index folder.
        guard let found = catalogue.thumbnail(file: requested),
              !found.thumbnail.file.split(separator: "/").contains(where: { $0 == ".." || $0 == "." }) else {
            throw APIError.notFound("no thumbnail '/\(requested)'")
        }
        let cacheControl = "public, max-age=86400"
        // Made by a worker and kept in the PostgreSQL store: the same bytes from every server.
        let file = found.thumbnail.file
        if services.repository.keepsThumbnails, let jpeg = try await services.blocking({ try services.repository.thumbnailJPEG(file: file) }) {
            return Response(status: .ok, headers: [.contentType: "image/jpeg", .cacheControl: cacheControl, .contentLength: String(jpeg.count)],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: jpeg)))
        }
        let path = (services.configuration.indexFolder as NSString).appendingPathComponent(found.thumbnail.file)
        if !FileManager.default.fileExists(atPath: path), let recording = catalogue.recordings[found.recordingID] {
            // Named by ingest, not made yet: made now, once, and kept beside the others.
            let order = ThumbnailWorkshop.Order(
                target: path, source: try servablePath(of: recording.recording, in: catalogue, services: services), time: found.thumbnail.time ?? 0,
                width: found.thumbnail.width, deadline: 10)
            let jpeg: Data
            do {
                jpeg = try await services.thumbnails.make(order)
            } catch let error as ProbeError {
                services.logger.warning("could not make thumbnail '\(found.thumbnail.file)' of recording \(found.recordingID): \(error.message)")
                throw APIError.notFound("no picture could be made of this recording at this time")
            } catch is ThumbnailWorkshop.Unavailable {
                throw APIError.notFound("no picture could be made of this recording at this time")
            }
            if !FileManager.default.fileExists(atPath: path) {
                // The index folder cannot be written: the picture as made, this once.
                return Response(status: .ok, headers: [.contentType: "image/jpeg", .cacheControl: cacheControl, .contentLength: String(jpeg.count)],
                                body: ResponseBody(byteBuffer: ByteBuffer(bytes: jpeg)))
            }
        }
        return try await serveFile(path, contentType: "image/jpeg", cacheControl: cacheControl,
                                   request: request, context: context, services: services)
    }
}

/// Where a public recording's file is now, if the server may read it: resolved now, not at
/// ingest (a file swapped for a link to elsewhere since is refused), inside a media folder the
/// index names and outside the system's folders; else 404.
func servablePath(of recording: StoredRecording, in catalogue: Catalogue, services: ServerServices) throws -> String {
    let id = recording.id ?? 0
    guard let path = MediaFiles.resolved(recording.absolutePath) else {
        throw APIError.notFound("the file of this address is gone from the server")
    }
    guard MediaFiles.isInside(path, roots: catalogue.mediaRoots), !MediaFiles.isSystemPath(path) else {
        services.logger.warning("refused to serve recording \(id): '\(path)' lies outside the media folders \(catalogue.mediaRoots)")
        throw APIError.notFound(catalogue.mediaRoots.isEmpty
            ? "the index names no media folder yet: run `efterhand ingest` again to serve this file"
            : "the file of this address lies outside the media folders")
    }
    return path
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
        if HeaderValues.matches(condition, etags: [etag]) { return Response(status: .notModified, headers: headers) }
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

