import Foundation

/// One stretch of speech an engine heard: times in seconds into the audio it was given, and
/// Whisper's confidence figures where the engine reports them.
public struct SpeechSegment: Sendable, Equatable, Codable {
    public var start: Double
    public var end: Double
    public var text: String
    /// The mean log probability of the segment's tokens (Whisper's `avg_logprob`).
    public var avgLogprob: Double?
    /// How sure the engine is that nothing was said (Whisper's `no_speech_prob`).
    public var noSpeechProb: Double?
    /// The language the engine heard, as it wrote it (`sv`, or OpenAI's `swedish`), when it
    /// said: what it detected when asked to, else the language it was given.
    public var language: String?

    public init(start: Double, end: Double, text: String, avgLogprob: Double? = nil, noSpeechProb: Double? = nil, language: String? = nil) {
        self.start = start
        self.end = end
        self.text = text
        self.avgLogprob = avgLogprob
        self.noSpeechProb = noSpeechProb
        self.language = language
    }

    enum CodingKeys: String, CodingKey {
        case start, end, text, avgLogprob = "avg_logprob", noSpeechProb = "no_speech_prob", language
    }
}

extension SpeechSegment {
    /// This segment with the transcript's language, unless it names its own.
    func heard(in language: String?) -> SpeechSegment {
        var segment = self
        if segment.language == nil { segment.language = language }
        return segment
    }

    /// A language code for a code or an English name as engines write them (`swedish` → `sv`).
    public static func code(_ language: String?) -> String? {
        guard let language = language?.trimmingCharacters(in: .whitespaces).lowercased(), !language.isEmpty else { return nil }
        return names[language] ?? language
    }

    static let names = ["swedish": "sv", "english": "en", "finnish": "fi", "norwegian": "no", "danish": "da", "german": "de",
                        "french": "fr", "spanish": "es", "arabic": "ar", "somali": "so", "persian": "fa"]
}

/// Why an engine gave no transcript: it names the engine and what went wrong.
public struct SpeechError: Error, Sendable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}

/// A speech-to-text engine: a 16 kHz mono WAV in, segments out. The engines differ in how
/// they are reached (`CommandEngine`: a program run per file; `OpenAIEngine`: an
/// OpenAI-compatible server over HTTP), not in what they give.
public protocol SpeechEngine: Sendable {
    /// What drafts from this engine are stored as: `asr:<engine>:<model>`.
    var source: String { get }
    /// Whether the engine passes a prompt on to the model (Whisper's `initial_prompt`, the
    /// OpenAI API's `prompt`): words it should expect, such as the names and titles of the
    /// talks a recording may hold.
    var takesPrompt: Bool { get }
    /// Transcribes `wav`; `language` (`sv`, `en`) or nil to let the engine detect it; `prompt`
    /// (ignored unless `takesPrompt`) the words to expect.
    func transcribe(wav: URL, language: String?, prompt: String?) throws(SpeechError) -> [SpeechSegment]
}

extension SpeechEngine {
    /// Transcribes `wav` with no prompt.
    public func transcribe(wav: URL, language: String?) throws(SpeechError) -> [SpeechSegment] {
        try transcribe(wav: wav, language: language, prompt: nil)
    }
}
