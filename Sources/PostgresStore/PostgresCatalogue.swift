import Captions
import Foundation
import IndexStore
import Linking
import Logging
import MediaProbe
import PostgresNIO
import Schedule
import Synchronization

/// What `efterhand serve --database` answers from (issue 23 part 4): the store's catalogue read
/// into one `IndexSnapshot` in one transaction, read again after every commit notice
/// (`LISTEN efterhand_commit`), and after a lost connection as soon as it listens again. Servers
/// hold nothing else: several behind a load balancer give the same answers.
public final class PostgresCatalogue: Sendable {
    public let database: PostgresIndex
    /// Where this machine finds each media root (to serve the recordings themselves).
    public let roots: MediaRootMap
    private let state = Mutex<(snapshot: IndexSnapshot?, version: Int64)>((nil, 0))
    /// Catalogue reads begun and the latest one ended, by the order they began.
    private let reads = Mutex<(started: Int64, finished: Int64)>((0, 0))
    private let logger = Logger(label: "efterhand.server")

    public init(database: PostgresIndex, roots: MediaRootMap) {
        self.database = database
        self.roots = roots
    }

    /// Follows commits until cancelled: reads the catalogue at once, then after each notice.
    /// A read that fails (a connection cut along with the listening one) starts the listening
    /// over, which reads again; the last catalogue is served meanwhile.
    public func follow() async throws {
        try await database.followCommits {
            do {
                let ticket = self.reads.withLock { reads in
                    reads.started += 1
                    return reads.started
                }
                let snapshot = try await self.read(within: self.readLimit)
                self.state.withLock { $0 = (snapshot, $0.version + 1) }
                self.reads.withLock { $0.finished = max($0.finished, ticket) }
            } catch let error as PostgresStoreError {
                self.logger.error("cannot read the catalogue: \(error); reading again")
                throw ReadAgain()
            }
            return true
        }
    }

    /// Not a `PostgresStoreError`: `followCommits` listens again (and reads again) after it.
    struct ReadAgain: Error {}

    /// How long one read of the catalogue may take before it is given up and made again.
    let readLimit: Duration = .seconds(5)

    /// `read()`, given up after `limit`: a read that asked the pool for a connection just as
    /// every connection was cut was seen to wait for ever, ignoring cancellation (postgres-nio
    /// 1.33.2), and the server with it stopped following commits. Such a read is left behind
    /// (it holds nothing the next read needs) and the next read goes through a new connection.
    func read(within limit: Duration) async throws -> IndexSnapshot {
        let first = FirstAnswer<IndexSnapshot>()
        return try await withCheckedThrowingContinuation { continuation in
            first.continuation = continuation
            Task { first.give(await Result(catching: { try await self.read() })) }
            Task {
                try? await Task.sleep(for: limit)
                first.give(.failure(PostgresStoreError.server("no catalogue read from \(self.database.location) within \(limit)")))
            }
        }
    }

    /// Reads the catalogue once, without following commits: what a command that reads one
    /// state of the store (`publish --database`) answers from.
    public func readOnce() async throws {
        let snapshot = try await read()
        state.withLock { $0 = (snapshot, $0.version + 1) }
    }

