import Foundation
import Hummingbird

/// CORS for the configured origins only: their requests get `Access-Control-Allow-Origin`
/// with their own origin (never `*`), their preflights a 204; a preflight from any other
/// origin gets a 403 and no CORS headers. With no origins configured it does nothing.
struct AllowedOriginsMiddleware: RouterMiddleware {
    typealias Context = ServerContext
    let origins: Set<String>

    static let allowedMethods = "GET, HEAD, POST, PUT, OPTIONS"
    static let allowedHeaders = "Authorization, Content-Type, Range, If-None-Match, If-Range, If-Modified-Since"
    static let exposedHeaders = "ETag, Content-Range, Accept-Ranges, Content-Length, Content-Encoding, Last-Modified"

    init(origins: [String]) {
        self.origins = Set(origins.map(Self.normalized))
    }

    static func normalized(_ origin: String) -> String {
        var origin = origin.trimmingCharacters(in: .whitespaces).lowercased()
        while origin.hasSuffix("/") { origin.removeLast() }
        return origin
    }

    func handle(_ request: Request, context: ServerContext, next: (Request, ServerContext) async throws -> Response) async throws -> Response {
        guard !origins.isEmpty else { return try await next(request, context) }
        let origin = request.headers[.origin]
        let allowed = origin.map { origins.contains(Self.normalized($0)) } ?? false
        if request.method == .options, origin != nil, request.headers[.accessControlRequestMethod] != nil {
            guard allowed, let origin else {
                throw APIError(.forbidden, code: "origin_not_allowed", message: "origin '\(origin ?? "")' may not call this API from a browser",
                               headers: [.vary: "Origin"])
            }
            return Response(status: .noContent, headers: [
                .accessControlAllowOrigin: origin, .accessControlAllowMethods: Self.allowedMethods,
                .accessControlAllowHeaders: Self.allowedHeaders, .accessControlMaxAge: "600", .vary: "Origin",
            ])
        }
        var response = try await next(request, context)
        response.headers[.vary] = response.headers[.vary].map { $0 + ", Origin" } ?? "Origin"
        if allowed, let origin {
            response.headers[.accessControlAllowOrigin] = origin
            response.headers[.accessControlExposeHeaders] = Self.exposedHeaders
        }
        return response
    }
}
