import Hummingbird

/// One documented operation of the HTTP API. Routes are registered from these (see
/// `RouteRegistrar`), `/openapi.json` is generated from them, and a path that matches one
/// with another method answers 405: the description and the router cannot drift apart.
public struct Operation: Sendable {
    /// Where a parameter is read from.
    public enum Location: String, Sendable { case path, query, header }

    /// A parameter of an operation.
    public struct Parameter: Sendable {
        public var name: String
        public var location: Location
        public var required: Bool
        /// `string` or `integer`.
        public var type: String
        public var description: String
        /// A value that names something in the sample week, for the documentation and the tests.
        public var example: String?
        /// What the route accepts, as JSON Schema keywords (`minimum`, `maximum`, `pattern`,
        /// `minLength`, `maxLength`), so that clients and generated tests know it: a value outside
        /// them gets a 400.
        public var limits: Limits = .none
    }

    /// The JSON Schema keywords a parameter's value must meet; nil for those that do not apply.
    public struct Limits: Sendable {
        public var minimum: Int? = nil
        public var maximum: Int? = nil
        public var pattern: String? = nil
        public var minLength: Int? = nil
        public var maxLength: Int? = nil
        /// No limits beyond the type.
        public static let none = Operation.Limits()
    }

    /// One documented answer.
    public struct Answer: Sendable {
        public var status: Int
        public var description: String
        /// Media types of the body; empty for none.
        public var mediaTypes: [String]
        /// A schema in `components/schemas`, by name, for JSON bodies.
        public var schema: String?
    }

    /// `getFeed`, `getRecording`, ...
    public var id: String
    public var method: HTTPRequest.Method
    /// The router's pattern (`/api/recordings/{id}`, `/thumbnails/**`).
    public var path: String
    /// The OpenAPI path template, where it differs from `path`.
    public var documentedPath: String
    public var summary: String
    public var tag: String
    public var parameters: [Parameter]
    public var answers: [Answer]
    /// Requires the admin bearer token.
    public var admin: Bool
    /// Media types of the request body, for writes.
    public var bodyMediaTypes: [String]

    init(_ id: String, _ method: HTTPRequest.Method, _ path: String, documentedPath: String? = nil, tag: String, summary: String,
         parameters: [Parameter] = [], answers: [Answer], admin: Bool = false, bodyMediaTypes: [String] = []) {
        self.id = id
        self.method = method
        self.path = path
        self.documentedPath = documentedPath ?? path
        self.summary = summary
        self.tag = tag
        self.parameters = parameters
        self.answers = answers
        self.admin = admin
        self.bodyMediaTypes = bodyMediaTypes
    }

    /// Whether `path` (a request's, without query) matches this operation's pattern.
    func matches(_ requestPath: String) -> Bool {
        let pattern = path.split(separator: "/", omittingEmptySubsequences: true)
        let segments = requestPath.split(separator: "/", omittingEmptySubsequences: true)
        var index = 0
        for element in pattern {
            if element == "**" { return index < segments.count }
            guard index < segments.count else { return false }
            let segment = segments[index]
            if element.hasPrefix("{"), let close = element.firstIndex(of: "}") {
                let suffix = element[element.index(after: close)...]
                guard segment.hasSuffix(suffix), segment.count > suffix.count else { return false }
            } else if element != segment {
                return false
            }
            index += 1
        }
        return index == segments.count
    }
}

extension Operation.Parameter {
    static func path(_ name: String, _ description: String, type: String = "string", example: String, limits: Operation.Limits = .none) -> Self {
        .init(name: name, location: .path, required: true, type: type, description: description, example: example, limits: limits)
    }

    static func query(_ name: String, _ description: String, type: String = "string", example: String? = nil, limits: Operation.Limits = .none,
                      required: Bool = false) -> Self {
        .init(name: name, location: .query, required: required, type: type, description: description, example: example, limits: limits)
    }

    /// `yyyy-mm-dd`.
    static let dayLimits = Operation.Limits(pattern: "^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
    /// A language code as the routes check it: 2 to 8 ASCII letters and hyphens.
    /// (Empty stands for not given.)
    static let languageLimits = Operation.Limits(pattern: "^([A-Za-z-]{2,8})?$")

    static func header(_ name: String, _ description: String) -> Self {
        .init(name: name, location: .header, required: false, type: "string", description: description, example: nil)
    }
}

extension Operation.Answer {
    static func ok(_ description: String, _ mediaTypes: [String], schema: String? = nil) -> Self {
        .init(status: 200, description: description, mediaTypes: mediaTypes, schema: schema)
    }

    static func error(_ status: Int, _ description: String) -> Self {
        .init(status: status, description: description, mediaTypes: ["application/json"], schema: "Error")
    }

