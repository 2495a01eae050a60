import Foundation
import IndexStore
import MediaProbe
import Pipeline
import PostgresNIO

/// The `thumbnail` job: the pictures named for one recording (`ThumbnailStage.named`, planned by
/// the store's relink) that have no JPEG yet, made by a worker that sees the file and kept in the
/// store, so that every server serves the same bytes. Keyed by root, path and fingerprint.
public struct ThumbnailJob: Codable, Sendable, Equatable {
    public static let kind = "thumbnail"

    public var root: String
    public var path: String
    public var fingerprint: String

    var request: JobRequest {
        JobRequest(kind: Self.kind, key: "\(root):\(path)@\(fingerprint)", mediaRoot: root, payload: (try? JSONText.encode(self)) ?? "{}")
    }

    static func decode(_ job: ClaimedJob) throws(JobFailure) -> ThumbnailJob {
        guard let pictures = try? JSONDecoder().decode(ThumbnailJob.self, from: Data(job.payload.utf8)), pictures.root == job.mediaRoot else {
            throw .permanent("the payload of thumbnail job \(job.id) is not a recording under its media root")
        }
        return pictures
    }

    /// A picture to make, as the store names it.
    struct Wanted: Sendable {
        var key: String
        var width: Int
        var time: Double
    }

    /// The recording's named pictures without a JPEG.
    func wanted(in database: PostgresIndex) async throws -> [Wanted] {
        var wanted: [Wanted] = []
        for try await (key, width, time) in try await database.run("""
            SELECT key, width, time_seconds FROM thumbnail WHERE starts_with(key, \(fingerprint + "@")) AND jpeg IS NULL ORDER BY key
            """).decode((String, Int, Double?).self) {
            wanted.append(Wanted(key: key, width: width, time: time ?? 0))
        }
        return wanted
    }

    /// Makes them from the file as it is now (one whose fingerprint changed is left: the next
    /// relink names its pictures anew). A picture that cannot be made fails the job with the
    /// reason, after the others were made.
    func run(_ wanted: [Wanted], roots: MediaRootMap, deadline: Double) throws(JobFailure) -> (made: [(key: String, thumbnail: Thumbnail)], failed: [String]) {
        let file = try roots.file(root: root, path: path)
        guard FileManager.default.fileExists(atPath: file), Fingerprint.of(path: file) == fingerprint else { return ([], []) }
        let thumbnailer = Thumbnailer()
        var made: [(key: String, thumbnail: Thumbnail)] = []
        var failed: [String] = []
        for picture in wanted {
            do {
                made.append((picture.key, try thumbnailer.jpeg(path: file, at: picture.time, width: picture.width, deadline: deadline)))
            } catch {
                failed.append("\(root)/\(path) at \(picture.time) s: \(error.message)")
            }
        }
        return (made, failed)
    }

    /// Stores the pictures made, with the size and time of the frame each shows.
    static func store(_ made: [(key: String, thumbnail: Thumbnail)], on connection: PostgresConnection) async throws {
        for (key, thumbnail) in made {
            try await connection.query("""
                UPDATE thumbnail SET jpeg = \(ByteBuffer(bytes: thumbnail.jpeg)), width = \(thumbnail.width), height = \(thumbnail.height),
                    time_seconds = \(thumbnail.time), source = \(thumbnail.source.rawValue), made_at = now()
                WHERE key = \(key)
                """, logger: PostgresIndex.quiet)
        }
    }
}

