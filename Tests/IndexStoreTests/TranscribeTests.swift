import Captions
import Foundation
@testable import IndexStore
@testable import Pipeline
import Speech
import Testing

/// A speech engine of the tests' own: it hears the same words 5 s into every piece of audio it
/// is given, and counts the pieces. What the pipeline does with an engine's answer is then known.
final class EchoEngine: SpeechEngine, @unchecked Sendable {
    let source: String
    let fails: Bool
    private let lock = NSLock()
    private var heard: [(seconds: Double, language: String?)] = []

    init(source: String = "asr:test:echo", fails: Bool = false) {
        self.source = source
        self.fails = fails
    }

    /// The pieces of audio it was given: their length in seconds and the language asked for.
    var calls: [(seconds: Double, language: String?)] { lock.withLock { heard } }

    func transcribe(wav: URL, language: String?) throws(SpeechError) -> [SpeechSegment] {
        if fails { throw SpeechError("the test engine is switched off") }
        let bytes = (try? FileManager.default.attributesOfItem(atPath: wav.path)[.size] as? Int) ?? 0
        lock.withLock { heard.append((Double(bytes - 44) / 2 / 16_000, language)) }
        return [SpeechSegment(start: 5, end: 8, text: "vi pratar om datadelning i praktiken", avgLogprob: -0.2, noSpeechProb: 0.05),
                SpeechSegment(start: 9, end: 10, text: "Tack för att du tittade", avgLogprob: -1.5, noSpeechProb: 0.9)]
    }
}

@Suite("speech-to-text drafts", .serialized)
struct TranscribeTests {
    /// The sample week, ingested; `innovationsprogram-del1.mp4` holds its talk from 1:00 to 12:00.
    func ingested() throws -> (SampleWeek, IndexDatabase) {
        let week = try SampleWeek()
        let database = try IndexDatabase(folder: week.index.path)
        _ = try week.ingest(database, programme: try week.programme())
        return (week, database)
    }

    func options(_ week: SampleWeek, force: Bool = false) -> TranscribeOptions {
        var options = TranscribeOptions()
        options.recordings = [week.path("innovationsprogram-del1.mp4")]
        options.force = force
        options.windowSeconds = 600
        return options
    }

    func asrCues(_ database: IndexDatabase, _ path: String) throws -> [StoredCue] {
        let id = try #require(try database.recording(idOrPath: path)?.id)
        return try database.cues(recordingID: id).filter { $0.source.hasPrefix("asr:") }
    }

    @Test("windows of a long span overlap, and each cue is kept from one window only")
    func windows() {
        let windows = Transcriber.windows(from: 60, to: 1500, length: 600, overlap: 10)
        #expect(windows.map(\.start) == [60, 650, 1240])
        #expect(windows.map(\.end) == [660, 1250, 1500])
        #expect(windows[0].keepFrom == -.infinity && windows[0].keepUntil == 655)
        #expect(windows[1].keepFrom == 655 && windows[1].keepUntil == 1245)
        #expect(windows[2].keepFrom == 1245 && windows[2].keepUntil == .infinity)
        #expect(Transcriber.windows(from: 0, to: 30, length: 600, overlap: 10).count == 1)
    }

    @Test("only the talk's span is heard, in the session's language; cues land on the recording's second and in search")
    func span() throws {
        let (week, database) = try ingested()
        defer { week.remove() }
        let engine = EchoEngine()
        let summary = try Transcriber(database: database, engine: engine, options: options(week)).run()
        #expect(summary.spans == 1 && summary.transcribed == 1 && summary.errors.isEmpty)
        // 1:00 to 12:00 is 660 s: two windows (600 s and 70 s, overlapping by 10 s), none of the pre-roll.
        #expect(engine.calls.map { $0.seconds.rounded() } == [600, 70])
        #expect(engine.calls.allSatisfy { $0.language == "sv" })
        #expect(abs(summary.audioSeconds - 670) < 1)
        // Heard 5 s into each window: 1:05 and 10:55; the invented line on silence is dropped.
        let cues = try asrCues(database, week.path("innovationsprogram-del1.mp4"))
        #expect(cues.map { $0.cue.start.rounded() } == [65, 655])
        #expect(cues.allSatisfy { $0.source == "asr:test:echo" && $0.status == .draft && $0.language == "sv" })
        let hits = try database.search(SearchQuery(text: "datadelning"))
        #expect(hits.first.map { $0.startSeconds <= 65 && 65 < $0.endSeconds } == true)
    }

    @Test("the same audio with the same model is not heard again; --force drafts it again without doubles; verified text stays")
    func rerun() throws {
        let (week, database) = try ingested()
        defer { week.remove() }
        _ = try Transcriber(database: database, engine: EchoEngine(), options: options(week)).run()
        let again = EchoEngine()
        let second = try Transcriber(database: database, engine: again, options: options(week)).run()
        #expect(second.unchanged == 1 && second.transcribed == 0 && again.calls.isEmpty)

        // A person verifies 1:00 to 1:10; a forced run keeps it and drafts only around it.
        let path = week.path("innovationsprogram-del1.mp4")
        let file = week.folder.appendingPathComponent("checked.vtt")
        try "WEBVTT\n\n00:01:00.000 --> 00:01:10.000\nVi pratar om datadelning i praktiken.\n".write(to: file, atomically: true, encoding: .utf8)
        _ = try database.importTranscript(recording: path, file: file.path, language: "sv", verified: true)
        let forced = try Transcriber(database: database, engine: EchoEngine(), options: options(week, force: true)).run()
        #expect(forced.transcribed == 1)
        #expect(try asrCues(database, path).map { $0.cue.start.rounded() } == [655])
        let id = try #require(try database.recording(idOrPath: path)?.id)
        #expect(try database.cues(recordingID: id).filter { $0.status == .verified }.count == 1)

        // Another model drafts again what is not verified, in place of the first one's drafts.
        _ = try Transcriber(database: database, engine: EchoEngine(source: "asr:test:bigger"), options: options(week)).run()
        #expect(try asrCues(database, path).map(\.source) == ["asr:test:bigger"])
    }

    @Test("an engine that fails names the recording, the session and the engine, and stores nothing")
    func failing() throws {
        let (week, database) = try ingested()
        defer { week.remove() }
        let summary = try Transcriber(database: database, engine: EchoEngine(fails: true), options: options(week)).run()
        #expect(summary.transcribed == 0 && summary.errors.count == 1)
        #expect(summary.errors.first.map { $0.contains("innovationsprogram-del1.mp4") && $0.contains("asr:test:echo") && $0.contains("switched off") } == true)
        #expect(try asrCues(database, week.path("innovationsprogram-del1.mp4")).isEmpty)
        // Not marked as done: the next run tries again.
        let next = try Transcriber(database: database, engine: EchoEngine(), options: options(week)).run()
        #expect(next.transcribed == 1)
    }
}
