import Feed
import Foundation
import Hummingbird

/// `/healthz` and `/openapi.json`.
func addServiceRoutes(to routes: RouteRegistrar, services: ServerServices) {
    routes.on("health") { _, _ in
        struct Health: Encodable {
            var status: String
            var publishedSessions: Int
            var publicRecordings: Int
            var generation: UInt64

            enum CodingKeys: String, CodingKey {
                case status, publishedSessions = "published_sessions", publicRecordings = "public_recordings", generation
            }
        }
        if services.checkIndexFile() == .gone {
            throw APIError.indexGone("answering from the state read before it went; run `efterhand ingest` to make a new one")
        }
        let catalogue: Catalogue
        do {
            catalogue = try await services.catalogue()
        } catch {
            services.logger.error("health check: the index cannot be read: \(error)")
            throw APIError(.serviceUnavailable, code: "unavailable", message: "the index cannot be read")
        }
        return try jsonResponse(Health(status: "ok", publishedSessions: catalogue.entries.count, publicRecordings: catalogue.recordings.count,
                                       generation: catalogue.generation), status: .ok)
    }
    routes.on("openAPI") { request, _ in
        try await services.answer(request, key: "openapi", missing: .notFound("no description")) { catalogue in
            Representation(try OpenAPIDocument.render(links: catalogue.links), contentType: APIDocuments.mediaType)
        }
    }
}
