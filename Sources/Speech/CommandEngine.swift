import Captions
import Foundation

/// The `command` engine: a program run once per piece of audio, from a template with
/// `{input}` `{output}` `{language}` `{model}` placeholders, and `{prompt}` where the program
/// takes a prompt (empty when there is none) (the convention of Opencast's
/// whisper.cpp engine and SReview's `transcribe_command`), that writes WebVTT or JSON with
/// segment times. It works with whisper.cpp as installed elsewhere
/// (`whisper-cli -m {model} -l {language} -ovtt -of {output} -f {input}`, which writes
/// `{output}.vtt`) and with the faster-whisper adaptor in `scripts/speech/`.
///
/// The template is split into words as a shell would (spaces, single and double quotes,
/// backslash) but run without a shell: a placeholder's value is always one word.
public struct CommandEngine: SpeechEngine {
    public let words: [String]
    public let model: String
    /// Seconds one run may take before it is stopped.
    public let timeout: Double

    public var source: String { "asr:command:\(Self.modelName(model))" }

    /// Only a template with `{prompt}` can pass one on.
    public var takesPrompt: Bool { words.contains { $0.contains("{prompt}") } }

    public init(template: String, model: String, timeout: Double = 3600) throws(SpeechError) {
        words = try Self.split(template)
        guard let program = words.first, !program.isEmpty else { throw SpeechError("the speech command is empty") }
        guard words.contains(where: { $0.contains("{input}") }) else {
            throw SpeechError("the speech command '\(template)' has no {input}: it would not know what to transcribe")
        }
        guard words.contains(where: { $0.contains("{output}") }) else {
            throw SpeechError("the speech command '\(template)' has no {output}: efterhand would not know where to read its transcript")
        }
        self.model = model
        self.timeout = timeout
    }

    /// `word` with each `{name}` in `values` replaced by its value, left to right.
    static func substitute(_ word: String, _ values: [String: String]) -> String {
        var out = ""
        var rest = Substring(word)
        while let open = rest.firstIndex(of: "{") {
            out += rest[..<open]
            if let close = rest[open...].firstIndex(of: "}"), let value = values[String(rest[open...close])] {
                out += value
                rest = rest[rest.index(after: close)...]
            } else {
                out.append("{")
                rest = rest[rest.index(after: open)...]
            }
        }
        return out + rest
    }

    /// The model's short name for the source: its last path component (`whisper-base`).
    static func modelName(_ model: String) -> String {
        let name = (model as NSString).lastPathComponent
        return name.isEmpty ? "default" : name
    }

