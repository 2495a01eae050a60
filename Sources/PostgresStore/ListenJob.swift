import Captions
import Foundation
import IndexStore
import MediaProbe
import Pipeline
import PostgresNIO
import Schedule
import Speech

/// The `listen` job: a recording the other clues leave in review or unmatched, listened to by
/// the speech engine of a worker that sees the file (`--kinds listen`), as `efterhand
/// transcribe` listens in the SQLite index (`Listener`): its first minutes and a minute at each
/// candidate's in point, in the language asked for, else the one its candidates share, else
/// the programme's two most common. What is heard is kept as the draft of those stretches and
/// the stretches as the recording's `listened` spans; a link job then weighs what is said.
/// Enqueued by the store's relink when transcription is on, for each recording in doubt whose
/// wanted stretches no engine heard from the same file; keyed by the file and the stretches.
///
/// With a `prompt`, the second hearing: a recording what was heard still leaves in doubt is
/// heard again over its listened stretches with a prompt of the names and titles of the talks
/// it may hold (`LinkStage.heardPrompts`), by an engine that takes one and heard them the first
/// time, and what agrees with the first hearing is kept (`Listener.heardAgain`), as the SQLite
/// transcriber does. Enqueued once per listened stretches (a new stretch heard starts over).
public struct ListenJob: Codable, Sendable, Equatable {
    public static let kind = "listen"

    public var root: String
    public var path: String
    public var fingerprint: String
    /// The languages to hear it in, the likeliest first (empty: the engine detects).
    public var languages: [String]
    /// The stretches wanted, as [start, end] pairs in seconds.
    public var wanted: [[Double]]
    /// The link job it enqueues cuts long sessions into segments of this length.
    public var segmentMinutes: Double
    /// The second hearing's prompt; nil for the first hearing.
    public var prompt: String? = nil

    enum CodingKeys: String, CodingKey {
        case root, path, fingerprint, languages, wanted, segmentMinutes = "segment_minutes", prompt
    }

    var pieces: [ClosedRange<Double>] { wanted.map { $0[0]...$0[1] } }

    var request: JobRequest {
        let stretches = pieces.map { String(format: "%.3f-%.3f", $0.lowerBound, $0.upperBound) }.joined(separator: ",")
        let again = prompt.map { "#prompt:" + ListenedSpans.digest($0) } ?? ""
        return JobRequest(kind: Self.kind, key: "\(root):\(path)@listen#\(fingerprint)#\(stretches)" + again, mediaRoot: root,
                          payload: (try? JSONText.encode(self)) ?? "{}")
    }

    static func decode(_ job: ClaimedJob) throws(JobFailure) -> ListenJob {
        guard let listen = try? JSONDecoder().decode(ListenJob.self, from: Data(job.payload.utf8)), listen.root == job.mediaRoot,
              !listen.wanted.isEmpty, listen.wanted.allSatisfy({ $0.count == 2 && $0[0].isFinite && $0[1].isFinite && 0 <= $0[0] && $0[0] < $0[1] }),
              listen.segmentMinutes.isFinite, (1...600).contains(listen.segmentMinutes) else {
            throw .permanent("the payload of listen job \(job.id) is not stretches of a file under its media root")
        }
        return listen
    }

    /// What is left to hear with `engine`: the recording (still present with this file and in
    /// doubt), what that engine heard of it before, and the wanted pieces it did not (for the
    /// second hearing: every listened stretch, when this engine takes a prompt, heard them
    /// first, and has not heard them with this prompt). Nil when there is nothing to do.
    func due(in database: PostgresIndex, engine: any SpeechEngine) async throws -> (recordingID: Int64, listened: ListenedSpans, pieces: [ClosedRange<Double>])? {
        let source = engine.source
        var found: (Int64, String?)?
        for try await row in try await database.run("""
            SELECT recording.id, listened.signature FROM recording LEFT JOIN listened ON listened.recording_id = recording.id
            WHERE recording.media_root = \(root) AND recording.path = \(path) AND recording.fingerprint = \(fingerprint)
              AND recording.state = 'ok' AND recording.link_status <> 'linked'
            """).decode((Int64, String?).self) {
            found = row
        }
        guard let (id, signature) = found else { return nil }
        if let prompt {
            guard engine.takesPrompt, let before = signature.flatMap(ListenedSpans.init(signature:)), before.fingerprint == fingerprint,
                  before.source == source, before.prompt != ListenedSpans.digest(prompt), !before.spans.isEmpty else { return nil }
            return (id, before, before.spans)
        }
        var listened = ListenedSpans(fingerprint: fingerprint, source: source, language: languages.first ?? "und", spans: [])
        if let before = signature.flatMap(ListenedSpans.init(signature:)), before.fingerprint == fingerprint, before.source == source {
            listened = before
        }
        let missing = pieces.flatMap(listened.missing)
        return missing.isEmpty ? nil : (id, listened, missing)
    }

