import Foundation
import IndexStore
import Testing
import TestSupport

/// `efterhand transcribe` and `ingest --transcribe` as an operator runs them, with an engine
/// of the tests' own (a script that hears the same words 5 s into any audio).
@Suite("transcribe on the command line", .serialized)
struct TranscribeCommandTests {
    /// The sample week with one recording left: `innovationsprogram-del1.mp4`, its talk 1:00–12:00
    /// (one 30-minute window, so one cue from the engine below).
    func oneTalk() throws -> SampleWeek {
        let week = try SampleWeek()
        for name in try FileManager.default.contentsOfDirectory(atPath: week.media.path) where name != "innovationsprogram-del1.mp4" {
            try FileManager.default.removeItem(at: week.media.appendingPathComponent(name))
        }
        return week
    }

    func engine(_ week: SampleWeek, fails: Bool = false) throws -> String {
        let file = week.folder.appendingPathComponent(fails ? "broken-engine.sh" : "engine.sh")
        let body = fails ? "echo 'the model is gone' >&2\nexit 2\n"
            : #"printf '{"segments":[{"start":5,"end":8,"text":"vi pratar om datadelning","avg_logprob":-0.2,"no_speech_prob":0.05}]}' > "$2""# + "\n"
        try ("#!/bin/sh\n" + body).write(to: file, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file.path)
        return "\(file.path) {input} {output}"
    }

    func json(_ output: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any], "not JSON: \(output.prefix(300))")
    }

    @Test("ingest --transcribe drafts the talk; a second run hears nothing again; search finds the words; a broken engine exits 1 and says why")
    func ingestThenTranscribe() throws {
        let week = try oneTalk()
        defer { week.remove() }
        let binary = try efterhandBinary
        let index = ["--index", week.index.path]
        let plain = try run(binary, ["ingest", "--media", week.media.path, "--schedule", week.schedule.path, "--no-thumbnails", "--json"] + index)
        let plainSummary = try json(plain.output)
        #expect(plain.status == 0 && plainSummary["speech"] == nil)

        let ingest = try run(binary, ["ingest", "--media", week.media.path, "--no-thumbnails", "--json", "--transcribe",
                                      "--speech-command", try engine(week), "--model", "/models/echo"] + index)
        #expect(ingest.status == 0, "\(ingest.output)")
        let ingestSummary = try json(ingest.output)
        let speech = try #require(ingestSummary["speech"] as? [String: Any])
        #expect(speech["transcribed"] as? Int == 1 && speech["cues"] as? Int == 1 && speech["source"] as? String == "asr:command:echo")

        let again = try run(binary, ["transcribe", "--speech-command", try engine(week), "--model", "/models/echo"] + index)
        #expect(again.status == 0 && again.output.contains("0 transcribed, 1 unchanged"), "\(again.output)")

        let search = try run(binary, ["search", "datadelning", "--json"] + index)
        #expect(search.status == 0 && search.output.contains("innovationsprogram-del1.mp4"), "\(search.output.prefix(400))")

        let broken = try run(binary, ["transcribe", "--force", "--speech-command", try engine(week, fails: true), "--model", "/models/echo"] + index)
        #expect(broken.status == 1)
        #expect(broken.output.contains("failed  ") && broken.output.contains("the model is gone") && broken.output.contains("innovationsprogram-del1.mp4"),
                "\(broken.output)")

        let unset = try run(binary, ["transcribe"] + index)
        #expect(unset.status == 1 && unset.output.contains("no speech engine is set up"), "\(unset.output)")
    }

    @Test("transcribe --engine openai: the key from EFTERHAND_SPEECH_API_KEY or speech.json's key file; a wrong key exits 1 with the 401 and without the key")
    func openAIEngine() throws {
        let week = try oneTalk()
        defer { week.remove() }
        let binary = try efterhandBinary
        let index = ["--index", week.index.path]
        let ingest = try run(binary, ["ingest", "--media", week.media.path, "--schedule", week.schedule.path, "--no-thumbnails"] + index)
        #expect(ingest.status == 0, "\(ingest.output)")
        let server = try SpeechTestServer.openAI(["--api-key", "sk-cli-right-2718"])
        let openai = ["transcribe", "--engine", "openai", "--speech-url", server.base, "--model", "whisper-base"] + index

        let drafted = try run(binary, openai, environment: ["EFTERHAND_SPEECH_API_KEY": "sk-cli-right-2718"])
        #expect(drafted.status == 0 && drafted.output.contains("1 transcribed"), "\(drafted.output)")

        let wrong = try run(binary, openai + ["--force"], environment: ["EFTERHAND_SPEECH_API_KEY": "sk-cli-wrong-1414"])
        #expect(wrong.status == 1 && wrong.output.contains("401 Unauthorized") && !wrong.output.contains("sk-cli"), "\(wrong.output)")

        // The same engine from speech.json, its key in a file beside it (a relative path).
        try "sk-cli-right-2718\n".write(to: week.index.appendingPathComponent("speech-key"), atomically: true, encoding: .utf8)
        let config = #"{"engine": "openai", "url": "\#(server.base)", "model": "whisper-base", "api_key_file": "speech-key", "timeout": 300}"#
        try config.write(to: week.index.appendingPathComponent("speech.json"), atomically: true, encoding: .utf8)
        let configured = try run(binary, ["transcribe", "--force"] + index)
        #expect(configured.status == 0 && configured.output.contains("1 transcribed"), "\(configured.output)")

        let noURL = try run(binary, ["transcribe", "--engine", "openai", "--speech-url", ""] + index)
        #expect(noURL.status == 1 && noURL.output.contains("needs the server's URL"), "\(noURL.output)")
        let noKeyFile = try run(binary, ["transcribe", "--speech-api-key-file", "/nonexistent/key"] + index)
        #expect(noKeyFile.status == 1 && noKeyFile.output.contains("cannot read the speech API key file '/nonexistent/key'"), "\(noKeyFile.output)")
        let unknown = try run(binary, ["transcribe", "--engine", "vosk"] + index)
        #expect(unknown.status == 1 && unknown.output.contains("use command") && unknown.output.contains("or openai"), "\(unknown.output)")
    }
}

