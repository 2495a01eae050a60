import Captions
import Foundation
import GRDB

/// The transcript of one segment in one language: what captioners, subtitle files and later
/// speech recognition fill in.
public struct SegmentTranscript: Sendable, Equatable {
    /// How far a segment's transcript has come.
    public enum Status: String, Sendable, Codable, Comparable {
        /// Nothing yet: a stub to be filled.
        case empty
        /// Text from subtitles or an unverified import.
        case draft
        /// Checked by a person; never overwritten.
        case verified

        public static func < (a: Status, b: Status) -> Bool {
            let order: [Status] = [.empty, .draft, .verified]
            return order.firstIndex(of: a)! < order.firstIndex(of: b)!
        }
    }

    public var segment: Segment
    public var language: String
    public var status: Status
    public var cues: [Cue]
    /// Where each of `cues` came from, in the same order (`stream:N`, `sidecar:PATH`,
    /// `import:FILE`, `asr:<engine>:<model>`).
    public var sources: [String]
    /// The cues' text, joined by spaces.
    public var text: String { cues.map(\.text).joined(separator: " ") }

    public init(segment: Segment, language: String, status: Status, cues: [Cue], sources: [String] = []) {
        self.segment = segment
        self.language = language
        self.status = status
        self.cues = cues
        self.sources = sources
    }

    /// The speech engine that drafted this segment's text (`asr:command:whisper-base`), when
    /// the text is a draft and a machine made some of it; nil for verified text, for drafts
    /// from subtitles or sidecars, and for no text.
    public var machineSource: String? {
        status == .draft ? sources.first(where: StoredCue.isMachine(source:)) : nil
    }

    /// Whether cue `index` is a machine draft (the segment is not verified and an engine made it).
    public func isMachine(_ index: Int) -> Bool {
        status == .draft && sources.indices.contains(index) && StoredCue.isMachine(source: sources[index])
    }
}

/// A timed cue as stored, with where it came from.
public struct StoredCue: Sendable, Equatable {
    public var cue: Cue
    public var language: String
    /// `stream:N`, `sidecar:PATH`, `import:FILE`, `asr:<engine>:<model>`.
    public var source: String
    public var status: SegmentTranscript.Status
    /// How sure the speech engine was, for a machine draft whose engine said.
    public var confidence: CueConfidence?

    public init(cue: Cue, language: String, source: String, status: SegmentTranscript.Status, confidence: CueConfidence? = nil) {
        self.cue = cue
        self.language = language
        self.source = source
        self.status = status
        self.confidence = confidence
    }

    /// Whether a speech engine made it (its source is `asr:`): a machine draft.
    public var isMachine: Bool { Self.isMachine(source: source) }

    /// Whether `source` names a speech engine (`asr:<engine>:<model>`).
    public static func isMachine(source: String) -> Bool { source.hasPrefix("asr:") }
}

/// A speech engine's confidence in one cue, as Whisper reports it (per decoding window, so
/// neighbouring cues often share it).
public struct CueConfidence: Sendable, Equatable, Codable {
    /// The mean log probability of the cue's tokens (`avg_logprob`; near 0 is sure, below −1 is doubtful).
    public var avgLogprob: Double?
    /// How sure the engine was that nothing was said (`no_speech_prob`, 0 to 1).
    public var noSpeechProb: Double?

    public init(avgLogprob: Double?, noSpeechProb: Double?) {
        self.avgLogprob = avgLogprob
        self.noSpeechProb = noSpeechProb
    }

    enum CodingKeys: String, CodingKey {
        case avgLogprob = "avg_logprob", noSpeechProb = "no_speech_prob"
    }
}

/// A draft cue on its way into the index: its language, and the engine's confidence if any.
public struct DraftCue: Sendable, Equatable {
    public var cue: Cue
    public var language: String
    public var confidence: CueConfidence?

    public init(_ cue: Cue, language: String, confidence: CueConfidence? = nil) {
        self.cue = cue
        self.language = language
        self.confidence = confidence
    }
}

extension IndexDatabase {
    // MARK: - Writes

