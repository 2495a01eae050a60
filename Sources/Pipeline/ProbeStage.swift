import Foundation
import IndexStore
import MediaProbe

/// Probes and fingerprints what the scan found new or changed, in parallel, and stores it:
/// new files, changed ones, moves (the same fingerprint at another path keeps its id) and files
/// that are gone (marked missing, or deleted with `--prune`).
struct ProbeStage: IngestStage {
    static let name = "probe"
    let database: IndexDatabase
    let options: IngestOptions

    func run(_ run: inout IngestRun) throws {
        let probed = probe(run)
        let roots = options.media.map(IndexDatabase.absolute)
        let found = run.found
        var vanished = run.known.values.filter { state in
            !found.contains(state.path) && MediaFiles.isInside(IndexDatabase.absolute(state.path), roots: roots)
        }
        for (path, (result, fingerprint)) in zip(run.toProbe, probed) {
            try store(path: path, result: result, fingerprint: fingerprint, vanished: &vanished, run: &run)
        }
        run.missingIDs = vanished.filter { $0.state != .missing }.map(\.id)
        if options.prune {
            try database.delete(vanished.map(\.id))
        } else {
            try database.markMissing(run.missingIDs)
        }
    }

    /// Each file's probe result and fingerprint, in the order of `run.toProbe`.
    private func probe(_ run: IngestRun) -> [(ProbeResult, String?)] {
        let total = run.toProbe.count
        let counter = ProgressCounter()
        let prober = Prober(options: options.probe)
        let report = run.progress
        let started = run.started
        return ParallelMap.run(run.toProbe) { path -> (ProbeResult, String?) in
            let result = prober.probe(path)
            let fingerprint = Fingerprint.of(path: path)
            let done = counter.increment()
            report(IngestProgress(done: done, total: total, elapsed: Date().timeIntervalSince(started)))
            return (result, fingerprint)
        }
    }

    /// Stores one probed file as a new, changed or moved recording.
    private func store(path: String, result: ProbeResult, fingerprint: String?, vanished: inout [FileState], run: inout IngestRun) throws {
        let look = run.onDisk[path]
        var record = StoredRecording(
            path: path, absolutePath: IndexDatabase.absolute(path), fingerprint: fingerprint, size: result.sizeBytes ?? look?.size,
            mtime: look?.mtime, state: result.succeeded ? .ok : .failed, probe: result, errorCode: result.error?.code.rawValue,
            errorMessage: result.error?.message, duration: result.durationSeconds)
        if let existing = run.known[path] {
            record.id = existing.id
            if existing.state == .missing { run.summary.new += 1 } else { run.summary.changed += 1 }
        } else if let fingerprint, let index = vanished.firstIndex(where: { $0.fingerprint == fingerprint }) {
            // The same file, vanished from one path and found at another: a move keeps its id.
            record.id = vanished[index].id
            vanished.remove(at: index)
            run.summary.moved += 1
        } else {
            run.summary.new += 1
        }
        if let error = result.error { run.summary.errors.append(error.message) }
        if let id = record.id, record.state == .ok {
            // A known file that still probes: its links stay until the link stage has the new ones.
            try database.saveProbe(record)
            run.changedIDs.insert(id)
        } else {
            // New, or no longer readable (the link stage passes failed files over): no links.
            run.changedIDs.insert(try database.saveRecording(record, links: [], segments: []))
        }
    }
}

/// Counts finished items across threads.
final class ProgressCounter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()

    func increment() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }
}
