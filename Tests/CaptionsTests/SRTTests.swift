import Foundation
import Testing
@testable import Captions

@Suite("SRT")
struct SRTTests {
    @Test("numbered cues, multi-line text, formatting tags stripped")
    func basic() throws {
        let text = """
            1
            00:00:01,000 --> 00:00:03,500
            Välkommen till <i>Innovationsveckan</i>.

            2
            00:00:04,000 --> 00:00:07,000 X1:10 X2:100 Y1:10 Y2:50
            {\\an8}Här pratar vi om <font color="#ffff00">öppna data</font>
            och hur andra kan använda dem. <3

            """
        let file = try SRT.parse(text, file: "talk.srt")
        #expect(file.format == .srt)
        #expect(file.cues == [
            Cue(start: 1, end: 3.5, text: "Välkommen till Innovationsveckan."),
            Cue(start: 4, end: 7, text: "Här pratar vi om öppna data\noch hur andra kan använda dem. <3"),
        ])
        #expect(file.entries.map(\.line) == [2, 6])
    }

    @Test("sloppy files: BOM, CRLF, dots, no final blank line, missing numbers and blank lines, extra blank lines")
    func sloppy() throws {
        let text = "\u{FEFF}1\r\n00:00:01.000 --> 00:00:02.000\r\nEtt\r\n2\r\n00:00:03,000 --> 00:00:04,000\r\nTvå\r\n\r\n\r\n\r\n00:00:05,000 --> 00:00:06,000\r\nTre\r\n00:00:07,000 --> 00:00:08,000\r\nFyra"
        let file = try SRT.parse(text, file: "x.srt")
        #expect(file.cues.map(\.text) == ["Ett", "Två", "Tre", "Fyra"])
        #expect(file.cues.map(\.start) == [1, 3, 5, 7])
        #expect(file.entries.map(\.line) == [2, 5, 10, 12])
    }

    @Test("an arrow in the text that is not a timing stays text")
    func arrowInText() throws {
        let cues = try SRT.parse("1\n00:00:01,000 --> 00:00:02,000\nA --> B\n", file: "x.srt").cues
        #expect(cues.first?.text == "A --> B")
    }

    @Test("malformed files name the line and what is wrong", arguments: [
        ("WEBVTT\n\n00:01.000 --> 00:02.000\n", 1, CaptionError.Code.malformedCue),
        ("1\n00:00:01,000 --> 00:00:02,000\nEtt\n\n2\nTvå\n", 5, .malformedCue),
        ("1\n00:00:01,000 --> 00:00:02,000\nEtt\n\n2\n", 5, .malformedCue),
        ("1\n00:00:01,000 --> 00:00:02,000\nEtt\n\n2\n00:00:03,000 --> 00:00:0x,000\n", 6, .malformedTiming),
        ("1\n00:00:01:000 --> 00:00:02,000\n", 2, .malformedTiming),
        ("\n\n1\n00:00:09,000 --> 00:00:02,000\n", 4, .endBeforeStart),
        ("1\n00:00:01,000 --> 00:00:02,000\nEtt\n\nlös text\n", 5, .malformedCue),
    ])
    func malformed(text: String, line: Int, code: CaptionError.Code) {
        let error = #expect(throws: CaptionError.self) { try SRT.parse(text, file: "talk.srt") }
        #expect(error?.code == code)
        #expect(error?.line == line)
        #expect(error?.message.hasPrefix("'talk.srt' line \(line): ") == true, "\(error?.message ?? "")")
    }

    @Test("a text line that reads as a timing line is written with a shorter arrow, so the cue stays whole")
    func timingInText() throws {
        let cue = Cue(start: 1, end: 2, text: "Sa han:\n00:00:01,000 --> 00:00:02,000\nA --> B")
        let parsed = try SRT.parse(SRT.write([cue, cue]), file: "x.srt").cues
        #expect(parsed.map(\.text) == Array(repeating: "Sa han:\n00:00:01,000 -> 00:00:02,000\nA --> B", count: 2))
    }

    @Test("the writer: numbers from 1, comma times, speaker as a prefix, no blank lines in a payload")
    func writer() {
        let text = SRT.write([
            Cue(start: 1, end: 3.5, text: "Välkommen\n\ntill oss."),
            Cue(start: 3661.001, end: 3662, text: "Hej", speaker: "Anna"),
            Cue(start: 5, end: 4, text: ""),
        ])
        #expect(text == """
            1
            00:00:01,000 --> 00:00:03,500
            Välkommen
            till oss.

            2
            01:01:01,001 --> 01:01:02,000
            Anna: Hej

            3
            00:00:05,000 --> 00:00:05,000

            """)
    }
}
