import Foundation
import Speech
import Testing
import TestSupport

/// The openai engine against `scripts/speech/openai_server.py` on loopback (faster-whisper
/// with Whisper base behind OpenAI's API, as `make speech` installs it), and against small
/// servers of the tests' own for the answers that server never gives. Serialized: each test
/// starts a server, and two models decoding at once on two cores would only be slower.
@Suite("openai engine", .serialized)
struct OpenAIEngineTests {
    /// A clip from the real-engine tests: espeak-ng speech after `silence` seconds.
    struct Speech: Sendable, CustomTestStringConvertible {
        var voice: String
        var language: String?
        var silence: Double
        var text: String
        /// Words the model hears right; nil for Swedish espeak speech, which Whisper base
        /// mishears (scripts/speech/README.md: 72 % of its words wrong).
        var heard: String?
        var testDescription: String { "\(voice) from \(Int(silence)) s, language \(language ?? "detected")" }
    }

    static let speech = [
        Speech(voice: "en", language: "en", silence: 5, text: "Welcome to the innovation week. Today we talk about open data in the public sector.", heard: "open data"),
        Speech(voice: "en", language: nil, silence: 5, text: "Welcome to the innovation week. Today we talk about open data in the public sector.", heard: "public sector"),
        Speech(voice: "sv", language: "sv", silence: 12, text: "Välkommen till Innovationsveckan. I dag pratar vi om öppna data.", heard: nil),
    ]

    @Test("speech comes back at the second it was said (±1 s), with Whisper's confidence figures", arguments: speech)
    func realSpeech(_ clip: Speech) throws {
        let server = try SpeechTestServer.openAI()
        let engine = try OpenAIEngine(url: server.base, model: "whisper-base")
        #expect(engine.source == "asr:openai:whisper-base")
        let wav = try RealEngineTests.clip(clip.text, voice: clip.voice, silence: clip.silence)
        let segments = try engine.transcribe(wav: wav, language: clip.language)
        let first = try #require(segments.first, "no segments")
        #expect(abs(first.start - clip.silence) <= 1, "first segment at \(first.start) s")
        #expect(segments.allSatisfy { $0.avgLogprob != nil && $0.noSpeechProb != nil && $0.end >= $0.start })
        let text = segments.map(\.text).joined(separator: " ").lowercased()
        #expect(!text.isEmpty && clip.heard.map { text.contains($0) } != false, "heard: \(text)")
    }

    @Test("a server with a key: the right key is let in; a wrong or missing one is a 401 that never shows a key")
    func apiKey() throws {
        let server = try SpeechTestServer.openAI(["--api-key", "sk-test-right-4711"])
        let wav = try RealEngineTests.clip("Open data.", voice: "en", silence: 1)
        let right = try OpenAIEngine(url: server.base, apiKey: "sk-test-right-4711")
        #expect(try right.transcribe(wav: wav, language: "en").isEmpty == false)
        for key in ["sk-test-wrong-0815", nil] {
            let engine = try OpenAIEngine(url: server.base, apiKey: key)
            let error = #expect(throws: SpeechError.self) { try engine.transcribe(wav: wav, language: "en") }
            let message = error?.description ?? ""
            #expect(message.contains("openai engine at \(server.base): 401 Unauthorized: Missing or wrong API key"), "\(message)")
            #expect(!message.contains("sk-test"), "\(message)")
        }
    }

    @Test("two 503s with Retry-After: 1 are waited out; ten are given up after the bounded attempts, naming the status")
    func retries() throws {
        let wav = try RealEngineTests.clip("Open data.", voice: "en", silence: 1)
        let patient = try SpeechTestServer.openAI(["--fail-first", "2", "--retry-after", "1"])
        #expect(try OpenAIEngine(url: patient.base).transcribe(wav: wav, language: "en").isEmpty == false)

        let failing = try SpeechTestServer.openAI(["--fail-first", "10", "--retry-after", "1"])
        let engine = try OpenAIEngine(url: failing.base)
        let error = #expect(throws: SpeechError.self) { try engine.transcribe(wav: wav, language: "en") }
        let message = error?.description ?? ""
        #expect(message.contains("503 Service Unavailable") && message.contains("gave up after 4 attempts"), "\(message)")
    }

