import Captions
import Foundation
import IndexStore
import Pipeline
import PostgresNIO
import Schedule
import Speech

/// The `transcribe` job: one linked talk's span of a recording, heard by the speech engine of a
/// worker that sees the file (`efterhand worker --kinds transcribe`, on a machine with the
/// engine: a GPU, say) and stored as its draft, as `efterhand transcribe` does in the SQLite
/// index: never over verified text, the span's earlier machine draft replaced. Enqueued by the
/// store's relink when `ingest --transcribe` turned transcription on, for each span whose draft
/// was not made from the same file, stretch and language; keyed by them, so that the same span
/// is one job.
public struct TranscribeJob: Codable, Sendable, Equatable {
    public static let kind = "transcribe"

    public var root: String
    public var path: String
    public var fingerprint: String
    public var sessionGuid: String
    public var inSeconds: Double
    public var outSeconds: Double
    public var language: String?

    enum CodingKeys: String, CodingKey {
        case root, path, fingerprint, sessionGuid = "session_guid", inSeconds = "in_seconds", outSeconds = "out_seconds", language
    }

    /// The span as the SQLite transcriber sees it (its recording id is the store's).
    func span(recordingID: Int64, file: String) -> TalkSpan {
        TalkSpan(recordingID: recordingID, path: root + "/" + path, absolutePath: file, fingerprint: fingerprint, sessionGuid: sessionGuid,
                 inSeconds: inSeconds, outSeconds: outSeconds, language: language)
    }

    var request: JobRequest {
        let stretch = span(recordingID: 0, file: "").stretch
        return JobRequest(kind: Self.kind, key: "\(root):\(path)#\(sessionGuid)@\(stretch)", mediaRoot: root,
                          payload: (try? JSONText.encode(self)) ?? "{}")
    }

    static func decode(_ job: ClaimedJob) throws(JobFailure) -> TranscribeJob {
        guard let span = try? JSONDecoder().decode(TranscribeJob.self, from: Data(job.payload.utf8)), span.root == job.mediaRoot,
              span.inSeconds.isFinite, span.outSeconds.isFinite, span.outSeconds > span.inSeconds, span.inSeconds >= 0 else {
            throw .permanent("the payload of transcribe job \(job.id) is not a span of a file under its media root")
        }
        return span
    }

    /// Hears the span in the file as it is now; a file that changed since the job was enqueued
    /// is not heard (the next relink enqueues its spans anew).
    /// What a listen job heard of the file already (`listened`) is not heard again: it is the
    /// draft of those stretches.
    func run(roots: MediaRootMap, engine: any SpeechEngine, options: TranscribeOptions, listened: ListenedSpans?) throws(JobFailure) -> HeardSpan? {
        let file = try roots.file(root: root, path: path)
        guard FileManager.default.fileExists(atPath: file) else { return nil }
        guard Fingerprint.of(path: file) == fingerprint else { return nil }
        do {
            return try Transcriber.hear(span(recordingID: 0, file: file), engine: engine, options: options, listened: listened)
        } catch {
            // An engine that failed (a server down, a model missing) may work on the next attempt.
            throw .retry("\(root)/\(path) (session \(sessionGuid), \(engine.source)): \(error)")
        }
    }

    /// The stretches of this file a listen job heard (`listened`), if any.
    func listened(in database: PostgresIndex) async throws -> ListenedSpans? {
        var signature: String?
        for try await value in try await database.run("""
            SELECT listened.signature FROM listened JOIN recording ON recording.id = listened.recording_id
            WHERE recording.media_root = \(root) AND recording.path = \(path)
            """).decode(String.self) {
            signature = value
        }
        return signature.flatMap(ListenedSpans.init(signature:))
    }

    /// Stores what was heard as the span's draft, if the recording still holds this file and
    /// is linked to the session; then names the segments again and refreshes its search rows.
    func store(_ heard: HeardSpan, source: String, on connection: PostgresConnection, database: PostgresIndex) async throws {
        var recordingID: Int64?
        for try await id in try await connection.query("""
            SELECT recording.id FROM recording JOIN link ON link.recording_id = recording.id AND link.kind = 'link' AND link.session_guid = \(sessionGuid)
            WHERE recording.media_root = \(root) AND recording.path = \(path) AND recording.fingerprint = \(fingerprint) FOR UPDATE OF recording
            """, logger: PostgresIndex.quiet).decode(Int64.self) {
            recordingID = id
        }
        guard let recordingID else { return }
        let span = span(recordingID: recordingID, file: "")
        try await database.saveSpeechDraft(heard.cues, recordingID: recordingID, pieces: heard.pieces, source: source, key: span.key,
                                           signature: span.signature(source: source), on: connection)
        try await database.refreshSearch(recordingID: recordingID, on: connection)
        try await database.nameSegments(on: connection)
    }
}

extension PostgresIndex {
    /// Turns transcription on for the store (`ingest --transcribe`), in `language` or each
    /// session's: every relink from now on enqueues the spans that have no draft of their own.
    public func transcribeFromNowOn(language: String?) async throws {
        let value = (try? JSONText.encode(["language": language ?? ""])) ?? "{}"
        try await run("""
            INSERT INTO setting (key, value) VALUES ('transcribe', \(value)) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value
            """)
    }

