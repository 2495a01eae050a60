import Foundation
import Testing
import TestSupport

/// `efterhand transcribe` end to end with the real engine (faster-whisper and Whisper base, as
/// `make test` installs them): a sentence said at 1:30:00 of a 2-hour recording comes back,
/// and search lands on it, within a second.
@Suite("transcribe with the real engine", .serialized)
struct RealTranscribeTests {
    static let root = EfterhandBinary.root
    static let python = root.appendingPathComponent(".venv-speech/bin/python").path
    static let model = root.appendingPathComponent(".speech-model/whisper-base").path
    static let adaptor = root.appendingPathComponent("scripts/speech/faster_whisper_adaptor.py").path

    /// A 2-hour recording as a stream leaves it (48 kHz stereo AAC), silent but for espeak-ng
    /// saying `text` in Swedish from `second` on.
    static func recording(saying text: String, at second: Int, in folder: URL) throws -> URL {
        let said = folder.appendingPathComponent("said.wav")
        let file = folder.appendingPathComponent("Media/tva-timmar.m4a")
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        #expect(try run("/usr/bin/espeak-ng", ["-v", "sv", "-s", "120", "-w", said.path, text]).status == 0, "make test installs espeak-ng")
        let delay = second * 1000
        let made = try run("/usr/bin/ffmpeg", [
            "-v", "error", "-f", "lavfi", "-i", "anullsrc=r=48000:cl=stereo", "-i", said.path,
            "-filter_complex", "[1]aresample=48000,aformat=channel_layouts=stereo,adelay=\(delay)|\(delay)[s];[0][s]amix=inputs=2:duration=first:normalize=0[out]",
            "-map", "[out]", "-t", "7200", "-c:a", "aac", "-b:a", "64k", file.path,
        ])
        try #require(made.status == 0, "ffmpeg: \(made.output)")
        return file
    }

    @Test("said at 1:30:00 of a 2-hour recording, transcribed over its talk's span only, found by search at 1:30:00 (±1 s)")
    func twoHours() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.python) && FileManager.default.fileExists(atPath: Self.model + "/model.bin"),
                     "the speech engine is not installed: run `make speech` (make test does)")
        let week = try SampleWeek()
        defer { week.remove() }
        for name in try FileManager.default.contentsOfDirectory(atPath: week.media.path) {
            try FileManager.default.removeItem(at: week.media.appendingPathComponent(name))
        }
        let file = try Self.recording(saying: "Vi spelar fotboll i parken varje söndag.", at: 5400, in: week.folder)
        let binary = try efterhandBinary
        let index = ["--index", week.index.path]
        #expect(try run(binary, ["ingest", "--media", week.media.path, "--schedule", week.schedule.path, "--no-thumbnails"] + index).status == 0)
        // A person says the talk (session 101, in Swedish) is 1:28:00 to 1:32:00 of the file.
        let accept = try run(binary, ["link", "accept", file.path, SampleWeek.guid(101), "--in", "5280", "--out", "5520"] + index)
        #expect(accept.status == 0, "\(accept.output)")
        let command = "\(Self.python) \(Self.adaptor) --input {input} --output {output} --language {language} --model {model}"
        let transcribe = try run(binary, ["transcribe", "--speech-command", command, "--model", Self.model, "--json"] + index)
        #expect(transcribe.status == 0, "\(transcribe.output)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(transcribe.output.utf8)) as? [String: Any], "\(transcribe.output)")
        // Only the talk's four minutes were heard, not the two hours.
        #expect(abs((summary["audio_seconds"] as? Double ?? 0) - 240) < 1, "\(summary)")
        let search = try run(binary, ["search", "fotboll", "--json"] + index)
        let hits = try #require(try JSONSerialization.jsonObject(with: Data(search.output.utf8)) as? [[String: Any]], "\(search.output)")
        let at = try #require(hits.first?["at_seconds"] as? Double, "no hit for a word said at 1:30:00: \(search.output)")
        #expect(abs(at - 5400) <= 1, "found at \(at) s")
    }
}
