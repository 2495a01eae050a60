import Feed
import Foundation

/// A JSON value, for documents built by hand.
indirect enum JSONValue: Encodable, Sendable, ExpressibleByStringLiteral, ExpressibleByDictionaryLiteral, ExpressibleByArrayLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral {
    case string(String)
    case number(Double)
    case bool(Bool)
    case array([JSONValue])
    case object([String: JSONValue])

    init(stringLiteral value: String) { self = .string(value) }
    init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(Dictionary(elements, uniquingKeysWith: { _, b in b })) }
    init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    init(booleanLiteral value: Bool) { self = .bool(value) }
    init(integerLiteral value: Int) { self = .number(Double(value)) }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let value): try container.encode(value)
        case .number(let value):
            if value == value.rounded(), abs(value) < 1e15 { try container.encode(Int64(value)) } else { try container.encode(value) }
        case .bool(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}

/// The OpenAPI 3.1 description of the API, generated from `Operation.all`.
enum OpenAPIDocument {
    static func render(links: Links) throws -> Data {
        var paths: [String: JSONValue] = [:]
        for (path, operations) in Dictionary(grouping: Operation.all, by: \.documentedPath) {
            var item: [String: JSONValue] = [:]
            for operation in operations {
                item[operation.method.rawValue.lowercased()] = describe(operation)
            }
            paths[path] = .object(item)
        }
        var document: [String: JSONValue] = [
            "openapi": "3.1.0",
            "info": [
                "title": "efterhand",
                "version": "1.0.0",
                "description": .string("""
                    The catalogue of a conference's recorded talks: a JSON Feed of published sessions, chapters, transcripts, \
                    search, thumbnails and the recordings themselves with byte ranges. Feeds and API answers carry an `ETag` and \
                    `Cache-Control`, answer `If-None-Match` with 304, and are gzipped for clients that accept it. Errors are \
                    `{"error": {"code", "message"}}`. Without `--public-url` links are root-relative.
                    """),
            ],
            "paths": .object(paths),
            "components": components,
        ]
        if let publicURL = links.publicURL { document["servers"] = [["url": .string(publicURL)]] }
        return try APIJSON.encode(JSONValue.object(document))
    }

    static func describe(_ operation: Operation) -> JSONValue {
        var value: [String: JSONValue] = [
            "operationId": .string(operation.id),
            "summary": .string(operation.summary),
            "tags": [.string(operation.tag)],
        ]
        if !operation.parameters.isEmpty {
            value["parameters"] = .array(operation.parameters.map { parameter in
                var item: [String: JSONValue] = [
                    "name": .string(parameter.name), "in": .string(parameter.location.rawValue), "required": .bool(parameter.required),
                    "description": .string(parameter.description), "schema": schema(parameter),
                ]
                if let example = parameter.example {
                    item["example"] = parameter.type == "integer" ? Int(example).map { .number(Double($0)) } ?? .string(example) : .string(example)
                }
                return .object(item)
            })
        }
        var responses: [String: JSONValue] = [:]
        for answer in operation.answers {
            var item: [String: JSONValue] = ["description": .string(answer.description)]
            if !answer.mediaTypes.isEmpty {
                var content: [String: JSONValue] = [:]
                for type in answer.mediaTypes {
                    content[type] = answer.schema.map { ["schema": ["$ref": .string("#/components/schemas/\($0)")]] } ?? [:]
                }
                item["content"] = .object(content)
            }
            responses[String(answer.status)] = .object(item)
        }
        value["responses"] = .object(responses)
        if operation.admin {
            value["security"] = [["bearer": []]]
            if operation.bodyMediaTypes == ["application/json"] {
                value["requestBody"] = ["required": true, "content": ["application/json": ["schema": ["$ref": "#/components/schemas/DecisionRequest"]]]]
            } else {
                var content: [String: JSONValue] = [:]
                for type in operation.bodyMediaTypes { content[type] = ["schema": ["type": "string"]] }
                value["requestBody"] = ["required": true, "content": .object(content)]
            }
        }
        return .object(value)
    }

    /// A parameter's schema: its type and the limits the route checks.
    static func schema(_ parameter: Operation.Parameter) -> JSONValue {
        var schema: [String: JSONValue] = ["type": .string(parameter.type)]
        for (keyword, value) in parameter.limits {
            schema[keyword] = Int(value).map { .number(Double($0)) } ?? .string(value)
        }
        return .object(schema)
    }

    static func object(_ properties: [String: JSONValue], required: [String] = []) -> JSONValue {
        var value: [String: JSONValue] = ["type": "object", "properties": .object(properties)]
        if !required.isEmpty { value["required"] = .array(required.map { .string($0) }) }
        return .object(value)
    }

    static let string: JSONValue = ["type": "string"]
    static let integer: JSONValue = ["type": "integer"]
    static let number: JSONValue = ["type": "number"]
    static func array(_ items: JSONValue) -> JSONValue { ["type": "array", "items": items] }
    static func ref(_ name: String) -> JSONValue { ["$ref": .string("#/components/schemas/\(name)")] }

