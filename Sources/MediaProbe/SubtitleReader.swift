import CFFmpeg
import Captions
import Foundation

/// Reads the text subtitle streams inside a recording (mov_text, subrip, webvtt, ass, ssa and
/// the other text codecs libavcodec decodes) into cues, in-process.
///
/// Opens files as the probe does (regular files only, the file protocol, whitelisted demuxers,
/// a deadline) and demuxes only the subtitle streams. Bitmap subtitles (DVD, PGS) have no text
/// and are left out, as are text streams libavcodec has no decoder for. A packet that does not
/// decode is skipped. Every failure is a `ProbeError` whose message names the file.
public struct SubtitleReader: Sendable {
    /// Cues past this count (over all tracks) are not read, so a hostile file cannot fill memory.
    public var maxCues: Int
    /// Text past this many characters in one cue is cut.
    public var maxCueCharacters: Int

    public init(maxCues: Int = 200_000, maxCueCharacters: Int = 4096) {
        self.maxCues = maxCues
        self.maxCueCharacters = maxCueCharacters
    }

    /// The text subtitle tracks of the recording at `path`, in stream order, each with its cues
    /// in time order; an empty array when it has none. `deadline` bounds the whole call, in seconds.
    ///
    /// A cue's times come from its packet: the timestamp and duration in the stream's time base,
    /// else the decoder's display times; a cue with no end at all ends where the next one starts
    /// (or where the recording does). The `Name` field of an ASS event and the `<v Name>` of a
    /// WebVTT cue become the speaker.
    public func cues(path: String, deadline: Double = 10) throws(ProbeError) -> [SubtitleTrack] {
        let context = try FormatContext.open(path: path, timeout: deadline)
        let failure = FailureContext(path: path, action: "read the subtitles of", timeout: deadline, context: context)

        var readers: [Int: TrackReader] = [:]
        for index in 0..<Int(context.pointer.pointee.nb_streams) {
            guard let stream = context.stream(index), let reader = TrackReader(stream: stream, index: index) else { continue }
            readers[index] = reader
        }
        guard !readers.isEmpty else { return [] }
        context.discardAll(except: Set(readers.keys))

        let packet = try failure.run { () throws(FFmpegFailure) in try Packet() }
        var total = 0
        while total < maxCues {
            let status = av_read_frame(context.pointer, packet.pointer)
            if status < 0 {
                if context.deadlineExpired || status == EF_AVERROR_EXIT { throw failure.timedOut("av_read_frame") }
                // The end, or damage the demuxer cannot read past: keep what was read.
                break
            }
            defer { av_packet_unref(packet.pointer) }
            guard let reader = readers[Int(packet.pointer.pointee.stream_index)] else { continue }
            total += reader.decode(packet.pointer, startOffset: context.startOffset, maxCharacters: maxCueCharacters)
        }
        for reader in readers.values where total < maxCues {
            total += reader.flush(startOffset: context.startOffset, maxCharacters: maxCueCharacters)
        }
        if context.deadlineExpired { throw failure.timedOut("reading packets") }

        let end = context.durationSeconds
        return readers.keys.sorted().compactMap { readers[$0]?.track(recordingEnd: end) }
    }
}

/// One subtitle stream being read: its decoder and the cues found so far.
private final class TrackReader {
    private let decoder: CodecContext
    private let timeBase: Double
    private let isWebVTT: Bool
    private var track: SubtitleTrack
    /// Cues whose end is not known yet are kept with `end` = nil until the next one starts.
    private var pending: [(start: Double, end: Double?, text: String, speaker: String?)] = []

    /// A reader for `stream` when it is a text subtitle stream with a decoder; nil otherwise.
    init?(stream: UnsafeMutablePointer<AVStream>, index: Int) {
        guard let parameters = stream.pointee.codecpar, parameters.pointee.codec_type == AVMEDIA_TYPE_SUBTITLE,
              let descriptor = avcodec_descriptor_get(parameters.pointee.codec_id),
              descriptor.pointee.props & Int32(AV_CODEC_PROP_TEXT_SUB) != 0,
              let decoder = try? CodecContext(decoderFor: stream)
        else { return nil }
        self.decoder = decoder
        timeBase = av_q2d(stream.pointee.time_base)
        let codec = String(cString: descriptor.pointee.name)
        isWebVTT = parameters.pointee.codec_id == AV_CODEC_ID_WEBVTT
        let language = metadataValue(stream.pointee.metadata, "language")
        track = SubtitleTrack(
            streamIndex: index, codec: codec,
            language: language == "und" ? nil : language,
            title: metadataValue(stream.pointee.metadata, "title"))
    }

