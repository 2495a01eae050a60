import Captions
import Feed
import Foundation
import Hummingbird
import IndexStore
import Logging

/// The request context of every route: Hummingbird's basics, with room for a transcript upload.
public struct ServerContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The client's address, for throttling sign-ins; nil when the channel has none (tests).
    public var remoteAddress: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress?.ipAddress
    }

    /// Uploads (transcripts) up to the size of the largest caption file read (16 MiB).
    public var maxUploadSize: Int { CaptionFile.maxBytes }
}

/// Builds the server of `configuration`: opens the index once, and answers every request from
/// its latest committed state. `efterhand serve` runs it with `runService()`; the tests run it
/// with `app.test(.router)` or `.live`. `onServerRunning` is told the bound address.
/// With `repository`, the index is that one (built from values, in a test) instead of the file
/// in `configuration.indexFolder`.
public func buildApplication(
    configuration: ServerConfiguration,
    repository: (any IndexRepository)? = nil,
    onServerRunning: @escaping @Sendable (_ host: String, _ port: Int) async -> Void = { _, _ in }
) throws -> some ApplicationProtocol {
    try PageAssets.requireLoaded()
    try PageTemplates.requireLoaded()
    let services = try repository.map { try ServerServices(configuration: configuration, repository: $0) }
        ?? ServerServices(configuration: configuration)
    let router = buildRouter(services: services)
    return Application(
        router: router,
        server: .http1(configuration: .init(idleTimeout: .seconds(Int64(max(1, configuration.idleTimeoutSeconds))))),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "efterhand"),
        onServerRunning: { channel in
            await onServerRunning(configuration.host, channel.localAddress?.port ?? configuration.port)
        },
        logger: Logger(label: "efterhand.server"))
}

/// The router of every route, with the middleware in front of them: access log (outermost),
/// CORS, JSON errors. Routes are grouped by file (`Routes+Feed.swift`, ...); the web pages
/// add theirs here the same way (a `Routes+Pages.swift` with `addPageRoutes(to:services:)`).
public func buildRouter(services: ServerServices) -> Router<ServerContext> {
    let router = Router(context: ServerContext.self, options: .autoGenerateHeadEndpoints)
    if services.configuration.accessLog {
        router.add(middleware: AccessLogMiddleware(logger: services.logger))
    }
    router.add(middleware: AllowedOriginsMiddleware(origins: services.configuration.corsOrigins))
    router.add(middleware: JSONErrorMiddleware(logger: services.logger, corsEnabled: !services.configuration.corsOrigins.isEmpty,
                                               indexFile: services.indexFile ?? IndexDatabase.fileName))
    let routes = RouteRegistrar(router: router)
    addFeedRoutes(to: routes, services: services)
    addRecordingRoutes(to: routes, services: services)
    addSearchRoutes(to: routes, services: services)
    addMediaRoutes(to: routes, services: services)
    addServiceRoutes(to: routes, services: services)
    addPageRoutes(to: router, services: services)
    addStaffRoutes(to: router, services: services)
    addStaffEditRoutes(to: router, services: services)
    let admin = RouteRegistrar(router: router, group: router.group().add(middleware: AdminAuthMiddleware(token: services.configuration.adminToken)))
    addAdminRoutes(to: admin, services: services)
    return router
}

/// Registers routes by their documented operation (`Operation.all`), so the router and
/// `/openapi.json` cannot disagree.
struct RouteRegistrar {
    let router: Router<ServerContext>
    var group: RouterGroup<ServerContext>?

    func on(_ operationID: String, _ handler: @escaping @Sendable (Request, ServerContext) async throws -> Response) {
        let operation = Operation.named(operationID)
        if let group {
            group.on(RouterPath(operation.path), method: operation.method, use: handler)
        } else {
            router.on(RouterPath(operation.path), method: operation.method, use: handler)
        }
    }
}
