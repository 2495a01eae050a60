import Foundation

extension OpenAIEngine {
    /// OpenAI's `verbose_json` answer, as far as efterhand reads it.
    struct Verbose: Decodable {
        var text: String?
        /// A code (`sv`) from whisper.cpp and our test server, a name (`swedish`) from OpenAI:
        /// both decode, and each segment carries it (`SpeechSegment.language`).
        var language: String?
        var segments: [SpeechSegment]?
    }

    /// OpenAI's error shape, `{"error": {"message": …}}`.
    struct ErrorBody: Decodable {
        struct Detail: Decodable { var message: String? }
        var error: Detail
    }

    /// The segments of a 2xx answer; an error naming what is wrong when it is not `verbose_json`.
    func segments(in body: Data) throws(SpeechError) -> [SpeechSegment] {
        guard (try? JSONSerialization.jsonObject(with: body)) != nil else {
            throw failure("the answer is not JSON: \(Self.excerpt(body) ?? "an empty body")")
        }
        let answer: Verbose
        do {
            answer = try JSONDecoder().decode(Verbose.self, from: body)
        } catch let error as DecodingError {
            throw failure("the answer is not a verbose_json transcription: \(Self.explain(error))")
        } catch {
            throw failure("the answer is not a verbose_json transcription: \(error)")
        }
        guard let segments = answer.segments else {
            throw failure("the answer has text but no segments: efterhand needs segment timestamps (response_format verbose_json), which this server did not send")
        }
        return segments.map { $0.heard(in: answer.language) }
    }

    /// The server's own words for an error: `error.message`, else the start of a short body.
    static func serverMessage(_ body: Data) -> String? {
        if let decoded = try? JSONDecoder().decode(ErrorBody.self, from: body), let message = decoded.error.message, !message.isEmpty {
            return message
        }
        return excerpt(body)
    }

    /// The first 200 characters of a body, on one line; nil when it is empty.
    static func excerpt(_ body: Data) -> String? {
        let text = String(decoding: body.prefix(800), as: UTF8.self)
            .split(whereSeparator: \.isNewline).joined(separator: " ")
            .trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { return nil }
        return text.count > 200 ? String(text.prefix(200)) + "…" : text
    }

    /// A decoding error as the place in the JSON and what was wrong there.
    static func explain(_ error: DecodingError) -> String {
        func place(_ path: [any CodingKey]) -> String {
            path.isEmpty ? "the top" : path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "no '\(key.stringValue)' at \(place(context.codingPath))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "\(place(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}
