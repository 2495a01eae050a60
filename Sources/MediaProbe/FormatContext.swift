import CFFmpeg
import Foundation

/// A point in time after which FFmpeg's blocking calls give up (through the interrupt callback).
final class Deadline: @unchecked Sendable {
    private let limit: UInt64

    init(seconds: Double) {
        let nanos = UInt64(max(0, min(seconds, 86_400)) * 1e9)
        limit = DispatchTime.now().uptimeNanoseconds &+ nanos
    }

    var expired: Bool { DispatchTime.now().uptimeNanoseconds >= limit }
}

/// libavformat's answer to a call that failed: its error number and its own words for it.
struct FFmpegFailure: Error {
    var code: Int32
    var function: String

    var reason: String {
        var buffer = [CChar](repeating: 0, count: 256)
        if av_strerror(code, &buffer, buffer.count) < 0 {
            return "FFmpeg error \(code) in \(function)"
        }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// Every C call that returns an FFmpeg status goes through here.
@discardableResult
func check(_ status: Int32, _ function: String) throws(FFmpegFailure) -> Int32 {
    if status < 0 { throw FFmpegFailure(code: status, function: function) }
    return status
}

private let interruptCallback: @convention(c) (UnsafeMutableRawPointer?) -> Int32 = { opaque in
    guard let opaque else { return 0 }
    return Unmanaged<Deadline>.fromOpaque(opaque).takeUnretainedValue().expired ? 1 : 0
}

/// Owns one opened `AVFormatContext` and closes it in `deinit`. Nothing it points to leaves
/// this module: readers copy what they need into Swift values while the context is alive.
final class FormatContext {
    let pointer: UnsafeMutablePointer<AVFormatContext>
    // Kept alive for as long as the context can call back into it.
    private let deadline: Deadline

    /// The demuxers efterhand opens: real media containers only. No concat/ffconcat, no
    /// playlists (HLS, DASH) that open other files, no image sequences, no raw text.
    static let demuxerWhitelist = [
        "mov", "mp4", "m4a", "3gp", "3g2", "mj2", "matroska", "webm", "mpegts", "mpeg",
        "mp3", "aac", "ac3", "eac3", "flac", "ogg", "wav", "w64", "aiff", "caf", "avi", "flv",
        "asf", "mxf", "dv", "nut", "amr", "ape", "wv", "mpc", "mpc8", "tta", "opus",
    ].joined(separator: ",")

    /// Opens `url` (an absolute `file:` URL) under `deadline`, reading only the `file` protocol
    /// and whitelisted demuxers, then reads stream information.
    init(url: String, deadline: Deadline) throws(FFmpegFailure) {
        _ = FFmpegLog.installed
        self.deadline = deadline
        guard var context = avformat_alloc_context() else {
            throw FFmpegFailure(code: ef_averror(ENOMEM), function: "avformat_alloc_context")
        }
        context.pointee.interrupt_callback = AVIOInterruptCB(
            callback: interruptCallback,
            opaque: Unmanaged.passUnretained(deadline).toOpaque()
        )
        var options: OpaquePointer? = nil
        av_dict_set(&options, "protocol_whitelist", "file", 0)
        av_dict_set(&options, "format_whitelist", Self.demuxerWhitelist, 0)
        defer { av_dict_free(&options) }
        var opened: UnsafeMutablePointer<AVFormatContext>? = context
        // On failure avformat_open_input frees the context itself and sets it to nil.
        try check(avformat_open_input(&opened, url, nil, &options), "avformat_open_input")
        guard let opened else { throw FFmpegFailure(code: ef_averror(ENOMEM), function: "avformat_open_input") }
        context = opened
        pointer = context
        try check(avformat_find_stream_info(context, nil), "avformat_find_stream_info")
    }

    deinit {
        var context: UnsafeMutablePointer<AVFormatContext>? = pointer
        avformat_close_input(&context)
    }

    var deadlineExpired: Bool { deadline.expired }
}
