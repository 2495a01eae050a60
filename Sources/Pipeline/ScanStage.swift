import Foundation
import IndexStore
import MediaProbe

/// What is on disk now, and which of it the index must look at: files whose size or
/// modification time changed, new files, and none that are still being written.
struct ScanStage: IngestStage {
    static let name = "scan"
    let database: IndexDatabase
    let options: IngestOptions

    func run(_ run: inout IngestRun) throws {
        let found = MediaFiles.expand(options.media, followSymlinks: options.followSymlinks)
        try database.addMediaRoots(found.roots)
        run.summary.skipped = found.skipped.map { "\($0.path): \($0.reason)" }
        let firstLook = Date()
        for path in found.files {
            if let look = FileLook.of(path) { run.onDisk[path] = look }
        }
        run.found = Set(found.files)
        run.known = try database.fileStates()
        for path in found.files {
            guard let look = run.onDisk[path] else {
                run.toProbe.append(path)
                continue
            }
            if let state = run.known[path], state.state != .missing, state.size == look.size, state.mtime == look.mtime {
                run.summary.unchanged += 1
            } else {
                run.toProbe.append(path)
            }
        }
        passOverGrowing(&run, firstLook: firstLook)
    }

    /// Files modified a moment ago may still be growing: they are looked at again after a
    /// pause, and passed over when they changed between the two looks.
    private func passOverGrowing(_ run: inout IngestRun, firstLook: Date) {
        let now = Date().timeIntervalSince1970
        let onDisk = run.onDisk
        let recent = run.toProbe.filter { onDisk[$0].map { now - $0.mtime < options.recentSeconds } ?? false }
        guard !recent.isEmpty else { return }
        let wait = options.settleSeconds - Date().timeIntervalSince(firstLook)
        if wait > 0 { Thread.sleep(forTimeInterval: wait) }
        var growing = Set<String>()
        for path in recent where FileLook.of(path) != onDisk[path] {
            growing.insert(path)
            run.summary.skipped.append("\(path): still being written (size changed between two looks)")
        }
        run.toProbe.removeAll { growing.contains($0) }
    }
}
