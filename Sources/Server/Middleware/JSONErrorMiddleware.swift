import Foundation
import Hummingbird
import IndexStore
import Logging

/// Turns every error into `{"error": {"code", "message"}}` with its status: the routes' own
/// `APIError`s, the router's "no route" (404, or 405 with `Allow` when the path exists with
/// other methods), Hummingbird's errors (413 for a large body, ...), and anything else as a
/// 500 whose details go to the log, not the client; a full disk or a read-only index is a 503.
struct JSONErrorMiddleware: RouterMiddleware {
    typealias Context = ServerContext
    let logger: Logger
    let corsEnabled: Bool
    /// The index's database file, for explaining storage errors.
    var indexFile = ""

    func handle(_ request: Request, context: ServerContext, next: (Request, ServerContext) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return try error.response(from: request, context: context)
        } catch let error as HTTPError {
            return try translate(error, request: request).response(from: request, context: context)
        } catch let error as any HTTPResponseError {
            // Hummingbird's and NIO's own (a body over the route's limit is NIO's
            // `NIOTooManyBytesError`, a 413): their status, with a JSON body.
            let message = error.status == .contentTooLarge ? "the body is larger than this route takes" : error.status.reasonPhrase
            return try translate(HTTPError(error.status, message: message), request: request).response(from: request, context: context)
        } catch {
            // A full disk or a read-only index is the operator's to fix, not a fault of the server.
            let explained = IndexError(explaining: error, file: indexFile)
            if explained.code == .full || explained.code == .readOnly {
                logger.error("\(request.method.rawValue) \(request.uri.path) failed: \(explained)")
                let why = explained.code == .full ? "the disk that holds it is full" : "it is read-only"
                return try APIError(.serviceUnavailable, code: "index_\(explained.code.rawValue)", message: "the index cannot be written: \(why)")
                    .response(from: request, context: context)
            }
            logger.error("\(request.method.rawValue) \(request.uri.path) failed: \(error)")
            return try APIError(.internalServerError, code: "internal", message: "the server could not answer this request")
                .response(from: request, context: context)
        }
    }

    func translate(_ error: HTTPError, request: Request) -> APIError {
        let path = request.uri.path
        if error.status == .notFound {
            let matching = Operation.all.filter { $0.matches(path) }
            let method = request.method == .head ? HTTPRequest.Method.get : request.method
            if matching.contains(where: { $0.method == method }) {
                return .notFound("nothing at '\(path)'")
            }
            if !matching.isEmpty {
                var methods = Set(matching.map(\.method.rawValue))
                if methods.contains("GET") { methods.insert("HEAD") }
                if corsEnabled { methods.insert("OPTIONS") }
                let allow = methods.sorted().joined(separator: ", ")
                return APIError(.methodNotAllowed, code: "method_not_allowed", message: "\(request.method.rawValue) is not allowed on '\(path)' (allowed: \(allow))",
                                headers: [.allow: allow])
            }
            return APIError(.notFound, code: "no_route", message: "no route '\(path)'; the API is described at /openapi.json")
        }
        let code: String
        switch error.status.code {
        case 400: code = "bad_request"
        case 413: code = "too_large"
        case 415: code = "unsupported_media_type"
        default: code = error.status.reasonPhrase.lowercased().replacingOccurrences(of: " ", with: "_")
        }
        return APIError(error.status, code: code, message: error.body ?? error.status.reasonPhrase)
    }
}
