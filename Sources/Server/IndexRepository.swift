import Captions
import Foundation
import Feed
import IndexStore
import Pipeline

/// Everything the routes read and write of the index (Hummingbird's repository template): the
/// catalogue's reads, search, transcripts, and the writes staff make (decisions, publication,
/// chapters, transcripts). `IndexDatabase` is
/// the one `efterhand serve` uses; a route test may build one from values instead of an
/// FFmpeg ingest of `Media/`.
public protocol IndexRepository: IndexReading {
    /// Ranked segments that match `query` (see `IndexDatabase.search`).
    func search(_ query: SearchQuery, timeLimit: Duration?) throws -> [SearchHit]
    /// Counts per topic, day, room and speaker of what `query` matches.
    func facets(_ query: SearchQuery, timeLimit: Duration?) throws -> SearchFacets
    /// Both of one state of the index (see `IndexDatabase.searchWithFacets`), the facets
    /// looked up in `facetTable` when one is given.
    func searchWithFacets(_ query: SearchQuery, timeLimit: Duration?, facetTable: SearchFacetTable?) throws -> (hits: [SearchHit], facets: SearchFacets)
    /// A recording's transcript, text included; nil for an unknown id.
    func recordingTranscripts(recordingID: Int64) throws -> RecordingTranscripts?
    /// One recording by id or path.
    func recording(idOrPath: String) throws -> StoredRecording?
    /// Links and candidates by recording id.
    func links() throws -> [Int64: [StoredLink]]
    /// Records and applies a person's decision (`efterhand link accept|reject|unlink`); `who`
    /// goes into the audit log. With `seen` (the `LinkState.token` its maker saw), refused with
    /// `DecisionConflict` if the recording's links changed since.
    func decide(_ action: Decision.Action, recording: String, session: String?, inSeconds: Double?, outSeconds: Double?, by who: String, seen: String?) throws -> StoredRecording
    /// The audit log, newest first: all of it, or one session's or recording's (see `IndexDatabase.auditEntries`).
    func auditEntries(sessionGuid: String?, fingerprint: String?, limit: Int) throws -> [AuditEntry]
    /// Hides a session or publishes it again (see `IndexDatabase.setHidden`).
    func setHidden(_ hidden: Bool, sessionGuid: String, by who: String) throws
    /// Stores a transcript a person corrected (`efterhand transcript import`).
    func importTranscript(recording: String, captions: CaptionFile, name: String, language: String?, verified: Bool) throws -> TranscriptImport
    /// Stores cues a person corrected as verified text over the stretch they checked (see
    /// `IndexDatabase.correctTranscript`).
    func correctTranscript(recordingID: Int64, cues: [Cue], language: String, span: ClosedRange<Double>, sessionGuid: String?, by who: String) throws -> TranscriptImport
    /// Every cue of a recording, by language and time.
    func cues(recordingID: Int64) throws -> [StoredCue]
    /// The caption report (`efterhand report`).
    func captionCoverage() throws -> [CaptionCoverage]
    /// The search index as a static publish carries it (see `StaticSearchData`).
    func staticSearchData() throws -> StaticSearchData
    /// Sets or resets a session's chapters in a recording (`efterhand chapters set|reset`).
    func setChapters(_ chapters: [ManualChapter]?, recording: String, session: String, by who: String) throws -> [Segment]
    /// Whether the store keeps pictures itself (`thumbnailJPEG`); the SQLite index keeps them as
    /// files in its folder.
    var keepsThumbnails: Bool { get }
    /// A made picture's JPEG kept in the store, by the file the feed names; nil when it has none.
    func thumbnailJPEG(file: String) throws -> Data?
    /// Where staff sign-ins are kept when the store keeps them for every server that reads it;
    /// nil: in the server's memory (`SignInsInMemory`).
    var signIns: (any SignInKeeper)? { get }
}

extension IndexRepository {
    public var keepsThumbnails: Bool { false }

    public func thumbnailJPEG(file: String) throws -> Data? { nil }

    public var signIns: (any SignInKeeper)? { nil }

    /// One after the other: a repository of values has no commits to fall between them.
    public func searchWithFacets(_ query: SearchQuery, timeLimit: Duration?, facetTable: SearchFacetTable?) throws -> (hits: [SearchHit], facets: SearchFacets) {
        (try search(query, timeLimit: timeLimit), try facets(query, timeLimit: timeLimit))
    }
}

extension IndexDatabase: IndexRepository {
    public func decide(_ action: Decision.Action, recording: String, session: String?, inSeconds: Double?, outSeconds: Double?, by who: String, seen: String?) throws -> StoredRecording {
        try LinkStage(database: self).decide(action, recording: recording, session: session, inSeconds: inSeconds, outSeconds: outSeconds, by: who, seen: seen)
    }

    public func setChapters(_ chapters: [ManualChapter]?, recording: String, session: String, by who: String) throws -> [Segment] {
        try LinkStage(database: self).setChapters(chapters, recording: recording, session: session, by: who)
    }
}