extension PostgresIndex {
    /// Inside the relink's transaction: names the pictures of every linked recording (or of
    /// `recordingIDs`) as the SQLite ingest names them, and enqueues a thumbnail job for each
    /// recording with pictures still to make. Returns how many pictures were named now.
    @discardableResult
    func planThumbnails(on connection: PostgresConnection, recordingIDs: [Int64]? = nil, width: Int = 320) async throws -> Int {
        let everything = recordingIDs == nil, ids = recordingIDs ?? []
        var recordings: [(id: Int64, root: String, path: String, fingerprint: String, picture: PictureSource?)] = []
        let decoder = JSONDecoder()
        for try await (id, root, path, fingerprint, probe) in try await connection.query("""
            SELECT id, media_root, path, fingerprint, probe::text FROM recording
            WHERE state = 'ok' AND link_status = 'linked' AND fingerprint IS NOT NULL AND probe IS NOT NULL AND (\(everything) OR id = ANY(\(ids)))
            ORDER BY id
            """, logger: logger).decode((Int64, String, String, String, String).self) {
            let picture = (try? decoder.decode(ProbeResult.self, from: Data(probe.utf8))).flatMap(PictureSource.of)
            recordings.append((id, root, path, fingerprint, picture))
        }
        guard !recordings.isEmpty else { return 0 }
        var known: [String: StoredThumbnail] = [:]
        var unmade = Set<String>()
        for try await (key, file, pictureWidth, height, time, source, made) in try await connection.query("""
            SELECT key, file, width, height, time_seconds, source, jpeg IS NOT NULL FROM thumbnail
            WHERE \(everything) OR split_part(key, '@', 1) = ANY(\(recordings.map(\.fingerprint)))
            """, logger: logger).decode((String, String, Int, Int, Double?, String, Bool).self) {
            known[key] = StoredThumbnail(key: key, file: file, width: pictureWidth, height: height, time: time, source: source)
            if !made { unmade.insert(String(key.prefix { $0 != "@" })) }
        }
        var segments: [Int64: [Segment]] = [:]
        let picked = everything ? "" : " AND recording.id IN (\(recordings.map { String($0.id) }.joined(separator: ", ")))"
        for segment in try await segmentRows(where: "recording.link_status = 'linked'" + picked, on: connection) { segments[segment.recordingID ?? -1, default: []].append(segment) }
        var links: [Int64: [StoredLink]] = [:]
        for try await (id, document) in try await connection.query("""
            SELECT link.recording_id, link.document::text FROM link JOIN recording ON recording.id = link.recording_id
            WHERE recording.link_status = 'linked' AND (\(everything) OR recording.id = ANY(\(ids))) ORDER BY link.recording_id, link.kind, link.position
            """, logger: logger).decode((Int64, String).self) {
            if let link = try? decoder.decode(StoredLink.self, from: Data(document.utf8)) { links[id, default: []].append(link) }
        }
        var planned: [StoredThumbnail] = []
        var jobs: [JobRequest] = []
        for recording in recordings {
            let named = ThumbnailStage.named(fingerprint: recording.fingerprint, segments: segments[recording.id] ?? [], links: links[recording.id] ?? [],
                                             known: known, picture: recording.picture, width: width)
            let new = named.filter { known[$0.key] == nil }
            planned += new
            if !new.isEmpty || unmade.contains(recording.fingerprint) {
                jobs.append(ThumbnailJob(root: recording.root, path: recording.path, fingerprint: recording.fingerprint).request)
            }
        }
        if !planned.isEmpty {
            let keys = planned.map(\.key), files = planned.map(\.file), widths = planned.map(\.width), heights = planned.map(\.height)
            let times = planned.map { $0.time ?? .nan }, sources = planned.map(\.source)
            try await connection.query("""
                INSERT INTO thumbnail (key, file, width, height, time_seconds, source)
                SELECT key, file, width, height, NULLIF(time_seconds, 'NaN'), source
                FROM unnest(\(keys)::text[], \(files)::text[], \(widths)::int[], \(heights)::int[], \(times)::float8[], \(sources)::text[])
                     AS t(key, file, width, height, time_seconds, source)
                ON CONFLICT DO NOTHING
                """, logger: logger)
        }
        if !jobs.isEmpty { _ = try await enqueue(jobs, on: connection) }
        return planned.count
    }

    /// A made picture's JPEG, by the file name the feed gives; nil when none is made.
    public func thumbnailJPEG(file: String) async throws -> Data? {
        var found: Data?
        for try await bytes in try await run("SELECT jpeg FROM thumbnail WHERE file = \(file) AND jpeg IS NOT NULL").decode(ByteBuffer.self) {
            found = Data(buffer: bytes)
        }
        return found
    }
}
