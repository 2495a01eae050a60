import Captions
import Feed
import Foundation
import Hummingbird
import IndexStore

/// `/api/recordings/{id}` with its chapters and transcripts, and `/api/sessions/{guid}`.
func addRecordingRoutes(to routes: RouteRegistrar, services: ServerServices) {
    routes.on("getRecording") { request, context in
        let id = try recordingID(context)
        return try await services.answer(request, key: "recording|\(id)", missing: unknownRecording(id)) { catalogue in
            try catalogue.recordings[id].map { Representation(try APIDocuments.recording($0, catalogue: catalogue), contentType: APIDocuments.mediaType) }
        }
    }
    routes.on("getChaptersJSON") { request, context in
        let id = try recordingID(context)
        return try await services.answer(request, key: "chapters.json|\(id)", missing: unknownRecording(id)) { catalogue in
            try catalogue.recordings[id].map { Representation(try Chapters.json($0, catalogue: catalogue), contentType: Chapters.jsonMediaType) }
        }
    }
    routes.on("getChaptersVTT") { request, context in
        let id = try recordingID(context)
        return try await services.answer(request, key: "chapters.vtt|\(id)", missing: unknownRecording(id)) { catalogue in
            catalogue.recordings[id].map { Representation(Data(Chapters.vtt($0).utf8), contentType: WebVTT.mediaType + "; charset=utf-8") }
        }
    }
    for (operation, format) in [("getTranscriptVTT", TranscriptFormat.vtt), ("getTranscriptSRT", .srt), ("getTranscriptJSON", .json)] {
        routes.on(operation) { request, context in
            try await transcript(request, id: try recordingID(context), format: format, services: services)
        }
    }
    routes.on("getSession") { request, context in
        let reference = context.pathParameter("guid")
        return try await services.answer(request, key: "session|\(reference)", missing: .notFound("no published session '\(reference)'")) { catalogue in
            try catalogue.entry(guidOrSlug: reference).map { Representation(try APIDocuments.session($0, catalogue: catalogue), contentType: APIDocuments.mediaType) }
        }
    }
}

/// A recording's transcript in the requested language (default: its session's). The cue text
/// is read in its own transaction, and kept only if no commit happened around that read, so
/// the answer always belongs to one state of the index.
private func transcript(_ request: Request, id: Int64, format: TranscriptFormat, services: ServerServices) async throws -> Response {
    let query = QueryParameters(request.uri.query)
    let requested = query.text("language")
    if let requested, !(2...8).contains(requested.count) || !requested.allSatisfy({ $0.isASCII && ($0.isLetter || $0 == "-") }) {
        throw APIError.badParameter("'language' must be a language code such as 'sv', not '\(requested)'")
    }
    return try await services.consistentAnswer(request, doing: "while the transcript was read") { catalogue in
        guard let recording = catalogue.recordings[id] else { throw unknownRecording(id) }
        let language = requested.flatMap(LanguageCode.normalize) ?? recording.defaultLanguage
        guard recording.languages.contains(language) || language == recording.defaultLanguage else {
            throw APIError.notFound("recording \(id) has no transcript in '\(language)' (it has: \(recording.languages.joined(separator: ", ")))")
        }
        let key = "transcript|\(id)|\(language)|\(format.rawValue)"
        let sessions = Set(recording.sessions.map(\.session.guid))
        return try await services.blocking { () -> Representation? in
            try services.cache.representation(catalogue, key: key) {
                guard let transcripts = try services.repository.recordingTranscripts(recordingID: id) else { return nil }
                guard try services.isCurrent(catalogue) else { return nil }
                return Representation(try TranscriptDocuments.render(transcripts, language: language, format: format, sessions: sessions),
                                      contentType: TranscriptDocuments.mediaType(format))
            }
        }
    }
}

/// The `{id}` of a recording route; any text that is not a whole number names no recording.
func recordingID(_ context: ServerContext) throws -> Int64 {
    let text = context.pathParameter("id")
    guard let id = Int64(text), id > 0 else { throw APIError.notFound("no recording '\(text)'") }
    return id
}

func unknownRecording(_ id: Int64) -> APIError {
    .notFound("no public recording \(id)")
}
