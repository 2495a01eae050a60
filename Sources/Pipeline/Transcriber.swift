import Captions
import Foundation
import IndexStore
import MediaProbe
import Schedule
import Speech

/// Settings of a transcription run (`efterhand transcribe`, `ingest --transcribe`).
public struct TranscribeOptions: Sendable {
    /// Recordings by id or path; empty for every linked recording.
    public var recordings: [String] = []
    /// The language for every span (`--language`); nil: each session's, else the engine detects.
    public var language: String?
    /// Transcribe again even where the same model already drafted the same audio.
    public var force = false
    /// Spans are sent to the engine in windows this long (30 minutes: a command engine loads
    /// its model once per window; a 30-minute window is 58 MB of samples), overlapping by
    /// `overlapSeconds`; a cue is kept from the window where it lies farther from an edge.
    public var windowSeconds: Double = 1800
    public var overlapSeconds: Double = 10
    /// Spans transcribed side by side.
    public var jobs = 1
    /// First listen to the recordings in review or unmatched and link them again (`Listener`).
    public var listen = true
    /// Length of the even segments cut when listening links a recording again.
    public var segmentMinutes: Double = 5

    public init() {}
}

/// What a transcription run did, in the contract of `efterhand transcribe --json`.
public struct TranscribeSummary: Sendable, Codable, Equatable {
    /// Talk spans of linked recordings looked at, transcribed now, and left as they were
    /// (the same model already drafted the same audio).
    public var spans = 0
    public var transcribed = 0
    public var unchanged = 0
    /// Cues stored (verified text is never replaced, so cues in it are not counted).
    public var cues = 0
    /// Seconds of audio sent to the engine, and of the run.
    public var audioSeconds = 0.0
    public var seconds = 0.0
    /// The engine's source (`asr:command:whisper-base`).
    public var source = ""
    /// One line per span (or recording listened to) that failed, naming the recording, the
    /// session and the engine.
    public var errors: [String] = []
    /// What listening to the recordings in doubt did, when it ran.
    public var listen: ListenSummary?

    enum CodingKeys: String, CodingKey {
        case spans, transcribed, unchanged, cues, audioSeconds = "audio_seconds", seconds, source, errors, listen
    }

    public init() {}
}

/// One stretch of a recording that belongs to one linked talk: what is transcribed.
public struct TalkSpan: Sendable {
    public var recordingID: Int64
    public var path: String
    public var absolutePath: String
    public var fingerprint: String
    public var sessionGuid: String
    public var inSeconds: Double
    public var outSeconds: Double
    public var language: String?

    public init(recordingID: Int64, path: String, absolutePath: String, fingerprint: String, sessionGuid: String, inSeconds: Double,
                outSeconds: Double, language: String?) {
        self.recordingID = recordingID
        self.path = path
        self.absolutePath = absolutePath
        self.fingerprint = fingerprint
        self.sessionGuid = sessionGuid
        self.inSeconds = inSeconds
        self.outSeconds = outSeconds
        self.language = language
    }

    /// The key under which the index keeps what was transcribed of this span.
    public var key: String { "asr@\(sessionGuid)" }

    /// What a span's draft is made from, beside the engine: the file, the stretch, the language.
    public var stretch: String { "\(fingerprint)|\(inSeconds)|\(outSeconds)|\(language ?? "auto")" }

    /// What a span's draft was made from: the stretch and the engine's source.
    public func signature(source: String) -> String { "\(stretch)|\(source)" }
}

/// What an engine heard of one span: its draft cues on the recording's timeline, the pieces of
/// the span it covers (the whole span, less what listening already heard), and the seconds of
/// audio sent.
public struct HeardSpan: Sendable {
    public var cues: [DraftCue]
    public var pieces: [ClosedRange<Double>]
    public var audio: Double
}

/// Drafts what is said in every linked talk: for each linked recording, each of its talks'
/// in-to-out span (not the pre-roll before the talk, not the silence after), in the session's
/// language, through one `SpeechEngine`; stored as drafts with the engine's source, never over
/// verified text, one transaction per span.
public struct Transcriber: Sendable {
    let database: IndexDatabase
    let engine: any SpeechEngine
    let options: TranscribeOptions

    public init(database: IndexDatabase, engine: any SpeechEngine, options: TranscribeOptions = TranscribeOptions()) {
        self.database = database
        self.engine = engine
        self.options = options
    }

