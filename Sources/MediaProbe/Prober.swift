import CFFmpeg
import Foundation

/// Settings for a probe run.
public struct ProbeOptions: Sendable {
    /// Seconds one file may take, all reads included; past it the file fails with `timeout`.
    public var timeout: Double
    /// Whether to read packet timestamps when neither the container nor the streams know the
    /// duration (live WebM, some MPEG-TS). Bounded by the deadline and by `scanByteLimit`.
    public var scanForDuration: Bool
    /// The most packet bytes a duration scan reads before it gives up.
    public var scanByteLimit: Int64
    /// Tag values longer than this many UTF-8 bytes are cut, so a hostile file cannot blow up memory.
    public var maxTagBytes: Int
    /// Chapters past this count are not reported.
    public var maxChapters: Int

    public init(
        timeout: Double = 10, scanForDuration: Bool = true, scanByteLimit: Int64 = 1 << 30,
        maxTagBytes: Int = 64 * 1024, maxChapters: Int = 100_000
    ) {
        self.timeout = timeout
        self.scanForDuration = scanForDuration
        self.scanByteLimit = scanByteLimit
        self.maxTagBytes = maxTagBytes
        self.maxChapters = maxChapters
    }
}

/// Reads what is inside recordings, in-process, through libavformat.
///
/// A probe never throws: every file gets a `ProbeResult`, with `error` set when it could not be
/// read. Files are refused before opening unless they are regular files.
public struct Prober: Sendable {
    public var options: ProbeOptions

    public init(options: ProbeOptions = ProbeOptions()) {
        self.options = options
    }

    /// Tells the C allocator to keep freed memory in the process: libavformat allocates and
    /// frees megabytes of sample tables per long MP4, and mapping them afresh each time costs
    /// about a third of a probe. Call once, early, in a program that probes many files.
    public static func keepFreedMemory() {
        ef_keep_freed_memory()
    }

    /// Probes many files in parallel (one worker per core) and returns results in input order.
    public func probe(_ paths: [String]) -> [ProbeResult] {
        ParallelMap.run(paths) { probe($0) }
    }