    /// Whether transcription is on for the store (`ingest --transcribe`, `transcribe`), and in
    /// which language (nil: each session's); nil when it is off.
    func transcription(on connection: PostgresConnection) async throws -> Transcription? {
        var setting: String?
        for try await value in try await connection.query("SELECT value FROM setting WHERE key = 'transcribe'", logger: logger).decode(String.self) {
            setting = value
        }
        guard let setting else { return nil }
        return Transcription(language: ((try? JSONText.decode(setting) as [String: String]) ?? [:])["language"].flatMap { $0.isEmpty ? nil : $0 })
    }

    /// Transcription as the store has it on: in one language, or each session's (nil).
    struct Transcription {
        var language: String?
    }

    /// `efterhand transcribe --database`: transcription on (in `language`, or each session's),
    /// and at once a transcribe job for each linked talk's span that has no draft of its own and
    /// a listen job for each recording in doubt (as every relink from now on enqueues them);
    /// returns how many jobs of each were new.
    /// With `force`, every linked talk is heard again, drafted before or not (`transcribe --force`).
    public func transcribeLinkedTalks(language: String?, force: Bool = false, segmentMinutes: Double = 5) async throws -> (talks: Int, listen: Int) {
        try await transcribeFromNowOn(language: language)
        return try await transaction { connection in
            // As `transcription(on:)` reads back what `transcribeFromNowOn` stored.
            let asked = Transcription(language: language.flatMap { $0.isEmpty ? nil : $0 })
            let sessions = Dictionary(try await self.programme(on: connection).map { ($0.guid, $0) }, uniquingKeysWith: { a, _ in a })
            return (try await self.enqueueTranscriptions(asked, sessions: sessions, force: force, on: connection),
                    try await self.enqueueListening(asked, sessions: sessions, segmentMinutes: segmentMinutes, on: connection))
        }
    }

    /// Inside the relink's transaction, after its plan, the speech work it leaves when
    /// transcription is on (one read of the setting; the programme as the relink read it):
    /// transcribe jobs, listen jobs, and listen jobs with a prompt, for every recording or only
    /// `recordingIDs` (the recordings of a decision, whose `inputs` are those alone).
    func enqueueSpeech(_ inputs: LinkInputs, plan: LinkPlan, segmentMinutes: Double, recordingIDs: [Int64]? = nil, on connection: PostgresConnection) async throws {
        guard let asked = try await transcription(on: connection) else { return }
        let sessions = Dictionary(inputs.sessions.map { ($0.guid, $0) }, uniquingKeysWith: { a, _ in a })
        try await enqueueTranscriptions(asked, sessions: sessions, recordingIDs: recordingIDs, on: connection)
        try await enqueueListening(asked, sessions: sessions, segmentMinutes: segmentMinutes, recordingIDs: recordingIDs, on: connection)
        try await enqueueListeningAgain(inputs, plan: plan, on: connection, segmentMinutes: segmentMinutes)
    }

    /// Inside the caller's transaction, transcription being on as `asked`: a transcribe job for
    /// each linked talk's span whose draft was not made from the same file, stretch and language
    /// (as `Transcriber.talkSpans` picks them: no copies, nothing that must not be recorded), of
    /// `recordingIDs` only when given. `sessions`: the programme, by guid. Returns how many were new.
    @discardableResult
    func enqueueTranscriptions(_ asked: Transcription, sessions: [String: Session], force: Bool = false, recordingIDs: [Int64]? = nil,
                               on connection: PostgresConnection) async throws -> Int {
        let chosen = asked.language, everything = recordingIDs == nil, ids = recordingIDs ?? []
        let decoder = JSONDecoder()
        var done: [String: String] = [:]
        for try await (id, key, signature) in try await connection.query("""
            SELECT recording_id, source, signature FROM caption_source WHERE source LIKE 'asr@%' AND (\(everything) OR recording_id = ANY(\(ids)))
            """, logger: logger).decode((Int64, String, String).self) {
            done["\(id)\u{0}\(key)"] = signature
        }
        var requests: [JobRequest] = []
        for try await (id, root, path, fingerprint, document) in try await connection.query("""
            SELECT recording.id, recording.media_root, recording.path, recording.fingerprint, link.document::text
            FROM recording JOIN link ON link.recording_id = recording.id AND link.kind = 'link'
            WHERE recording.state = 'ok' AND recording.link_status = 'linked' AND recording.duplicate_of IS NULL AND recording.fingerprint IS NOT NULL
              AND (\(everything) OR recording.id = ANY(\(ids)))
            ORDER BY recording.id, link.position
            """, logger: logger).decode((Int64, String, String, String, String).self) {
            guard let link = try? decoder.decode(StoredLink.self, from: Data(document.utf8)), !link.flags.contains(.doNotRecord),
                  let session = sessions[link.sessionGuid], !session.doNotRecord, link.outSeconds > link.inSeconds else { continue }
            let job = TranscribeJob(root: root, path: path, fingerprint: fingerprint, sessionGuid: session.guid, inSeconds: link.inSeconds,
                                    outSeconds: link.outSeconds, language: LanguageCode.normalize(chosen) ?? LanguageCode.normalize(session.language))
            let span = job.span(recordingID: id, file: "")
            if !force, let signature = done["\(id)\u{0}\(span.key)"], signature.hasPrefix(span.stretch + "|") { continue }
            requests.append(job.request)
        }
        guard !requests.isEmpty else { return 0 }
        return try await enqueue(requests, on: connection)
    }
}