    /// Hears `pieces` of the file as it is now (the second hearing: with the prompt, merged
    /// with `before`, the recording's cues); nil when the file changed since the job was
    /// enqueued (the next relink enqueues it anew).
    func run(_ pieces: [ClosedRange<Double>], listened: ListenedSpans, before: [StoredCue], roots: MediaRootMap,
             engine: any SpeechEngine) throws(JobFailure) -> (cues: [DraftCue], language: String)? {
        let file = try roots.file(root: root, path: path)
        guard FileManager.default.fileExists(atPath: file), Fingerprint.of(path: file) == fingerprint else { return nil }
        do {
            if let prompt {
                return (try Listener.heardAgain(file: file, spans: listened, before: before, prompt: prompt, engine: engine).cues, listened.language)
            }
            let heard = try Listener.heard(file: file, pieces: pieces, languages: languages, engine: engine)
            return (heard.cues, heard.language)
        } catch {
            // An engine that failed (a server down, a model missing) may work on the next attempt.
            throw .retry("\(root)/\(path) (listening to its first minutes, \(engine.source)): \(error)")
        }
    }

    /// The recording's cues of `source`, with the engine's confidence: what the second hearing
    /// is merged with.
    static func cues(recordingID id: Int64, source: String, in database: PostgresIndex) async throws -> [StoredCue] {
        var cues: [StoredCue] = []
        for try await (language, start, end, text, logprob, silence) in try await database.run("""
            SELECT language, start_seconds, end_seconds, text, avg_logprob, no_speech_prob FROM cue
            WHERE recording_id = \(id) AND source = \(source) AND status = 'draft' ORDER BY start_seconds, id
            """).decode((String, Double, Double, String, Double?, Double?).self) {
            cues.append(StoredCue(cue: Cue(start: start, end: end, text: text), language: language, source: source, status: .draft,
                                  confidence: CueConfidence(avgLogprob: logprob, noSpeechProb: silence)))
        }
        return cues
    }

    /// Keeps what was heard as the draft of `pieces` (earlier machine drafts there replaced,
    /// never verified text) and the stretches among the recording's `listened` spans; then a
    /// link job, so that the linker weighs what is said.
    func store(_ heard: (cues: [DraftCue], language: String), pieces: [ClosedRange<Double>], listened: ListenedSpans, recordingID id: Int64,
               source: String, on connection: PostgresConnection, database: PostgresIndex) async throws {
        var spans = listened
        if let prompt {
            spans.prompt = ListenedSpans.digest(prompt)
        } else {
            spans = listened.adding(pieces)
            spans.language = heard.language
        }
        try await database.saveSpeechDraft(heard.cues, recordingID: id, pieces: pieces, source: source, key: ListenedSpans.key,
                                           signature: spans.signature, on: connection)
        try await connection.query("""
            INSERT INTO listened (recording_id, signature) VALUES (\(id), \(spans.signature))
            ON CONFLICT (recording_id) DO UPDATE SET signature = EXCLUDED.signature
            """, logger: PostgresIndex.quiet)
        try await database.refreshSearch(recordingID: id, on: connection)
        _ = try await database.enqueue([LinkJob.request(segmentMinutes: segmentMinutes)], on: connection)
    }
}

