import Foundation
import IndexStore
import MediaProbe
import PostgresNIO

/// The `probe` job: one file under a media root, probed in-process (libavformat) by a worker that
/// sees it, and stored as its `recording` row. Keyed by root, path and fingerprint: the same file
/// enqueued again is the same job; a changed file is a new one. Running it twice stores the same.
public struct ProbeJob: Codable, Sendable, Equatable {
    public static let kind = "probe"

    public var root: String
    public var path: String
    public var fingerprint: String
    public var size: Int64
    public var mtime: Double

    public init(root: String, path: String, fingerprint: String, size: Int64, mtime: Double) {
        self.root = root
        self.path = path
        self.fingerprint = fingerprint
        self.size = size
        self.mtime = mtime
    }

    public var request: JobRequest {
        let payload = (try? JSONText.encode(self)) ?? "{}"
        return JobRequest(kind: Self.kind, key: "\(root):\(path)@\(fingerprint)", mediaRoot: root, payload: payload)
    }

    static func decode(_ job: ClaimedJob) throws(JobFailure) -> ProbeJob {
        guard let probe = try? JSONDecoder().decode(ProbeJob.self, from: Data(job.payload.utf8)), probe.root == job.mediaRoot else {
            throw .permanent("the payload of probe job \(job.id) is not a probe of a file under its media root")
        }
        return probe
    }

    /// What the worker found: the row to store.
    struct Outcome: Sendable {
        var fingerprint: String?
        var size: Int64?
        var mtime: Double?
        var state: String
        var probe: String?
        var errorCode: String?
        var errorMessage: String?
        var duration: Double?
        /// The file carries subtitle streams: a captions job reads them.
        var subtitled = false
    }

    /// Probes the file as it is now (it may have changed or gone since it was enqueued: the row
    /// says what is there).
    func run(roots: MediaRootMap, prober: Prober) throws(JobFailure) -> Outcome {
        let file = try roots.file(root: root, path: path)
        guard let look = FileLook.of(file) else {
            return Outcome(state: "missing", errorCode: "missing", errorMessage: "the file is gone")
        }
        let result = prober.probe(file)
        var stored = result
        stored.path = path
        let json = try? JSONText.encode(stored)
        return Outcome(
            fingerprint: Fingerprint.of(path: file), size: look.size, mtime: look.mtime,
            state: result.succeeded ? "ok" : "failed", probe: json, errorCode: result.error?.code.rawValue,
            errorMessage: result.error?.message, duration: result.durationSeconds,
            subtitled: result.streams.contains { $0.kind == .subtitle })
    }

    /// Stores the outcome as the file's row (one per root and path, replaced).
    func store(_ outcome: Outcome, on connection: PostgresConnection) async throws {
        try await connection.query("""
            INSERT INTO media_root (name) VALUES (\(root)) ON CONFLICT DO NOTHING
            """, logger: PostgresIndex.quiet)
        try await connection.query("""
            INSERT INTO recording (media_root, path, fingerprint, size, mtime, state, probe, error_code, error_message, duration)
            VALUES (\(root), \(path), \(outcome.fingerprint), \(outcome.size), \(outcome.mtime), \(outcome.state), \(outcome.probe)::jsonb,
                    \(outcome.errorCode), \(outcome.errorMessage), \(outcome.duration))
            ON CONFLICT (media_root, path) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, size = EXCLUDED.size,
                mtime = EXCLUDED.mtime, state = EXCLUDED.state, probe = EXCLUDED.probe, error_code = EXCLUDED.error_code,
                error_message = EXCLUDED.error_message, duration = EXCLUDED.duration, updated_at = now()
            """, logger: PostgresIndex.quiet)
    }
}
