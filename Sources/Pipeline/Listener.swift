import Captions
import Foundation
import IndexStore
import MediaProbe
import Schedule
import Speech

/// What listening did, in the contract of `efterhand transcribe --json` (`listen`).
public struct ListenSummary: Sendable, Codable, Equatable {
    /// Recordings in review or unmatched, listened to now, and already heard (the same
    /// engine heard the same stretches of the same file before).
    public var recordings = 0
    public var listened = 0
    public var unchanged = 0
    /// Recordings that what was heard left in doubt, heard again now with a prompt of the
    /// names and titles of the sessions they may hold.
    public var heardAgain = 0
    /// Of those listened to or heard again now, how many the linker then linked.
    public var linked = 0
    /// Seconds of audio sent to the engine.
    public var audioSeconds = 0.0
    /// One line per recording that could not be listened to.
    public var errors: [String] = []

    enum CodingKeys: String, CodingKey {
        case recordings, listened, unchanged, heardAgain = "heard_again", linked, audioSeconds = "audio_seconds", errors
    }

    public init() {}
}

/// Listens to the recordings the other clues leave in review or unmatched, so that the linker
/// can weigh what is said in them: their first minutes, and a minute at each candidate's in
/// point. What is heard is stored as the machine draft of those stretches (a later
/// transcription of the linked talk reuses it), and the recordings are linked again. The
/// PostgreSQL store's listen jobs hear and choose as this does (`heard`, `wanted`, `languages`).
public struct Listener {
    let database: IndexDatabase
    let engine: any SpeechEngine
    let options: TranscribeOptions
    /// Only these recordings (by id); nil for every one.
    var chosen: Set<Int64>? = nil
    let filter = SpeechFilter()

    /// The first this many seconds of a recording are listened to.
    public static let firstSeconds = 180.0
    /// ... and this many from each candidate's in point.
    public static let atInPointSeconds = 60.0

    /// One recording to listen to: what is wanted, and what was heard before.
    struct Due {
        var recording: StoredRecording
        var id: Int64
        var fingerprint: String
        /// The languages it may be in, the likeliest first: the one asked for, else the one its
        /// candidates share, else the programme's two most common; empty to let the engine detect.
        var languages: [String]
        var listened: ListenedSpans
        var pieces: [ClosedRange<Double>]
    }

    /// Listens to every recording that needs it, then links again when anything was heard.
    func run() throws -> ListenSummary {
        var summary = ListenSummary()
        let due = try recordingsToListen(&summary)
        for item in due {
            do {
                summary.audioSeconds += try listen(item)
                summary.listened += 1
            } catch {
                summary.errors.append("\(item.recording.path) (listening to its first minutes, \(engine.source)): \(error)")
            }
        }
        // The transcriber names the segments cut here, after its own drafts (see `Transcriber.run`).
        let stage = LinkStage(database: database, segmentMinutes: options.segmentMinutes)
        if summary.listened > 0 { try stage.relink(nameSegments: false) }
        let again = engine.takesPrompt ? try listenAgain(&summary, stage: stage) : []
        summary.heardAgain = again.count
        if !again.isEmpty { try stage.relink(nameSegments: false) }
        let heard = Set(due.map(\.id)).union(again)
        guard !heard.isEmpty else { return summary }
        summary.linked = try database.recordings(includeMissing: false, withProbe: false)
            .filter { $0.id.map(heard.contains) ?? false && $0.linkStatus == .linked }.count
        return summary
    }

    /// Hears again, with a prompt of the names and titles of the sessions they may hold
    /// (`Linker.heardPrompt`), the listened stretches of the recordings that what was heard
    /// leaves in doubt, and keeps what agrees with the first hearing (`PromptedHearing`) as
    /// their draft. A recording is heard again once per prompt. Returns the recordings heard again.
    func listenAgain(_ summary: inout ListenSummary, stage: LinkStage) throws -> Set<Int64> {
        let listened = try database.listenedSpans()
        let recordings = Dictionary(try database.recordings(includeMissing: false).compactMap { recording in recording.id.map { ($0, recording) } },
                                    uniquingKeysWith: { a, _ in a })
        let doubtful = listened.keys.sorted().compactMap { id -> StoredRecording? in
            guard let recording = recordings[id], let spans = listened[id], chosen?.contains(id) ?? true, recording.linkStatus != .linked,
                  recording.state == .ok, spans.fingerprint == recording.fingerprint, spans.source == engine.source else { return nil }
            return recording
        }
        guard !doubtful.isEmpty else { return [] }
        var again: Set<Int64> = []
        for (id, prompt) in try stage.heardPrompts(for: doubtful).sorted(by: { $0.key < $1.key }) {
            guard let recording = recordings[id], let spans = listened[id], spans.prompt != ListenedSpans.digest(prompt) else { continue }
            do {
                summary.audioSeconds += try listen(recording, id: id, spans: spans, prompt: prompt)
                again.insert(id)
            } catch {
                summary.errors.append("\(recording.path) (hearing its first minutes again with the programme's names, \(engine.source)): \(error)")
            }
        }
        return again
    }

