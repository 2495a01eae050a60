/// Whisper's known failures, taken out before anything is stored: text on silence or a test
/// tone (it invents "Tack för att du tittade" and the like), the same line over and over, and
/// empty segments. Engine-independent: it reads only the segments and their figures.
public struct SpeechFilter: Sendable {
    /// Above this `no_speech_prob`, a segment whose tokens are also unsure (`avg_logprob`
    /// below `unsureLogprob`) is dropped: Whisper's own rule, with the threshold measured on a
    /// test tone here (an invented segment had 0.56 and -1.70; speech had under 0.1).
    public var noSpeech = 0.5
    public var unsureLogprob = -1.0
    /// Above this `no_speech_prob`, a segment is dropped whatever its tokens say.
    public var surelyNoSpeech = 0.8

    public init() {}

    /// The segments worth storing, in order, with runs of the same line collapsed into one.
    public func apply(_ segments: [SpeechSegment]) -> [SpeechSegment] {
        var kept: [SpeechSegment] = []
        for segment in segments.sorted(by: { $0.start < $1.start }) {
            let text = segment.text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            // Times are into the audio the engine was given: before its start is nonsense.
            guard !text.isEmpty, segment.end > segment.start, segment.start.isFinite, segment.end.isFinite, segment.start >= 0 else { continue }
            if let noSpeech = segment.noSpeechProb {
                if noSpeech > surelyNoSpeech { continue }
                if noSpeech > self.noSpeech, (segment.avgLogprob ?? 0) < unsureLogprob { continue }
            }
            var cleaned = segment
            cleaned.text = text
            // A loop: the same words again right after. One cue spans them all.
            if let last = kept.last, Self.folded(last.text) == Self.folded(text), cleaned.start - last.end < 2 {
                kept[kept.count - 1].end = max(last.end, cleaned.end)
                continue
            }
            kept.append(cleaned)
        }
        return kept
    }

    static func folded(_ text: String) -> String {
        String(text.lowercased().filter { $0.isLetter || $0.isNumber || $0 == " " })
    }
}
