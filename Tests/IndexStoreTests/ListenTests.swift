import Captions
import Foundation
@testable import IndexStore
@testable import Pipeline
import Speech
import Testing

/// A speech engine of the tests' own that hears one speaker 5 s into every piece of audio it
/// is given, and counts the pieces (their length and language). With `prompted`, it takes a
/// prompt and hears what that gives for it instead.
final class SpeakerEngine: SpeechEngine, @unchecked Sendable {
    let source = "asr:test:speaker"
    let said: String
    let prompted: (@Sendable (String) -> String)?
    private let lock = NSLock()
    private var heard: [(seconds: Double, language: String?)] = []
    private var given: [String] = []

    init(saying said: String, prompted: (@Sendable (String) -> String)? = nil) {
        self.said = said
        self.prompted = prompted
    }

    var takesPrompt: Bool { prompted != nil }
    var calls: [(seconds: Double, language: String?)] { lock.withLock { heard } }
    /// The prompts it was given, one per piece heard with one.
    var prompts: [String] { lock.withLock { given } }

    func transcribe(wav: URL, language: String?, prompt: String?) throws(SpeechError) -> [SpeechSegment] {
        let bytes = (try? FileManager.default.attributesOfItem(atPath: wav.path)[.size] as? Int) ?? 0
        lock.withLock {
            heard.append((Double(bytes - 44) / 2 / 16_000, language))
            if let prompt { given.append(prompt) }
        }
        let text = prompt.flatMap { prompt in prompted.map { $0(prompt) } } ?? said
        return [SpeechSegment(start: 5, end: 12, text: text, avgLogprob: -0.3, noSpeechProb: 0.02, language: language)]
    }
}

/// Listening to the recordings the other clues leave in doubt (issue 19): on the sample week,
/// `MVI_0042.MP4` (30 minutes, no tag, no room, no clock but the checkout's modification time)
/// is unmatched until its speaker is heard.
@Suite("listening to recordings in doubt", .serialized)
struct ListenTests {
    static let camera = "MVI_0042.MP4"
    static let speaker = "Hej och välkommen. Jag heter Gunilla Gudmunds. Öppna data, vad är det och vad kan du göra med den?"

    /// Only the camera's file (the sample week's other talks are not transcribed).
    func only(_ week: SampleWeek) -> TranscribeOptions {
        var options = TranscribeOptions()
        options.recordings = [week.path(Self.camera)]
        return options
    }

    func ingested() throws -> (SampleWeek, IndexDatabase) {
        let week = try SampleWeek()
        let database = try IndexDatabase(folder: week.index.path)
        _ = try week.ingest(database, programme: try week.programme())
        return (week, database)
    }

