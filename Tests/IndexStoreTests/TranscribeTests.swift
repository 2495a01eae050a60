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

    let takesPrompt = false

    func transcribe(wav: URL, language: String?, prompt: String?) throws(SpeechError) -> [SpeechSegment] {
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

@Suite("machine drafts in the index", .serialized)
struct MachineDraftIndexTests {
    @Test("a machine draft keeps the engine's confidence, is told apart from subtitles in transcripts and the report, and names its even segments")
    func marked() throws {
        let week = try SampleWeek()
        defer { week.remove() }
        let database = try IndexDatabase(folder: week.index.path)
        _ = try week.ingest(database, programme: try week.programme())
        var options = TranscribeOptions()
        // sal-a/…mkv: talk 103 from 1:20 to 46:20, nine even segments of 5 minutes, no text.
        let path = week.path("sal-a/2021-10-05 12-58-40.mkv")
        options.recordings = [path]
        let summary = try Transcriber(database: database, engine: EchoEngine(), options: options).run()
        #expect(summary.transcribed == 1 && summary.cues == 2, "\(summary)")
        let id = try #require(try database.recording(idOrPath: path)?.id)
        let cues = try database.cues(recordingID: id).filter(\.isMachine)
        #expect(cues.allSatisfy { $0.confidence == CueConfidence(avgLogprob: -0.2, noSpeechProb: 0.05) })

        let transcripts = try database.transcripts(recordingID: id, defaultLanguage: "sv").filter { !$0.cues.isEmpty }
        #expect(transcripts.count == 2 && transcripts.allSatisfy { $0.machineSource == "asr:test:echo" })
        let vtt = String(decoding: try TranscriptWriter.render(transcripts, format: .vtt) { _ in "" }, as: UTF8.self)
        #expect(vtt.components(separatedBy: "NOTE machine-generated draft (asr:test:echo), not checked by a person").count == 3, "\(vtt)")
        let json = String(decoding: try TranscriptWriter.render(transcripts, format: .json) { _ in "" }, as: UTF8.self)
        #expect(json.components(separatedBy: "\"machineGenerated\" : true").count == 3, "\(json)")
        // Subtitle drafts (sommarjobbare.mp4's mov_text) are not machine drafts.
        let sommar = try #require(try database.recording(idOrPath: week.path("sommarjobbare.mp4"))?.id)
        #expect(try database.transcripts(recordingID: sommar, defaultLanguage: "sv").allSatisfy { $0.machineSource == nil })

        let coverage = try database.captionCoverage()
        let talk = try #require(coverage.first { $0.sessionGuid.hasSuffix("103") })
        #expect(talk.draftMachine == 2 && talk.minutesDraftMachine == 10 && talk.minutesDraftSubtitles == 0)
        let summer = try #require(coverage.first { $0.sessionGuid.hasSuffix("104") })
        #expect(summer.draftMachine == 0 && summer.minutesDraftSubtitles > 0)

        // The two segments with text are named by it; the other seven keep "Del N av 9".
        let segments = try database.segments(recordingID: id)
        #expect(segments.filter { $0.title.contains("datadelning") }.count == 2, "\(segments.map(\.title))")
        #expect(segments.filter { $0.title.hasPrefix("Del ") && $0.title.hasSuffix(" av 9") }.count == 7)
        let hits = try database.search(SearchQuery(text: "datadelning"))
        #expect(hits.contains { $0.recordingID == id && cues.map(\.cue.start).contains($0.atSeconds) }, "search lands on the cue's second")
    }
}
