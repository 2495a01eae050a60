import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// The `openai` engine: each piece of audio is sent to an OpenAI-compatible
/// `POST {url}/audio/transcriptions` (OpenAI itself, or a local server such as whisper.cpp's,
/// speaches, LocalAI or vLLM; tested against `scripts/speech/openai_server.py`), asking for
/// `verbose_json` so that segments come back with their times and Whisper's confidence figures.
///
/// One `HTTPClient` per engine, shut down when the engine goes. `transcribe` blocks its thread
/// until the answer: call it from plain threads (the main thread, `concurrentPerform`), never
/// from a SwiftNIO event loop, and do not let the last reference go on one.
public final class OpenAIEngine: SpeechEngine {
    /// The API's base, with the version (`http://127.0.0.1:8765/v1`, `https://api.openai.com/v1`).
    public let url: String
    /// The model name sent with each request (`whisper-1`); it names the drafts' source.
    public let model: String
    /// Seconds one request may take, upload and answer, before it is given up.
    public let timeout: Double
    /// How often and how long to try again after a 429, a 5xx or a failed connection.
    public let retries: Retries
    /// Sent as `Authorization: Bearer …`; nil sends no such header. Never printed.
    private let apiKey: String?
    private let endpoint: String
    private let client: HTTPClient

    /// The largest answer read, the bound a command's transcript file has: a transcript of
    /// hours of speech is a few megabytes.
    static let largestAnswer = CommandEngine.maximumTranscriptBytes
    /// The longest timeout accepted, a week: longer is a mistake, and it keeps the conversion to
    /// nanoseconds far from overflow.
    public static let longestTimeout: Double = 7 * 24 * 3600
    /// Keys at least this long are blotted out of messages, should a server echo one.
    static let shortestRedactedKey = 6
    /// Seconds a connection may take to open (the client's own default): a refused one is
    /// tried again within them.
    static let longestConnect: Double = 10
    /// The model name when none is given: OpenAI's, which local servers accept too.
    public static let defaultModel = "whisper-1"
    /// Seconds one request may take when the configuration does not say.
    public static let defaultTimeout: Double = 600

    public var source: String { "asr:openai:\(model)" }

