import Foundation
import Pipeline

/// A progress bar on a terminal (the stage, done/total, rate, time left), a line per stage;
/// nothing otherwise.
final class ProgressBar: @unchecked Sendable {
    private let enabled = isatty(STDERR_FILENO) == 1
    private let lock = NSLock()
    private var lastDraw = 0.0
    private var drawn = false
    private var stage: IngestProgress.Stage?
    private var stageStarted = 0.0

    func update(_ progress: IngestProgress) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        if progress.stage != stage {
            if drawn { FileHandle.standardError.write(Data("\n".utf8)) }
            stage = progress.stage
            stageStarted = progress.elapsed
            lastDraw = 0
        }
        guard progress.elapsed - lastDraw > 0.1 || progress.done == progress.total else { return }
        lastDraw = progress.elapsed
        let rate = Double(progress.done) / max(progress.elapsed - stageStarted, 0.001)
        let left = rate > 0 ? Double(progress.total - progress.done) / rate : 0
        let width = 30
        let filled = progress.total > 0 ? width * min(progress.done, progress.total) / progress.total : width
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        FileHandle.standardError.write(Data(String(format: "\r%@ [%@] %d/%d %@, %.0f/s, %.0f s left ", progress.stage.rawValue, bar,
                                                   progress.done, progress.total, progress.stage.unit, rate, left).utf8))
        drawn = true
    }

    func finish() {
        lock.lock()
        defer { lock.unlock() }
        if drawn { FileHandle.standardError.write(Data("\n".utf8)) }
        drawn = false
    }
}