    static let notModified = Self(status: 304, description: "Not modified: the `If-None-Match` tag is current.", mediaTypes: [])
}

extension Operation {
    static let pageParameters: [Parameter] = [
        .query("page_size", "Items per page, 1 to 500 (default 50).", type: "integer", example: "2", limits: Operation.Limits(minimum: 1, maximum: 500)),
        .query("after", "The cursor a previous page's `next_url` carries: start (Unix seconds) `~` guid.", example: nil,
               limits: Operation.Limits(pattern: "^(\\s*-?[0-9]{1,11}(\\.[0-9]+)?~\\S.*)?$")),
    ]
    static let feedAnswers: [Answer] = [
        .ok("A JSON Feed 1.1 page.", ["application/feed+json"], schema: "Feed"), .notModified,
        .error(400, "A bad `page_size` or `after`."),
    ]
    /// What `/media/{id}` may answer with, by the recording's container.
    static let mediaFileTypes = ["video/mp4", "audio/mp4", "video/quicktime", "video/3gpp", "audio/3gpp", "video/webm", "audio/webm",
                                 "video/x-matroska", "audio/x-matroska", "audio/mpeg", "video/ogg", "audio/ogg", "audio/wav", "audio/flac",
                                 "audio/aac", "video/mp2t", "video/x-msvideo", "video/mpeg", "application/octet-stream"]
    static let recordingID = Parameter.path("id", "The recording's id in the index.", type: "integer", example: "5", limits: Operation.Limits(minimum: 1))
    static let language = Parameter.query("language", "Language code (`sv`); default: the session's.", example: "sv", limits: Parameter.languageLimits)
    static func transcriptAnswers(_ mediaType: String) -> [Answer] {
        [.ok("The transcript: cues where there is text, empty stub cues for segments without.", [mediaType]), .notModified,
         .error(400, "A bad language code."), .error(404, "No such public recording, or no transcript in that language.")]
    }

