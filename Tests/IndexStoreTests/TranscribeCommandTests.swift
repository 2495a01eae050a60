import Foundation
import Testing

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
}