    /// Transcribes every span that needs it. A span that fails is reported and the rest go on.
    /// `progress` is told how many spans are done of how many, and the seconds so far.
    public func run(progress: @escaping @Sendable (_ done: Int, _ total: Int, _ elapsed: Double) -> Void = { _, _, _ in }) throws -> TranscribeSummary {
        let started = Date()
        var summary = TranscribeSummary()
        summary.source = engine.source
        Self.removeOrphanedAudio()
        let chosen = try chosenRecordings()
        if options.listen {
            let listened = try Listener(database: database, engine: engine, options: options, chosen: chosen).run()
            summary.listen = listened
            summary.audioSeconds += listened.audioSeconds
            summary.errors += listened.errors
        }
        let spans = try talkSpans(chosen: chosen)
        let listened = try database.listenedSpans()
        let known = try database.captionSources()
        summary.spans = spans.count
        let due = spans.filter { span in options.force || known[span.recordingID]?[span.key] != signature(span) }
        summary.unchanged = spans.count - due.count
        let counter = ProgressCounter()
        progress(0, due.count, 0)
        let one: @Sendable (TalkSpan) -> Result<SpanDone, SpanFailure> = { span in
            defer { progress(counter.increment(), due.count, Date().timeIntervalSince(started)) }
            do {
                return .success(try transcribe(span, listened: listened[span.recordingID]))
            } catch {
                return .failure(SpanFailure(line: "\(span.path) (session \(span.sessionGuid), \(engine.source)): \(error)"))
            }
        }
        // The engine uses both cores for one span; side by side only when asked (`--jobs`).
        let results = options.jobs > 1 ? ParallelMap.run(due, one) : due.map(one)
        for result in results {
            switch result {
            case .success(let done):
                summary.transcribed += 1
                summary.cues += done.cues
                summary.audioSeconds += done.audio
            case .failure(let failure):
                summary.errors.append(failure.line)
            }
        }
        // Segments cut again by listening, and segments with new drafts, are named once, here.
        if summary.transcribed > 0 || summary.listen?.listened ?? 0 > 0 { try SegmentNamer().refresh(database) }
        summary.seconds = Date().timeIntervalSince(started)
        return summary
    }

    struct SpanFailure: Error {
        var line: String
    }

    struct SpanDone: Sendable {
        var cues: Int
        var audio: Double
    }

    /// What a span's draft was made from: the file, the stretch, the language and the model.
    func signature(_ span: TalkSpan) -> String { span.signature(source: engine.source) }

    /// The recordings named in the options, by id; nil when none are (every recording).
    func chosenRecordings() throws -> Set<Int64>? {
        guard !options.recordings.isEmpty else { return nil }
        var chosen = Set<Int64>()
        for reference in options.recordings {
            guard let id = try database.recording(idOrPath: reference)?.id else {
                throw SpeechError("no recording '\(reference)' in the index (give its id or path, as `efterhand links` shows them)")
            }
            chosen.insert(id)
        }
        return chosen
    }

    /// The linked talks' spans of the chosen recordings (all linked ones when none are chosen),
    /// leaving out copies and talks that must not be published.
    func talkSpans(chosen: Set<Int64>? = nil) throws -> [TalkSpan] {
        let sessions = Dictionary(try database.sessions().map { ($0.guid, $0) }, uniquingKeysWith: { a, _ in a })
        let links = try database.links()
        var spans: [TalkSpan] = []
        for recording in try database.recordings(includeMissing: false, withProbe: false) {
            guard let id = recording.id, let fingerprint = recording.fingerprint, recording.state == .ok, recording.linkStatus == .linked,
                  recording.duplicateOf == nil, chosen?.contains(id) ?? true else { continue }
            for link in links[id] ?? [] where link.kind == .link && !link.flags.contains(.doNotRecord) {
                guard let session = sessions[link.sessionGuid], !session.doNotRecord, link.outSeconds > link.inSeconds else { continue }
                let language = LanguageCode.normalize(options.language) ?? LanguageCode.normalize(session.language)
                spans.append(TalkSpan(recordingID: id, path: recording.path, absolutePath: recording.absolutePath, fingerprint: fingerprint,
                                      sessionGuid: session.guid, inSeconds: link.inSeconds, outSeconds: link.outSeconds, language: language))
            }
        }
        return spans
    }

    /// One span: its audio in windows through the engine, the cues mapped back to the
    /// recording's timeline, filtered, and stored in one transaction. The stretches the same
    /// engine already heard in the same language while listening (`Listener`) are not sent
    /// again: their draft is the span's.
    func transcribe(_ span: TalkSpan, listened: ListenedSpans? = nil) throws -> SpanDone {
        let heard = try Self.hear(span, engine: engine, options: options, listened: listened)
        let stored = try database.saveSpeechDraft(recordingID: span.recordingID, key: span.key, signature: signature(span),
                                                  spans: heard.pieces, source: engine.source, cues: heard.cues)
        return SpanDone(cues: stored, audio: heard.audio)
    }