    /// Every operation of the API, in the order of the documentation.
    public static let all: [Operation] = [
        Operation("getFeed", .get, "/feed.json", tag: "feeds", summary: "JSON Feed of every published session, newest first.",
                  parameters: pageParameters, answers: feedAnswers),
        Operation("getTopicFeed", .get, "/feeds/topics/{topic}.json", tag: "feeds", summary: "JSON Feed of one topic's sessions.",
                  parameters: [.path("topic", "The topic's slug (as `/api/topics` lists it) or its name.", example: "samverkan")] + pageParameters,
                  answers: feedAnswers + [.error(404, "No published session has this topic.")]),
        Operation("getRoomFeed", .get, "/feeds/rooms/{room}.json", tag: "feeds", summary: "JSON Feed of one room's sessions.",
                  parameters: [.path("room", "The room's slug or name.", example: "sal-a")] + pageParameters,
                  answers: feedAnswers + [.error(404, "No published session is in this room.")]),
        Operation("getDayFeed", .get, "/feeds/days/{day}.json", tag: "feeds", summary: "JSON Feed of one day's sessions (conference time zone).",
                  parameters: [.path("day", "The day, `yyyy-mm-dd`.", example: "2021-10-05", limits: Parameter.dayLimits)] + pageParameters,
                  answers: feedAnswers),
        Operation("getTopics", .get, "/api/topics", tag: "catalogue", summary: "Topics, rooms and days with their session counts and feeds.",
                  answers: [.ok("Topics, rooms and days.", ["application/json"], schema: "Topics"), .notModified]),
        Operation("getRecording", .get, "/api/recordings/{id}", tag: "catalogue", summary: "A public recording: file, streams, sessions, segments, links.",
                  parameters: [recordingID],
                  answers: [.ok("The recording.", ["application/json"], schema: "Recording"), .notModified, .error(404, "No such public recording.")]),
        Operation("getChaptersJSON", .get, "/api/recordings/{id}/chapters.json", tag: "tracks",
                  summary: "Podcasting 2.0 JSON chapters of a recording, one per segment, with thumbnails.",
                  parameters: [recordingID],
                  answers: [.ok("JSON chapters.", ["application/json+chapters"], schema: "Chapters"), .notModified, .error(404, "No such public recording.")]),
        Operation("getChaptersVTT", .get, "/api/recordings/{id}/chapters.vtt", tag: "tracks", summary: "WebVTT chapter track of a recording.",
                  parameters: [recordingID],
                  answers: [.ok("WebVTT chapters.", ["text/vtt"]), .notModified, .error(404, "No such public recording.")]),
        Operation("getTranscriptVTT", .get, "/api/recordings/{id}/transcript.vtt", tag: "tracks", summary: "Transcript of a recording as WebVTT.",
                  parameters: [recordingID, language], answers: transcriptAnswers("text/vtt")),
        Operation("getTranscriptSRT", .get, "/api/recordings/{id}/transcript.srt", tag: "tracks", summary: "Transcript of a recording as SubRip.",
                  parameters: [recordingID, language], answers: transcriptAnswers("application/x-subrip")),
        Operation("getTranscriptJSON", .get, "/api/recordings/{id}/transcript.json", tag: "tracks",
                  summary: "Transcript of a recording as a Podcasting 2.0 JSON transcript.",
                  parameters: [recordingID, language], answers: transcriptAnswers("application/json")),
        Operation("getSession", .get, "/api/sessions/{guid}", tag: "catalogue", summary: "A published session by guid or slug.",
                  parameters: [.path("guid", "The session's guid or slug.", example: "iv21-103-lagsport")],
                  answers: [.ok("The session.", ["application/json"], schema: "Session"), .notModified, .error(404, "No such published session.")]),
        Operation("search", .get, "/api/search", tag: "search", summary: "Search segments' titles and transcripts; results with snippets, deep links and facets.",
                  parameters: [
                      .query("q", "Words to find, at most 500 characters (required).", example: "innovation",
                             limits: Operation.Limits(pattern: "\\S", maxLength: 500), required: true),
                      .query("topic", "Only sessions with this topic."),
                      .query("day", "Only this day, `yyyy-mm-dd`.", limits: Parameter.dayLimits),
                      .query("speaker", "Only sessions with this speaker."), .query("room", "Only this room."),
                      .query("language", "Only transcripts in this language.", limits: Parameter.languageLimits),
                      .query("limit", "Most results, 1 to 100 (default 20).", type: "integer", limits: Operation.Limits(minimum: 1, maximum: 100)),
                  ],
                  answers: [.ok("Hits and facets.", ["application/json"], schema: "SearchResults"), .error(400, "No `q`, or a bad filter.")]),
        Operation("getMedia", .get, "/media/{id}", tag: "media",
                  summary: "The recording file, with byte ranges (single, open-ended, suffix) so a browser can seek.",
                  parameters: [recordingID, .header("Range", "`bytes=a-b`, `bytes=a-` or `bytes=-n`."),
                               .header("If-Range", "An entity tag or date; the range is honoured only while it is current.")],
                  answers: [.ok("The whole file.", mediaFileTypes),
                            .init(status: 206, description: "The requested bytes, with `Content-Range`.", mediaTypes: mediaFileTypes),
                            .notModified, .error(404, "No such public recording, or its file is gone."),
                            .init(status: 416, description: "The range lies outside the file; `Content-Range: bytes */size`.", mediaTypes: [])]),
        Operation("getThumbnail", .get, "/thumbnails/**", documentedPath: "/thumbnails/{file}", tag: "media",
                  summary: "A thumbnail JPEG, by the address the feed and API give; made from the recording when first asked for, then kept.",
                  parameters: [.path("file", "The thumbnail's path below `/thumbnails/`, as the feed gives it (may contain `/`).", example: "00/none.jpg")],
                  answers: [.ok("The JPEG.", ["image/jpeg"]), .notModified,
                            .error(404, "No such public thumbnail, or no picture could be made of its recording (tried again after five minutes).")]),
        Operation("decide", .post, "/api/recordings/{id}/decisions", tag: "admin",
                  summary: "Record a person's decision: accept a link (optionally with in and out), reject one, or unlink the recording. With `seen` (from the answer to the last decision, or a staff page) it is refused with 409 if the recording's links changed since.",
                  parameters: [.path("id", "The recording's id (any recording the index knows).", type: "integer", example: "1", limits: Operation.Limits(minimum: 1))],
                  answers: [.ok("The recording's links after the decision.", ["application/json"], schema: "Decision"),
                            .error(400, "A bad body, an unknown session or a bad in or out point."), .error(401, "No or a wrong bearer token."),
                            .error(403, "Writes are off (no admin token configured)."), .error(404, "No such recording."),
                            .error(409, "The recording's links changed after `seen`: someone else decided meanwhile; nothing was recorded.")],
                  admin: true, bodyMediaTypes: ["application/json"]),
        Operation("putTranscript", .put, "/api/recordings/{id}/transcript", tag: "admin",
                  summary: "Upload a checked WebVTT or SubRip transcript; the segments it covers become verified.",
                  parameters: [.path("id", "The recording's id.", type: "integer", example: "5", limits: Operation.Limits(minimum: 1)),
                               .query("language", "The transcript's language (default: the session's).", example: "sv", limits: Parameter.languageLimits)],
                  answers: [.ok("What was stored.", ["application/json"], schema: "TranscriptImport"),
                            .error(400, "The file has problems (each named with its line)."), .error(401, "No or a wrong bearer token."),
                            .error(403, "Writes are off (no admin token configured)."), .error(404, "No such recording."),
                            .error(413, "The body is too large."), .error(415, "Not WebVTT or SubRip.")],
                  admin: true, bodyMediaTypes: ["text/vtt", "application/x-subrip"]),
        Operation("health", .get, "/healthz", tag: "service", summary: "Whether the index can be read; counts of what is published.",
                  answers: [.ok("Healthy.", ["application/json"]), .error(503, "The index cannot be read.")]),
        Operation("openAPI", .get, "/openapi.json", tag: "service", summary: "This description.",
                  answers: [.ok("OpenAPI 3.1.", ["application/json"]), .notModified]),
    ]

    /// The operation named `id`.
    static func named(_ id: String) -> Operation {
        guard let operation = all.first(where: { $0.id == id }) else { preconditionFailure("no operation '\(id)' in Operation.all") }
        return operation
    }
}