    /// Replaces the draft cues that one source (a subtitle stream or a sidecar) gave a recording.
    /// Cues that fall inside verified text of their language are left out: verified text is
    /// never overwritten. Returns how many cues were stored.
    @discardableResult
    public func saveDraftCues(recordingID: Int64, source: String, signature: String, cues: [(Cue, String)]) throws -> Int {
        try writer.write { db in
            try db.execute(sql: "DELETE FROM cue WHERE recording_id = ? AND source = ? AND status = 'draft'", arguments: [recordingID, source])
            return try Self.storeDrafts(cues.map { DraftCue($0.0, language: $0.1) }, recordingID: recordingID, source: source, key: source,
                                        signature: signature, removed: db.changesCount, db: db)
        }
    }

    /// Stores the machine's draft of one stretch of a recording (a linked session's in to out),
    /// in one transaction: earlier machine drafts (`asr:` sources) that start in the stretch go,
    /// the new cues come in except where text is verified, and `key` keeps what was transcribed
    /// (`signature`: the file, the stretch, the language and the engine's model), so that the
    /// same audio is not transcribed again by the same model. Returns how many cues were stored.
    /// A stretch may be given as several `spans` (the parts of a talk not already listened to):
    /// only drafts in those go.
    @discardableResult
    public func saveSpeechDraft(recordingID: Int64, key: String, signature: String, spans: [ClosedRange<Double>], source: String,
                                cues: [DraftCue]) throws -> Int {
        try writer.write { db in
            var removed = 0
            for span in spans {
                try db.execute(sql: """
                    DELETE FROM cue WHERE recording_id = ? AND status = 'draft' AND source LIKE 'asr:%' AND start_seconds >= ? AND start_seconds <= ?
                    """, arguments: [recordingID, span.lowerBound, span.upperBound])
                removed += db.changesCount
            }
            return try Self.storeDrafts(cues, recordingID: recordingID, source: source, key: key, signature: signature, removed: removed, db: db)
        }
    }

    /// Inside the caller's transaction: stores draft `cues` under `source` except where text is
    /// verified in their language, keeps `signature` under `key` (what they were made from), and
    /// brings the recording's search rows up to date when its cues changed (`removed` cues went
    /// before, or some came in). Returns how many cues were stored.
    private static func storeDrafts(_ cues: [DraftCue], recordingID: Int64, source: String, key: String, signature: String,
                                    removed: Int, db: Database) throws -> Int {
        let spans = try verifiedSpans(recordingID: recordingID, db: db)
        var stored = 0
        for draft in cues where !touches(draft.cue, spans[draft.language] ?? []) {
            try insert(draft.cue, recordingID: recordingID, language: draft.language, source: source, status: .draft, confidence: draft.confidence, db: db)
            stored += 1
        }
        try db.execute(sql: "INSERT OR REPLACE INTO caption_source (recording_id, source, signature) VALUES (?, ?, ?)",
                       arguments: [recordingID, key, signature])
        // Search rows are made of the segments, their sessions and the cues: with no cue changed
        // they are right as they are (rebuilding them cost a cold ingest of 1000 talks 1.3 s).
        if removed > 0 || stored > 0 { try refreshSearch(recordingID: recordingID, db: db) }
        return stored
    }

    /// Remembers, in one transaction, caption sources read with nothing in them: `(recording,
    /// source, signature)`, so that they are read again only when the signature changes.
    public func markCaptionSourcesRead(_ sources: [(recordingID: Int64, source: String, signature: String)]) throws {
        guard !sources.isEmpty else { return }
        try writer.write { db in
            let statement = try db.cachedStatement(sql: "INSERT OR REPLACE INTO caption_source (recording_id, source, signature) VALUES (?, ?, ?)")
            for source in sources {
                try statement.execute(arguments: [source.recordingID, source.source, source.signature])
            }
        }
    }

    /// The recordings whose probe found a subtitle stream, asked of SQLite's JSON functions
    /// without decoding a probe.
    public func recordingsWithSubtitleStreams() throws -> Set<Int64> {
        try writer.read { db in
            Set(try Int64.fetchAll(db, sql: """
                SELECT id FROM recording WHERE probe IS NOT NULL
                AND EXISTS (SELECT 1 FROM json_each(recording.probe, '$.streams') WHERE json_extract(value, '$.kind') = 'subtitle')
                """))
        }
    }

