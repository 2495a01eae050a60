import CFFmpeg
import Foundation

/// Audio for speech-to-text, in-process: the recording's audio stream decoded with libavcodec
/// and resampled with libswresample to 16 kHz mono signed 16-bit PCM, the input every Whisper
/// engine wants. No ffmpeg subprocess, no temporary full-length WAV.
///
/// Opens files as the probe does (regular files only, the file protocol, whitelisted demuxers,
/// a deadline). Every failure is a `ProbeError` whose message names the file.
public struct AudioExtractor: Sendable {
    /// Samples per second of what `extract` delivers.
    public static let sampleRate = 16_000

    public init() {}

    /// Delivers the stretch from `start` to `end` seconds into the recording (to its end when
    /// `end` is nil) to `sink`, in blocks, as 16 kHz mono samples; `sink` returns false to stop.
    /// Returns the time in seconds into the recording of the first sample delivered: `start`,
    /// or later when the audio itself begins later. Samples are counted from there, so sample
    /// `n` is at `returned + n / 16000` however long the stretch (a 2-hour recording included).
    public func extract(path: String, from start: Double = 0, to end: Double? = nil, deadline: Double = 600,
                        sink: (UnsafeBufferPointer<Int16>) -> Bool) throws(ProbeError) -> Double {
        guard start.isFinite, start >= 0, end.map({ $0.isFinite && $0 > start }) ?? true else {
            throw ProbeError(code: .invalidArgument, message: "Unable to read the audio of '\(path)': the stretch \(start)–\(end.map { "\($0)" } ?? "end") is not a stretch of seconds")
        }
        let context = try FormatContext.open(path: path, timeout: deadline)
        let failure = FailureContext(path: path, action: "read the audio of", timeout: deadline, context: context)
        let index = Int(av_find_best_stream(context.pointer, AVMEDIA_TYPE_AUDIO, -1, -1, nil, 0))
        guard index >= 0, let stream = context.stream(index) else {
            throw ProbeError(code: .noAudio, message: "Unable to read the audio of '\(path)': it has no audio stream FFmpeg can decode")
        }
        context.discardAll(except: [index])
        let decoder = try failure.run { () throws(FFmpegFailure) in try CodecContext(decoderFor: stream) }
        let timeBase = av_q2d(stream.pointee.time_base)
        if start > 0, timeBase > 0 {
            // BACKWARD lands at or before the time; the samples before it are dropped by count.
            let target = Int64(clamping: Int((start + context.startOffset) / timeBase))
            _ = av_seek_frame(context.pointer, Int32(index), target, AVSEEK_FLAG_BACKWARD)
        }
        var reader = SampleReader(start: start, end: end, timeBase: timeBase, startOffset: context.startOffset)
        try failure.run { () throws(FFmpegFailure) in try reader.run(index: index, decoder: decoder, context: context, sink: sink) }
        if context.deadlineExpired { throw failure.timedOut("decoding the audio") }
        return reader.firstTime ?? start
    }
}

/// The decode and resample loop of `AudioExtractor.extract`: packets of one stream to frames,
/// frames through the resampler, samples before `start` dropped, delivery ended at `end`.
private struct SampleReader {
    let start: Double
    let end: Double?
    let timeBase: Double
    let startOffset: Double
    var resampler: Resampler?
    /// The time of the first sample delivered, once known.
    var firstTime: Double?
    /// Output samples still to drop (before `start`), and those delivered so far.
    var toDrop = 0
    var delivered = 0
    var stopped = false

    init(start: Double, end: Double?, timeBase: Double, startOffset: Double) {
        self.start = start
        self.end = end
        self.timeBase = timeBase
        self.startOffset = startOffset
    }

    /// Samples the stretch may still take, nil for no limit.
    var room: Int? {
        guard let end, let firstTime else { return nil }
        return max(0, Int(((end - firstTime) * Double(AudioExtractor.sampleRate)).rounded()) - delivered)
    }

