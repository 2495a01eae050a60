import Captions
import Foundation
import GRDB
import Schedule

/// A picture the index names, by its file relative to the index folder (`thumbnails/ab/….jpg`):
/// made, or planned and made when first asked for (see `StoredThumbnail`).
public struct ThumbnailFile: Sendable, Equatable {
    public var file: String
    public var width: Int
    public var height: Int
    /// Seconds into the recording of the frame it shows (or is to show).
    public var time: Double? = nil

    public init(file: String, width: Int, height: Int, time: Double? = nil) {
        self.file = file
        self.width = width
        self.height = height
        self.time = time
    }
}

/// How far one segment's transcript has come in one language, without its text.
public struct TranscriptState: Sendable, Equatable {
    public var segmentID: Int64?
    public var language: String
    public var status: SegmentTranscript.Status
    /// Cues assigned to the segment in that language.
    public var cues: Int
    /// Whether its draft text was made by a speech engine (not subtitles, a sidecar or a person).
    public var machine: Bool = false
}

/// Everything the feed and the API read, taken in one read transaction: in WAL mode that is one
/// committed state of the index, whatever `efterhand ingest` writes meanwhile. Plain values,
/// safe to share between requests.
public struct IndexSnapshot: Sendable {
    /// The conference header, when a programme was stored.
    public var conference: Conference?
    /// Sessions in the programme, by start.
    public var sessions: [Session]
    /// Recordings whose files are present (not `missing`), by path.
    public var recordings: [StoredRecording]
    /// Links and candidates by recording id, in stored order.
    public var links: [Int64: [StoredLink]]
    /// Segments by recording id, in order.
    public var segments: [Int64: [Segment]]
    /// Transcript states by recording id: one per segment and language (at least the default
    /// language), as `transcripts(recordingID:defaultLanguage:)` decides them.
    public var transcripts: [Int64: [TranscriptState]]
    /// The language a recording's transcript defaults to (its session's, else its audio's, else `und`).
    public var defaultLanguages: [Int64: String]
    /// Thumbnail files by key (see `ThumbnailKey`).
    public var thumbnails: [String: ThumbnailFile]
    /// The resolved media roots (see `mediaRoots()`): the server serves no file outside them.
    public var mediaRoots: [String] = []
    /// Sessions a person hid (`setHidden`): never published while hidden.
    public var hiddenSessions: Set<String> = []
    /// What search facets need of each search row (see `SearchFacetTable`); nil in a
    /// snapshot built from values.
    public var facetTable: SearchFacetTable?
    /// A token per recording that changes whenever its cues or segments do (their count and
    /// latest id: both tables' ids only grow), for the watch page to put in its track addresses,
    /// so that a browser fetches a corrected transcript at once instead of keeping its copy for
    /// the API's max-age.
    public var trackRevisions: [Int64: String] = [:]

    public init(conference: Conference?, sessions: [Session], recordings: [StoredRecording], links: [Int64: [StoredLink]],
                segments: [Int64: [Segment]], transcripts: [Int64: [TranscriptState]] = [:], defaultLanguages: [Int64: String] = [:],
                thumbnails: [String: ThumbnailFile] = [:], mediaRoots: [String] = []) {
        self.conference = conference
        self.sessions = sessions
        self.recordings = recordings
        self.links = links
        self.segments = segments
        self.transcripts = transcripts
        self.defaultLanguages = defaultLanguages
        self.thumbnails = thumbnails
        self.mediaRoots = mediaRoots
    }
}

/// The transcript of one recording, text included, read in one transaction.
public struct RecordingTranscripts: Sendable {
    public var recordingID: Int64
    public var defaultLanguage: String
    /// Per segment and language, with cues, in segment order then language.
    public var transcripts: [SegmentTranscript]
    /// Languages with any cue or verified text, sorted; the default language when none.
    public var languages: [String]
}

extension IndexDatabase {
    // MARK: - Reads