    /// Forgets a caption source that is gone (a deleted sidecar): its draft cues go, verified ones stay.
    public func dropCaptionSource(recordingID: Int64, source: String) throws {
        try writer.write { db in
            try db.execute(sql: "DELETE FROM cue WHERE recording_id = ? AND source = ? AND status = 'draft'", arguments: [recordingID, source])
            try db.execute(sql: "DELETE FROM caption_source WHERE recording_id = ? AND source = ?", arguments: [recordingID, source])
            try Self.refreshSearch(recordingID: recordingID, db: db)
        }
    }

    /// The signatures of the caption sources read for each recording.
    public func captionSources() throws -> [Int64: [String: String]] {
        try writer.read { db in
            var sources: [Int64: [String: String]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT recording_id, source, signature FROM caption_source") {
                sources[row["recording_id"], default: [:]][row["source"]] = row["signature"]
            }
            return sources
        }
    }

    /// Stores an imported transcript (a captioner's file) in one transaction: its cues replace
    /// the cues of that language in `span` (from the file's first cue's start to its last cue's
    /// end). Without `verified`, cues in verified text are kept and the imported ones there
    /// skipped. With `verified`, exactly `span` becomes verified text: no later draft lands in it.
    /// Returns (stored, skipped).
    @discardableResult
    public func importTranscript(recordingID: Int64, cues: [Cue], language: String, source: String, verified: Bool,
                                 span: ClosedRange<Double>) throws -> (stored: Int, skipped: Int) {
        let first = span.lowerBound, last = span.upperBound
        return try writer.write { db in
            let spans = verified ? [] : (try Self.verifiedSpans(recordingID: recordingID, db: db)[language] ?? [])
            if verified {
                try db.execute(sql: "DELETE FROM cue WHERE recording_id = ? AND language = ? AND start_seconds < ? AND end_seconds > ?",
                               arguments: [recordingID, language, last, first])
                try db.execute(sql: "INSERT INTO verified_span (recording_id, language, start_seconds, end_seconds, verified_at) VALUES (?, ?, ?, ?, ?)",
                               arguments: [recordingID, language, first, last, Date().timeIntervalSince1970])
            } else {
                try db.execute(sql: "DELETE FROM cue WHERE recording_id = ? AND language = ? AND status = 'draft' AND start_seconds < ? AND end_seconds > ?",
                               arguments: [recordingID, language, last, first])
            }
            var stored = 0
            var skipped = 0
            for cue in cues where !cue.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                if Self.touches(cue, spans) { skipped += 1; continue }
                try Self.insert(cue, recordingID: recordingID, language: language, source: source, status: verified ? .verified : .draft, db: db)
                stored += 1
            }
            try Self.refreshSearch(recordingID: recordingID, db: db)
            return (stored, skipped)
        }
    }

    // MARK: - Reads

    /// Every cue of a recording, by time.
    public func cues(recordingID: Int64) throws -> [StoredCue] {
        try writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM cue WHERE recording_id = ? ORDER BY language, start_seconds, id", arguments: [recordingID]).map {
                try Self.storedCue($0)
            }
        }
    }

    /// The transcript of each segment of a recording, per language: cues assigned to the segment
    /// where most of them lies; `verified` where a verified span covers the segment, `draft`
    /// where it has cues, else `empty`. `defaultLanguage` gives every segment at least a stub.
    public func transcripts(recordingID: Int64, defaultLanguage: String) throws -> [SegmentTranscript] {
        let segments = try segments(recordingID: recordingID)
        let cues = try cues(recordingID: recordingID)
        let spans = try writer.read { db in try Self.verifiedSpans(recordingID: recordingID, db: db) }
        return Self.transcripts(segments: segments, cues: cues, spans: spans, defaultLanguage: defaultLanguage)
    }

    // MARK: - Helpers

    /// A captioner's first cue starts at the first word, not at the cut, and the last ends with
    /// the last word: verified text that leaves at most this much (or a quarter of a short
    /// segment) uncovered at either end of a segment counts as covering it whole.
    static let verifiedEdgeSeconds = 5.0

    /// Whether verified text covers `segment` whole (see `verifiedEdgeSeconds`).
    static func covers(_ spans: [(Double, Double)], _ segment: Segment) -> Bool {
        let edge = min(verifiedEdgeSeconds, (segment.endSeconds - segment.startSeconds) / 4)
        return spans.contains { $0.0 <= segment.startSeconds + edge && $0.1 >= segment.endSeconds - edge }
    }

    /// The segment where most of a cue lies (a cue crossing a boundary goes to the larger side).
    static func segmentFor(_ cue: Cue, among segments: [Segment]) -> Segment? {
        var best: (Segment, Double)? = nil
        for segment in segments {
            let overlap = min(cue.end, segment.endSeconds) - max(cue.start, segment.startSeconds)
            if overlap > (best?.1 ?? 0) { best = (segment, overlap) }
        }
        if best == nil, let containing = segments.first(where: { cue.start >= $0.startSeconds && cue.start < $0.endSeconds }) { return containing }
        return best?.0
    }

    /// `items` grouped by the segment where most of each one's cue lies (see `segmentFor`), keyed
    /// by the segment's start, in the order given; items that fall in no segment are left out.
    static func bySegment<T>(_ items: [T], among segments: [Segment], cue: (T) -> Cue) -> [Double: [T]] {
        var grouped: [Double: [T]] = [:]
        for item in items {
            if let segment = segmentFor(cue(item), among: segments) { grouped[segment.startSeconds, default: []].append(item) }
        }
        return grouped
    }

    /// The stretches of a recording a person verified, per language (for `efterhand gather`).
    public func verifiedSpans(recordingID: Int64) throws -> [String: [(Double, Double)]] {
        try writer.read { db in try Self.verifiedSpans(recordingID: recordingID, db: db) }
    }

    static func verifiedSpans(recordingID: Int64, db: Database) throws -> [String: [(Double, Double)]] {
        var spans: [String: [(Double, Double)]] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT language, start_seconds, end_seconds FROM verified_span WHERE recording_id = ?", arguments: [recordingID]) {
            spans[row["language"], default: []].append((row["start_seconds"], row["end_seconds"]))
        }
        return spans
    }

    /// Whether a cue touches verified text: a draft that overlaps it at all would stand beside
    /// the verified words in the public transcript, so it is kept out.
    public static func touches(_ cue: Cue, _ spans: [(Double, Double)]) -> Bool {
        spans.contains { cue.start < $0.1 && cue.end > $0.0 || (cue.start == cue.end && cue.start >= $0.0 && cue.start <= $0.1) }
    }

    static func insert(_ cue: Cue, recordingID: Int64, language: String, source: String, status: SegmentTranscript.Status,
                       confidence: CueConfidence? = nil, db: Database) throws {
        try db.execute(sql: """
            INSERT INTO cue (recording_id, language, start_seconds, end_seconds, text, speaker, source, status, avg_logprob, no_speech_prob)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [recordingID, language, cue.start, cue.end, cue.text, cue.speaker, source, status.rawValue,
                             confidence?.avgLogprob, confidence?.noSpeechProb])
    }

    /// A `cue` row as a `StoredCue`.
    static func storedCue(_ row: Row) throws -> StoredCue {
        let avgLogprob: Double? = row["avg_logprob"], noSpeechProb: Double? = row["no_speech_prob"]
        return StoredCue(cue: Cue(start: row["start_seconds"], end: row["end_seconds"], text: row["text"], speaker: row["speaker"]),
                         language: row["language"], source: row["source"], status: try StoredValue.decode(row["status"], column: "cue.status"),
                         confidence: avgLogprob == nil && noSpeechProb == nil ? nil : CueConfidence(avgLogprob: avgLogprob, noSpeechProb: noSpeechProb))
    }
}

/// Language codes as the index keeps them: two letters where there are two (`swe` → `sv`).
public enum LanguageCode {
    public static let threeToTwo = ["swe": "sv", "eng": "en", "fin": "fi", "nor": "no", "nob": "nb", "dan": "da", "deu": "de", "ger": "de",
                             "fra": "fr", "fre": "fr", "spa": "es", "ara": "ar", "som": "so", "per": "fa", "fas": "fa"]

    /// `swe` → `sv`, `sv-SE` → `sv`, `und` → nil.
    public static func normalize(_ code: String?) -> String? {
        guard let code = code?.trimmingCharacters(in: .whitespaces).lowercased(), !code.isEmpty, code != "und" else { return nil }
        let base = String(code.split(separator: "-").first ?? Substring(code))
        return threeToTwo[base] ?? base
    }
}