    /// Waits until the first catalogue is read (at most `timeout`).
    public func waitForFirstRead(timeout: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now + timeout
        while state.withLock({ $0.snapshot == nil }) {
            guard ContinuousClock.now < deadline else { throw PostgresStoreError.server("no catalogue read from \(database.location) within \(timeout)") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// The catalogue as last read; empty before the first read.
    public var snapshot: IndexSnapshot {
        state.withLock { $0.snapshot } ?? IndexSnapshot(conference: nil, sessions: [], recordings: [], links: [:], segments: [:])
    }

    /// Counts the reads: changes with every commit the server has taken in.
    public var version: Int64 { state.withLock { $0.version } }

    /// Waits, at most `timeout`, for a catalogue read that begins after this call to end: called
    /// after a commit of this process's own, so that the page a person is sent to next shows
    /// their change (a read already under way may have begun before the commit).
    public func catchUp(timeout: Duration = .seconds(3)) async {
        let mark = reads.withLock { $0.started }
        let deadline = ContinuousClock.now + timeout
        while reads.withLock({ $0.finished <= mark }), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Everything the feed and the API read, in one transaction (REPEATABLE READ: one state).
    public func read() async throws -> IndexSnapshot {
        let roots = roots
        return try await database.transaction { connection in
            try await connection.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", logger: self.logger)
            let decoder = JSONDecoder()
            func rows(_ query: PostgresQuery) async throws -> PostgresRowSequence { try await connection.query(query, logger: self.logger) }
            var conference: Conference?
            for try await document in try await rows("SELECT document::text FROM conference WHERE id = 1").decode(String.self) {
                conference = try? decoder.decode(Conference.self, from: Data(document.utf8))
            }
            let sessions = try await self.database.programme(on: connection)
            var recordings: [StoredRecording] = []
            for try await row in try await rows("""
                SELECT id, media_root, path, fingerprint, size, mtime, state, probe::text, error_code, error_message, duration, link_status,
                       recording_start, recording_start_source, duplicate_of
                FROM recording WHERE state <> 'missing' ORDER BY media_root, path
                """).decode((Int64, String, String, String?, Int64?, Double?, String, String?, String?, String?, Double?, String, Double?, String?, Int64?).self) {
                let folder = roots.folders[row.1]
                recordings.append(StoredRecording(
                    id: row.0, path: row.1 + "/" + row.2, absolutePath: folder.map { ($0 as NSString).appendingPathComponent(row.2) } ?? "",
                    fingerprint: row.3, size: row.4, mtime: row.5, state: RecordingState(rawValue: row.6) ?? .failed,
                    probe: row.7.flatMap { try? decoder.decode(ProbeResult.self, from: Data($0.utf8)) }, errorCode: row.8, errorMessage: row.9,
                    duration: row.10, linkStatus: LinkStatus(rawValue: row.11) ?? .unmatched,
                    recordingStart: row.12.map(Date.init(timeIntervalSince1970:)), recordingStartSource: row.13.flatMap(StartSource.init(rawValue:)),
                    duplicateOf: row.14))
            }
            var links: [Int64: [StoredLink]] = [:]
            for try await (id, document) in try await rows("SELECT recording_id, document::text FROM link ORDER BY recording_id, kind, position").decode((Int64, String).self) {
                if let link = try? decoder.decode(StoredLink.self, from: Data(document.utf8)) { links[id, default: []].append(link) }
            }
            var segments: [Int64: [Segment]] = [:]
            for try await row in try await rows("""
                SELECT id, recording_id, session_guid, position, start_seconds, end_seconds, title, topics::text, source
                FROM segment ORDER BY recording_id, start_seconds, position
                """).decode((Int64, Int64, String, Int, Double, Double, String, String, String).self) {
                segments[row.1, default: []].append(Segment(id: row.0, recordingID: row.1, sessionGuid: row.2, position: row.3, startSeconds: row.4,
                                                             endSeconds: row.5, title: row.6, topics: PostgresIndex.list(row.7),
                                                             source: Segment.Source(rawValue: row.8) ?? .session))
            }
            var cues: [Int64: [StoredCue]] = [:]
            for try await row in try await rows("""
                SELECT recording_id, language, start_seconds, end_seconds, source, status FROM cue ORDER BY recording_id, language, start_seconds, id
                """).decode((Int64, String, Double, Double, String, String).self) {
                cues[row.0, default: []].append(StoredCue(cue: Cue(start: row.2, end: row.3, text: ""), language: row.1, source: row.4,
                                                          status: SegmentTranscript.Status(rawValue: row.5) ?? .draft))
            }
            var spans: [Int64: [String: [(Double, Double)]]] = [:]
            for try await (id, language, start, end) in try await rows("SELECT recording_id, language, start_seconds, end_seconds FROM verified_span").decode((Int64, String, Double, Double).self) {
                spans[id, default: [:]][language, default: []].append((start, end))
            }
            var revisions: [Int64: String] = [:]
            for try await (id, count, latest) in try await rows("SELECT recording_id, count(*)::int, max(id) FROM cue GROUP BY recording_id").decode((Int64, Int, Int64).self) {
                revisions[id] = "\(count)c\(latest)"
            }
            var hidden = Set<String>()
            for try await guid in try await rows("SELECT session_guid FROM publication WHERE hidden").decode(String.self) { hidden.insert(guid) }
            var thumbnails: [String: ThumbnailFile] = [:]
            for try await (key, file, width, height, time) in try await rows("SELECT key, file, width, height, time_seconds FROM thumbnail")
                .decode((String, String, Int, Int, Double?).self) {
                thumbnails[key] = ThumbnailFile(file: file, width: width, height: height, time: time)
            }
            let mediaRoots = roots.folders.values.compactMap(MediaFiles.resolved).sorted()
            return IndexSnapshot.assemble(conference: conference, sessions: sessions, recordings: recordings, links: links, segments: segments,
                                          cues: cues, spans: spans, cueRevisions: revisions, thumbnails: thumbnails, mediaRoots: mediaRoots, hidden: hidden)
        }
    }

    /// One recording's transcripts, text included, by the same rules as the SQLite index's.
    public func recordingTranscripts(recordingID: Int64) async throws -> RecordingTranscripts? {
        let current = snapshot
        guard let recording = current.recordings.first(where: { $0.id == recordingID }) else { return nil }
        let links = current.links[recordingID] ?? []
        let languages = Dictionary(current.sessions.map { ($0.guid, $0.language) }, uniquingKeysWith: { a, _ in a })
        let (cues, spans) = try await database.cues(recordingID: recordingID)
        return RecordingTranscripts.assemble(recording: recording, links: links, sessionLanguages: languages,
                                             segments: current.segments[recordingID] ?? [], cues: cues, spans: spans)
    }

    /// Runs async store work from a thread that may block (the server's index and search
    /// threads, never Swift's own): the work runs on Swift's global executor meanwhile.
    public static func wait<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) throws -> T {
        let done = DispatchSemaphore(value: 0)
        let result = Mutex<Result<T, any Error>?>(nil)
        Task(executorPreference: globalConcurrentExecutor) {
            let outcome: Result<T, any Error>
            do { outcome = .success(try await work()) } catch { outcome = .failure(error) }
            result.withLock { $0 = outcome }
            done.signal()
        }
        done.wait()
        return try result.withLock { $0 }!.get()
    }
}

/// Resumes a continuation with the first of several answers; the later ones are dropped.
final class FirstAnswer<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var waiting: CheckedContinuation<Value, any Error>?

    var continuation: CheckedContinuation<Value, any Error>? {
        get { lock.withLock { waiting } }
        set { lock.withLock { waiting = newValue } }
    }

    func give(_ answer: Result<Value, any Error>) {
        let taken: CheckedContinuation<Value, any Error>? = lock.withLock {
            defer { waiting = nil }
            return waiting
        }
        taken?.resume(with: answer)
    }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