    /// Decodes one packet; returns how many cues it added.
    func decode(_ packet: UnsafeMutablePointer<AVPacket>, startOffset: Double, maxCharacters: Int) -> Int {
        var subtitle = AVSubtitle()
        var got: Int32 = 0
        guard avcodec_decode_subtitle2(decoder.pointer, &subtitle, &got, packet) >= 0, got != 0 else { return 0 }
        defer { avsubtitle_free(&subtitle) }
        var (text, speaker) = Self.text(of: subtitle)
        if isWebVTT, let data = packet.pointee.data, packet.pointee.size > 0 {
            // libavcodec's WebVTT decoder drops the voice tag; the packet still has it.
            let payload = String(decoding: UnsafeBufferPointer(start: data, count: Int(packet.pointee.size)), as: UTF8.self)
            speaker = WebVTT.cueText(payload).speaker ?? speaker
        }
        return add(subtitle, text: text, speaker: speaker, packet: packet.pointee, startOffset: startOffset, maxCharacters: maxCharacters)
    }

    /// Asks a decoder that holds subtitles back (closed captions) for what it still has.
    func flush(startOffset: Double, maxCharacters: Int) -> Int {
        guard let codec = decoder.pointer.pointee.codec, codec.pointee.capabilities & Int32(AV_CODEC_CAP_DELAY) != 0,
              let packet = av_packet_alloc()
        else { return 0 }
        var owned: UnsafeMutablePointer<AVPacket>? = packet
        defer { av_packet_free(&owned) }
        var added = 0
        for _ in 0..<16 {
            var subtitle = AVSubtitle()
            var got: Int32 = 0
            guard avcodec_decode_subtitle2(decoder.pointer, &subtitle, &got, packet) >= 0, got != 0 else { break }
            let (text, speaker) = Self.text(of: subtitle)
            added += add(subtitle, text: text, speaker: speaker, packet: packet.pointee, startOffset: startOffset, maxCharacters: maxCharacters)
            avsubtitle_free(&subtitle)
        }
        return added
    }

    private func add(_ subtitle: AVSubtitle, text: String, speaker: String?, packet: AVPacket, startOffset: Double, maxCharacters: Int) -> Int {
        guard !text.isEmpty else { return 0 }
        let packetStart: Double
        if packet.pts != EF_NOPTS_VALUE {
            packetStart = Double(packet.pts) * timeBase
        } else if subtitle.pts != EF_NOPTS_VALUE {
            packetStart = Double(subtitle.pts) / Double(AV_TIME_BASE)
        } else if packet.dts != EF_NOPTS_VALUE {
            packetStart = Double(packet.dts) * timeBase
        } else {
            // No time at all: a cue that cannot be placed is not a cue.
            return 0
        }
        let start = packetStart + Double(subtitle.start_display_time) / 1000 - startOffset
        var end: Double?
        if packet.duration > 0 {
            end = packetStart + Double(packet.duration) * timeBase - startOffset
        } else if subtitle.end_display_time > 0, subtitle.end_display_time != UInt32.max {
            end = packetStart + Double(subtitle.end_display_time) / 1000 - startOffset
        }
        guard start.isFinite, end?.isFinite ?? true else { return 0 }
        let cut = text.count > maxCharacters ? String(text.prefix(maxCharacters)) + "…" : text
        pending.append((start, end.map { max($0, start) }, cut, speaker))
        return 1
    }

    /// The text of all rects of a decoded subtitle, one after the other, and the first speaker.
    private static func text(of subtitle: AVSubtitle) -> (String, String?) {
        var lines: [String] = []
        var speaker: String?
        for index in 0..<Int(subtitle.num_rects) {
            guard let rect = subtitle.rects?[index]?.pointee else { continue }
            if rect.type == SUBTITLE_ASS, let ass = rect.ass {
                let event = ASSText.event(String(cString: ass))
                if !event.text.isEmpty { lines.append(event.text) }
                speaker = speaker ?? event.name
            } else if rect.type == SUBTITLE_TEXT, let text = rect.text {
                let plain = String(cString: text).split(whereSeparator: \.isNewline).map { $0.trimmingSpaces }.filter { !$0.isEmpty }
                if !plain.isEmpty { lines.append(plain.joined(separator: "\n")) }
            }
        }
        return (lines.joined(separator: "\n"), speaker)
    }

    /// The finished track: cues in time order, unknown ends filled in.
    func track(recordingEnd: Double?) -> SubtitleTrack {
        let ordered = pending.enumerated().sorted { ($0.element.start, $0.offset) < ($1.element.start, $1.offset) }.map(\.element)
        // The next later start after each cue, found from the back in one pass.
        var nextStart = [Double?](repeating: nil, count: ordered.count)
        var later: Double?
        var position = ordered.count - 1
        while position >= 0 {
            nextStart[position] = later
            if position > 0, ordered[position - 1].start < ordered[position].start { later = ordered[position].start }
            position -= 1
        }
        var result = track
        result.cues = ordered.enumerated().map { position, cue in
            let end = cue.end ?? nextStart[position] ?? max(cue.start, recordingEnd ?? cue.start)
            return Cue(start: cue.start, end: end, text: cue.text, speaker: cue.speaker)
        }
        return result
    }
}
