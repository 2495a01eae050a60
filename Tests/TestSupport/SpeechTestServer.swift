import Foundation

/// A server on loopback that a test starts and stops: `scripts/speech/openai_server.py` (the
/// real model behind an OpenAI-compatible API), or any Python program that prints
/// `listening on http://127.0.0.1:PORT` once it is ready. Stopped when the value goes.
public final class SpeechTestServer: @unchecked Sendable {
    /// `http://127.0.0.1:PORT`, as the server printed it.
    public let address: String
    /// The API's base that the openai engine is given: `address` + `/v1`.
    public var base: String { address + "/v1" }
    private let process: Process
    /// Kept open for the server's life: a closed pipe would kill it on its next print.
    private let output = Pipe()
    private let log: URL

    /// The speech venv's Python, as `make speech` installs it beside the repo root.
    public static let python = EfterhandBinary.root.appendingPathComponent(".venv-speech/bin/python").path
    static let model = EfterhandBinary.root.appendingPathComponent(".speech-model/whisper-base/model.bin").path
    static let script = EfterhandBinary.root.appendingPathComponent("scripts/speech/openai_server.py").path

    /// `openai_server.py --port 0` with `arguments` (`--api-key K`, `--fail-first N`, ...).
    public static func openAI(_ arguments: [String] = []) throws -> SpeechTestServer {
        guard FileManager.default.isExecutableFile(atPath: python), FileManager.default.fileExists(atPath: model) else {
            throw Problem(description: "the speech engine is not installed (no \(python) or \(model)): run `make speech` (make test does)")
        }
        return try SpeechTestServer(python: python, arguments: [script, "--port", "0"] + arguments)
    }

    /// A Python program given as text (`python -c`), with `arguments` after it.
    public static func python(program: String, _ arguments: [String] = []) throws -> SpeechTestServer {
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw Problem(description: "no \(python): run `make speech` (make test does)")
        }
        return try SpeechTestServer(python: python, arguments: ["-c", program] + arguments)
    }

    init(python: String, arguments: [String], startup: Double = 180) throws {
        log = FileManager.default.temporaryDirectory.appendingPathComponent("efterhand-server-\(UUID().uuidString).log")
        guard FileManager.default.createFile(atPath: log.path, contents: nil) else {
            throw Problem(description: "cannot make the test server's log '\(log.path)'")
        }
        process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = try FileHandle(forWritingTo: log)
        try process.run()
        let found = Self.address(in: output.fileHandleForReading, within: startup)
        guard let found else {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let said = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            throw Problem(description: "the test server \(arguments.first ?? python) did not say 'listening on' within \(Int(startup)) s: \(said.suffix(1500))")
        }
        address = found
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: log)
    }

    /// Stops the server and waits for it; a second call does nothing. SIGKILL, not
    /// `terminate()`: a child started from one of Dispatch's threads inherits its blocked
    /// signals, SIGTERM among them, and would never see the SIGTERM.
    public func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Reads the server's standard output on another thread until the line with its address,
    /// the end of the output, or the deadline.
    static func address(in output: FileHandle, within seconds: Double) -> String? {
        final class Box: @unchecked Sendable {
            var address: String?
        }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            var seen = ""
            while true {
                let data = output.availableData
                if data.isEmpty { break }
                seen += String(decoding: data, as: UTF8.self)
                if let range = seen.range(of: "listening on "), let end = seen[range.upperBound...].firstIndex(where: \.isWhitespace) {
                    box.address = String(seen[range.upperBound..<end])
                    break
                }
            }
            done.signal()
        }
        guard done.wait(timeout: .now() + seconds) == .success else { return nil }
        return box.address
    }

    /// Why a test server could not be started.
    public struct Problem: Error, CustomStringConvertible {
        public var description: String
    }
}