    public func transcribe(wav: URL, language: String?, prompt: String?) throws(SpeechError) -> [SpeechSegment] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("efterhand-asr-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw SpeechError("cannot make a folder for the speech command's output: \(error.localizedDescription)")
        }
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("transcript.json").path
        let values = ["{input}": wav.path, "{output}": output, "{language}": language ?? "auto", "{model}": model, "{prompt}": prompt ?? ""]
        // One pass over each word, so that a value holding a placeholder's name (a prompt
        // with "{input}" in a title) is never replaced again.
        let arguments = words.map { Self.substitute($0, values) }
        try run(arguments)
        return try Self.read(output: output, from: folder)
    }

    /// Runs the command, with its standard error kept for the message when it fails.
    private func run(_ arguments: [String]) throws(SpeechError) {
        let process = Process()
        let program = arguments[0]
        if program.contains("/") {
            process.executableURL = URL(fileURLWithPath: program)
            process.arguments = Array(arguments.dropFirst())
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = arguments
        }
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        // Set before the start: a command that ends at once must still be seen to end.
        let done = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in done.signal() }
        do {
            try process.run()
        } catch {
            throw SpeechError("cannot run the speech command '\(program)': \(error.localizedDescription)")
        }
        // Standard error is read beside the wait, so that a command that says much cannot block
        // on a full pipe and a command that hangs is stopped at the deadline.
        let said = Said()
        let reading = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            said.set(errors.fileHandleForReading.readDataToEndOfFile())
            reading.signal()
        }
        if done.wait(timeout: .now() + timeout) == .timedOut {
            // SIGTERM first; a command that ignores it (a child started from a Dispatch thread
            // inherits a blocked SIGTERM) gets SIGKILL after 2 s, so none outlives its timeout.
            process.terminate()
            if done.wait(timeout: .now() + 2) == .timedOut { kill(process.processIdentifier, SIGKILL) }
            throw SpeechError("the speech command '\(program)' took longer than \(Int(timeout)) s and was stopped")
        }
        _ = reading.wait(timeout: .now() + 5)
        let stderr = said.get()
        guard process.terminationStatus == 0 else {
            let said = String(decoding: stderr.suffix(2000), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            let last = said.split(separator: "\n").last.map(String.init) ?? "no message"
            throw SpeechError("the speech command '\(program)' failed (exit \(process.terminationStatus)): \(last)")
        }
    }

    /// The most a transcript file may hold.
    static let maximumTranscriptBytes = 64 * 1_048_576

    /// The transcript the command wrote: `{output}` itself, or `{output}.json` / `{output}.vtt`
    /// (whisper.cpp adds the extension to the name it is given).
    static func read(output: String, from folder: URL) throws(SpeechError) -> [SpeechSegment] {
        for candidate in [output, output + ".json", output + ".vtt", output + ".srt"] {
            guard let size = (try? FileManager.default.attributesOfItem(atPath: candidate))?[.size] as? Int else { continue }
            // A 30-minute window's transcript is well under a megabyte; more is a broken engine.
            guard size <= maximumTranscriptBytes else {
                throw SpeechError("the speech command wrote a transcript of \(size) bytes (more than \(maximumTranscriptBytes / 1_048_576) MiB); it was not read")
            }
            guard let data = FileManager.default.contents(atPath: candidate) else { continue }
            return try SpeechTranscript.parse(data, name: (candidate as NSString).lastPathComponent)
        }
        throw SpeechError("the speech command wrote no transcript (looked for {output}, {output}.json and {output}.vtt)")
    }
}

/// What a command said on standard error, handed from the reading thread.
private final class Said: @unchecked Sendable {
    private var data = Data()
    private let lock = NSLock()
    func set(_ value: Data) { lock.withLock { data = value } }
    func get() -> Data { lock.withLock { data } }
}

/// The transcript formats engines write: JSON with segments (faster-whisper's adaptor, the
/// OpenAI `verbose_json`, whisper.cpp's `-oj` with millisecond offsets) or WebVTT/SRT.
public enum SpeechTranscript {
    public static func parse(_ data: Data, name: String) throws(SpeechError) -> [SpeechSegment] {
        let text = String(decoding: data.prefix(16), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if text.hasPrefix("{") { return try json(data) }
        do {
            return try CaptionFile.parse(data, file: name).cues.map { SpeechSegment(start: $0.start, end: $0.end, text: $0.text) }
        } catch {
            throw SpeechError("the speech engine's transcript cannot be read: \(error)")
        }
    }

    struct Segments: Decodable {
        var language: String?
        var segments: [SpeechSegment]?
        var transcription: [WhisperCppSegment]?
    }

    struct WhisperCppSegment: Decodable {
        struct Offsets: Decodable { var from: Double; var to: Double }
        var offsets: Offsets
        var text: String
    }

    static func json(_ data: Data) throws(SpeechError) -> [SpeechSegment] {
        let decoded: Segments
        do {
            decoded = try JSONDecoder().decode(Segments.self, from: data)
        } catch {
            throw SpeechError("the speech engine's JSON has no readable segments: \(error)")
        }
        if let segments = decoded.segments { return segments.map { $0.heard(in: decoded.language) } }
        if let whisper = decoded.transcription {
            return whisper.map { SpeechSegment(start: $0.offsets.from / 1000, end: $0.offsets.to / 1000, text: $0.text) }
        }
        throw SpeechError("the speech engine's JSON has neither 'segments' nor 'transcription'")
    }
}
