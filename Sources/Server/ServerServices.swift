import Feed
import Foundation
import Hummingbird
import IndexStore
import Logging

/// What the routes share: the configuration, the index, its catalogue and the rendered answers.
/// One per application; the index is opened once and every request reads the latest commit.
public final class ServerServices: Sendable {
    public let configuration: ServerConfiguration
    public let database: IndexDatabase
    public let catalogues: CatalogueStore
    public let links: Links
    let cache = ResponseCache()
    let fileIO = FileIO()
    let logger = Logger(label: "efterhand.http")
    /// Runs index work that may take a while (rebuilding the catalogue, searching, writing)
    /// off the tasks that serve requests.
    private let queue = DispatchQueue(label: "efterhand.index", qos: .userInitiated, attributes: .concurrent)

    /// Opens the index in `configuration.indexFolder`.
    public init(configuration: ServerConfiguration) throws {
        self.configuration = configuration
        database = try IndexDatabase(folder: configuration.indexFolder)
        links = Links(publicURL: configuration.publicURL, mediaURL: configuration.mediaURL)
        catalogues = try CatalogueStore(database: database, links: links)
    }

    /// The catalogue of the index as committed now.
    public func catalogue() async throws -> Catalogue {
        if let current = try catalogues.currentIfUnchanged() { return current }
        return try await blocking { try self.catalogues.rebuild() }
    }

    /// Runs `body` on the index queue and waits for it.
    func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }

    /// `Cache-Control` of feeds and API answers.
    var cacheControl: String { "public, max-age=\(configuration.maxAge)" }

    /// A rendered answer of the current catalogue, from the cache or made by `render` (nil: 404 with `missing`).
    func answer(_ request: Request, key: String, missing: @autoclosure () -> APIError, render: @escaping @Sendable (Catalogue) throws -> Representation?) async throws -> Response {
        let catalogue = try await catalogue()
        guard let representation = try cache.representation(catalogue, key: key, render: { try render(catalogue) }) else { throw missing() }
        return representation.response(to: request, cacheControl: cacheControl)
    }
}