    /// Hears a recording's listened spans with `prompt`, in the language they were heard in,
    /// and stores the merge with what was heard before as their draft. Returns the seconds sent.
    func listen(_ recording: StoredRecording, id: Int64, spans: ListenedSpans, prompt: String) throws -> Double {
        let before = try database.cues(recordingID: id)
        let (cues, audio) = try Self.heardAgain(file: recording.absolutePath, spans: spans, before: before, prompt: prompt, engine: engine, filter: filter)
        var heard = spans
        heard.prompt = ListenedSpans.digest(prompt)
        try database.saveSpeechDraft(recordingID: id, key: ListenedSpans.key, signature: heard.signature, spans: spans.spans,
                                     source: engine.source, cues: cues)
        return audio
    }

    /// What `engine` hears in the listened `spans` of a file with `prompt`, in the language they
    /// were heard in, merged with what it heard there before without one (`before`: the
    /// recording's cues; `PromptedHearing`): the draft cues of those stretches, and the seconds
    /// of audio sent. Both stores' second hearing.
    public static func heardAgain(file: String, spans: ListenedSpans, before: [StoredCue], prompt: String, engine: any SpeechEngine,
                                  filter: SpeechFilter = SpeechFilter()) throws -> (cues: [DraftCue], audio: Double) {
        let language = spans.language == "und" ? nil : spans.language
        let plain = before.filter { $0.source == engine.source && spans.contains($0.cue.start) }
            .map { SpeechSegment(start: $0.cue.start, end: $0.cue.end, text: $0.cue.text, avgLogprob: $0.confidence?.avgLogprob,
                                 noSpeechProb: $0.confidence?.noSpeechProb) }
        var prompted: [SpeechSegment] = []
        var audio = 0.0
        for piece in spans.spans {
            guard let (first, seconds, heard) = try Transcriber.hear(file, from: piece.lowerBound, to: piece.upperBound, {
                filter.apply(try engine.transcribe(wav: $0, language: language, prompt: prompt))
            }) else { continue }
            audio += seconds
            prompted += placed(heard, first: first, in: piece)
        }
        let merged = PromptedHearing.merge(plain: plain, prompted: prompted).segments
        return (merged.map { Transcriber.draft(placed: $0, language: spans.language) }, audio)
    }

    /// The recordings in review or unmatched (present, read, with sound, not copies) with
    /// stretches not yet heard.
    func recordingsToListen(_ summary: inout ListenSummary) throws -> [Due] {
        let sessions = Dictionary(try database.sessions().map { ($0.guid, $0) }, uniquingKeysWith: { a, _ in a })
        guard !sessions.isEmpty else { return [] }
        let links = try database.links()
        let heard = try database.listenedSpans()
        let programme = Self.commonLanguages(Array(sessions.values))
        var due: [Due] = []
        for recording in try database.recordings(includeMissing: false) {
            guard let id = recording.id, let fingerprint = recording.fingerprint, recording.state == .ok, recording.duplicateOf == nil,
                  recording.linkStatus != .linked, let duration = recording.duration, duration > 0,
                  recording.probe?.streams.contains(where: { $0.kind == .audio }) == true, chosen?.contains(id) ?? true else { continue }
            summary.recordings += 1
            let candidates = (links[id] ?? []).filter { $0.kind == .candidate }
            let wanted = Self.wanted(duration: duration, inPoints: candidates.map(\.inSeconds))
            let languages = Self.languages(asked: options.language, candidates: candidates.compactMap { sessions[$0.sessionGuid] }, programme: programme)
            var listened = ListenedSpans(fingerprint: fingerprint, source: engine.source, language: languages.first ?? "und", spans: [])
            if let before = heard[id], before.fingerprint == fingerprint, before.source == engine.source {
                listened = before
            }
            let pieces = wanted.flatMap(listened.missing)
            if pieces.isEmpty {
                summary.unchanged += 1
                continue
            }
            due.append(Due(recording: recording, id: id, fingerprint: fingerprint, languages: languages, listened: listened, pieces: pieces))
        }
        return due
    }

    /// The languages a recording in doubt may be in, the likeliest first: the one asked for,
    /// else the one its candidates share, else the programme's two most common
    /// (`commonLanguages`); empty to let the engine detect.
    public static func languages(asked: String?, candidates: [Session], programme: [String]) -> [String] {
        (LanguageCode.normalize(asked) ?? sharedLanguage(candidates)).map { [$0] } ?? programme
    }

    /// The first minutes, and a minute at each in point, within the recording.
    public static func wanted(duration: Double, inPoints: [Double]) -> [ClosedRange<Double>] {
        var spans = [0...min(duration, firstSeconds)]
        for point in inPoints where point.isFinite && point > 0 && point < duration {
            spans.append(point...min(duration, point + atInPointSeconds))
        }
        return ListenedSpans.merged(spans)
    }

