import Foundation
import Testing
import TestSupport

/// `efterhand transcribe` end to end with the real engine (faster-whisper and Whisper base, as
/// `make test` installs them): a sentence said at 1:30:00 of a 2-hour recording comes back,
/// and search lands on it, within a second.
@Suite("transcribe with the real engine", .serialized)
struct RealTranscribeTests {
    @Test("said at 1:30:00 of a 2-hour recording, transcribed over its talk's span only, found by search at 1:30:00 (±1 s)")
    func twoHours() throws {
        try RealEngine.requireInstalled()
        let week = try RealEngine.emptyWeek()
        defer { week.remove() }
        // Two hours as a stream leaves them, said slowly in Swedish at 1:30:00.
        let file = try RealEngine.recording("tva-timmar", saying: "Vi spelar fotboll i parken varje söndag.", voice: "sv", speed: 120, at: 5400,
                                            length: 7200, in: week.folder)
        let binary = try efterhandBinary
        let index = ["--index", week.index.path]
        #expect(try run(binary, ["ingest", "--media", week.media.path, "--schedule", week.schedule.path, "--no-thumbnails"] + index).status == 0)
        // A person says the talk (session 101, in Swedish) is 1:28:00 to 1:32:00 of the file.
        let accept = try run(binary, ["link", "accept", file.path, SampleWeek.guid(101), "--in", "5280", "--out", "5520"] + index)
        #expect(accept.status == 0, "\(accept.output)")
        let transcribe = try run(binary, ["transcribe", "--speech-command", RealEngine.command, "--model", RealEngine.model, "--json"] + index)
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
