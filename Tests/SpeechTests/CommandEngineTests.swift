import Foundation
@testable import Speech
import Testing

/// The `command` engine with programs of the tests' own (a shell script standing in for an
/// engine, so that what it is given and what it writes are known), and the filter.
@Suite struct CommandEngineTests {
    /// Writes an executable shell script and returns its path.
    static func script(_ body: String) throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("efterhand-engine-\(UUID().uuidString).sh")
        try ("#!/bin/sh\n" + body).write(to: file, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file.path)
        return file.path
    }

    static let wav = URL(fileURLWithPath: "/tmp/efterhand-some audio.wav")

    @Test("templates split as a shell splits them, without a shell")
    func words() throws {
        #expect(try CommandEngine.split(#"whisper-cli -m '/models/ggml base.bin' -l {language} -ovtt -of {output} -f "{input}""#)
            == ["whisper-cli", "-m", "/models/ggml base.bin", "-l", "{language}", "-ovtt", "-of", "{output}", "-f", "{input}"])
        #expect(try CommandEngine.split(#"a\ b "c \"d\"" ''"#) == ["a b", #"c "d""#, ""])
        #expect(throws: SpeechError.self) { try CommandEngine.split("run 'open") }
        #expect(throws: SpeechError.self) { try CommandEngine(template: "engine --in {input}", model: "m") }
        #expect(throws: SpeechError.self) { try CommandEngine(template: "   ", model: "m") }
    }

    @Test("each placeholder is one argument, and the JSON it writes is read back")
    func json() throws {
        let script = try Self.script(#"""
            [ "$1" = "--input" ] && [ "$2" = "/tmp/efterhand-some audio.wav" ] || { echo "bad input $2" >&2; exit 3; }
            [ "$6" = "sv" ] || { echo "bad language $6" >&2; exit 3; }
            printf '{"language":"sv","segments":[{"start":1.5,"end":3.25,"text":" Hej alla","avg_logprob":-0.3,"no_speech_prob":0.05}]}' > "$4"
            """#)
        let engine = try CommandEngine(template: "\(script) --input {input} --output {output} --language {language} --model {model}", model: "/m/whisper-base")
        #expect(engine.source == "asr:command:whisper-base")
        let segments = try engine.transcribe(wav: Self.wav, language: "sv")
        #expect(segments == [SpeechSegment(start: 1.5, end: 3.25, text: " Hej alla", avgLogprob: -0.3, noSpeechProb: 0.05, language: "sv")])
    }

    @Test("whisper.cpp's way: -of NAME writes NAME.vtt, read as WebVTT")
    func whisperCppVTT() throws {
        let script = try Self.script(#"""
            while [ $# -gt 0 ]; do [ "$1" = "-of" ] && out="$2"; shift; done
            printf 'WEBVTT\n\n00:00:02.000 --> 00:00:04.500\nöppna data\n' > "$out.vtt"
            """#)
        let engine = try CommandEngine(template: "\(script) -m {model} -l {language} -ovtt -of {output} -f {input}", model: "ggml-base.bin")
        #expect(try engine.transcribe(wav: Self.wav, language: nil) == [SpeechSegment(start: 2, end: 4.5, text: "öppna data")])
    }

    @Test("a failing, missing or silent engine is an error that says which and why")
    func failures() throws {
        let failing = try Self.script("echo 'No Whisper model in /nowhere' >&2\nexit 1\n")
        #expect { try CommandEngine(template: "\(failing) {input} {output}", model: "m").transcribe(wav: Self.wav, language: "sv") }
            throws: { "\($0)".contains("exit 1") && "\($0)".contains("No Whisper model in /nowhere") }
        #expect { try CommandEngine(template: "/nonexistent/engine {input} {output}", model: "m").transcribe(wav: Self.wav, language: "sv") }
            throws: { "\($0)".contains("/nonexistent/engine") }
        let silent = try Self.script("exit 0\n")
        #expect { try CommandEngine(template: "\(silent) {input} {output}", model: "m").transcribe(wav: Self.wav, language: "sv") }
            throws: { "\($0)".contains("wrote no transcript") }
        // An engine that writes without end: refused before it is read into memory.
        let flood = try Self.script("head -c 70000000 /dev/zero > \"$2\"\n")
        #expect { try CommandEngine(template: "\(flood) {input} {output}", model: "m").transcribe(wav: Self.wav, language: "sv") }
            throws: { "\($0)".contains("more than 64 MiB") }
        let slow = try Self.script("sleep 5\n")
        #expect { try CommandEngine(template: "\(slow) {input} {output}", model: "m", timeout: 0.5).transcribe(wav: Self.wav, language: "sv") }
            throws: { "\($0)".contains("was stopped") }
    }

    @Test("a command that ignores SIGTERM is killed when its time is up: none outlives its timeout")
    func stubborn() throws {
        let pidFile = FileManager.default.temporaryDirectory.appendingPathComponent("efterhand-engine-\(UUID().uuidString).pid")
        defer { try? FileManager.default.removeItem(at: pidFile) }
        let stubborn = try Self.script("trap '' TERM\necho $$ > '\(pidFile.path)'\nwhile true; do sleep 1; done\n")
        #expect { try CommandEngine(template: "\(stubborn) {input} {output}", model: "m", timeout: 0.5).transcribe(wav: Self.wav, language: "sv") }
            throws: { "\($0)".contains("was stopped") }
        let pid = try #require(Int32((try String(contentsOf: pidFile, encoding: .utf8)).trimmingCharacters(in: .whitespacesAndNewlines)))
        var gone = false
        for _ in 0..<50 where !gone {
            gone = kill(pid, 0) != 0 && errno == ESRCH
            if !gone { usleep(100_000) }
        }
        #expect(gone, "the command \(pid) still runs after its timeout")
    }

    @Test("the filter drops invented text on silence, times before the audio, and collapses a looping line")
    func filter() {
        let segments = [
            SpeechSegment(start: 0, end: 2, text: "Det är ju det.", avgLogprob: -1.70, noSpeechProb: 0.56),
            SpeechSegment(start: 10, end: 12, text: "Välkommen  till  Innovationsveckan", avgLogprob: -0.4, noSpeechProb: 0.08),
            SpeechSegment(start: 12, end: 14, text: "välkommen till innovationsveckan!", avgLogprob: -0.5, noSpeechProb: 0.1),
            SpeechSegment(start: 20, end: 21, text: "   ", avgLogprob: -0.2, noSpeechProb: 0.01),
            SpeechSegment(start: 30, end: 31, text: "Tack för att du tittade", avgLogprob: -0.2, noSpeechProb: 0.95),
            SpeechSegment(start: 40, end: 44, text: "Öppna data", avgLogprob: nil, noSpeechProb: nil),
            SpeechSegment(start: -5, end: 1, text: "before the audio began", avgLogprob: -0.1, noSpeechProb: 0.01),
        ]
        let kept = SpeechFilter().apply(segments)
        #expect(kept == [
            SpeechSegment(start: 10, end: 14, text: "Välkommen till Innovationsveckan", avgLogprob: -0.4, noSpeechProb: 0.08),
            SpeechSegment(start: 40, end: 44, text: "Öppna data"),
        ])
    }
}
