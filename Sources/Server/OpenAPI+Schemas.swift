/// The schemas of the API's answers and bodies, as `/openapi.json` lists them under
/// `components/schemas`. Each mirrors an `Encodable` in `Feed` (or the server's own answers).
enum APISchemas {
    typealias S = Schema

    static let links = S.object(["json": .string, "vtt": .string])
    static let transcriptLinks = S.object(["json": .string, "vtt": .string, "srt": .string])

    static let all: [String: Schema] = [
        "Error": .object(["error": .object(["code": .string, "message": .string], required: ["code", "message"])], required: ["error"]),
        "Feed": .object([
            "version": .string, "title": .string, "home_page_url": .string, "feed_url": .string, "description": .string, "language": .string,
            "next_url": .string, "items": .array(.ref("FeedItem")),
            "_efterhand": .object(["about": .string, "total_items": .integer, "page_size": .integer]),
        ], required: ["version", "title", "items"]),
        "FeedItem": feedItem,
        "ItemExtension": .object([
            "about": .string, "slug": .string, "room": .string, "start": .dateTime, "end": .dateTime,
            "recordings": .array(.ref("Part")), "segments": .array(.ref("Segment")), "api": .string,
        ]),
        "Part": .object([
            "recording_id": .integer, "in_seconds": .number, "out_seconds": .number, "duration_in_seconds": .number, "part": .integer,
            "parts": .integer, "media_url": .string, "mime_type": .string, "api": .string,
            "chapters": links, "transcripts": transcriptLinks, "transcript_languages": .array(.string),
        ]),
        "Segment": segment,
        "Recording": recording,
        "Session": .object([
            "guid": .string, "slug": .string, "title": .string, "abstract": .string, "start": .string, "end": .string, "day": .string,
            "room": .string, "language": .string, "persons": .array(.string),
            "topics": .array(.object(["name": .string, "feed_url": .string])), "url": .string,
            "image": .string, "recordings": .array(.ref("Part")), "segments": .array(.ref("Segment")),
        ]),
        "Topics": .object(["topics": .array(.ref("Facet")), "rooms": .array(.ref("Facet")), "days": .array(.ref("Facet"))]),
        "Facet": .object(["name": .string, "slug": .string, "count": .integer, "feed_url": .string]),
        "Chapters": .object([
            "version": .string,
            "chapters": .array(.object(["startTime": .number, "endTime": .number, "title": .string, "img": .string, "url": .string],
                                       required: ["startTime"])),
        ], required: ["version", "chapters"]),
        "SearchResults": searchResults,
        "DecisionRequest": decisionRequest,
        "Decision": .object(["recording_id": .integer, "link_status": .string, "links": .array(.anyObject), "seen": .string]),
        "TranscriptImport": .object(["stored": .integer, "skipped_verified": .integer, "language": .string, "verified_segments": .integer]),
    ]

    static let feedItem = S.object([
        "id": .string, "url": .string, "title": .string, "content_text": .string, "summary": .string, "image": .string,
        "date_published": .dateTime, "authors": .array(.object(["name": .string])), "tags": .array(.string), "language": .string,
        "attachments": .array(.object(["url": .string, "mime_type": .string, "title": .string, "size_in_bytes": .integer,
                                       "duration_in_seconds": .integer], required: ["url", "mime_type"])),
        "_efterhand": .ref("ItemExtension"),
    ], required: ["id", "content_text"])

    static let segment = S.object([
        "recording_id": .integer, "session_guid": .string, "position": .integer, "start_seconds": .number, "end_seconds": .number,
        "title": .string, "source": .string, "thumbnail": .string,
        "url": .string("The media with `#t=start,end`."),
        "watch_url": .string("The watch page with `?t=` seconds from the session's start in this recording."),
        "transcript": S(type: "object", additionalProperties: S(type: "string", allowed: ["empty", "draft", "verified"])),
        "machine_generated": S(type: "array", description: "Languages whose draft text a speech engine made and no person has checked (absent when none).",
                               items: .string),
    ])

    static let recording = S.object([
        "id": .integer, "file_name": .string, "container": .string, "mime_type": .string, "size_in_bytes": .integer,
        "duration_in_seconds": .number, "modified": .string, "streams": .array(.anyObject), "media_url": .string, "image": .string,
        "chapters": links, "transcripts": transcriptLinks, "transcript_languages": .array(.string), "default_language": .string,
        "sessions": .array(.anyObject), "segments": .array(.ref("Segment")),
    ])

    static let searchResults = S.object([
        "query": .anyObject, "total": .integer,
        "hits": .array(.object([
            "recording_id": .integer, "session_guid": .string, "session_title": .string, "segment_title": .string,
            "start_seconds": .number, "end_seconds": .number,
            "at_seconds": S(type: "number", description: "Where to land: the second the words are said in the transcript, else the segment's start."),
            "snippet": .string,
            "snippet_parts": .array(.object(["text": .string, "marked": .boolean], required: ["text", "marked"])),
            "score": .number, "media_url": .string, "watch_url": .string, "session_api": .string, "thumbnail": .string,
        ])),
        "facets": .object(["topics": .anyObject, "days": .anyObject, "rooms": .anyObject, "speakers": .anyObject]),
    ])

    /// Accepting and rejecting name a session; unlinking does not.
    static let decisionRequest = S(oneOf: [
        .object(["action": S(type: "string", allowed: ["accept", "reject"]), "session": S(type: "string", limits: .init(minLength: 1)),
                 "in_seconds": S(type: "number", limits: .init(minimum: 0)), "out_seconds": S(type: "number", exclusiveMinimum: 0),
                 "seen": .string],
                required: ["action", "session"]),
        .object(["action": S(type: "string", allowed: ["unlink"]), "seen": .string], required: ["action"]),
    ])
}