    /// Probes one file.
    public func probe(_ path: String) -> ProbeResult {
        var result = ProbeResult(path: path)
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var info = stat()
        if stat(absolute, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG {
            result.sizeBytes = Int64(info.st_size)
        }
        // The same checks and safety as every reader of recordings: regular, readable,
        // non-empty files only, the file protocol, the demuxer whitelist and the deadline.
        let context: FormatContext
        do {
            context = try FormatContext.open(path: path, timeout: options.timeout)
        } catch {
            result.error = error
            return result
        }
        read(context, into: &result)
        if result.durationSeconds == nil && options.scanForDuration {
            let scanned = scanDuration(context)
            if scanned.timedOut {
                result.error = ProbeError(
                    code: .timeout,
                    message: "Timed out after \(secondsText(options.timeout)) s reading '\(path)' to find its duration")
            } else if let seconds = scanned.seconds, seconds <= Self.maxSeconds {
                result.durationSeconds = seconds
                result.durationSource = .scan
            }
        }
        if let pb = context.pointer.pointee.pb {
            result.bytesRead = pb.pointee.bytes_read
        }
        return result
    }

    // MARK: - Reading the context

    private func read(_ context: FormatContext, into result: inout ProbeResult) {
        let format = context.pointer.pointee
        result.container = format.iformat.map { String(cString: $0.pointee.name) }
        if format.duration != EF_NOPTS_VALUE && format.duration > 0 {
            result.durationSeconds = Double(format.duration) / Double(AV_TIME_BASE)
            result.durationSource = .container
        }
        if format.start_time != EF_NOPTS_VALUE {
            result.startSeconds = Double(format.start_time) / Double(AV_TIME_BASE)
        }
        result.bitRate = format.bit_rate > 0 ? format.bit_rate : nil
        result.tags = dictionary(format.metadata)

        for index in 0..<Int(format.nb_streams) {
            guard let stream = format.streams[index] else { continue }
            result.streams.append(streamInfo(stream.pointee, index: index))
        }
        if result.durationSeconds == nil {
            let longest = result.streams.compactMap(\.durationSeconds).max()
            if let longest, longest > 0 {
                result.durationSeconds = longest
                result.durationSource = .streams
            }
        }

        let chapterCount = min(Int(format.nb_chapters), options.maxChapters)
        for index in 0..<chapterCount {
            guard let chapter = format.chapters[index]?.pointee else { continue }
            let base = av_q2d(chapter.time_base)
            let title = dictionary(chapter.metadata)["title"]
            result.chapters.append(Chapter(
                index: index,
                startSeconds: Self.clamped(Double(chapter.start) * base),
                endSeconds: Self.clamped(Double(chapter.end) * base),
                title: title))
        }
    }

    private func streamInfo(_ stream: AVStream, index: Int) -> StreamInfo {
        let parameters = stream.codecpar.pointee
        let tags = dictionary(stream.metadata)
        var info = StreamInfo(index: index, kind: Self.kind(parameters.codec_type))
        if parameters.codec_id != AV_CODEC_ID_NONE, let name = avcodec_get_name(parameters.codec_id) {
            let codec = String(cString: name)
            info.codec = codec == "unknown_codec" ? nil : codec
        }
        if let language = tags["language"], language != "und" { info.language = language }
        info.title = tags["title"]
        info.attachedPicture = (stream.disposition & EF_DISPOSITION_ATTACHED_PIC) != 0
        if info.kind == .video {
            info.width = parameters.width > 0 ? Int(parameters.width) : nil
            info.height = parameters.height > 0 ? Int(parameters.height) : nil
            if !info.attachedPicture {
                info.frameRate = Self.rate(stream.avg_frame_rate) ?? Self.rate(stream.r_frame_rate)
            }
        }
        if info.kind == .audio {
            info.sampleRate = parameters.sample_rate > 0 ? Int(parameters.sample_rate) : nil
            info.channels = parameters.ch_layout.nb_channels > 0 ? Int(parameters.ch_layout.nb_channels) : nil
        }
        if stream.duration != EF_NOPTS_VALUE && stream.duration > 0 {
            let seconds = Double(stream.duration) * av_q2d(stream.time_base)
            info.durationSeconds = seconds.isFinite && seconds <= Self.maxSeconds ? seconds : nil
        }
        return info
    }

    /// Reads packet timestamps to the end to find how long the recording runs. Used only when
    /// neither the container nor any stream states a duration.
    private func scanDuration(_ context: FormatContext) -> (seconds: Double?, timedOut: Bool) {
        guard let packet = av_packet_alloc() else { return (nil, false) }
        var packetPointer: UnsafeMutablePointer<AVPacket>? = packet
        defer { av_packet_free(&packetPointer) }
        let format = context.pointer
        var earliest = Double.infinity
        var latest = -Double.infinity
        var bytes: Int64 = 0
        while bytes < options.scanByteLimit {
            let status = av_read_frame(format, packet)
            if status < 0 {
                if context.deadlineExpired { return (nil, true) }
                break
            }
            defer { av_packet_unref(packet) }
            bytes += Int64(packet.pointee.size)
            let streamIndex = Int(packet.pointee.stream_index)
            guard streamIndex < Int(format.pointee.nb_streams), let stream = format.pointee.streams[streamIndex] else { continue }
            let stamp = packet.pointee.pts != EF_NOPTS_VALUE ? packet.pointee.pts : packet.pointee.dts
            guard stamp != EF_NOPTS_VALUE else { continue }
            let base = av_q2d(stream.pointee.time_base)
            // In Double: a hostile stamp near Int64.max plus a duration would overflow and trap.
            let start = Double(stamp) * base
            let end = start + Double(max(0, packet.pointee.duration)) * base
            earliest = min(earliest, start)
            latest = max(latest, end)
        }
        guard bytes < options.scanByteLimit, earliest.isFinite, latest.isFinite, latest > earliest else {
            return (nil, false)
        }
        return (latest - earliest, false)
    }

    // MARK: - Helpers

    private func dictionary(_ dictionary: OpaquePointer?) -> [String: String] {
        guard let dictionary else { return [:] }
        var tags: [String: String] = [:]
        var entry: UnsafeMutablePointer<AVDictionaryEntry>? = nil
        while let next = av_dict_get(dictionary, "", entry, AV_DICT_IGNORE_SUFFIX) {
            entry = next
            guard let key = next.pointee.key, let value = next.pointee.value else { continue }
            tags[Self.text(key, limit: 256).lowercased()] = Self.text(value, limit: options.maxTagBytes)
        }
        return tags
    }

    /// Decodes a C string as UTF-8, replacing invalid bytes, cut at `limit` bytes.
    private static func text(_ pointer: UnsafePointer<CChar>, limit: Int) -> String {
        let length = strnlen(pointer, limit + 1)
        let bytes = UnsafeRawBufferPointer(start: pointer, count: min(length, limit))
        let decoded = String(decoding: bytes, as: UTF8.self)
        return length > limit ? decoded + "…" : decoded
    }

    private static func kind(_ type: AVMediaType) -> StreamInfo.Kind {
        switch type {
        case AVMEDIA_TYPE_VIDEO: .video
        case AVMEDIA_TYPE_AUDIO: .audio
        case AVMEDIA_TYPE_SUBTITLE: .subtitle
        case AVMEDIA_TYPE_ATTACHMENT: .attachment
        default: .data
        }
    }

    private static func rate(_ rational: AVRational) -> Double? {
        guard rational.num > 0, rational.den > 0 else { return nil }
        return Double(rational.num) / Double(rational.den)
    }

    /// The longest time a probe believes, in seconds: what a container's own duration field
    /// can hold (Int64 microseconds, about 292 000 years). Stream durations, scanned timestamps
    /// and chapter times can come out far larger from a hostile time base or timestamp; a
    /// duration past this is unknown and a chapter time is clamped to it, so every time the
    /// probe reports fits in milliseconds as an Int (`h:mm:ss.mmm`, media fragments, the index).
    static let maxSeconds = Double(Int64.max) / Double(AV_TIME_BASE)

    /// `value`, or 0 when it is not finite, clamped to ±`maxSeconds`.
    static func clamped(_ value: Double) -> Double {
        value.isFinite ? min(max(value, -maxSeconds), maxSeconds) : 0
    }

    static func errnoError(_ number: Int32, path: String) -> ProbeError {
        let reason = String(cString: strerror(number))
        switch number {
        case ENOENT, ENOTDIR: return ProbeError(code: .notFound, message: "Unable to open '\(path)': \(reason)")
        case EACCES, EPERM: return ProbeError(code: .permissionDenied, message: "Unable to open '\(path)': \(reason)")
        case ELOOP: return ProbeError(code: .notARegularFile, message: "Unable to open '\(path)': \(reason)")
        default: return ProbeError(code: .io, message: "Unable to open '\(path)': \(reason)")
        }
    }

    static func ffmpegError(_ failure: FFmpegFailure, path: String, timedOut: Bool, timeout: Double) -> ProbeError {
        if timedOut || failure.code == EF_AVERROR_EXIT {
            return ProbeError(code: .timeout, message: "Timed out after \(secondsText(timeout)) s reading '\(path)' (\(failure.function))")
        }
        let message = "Unable to open '\(path)': \(failure.reason)"
        switch failure.code {
        case EF_AVERROR_INVALIDDATA, EF_AVERROR_EOF, EF_AVERROR_STREAM_NOT_FOUND, EF_AVERROR_PATCHWELCOME:
            return ProbeError(code: .invalidData, message: message)
        case EF_AVERROR_DEMUXER_NOT_FOUND, ef_averror(EINVAL):
            return ProbeError(code: .unsupportedFormat, message: "Unable to open '\(path)': not a media format efterhand reads (\(failure.reason))")
        case ef_averror(ENOENT):
            return ProbeError(code: .notFound, message: message)
        case ef_averror(EACCES), ef_averror(EPERM):
            return ProbeError(code: .permissionDenied, message: message)
        default:
            return ProbeError(code: .io, message: message)
        }
    }
}

/// `map` over a list with one worker per core; results in input order.
public enum ParallelMap {
    public static func run<T: Sendable, R: Sendable>(_ items: [T], _ body: @Sendable (T) -> R) -> [R] {
        let slots = Slots<R>(count: items.count)
        DispatchQueue.concurrentPerform(iterations: items.count) { index in
            slots.store(body(items[index]), at: index)
        }
        return slots.values
    }
}

/// One slot per input, each written by exactly one worker; read after all workers finish.
private final class Slots<R>: @unchecked Sendable {
    private var slots: [R?]
    private let lock = NSLock()

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func store(_ value: R, at index: Int) {
        lock.lock()
        slots[index] = value
        lock.unlock()
    }

    var values: [R] { slots.compactMap { $0 } }
}