/// `kill -9` in the middle of `efterhand transcribe`: each talk's draft is stored in one
/// transaction, so a killed run leaves talks drafted whole or not at all, and the next run
/// drafts the rest without doubling what is there.
@Suite("transcribe killed mid-run", .serialized)
struct TranscribeKillTests {
    @Test("killed while the engine hears the second window of a talk: that talk has no cues, the one before has all; the next run completes it once")
    func killMidTalk() throws {
        let week = try SampleWeek()
        defer { week.remove() }
        // Two recordings: innovationsprogram-del1.mp4 (talk 1:00–12:00, one window) comes first by
        // path, then inspelning-01.mp4 (talk 2:00–47:00, two 30-minute windows).
        let keep: Set = ["innovationsprogram-del1.mp4", "inspelning-01.mp4"]
        for name in try FileManager.default.contentsOfDirectory(atPath: week.media.path) where !keep.contains(name) {
            try FileManager.default.removeItem(at: week.media.appendingPathComponent(name))
        }
        let calls = week.folder.appendingPathComponent("calls")
        let block = week.folder.appendingPathComponent("block")
        let pid = week.folder.appendingPathComponent("engine.pid")
        // Hears words 5 s into each window; the third call waits (to be killed) while `block` exists.
        let script = week.folder.appendingPathComponent("engine.sh")
        try """
            #!/bin/sh
            echo x >> '\(calls.path)'
            if [ -e '\(block.path)' ] && [ "$(wc -l < '\(calls.path)')" -eq 3 ]; then echo $$ > '\(pid.path)'; exec sleep 300; fi
            printf '{"segments":[{"start":5,"end":8,"text":"vi pratar om datadelning"}]}' > "$2"

            """.write(to: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        try Data().write(to: block)
        let binary = try efterhandBinary
        let index = ["--index", week.index.path]
        let ingest = try run(binary, ["ingest", "--media", week.media.path, "--schedule", week.schedule.path, "--no-thumbnails"] + index)
        #expect(ingest.status == 0, "\(ingest.output)")
        let transcribe = ["transcribe", "--speech-command", "\(script.path) {input} {output}", "--model", "/models/echo", "--json"] + index

        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = transcribe
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(240)
        while !FileManager.default.fileExists(atPath: pid.path) && process.isRunning && Date() < deadline { usleep(100_000) }
        let reached = FileManager.default.fileExists(atPath: pid.path)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        if let engine = (try? String(contentsOf: pid, encoding: .utf8)).flatMap({ Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }) {
            kill(engine, SIGKILL)
        }
        try #require(reached, "the engine's third call never came")

        let database = try IndexDatabase(folder: week.index.path)
        #expect(try database.integrityCheck() == "ok")
        func machineCues(_ name: String) throws -> [Double] {
            let id = try #require(try database.recording(idOrPath: week.path(name))?.id)
            return try database.cues(recordingID: id).filter(\.isMachine).map(\.cue.start)
        }
        // The first talk was stored; the second had one window heard, but nothing of it stored.
        #expect(try machineCues("innovationsprogram-del1.mp4").count == 1)
        #expect(try machineCues("inspelning-01.mp4").isEmpty)

        // The killed run's window file is still there; the next run clears it away.
        let temporary = FileManager.default.temporaryDirectory.path
        let left = try FileManager.default.contentsOfDirectory(atPath: temporary).filter { $0.hasPrefix("efterhand-audio-\(process.processIdentifier)-") }
        #expect(left.count == 1, "\(left)")
        try FileManager.default.removeItem(at: block)
        let again = try run(binary, transcribe)
        #expect(try FileManager.default.contentsOfDirectory(atPath: temporary).filter { $0.hasPrefix("efterhand-audio-\(process.processIdentifier)-") }.isEmpty)
        #expect(again.status == 0, "\(again.output)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(again.output.utf8)) as? [String: Any])
        #expect(summary["transcribed"] as? Int == 1 && summary["unchanged"] as? Int == 1, "\(again.output)")
        #expect(try machineCues("innovationsprogram-del1.mp4").count == 1)
        let second = try machineCues("inspelning-01.mp4")
        #expect(second.count == 2 && Set(second).count == 2, "\(second)")
    }
}
