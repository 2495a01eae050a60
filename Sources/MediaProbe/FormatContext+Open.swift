import CFFmpeg
import Foundation

extension FormatContext {
    /// Opens a recording the way the probe does, for the readers that decode from it: only a
    /// regular, readable, non-empty file, through the file protocol and the demuxer whitelist,
    /// under a deadline of `timeout` seconds. Errors name `path` as the caller gave it.
    static func open(path: String, timeout: Double) throws(ProbeError) -> FormatContext {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var info = stat()
        guard stat(absolute, &info) == 0 else { throw Prober.errnoError(errno, path: path) }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw ProbeError(
                code: .notARegularFile,
                message: "Refusing to open '\(path)': it is \(fileKind(info.st_mode)), not a regular file")
        }
        // Permission is checked before FFmpeg sees the file, so the error says what it is.
        let descriptor = Foundation.open(absolute, O_RDONLY | O_NONBLOCK)
        guard descriptor >= 0 else { throw Prober.errnoError(errno, path: path) }
        close(descriptor)
        guard info.st_size > 0 else {
            throw ProbeError(code: .invalidData, message: "Unable to open '\(path)': the file is empty")
        }
        let deadline = Deadline(seconds: timeout)
        do {
            return try FormatContext(url: "file:" + absolute, deadline: deadline)
        } catch {
            throw Prober.ffmpegError(error, path: path, timedOut: deadline.expired, timeout: timeout)
        }
    }

    /// The container's start time in seconds: time zero for the readers, so that a time means
    /// "seconds into the recording" even in MPEG-TS, whose clock starts wherever the encoder's did.
    var startOffset: Double {
        let start = pointer.pointee.start_time
        return start == EF_NOPTS_VALUE ? 0 : Double(start) / Double(AV_TIME_BASE)
    }

    /// The container's duration in seconds, when it states one.
    var durationSeconds: Double? {
        let duration = pointer.pointee.duration
        return duration == EF_NOPTS_VALUE || duration <= 0 ? nil : Double(duration) / Double(AV_TIME_BASE)
    }

    /// The stream at `index`, which must be below `nb_streams`.
    func stream(_ index: Int) -> UnsafeMutablePointer<AVStream>? {
        guard index >= 0, index < Int(pointer.pointee.nb_streams) else { return nil }
        return pointer.pointee.streams[index]
    }

    /// Tells the demuxer to drop every stream but `kept`, so reading packets stays cheap.
    func discardAll(except kept: Set<Int>) {
        for index in 0..<Int(pointer.pointee.nb_streams) where !kept.contains(index) {
            pointer.pointee.streams[index]?.pointee.discard = AVDISCARD_ALL
        }
    }
}

/// What a path is when it is not a regular file, for the refusal message.
private func fileKind(_ mode: mode_t) -> String {
    switch mode & S_IFMT {
    case S_IFDIR: "a directory"
    case S_IFIFO: "a FIFO"
    case S_IFCHR: "a character device"
    case S_IFBLK: "a block device"
    case S_IFSOCK: "a socket"
    default: "not a regular file"
    }
}

/// Seconds for a message: `10`, not `10.0`.
func secondsText(_ value: Double) -> String {
    value == value.rounded() ? String(Int(value)) : String(value)
}

/// Reads one metadata value (`language`, `title`), decoded as UTF-8 with replacement and cut
/// at `limit` bytes; nil when absent or empty.
func metadataValue(_ dictionary: OpaquePointer?, _ key: String, limit: Int = 4096) -> String? {
    guard let dictionary, let entry = av_dict_get(dictionary, key, nil, 0), let value = entry.pointee.value else { return nil }
    let length = strnlen(value, limit)
    let text = String(decoding: UnsafeRawBufferPointer(start: value, count: length), as: UTF8.self)
    return text.isEmpty ? nil : text
}

/// Turns FFmpeg's failure in the middle of a job (decoding, scaling, encoding) into a coded
/// error that names the file and what was being done.
struct FailureContext {
    var path: String
    /// What was being done, for the message: "make a thumbnail of", "read the subtitles of".
    var action: String
    var timeout: Double
    var context: FormatContext

    func error(_ failure: FFmpegFailure) -> ProbeError {
        if context.deadlineExpired || failure.code == EF_AVERROR_EXIT { return timedOut(failure.function) }
        let message = "Unable to \(action) '\(path)': \(failure.reason) (\(failure.function))"
        switch failure.code {
        case EF_AVERROR_INVALIDDATA, EF_AVERROR_EOF, EF_AVERROR_PATCHWELCOME:
            return ProbeError(code: .invalidData, message: message)
        case EF_AVERROR_DECODER_NOT_FOUND, EF_AVERROR_ENCODER_NOT_FOUND, ef_averror(ENOSYS):
            return ProbeError(code: .unsupportedFormat, message: message)
        default:
            return ProbeError(code: .io, message: message)
        }
    }

    func timedOut(_ doing: String) -> ProbeError {
        ProbeError(code: .timeout, message: "Timed out after \(secondsText(timeout)) s trying to \(action) '\(path)' (\(doing))")
    }

    /// Runs one step, turning an FFmpeg failure into the coded error.
    func run<T>(_ body: () throws(FFmpegFailure) -> T) throws(ProbeError) -> T {
        do {
            return try body()
        } catch {
            throw self.error(error)
        }
    }
}