    /// Reads the state the feed and API are rendered from, in one read transaction.
    public func snapshot() throws -> IndexSnapshot {
        try writer.read { db in
            let conference = try Row.fetchOne(db, sql: "SELECT * FROM conference WHERE id = 1").map {
                Conference(title: $0["title"], acronym: $0["acronym"], timeZone: $0["time_zone"])
            }
            let sessions = try Row.fetchAll(db, sql: "SELECT * FROM session WHERE in_programme = 1 ORDER BY start, room, guid").map(Self.session)
            let recordings = try Row.fetchAll(db, sql: "SELECT * FROM recording WHERE state != 'missing' ORDER BY path").map(Self.recording)
            var links: [Int64: [StoredLink]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT * FROM link ORDER BY recording_id, kind, position") {
                links[row["recording_id"], default: []].append(try Self.link(row))
            }
            var segments: [Int64: [Segment]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT * FROM segment ORDER BY recording_id, start_seconds, position") {
                segments[row["recording_id"], default: []].append(try Self.segment(row))
            }
            // Cue extents only: the statuses need where cues lie, not what they say.
            var cues: [Int64: [StoredCue]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT recording_id, language, start_seconds, end_seconds, source, status FROM cue ORDER BY recording_id, language, start_seconds, id") {
                cues[row["recording_id"], default: []].append(StoredCue(cue: Cue(start: row["start_seconds"], end: row["end_seconds"], text: ""),
                                                                        language: row["language"], source: row["source"],
                                                                        status: try StoredValue.decode(row["status"], column: "cue.status")))
            }
            var spans: [Int64: [String: [(Double, Double)]]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT recording_id, language, start_seconds, end_seconds FROM verified_span") {
                spans[row["recording_id"], default: [:]][row["language"], default: []].append((row["start_seconds"], row["end_seconds"]))
            }
            var thumbnails: [String: ThumbnailFile] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT key, file, width, height, time_seconds FROM thumbnail") {
                thumbnails[row["key"]] = ThumbnailFile(file: row["file"], width: row["width"], height: row["height"], time: row["time_seconds"])
            }

            var revisions: [Int64: String] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT recording_id, count(*), max(id) FROM cue GROUP BY recording_id") {
                revisions[row[0]] = "\(row[1] as Int)c\(row[2] as Int64)"
            }
            var snapshot = IndexSnapshot.assemble(conference: conference, sessions: sessions, recordings: recordings, links: links, segments: segments,
                                                  cues: cues, spans: spans, cueRevisions: revisions, thumbnails: thumbnails,
                                                  mediaRoots: try Self.mediaRoots(db), hidden: try Self.hiddenSessions(db))
            snapshot.facetTable = try Self.facetTable(db)
            return snapshot
        }
    }

    /// The transcript of one recording with its text, read in one transaction; nil when the
    /// index has no such recording.
    public func recordingTranscripts(recordingID: Int64) throws -> RecordingTranscripts? {
        try writer.read { db in
            guard let recording = try Row.fetchOne(db, sql: "SELECT * FROM recording WHERE id = ?", arguments: [recordingID]).map(Self.recording) else {
                return nil
            }
            let links = try Row.fetchAll(db, sql: "SELECT * FROM link WHERE recording_id = ? ORDER BY kind, position", arguments: [recordingID]).map(Self.link)
            var languages: [String: String?] = [:]
            for guid in Set(links.map(\.sessionGuid)) {
                languages[guid] = try String.fetchOne(db, sql: "SELECT language FROM session WHERE guid = ?", arguments: [guid])
            }
            let segments = try Row.fetchAll(db, sql: "SELECT * FROM segment WHERE recording_id = ? ORDER BY start_seconds, position", arguments: [recordingID])
                .map(Self.segment)
            let cues = try Row.fetchAll(db, sql: "SELECT * FROM cue WHERE recording_id = ? ORDER BY language, start_seconds, id", arguments: [recordingID])
                .map(Self.storedCue)
            let spans = try Self.verifiedSpans(recordingID: recordingID, db: db)
            return RecordingTranscripts.assemble(recording: recording, links: links, sessionLanguages: languages, segments: segments, cues: cues, spans: spans)
        }
    }

    // MARK: - Watching for commits

    /// A cheap way to learn whether anything was committed to the index since the last look,
    /// by this process or another (`efterhand ingest`): `PRAGMA data_version` on one connection
    /// of its own. Nil for an index in memory, which has no other writers to watch.
    public func changeWatch() throws -> IndexChangeWatch? {
        guard let folder else { return nil }
        // An immutable index never changes: a watch that always says so.
        if isImmutable { return IndexChangeWatch(queue: nil) }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(10)
        configuration.label = "efterhand.change-watch"
        let path = (folder as NSString).appendingPathComponent(Self.fileName)
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        return IndexChangeWatch(queue: queue, sharedMemoryPath: path + "-shm")
    }

    // MARK: - Helpers

    /// The language of the first linked session that names one, else the audio's, else `und`
    /// (as `defaultLanguage(recordingID:probeLanguage:)` decides it).
    static func defaultLanguage(links: [StoredLink], sessionLanguages: [String: String?], recording: StoredRecording) -> String {
        for link in links where link.kind == .link {
            if let language = LanguageCode.normalize(sessionLanguages[link.sessionGuid] ?? nil) { return language }
        }
        return LanguageCode.normalize(recording.probe?.streams.first { $0.kind == .audio }?.language) ?? "und"
    }

    /// Per segment and language: the cues assigned to it and its status. The same rules as
    /// `transcripts(recordingID:defaultLanguage:)`, over values already read.
    public static func transcripts(segments: [Segment], cues: [StoredCue], spans: [String: [(Double, Double)]],
                            defaultLanguage: String) -> [SegmentTranscript] {
        var languages = Set(cues.map(\.language)).union(spans.keys)
        if languages.isEmpty { languages.insert(defaultLanguage) }
        let assigned = Dictionary(grouping: cues, by: \.language).mapValues { bySegment($0, among: segments, cue: \.cue) }
        var result: [SegmentTranscript] = []
        for segment in segments {
            for language in languages.sorted() {
                let mine = assigned[language]?[segment.startSeconds] ?? []
                let covered = Self.covers(spans[language] ?? [], segment)
                let status: SegmentTranscript.Status = covered ? .verified : (mine.isEmpty ? .empty : .draft)
                result.append(SegmentTranscript(segment: segment, language: language, status: status, cues: mine.map(\.cue), sources: mine.map(\.source)))
            }
        }
        return result
    }
}

