import Foundation
import IndexStore
import MediaProbe
import Schedule

/// Makes a JPEG for every segment of every linked video recording and one per session, in
/// parallel, skipping those already made (kept by fingerprint and start, see `ThumbnailKey`).
/// Audio-only recordings use their cover picture when they have one. Off with `--no-thumbnails`.
struct ThumbnailStage: IngestStage {
    let database: IndexDatabase
    let options: IngestOptions

    /// One picture to make.
    struct Job: Sendable {
        var key: String
        var path: String
        var time: Double
        var file: String
    }

    func run(_ run: inout IngestRun) throws {
        guard options.thumbnails, let folder = database.folder else { return }
        let started = Date()
        let jobs = try wanted(folder: folder)
        let thumbnailer = Thumbnailer()
        let width = options.thumbnailWidth
        let deadline = options.probe.timeout
        let made = ParallelMap.run(jobs) { job -> Result<Thumbnail, ProbeError> in
            Result { () throws(ProbeError) -> Thumbnail in try thumbnailer.jpeg(path: job.path, at: job.time, width: width, deadline: deadline) }
        }
        for (job, result) in zip(jobs, made) {
            switch result {
            case .success(let thumbnail):
                let target = (folder as NSString).appendingPathComponent(job.file)
                try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try thumbnail.jpeg.write(to: URL(fileURLWithPath: target), options: .atomic)
                try database.saveThumbnail(key: job.key, file: job.file, width: thumbnail.width, height: thumbnail.height,
                                           time: thumbnail.time, source: thumbnail.source.rawValue)
                run.summary.thumbnails += 1
            case .failure(let error):
                run.summary.errors.append("thumbnail for \(job.path) at \(ClockText.position(job.time)): \(error.message)")
            }
        }
        run.summary.thumbnailSeconds = Date().timeIntervalSince(started)
    }

    /// The pictures not made yet, for every linked recording with video or a cover.
    private func wanted(folder: String) throws -> [Job] {
        var jobs: [Job] = []
        let links = try database.links()
        let segments = Dictionary(grouping: try database.segments(), by: { $0.recordingID ?? -1 })
        let existing = try database.thumbnailFiles()
        func present(_ key: String) -> Bool {
            existing[key].map { FileManager.default.fileExists(atPath: (folder as NSString).appendingPathComponent($0)) } ?? false
        }
        for recording in try database.recordings(includeMissing: false, withProbe: false) where recording.state == .ok && recording.linkStatus == .linked {
            guard let id = recording.id, let fingerprint = recording.fingerprint else { continue }
            let segmentKeys = (segments[id] ?? []).map { (ThumbnailKey.segment(fingerprint: fingerprint, start: $0.startSeconds),
                                                          $0.startSeconds + min(5, ($0.endSeconds - $0.startSeconds) / 2)) }
            let sessionKeys = (links[id] ?? []).filter { $0.kind == .link }.map { (ThumbnailKey.session(fingerprint: fingerprint, guid: $0.sessionGuid),
                                                                                 $0.inSeconds + min(60, ($0.outSeconds - $0.inSeconds) / 10)) }
            // Everything already made (or the cover, for audio): nothing to decode, not even the probe.
            if (segmentKeys + sessionKeys).allSatisfy({ present($0.0) }) || present(ThumbnailKey.cover(fingerprint: fingerprint)) { continue }
            guard let probe = try database.recording(idOrPath: String(id))?.probe else { continue }
            let hasVideo = probe.streams.contains { $0.kind == .video && !$0.attachedPicture }
            let hasCover = probe.streams.contains { $0.attachedPicture }
            guard hasVideo || hasCover else { continue }
            let wanted = hasVideo ? segmentKeys + sessionKeys : [(ThumbnailKey.cover(fingerprint: fingerprint), 0.0)]
            for (key, time) in wanted where !present(key) {
                let file = "thumbnails/\(fingerprint.suffix(2))/\(key.replacingOccurrences(of: "@", with: "_")).jpg"
                jobs.append(Job(key: key, path: recording.absolutePath, time: time, file: file))
            }
        }
        return jobs
    }
}
