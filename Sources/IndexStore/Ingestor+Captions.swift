import Captions
import Foundation
import Linking
import MediaProbe
import Schedule

extension Ingestor {
    /// Reads drafts from what recordings already carry: subtitle streams (decoded again only
    /// when the file changed) and sidecar files next to them (read again only when they
    /// changed). A malformed sidecar is reported by name and line and skipped.
    func readCaptions(into summary: inout IngestSummary) throws {
        // Probe results are decoded only for recordings whose file changed since its subtitle
        // streams were last read (the `streams` source keeps that fingerprint).
        let recordings = try database.recordings(includeMissing: false, withProbe: false).filter { $0.state == .ok }
        let known = try database.captionSources()
        let languages = try sessionLanguages()
        var folderHasCaptions: [String: Bool] = [:]
        let reader = SubtitleReader(maxCues: CaptionFile.maxCues)
        for recording in recordings {
            guard let id = recording.id, let fingerprint = recording.fingerprint else { continue }
            let sources = known[id] ?? [:]
            var probe: ProbeResult?? = nil
            func probed() throws -> ProbeResult? {
                if let probe { return probe }
                let loaded = try database.recording(idOrPath: String(id))?.probe
                probe = .some(loaded)
                return loaded
            }
            func fallback() throws -> String {
                try languages[id] ?? LanguageCode.normalize(probed()?.streams.first { $0.kind == .audio }?.language) ?? "und"
            }

            // Subtitle streams inside the recording, read again only when the file changed.
            if sources["streams"] != fingerprint {
                let tracks = try probed()?.streams.filter { $0.kind == .subtitle } ?? []
                do {
                    if !tracks.isEmpty {
                        for track in try reader.cues(path: recording.absolutePath, deadline: options.probe.timeout) {
                            let language = try LanguageCode.normalize(track.language) ?? fallback()
                            summary.cues += try database.saveDraftCues(recordingID: id, source: "stream:\(track.streamIndex)", signature: fingerprint,
                                                                        cues: track.cues.map { ($0, language) })
                        }
                    }
                } catch {
                    summary.errors.append("subtitles in \(recording.path): \(error)")
                }
                // Marked as read even after an error: tried again only when the file changes.
                try database.saveDraftCues(recordingID: id, source: "streams", signature: fingerprint, cues: [])
            }

            // Sidecar files: look in a folder only when it holds any caption file at all.
            let folder = (recording.absolutePath as NSString).deletingLastPathComponent
            if folderHasCaptions[folder] == nil {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
                folderHasCaptions[folder] = names.contains { ["vtt", "srt"].contains(($0 as NSString).pathExtension.lowercased()) }
            }
            var present = Set<String>()
            if folderHasCaptions[folder] == true {
                for sidecar in Sidecar.find(nextTo: recording.absolutePath) {
                    let source = "sidecar:" + (sidecar.path as NSString).lastPathComponent
                    present.insert(source)
                    guard let look = Self.look(sidecar.path) else { continue }
                    let signature = "\(look.size)-\(look.mtime)"
                    if sources[source] == signature { continue }
                    do {
                        let file = try CaptionFile.read(path: sidecar.path)
                        let language = try LanguageCode.normalize(sidecar.language) ?? fallback()
                        summary.cues += try database.saveDraftCues(recordingID: id, source: source, signature: signature,
                                                                    cues: file.cues.map { ($0, language) })
                    } catch {
                        summary.errors.append("\(error)")
                    }
                }
            }
            for source in sources.keys where source.hasPrefix("sidecar:") && !present.contains(source) {
                try database.dropCaptionSource(recordingID: id, source: source)
            }
        }
    }

    /// The language of the first session each recording is linked to.
    func sessionLanguages() throws -> [Int64: String] {
        let sessions = Dictionary(try database.sessions(includeRemoved: true).map { ($0.guid, $0) }, uniquingKeysWith: { a, _ in a })
        var languages: [Int64: String] = [:]
        for (id, links) in try database.links() {
            if let language = links.filter({ $0.kind == .link }).compactMap({ sessions[$0.sessionGuid]?.language }).first {
                languages[id] = LanguageCode.normalize(language)
            }
        }
        return languages
    }

    /// Makes a JPEG for every segment of every linked video recording and one per session,
    /// in parallel, skipping those already made (cached by fingerprint and start). Audio-only
    /// recordings use their cover picture when they have one. Returns how many were made.
    func makeThumbnails(into summary: inout IngestSummary) throws -> Int {
        guard let folder = database.folder else { return 0 }
        struct Job: Sendable {
            var key: String
            var path: String
            var time: Double
            var file: String
        }
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
        let thumbnailer = Thumbnailer()
        let width = options.thumbnailWidth
        let deadline = options.probe.timeout
        let made = ParallelMap.run(jobs) { job -> Result<Thumbnail, ProbeError> in
            Result { () throws(ProbeError) -> Thumbnail in try thumbnailer.jpeg(path: job.path, at: job.time, width: width, deadline: deadline) }
        }
        var count = 0
        for (job, result) in zip(jobs, made) {
            switch result {
            case .success(let thumbnail):
                let target = (folder as NSString).appendingPathComponent(job.file)
                try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try thumbnail.jpeg.write(to: URL(fileURLWithPath: target), options: .atomic)
                try database.saveThumbnail(key: job.key, file: job.file, width: thumbnail.width, height: thumbnail.height,
                                           time: thumbnail.time, source: thumbnail.source.rawValue)
                count += 1
            case .failure(let error):
                summary.errors.append("thumbnail for \(job.path) at \(ClockText.position(job.time)): \(error.message)")
            }
        }
        return count
    }
}

/// How thumbnails are named in the index: by the recording's fingerprint and the segment's
/// start (or the session), so a re-ingest, a move or a relink makes none again.
public enum ThumbnailKey {
    public static func segment(fingerprint: String, start: Double) -> String { "\(fingerprint)@\(WholeSeconds.nearest(start * 1000))" }
    public static func session(fingerprint: String, guid: String) -> String { "\(fingerprint)@session-\(guid)" }
    public static func cover(fingerprint: String) -> String { "\(fingerprint)@cover" }
}
