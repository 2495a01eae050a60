import Captions
import Foundation
import IndexStore
import PostgresNIO

/// Text a person checked, kept in the PostgreSQL store (issue 23 part 5): the staff editor's
/// "Klar" and the API's verified upload, checked as in the SQLite index
/// (`IndexDatabase.checkedCorrection`, `CaptionFile.validate`). The stretch becomes verified text
/// made in the store, which no draft, job or gather from a municipality's index overwrites.
extension PostgresIndex {
    /// Stores `cues` as the verified text of `language` over exactly `span` of a recording, in
    /// the audit log as `who` with the cues before and after (as `IndexDatabase.correctTranscript`).
    public func correctTranscript(recordingID id: Int64, cues: [Cue], language requested: String, span: ClosedRange<Double>,
                                  sessionGuid: String?, by who: String) async throws -> TranscriptImport {
        try await transaction { connection in
            guard let recording = try await self.recording(String(id), on: connection) else {
                throw TranscriptError(description: "no recording \(id) in the store")
            }
            let (language, kept) = try IndexDatabase.checkedCorrection(cues, language: requested, span: span, duration: recording.duration)
            let before = try await self.storeVerified(recordingID: id, cues: kept, language: language, span: span, source: who, on: connection)
            try await self.insertAudit(AuditEntry(who: who, action: "transcript", fingerprint: recording.fingerprint, recordingPath: recording.path,
                                                  sessionGuid: sessionGuid, before: try IndexDatabase.correctionState(language: language, span: span, cues: before),
                                                  after: try IndexDatabase.correctionState(language: language, span: span, cues: kept)),
                                       on: connection)
            return TranscriptImport(stored: kept.count, skippedVerified: 0, language: language,
                                    verifiedSegments: try await self.verifiedSegments(recordingID: id, language: language, on: connection), verifiedSpan: span)
        }
    }

    /// A captioner's file (`efterhand transcript import --database`, the API's upload), checked
    /// as in the SQLite index (`IndexDatabase.imported`). With `verified`, its stretch from first
    /// cue to last becomes verified text made in the store; without, its cues replace the drafts
    /// there, except where text is verified (those are counted as left).
    public func importTranscript(recording reference: String, captions file: CaptionFile, name: String, language requested: String?,
                                 verified: Bool) async throws -> TranscriptImport {
        try await transaction { connection in
            guard let recording = try await self.recording(reference, on: connection), let id = recording.id else {
                throw TranscriptError(description: "no recording '\(reference)' in the store (give its id, or its media root and path)")
            }
            // The linked session's language, else the audio's, else "und".
            let fallback = LanguageCode.normalize(try await self.sessionLanguage(recordingID: id, on: connection))
                ?? LanguageCode.normalize(recording.probe?.streams.first { $0.kind == .audio }?.language) ?? "und"
            let (language, cues, span) = try IndexDatabase.imported(file, name: name, language: requested, duration: recording.duration, defaultLanguage: fallback)
            guard let span else { return TranscriptImport(stored: 0, skippedVerified: 0, language: language, verifiedSegments: 0, verifiedSpan: nil) }
            let source = "import:" + (name as NSString).lastPathComponent
            guard verified else {
                try await connection.query("""
                    DELETE FROM cue WHERE recording_id = \(id) AND language = \(language) AND status = 'draft'
                    AND start_seconds < \(span.upperBound) AND end_seconds > \(span.lowerBound)
                    """, logger: self.logger)
                let stored = try await self.insertDrafts(cues.map { DraftCue($0, language: language) }, recordingID: id, source: source, on: connection)
                try await self.refreshSearch(recordingID: id, on: connection)
                return TranscriptImport(stored: stored, skippedVerified: cues.count - stored, language: language, verifiedSegments: 0, verifiedSpan: nil)
            }
            _ = try await self.storeVerified(recordingID: id, cues: cues, language: language, span: span, source: source, on: connection)
            return TranscriptImport(stored: cues.count, skippedVerified: 0, language: language,
                                    verifiedSegments: try await self.verifiedSegments(recordingID: id, language: language, on: connection),
                                    verifiedSpan: span)
        }
    }

