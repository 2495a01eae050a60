import Feed
import Foundation
import Hummingbird

/// `/feed.json`, `/feeds/{topics,rooms,days}/{name}.json` and `/api/topics`.
func addFeedRoutes(to routes: RouteRegistrar, services: ServerServices) {
    routes.on("getFeed") { request, _ in
        try await feed(request, filter: .all, services: services)
    }
    routes.on("getTopicFeed") { request, context in
        let name = context.pathParameter("topic")
        return try await feed(request, filter: .topic(Slug.make(name)), services: services, unknown: "no published session has the topic '\(name)'")
    }
    routes.on("getRoomFeed") { request, context in
        let name = context.pathParameter("room")
        return try await feed(request, filter: .room(Slug.make(name)), services: services, unknown: "no published session is in the room '\(name)'")
    }
    routes.on("getDayFeed") { request, context in
        let day = context.pathParameter("day")
        guard isDay(day) else { throw APIError.badParameter("the day must be a date written yyyy-mm-dd, not '\(day)'") }
        return try await feed(request, filter: .day(day), services: services)
    }
    routes.on("getTopics") { request, _ in
        try await services.answer(request, key: "topics", missing: .notFound("no topics")) { catalogue in
            Representation(try APIDocuments.topics(catalogue), contentType: APIDocuments.mediaType)
        }
    }
}

/// One page of a feed: `page_size` (1 to 500) and `after` (a cursor from `next_url`) are read
/// and checked before anything is rendered.
private func feed(_ request: Request, filter: FeedFilter, services: ServerServices, unknown: String = "") async throws -> Response {
    let query = QueryParameters(request.uri.query)
    let size = try query.integer("page_size", in: 1...JSONFeed.maximumPageSize)
    var cursor: JSONFeed.Cursor?
    if let after = query.text("after") {
        guard let parsed = JSONFeed.Cursor(text: after) else {
            throw APIError.badParameter("'after' must be a cursor from a next_url (start~guid), not '\(after)'")
        }
        cursor = parsed
    }
    let page = JSONFeed.Page(size: size ?? JSONFeed.defaultPageSize, after: cursor)
    let key = "feed|" + filterKey(filter) + "|" + (size.map(String.init) ?? "-") + "|" + (cursor?.text ?? "")
    return try await services.answer(request, key: key, missing: .notFound(unknown)) { catalogue in
        try JSONFeed.render(catalogue, filter: filter, page: page, pageSizeGiven: size != nil).map { Representation($0, contentType: JSONFeed.mediaType) }
    }
}

/// A filter as part of a cache key (without reflection, which `\(filter)` would use).
private func filterKey(_ filter: FeedFilter) -> String {
    switch filter {
    case .all: return "all"
    case .topic(let slug): return "topic:" + slug
    case .room(let slug): return "room:" + slug
    case .day(let day): return "day:" + day
    }
}

/// `yyyy-mm-dd` naming a real day.
func isDay(_ text: String) -> Bool {
    let parts = text.split(separator: "-", omittingEmptySubsequences: false)
    guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
          parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
          let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]), (1...12).contains(month), day >= 1 else { return false }
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = .gmt
    guard let date = calendar.date(from: DateComponents(year: year, month: month, day: 1)),
          let days = calendar.range(of: .day, in: .month, for: date) else { return false }
    return days.contains(day)
}
