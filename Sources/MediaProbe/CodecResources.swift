import CFFmpeg

// Owners of the libavcodec and libswscale objects the readers use. Each frees its object in
// `deinit`; none of them leaves this module.

/// Owns an opened `AVCodecContext` (a decoder or an encoder).
final class CodecContext {
    let pointer: UnsafeMutablePointer<AVCodecContext>

    /// A decoder for `stream`, with the stream's parameters and time base, on one thread:
    /// readers run side by side, one per core, and frame threads would only add delay.
    init(decoderFor stream: UnsafeMutablePointer<AVStream>) throws(FFmpegFailure) {
        let parameters = stream.pointee.codecpar
        guard let codec = avcodec_find_decoder(parameters?.pointee.codec_id ?? AV_CODEC_ID_NONE) else {
            throw FFmpegFailure(code: EF_AVERROR_DECODER_NOT_FOUND, function: "avcodec_find_decoder(\(Self.name(parameters?.pointee.codec_id)))")
        }
        guard let context = avcodec_alloc_context3(codec) else {
            throw FFmpegFailure(code: ef_averror(ENOMEM), function: "avcodec_alloc_context3")
        }
        // From here on deinit frees the context, whatever fails next.
        pointer = context
        try check(avcodec_parameters_to_context(context, parameters), "avcodec_parameters_to_context")
        context.pointee.pkt_timebase = stream.pointee.time_base
        context.pointee.thread_count = 1
        try check(avcodec_open2(context, codec, nil), "avcodec_open2")
    }

    /// An encoder for `id`, set up by `configure` before it is opened.
    init(encoder id: AVCodecID, configure: (UnsafeMutablePointer<AVCodecContext>) -> Void) throws(FFmpegFailure) {
        guard let codec = avcodec_find_encoder(id) else {
            throw FFmpegFailure(code: EF_AVERROR_ENCODER_NOT_FOUND, function: "avcodec_find_encoder(\(Self.name(id)))")
        }
        guard let context = avcodec_alloc_context3(codec) else {
            throw FFmpegFailure(code: ef_averror(ENOMEM), function: "avcodec_alloc_context3")
        }
        pointer = context
        configure(context)
        try check(avcodec_open2(context, codec, nil), "avcodec_open2")
    }

    deinit {
        var context: UnsafeMutablePointer<AVCodecContext>? = pointer
        avcodec_free_context(&context)
    }

    private static func name(_ id: AVCodecID?) -> String {
        guard let id, let name = avcodec_get_name(id) else { return "unknown codec" }
        return String(cString: name)
    }
}

/// Owns an `AVFrame`.
final class Frame {
    let pointer: UnsafeMutablePointer<AVFrame>

    init() throws(FFmpegFailure) {
        guard let frame = av_frame_alloc() else { throw FFmpegFailure(code: ef_averror(ENOMEM), function: "av_frame_alloc") }
        pointer = frame
    }

    deinit {
        var frame: UnsafeMutablePointer<AVFrame>? = pointer
        av_frame_free(&frame)
    }
}

/// Owns an `AVPacket`.
final class Packet {
    let pointer: UnsafeMutablePointer<AVPacket>

    init() throws(FFmpegFailure) {
        guard let packet = av_packet_alloc() else { throw FFmpegFailure(code: ef_averror(ENOMEM), function: "av_packet_alloc") }
        pointer = packet
    }

    deinit {
        var packet: UnsafeMutablePointer<AVPacket>? = pointer
        av_packet_free(&packet)
    }
}

/// Owns a libswscale `SwsContext` that converts one size and pixel format into another.
final class Scaler {
    let pointer: OpaquePointer

    init(
        from source: (width: Int32, height: Int32, format: AVPixelFormat),
        to target: (width: Int32, height: Int32, format: AVPixelFormat)
    ) throws(FFmpegFailure) {
        guard let context = sws_getContext(
            source.width, source.height, source.format, target.width, target.height, target.format,
            SWS_BICUBIC | SWS_ACCURATE_RND, nil, nil, nil)
        else {
            // sws_getContext says no more than that: an unsupported format or size.
            throw FFmpegFailure(code: ef_averror(ENOSYS), function: "sws_getContext")
        }
        pointer = context
    }

    deinit { sws_freeContext(pointer) }
}
