import CFFmpeg
import Foundation
import Logging

/// Routes FFmpeg's log into swift-log, so that what libavformat says about a broken file
/// reaches the program's logger (errors at `debug`, warnings at `trace`) instead of being sprayed on stderr.
enum FFmpegLog {
    static let logger = Logger(label: "efterhand.ffmpeg")

    /// Installs the callback once per process; touching it is cheap after the first time.
    static let installed: Void = {
        ef_log_install(ffmpegLogSink, AV_LOG_WARNING)
    }()
}

private let ffmpegLogSink: @convention(c) (Int32, UnsafePointer<CChar>?) -> Void = { level, line in
    guard let line else { return }
    let text = String(cString: line).trimmingCharacters(in: .whitespacesAndNewlines)
    guard !text.isEmpty else { return }
    FFmpegLog.logger.log(level: level <= AV_LOG_ERROR ? .debug : .trace, "\(text)")
}
