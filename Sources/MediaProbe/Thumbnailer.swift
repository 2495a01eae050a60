import CFFmpeg
import Foundation

/// Makes JPEG thumbnails of recordings, in-process: seek to the keyframe at or before the
/// time, decode with libavcodec up to the first frame at or after it, scale with libswscale,
/// encode with FFmpeg's mjpeg encoder.
///
/// Opens files as the probe does (regular files only, the file protocol, whitelisted demuxers,
/// a deadline). Audio recordings give their attached cover picture; without one the call
/// throws `noPicture`. Every failure is a `ProbeError` whose message names the file.
public struct Thumbnailer: Sendable {
    /// The mjpeg quantiser, 2 (best, largest) to 31 (worst, smallest); FFmpeg's `-q:v`.
    public var quality: Int
    /// The most frames decoded after the seek before the search for the time stops and the
    /// latest frame is used: bounds the work on files with very long keyframe intervals.
    public var maxDecodedFrames: Int

    public init(quality: Int = 5, maxDecodedFrames: Int = 1500) {
        self.quality = quality
        self.maxDecodedFrames = maxDecodedFrames
    }

    /// Widths a caller may ask for.
    public static let widths = 16...4096

    /// A JPEG of the frame shown `seconds` into the recording at `path`, `width` pixels wide
    /// (made even) and as high as the picture's display aspect ratio says (even too). A time
    /// before the start gives the first frame; a time past the end gives the last one.
    /// `deadline` bounds the whole call, in seconds.
    public func jpeg(path: String, at seconds: Double, width: Int = 320, deadline: Double = 10) throws(ProbeError) -> Thumbnail {
        guard seconds.isFinite else {
            throw ProbeError(code: .invalidArgument, message: "Unable to make a thumbnail of '\(path)': the time \(seconds) is not a number of seconds")
        }
        guard Self.widths.contains(width) else {
            throw ProbeError(code: .invalidArgument, message: "Unable to make a thumbnail of '\(path)': the width \(width) is outside \(Self.widths.lowerBound)...\(Self.widths.upperBound)")
        }
        let context = try FormatContext.open(path: path, timeout: deadline)
        let failure = FailureContext(path: path, action: "make a thumbnail of", timeout: deadline, context: context)
        guard let (index, isCover) = Self.pictureStream(context), let stream = context.stream(index) else {
            if let codec = Self.undecodableVideo(context) {
                throw ProbeError(code: .unsupportedFormat, message: "Unable to make a thumbnail of '\(path)': FFmpeg has no decoder for its \(codec) video")
            }
            throw ProbeError(code: .noPicture, message: "Unable to make a thumbnail of '\(path)': it has no video stream and no cover picture")
        }
        context.discardAll(except: [index])
        let decoder = try failure.run { () throws(FFmpegFailure) in try CodecContext(decoderFor: stream) }

        let picture: Frame
        var time: Double?
        if isCover {
            picture = try coverPicture(stream, decoder: decoder, failure: failure)
        } else {
            (picture, time) = try frame(at: max(0, seconds), stream: stream, index: index, decoder: decoder, failure: failure)
        }
        let (jpeg, size) = try failure.run { () throws(FFmpegFailure) in try encode(picture, width: width, stream: stream) }
        return Thumbnail(jpeg: jpeg, width: size.width, height: size.height, time: time, source: isCover ? .coverPicture : .frame)
    }

    // MARK: - Choosing the picture

    /// The video stream to take a picture from: a moving picture with a decoder (the default
    /// one first), else an attached cover picture; nil when there is neither.
    static func pictureStream(_ context: FormatContext) -> (index: Int, isCover: Bool)? {
        var video: [(index: Int, isDefault: Bool)] = []
        var cover: Int?
        for index in 0..<Int(context.pointer.pointee.nb_streams) {
            guard let stream = context.stream(index), let parameters = stream.pointee.codecpar,
                  parameters.pointee.codec_type == AVMEDIA_TYPE_VIDEO,
                  avcodec_find_decoder(parameters.pointee.codec_id) != nil
            else { continue }
            let disposition = stream.pointee.disposition
            if disposition & EF_DISPOSITION_ATTACHED_PIC != 0 {
                if cover == nil, stream.pointee.attached_pic.size > 0 { cover = index }
            } else {
                video.append((index, disposition & AV_DISPOSITION_DEFAULT != 0))
            }
        }
        if let chosen = video.first(where: \.isDefault) ?? video.first { return (chosen.index, false) }
        return cover.map { ($0, true) }
    }