    @Test("the first 3 minutes are heard, the recording is linked with a reason, and the talk's draft does not hear them again")
    func linkedByWhatIsSaid() throws {
        let (week, database) = try ingested()
        defer { week.remove() }
        let path = week.path(Self.camera)
        #expect(try database.recording(idOrPath: path)?.linkStatus == .unmatched)
        let engine = SpeakerEngine(saying: Self.speaker)
        let summary = try Transcriber(database: database, engine: engine, options: only(week)).run()
        let listen = try #require(summary.listen)
        #expect(listen.recordings == 1 && listen.listened == 1 && listen.linked == 1 && listen.errors.isEmpty, "\(listen)")
        let recording = try #require(try database.recording(idOrPath: path))
        #expect(recording.linkStatus == .linked)
        let id = try #require(recording.id)
        let link = try #require(try database.links()[id]?.first { $0.kind == .link })
        #expect(link.sessionGuid.hasSuffix("105"), "\(link.sessionGuid)")
        #expect(link.flags.contains(.heard))
        #expect(link.reasons.contains { $0.hasPrefix("the speaker says \"Jag heter Gunilla Gudmunds\"") && $0.hasSuffix("in the first minute (speech-to-text draft)") },
                "\(link.reasons)")
        // The first 180 s once, in the programme's language; then the talk's span but those 180 s.
        let linkedSpan = link.outSeconds - link.inSeconds
        #expect(engine.calls.first.map { abs($0.seconds - 180) < 1 && $0.language == "sv" } == true, "\(engine.calls)")
        #expect(abs(engine.calls.map(\.seconds).reduce(0, +) - linkedSpan) < 2, "\(engine.calls) for a span of \(linkedSpan) s")
        // What was heard is the talk's draft: one cue at 0:05 (none doubled), and search finds it.
        let cues = try database.cues(recordingID: id).filter(\.isMachine)
        #expect(cues.filter { abs($0.cue.start - 5) < 0.5 }.count == 1, "\(cues.map(\.cue.start))")
        #expect(try database.transcripts(recordingID: id, defaultLanguage: "sv").contains { $0.machineSource == "asr:test:speaker" })
    }

    @Test("a re-run and a re-ingest keep the link and hear nothing again; a person's rejection wins over the words")
    func stays() throws {
        let (week, database) = try ingested()
        defer { week.remove() }
        let path = week.path(Self.camera)
        _ = try Transcriber(database: database, engine: SpeakerEngine(saying: Self.speaker), options: only(week)).run()
        let again = SpeakerEngine(saying: Self.speaker)
        let second = try Transcriber(database: database, engine: again, options: only(week)).run()
        #expect(again.calls.isEmpty && second.listen?.listened == 0, "\(again.calls)")
        _ = try week.ingest(database, programme: try week.programme())
        try LinkStage(database: database).relink()
        #expect(try database.recording(idOrPath: path)?.linkStatus == .linked)

        let session = try #require(try database.sessions().first { $0.guid.hasSuffix("105") })
        try LinkStage(database: database).decide(.reject, recording: path, session: session.guid, by: "test")
        let afterRejection = SpeakerEngine(saying: Self.speaker)
        let third = try Transcriber(database: database, engine: afterRejection, options: only(week)).run()
        let recording = try #require(try database.recording(idOrPath: path))
        let links = try database.links()[recording.id ?? -1] ?? []
        #expect(!links.contains { $0.kind == .link && $0.sessionGuid == session.guid }, "\(links)")
        // Heard before by the same engine from the same file: not sent again.
        #expect(third.listen?.unchanged == 1 && afterRejection.calls.isEmpty, "\(afterRejection.calls)")
    }

    @Test("a lunch break heard links nothing, and --no-listen hears no recording in doubt")
    func decoy() throws {
        let (week, database) = try ingested()
        defer { week.remove() }
        let lunch = SpeakerEngine(saying: "Nu är det dags för lunch. Vi ses här igen klockan ett. Maten serveras i restaurangen på plan två.")
        let summary = try Transcriber(database: database, engine: lunch, options: only(week)).run()
        #expect(summary.listen?.listened == 1 && summary.listen?.linked == 0)
        #expect(try database.recording(idOrPath: week.path(Self.camera))?.linkStatus == .unmatched)

        let (other, fresh) = try ingested()
        defer { other.remove() }
        var options = only(other)
        options.listen = false
        let quiet = SpeakerEngine(saying: Self.speaker)
        let skipped = try Transcriber(database: fresh, engine: quiet, options: options).run()
        #expect(skipped.listen == nil)
        #expect(try fresh.recording(idOrPath: other.path(Self.camera))?.linkStatus == .unmatched)
    }

    /// The speaker as an engine hears her without a prompt: her first name and the title lost.
    static let halfHeard = "Hej och välkommen. Jag heter Kunilla Gudmunds. Öppen ata, vad är de och vad kan du göra med dem?"

    @Test("a recording left in doubt is heard again with its candidates' names and titles, and what agrees with the first hearing links it")
    func heardAgain() throws {
        let (week, database) = try ingested()
        defer { week.remove() }
        let path = week.path(Self.camera)
        // Heard with a prompt that names her talk, the engine hears it right.
        let engine = SpeakerEngine(saying: Self.halfHeard) { prompt in prompt.contains("Öppna data") ? Self.speaker : Self.halfHeard }
        let summary = try Transcriber(database: database, engine: engine, options: only(week)).run()
        let listen = try #require(summary.listen)
        #expect(listen.listened == 1 && listen.heardAgain == 1 && listen.linked == 1 && listen.errors.isEmpty, "\(listen)")
        // Her surname alone points at her five talks alike; four are in the prompt, with their
        // titles, chosen by how much they sound like what was heard.
        let prompt = try #require(engine.prompts.first)
        #expect(prompt.contains("Gunilla Gudmunds: Öppna data – vad är det och vad kan du göra med den?"), "\(prompt)")
        #expect(prompt.components(separatedBy: "Gudmunds").count - 1 == 4, "\(prompt)")
        // The first 180 s twice (without, then with the prompt); then the talk's span less them.
        #expect(engine.calls.prefix(2).allSatisfy { abs($0.seconds - 180) < 1 && $0.language == "sv" }, "\(engine.calls)")
        let recording = try #require(try database.recording(idOrPath: path))
        #expect(recording.linkStatus == .linked)
        let id = try #require(recording.id)
        let link = try #require(try database.links()[id]?.first { $0.kind == .link })
        #expect(link.sessionGuid.hasSuffix("105") && link.flags.contains(.heard), "\(link)")
        #expect(link.reasons.contains { $0.hasPrefix("the speaker says \"Jag heter Gunilla Gudmunds\"") }, "\(link.reasons)")
        // The draft of those minutes is what was heard the second time, once.
        let cues = try database.cues(recordingID: id).filter(\.isMachine).filter { $0.cue.start < 180 }
        #expect(cues.map(\.cue.text) == [Self.speaker], "\(cues)")

        // A re-run with the same engine hears nothing again, with or without the prompt.
        let again = SpeakerEngine(saying: Self.halfHeard) { _ in Self.speaker }
        let second = try Transcriber(database: database, engine: again, options: only(week)).run()
        #expect(again.calls.isEmpty && second.listen?.listened == 0, "\(again.calls)")
    }

    @Test("an engine that repeats its prompt where something else was said links nothing, and the first hearing stays the draft")
    func promptRepeated() throws {
        let (week, database) = try ingested()
        defer { week.remove() }
        let path = week.path(Self.camera)
        let engine = SpeakerEngine(saying: Self.halfHeard) { prompt in prompt }
        let summary = try Transcriber(database: database, engine: engine, options: only(week)).run()
        #expect(engine.prompts.count == 1 && summary.listen?.linked == 0, "\(String(describing: summary.listen))")
        let recording = try #require(try database.recording(idOrPath: path))
        #expect(recording.linkStatus != .linked)
        let cues = try database.cues(recordingID: try #require(recording.id)).filter(\.isMachine)
        #expect(cues.map(\.cue.text) == [Self.halfHeard], "\(cues)")
        // Heard again once with that prompt: a re-run does not ask again.
        let again = SpeakerEngine(saying: Self.halfHeard) { prompt in prompt }
        _ = try Transcriber(database: database, engine: again, options: only(week)).run()
        #expect(again.calls.isEmpty, "\(again.calls)")
    }

    @Test("listened spans read back as written; what is left of a talk is the span less them")
    func spans() throws {
        let listened = ListenedSpans(fingerprint: "f", source: "asr:x:y", language: "sv", spans: [0...180, 1500...1560, 170...200])
        #expect(listened.spans == [0...200, 1500...1560])
        #expect(ListenedSpans(signature: listened.signature) == listened)
        var prompted = listened
        prompted.prompt = ListenedSpans.digest("Gunilla Gudmunds: Öppna data.")
        #expect(ListenedSpans(signature: prompted.signature) == prompted && prompted.prompt.count == 16)
        // An index from before prompts: four fields, heard without one.
        #expect(ListenedSpans(signature: "f|asr:x:y|sv|0.000-180.000")?.prompt == "")
        #expect(listened.adding([300...360]).prompt == "")
        #expect(ListenedSpans(signature: "no|spans") == nil && ListenedSpans(signature: "a|b|c|1-x") == nil)
        #expect(listened.missing(from: 60...2700) == [200...1500, 1560...2700])
        #expect(listened.missing(from: 10...150).isEmpty)
        #expect(Listener.wanted(duration: 1800, inPoints: [120, 900, .nan, 5000]) == [0...180, 900...960])
        #expect(Listener.wanted(duration: 90, inPoints: []) == [0...90])
    }
}