    mutating func run(index: Int, decoder: CodecContext, context: FormatContext, sink: (UnsafeBufferPointer<Int16>) -> Bool) throws(FFmpegFailure) {
        let packet = try Packet()
        let frame = try Frame()
        var draining = false
        while !stopped, !context.deadlineExpired {
            if !draining {
                let status = av_read_frame(context.pointer, packet.pointer)
                if status < 0 {
                    if status == EF_AVERROR_EXIT { throw FFmpegFailure(code: status, function: "av_read_frame") }
                    draining = true
                    _ = avcodec_send_packet(decoder.pointer, nil)
                } else {
                    defer { av_packet_unref(packet.pointer) }
                    guard packet.pointer.pointee.stream_index == Int32(index) else { continue }
                    // A damaged packet is skipped, as players do.
                    _ = avcodec_send_packet(decoder.pointer, packet.pointer)
                }
            }
            while !stopped {
                let received = avcodec_receive_frame(decoder.pointer, frame.pointer)
                if received < 0 {
                    if draining || received == EF_AVERROR_EOF {
                        try flush(sink: sink)
                        return
                    }
                    break
                }
                try take(frame, sink: sink)
                av_frame_unref(frame.pointer)
            }
        }
    }

    /// One decoded frame through the resampler.
    private mutating func take(_ frame: Frame, sink: (UnsafeBufferPointer<Int16>) -> Bool) throws(FFmpegFailure) {
        if resampler == nil {
            resampler = try Resampler(from: frame.pointer)
            let stamp = frame.pointer.pointee.best_effort_timestamp
            let time = stamp == EF_NOPTS_VALUE || timeBase <= 0 ? start : Double(stamp) * timeBase - startOffset
            let first = max(start, time)
            firstTime = first
            toDrop = max(0, Int(((start - time) * Double(AudioExtractor.sampleRate)).rounded()))
        }
        guard let resampler else { return }
        let samples = try resampler.convert(frame.pointer)
        deliver(samples, sink: sink)
    }

    private mutating func flush(sink: (UnsafeBufferPointer<Int16>) -> Bool) throws(FFmpegFailure) {
        guard let resampler else { return }
        deliver(try resampler.convert(nil), sink: sink)
    }

    private mutating func deliver(_ samples: [Int16], sink: (UnsafeBufferPointer<Int16>) -> Bool) {
        var from = 0
        if toDrop > 0 {
            from = min(toDrop, samples.count)
            toDrop -= from
        }
        var upTo = samples.count
        if let room { upTo = min(upTo, from + room) }
        guard upTo > from else {
            if room == 0 { stopped = true }
            return
        }
        samples[from..<upTo].withUnsafeBufferPointer { block in
            if !sink(block) { stopped = true }
        }
        delivered += upTo - from
        if room == 0 { stopped = true }
    }
}

/// Owns a libswresample context from one frame's format, layout and rate to 16 kHz mono s16.
final class Resampler {
    let pointer: OpaquePointer
    let inputRate: Int32

    init(from frame: UnsafeMutablePointer<AVFrame>) throws(FFmpegFailure) {
        var context: OpaquePointer?
        var mono = ef_mono_layout()
        var input = frame.pointee.ch_layout
        if input.nb_channels <= 0 { av_channel_layout_default(&input, 1) }
        let format = AVSampleFormat(rawValue: frame.pointee.format)
        try check(swr_alloc_set_opts2(&context, &mono, AV_SAMPLE_FMT_S16, Int32(AudioExtractor.sampleRate), &input, format,
                                      frame.pointee.sample_rate, 0, nil), "swr_alloc_set_opts2")
        guard let context else { throw FFmpegFailure(code: ef_averror(ENOMEM), function: "swr_alloc_set_opts2") }
        pointer = context
        inputRate = frame.pointee.sample_rate
        try check(swr_init(context), "swr_init")
    }

    deinit {
        var context: OpaquePointer? = pointer
        swr_free(&context)
    }

    /// The samples of `frame` (nil: what the resampler still holds), at 16 kHz mono.
    func convert(_ frame: UnsafeMutablePointer<AVFrame>?) throws(FFmpegFailure) -> [Int16] {
        let inputCount = frame.map { $0.pointee.nb_samples } ?? 0
        let room = swr_get_out_samples(pointer, inputCount)
        guard room > 0 else { return [] }
        var output = [Int16](repeating: 0, count: Int(room))
        let made = output.withUnsafeMutableBytes { bytes -> Int32 in
            var out: UnsafeMutablePointer<UInt8>? = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self)
            let input = frame.map { UnsafeMutableRawPointer($0.pointee.extended_data).assumingMemoryBound(to: UnsafePointer<UInt8>?.self) }
            return swr_convert(pointer, &out, room, input, inputCount)
        }
        try check(made, "swr_convert")
        output.removeLast(output.count - Int(made))
        return output
    }
}