    /// The codec of a video stream FFmpeg cannot decode, to say why there is no picture.
    private static func undecodableVideo(_ context: FormatContext) -> String? {
        for index in 0..<Int(context.pointer.pointee.nb_streams) {
            guard let parameters = context.stream(index)?.pointee.codecpar, parameters.pointee.codec_type == AVMEDIA_TYPE_VIDEO,
                  avcodec_find_decoder(parameters.pointee.codec_id) == nil
            else { continue }
            return avcodec_get_name(parameters.pointee.codec_id).map { String(cString: $0) } ?? "unknown"
        }
        return nil
    }

    // MARK: - Decoding

    /// Decodes the attached picture's one packet.
    private func coverPicture(_ stream: UnsafeMutablePointer<AVStream>, decoder: CodecContext, failure: FailureContext) throws(ProbeError) -> Frame {
        try failure.run { () throws(FFmpegFailure) in
            let packet = try Packet()
            try check(av_packet_ref(packet.pointer, &stream.pointee.attached_pic), "av_packet_ref")
            try check(avcodec_send_packet(decoder.pointer, packet.pointer), "avcodec_send_packet")
            // The picture is the whole stream: flush, so a decoder with a delay gives it up too.
            _ = avcodec_send_packet(decoder.pointer, nil)
            let frame = try Frame()
            try check(avcodec_receive_frame(decoder.pointer, frame.pointer), "avcodec_receive_frame")
            return frame
        }
    }

    /// Seeks and decodes to the first frame at or after `target` seconds into the recording,
    /// or the last frame before the end. When a seek lands where nothing decodes (past the last
    /// keyframe, in a file without an index) or past the time, it tries again from earlier points.
    private func frame(
        at target: Double, stream: UnsafeMutablePointer<AVStream>, index: Int, decoder: CodecContext, failure: FailureContext
    ) throws(ProbeError) -> (Frame, Double?) {
        let timeBase = av_q2d(stream.pointee.time_base)
        guard timeBase > 0 else {
            throw ProbeError(code: .invalidData, message: "Unable to make a thumbnail of '\(failure.path)': the video stream has no time base")
        }
        let context = failure.context
        var lastError: FFmpegFailure?
        var overshoot: (Frame, Double?)?
        for backoff in [0.0, 5, 30, 120, .infinity] {
            let seekTo = max(0, target - backoff)
            if seekTo == 0, Self.seeksByBytes(context) {
                // The stream formats (MPEG-TS, PS) find a time by bisecting timestamps and may land
                // past the first keyframe; their start is byte 0.
                if av_seek_frame(context.pointer, -1, 0, AVSEEK_FLAG_BYTE) < 0 {
                    _ = avformat_seek_file(context.pointer, -1, Int64.min, 0, 0, 0)
                }
            } else {
                // A seek that fails leaves the reader where it was: decoding from there is still
                // right, only slower. BACKWARD lands on the keyframe at or before the time.
                let streamTime = Self.streamTimestamp(seconds: seekTo + context.startOffset, timeBase: timeBase)
                if av_seek_frame(context.pointer, Int32(index), streamTime, AVSEEK_FLAG_BACKWARD) < 0, seekTo == 0 {
                    _ = avformat_seek_file(context.pointer, -1, Int64.min, 0, 0, 0)
                }
            }
            avcodec_flush_buffers(decoder.pointer)
            do {
                if let found = try decode(until: target, index: index, timeBase: timeBase, decoder: decoder, context: context) {
                    // Decoding began after the time: the seek landed past the keyframe before it
                    // (demuxers without an index seek by timestamp, not by keyframe). Keep this
                    // frame in case nothing better comes, and start earlier.
                    if let first = found.firstTime, first > target + 0.001, seekTo > 0 {
                        if overshoot == nil { overshoot = (found.frame, found.time) }
                        continue
                    }
                    return (found.frame, found.time)
                }
            } catch {
                lastError = error
                if context.deadlineExpired { break }
            }
            if seekTo == 0 { break }
        }
        if context.deadlineExpired { throw failure.timedOut("decoding") }
        if let overshoot { return overshoot }
        if let lastError { throw failure.error(lastError) }
        throw ProbeError(code: .invalidData, message: "Unable to make a thumbnail of '\(failure.path)': no video frame could be decoded")
    }

