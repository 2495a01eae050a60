import Feed
import Foundation
import Hummingbird

/// The web pages: `/` (watch-later lookup), `/sessions/{slug}` (watch page), `/overview` (the
/// week at a glance), and their stylesheet and script under `/assets/`. They are not part of
/// the documented API (`Operation.all`), so they are registered on the router directly.
func addPageRoutes(to router: Router<ServerContext>, services: ServerServices) {
    router.get("/") { request, _ -> Response in
        let catalogue = try await services.catalogue()
        let language = PageLanguage.preferred(request.headers[.acceptLanguage])
        return htmlResponse(HomePage(catalogue: catalogue, language: language, query: QueryParameters(request.uri.query)).render(), request: request)
    }
    router.get("/sessions/{slug}") { request, context -> Response in
        let catalogue = try await services.catalogue()
        let language = PageLanguage.preferred(request.headers[.acceptLanguage])
        let slug = context.pathParameter("slug")
        guard let entry = catalogue.entry(guidOrSlug: slug) else {
            return htmlResponse(notFoundPage(catalogue: catalogue, language: language), request: request, status: .notFound)
        }
        // Seconds into the session; "nan", "inf" and other numbers no talk lasts start at the beginning.
        let t = QueryParameters(request.uri.query).text("t").flatMap(Double.init).flatMap { $0.isFinite && $0 < 1e7 ? max(0, $0) : nil } ?? 0
        let origin = origin(of: request, catalogue: catalogue)
        // Rendered once per commit, language, start and origin, then served from the cache as
        // the feed is: rendering on every request held the page to about 550 a second (issue 20).
        let key = "watch\u{1}" + [entry.session.guid, language.rawValue, String(t), origin].joined(separator: "\u{1}")
        let page = services.cache.representation(catalogue, key: key) {
            htmlRepresentation(WatchPage(catalogue: catalogue, entry: entry, language: language, start: t, origin: origin).render())
        }
        return htmlResponse(page, request: request)
    }
    router.get("/overview") { request, _ -> Response in
        // The catalogue and the rest of the programme from one snapshot, read once.
        let catalogue = try await services.catalogue()
        let snapshot = catalogue.snapshot
        let language = PageLanguage.preferred(request.headers[.acceptLanguage])
        let page = OverviewPage(catalogue: catalogue, snapshot: snapshot, language: language, admin: isAdmin(request, token: services.configuration.adminToken))
        var response = htmlResponse(page.render(), request: request)
        response.headers[.cacheControl] = "private, no-store"
        response.headers[.vary] = "Accept-Encoding, Accept-Language, Authorization"
        return response
    }
    router.get("/assets/{file}") { request, context -> Response in
        let name = context.pathParameter("file")
        // Pages link the hashed names, whose bytes never change: kept a year. The plain names
        // still answer (an hour), for pages cached before a new build.
        let hashed = PageAssets.byHashedName[name]
        guard let asset = PageAssets.files[hashed ?? name] else {
            throw APIError.notFound("no asset '\(name)'")
        }
        return asset.response(to: request, cacheControl: hashed != nil ? "public, max-age=31536000, immutable" : "public, max-age=3600")
    }
}

/// The security headers sent with every page. The pages run only their own scripts from
/// `/assets` (their JSON sits in non-executed `application/json` blocks), so a script or
/// plug-in that a programme's text smuggled in has nowhere to run; media and images may come
/// from a CDN (`--media-url`).
func addPageSecurityHeaders(to headers: inout HTTPFields) {
    headers[.init("Content-Security-Policy")!] = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: http: data:; "
        + "media-src 'self' https: http:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'"
    headers[.init("X-Content-Type-Options")!] = "nosniff"
    headers[.init("Referrer-Policy")!] = "strict-origin-when-cross-origin"
}

/// A page's HTML, ready to be sent many times.
func htmlRepresentation(_ html: String) -> Representation {
    Representation(Data(html.utf8), contentType: "text/html; charset=utf-8")
}

/// A page's HTML as an answer: gzip and entity tag as for the API; pages vary by language.
func htmlResponse(_ html: String, request: Request, status: HTTPResponse.Status = .ok) -> Response {
    htmlResponse(htmlRepresentation(html), request: request, status: status)
}

/// A rendered page as an answer (see `htmlResponse(_:request:status:)`).
func htmlResponse(_ page: Representation, request: Request, status: HTTPResponse.Status = .ok) -> Response {
    var response = page.response(to: request, cacheControl: "no-cache")
    response.status = response.status == .notModified ? .notModified : status
    addPageSecurityHeaders(to: &response.headers)
    response.headers[.vary] = "Accept-Encoding, Accept-Language"
    response.headers[.contentLanguage] = PageLanguage.preferred(request.headers[.acceptLanguage]).rawValue
    return response
}

/// Whether `request` carries the admin bearer token.
func isAdmin(_ request: Request, token: String?) -> Bool {
    HeaderValues.carriesBearer(request.headers[.authorization], token: token)
}

/// Where absolute links of a page point: the public URL, else this request's host.
func origin(of request: Request, catalogue: Catalogue) -> String {
    if let url = catalogue.links.publicURL { return url }
    let host = request.head.authority ?? "localhost"
    return "http://" + host
}
