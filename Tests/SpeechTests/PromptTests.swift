import Foundation
@testable import Speech
import Testing

/// Prompts: how an engine is given one, and how what it hears with one is checked against what
/// it heard without (`PromptedHearing`). The texts are what Whisper base heard of espeak-ng's
/// Swedish here, with and without the candidates' names and titles as a prompt.
@Suite struct PromptTests {
    @Test("a {prompt} is one argument, empty without a prompt, and a template without one takes none")
    func commandPrompt() throws {
        let script = try CommandEngineTests.script(#"""
            printf '{"segments":[{"start":0,"end":1,"text":"[%s]"}]}' "$4" > "$2"
            """#)
        let engine = try CommandEngine(template: "\(script) --output {output} --prompt {prompt} --input {input}", model: "m")
        #expect(engine.takesPrompt)
        let prompt = "Gunilla Gudmunds: Öppna data – vad är det? {input} 'quoted'"
        #expect(try engine.transcribe(wav: CommandEngineTests.wav, language: "sv", prompt: prompt).map(\.text) == ["[\(prompt)]"])
        #expect(try engine.transcribe(wav: CommandEngineTests.wav, language: "sv").map(\.text) == ["[]"])
        #expect(try !CommandEngine(template: "\(script) --output {output} --input {input}", model: "m").takesPrompt)
    }

    @Test("placeholders are replaced once, left to right; braces that name none stay")
    func substitution() {
        let values = ["{input}": "/a {output}.wav", "{output}": "/o.json"]
        #expect(CommandEngine.substitute("--in={input}", values) == "--in=/a {output}.wav")
        #expect(CommandEngine.substitute("{x}{output}{", values) == "{x}/o.json{")
    }

    static func segment(_ start: Double, _ end: Double, _ text: String) -> SpeechSegment {
        SpeechSegment(start: start, end: end, text: text)
    }

    @Test("a name or title heard better with the prompt is kept where it reads like the first hearing")
    func kept() {
        let plain = [Self.segment(0.5, 6, "Välkommen Ali Hoop. Mitt arm där du har understånd."),
                     Self.segment(6.2, 11, "Jag har passat i dag med det no dot hem i dag.")]
        let prompted = [Self.segment(0.4, 6.1, "Välkommen Ali Hoop. Mitt arm där Johan Andersson."),
                        Self.segment(6.1, 11, "Jag hoppas att ni tar med dig no dot hem i dag.")]
        let merged = PromptedHearing.merge(plain: plain, prompted: prompted)
        #expect(merged.kept == 2 && merged.segments == prompted)
    }

    @Test("a prompt repeated where something else was said is dropped, and the first hearing stands there", arguments: [
        "Hanna Andersson, Mohammed Lindqvist, Lärdomar från Visby. Hanna Andersson, Mohammed Lindqvist, Lärdomar från Visby.",
        "Hanna Andersson, Mohammed Lindqvist",
    ])
    func echo(_ repeated: String) {
        let plain = [Self.segment(0, 9, "Grådmondonaliboop. Det här passar ett hett av informa hundsärken hett i plaktiken."),
                     Self.segment(9.5, 14, "Många hundfrådat oss är vi fick med alla förvaltningarna.")]
        let prompted = [Self.segment(0, 8.8, repeated), Self.segment(9.4, 14, "Många har frågat oss hur vi fick med alla förvaltningarna.")]
        let merged = PromptedHearing.merge(plain: plain, prompted: prompted)
        #expect(merged.kept == 1)
        #expect(merged.segments == [plain[0], prompted[1]])
    }

    @Test("prompted text where nothing was heard the first time is not taken (Whisper invents a prompt on silence)")
    func nothingBeside() {
        let plain = [Self.segment(20, 25, "Tack för att ni kom.")]
        let prompted = [Self.segment(2, 6, "Gunilla Gudmunds: Öppna data."), Self.segment(20, 25, "Tack för att ni kom.")]
        let merged = PromptedHearing.merge(plain: plain, prompted: prompted)
        #expect(merged.segments == [prompted[1]] && merged.kept == 1)
    }

    @Test("letter-pair similarity: 1 for the same words, 0 for none shared, symmetric")
    func similarity() {
        #expect(PromptedHearing.similarity("Öppna data", "öppna, DATA!") == 1)
        #expect(PromptedHearing.similarity("abc", "xyz") == 0)
        #expect(PromptedHearing.similarity("", "") == 0)
        let a = "Mitt namn är Hanna Karlsson.", b = "Mitt namn är harkarison."
        #expect(PromptedHearing.similarity(a, b) == PromptedHearing.similarity(b, a))
        #expect(PromptedHearing.similarity(a, b) > PromptedHearing.agreement)
    }
}
