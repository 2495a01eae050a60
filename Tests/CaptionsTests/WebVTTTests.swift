import Foundation
import Testing
@testable import Captions

@Suite("WebVTT")
struct WebVTTTests {
    @Test("a transcript of more than CaptionFile.maxCues cues is refused at the first one past it, in WebVTT and SRT")
    func tooManyCues() {
        var vtt = "WEBVTT\n\n"
        var srt = ""
        for index in 0...CaptionFile.maxCues {
            let start = Double(index) * 0.01
            vtt += "\(CaptionText.timestamp(start)) --> \(CaptionText.timestamp(start + 0.005))\nx\n\n"
            srt += "\(index + 1)\n\(CaptionText.timestamp(start, separator: ",")) --> \(CaptionText.timestamp(start + 0.005, separator: ","))\nx\n\n"
        }
        for (text, file) in [(vtt, "many.vtt"), (srt, "many.srt")] {
            #expect {
                _ = try CaptionFile.parse(Data(text.utf8), file: file)
            } throws: { error in
                guard let error = error as? CaptionError else { return false }
                return error.code == .tooManyCues && error.line != nil && error.reason.contains("\(CaptionFile.maxCues)")
            }
        }
    }

    @Test("a file with a BOM, header text, ids, settings, notes, styles and regions")
    func fullFile() throws {
        let text = """
            \u{FEFF}WEBVTT - Innovationsveckan 2021
            Kind: captions
            Language: sv

            STYLE
            ::cue { color: yellow }

            REGION
            id:fred width:40%

            NOTE
            Översatt av Anna.
            Två rader.

            1
            00:00:01.000 --> 00:00:03.500 align:start position:10%
            <v Anna Svensson>Välkommen till <i>Innovationsveckan</i>.

            NOTE en kommentar

            intro-2
            00:04.000 --> 00:07.000
            Här pratar vi om <c.yellow>öppna data</c>
            och hur andra &amp; vi kan &lt;använda&gt; dem.

            01:02:03.250 --> 01:02:04.000
            <v.loud Bo>Hej <00:01:02.500>där</v>&nbsp;!
            """
        let file = try WebVTT.parse(text, file: "talk.sv.vtt")
        #expect(file.format == .webVTT)
        #expect(file.cues == [
            Cue(start: 1, end: 3.5, text: "Välkommen till Innovationsveckan.", speaker: "Anna Svensson"),
            Cue(start: 4, end: 7, text: "Här pratar vi om öppna data\noch hur andra & vi kan <använda> dem."),
            Cue(start: 3723.25, end: 3724, text: "Hej där\u{00A0}!", speaker: "Bo"),
        ])
        #expect(file.entries.map(\.line) == [16, 22, 26])
    }

    @Test("CRLF and CR line endings, no final newline, whitespace-only separator lines")
    func lineEndings() throws {
        let text = "WEBVTT\r\n\r\n00:01.000 --> 00:02.000\r\nEtt\r\n \r\n00:03.000 --> 00:04.000\rTvå\rrader"
        let cues = try WebVTT.parse(text, file: "x.vtt").cues
        #expect(cues == [Cue(start: 1, end: 2, text: "Ett"), Cue(start: 3, end: 4, text: "Två\nrader")])
    }

    @Test("sloppy files browsers play: no blank line after the header or between cues, comma decimals, one-digit fields")
    func sloppy() throws {
        let text = "WEBVTT\n00:00:01,5 --> 0:00:02.000\nEtt\n00:03.000 --> 00:04.000\nTvå\n"
        let file = try WebVTT.parse(text, file: "x.vtt")
        #expect(file.cues == [Cue(start: 1.5, end: 2, text: "Ett"), Cue(start: 3, end: 4, text: "Två")])
        #expect(file.entries.map(\.line) == [2, 4])
    }

    @Test("an empty payload is a cue with no text; a voice alone is a speaker with no text")
    func emptyPayloads() throws {
        let cues = try WebVTT.parse("WEBVTT\n\n00:01.000 --> 00:02.000\n\n00:02.000 --> 00:03.000\n<v Anna>\n", file: "x.vtt").cues
        #expect(cues == [Cue(start: 1, end: 2, text: ""), Cue(start: 2, end: 3, text: "", speaker: "Anna")])
    }

    @Test("a second, different voice in a cue is kept in the text")
    func twoVoices() throws {
        let cues = try WebVTT.parse("WEBVTT\n\n00:01.000 --> 00:02.000\n<v Anna>Hej!</v>\n<v Bo>Hej Anna.</v>\n<v Anna>Välkommen.\n", file: "x.vtt").cues
        #expect(cues == [Cue(start: 1, end: 2, text: "Hej!\nBo: Hej Anna.\nVälkommen.", speaker: "Anna")])
    }

    @Test("unknown entities, a lone & and a lone < stay text")
    func looseCharacters() throws {
        let cues = try WebVTT.parse("WEBVTT\n\n00:01.000 --> 00:02.000\nR&D &copy; 1 < 2 &#229;&#xE4;\n", file: "x.vtt").cues
        #expect(cues.first?.text == "R&D &copy; 1 < 2 åä")
    }

    @Test("malformed files name the line and what is wrong", arguments: [
        ("", 1, CaptionError.Code.missingHeader),
        ("WEBVTTX\n", 1, .missingHeader),
        ("1\n00:00:01,000 --> 00:00:02,000\nSRT, not VTT\n", 1, .missingHeader),
        ("WEBVTT\n\n00:01.000 --> 00:02.000\nEtt\n\n00:61.000 --> 00:62.000\nTvå\n", 6, .malformedTiming),
        ("WEBVTT\n\n00:01.000 --> \nEtt\n", 3, .malformedTiming),
        ("WEBVTT\n\n00:01.000 -> 00:02.000\nEtt\n", 3, .malformedCue),
        ("WEBVTT\n\n00:0a.000 --> 00:02.000\n", 3, .malformedTiming),
        ("WEBVTT\n\n\n\n00:05.000 --> 00:02.000\nBaklänges\n", 5, .endBeforeStart),
        ("WEBVTT\n\n00:01.000 --> 00:02.000\nEtt\n\nlös text\n", 6, .malformedCue),
        ("WEBVTT\n\nid\n\n00:01.000 --> 00:02.000\n", 3, .malformedCue),
    ])
    func malformed(text: String, line: Int, code: CaptionError.Code) {
        let error = #expect(throws: CaptionError.self) { try WebVTT.parse(text, file: "talk.vtt") }
        #expect(error?.code == code)
        #expect(error?.line == line)
        #expect(error?.file == "talk.vtt")
        #expect(error?.message.hasPrefix("'talk.vtt' line \(line): ") == true, "\(error?.message ?? "")")
    }

    @Test("the writer: header, times to the millisecond, speaker as a voice, escapes, notes, no blank lines in a payload")
    func writer() {
        let text = WebVTT.write([
            .note("Segment 1: Inledning"),
            .cue(Cue(start: 0, end: 65.5, text: "", speaker: nil)),
            .note("två\n\nrader --> här"),
            .cue(Cue(start: 3725.0004, end: 3726.9996, text: "Fisk & <chips>\n\n  och mer  ", speaker: "Anna  Svensson")),
        ])
        #expect(text == """
            WEBVTT

            NOTE Segment 1: Inledning

            00:00:00.000 --> 00:01:05.500

            NOTE
            två
            rader -> här

            01:02:05.000 --> 01:02:07.000
            <v Anna Svensson>Fisk &amp; &lt;chips&gt;
            och mer

            """)
    }

    @Test("chapters: one cue per chapter, the title as its text on one line")
    func chapters() throws {
        let text = WebVTT.chapters([(0, 4, "Inledning"), (4, 8, "Vad är\nöppna data?"), (8, 7, "Frågor & svar")])
        #expect(text == """
            WEBVTT

            00:00:00.000 --> 00:00:04.000
            Inledning

            00:00:04.000 --> 00:00:08.000
            Vad är öppna data?

            00:00:08.000 --> 00:00:08.000
            Frågor &amp; svar

            """)
        #expect(try WebVTT.parse(text, file: "chapters.vtt").cues.map(\.text) == ["Inledning", "Vad är öppna data?", "Frågor & svar"])
    }
}