/// Learns whether the index changed since the last look; see `IndexDatabase.changeWatch()`.
///
/// A server asks before every request, so the usual answer, "nothing changed", is made cheap:
/// the header of the index's wal-index (the `-shm` file that every connection of a WAL
/// database shares; format in https://www.sqlite.org/walformat.html) is read with one
/// `pread`, and `PRAGMA data_version` runs only when it differs from the header seen at the
/// last pragma. Every commit rewrites that header (its change counter goes up), so an
/// unchanged header means no commit; a header caught mid-write (its two copies differ) or
/// no header at all means asking SQLite, as before.
public final class IndexChangeWatch: @unchecked Sendable {
    /// Nil for an index that cannot change.
    private let queue: DatabaseQueue?
    private let sharedMemoryPath: String?
    private let lock = NSLock()
    /// The `-shm` file, open for reading once it exists (SQLite makes it with the first read).
    private var sharedMemory: Int32 = -1
    /// The header read just before the last pragma, and what the pragma said.
    private var seen: (header: [UInt8], version: Int64)?

    init(queue: DatabaseQueue?, sharedMemoryPath: String? = nil) {
        self.queue = queue
        self.sharedMemoryPath = sharedMemoryPath
    }

    deinit {
        if sharedMemory >= 0 { close(sharedMemory) }
    }

    /// One copy of the wal-index header; the file begins with two.
    static let headerSize = 48

    /// The wal-index header when both of its copies agree and it is initialised; else nil.
    func walIndexHeader() -> [UInt8]? {
        let file = lock.withLock { sharedMemory }
        guard file >= 0 else { return nil }
        var bytes = [UInt8](repeating: 0, count: 2 * Self.headerSize)
        let count = bytes.withUnsafeMutableBytes { pread(file, $0.baseAddress, $0.count, 0) }
        // Byte 12 is isInit; a header not written yet is zeros.
        guard count == 2 * Self.headerSize, bytes[12] == 1,
              bytes[0..<Self.headerSize].elementsEqual(bytes[Self.headerSize...]) else { return nil }
        return Array(bytes[0..<Self.headerSize])
    }

