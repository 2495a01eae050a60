import Foundation
import Hummingbird

/// Guards the write routes: they need `Authorization: Bearer TOKEN` with the configured token
/// (401 otherwise); without a configured token they are off (403).
struct AdminAuthMiddleware: RouterMiddleware {
    typealias Context = ServerContext
    let token: String?

    func handle(_ request: Request, context: ServerContext, next: (Request, ServerContext) async throws -> Response) async throws -> Response {
        guard let token, !token.isEmpty else {
            throw APIError(.forbidden, code: "writes_disabled",
                           message: "writes over HTTP are off: start the server with EFTERHAND_ADMIN_TOKEN or --admin-token-file")
        }
        guard HeaderValues.carriesBearer(request.headers[.authorization], token: token) else {
            throw APIError(.unauthorized, code: "unauthorized", message: "this route needs the admin bearer token",
                           headers: [.wwwAuthenticate: "Bearer realm=\"efterhand\""])
        }
        return try await next(request, context)
    }
}
