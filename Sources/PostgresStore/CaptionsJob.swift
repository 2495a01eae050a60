import Captions
import Foundation
import IndexStore
import MediaProbe
import PostgresNIO
import Schedule

/// The `captions` job: the drafts a recording already carries, read by a worker that sees the
/// file, as the SQLite ingest's caption stage reads them (`SubtitleStreams`, `SidecarFiles`): its
/// subtitle streams (read again only when the file changed) and the WebVTT and SRT files next to
/// it (read again when their size or time changed; a sidecar gone takes its drafts with it). A
/// draft whose track or file names no language takes its linked session's, else its first audio
/// stream's, else "und": so the job is claimed only once no probe or link job waits or runs.
/// Enqueued by `ingest --database` for every file whose sidecars came, changed or went, and by
/// a probe job that found subtitle streams; keyed by root and path.
public struct CaptionsJob: Codable, Sendable, Equatable {
    public static let kind = "captions"

    public var root: String
    public var path: String

    var request: JobRequest {
        JobRequest(kind: Self.kind, key: "\(root):\(path)", mediaRoot: root, payload: (try? JSONText.encode(self)) ?? "{}")
    }

    static func decode(_ job: ClaimedJob) throws(JobFailure) -> CaptionsJob {
        guard let captions = try? JSONDecoder().decode(CaptionsJob.self, from: Data(job.payload.utf8)), captions.root == job.mediaRoot else {
            throw .permanent("the payload of captions job \(job.id) is not a file under its media root")
        }
        return captions
    }

    /// The sidecars next to `file`, by source name (`sidecar:talk.sv.vtt`), with their
    /// signatures (size and modification time) and what they are.
    static func sidecars(nextTo file: String) -> [String: (signature: String, sidecar: Sidecar)] {
        var found: [String: (signature: String, sidecar: Sidecar)] = [:]
        for sidecar in Sidecar.find(nextTo: file) {
            guard let look = FileLook.of(sidecar.path) else { continue }
            found["sidecar:" + (sidecar.path as NSString).lastPathComponent] = ("\(look.size)-\(look.mtime)", sidecar)
        }
        return found
    }

    /// What the store knows of the recording before the worker reads its files.
    struct Known: Sendable {
        var recordingID: Int64
        var fingerprint: String
        var subtitleStreams: Bool
        var sources: [String: String]
        var language: String
    }

    func known(in database: PostgresIndex) async throws -> Known? {
        var row: (Int64, String, String?)?
        for try await found in try await database.run("""
            SELECT id, fingerprint, probe::text FROM recording WHERE media_root = \(root) AND path = \(path) AND state = 'ok' AND fingerprint IS NOT NULL
            """).decode((Int64, String, String?).self) {
            row = found
        }
        guard let (id, fingerprint, probeText) = row else { return nil }
        let probe = probeText.flatMap { try? JSONDecoder().decode(ProbeResult.self, from: Data($0.utf8)) }
        var sources: [String: String] = [:]
        for try await (source, signature) in try await database.run("SELECT source, signature FROM caption_source WHERE recording_id = \(id)")
            .decode((String, String).self) {
            sources[source] = signature
        }
        // The first linked session's language, else the first audio stream's, else "und" (as `DraftLanguage`).
        let sessionLanguage = try await database.transaction { try await database.sessionLanguage(recordingID: id, on: $0) }
        let language = LanguageCode.normalize(sessionLanguage)
            ?? LanguageCode.normalize(probe?.streams.first { $0.kind == .audio }?.language) ?? "und"
        return Known(recordingID: id, fingerprint: fingerprint, subtitleStreams: probe?.streams.contains { $0.kind == .subtitle } ?? false,
                     sources: sources, language: language)
    }

    /// What the worker read: drafts by source (with the signature to keep), and the sidecar
    /// sources that are gone.
    struct Read: Sendable {
        var drafts: [(source: String, signature: String, cues: [DraftCue])] = []
        var gone: [String] = []
        var problems: [String] = []
    }

    func run(_ known: Known, roots: MediaRootMap, deadline: Double) throws(JobFailure) -> Read {
        let file = try roots.file(root: root, path: path)
        var read = Read()
        guard FileManager.default.fileExists(atPath: file) else { return read }
        if known.sources["streams"] != known.fingerprint {
            if known.subtitleStreams {
                do {
                    for track in try SubtitleReader(maxCues: CaptionFile.maxCues).cues(path: file, deadline: deadline) {
                        let language = LanguageCode.normalize(track.language) ?? known.language
                        read.drafts.append(("stream:\(track.streamIndex)", known.fingerprint, track.cues.map { DraftCue($0, language: language) }))
                    }
                } catch {
                    read.problems.append("subtitles in \(root)/\(path): \(error)")
                }
            }
            // Marked as read even after an error: tried again only when the file changes.
            read.drafts.append(("streams", known.fingerprint, []))
        }
        let sidecars = Self.sidecars(nextTo: file)
        for (source, found) in sidecars.sorted(by: { $0.key < $1.key }) where known.sources[source] != found.signature {
            do {
                let captions = try CaptionFile.read(path: found.sidecar.path)
                let language = LanguageCode.normalize(found.sidecar.language) ?? known.language
                read.drafts.append((source, found.signature, captions.cues.map { DraftCue($0, language: language) }))
            } catch {
                read.problems.append("\(error)")
            }
        }
        read.gone = known.sources.keys.filter { $0.hasPrefix("sidecar:") && sidecars[$0] == nil }.sorted()
        return read
    }

    /// Stores what was read, if the recording still holds the file read; each source's drafts
    /// replace its earlier ones, never over verified text; then the search rows and the names
    /// of segments.
    func store(_ read: Read, known: Known, on connection: PostgresConnection, database: PostgresIndex) async throws {
        var current: String?
        for try await fingerprint in try await connection.query("""
            SELECT fingerprint FROM recording WHERE id = \(known.recordingID) FOR UPDATE
            """, logger: PostgresIndex.quiet).decode(String?.self) {
            current = fingerprint
        }
        guard current == known.fingerprint, !read.drafts.isEmpty || !read.gone.isEmpty else { return }
        for source in read.gone {
            try await connection.query("DELETE FROM cue WHERE recording_id = \(known.recordingID) AND source = \(source) AND status = 'draft'", logger: PostgresIndex.quiet)
            try await connection.query("DELETE FROM caption_source WHERE recording_id = \(known.recordingID) AND source = \(source)", logger: PostgresIndex.quiet)
        }
        for (source, signature, cues) in read.drafts {
            try await connection.query("DELETE FROM cue WHERE recording_id = \(known.recordingID) AND source = \(source) AND status = 'draft'", logger: PostgresIndex.quiet)
            try await database.storeDrafts(cues, recordingID: known.recordingID, source: source, key: source, signature: signature, on: connection)
        }
        try await database.refreshSearch(recordingID: known.recordingID, on: connection)
        try await database.nameSegments(on: connection)
    }
}