    /// The language the candidates share, when they share one.
    static func sharedLanguage(_ sessions: [Session]) -> String? {
        let languages = Set(sessions.map { LanguageCode.normalize($0.language) })
        guard languages.count == 1, let only = languages.first else { return nil }
        return only
    }

    /// The programme's two most common languages, the commoner first. Whisper's own detection
    /// is not trusted for a recording nothing else is known of: on espeak-ng's Swedish it
    /// answers English, Latin or Thai, and a week's talks are in its programme's languages.
    public static func commonLanguages(_ sessions: [Session]) -> [String] {
        let counts = Dictionary(grouping: sessions.compactMap { LanguageCode.normalize($0.language) }, by: { $0 }).mapValues(\.count)
        return counts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(2).map(\.key)
    }

    /// What the engine heard in `wav`: in each of `languages` when there are several (the
    /// transcript it is surest of kept, by the mean `avg_logprob` over its speech), and the
    /// language it was heard in (nil when the engine detected one and did not say).
    static func hear(_ wav: URL, languages: [String], engine: any SpeechEngine, filter: SpeechFilter) throws -> (segments: [SpeechSegment], language: String?) {
        guard languages.count > 1 else {
            let heard = filter.apply(try engine.transcribe(wav: wav, language: languages.first))
            return (heard, languages.first ?? LanguageCode.normalize(SpeechSegment.code(heard.first?.language)))
        }
        var best: (segments: [SpeechSegment], language: String?, sureness: Double)? = nil
        for language in languages {
            let heard = filter.apply(try engine.transcribe(wav: wav, language: language))
            let sureness = Self.sureness(heard)
            if best == nil || sureness > best?.sureness ?? 0 { best = (heard, language, sureness) }
        }
        return (best?.segments ?? [], best?.language)
    }

    /// The mean `avg_logprob` of segments, by their length; -∞ for none (or none that says).
    static func sureness(_ segments: [SpeechSegment]) -> Double {
        let weighed = segments.compactMap { segment in segment.avgLogprob.map { ($0, max(0.01, segment.end - segment.start)) } }
        let total = weighed.reduce(0) { $0 + $1.1 }
        return total > 0 ? weighed.reduce(0) { $0 + $1.0 * $1.1 } / total : -.infinity
    }

    /// Hears one recording's pieces and stores them as drafts, with the stretches heard.
    /// Returns the seconds of audio sent.
    func listen(_ item: Due) throws -> Double {
        let (cues, heardIn, audio) = try Self.heard(file: item.recording.absolutePath, pieces: item.pieces, languages: item.languages, engine: engine, filter: filter)
        var listened = item.listened.adding(item.pieces)
        listened.language = heardIn
        try database.saveSpeechDraft(recordingID: item.id, key: ListenedSpans.key, signature: listened.signature, spans: item.pieces,
                                     source: engine.source, cues: cues)
        return audio
    }

    /// What `engine` hears in `pieces` of a file, in the likeliest of `languages` (chosen in the
    /// first piece with speech, then asked for in the rest): draft cues on the recording's
    /// timeline, the language heard (`und` when none was asked or detected), and the seconds of
    /// audio sent. What both stores' listening keeps as the draft of those stretches.
    public static func heard(file: String, pieces: [ClosedRange<Double>], languages: [String], engine: any SpeechEngine,
                             filter: SpeechFilter = SpeechFilter()) throws -> (cues: [DraftCue], language: String, audio: Double) {
        var kept: [SpeechSegment] = []
        var audio = 0.0
        var languages = languages
        var language: String? = nil
        for piece in pieces {
            let languagesNow = languages
            guard let (first, seconds, (heard, heardIn)) = try Transcriber.hear(file, from: piece.lowerBound, to: piece.upperBound, {
                try hear($0, languages: languagesNow, engine: engine, filter: filter)
            }) else { continue }
            audio += seconds
            // Chosen in the first piece with speech, the language is asked for in the rest.
            if let heardIn, !heard.isEmpty {
                language = heardIn
                languages = [heardIn]
            }
            kept += Self.placed(heard, first: first, in: piece)
        }
        let heardIn = language ?? "und"
        return (kept.map { Transcriber.draft(placed: $0, language: heardIn) }, heardIn, audio)
    }

    /// The segments heard in a window whose first sample is at `first` that begin inside
    /// `piece`, on the recording's timeline and ending by the piece's end.
    static func placed(_ heard: [SpeechSegment], first: Double, in piece: ClosedRange<Double>) -> [SpeechSegment] {
        heard.filter { piece.lowerBound <= first + $0.start && first + $0.start < piece.upperBound }
            .map { Transcriber.placed($0, first: first, until: piece.upperBound) }
    }
}