    static let components: JSONValue = [
        "securitySchemes": ["bearer": ["type": "http", "scheme": "bearer", "description": "The token of `EFTERHAND_ADMIN_TOKEN` or `--admin-token-file`."]],
        "schemas": [
            "Error": object(["error": object(["code": string, "message": string], required: ["code", "message"])], required: ["error"]),
            "Feed": object([
                "version": string, "title": string, "home_page_url": string, "feed_url": string, "description": string, "language": string,
                "next_url": string, "items": array(ref("FeedItem")),
                "_efterhand": object(["about": string, "total_items": integer, "page_size": integer]),
            ], required: ["version", "title", "items"]),
            "FeedItem": object([
                "id": string, "url": string, "title": string, "content_text": string, "summary": string, "image": string,
                "date_published": ["type": "string", "format": "date-time"], "authors": array(object(["name": string])), "tags": array(string),
                "language": string,
                "attachments": array(object(["url": string, "mime_type": string, "title": string, "size_in_bytes": integer, "duration_in_seconds": integer],
                                            required: ["url", "mime_type"])),
                "_efterhand": ref("ItemExtension"),
            ], required: ["id", "content_text"]),
            "ItemExtension": object([
                "about": string, "slug": string, "room": string, "start": ["type": "string", "format": "date-time"],
                "end": ["type": "string", "format": "date-time"], "recordings": array(ref("Part")), "segments": array(ref("Segment")), "api": string,
            ]),
            "Part": object([
                "recording_id": integer, "in_seconds": number, "out_seconds": number, "duration_in_seconds": number, "part": integer, "parts": integer,
                "media_url": string, "mime_type": string, "api": string,
                "chapters": object(["json": string, "vtt": string]), "transcripts": object(["json": string, "vtt": string, "srt": string]),
                "transcript_languages": array(string),
            ]),
            "Segment": object([
                "recording_id": integer, "session_guid": string, "position": integer, "start_seconds": number, "end_seconds": number, "title": string,
                "source": string, "thumbnail": string, "url": ["type": "string", "description": "The media with `#t=start,end`."],
                "watch_url": ["type": "string", "description": "The watch page with `?t=` seconds from the session's start in this recording."],
                "transcript": ["type": "object", "additionalProperties": ["type": "string", "enum": ["empty", "draft", "verified"]]],
            ]),
            "Recording": object([
                "id": integer, "file_name": string, "container": string, "mime_type": string, "size_in_bytes": integer, "duration_in_seconds": number,
                "modified": string, "streams": array(["type": "object"]), "media_url": string, "image": string,
                "chapters": object(["json": string, "vtt": string]), "transcripts": object(["json": string, "vtt": string, "srt": string]),
                "transcript_languages": array(string), "default_language": string, "sessions": array(["type": "object"]), "segments": array(ref("Segment")),
            ]),
            "Session": object([
                "guid": string, "slug": string, "title": string, "abstract": string, "start": string, "end": string, "day": string, "room": string,
                "language": string, "persons": array(string), "topics": array(object(["name": string, "feed_url": string])), "url": string,
                "image": string, "recordings": array(ref("Part")), "segments": array(ref("Segment")),
            ]),
            "Topics": object([
                "topics": array(ref("Facet")), "rooms": array(ref("Facet")), "days": array(ref("Facet")),
            ]),
            "Facet": object(["name": string, "slug": string, "count": integer, "feed_url": string]),
            "Chapters": object([
                "version": string,
                "chapters": array(object(["startTime": number, "endTime": number, "title": string, "img": string, "url": string], required: ["startTime"])),
            ], required: ["version", "chapters"]),
            "SearchResults": object([
                "query": ["type": "object"], "total": integer,
                "hits": array(object([
                    "recording_id": integer, "session_guid": string, "session_title": string, "segment_title": string, "start_seconds": number,
                    "end_seconds": number, "snippet": string,
                    "snippet_parts": array(object(["text": string, "marked": ["type": "boolean"]], required: ["text", "marked"])), "score": number, "media_url": string, "watch_url": string, "session_api": string,
                    "thumbnail": string,
                ])),
                "facets": object(["topics": ["type": "object"], "days": ["type": "object"], "rooms": ["type": "object"], "speakers": ["type": "object"]]),
            ]),
            // Accepting and rejecting name a session; unlinking does not.
            "DecisionRequest": ["oneOf": [
                object(["action": ["type": "string", "enum": ["accept", "reject"]], "session": ["type": "string", "minLength": 1],
                        "in_seconds": ["type": "number", "minimum": 0], "out_seconds": ["type": "number", "exclusiveMinimum": 0]],
                       required: ["action", "session"]),
                object(["action": ["type": "string", "enum": ["unlink"]]], required: ["action"]),
            ]],
            "Decision": object(["recording_id": integer, "link_status": string, "links": array(["type": "object"])]),
            "TranscriptImport": object(["stored": integer, "skipped_verified": integer, "language": string, "verified_segments": integer]),
        ],
    ]
}