    @Test("a server that takes the connection and never answers is given up at the timeout")
    func timeout() throws {
        let server = try SpeechTestServer.python(program: Self.silentServer)
        let engine = try OpenAIEngine(url: server.base, timeout: 2)
        let wav = try RealEngineTests.clip("Open data.", voice: "en", silence: 1)
        let error = #expect(throws: SpeechError.self) { try engine.transcribe(wav: wav, language: "en") }
        #expect(error?.description.contains("no answer within 2 s") == true, "\(error?.description ?? "")")
    }

    @Test("no server at the address: tried again, then an error saying it cannot be reached")
    func refused() throws {
        let server = try SpeechTestServer.python(program: Self.silentServer)
        server.stop()
        let engine = try OpenAIEngine(url: server.base, retries: Retries(attempts: 2, firstDelay: 0.1, longestDelay: 0.1))
        let wav = try RealEngineTests.clip("Open data.", voice: "en", silence: 1)
        let error = #expect(throws: SpeechError.self) { try engine.transcribe(wav: wav, language: "en") }
        let message = error?.description ?? ""
        #expect(message.contains("cannot reach the server") && message.contains("gave up after 2 attempts"), "\(message)")
    }

    /// 200 answers that are not a verbose_json transcription, and what the error says.
    static let badAnswers: [(body: String, said: String)] = [
        ("<html><body>Welcome to nginx!</body></html>", "the answer is not JSON: <html><body>Welcome to nginx!</body></html>"),
        ("", "the answer is not JSON: an empty body"),
        (#"{"text": "hej"}"#, "needs segment timestamps (response_format verbose_json)"),
        (#"{"segments": [{"start": "soon", "end": 2, "text": "hej"}]}"#, "not a verbose_json transcription: .segments[0].start"),
        ("@big", "larger than 64 MiB; refused"),
    ]

    @Test("a 200 answer that is not a transcription is a clear error", arguments: badAnswers)
    func badAnswer(_ answer: (body: String, said: String)) throws {
        let server = try SpeechTestServer.python(program: Self.fixedServer, [answer.body])
        let engine = try OpenAIEngine(url: server.base)
        let wav = try RealEngineTests.clip("Open data.", voice: "en", silence: 1)
        let error = #expect(throws: SpeechError.self) { try engine.transcribe(wav: wav, language: "en") }
        #expect(error?.description.contains(answer.said) == true, "\(error?.description ?? "")")
    }

    @Test("a URL that is not http(s) or a timeout that is not a number of seconds is refused at once", arguments: [
        ("ftp://127.0.0.1/v1", 600.0), ("127.0.0.1:8765", 600), ("http:///v1", 600),
        ("http://127.0.0.1/v1", 0), ("http://127.0.0.1/v1", .infinity), ("http://127.0.0.1/v1", .nan), ("http://127.0.0.1/v1", 1e300),
    ])
    func refusedSettings(url: String, timeout: Double) {
        #expect(throws: SpeechError.self) { try OpenAIEngine(url: url, timeout: timeout) }
    }

    @Test("backoff doubles from the first delay, takes a server's Retry-After, and never waits past the cap")
    func backoff() {
        let retries = Retries.standard
        #expect((1...5).map { retries.delay(after: $0, retryAfter: nil) } == [1, 2, 4, 8, 16])
        #expect(retries.delay(after: 40, retryAfter: nil) == 30)
        #expect(retries.delay(after: 1, retryAfter: 3) == 3)
        #expect(retries.delay(after: 1, retryAfter: 86400) == 30)
        #expect(retries.delay(after: 1, retryAfter: -5) == 0)
        #expect(retries.delay(after: Int.max, retryAfter: nil) == 30)
    }

    // MARK: - The tests' own servers

    /// Takes connections and never reads or answers.
    static let silentServer = """
        import socket
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        s.listen(8)
        print(f"listening on http://127.0.0.1:{s.getsockname()[1]}", flush=True)
        held = []
        while True:
            held.append(s.accept()[0])
        """

    /// Reads each POST's body and answers 200 with the body given as its argument (`@big`:
    /// 65 MB of JSON-looking bytes).
    static let fixedServer = """
        import sys
        from http.server import BaseHTTPRequestHandler, HTTPServer
        body = b"[" + b"0," * (33 * 1024 * 1024) + b"0]" if sys.argv[1] == "@big" else sys.argv[1].encode()
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            def log_message(self, *arguments):
                pass
        server = HTTPServer(("127.0.0.1", 0), Handler)
        print(f"listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
        server.serve_forever()
        """
}