extension PostgresIndex {
    /// Inside the caller's transaction, transcription being on as `asked`: a listen job for each
    /// recording in review or unmatched (present, probed, with sound, not a copy) whose wanted
    /// stretches (`Listener.wanted`) are not all among its `listened` spans from the same file,
    /// whichever engine heard them (of `recordingIDs` only, when given). `sessions`: the
    /// programme, by guid. Returns how many were new.
    @discardableResult
    func enqueueListening(_ asked: Transcription, sessions: [String: Session], segmentMinutes: Double, recordingIDs: [Int64]? = nil,
                          on connection: PostgresConnection) async throws -> Int {
        guard !sessions.isEmpty else { return 0 }
        let everything = recordingIDs == nil, ids = recordingIDs ?? []
        let decoder = JSONDecoder()
        let programme = Listener.commonLanguages(Array(sessions.values))
        // The candidates of every recording in doubt, in one read.
        var candidates: [Int64: [StoredLink]] = [:]
        for try await (id, document) in try await connection.query("""
            SELECT link.recording_id, link.document::text FROM link JOIN recording ON recording.id = link.recording_id
            WHERE link.kind = 'candidate' AND recording.state = 'ok' AND recording.link_status <> 'linked' AND (\(everything) OR recording.id = ANY(\(ids)))
            ORDER BY link.recording_id, link.position
            """, logger: logger).decode((Int64, String).self) {
            if let link = try? decoder.decode(StoredLink.self, from: Data(document.utf8)) { candidates[id, default: []].append(link) }
        }
        var requests: [JobRequest] = []
        for try await (id, root, path, fingerprint, duration, probe, signature) in try await connection.query("""
            SELECT recording.id, recording.media_root, recording.path, recording.fingerprint, recording.duration, recording.probe::text, listened.signature
            FROM recording LEFT JOIN listened ON listened.recording_id = recording.id
            WHERE recording.state = 'ok' AND recording.link_status <> 'linked' AND recording.duplicate_of IS NULL
              AND recording.fingerprint IS NOT NULL AND recording.duration > 0 AND (\(everything) OR recording.id = ANY(\(ids)))
            ORDER BY recording.id
            """, logger: logger).decode((Int64, String, String, String, Double, String?, String?).self) {
            guard let probe = probe.flatMap({ try? decoder.decode(ProbeResult.self, from: Data($0.utf8)) }),
                  probe.streams.contains(where: { $0.kind == .audio }) else { continue }
            let candidates = candidates[id] ?? []
            let wanted = Listener.wanted(duration: duration, inPoints: candidates.map(\.inSeconds))
            if let before = signature.flatMap(ListenedSpans.init(signature:)), before.fingerprint == fingerprint,
               wanted.flatMap(before.missing).isEmpty { continue }
            let languages = Listener.languages(asked: asked.language, candidates: candidates.compactMap { sessions[$0.sessionGuid] }, programme: programme)
            requests.append(ListenJob(root: root, path: path, fingerprint: fingerprint, languages: languages,
                                      wanted: wanted.map { [$0.lowerBound, $0.upperBound] }, segmentMinutes: segmentMinutes).request)
        }
        guard !requests.isEmpty else { return 0 }
        return try await enqueue(requests, on: connection)
    }

    /// Inside the relink's transaction, after its plan, transcription being on: a listen job
    /// with a prompt for each recording the plan leaves in doubt whose listened stretches were
    /// heard without one (`LinkStage.heardPrompts` over what the relink read, as the SQLite
    /// transcriber's second hearing). Returns how many were new.
    @discardableResult
    func enqueueListeningAgain(_ inputs: LinkInputs, plan: LinkPlan, on connection: PostgresConnection, segmentMinutes: Double) async throws -> Int {
        var listened: [Int64: ListenedSpans] = [:]
        for try await (id, signature) in try await connection.query("SELECT recording_id, signature FROM listened", logger: logger).decode((Int64, String).self) {
            if let spans = ListenedSpans(signature: signature), spans.prompt.isEmpty, !spans.spans.isEmpty { listened[id] = spans }
        }
        guard !listened.isEmpty else { return 0 }
        let status = Dictionary(plan.saves.map { ($0.recordingID, $0.status) }, uniquingKeysWith: { _, last in last })
        let doubtful = inputs.recordings.filter { recording in
            guard let id = recording.id, let spans = listened[id] else { return false }
            return (status[id] ?? recording.linkStatus) != .linked && recording.duplicateOf == nil && spans.fingerprint == recording.fingerprint
        }
        let prompts = LinkStage.heardPrompts(for: doubtful, sessions: inputs.sessions, timeZone: inputs.timeZone, heard: inputs.heard)
        guard !prompts.isEmpty else { return 0 }
        var requests: [JobRequest] = []
        for try await (id, root, path) in try await connection.query("""
            SELECT id, media_root, path FROM recording WHERE id = ANY(\(Array(prompts.keys)))
            """, logger: logger).decode((Int64, String, String).self) {
            guard let prompt = prompts[id], let spans = listened[id] else { continue }
            requests.append(ListenJob(root: root, path: path, fingerprint: spans.fingerprint, languages: [spans.language],
                                      wanted: spans.spans.map { [$0.lowerBound, $0.upperBound] }, segmentMinutes: segmentMinutes, prompt: prompt).request)
        }
        guard !requests.isEmpty else { return 0 }
        return try await enqueue(requests, on: connection)
    }
}
