import Captions
import Foundation
import IndexStore
import MediaProbe

/// Drafts from what recordings already carry: their subtitle streams (`SubtitleStreams`) and
/// the sidecar files next to them (`SidecarFiles`), each read again only when it changed. A
/// file that cannot be read is reported in the summary and passed over.
struct CaptionStage: IngestStage {
    static let name = "captions"
    let database: IndexDatabase
    let options: IngestOptions

    func run(_ run: inout IngestRun) throws {
        let recordings = try database.recordings(includeMissing: false, withProbe: false).filter { $0.state == .ok }
        let known = try database.captionSources()
        let languages = try sessionLanguages()
        var streams = SubtitleStreams(database: database, timeout: options.probe.timeout, subtitled: try database.recordingsWithSubtitleStreams())
        var sidecars = SidecarFiles(database: database)
        for recording in recordings {
            guard let id = recording.id, let fingerprint = recording.fingerprint else { continue }
            var draft = DraftLanguage(database: database, recordingID: id, sessionLanguage: languages[id])
            let sources = known[id] ?? [:]
            try streams.read(recording, id: id, fingerprint: fingerprint, sources: sources, language: &draft, summary: &run.summary)
            try sidecars.read(recording, id: id, sources: sources, language: &draft, summary: &run.summary)
        }
        try streams.finish()
        // Segments are named from their transcripts once a run: the ones the link stage cut
        // again, and those whose drafts from subtitles and sidecars changed.
        try SegmentNamer().refresh(database)
    }

    /// The language of the first session each recording is linked to.
    private func sessionLanguages() throws -> [Int64: String] {
        let sessions = Dictionary(try database.sessions(includeRemoved: true).map { ($0.guid, $0) }, uniquingKeysWith: { a, _ in a })
        var languages: [Int64: String] = [:]
        for (id, links) in try database.links() {
            if let language = links.filter({ $0.kind == .link }).compactMap({ sessions[$0.sessionGuid]?.language }).first {
                languages[id] = LanguageCode.normalize(language)
            }
        }
        return languages
    }
}

/// The language of a draft whose own track or file name names none: the language of the
/// first session its recording is linked to, else that of its first audio stream, else "und".
/// The probe result is decoded only when it is needed, and then once.
struct DraftLanguage {
    let database: IndexDatabase
    let recordingID: Int64
    let sessionLanguage: String?
    private var probe: ProbeResult?? = nil

    init(database: IndexDatabase, recordingID: Int64, sessionLanguage: String?) {
        self.database = database
        self.recordingID = recordingID
        self.sessionLanguage = sessionLanguage
    }

    /// The recording's probe result, read from the index the first time it is asked for.
    mutating func probed() throws -> ProbeResult? {
        if let probe { return probe }
        let loaded = try database.recording(idOrPath: String(recordingID))?.probe
        probe = .some(loaded)
        return loaded
    }

    mutating func fallback() throws -> String {
        if let sessionLanguage { return sessionLanguage }
        return try LanguageCode.normalize(probed()?.streams.first { $0.kind == .audio }?.language) ?? "und"
    }
}

/// Cues from the subtitle streams inside a recording, decoded again only when the file
/// changed (the `streams` source keeps the fingerprint they were read at).
struct SubtitleStreams {
    let database: IndexDatabase
    let reader = SubtitleReader(maxCues: CaptionFile.maxCues)
    let timeout: Double
    /// The recordings whose probe found a subtitle stream: only theirs are opened.
    let subtitled: Set<Int64>
    /// Recordings without subtitle streams, to be marked read all in one transaction by `finish`
    /// (one each was most of a cold ingest's caption stage).
    private var nothingToRead: [(recordingID: Int64, source: String, signature: String)] = []

    init(database: IndexDatabase, timeout: Double, subtitled: Set<Int64>) {
        self.database = database
        self.timeout = timeout
        self.subtitled = subtitled
    }

    mutating func read(_ recording: StoredRecording, id: Int64, fingerprint: String, sources: [String: String], language: inout DraftLanguage,
                       summary: inout IngestSummary) throws {
        guard sources["streams"] != fingerprint else { return }
        guard subtitled.contains(id) else {
            nothingToRead.append((id, "streams", fingerprint))
            return
        }
        let tracks = try language.probed()?.streams.filter { $0.kind == .subtitle } ?? []
        do {
            if !tracks.isEmpty {
                for track in try reader.cues(path: recording.absolutePath, deadline: timeout) {
                    let code = try LanguageCode.normalize(track.language) ?? language.fallback()
                    summary.cues += try database.saveDraftCues(recordingID: id, source: "stream:\(track.streamIndex)", signature: fingerprint,
                                                                cues: track.cues.map { ($0, code) })
                }
            }
        } catch {
            summary.errors.append("subtitles in \(recording.path): \(error)")
        }
        // Marked as read even after an error: tried again only when the file changes.
        try database.saveDraftCues(recordingID: id, source: "streams", signature: fingerprint, cues: [])
    }

    /// Marks the recordings without subtitle streams as read.
    func finish() throws {
        try database.markCaptionSourcesRead(nothingToRead)
    }
}

/// Cues from the WebVTT and SRT files next to a recording (`talk.sv.vtt` beside `talk.mp4`),
/// read again only when their size or time changed; those that went away are dropped.
struct SidecarFiles {
    let database: IndexDatabase
    /// Whether a folder holds any caption file at all, so that most folders are listed once.
    private var folderHasCaptions: [String: Bool] = [:]

    init(database: IndexDatabase) {
        self.database = database
    }

    mutating func read(_ recording: StoredRecording, id: Int64, sources: [String: String], language: inout DraftLanguage,
                       summary: inout IngestSummary) throws {
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
                guard let look = FileLook.of(sidecar.path) else { continue }
                let signature = "\(look.size)-\(look.mtime)"
                if sources[source] == signature { continue }
                do {
                    let file = try CaptionFile.read(path: sidecar.path)
                    let code = try LanguageCode.normalize(sidecar.language) ?? language.fallback()
                    summary.cues += try database.saveDraftCues(recordingID: id, source: source, signature: signature,
                                                                cues: file.cues.map { ($0, code) })
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