    /// One pass from where the demuxer stands: frames in presentation order until one is at or
    /// after `target`, or the stream or the frame budget ends (then the latest frame), or nil
    /// when nothing decoded. Also says when the first decoded frame was.
    private func decode(
        until target: Double, index: Int, timeBase: Double, decoder: CodecContext, context: FormatContext
    ) throws(FFmpegFailure) -> (frame: Frame, time: Double?, firstTime: Double?)? {
        var feed = try PacketFeed(index: index, maxSkipped: maxDecodedFrames)
        var latest: (frame: Frame, time: Double?)?
        var firstTime: Double?
        var spare = try Frame()
        var decoded = 0
        while !context.deadlineExpired {
            if !feed.draining, try !feed.sendNext(decoder: decoder, context: context) { continue }
            while true {
                let received = avcodec_receive_frame(decoder.pointer, spare.pointer)
                if received < 0 {
                    // Drained: what was decoded last is as near as the stream gets.
                    if feed.draining || received == EF_AVERROR_EOF { return latest.map { ($0.frame, $0.time, firstTime) } }
                    // EAGAIN wants the next packet; another error was one damaged frame.
                    break
                }
                decoded += 1
                let time = Self.frameTime(spare.pointer, timeBase: timeBase, startOffset: context.startOffset)
                if decoded == 1 { firstTime = time }
                let previous = latest?.frame
                latest = (spare, time)
                if let time, time < target - 0.0005, decoded < maxDecodedFrames {
                    // Not there yet: reuse the older frame's memory for the next one.
                    if let previous {
                        av_frame_unref(previous.pointer)
                        spare = previous
                    } else {
                        spare = try Frame()
                    }
                    continue
                }
                return (spare, time, firstTime)
            }
        }
        throw FFmpegFailure(code: EF_AVERROR_EXIT, function: "decoding")
    }

    /// The packets of one stream, fed to its decoder one at a time: those before the first
    /// keyframe passed over, damaged ones skipped (unless the stream is all damage), and at the
    /// end (or damage the demuxer cannot read past) the decoder told to drain what it holds.
    private struct PacketFeed {
        let packet: Packet
        let index: Int
        /// Packets passed over while waiting for a keyframe, at most this many.
        let maxSkipped: Int
        var seenKeyframe = false
        var skipped = 0
        var badPackets = 0
        /// No packet left to send: the decoder is draining.
        private(set) var draining = false

        init(index: Int, maxSkipped: Int) throws(FFmpegFailure) {
            packet = try Packet()
            self.index = index
            self.maxSkipped = maxSkipped
        }

        /// Reads the next packet and sends it; false when it was not sent (another stream, no
        /// keyframe yet, damaged), so the caller reads on.
        mutating func sendNext(decoder: CodecContext, context: FormatContext) throws(FFmpegFailure) -> Bool {
            let status = av_read_frame(context.pointer, packet.pointer)
            if status < 0 {
                if status == EF_AVERROR_EXIT || context.deadlineExpired { throw FFmpegFailure(code: status, function: "av_read_frame") }
                // The end, or damage the demuxer cannot read past: decode what is buffered.
                draining = true
                _ = avcodec_send_packet(decoder.pointer, nil)
                return true
            }
            defer { av_packet_unref(packet.pointer) }
            guard packet.pointer.pointee.stream_index == Int32(index) else { return false }
            // Demuxers without an index (MPEG-TS) seek to any packet; a picture decoded
            // before the next keyframe would be grey smear.
            if !seenKeyframe {
                guard packet.pointer.pointee.flags & AV_PKT_FLAG_KEY != 0 || skipped >= maxSkipped else {
                    skipped += 1
                    return false
                }
                seenKeyframe = true
            }
            let sent = avcodec_send_packet(decoder.pointer, packet.pointer)
            if sent < 0 && sent != EF_AVERROR_EAGAIN {
                // A damaged packet: skip it, as players do, unless the stream is all damage.
                badPackets += 1
                if badPackets > 50 { throw FFmpegFailure(code: sent, function: "avcodec_send_packet") }
                return false
            }
            return true
        }
    }

