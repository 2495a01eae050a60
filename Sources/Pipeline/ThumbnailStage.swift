import Foundation
import IndexStore
import MediaProbe
import Schedule

/// Names a JPEG for every segment of every linked video recording and one per session (audio
/// recordings: their cover picture, when they have one), kept by fingerprint and start (see
/// `ThumbnailKey`) so that nothing is named or made twice. By default nothing is decoded here:
/// `efterhand serve` makes a picture when it is first asked for (`ThumbnailWorkshop`), since
/// decoding up to a segment's second costs many times what probing the file did. With
/// `--thumbnails now` every named picture whose file is missing is made here, in parallel.
public struct ThumbnailStage: IngestStage {
    static let name = "thumbnails"
    let database: IndexDatabase
    let options: IngestOptions

    /// One picture to make now.
    struct Job: Sendable {
        var thumbnail: StoredThumbnail
        var path: String
    }

    func run(_ run: inout IngestRun) throws {
        guard options.thumbnails != .off, let folder = database.folder else { return }
        let started = Date()
        let (planned, jobs) = try plan(folder: folder)
        try database.planThumbnails(planned)
        run.summary.thumbnailsPlanned = options.thumbnails == .now ? 0 : planned.count
        if options.thumbnails == .now {
            make(jobs, folder: folder, run: &run)
        }
        run.summary.thumbnailSeconds = Date().timeIntervalSince(started)
    }

    /// The pictures the index does not name yet, for every linked recording with video or a
    /// cover, and (with `--thumbnails now`) every named one of theirs whose file is missing.
    private func plan(folder: String) throws -> (planned: [StoredThumbnail], jobs: [Job]) {
        var planned: [StoredThumbnail] = []
        var jobs: [Job] = []
        let links = try database.links()
        let segments = Dictionary(grouping: try database.segments(), by: { $0.recordingID ?? -1 })
        let known = try database.thumbnails()
        let pictures = try database.pictureSources()
        let makeNow = options.thumbnails == .now
        func missing(_ thumbnail: StoredThumbnail) -> Bool {
            !FileManager.default.fileExists(atPath: (folder as NSString).appendingPathComponent(thumbnail.file))
        }
        for recording in try database.recordings(includeMissing: false, withProbe: false) where recording.state == .ok && recording.linkStatus == .linked {
            guard let id = recording.id, let fingerprint = recording.fingerprint else { continue }
            let named = Self.named(fingerprint: fingerprint, segments: segments[id] ?? [], links: links[id] ?? [], known: known,
                                   picture: pictures[id], width: options.thumbnailWidth)
            planned += named.filter { known[$0.key] == nil }
            if makeNow {
                jobs += named.filter(missing).map { Job(thumbnail: $0, path: recording.absolutePath) }
            }
        }
        return (planned, jobs)
    }

    /// The pictures a linked recording is named (the same in both stores): its cover when one
    /// is named, else one per segment and one per session (`wanted`), `width` wide, from its
    /// first moving video stream or else its cover picture (`picture`: none, and there are none
    /// to name); those `known` (named before, by key) as they are.
    public static func named(fingerprint: String, segments: [Segment], links: [StoredLink], known: [String: StoredThumbnail],
                             picture: PictureSource?, width: Int) -> [StoredThumbnail] {
        if let cover = known[ThumbnailKey.cover(fingerprint: fingerprint)] { return [cover] }
        let wanted = wanted(fingerprint: fingerprint, segments: segments, links: links)
        // Everything already named: nothing more to do.
        if wanted.allSatisfy({ known[$0.key] != nil }) { return wanted.compactMap { known[$0.key] } }
        guard let picture else { return [] }
        let size = Thumbnailer.plannedSize(width: width, pictureWidth: picture.width, pictureHeight: picture.height)
        let pictures = picture.isCover ? [(key: ThumbnailKey.cover(fingerprint: fingerprint), time: 0.0)] : wanted
        let source = picture.isCover ? Thumbnail.Source.coverPicture : .frame
        return pictures.map { wanted in
            known[wanted.key] ?? StoredThumbnail(key: wanted.key, file: file(key: wanted.key, fingerprint: fingerprint),
                                                 width: size.width, height: size.height, time: wanted.time, source: source.rawValue)
        }
    }

    /// The pictures a linked recording should have: one per segment, a little into it, and one
    /// per session it holds, a little after the in point.
    static func wanted(fingerprint: String, segments: [Segment], links: [StoredLink]) -> [(key: String, time: Double)] {
        let segmentPictures = segments.map {
            (key: ThumbnailKey.segment(fingerprint: fingerprint, start: $0.startSeconds), time: $0.startSeconds + min(5, ($0.endSeconds - $0.startSeconds) / 2))
        }
        let sessionPictures = links.filter { $0.kind == .link }.map {
            (key: ThumbnailKey.session(fingerprint: fingerprint, guid: $0.sessionGuid), time: $0.inSeconds + min(60, ($0.outSeconds - $0.inSeconds) / 10))
        }
        return segmentPictures + sessionPictures
    }

    /// Where a picture's file goes, relative to the index folder.
    static func file(key: String, fingerprint: String) -> String {
        "thumbnails/\(fingerprint.suffix(2))/\(key.replacingOccurrences(of: "@", with: "_")).jpg"
    }

    /// Decodes and writes `jobs`, two at a time; a picture that cannot be made is an error of
    /// the run, named, and the others go on.
    private func make(_ jobs: [Job], folder: String, run: inout IngestRun) {
        let thumbnailer = Thumbnailer()
        let deadline = options.probe.timeout
        let made = ParallelMap.run(jobs) { job -> Result<Thumbnail, ProbeError> in
            Result { () throws(ProbeError) -> Thumbnail in
                try thumbnailer.jpeg(path: job.path, at: job.thumbnail.time ?? 0, width: job.thumbnail.width, deadline: deadline)
            }
        }
        for (job, result) in zip(jobs, made) {
            do {
                let thumbnail = try result.get()
                let target = (folder as NSString).appendingPathComponent(job.thumbnail.file)
                try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try thumbnail.jpeg.write(to: URL(fileURLWithPath: target), options: .atomic)
                var stored = job.thumbnail
                (stored.width, stored.height, stored.time, stored.source) = (thumbnail.width, thumbnail.height, thumbnail.time, thumbnail.source.rawValue)
                try database.saveThumbnail(stored)
                run.summary.thumbnails += 1
            } catch {
                let reason = (error as? ProbeError)?.message ?? "\(error)"
                run.summary.errors.append("thumbnail for \(job.path) at \(ClockText.position(job.thumbnail.time ?? 0)): \(reason)")
            }
        }
    }
}