    /// Replaces the cues of `language` that touch `span` with `cues` as verified text, marks the
    /// stretch verified (made in the store) and refreshes the search rows; returns the cues it replaced.
    func storeVerified(recordingID id: Int64, cues: [Cue], language: String, span: ClosedRange<Double>, source: String,
                       on connection: PostgresConnection) async throws -> [Cue] {
        var before: [Cue] = []
        for try await (start, end, text) in try await connection.query("""
            DELETE FROM cue WHERE recording_id = \(id) AND language = \(language) AND start_seconds < \(span.upperBound) AND end_seconds > \(span.lowerBound)
            RETURNING start_seconds, end_seconds, text
            """, logger: logger).decode((Double, Double, String).self) {
            before.append(Cue(start: start, end: end, text: text))
        }
        try await connection.query("""
            INSERT INTO verified_span (recording_id, language, start_seconds, end_seconds, made_in_store)
            VALUES (\(id), \(language), \(span.lowerBound), \(span.upperBound), true)
            """, logger: logger)
        if !cues.isEmpty {
            let starts = cues.map(\.start), ends = cues.map(\.end), texts = cues.map(\.text)
            try await connection.query("""
                INSERT INTO cue (recording_id, language, start_seconds, end_seconds, text, source, status)
                SELECT \(id), \(language), s, e, text, \(source), 'verified' FROM unnest(\(starts)::float8[], \(ends)::float8[], \(texts)::text[]) AS t(s, e, text)
                """, logger: logger)
        }
        try await refreshSearch(recordingID: id, on: connection)
        return before.sorted { $0.start < $1.start }
    }

    /// A recording's cues, text included, by language and time, and its verified stretches per
    /// language: what its transcripts are worked out from (`IndexDatabase.transcripts`).
    public func cues(recordingID id: Int64) async throws -> (cues: [StoredCue], spans: [String: [(Double, Double)]]) {
        try await transaction { connection in
            var cues: [StoredCue] = []
            for try await (language, start, end, text, source, status) in try await connection.query("""
                SELECT language, start_seconds, end_seconds, text, source, status FROM cue WHERE recording_id = \(id) ORDER BY language, start_seconds, id
                """, logger: self.logger).decode((String, Double, Double, String, String, String).self) {
                cues.append(StoredCue(cue: Cue(start: start, end: end, text: text), language: language, source: source,
                                      status: SegmentTranscript.Status(rawValue: status) ?? .draft))
            }
            return (cues, try await self.verifiedSpans(recordingID: id, on: connection))
        }
    }

    /// The stretches of a recording that are verified text, per language.
    func verifiedSpans(recordingID id: Int64, on connection: PostgresConnection) async throws -> [String: [(Double, Double)]] {
        var spans: [String: [(Double, Double)]] = [:]
        for try await (language, start, end) in try await connection.query("""
            SELECT language, start_seconds, end_seconds FROM verified_span WHERE recording_id = \(id)
            """, logger: logger).decode((String, Double, Double).self) {
            spans[language, default: []].append((start, end))
        }
        return spans
    }

    /// Inside the caller's transaction: a speech engine's draft of `pieces` of a recording, as
    /// `IndexDatabase.saveSpeechDraft` keeps one: the machine drafts that begin in them go, then
    /// `cues` are stored (`storeDrafts`). What both speech jobs (transcribe, listen) store.
    func saveSpeechDraft(_ cues: [DraftCue], recordingID id: Int64, pieces: [ClosedRange<Double>], source: String, key: String, signature: String,
                         on connection: PostgresConnection) async throws {
        for piece in pieces {
            try await connection.query("""
                DELETE FROM cue WHERE recording_id = \(id) AND status = 'draft' AND source LIKE 'asr:%'
                    AND start_seconds >= \(piece.lowerBound) AND start_seconds <= \(piece.upperBound)
                """, logger: PostgresIndex.quiet)
        }
        try await storeDrafts(cues, recordingID: id, source: source, key: key, signature: signature, on: connection)
    }