    /// Whether the container is a stream format whose timestamps may jump, where a position is
    /// better found by bytes: ffplay's rule (AVFMT_TS_DISCONT, Ogg excepted).
    private static func seeksByBytes(_ context: FormatContext) -> Bool {
        guard let format = context.pointer.pointee.iformat?.pointee else { return false }
        return format.flags & AVFMT_TS_DISCONT != 0 && String(cString: format.name) != "ogg"
    }

    /// A frame's time in seconds into the recording, from its best-effort timestamp.
    private static func frameTime(_ frame: UnsafeMutablePointer<AVFrame>, timeBase: Double, startOffset: Double) -> Double? {
        var stamp = frame.pointee.best_effort_timestamp
        if stamp == EF_NOPTS_VALUE { stamp = frame.pointee.pts }
        guard stamp != EF_NOPTS_VALUE else { return nil }
        let seconds = Double(stamp) * timeBase - startOffset
        return seconds.isFinite ? seconds : nil
    }

    /// Seconds as a timestamp in a stream's time base, clamped to what fits.
    private static func streamTimestamp(seconds: Double, timeBase: Double) -> Int64 {
        let value = (seconds / timeBase).rounded(.down)
        guard value.isFinite else { return 0 }
        return Int64(max(-9.0e18, min(9.0e18, value)))
    }

    // MARK: - Scaling and encoding

    /// The picture scaled to `width` (made even) and encoded as a JPEG; returns the bytes and
    /// the size they have.
    private func encode(_ picture: Frame, width requested: Int, stream: UnsafeMutablePointer<AVStream>) throws(FFmpegFailure) -> (Data, (width: Int, height: Int)) {
        let source = picture.pointer.pointee
        guard source.width > 0, source.height > 0, source.format >= 0 else {
            throw FFmpegFailure(code: EF_AVERROR_INVALIDDATA, function: "decoded frame without a size")
        }
        let size = Self.outputSize(
            width: requested, sourceWidth: Int(source.width), sourceHeight: Int(source.height),
            sampleAspect: Self.aspect(source.sample_aspect_ratio) ?? Self.aspect(stream.pointee.sample_aspect_ratio) ?? 1)
        let sourceFormat = AVPixelFormat(rawValue: source.format)
        let scaler = try Scaler(
            from: (source.width, source.height, sourceFormat),
            to: (Int32(size.width), Int32(size.height), AV_PIX_FMT_YUVJ420P))
        Self.setColorRanges(scaler, source: source, sourceFormat: sourceFormat)

        let scaled = try Frame()
        scaled.pointer.pointee.width = Int32(size.width)
        scaled.pointer.pointee.height = Int32(size.height)
        scaled.pointer.pointee.format = AV_PIX_FMT_YUVJ420P.rawValue
        try check(av_frame_get_buffer(scaled.pointer, 0), "av_frame_get_buffer")
        try check(sws_scale_frame(scaler.pointer, scaled.pointer, picture.pointer), "sws_scale_frame")

        let quantiser = Int32(min(31, max(2, quality)))
        let encoder = try CodecContext(encoder: AV_CODEC_ID_MJPEG) { context in
            context.pointee.width = Int32(size.width)
            context.pointee.height = Int32(size.height)
            context.pointee.pix_fmt = AV_PIX_FMT_YUVJ420P
            context.pointee.color_range = AVCOL_RANGE_JPEG
            context.pointee.time_base = AVRational(num: 1, den: 25)
            // A fixed quantiser: every thumbnail looks the same, whatever is in it.
            context.pointee.flags |= Int32(AV_CODEC_FLAG_QSCALE)
            context.pointee.global_quality = quantiser * Int32(FF_QP2LAMBDA)
            context.pointee.qmin = quantiser
            context.pointee.qmax = quantiser
            context.pointee.thread_count = 1
        }
        // With a fixed quantiser the encoder takes the quality from the frame, as ffmpeg's -q:v does.
        scaled.pointer.pointee.quality = encoder.pointer.pointee.global_quality
        scaled.pointer.pointee.pts = 0
        try check(avcodec_send_frame(encoder.pointer, scaled.pointer), "avcodec_send_frame")
        let packet = try Packet()
        try check(avcodec_receive_packet(encoder.pointer, packet.pointer), "avcodec_receive_packet")
        defer { av_packet_unref(packet.pointer) }
        guard let data = packet.pointer.pointee.data, packet.pointer.pointee.size > 0 else {
            throw FFmpegFailure(code: EF_AVERROR_INVALIDDATA, function: "avcodec_receive_packet")
        }
        return (Data(bytes: data, count: Int(packet.pointer.pointee.size)), size)
    }

