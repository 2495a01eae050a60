import Foundation
import IndexStore
import MediaProbe

/// What one look at a media root put in the queue.
public struct EnqueueSummary: Sendable, Equatable {
    /// Files under the root (media by extension, as the SQLite ingest finds them).
    public var files = 0
    /// Files stored already, unchanged (same size and modification time): no job.
    public var unchanged = 0
    /// Probe jobs added: new or changed files, and stored files that are gone (to mark them).
    public var enqueued = 0
    /// Captions jobs added: files whose sidecar captions came, changed or went (a probe job adds
    /// one for a file with subtitle streams).
    public var captions = 0
    /// Files the walk skipped, with why.
    public var skipped: [MediaFiles.Skipped] = []
}

/// `ingest` on PostgreSQL (issue 23 part 3): looks at a media root and enqueues a probe job for
/// each file the store does not hold as it is, for workers on any machine that mounts the root.
extension PostgresIndex {
    public func enqueueProbes(root name: String, folder: String) async throws -> EnqueueSummary {
        guard MediaRootMap.isName(name) else { throw PostgresStoreError.worker("media root name '\(name)' is not a name (letters, digits, '.', '_', '-')") }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw PostgresStoreError.worker("media root '\(name)': \(folder) is not a folder")
        }
        try await run("INSERT INTO media_root (name) VALUES (\(name)) ON CONFLICT DO NOTHING")
        var stored: [String: (size: Int64?, mtime: Double?, state: String)] = [:]
        let rows = try await run("SELECT path, size, mtime, state FROM recording WHERE media_root = \(name)")
        for try await (path, size, mtime, state) in rows.decode((String, Int64?, Double?, String).self) {
            stored[path] = (size, mtime, state)
        }
        // The sidecars each stored file was read with (see `CaptionsJob`).
        var sidecarsRead: [String: [String: String]] = [:]
        for try await (path, source, signature) in try await run("""
            SELECT recording.path, caption_source.source, caption_source.signature FROM caption_source
            JOIN recording ON recording.id = caption_source.recording_id
            WHERE recording.media_root = \(name) AND caption_source.source LIKE 'sidecar:%'
            """).decode((String, String, String).self) {
            sidecarsRead[path, default: [:]][source] = signature
        }
        let expansion = MediaFiles.expand([folder])
        var summary = EnqueueSummary(skipped: expansion.skipped)
        var requests: [JobRequest] = []
        var captions: [JobRequest] = []
        // Most folders hold no caption file: each is listed once to know.
        var folderHasCaptions: [String: Bool] = [:]
        let prefix = folder.hasSuffix("/") ? folder : folder + "/"
        var seen = Set<String>()
        for file in expansion.files where file.hasPrefix(prefix) {
            let path = String(file.dropFirst(prefix.count))
            summary.files += 1
            seen.insert(path)
            guard let look = FileLook.of(file) else { continue }
            // Sidecar captions that came, changed or went: a captions job (the probe job adds one
            // for a file with subtitle streams).
            let parent = (file as NSString).deletingLastPathComponent
            if folderHasCaptions[parent] == nil {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? []
                folderHasCaptions[parent] = names.contains { ["vtt", "srt"].contains(($0 as NSString).pathExtension.lowercased()) }
            }
            let sidecars = folderHasCaptions[parent] == true ? CaptionsJob.sidecars(nextTo: file).mapValues(\.signature) : [:]
            if sidecars != sidecarsRead[path] ?? [:] { captions.append(CaptionsJob(root: name, path: path).request) }
            if let row = stored[path], row.state != "missing", row.size == look.size, row.mtime == look.mtime {
                summary.unchanged += 1
                continue
            }
            let fingerprint = Fingerprint.of(path: file) ?? "unreadable"
            requests.append(ProbeJob(root: name, path: path, fingerprint: fingerprint, size: look.size, mtime: look.mtime).request)
        }
        for (path, row) in stored where !seen.contains(path) && row.state != "missing" {
            requests.append(ProbeJob(root: name, path: path, fingerprint: "gone", size: row.size ?? 0, mtime: row.mtime ?? 0).request)
        }
        summary.enqueued = try await enqueue(requests)
        summary.captions = try await enqueue(captions)
        return summary
    }

    /// The recordings' counts by state (ok, failed, missing), for a summary.
    public func recordingCounts() async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for try await (state, count) in try await run("SELECT state, count(*)::int FROM recording GROUP BY state").decode((String, Int).self) {
            counts[state] = count
        }
        return counts
    }
}