    /// Inside the caller's transaction: stores draft `cues` under `source` except where text is
    /// verified in their language, and keeps `signature` under `key` (what they were made from),
    /// as `IndexDatabase.storeDrafts` does. The caller removes the drafts they replace first
    /// and refreshes the search rows after.
    func storeDrafts(_ cues: [DraftCue], recordingID id: Int64, source: String, key: String, signature: String,
                     on connection: PostgresConnection) async throws {
        _ = try await insertDrafts(cues, recordingID: id, source: source, on: connection)
        try await connection.query("""
            INSERT INTO caption_source (recording_id, source, signature) VALUES (\(id), \(key), \(signature))
            ON CONFLICT (recording_id, source) DO UPDATE SET signature = EXCLUDED.signature
            """, logger: logger)
    }

    /// Inside the caller's transaction: inserts draft `cues` under `source` except those that
    /// touch text verified in their language; returns how many it inserted.
    func insertDrafts(_ cues: [DraftCue], recordingID id: Int64, source: String, on connection: PostgresConnection) async throws -> Int {
        let verified = try await verifiedSpans(recordingID: id, on: connection)
        let kept = cues.filter { !IndexDatabase.touches($0.cue, verified[$0.language] ?? []) }
        if !kept.isEmpty {
            let languages = kept.map(\.language), starts = kept.map(\.cue.start), ends = kept.map(\.cue.end), texts = kept.map(\.cue.text)
            let logprobs = kept.map { $0.confidence?.avgLogprob ?? .nan }, silences = kept.map { $0.confidence?.noSpeechProb ?? .nan }
            try await connection.query("""
                INSERT INTO cue (recording_id, language, start_seconds, end_seconds, text, source, status, avg_logprob, no_speech_prob)
                SELECT \(id), language, s, e, text, \(source), 'draft', NULLIF(logprob, 'NaN'), NULLIF(silence, 'NaN')
                FROM unnest(\(languages)::text[], \(starts)::float8[], \(ends)::float8[], \(texts)::text[], \(logprobs)::float8[], \(silences)::float8[])
                     AS t(language, s, e, text, logprob, silence)
                """, logger: logger)
        }
        return kept.count
    }

    /// The language of the first session a recording is linked to, as the programme gives it.
    func sessionLanguage(recordingID id: Int64, on connection: PostgresConnection) async throws -> String? {
        var found: String?
        for try await language in try await connection.query("""
            SELECT session.language FROM link JOIN session ON session.guid = link.session_guid
            WHERE link.recording_id = \(id) AND link.kind = 'link' ORDER BY link.position LIMIT 1
            """, logger: logger).decode(String?.self) {
            found = language
        }
        return found
    }

    /// How many of a recording's segments verified text of `language` now covers whole.
    func verifiedSegments(recordingID id: Int64, language: String, on connection: PostgresConnection) async throws -> Int {
        let segments = try await segmentRows(where: "recording.id = \(id)", on: connection)
        var cues: [StoredCue] = []
        for try await (cueLanguage, start, end, source, status) in try await connection.query("""
            SELECT language, start_seconds, end_seconds, source, status FROM cue WHERE recording_id = \(id) ORDER BY start_seconds, id
            """, logger: logger).decode((String, Double, Double, String, String).self) {
            cues.append(StoredCue(cue: Cue(start: start, end: end, text: ""), language: cueLanguage, source: source,
                                  status: SegmentTranscript.Status(rawValue: status) ?? .draft))
        }
        return IndexDatabase.transcripts(segments: segments, cues: cues, spans: try await verifiedSpans(recordingID: id, on: connection),
                                         defaultLanguage: language)
            .filter { $0.language == language && $0.status == .verified }.count
    }
}