    /// Checks the URL and the timeout; no request is sent until `transcribe`.
    public init(url: String, model: String = defaultModel, apiKey: String? = nil, timeout: Double = defaultTimeout,
                retries: Retries = .standard) throws(SpeechError) {
        let trimmed = url.trimmingCharacters(in: .whitespaces)
        guard let parts = URLComponents(string: trimmed), let scheme = parts.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = parts.host, !host.isEmpty else {
            throw SpeechError("the openai engine's URL '\(Self.shown(url))' is not an http:// or https:// URL (give the API's base, such as http://127.0.0.1:8765/v1)")
        }
        guard timeout.isFinite, timeout > 0, timeout <= Self.longestTimeout else {
            throw SpeechError("the openai engine's timeout \(timeout) s is not between 0 and \(Int(Self.longestTimeout)) s")
        }
        guard retries.attempts >= 1 else { throw SpeechError("the openai engine needs at least one attempt, not \(retries.attempts)") }
        self.url = trimmed
        self.endpoint = (trimmed.hasSuffix("/") ? String(trimmed.dropLast()) : trimmed) + "/audio/transcriptions"
        self.model = model.isEmpty ? Self.defaultModel : model
        self.apiKey = apiKey.flatMap { $0.isEmpty ? nil : $0 }
        self.timeout = timeout
        self.retries = retries
        var configuration = HTTPClient.Configuration()
        // A redirect would resend the key and the audio somewhere the operator did not name.
        configuration.redirectConfiguration = .disallow
        // The whole request's timeout bounds the connecting too.
        configuration.timeout.connect = Self.amount(min(timeout, Self.longestConnect))
        client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    deinit {
        try? client.syncShutdown()
    }

    /// The API's `prompt` field.
    public var takesPrompt: Bool { true }

    public func transcribe(wav: URL, language: String?, prompt: String?) throws(SpeechError) -> [SpeechSegment] {
        let request = try makeRequest(wav: wav, language: language, prompt: prompt)
        var attempt = 1
        while true {
            switch try send(request) {
            case .segments(let segments):
                return segments
            case .retry(let why, let retryAfter):
                guard attempt < retries.attempts else {
                    throw failure("\(why) (gave up after \(attempt) attempt\(attempt == 1 ? "" : "s"))")
                }
                Thread.sleep(forTimeInterval: retries.delay(after: attempt, retryAfter: retryAfter))
                attempt += 1
            }
        }
    }

    // MARK: - One request

    /// What one attempt came to, when it was not an error not worth repeating.
    enum Outcome {
        case segments([SpeechSegment])
        /// Worth another try: why this one failed, and the server's `Retry-After` in seconds.
        case retry(String, retryAfter: Double?)
    }

    private func makeRequest(wav: URL, language: String?, prompt: String?) throws(SpeechError) -> HTTPClient.Request {
        let audio: Data
        do {
            audio = try Data(contentsOf: wav, options: .alwaysMapped)
        } catch {
            throw failure("cannot read the audio '\(wav.path)': \(error.localizedDescription)")
        }
        var form = MultipartForm()
        form.append("file", filename: "audio.wav", contentType: "audio/wav", data: audio)
        form.append("model", model)
        // Without a language the server detects it.
        if let language, !language.isEmpty { form.append("language", language) }
        if let prompt, !prompt.isEmpty { form.append("prompt", prompt) }
        form.append("response_format", "verbose_json")
        form.append("timestamp_granularities[]", "segment")
        var headers = HTTPHeaders([("Content-Type", form.contentType), ("Accept", "application/json")])
        if let apiKey { headers.add(name: "Authorization", value: "Bearer \(apiKey)") }
        do {
            return try HTTPClient.Request(url: endpoint, method: .POST, headers: headers, body: .byteBuffer(form.finish()))
        } catch {
            throw failure("cannot make a request to '\(endpoint)': \(error)")
        }
    }

    private func send(_ request: HTTPClient.Request) throws(SpeechError) -> Outcome {
        let accumulator = ResponseAccumulator(request: request, maxBodySize: Self.largestAnswer)
        let deadline = NIODeadline.now() + Self.amount(timeout)
        let response: HTTPClient.Response
        do {
            response = try client.execute(request: request, delegate: accumulator, deadline: deadline).wait()
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            throw failure("no answer within \(Self.seconds(timeout)) s (the timeout: --speech-timeout, or \"timeout\" in speech.json)")
        } catch is ResponseAccumulator.ResponseTooBigError {
            throw failure("the answer is larger than \(Self.largestAnswer / 1_048_576) MiB; refused")
        } catch {
            return .retry("cannot reach the server: \(Self.describe(error))", retryAfter: nil)
        }
        let body = response.body.map { Data($0.readableBytesView) } ?? Data()
        let status = response.status
        if (200..<300).contains(status.code) {
            return .segments(try segments(in: body))
        }
        let said = "\(status.code) \(status.reasonPhrase)\(Self.serverMessage(body).map { ": \($0)" } ?? "")"
        if status == .tooManyRequests || (500..<600).contains(status.code) {
            let retryAfter = response.headers.first(name: "Retry-After").flatMap { Double($0.trimmingCharacters(in: .whitespaces)) }
            return .retry(said, retryAfter: retryAfter)
        }
        throw failure(said)
    }

    /// An error that names the engine and where it was sent, with the key (should a server
    /// echo it) and any password in the URL left out.
    func failure(_ message: String) -> SpeechError {
        var text = "openai engine at \(Self.shown(url)): \(message)"
        // A key too short to be one would blot out ordinary words instead.
        if let apiKey, apiKey.count >= Self.shortestRedactedKey { text = text.replacingOccurrences(of: apiKey, with: "[API key]") }
        return SpeechError(text)
    }

    /// The URL without a password, for messages.
    static func shown(_ url: String) -> String {
        guard var parts = URLComponents(string: url), parts.password != nil else { return url }
        parts.password = "[hidden]"
        return parts.string ?? url
    }

    /// A connection's failure in a few words: the system's for an errno ("Connection
    /// refused"), else the client's own description.
    static func describe(_ error: any Error) -> String {
        if let error = error as? IOError { return String(cString: strerror(error.errnoCode)) }
        if let error = error as? HTTPClientError, error == .connectTimeout { return "no connection within the connect timeout" }
        return "\(error)"
    }

    /// Seconds as NIO's time amount; only for seconds checked to lie within `longestTimeout`,
    /// so that the nanoseconds cannot overflow.
    static func amount(_ seconds: Double) -> TimeAmount {
        .nanoseconds(Int64(seconds * 1_000_000_000))
    }

    /// `2` for 2.0, `2.5` for 2.5: seconds as an operator wrote them.
    static func seconds(_ value: Double) -> String {
        String(format: "%g", value)
    }
}

/// How an engine tries again after an answer that may be passing (429, 5xx) or a connection
/// that failed: `attempts` in all, waiting `firstDelay` seconds and twice as long each time
/// after, never more than `longestDelay`; a server's `Retry-After` is taken instead, within
/// the same cap.
public struct Retries: Sendable, Equatable {
    public var attempts: Int
    public var firstDelay: Double
    public var longestDelay: Double

    public init(attempts: Int, firstDelay: Double, longestDelay: Double) {
        self.attempts = attempts
        self.firstDelay = firstDelay
        self.longestDelay = longestDelay
    }

    /// Four attempts in all, 1 s, 2 s then 4 s apart, a server's wish capped at 30 s.
    public static let standard = Retries(attempts: 4, firstDelay: 1, longestDelay: 30)

    /// Seconds to wait after attempt number `attempt` (from 1) failed.
    public func delay(after attempt: Int, retryAfter: Double?) -> Double {
        let wanted = retryAfter ?? firstDelay * pow(2, Double(max(0, attempt - 1)))
        guard wanted.isFinite else { return max(0, longestDelay) }
        return min(max(0, wanted), longestDelay)
    }
}
