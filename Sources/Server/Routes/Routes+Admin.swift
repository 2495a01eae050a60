import Captions
import Feed
import Foundation
import Hummingbird
import IndexStore
import Pipeline

/// The write routes, behind the admin token: the same operations as `efterhand link accept|
/// reject|unlink` and `efterhand transcript import --verified`.
func addAdminRoutes(to routes: RouteRegistrar, services: ServerServices) {
    addDecisionRoute(to: routes, services: services)
    addTranscriptUploadRoute(to: routes, services: services)
}

/// `POST /api/recordings/{id}/decisions`: accept, reject or unlink, as `efterhand link` does.
private func addDecisionRoute(to routes: RouteRegistrar, services: ServerServices) {
    routes.on("decide") { request, context in
        let id = try recordingID(context)
        var request = request
        let body = try await request.collectBody(upTo: 64 * 1024)
        let decision: DecisionRequest
        do {
            decision = try JSONDecoder().decode(DecisionRequest.self, from: Data(buffer: body))
        } catch {
            throw APIError.badParameter("the body must be JSON {\"action\": \"accept\"|\"reject\"|\"unlink\", \"session\", \"in_seconds\", \"out_seconds\"}")
        }
        guard let action = Decision.Action(rawValue: decision.action) else {
            throw APIError.badParameter("'action' must be accept, reject or unlink, not '\(decision.action)'")
        }
        try services.requireIndexFile()
        let result = try await services.blocking { () -> DecisionResult in
            guard try services.repository.recording(idOrPath: String(id)) != nil else { throw APIError.notFound("no recording \(id) in the index") }
            do {
                let recording = try services.repository.decide(action, recording: String(id), session: decision.session,
                                                                inSeconds: decision.inSeconds, outSeconds: decision.outSeconds, by: "api:admin",
                                                                seen: decision.seen)
                let all = try services.repository.links()[id] ?? []
                return DecisionResult(recordingID: id, linkStatus: recording.linkStatus.rawValue, links: all.filter { $0.kind == .link }.map(DecisionResult.Link.init),
                                      seen: LinkState.token(status: recording.linkStatus, links: all))
            } catch let error as DecisionError {
                throw APIError.badParameter(error.description)
            } catch let error as DecisionConflict {
                throw APIError.conflict(error.description)
            }
        }
        services.catalogues.invalidate()
        return try jsonResponse(result, status: .ok)
    }
}

/// `PUT /api/recordings/{id}/transcript`: a corrected WebVTT or SRT, stored as verified text,
/// as `efterhand transcript import --verified` does.
private func addTranscriptUploadRoute(to routes: RouteRegistrar, services: ServerServices) {
    routes.on("putTranscript") { request, context in
        let id = try recordingID(context)
        let query = QueryParameters(request.uri.query)
        let language = query.text("language")
        var request = request
        let body = Data(buffer: try await request.collectBody(upTo: context.maxUploadSize))
        let format = try uploadFormat(body, contentType: request.headers[.contentType])
        try services.requireIndexFile()
        let result = try await services.blocking { () -> TranscriptImport in
            guard try services.repository.recording(idOrPath: String(id)) != nil else { throw APIError.notFound("no recording \(id) in the index") }
            // A plain name, so that no language is read from it.
            let name = "upload.\(format)"
            do {
                let captions: CaptionFile
                do {
                    captions = try CaptionFile.parse(body, file: name, format: CaptionFile.Format(rawValue: format))
                } catch {
                    throw TranscriptError(description: "\(error)")
                }
                return try services.repository.importTranscript(recording: String(id), captions: captions, name: name, language: language, verified: true)
            } catch let error as TranscriptError {
                throw APIError.badParameter(([error.description] + error.problems).joined(separator: "; "))
            }
        }
        services.catalogues.invalidate()
        return try jsonResponse(UploadResult(result), status: .ok)
    }
}

/// Which caption format an upload is: by its `Content-Type`, else by its first line.
private func uploadFormat(_ body: Data, contentType: String?) throws -> String {
    let text = String(decoding: body, as: UTF8.self)
    let type = (contentType ?? "").lowercased()
    let trimmed = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
    if type.hasPrefix("text/vtt") || (!type.contains("subrip") && trimmed.hasPrefix("WEBVTT")) {
        return "vtt"
    } else if type.contains("subrip") || trimmed.first.map({ $0.isNumber }) == true {
        return "srt"
    }
    throw APIError(.unsupportedMediaType, code: "unsupported_media_type", message: "send WebVTT (text/vtt) or SubRip (application/x-subrip)")
}

struct DecisionRequest: Decodable {
    var action: String
    var session: String?
    var inSeconds: Double?
    var outSeconds: Double?
    /// The recording's `seen` token as the client last read it (`GET /api/recordings/{id}`).
    var seen: String?

    enum CodingKeys: String, CodingKey {
        case action, session, inSeconds = "in_seconds", outSeconds = "out_seconds", seen
    }
}

struct DecisionResult: Encodable, Sendable {
    struct Link: Encodable, Sendable {
        var sessionGuid: String
        var inSeconds: Double
        var outSeconds: Double
        var decidedBy: String

        init(_ link: StoredLink) {
            sessionGuid = link.sessionGuid
            inSeconds = link.inSeconds
            outSeconds = link.outSeconds
            decidedBy = link.decidedBy.rawValue
        }

        enum CodingKeys: String, CodingKey {
            case sessionGuid = "session_guid", inSeconds = "in_seconds", outSeconds = "out_seconds", decidedBy = "decided_by"
        }
    }

    var recordingID: Int64
    var linkStatus: String
    var links: [Link]
    /// The state after the decision, for the next one's `seen`.
    var seen: String

    enum CodingKeys: String, CodingKey {
        case recordingID = "recording_id", linkStatus = "link_status", links, seen
    }
}

struct UploadResult: Encodable {
    var stored: Int
    var skippedVerified: Int
    var language: String
    var verifiedSegments: Int

    init(_ result: TranscriptImport) {
        stored = result.stored
        skippedVerified = result.skippedVerified
        language = result.language
        verifiedSegments = result.verifiedSegments
    }

    enum CodingKeys: String, CodingKey {
        case stored, skippedVerified = "skipped_verified", language, verifiedSegments = "verified_segments"
    }
}

/// A JSON answer that is not cached (writes, health).
func jsonResponse(_ value: some Encodable, status: HTTPResponse.Status) throws -> Response {
    Response(status: status, headers: [.contentType: APIDocuments.mediaType, .cacheControl: "no-store"],
             body: ResponseBody(byteBuffer: ByteBuffer(bytes: try APIJSON.encode(value))))
}