    /// A number that differs from the one returned before whenever any other connection (this
    /// process's writer included) committed in between. Only compare values from one watch.
    public func version() throws -> Int64 {
        guard let queue else { return 0 }
        // The header is read before the pragma: a commit between the two leaves a newer version
        // beside an older header, and the next call asks again. The other order could keep an
        // old version beside a new header and miss the commit.
        let header = walIndexHeader()
        if let header, let seen = lock.withLock({ seen }), seen.header == header { return seen.version }
        // One statement on a read-only connection: it starts and ends its own read, which is
        // what refreshes the counter; a transaction around it would only add statements.
        let version = try queue.inDatabase { db in try Int64.fetchOne(db.cachedStatement(sql: "PRAGMA data_version")) ?? 0 }
        lock.withLock {
            if let header { seen = (header, version) }
            if sharedMemory < 0, let sharedMemoryPath { sharedMemory = open(sharedMemoryPath, O_RDONLY | O_CLOEXEC) }
        }
        return version
    }
}

extension IndexSnapshot {
    /// A snapshot made of what a store read in one transaction, by the same rules in both
    /// stores: each recording's default language, its transcripts' states (from where cues lie
    /// and which spans a person verified) and its track revision (`cueRevisions`: the store's
    /// token of its cues, joined here with its segments').
    public static func assemble(conference: Conference?, sessions: [Session], recordings: [StoredRecording], links: [Int64: [StoredLink]],
                                segments: [Int64: [Segment]], cues: [Int64: [StoredCue]], spans: [Int64: [String: [(Double, Double)]]],
                                cueRevisions: [Int64: String], thumbnails: [String: ThumbnailFile], mediaRoots: [String],
                                hidden: Set<String>) -> IndexSnapshot {
        let languages = Dictionary(sessions.map { ($0.guid, $0.language) }, uniquingKeysWith: { a, _ in a })
        var defaults: [Int64: String] = [:]
        var transcripts: [Int64: [TranscriptState]] = [:]
        for recording in recordings {
            guard let id = recording.id else { continue }
            let language = IndexDatabase.defaultLanguage(links: links[id] ?? [], sessionLanguages: languages, recording: recording)
            defaults[id] = language
            transcripts[id] = IndexDatabase.transcripts(segments: segments[id] ?? [], cues: cues[id] ?? [], spans: spans[id] ?? [:], defaultLanguage: language)
                .map { TranscriptState(segmentID: $0.segment.id, language: $0.language, status: $0.status, cues: $0.cues.count,
                                       machine: $0.machineSource != nil) }
        }
        var snapshot = IndexSnapshot(conference: conference, sessions: sessions, recordings: recordings, links: links, segments: segments,
                                     transcripts: transcripts, defaultLanguages: defaults, thumbnails: thumbnails, mediaRoots: mediaRoots)
        snapshot.hiddenSessions = hidden
        for (id, list) in segments {
            let latest = list.compactMap(\.id).max() ?? 0
            snapshot.trackRevisions[id] = (cueRevisions[id] ?? "0") + "s\(list.count)-\(latest)"
        }
        return snapshot
    }
}

extension RecordingTranscripts {
    /// One recording's transcripts, text included, by the same rules in both stores.
    public static func assemble(recording: StoredRecording, links: [StoredLink], sessionLanguages: [String: String?], segments: [Segment],
                                cues: [StoredCue], spans: [String: [(Double, Double)]]) -> RecordingTranscripts? {
        guard let id = recording.id else { return nil }
        let language = IndexDatabase.defaultLanguage(links: links, sessionLanguages: sessionLanguages, recording: recording)
        let transcripts = IndexDatabase.transcripts(segments: segments, cues: cues, spans: spans, defaultLanguage: language)
        return RecordingTranscripts(recordingID: id, defaultLanguage: language, transcripts: transcripts,
                                    languages: Array(Set(transcripts.map(\.language))).sorted())
    }
}
