import Feed
import Foundation
import Hummingbird
import IndexStore

/// `/api/search`: the search of the index, limited to what is published, with deep links.
func addSearchRoutes(to routes: RouteRegistrar, services: ServerServices) {
    routes.on("search") { request, _ in
        let query = try searchQuery(QueryParameters(request.uri.query))
        let key = "search\u{1}" + [query.text, query.topic ?? "", query.day ?? "", query.speaker ?? "", query.room ?? "", query.language ?? "",
                                    String(query.limit)].joined(separator: "\u{1}")
        // Hits and facets are read in one transaction; they are kept (and cached with the
        // catalogue, so a repeated query costs a lookup) only when no commit happened since the
        // catalogue they are filtered by was read. A new query runs through the search gate: on
        // its own threads, a few at once, each stopped at its time limit.
        let gate = services.searches
        // A client that asks for a fresh answer (`Cache-Control: no-cache`, as a browser's forced
        // reload sends) gets one searched now; it is kept for the next asker as usual.
        let fresh = request.headers[values: .cacheControl].contains { $0.lowercased().contains("no-cache") }
        return try await services.consistentAnswer(request, doing: "during the search") { catalogue in
            if !fresh, let kept = services.cache.cached(catalogue, key: key) { return kept }
            let made: Representation??
            do {
                made = try await gate.run { () -> Representation? in
                    let (hits, facets) = try services.repository.searchWithFacets(query, timeLimit: gate.timeLimit,
                                                                                  facetTable: catalogue.snapshot.facetTable)
                    guard try services.isCurrent(catalogue) else { return nil }
                    let document = SearchResults(query: query, hits: hits, facets: facets, catalogue: catalogue)
                    return Representation(document.json(), contentType: APIDocuments.mediaType)
                }
            } catch let error as SearchTimeLimitExceeded {
                throw APIError(.serviceUnavailable, code: "search_too_long",
                               message: "\(error); a query of more specific words, or fewer, is quicker")
            }
            guard let made else {
                throw APIError(.serviceUnavailable, code: "busy", message: "too many searches are waiting; try again", headers: [.retryAfter: "1"])
            }
            if let made { services.cache.store(made, catalogue, key: key) }
            return made
        }
    }
}

/// The query of `/api/search`, checked: `q` is required, `limit` 1 to 100, `day` a date.
func searchQuery(_ parameters: QueryParameters) throws -> SearchQuery {
    guard let text = parameters.text("q") else { throw APIError.badParameter("'q' is required: the words to search for") }
    guard text.count <= 500 else { throw APIError.badParameter("'q' is longer than 500 characters") }
    let limit = try parameters.integer("limit", in: 1...100) ?? 20
    let day = parameters.text("day")
    if let day, !isDay(day) { throw APIError.badParameter("'day' must be a date written yyyy-mm-dd, not '\(day)'") }
    let language = parameters.text("language")
    if let language, !(2...8).contains(language.count) || !language.allSatisfy({ $0.isASCII && ($0.isLetter || $0 == "-") }) {
        throw APIError.badParameter("'language' must be a language code such as 'sv', not '\(language)'")
    }
    return SearchQuery(text: text, topic: parameters.text("topic"), day: day, speaker: parameters.text("speaker"), room: parameters.text("room"),
                       language: language, limit: limit)
}

/// The answer of `/api/search`.
struct SearchResults: Encodable {
    struct Query: Encodable {
        var q: String
        var topic: String?
        var day: String?
        var speaker: String?
        var room: String?
        var language: String?
        var limit: Int
    }

    struct Hit: Encodable {
        var recordingID: Int64
        var sessionGuid: String
        var sessionTitle: String
        var segmentTitle: String
        var startSeconds: Double
        var endSeconds: Double
        /// Where to land: the second the words are said (see `SearchHit.atSeconds`).
        var atSeconds: Double
        var snippet: String
        var snippetParts: [SnippetPart]
        var score: Double
        var url: String
        var watchURL: String
        var sessionAPI: String
        var thumbnail: String?

        enum CodingKeys: String, CodingKey {
            case recordingID = "recording_id", sessionGuid = "session_guid", sessionTitle = "session_title", segmentTitle = "segment_title"
            case startSeconds = "start_seconds", endSeconds = "end_seconds", atSeconds = "at_seconds", snippet, snippetParts = "snippet_parts", score, url
            case watchURL = "watch_url"
            case sessionAPI = "session_api", thumbnail
        }
    }

    var query: Query
    var total: Int
    var hits: [Hit]
    var facets: SearchFacets
}

extension SearchResults {
    init(query: SearchQuery, hits: [SearchHit], facets: SearchFacets, catalogue: Catalogue) {
        self.query = Query(q: query.text, topic: query.topic, day: query.day, speaker: query.speaker, room: query.room, language: query.language,
                           limit: query.limit)
        let links = catalogue.links
        self.hits = hits.compactMap { hit in
            // Only what the feed publishes: a public recording and one of its published sessions.
            guard let recording = catalogue.recordings[hit.recordingID],
                  let held = recording.sessions.first(where: { $0.session.guid == hit.sessionGuid }) else { return nil }
            let segment = recording.segments.first { $0.segment.sessionGuid == hit.sessionGuid && abs($0.segment.startSeconds - hit.startSeconds) < 0.001 }
            return Hit(recordingID: hit.recordingID, sessionGuid: hit.sessionGuid, sessionTitle: hit.sessionTitle, segmentTitle: hit.segmentTitle,
                       startSeconds: hit.startSeconds, endSeconds: hit.endSeconds, atSeconds: hit.atSeconds, snippet: hit.snippet,
                       snippetParts: hit.snippetParts, score: hit.score,
                       url: links.media(recording.recording, from: hit.atSeconds, to: hit.endSeconds),
                       watchURL: links.watch(held.session, at: max(0, hit.atSeconds - held.link.inSeconds)),
                       sessionAPI: links.sessionAPI(held.session), thumbnail: segment?.thumbnail.map(links.thumbnail))
        }
        total = self.hits.count
        self.facets = facets
    }
}