    /// `width` made even, and the height that keeps the display aspect ratio, made even; both
    /// at least 2.
    /// The size a thumbnail `width` wide will have, as far as the probe can say: a picture of
    /// `pictureWidth`×`pictureHeight` with square pixels (16:9 when the size is unknown). The
    /// probe does not read the sample aspect ratio, so an anamorphic picture comes out otherwise.
    public static func plannedSize(width: Int, pictureWidth: Int?, pictureHeight: Int?) -> (width: Int, height: Int) {
        guard let pictureWidth, let pictureHeight, pictureWidth > 0, pictureHeight > 0 else {
            return outputSize(width: width, sourceWidth: 16, sourceHeight: 9, sampleAspect: 1)
        }
        return outputSize(width: width, sourceWidth: pictureWidth, sourceHeight: pictureHeight, sampleAspect: 1)
    }

    static func outputSize(width: Int, sourceWidth: Int, sourceHeight: Int, sampleAspect: Double) -> (width: Int, height: Int) {
        let even = max(2, width & ~1)
        let displayAspect = Double(sourceWidth) * sampleAspect / Double(sourceHeight)
        let height = (Double(even) / displayAspect / 2).rounded() * 2
        guard height.isFinite else { return (even, even) }
        return (even, Int(min(8192, max(2, height))))
    }

    private static func aspect(_ ratio: AVRational) -> Double? {
        guard ratio.num > 0, ratio.den > 0 else { return nil }
        let value = Double(ratio.num) / Double(ratio.den)
        // A sample aspect ratio far from square is a broken header, not an anamorphic picture.
        return (0.1...10).contains(value) ? value : nil
    }

    /// Tells libswscale which range the source uses (limited unless the frame says full or
    /// the format is a J format) and its colour matrix, so a thumbnail is neither washed out nor
    /// crushed. Best effort: formats without these details (RGB covers) keep libswscale's defaults.
    private static func setColorRanges(_ scaler: Scaler, source: AVFrame, sourceFormat: AVPixelFormat) {
        var inverseTable: UnsafeMutablePointer<Int32>?
        var table: UnsafeMutablePointer<Int32>?
        var sourceRange: Int32 = 0
        var targetRange: Int32 = 0
        var brightness: Int32 = 0
        var contrast: Int32 = 0
        var saturation: Int32 = 0
        guard sws_getColorspaceDetails(scaler.pointer, &inverseTable, &sourceRange, &table, &targetRange, &brightness, &contrast, &saturation) >= 0 else { return }
        let fullRangeFormats = [AV_PIX_FMT_YUVJ420P, AV_PIX_FMT_YUVJ422P, AV_PIX_FMT_YUVJ444P, AV_PIX_FMT_YUVJ440P, AV_PIX_FMT_YUVJ411P]
        let sourceFull: Int32 = source.color_range == AVCOL_RANGE_JPEG || fullRangeFormats.contains(sourceFormat) ? 1 : 0
        let matrix = source.colorspace == AVCOL_SPC_UNSPECIFIED || source.colorspace == AVCOL_SPC_RGB ? SWS_CS_DEFAULT : Int32(source.colorspace.rawValue)
        _ = sws_setColorspaceDetails(scaler.pointer, sws_getCoefficients(matrix), sourceFull, sws_getCoefficients(SWS_CS_DEFAULT), 1, brightness, contrast, saturation)
    }
}
