import Foundation
import Hummingbird
import IndexStore

/// An error answer of the API: `{"error": {"code", "message"}}` with its status, and the
/// headers it needs (`Allow` for 405, `WWW-Authenticate` for 401).
public struct APIError: HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    /// A stable, machine-readable code (`not_found`, `bad_parameter`, ...).
    public var code: String
    /// A sentence for people, naming what was wrong.
    public var message: String
    public var headers: HTTPFields

    public init(_ status: HTTPResponse.Status, code: String, message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
    }

    /// 400: a query or body parameter that cannot be used.
    public static func badParameter(_ message: String) -> APIError {
        APIError(.badRequest, code: "bad_parameter", message: message)
    }

    /// 404: nothing published under this name or id.
    public static func notFound(_ message: String) -> APIError {
        APIError(.notFound, code: "not_found", message: message)
    }

    /// 409: the change was made on a state someone else has changed since.
    public static func conflict(_ message: String) -> APIError {
        APIError(.conflict, code: "conflict", message: message)
    }

    /// 503: the index file was deleted or moved away under the running server. Names the
    /// file, not the server's folders.
    public static func indexGone(_ consequence: String) -> APIError {
        APIError(.serviceUnavailable, code: "index_gone",
                 message: "the index file (\(IndexDatabase.fileName)) is gone from the index folder: deleted or moved; \(consequence)")
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(ErrorBody(error: .init(code: code, message: message)))
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        fields[.cacheControl] = "no-store"
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// `{"error": {"code", "message"}}`
private struct ErrorBody: Encodable {
    struct Detail: Encodable {
        var code: String
        var message: String
    }
    var error: Detail
}
