import Foundation
import Speech
import Testing
import TestSupport

/// The real engine, as `make test` installs it (faster-whisper with Whisper base, through the
/// adaptor in scripts/speech/), on speech that espeak-ng says at a known second.
@Suite(.serialized) struct RealEngineTests {
    static let root = EfterhandBinary.root
    static let python = root.appendingPathComponent(".venv-speech/bin/python").path
    static let model = root.appendingPathComponent(".speech-model/whisper-base").path
    static let adaptor = root.appendingPathComponent("scripts/speech/faster_whisper_adaptor.py").path

    static func engine() throws -> CommandEngine {
        guard FileManager.default.isExecutableFile(atPath: python), FileManager.default.fileExists(atPath: model + "/model.bin") else {
            throw SpeechError("the speech engine is not installed: run `make speech` (make test does)")
        }
        return try CommandEngine(template: "\(python) \(adaptor) --input {input} --output {output} --language {language} --model {model}", model: model)
    }

    /// A 16 kHz mono WAV: `silence` seconds, then espeak-ng saying `text` in `voice`, then 5 s more.
    static func clip(_ text: String, voice: String, silence: Double) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("efterhand-speech-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let said = folder.appendingPathComponent("said.wav")
        let clip = folder.appendingPathComponent("clip.wav")
        try run("/usr/bin/espeak-ng", ["-v", voice, "-s", "150", "-w", said.path, text])
        try run("/usr/bin/sox", [said.path, "-r", "16000", "-c", "1", "-b", "16", clip.path, "pad", String(silence), "5"])
        return clip
    }

    static func run(_ program: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw SpeechError("\(program) failed (make test installs espeak-ng and sox)") }
    }

    @Test("English said from 0:30 comes back at 0:30 (±1 s), word for word")
    func english() throws {
        let clip = try Self.clip("Welcome to the innovation week. Today we talk about open data in the public sector.", voice: "en", silence: 30)
        let segments = SpeechFilter().apply(try Self.engine().transcribe(wav: clip, language: "en"))
        let first = try #require(segments.first)
        #expect(abs(first.start - 30) <= 1, "first segment at \(first.start) s")
        let text = segments.map(\.text).joined(separator: " ").lowercased()
        #expect(text.contains("open data") && text.contains("public sector"), "heard: \(text)")
    }

    @Test("Swedish said from 0:12 comes back at 0:12 (±1 s), in Swedish")
    func swedish() throws {
        let clip = try Self.clip("Välkommen till Innovationsveckan. I dag pratar vi om öppna data.", voice: "sv", silence: 12)
        let segments = SpeechFilter().apply(try Self.engine().transcribe(wav: clip, language: "sv"))
        let first = try #require(segments.first)
        #expect(abs(first.start - 12) <= 1, "first segment at \(first.start) s")
        #expect(!segments.map(\.text).joined().isEmpty)
    }

    @Test("silence gives no text (Whisper invents some on silence; the VAD and the filter keep it out)")
    func silence() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("efterhand-silence-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let clip = folder.appendingPathComponent("silence.wav")
        try WAVFile.data([Int16](repeating: 0, count: 20 * 16_000), sampleRate: 16_000).write(to: clip)
        #expect(SpeechFilter().apply(try Self.engine().transcribe(wav: clip, language: "sv")).isEmpty)
    }
}