    /// One span's audio in windows through `engine`, the cues mapped back to the recording's
    /// timeline and filtered (`SpeechFilter`): what both stores store as the span's draft.
    public static func hear(_ span: TalkSpan, engine: any SpeechEngine, options: TranscribeOptions, listened: ListenedSpans? = nil) throws -> HeardSpan {
        let filter = SpeechFilter()
        var cues: [DraftCue] = []
        var audio = 0.0
        let whole = span.inSeconds...span.outSeconds
        var pieces = [whole]
        if let listened, listened.fingerprint == span.fingerprint, listened.source == engine.source, listened.language == span.language ?? "und" {
            pieces = listened.missing(from: whole)
        }
        let windows = pieces.flatMap {
            Self.windows(from: $0.lowerBound, to: $0.upperBound, length: options.windowSeconds, overlap: options.overlapSeconds)
        }
        for window in windows {
            guard let (first, seconds, heard) = try Self.hear(span.absolutePath, from: window.start, to: window.end, { file in
                filter.apply(try engine.transcribe(wav: file, language: span.language))
            }) else { continue }
            audio += seconds
            for segment in heard {
                let start = first + segment.start
                guard start >= window.keepFrom, start < window.keepUntil, start < window.end else { continue }
                cues.append(Self.draft(segment, first: first, until: span.outSeconds, language: span.language ?? "und"))
            }
        }
        return HeardSpan(cues: cues, pieces: pieces, audio: audio)
    }

    /// Decodes `from` to `to` of a recording into a 16 kHz mono WAV file as the samples come
    /// (a window is never held in memory whole). Returns the time of its first sample and how
    /// many samples it holds.
    static func extract(_ path: String, from: Double, to: Double, into file: URL) throws -> (first: Double, count: Int) {
        let writer = try WAVWriter(url: file, sampleRate: AudioExtractor.sampleRate)
        var failure: (any Error)?
        let first = try AudioExtractor().extract(path: path, from: from, to: to) { block in
            do {
                try writer.append(block)
                return true
            } catch {
                failure = error
                return false
            }
        }
        if let failure { throw failure }
        try writer.finish()
        return (first, writer.count)
    }

    /// Decodes `from` to `to` of a recording into a window file, gives it to `hear`, and removes
    /// it. Returns the time of its first sample, its seconds of audio and what `hear` made of
    /// it; nil for a stretch with no sound.
    static func hear<Heard>(_ path: String, from: Double, to: Double, _ hear: (URL) throws -> Heard) throws
        -> (first: Double, seconds: Double, heard: Heard)? {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("\(audioPrefix)\(getpid())-\(UUID().uuidString).wav")
        defer { try? FileManager.default.removeItem(at: file) }
        let (first, count) = try extract(path, from: from, to: to, into: file)
        guard count > 0 else { return nil }
        return (first, Double(count) / Double(AudioExtractor.sampleRate), try hear(file))
    }

    /// A segment heard in audio whose first sample is at `first`, as a draft cue on the
    /// recording's timeline that ends by `until`, with the engine's confidence where it gave one.
    static func draft(_ segment: SpeechSegment, first: Double, until: Double, language: String) -> DraftCue {
        draft(placed: placed(segment, first: first, until: until), language: language)
    }

    /// A segment heard in audio whose first sample is at `first`, moved onto the recording's
    /// timeline and ending by `until` (never before its start).
    static func placed(_ segment: SpeechSegment, first: Double, until: Double) -> SpeechSegment {
        var placed = segment
        placed.start = first + segment.start
        placed.end = max(placed.start, min(first + segment.end, until))
        return placed
    }

    /// A segment already on the recording's timeline as a draft cue, with the engine's
    /// confidence where it gave one.
    static func draft(placed segment: SpeechSegment, language: String) -> DraftCue {
        let confidence = segment.avgLogprob == nil && segment.noSpeechProb == nil
            ? nil : CueConfidence(avgLogprob: segment.avgLogprob, noSpeechProb: segment.noSpeechProb)
        return DraftCue(Cue(start: segment.start, end: segment.end, text: segment.text), language: language, confidence: confidence)
    }

    /// Window files are `efterhand-audio-<pid>-<uuid>.wav` in the temporary folder.
    static let audioPrefix = "efterhand-audio-"

    /// Removes the window files of runs that were killed (their process is gone), so that a
    /// `kill -9` does not leave up to 58 MB behind for good. Files of running processes stay.
    static func removeOrphanedAudio(in folder: URL = FileManager.default.temporaryDirectory) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return }
        for name in names where name.hasPrefix(audioPrefix) && name.hasSuffix(".wav") {
            let pid = name.dropFirst(audioPrefix.count).prefix { $0 != "-" }
            guard let number = Int32(pid), number > 0, kill(number, 0) != 0, errno == ESRCH else { continue }
            try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))
        }
    }

    /// A window of a span sent to the engine, and the part of it whose cues are kept: cues in
    /// an overlap are kept from the window in which they lie farther from the edge.
    struct Window: Equatable {
        var start: Double
        var end: Double
        var keepFrom: Double
        var keepUntil: Double
    }

    static func windows(from start: Double, to end: Double, length: Double, overlap: Double) -> [Window] {
        let length = max(60, length)
        let overlap = min(max(0, overlap), length / 4)
        var windows: [Window] = []
        var from = start
        while from < end {
            let until = min(end, from + length)
            let last = until >= end
            windows.append(Window(start: from, end: until, keepFrom: windows.isEmpty ? -Double.infinity : from + overlap / 2,
                                  keepUntil: last ? Double.infinity : until - overlap / 2))
            if last { break }
            from = until - overlap
        }
        return windows
    }
}
