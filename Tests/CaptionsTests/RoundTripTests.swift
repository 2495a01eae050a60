import Foundation
import Testing
import TestSupport
@testable import Captions

/// Writer → parser keeps every cue: times to the millisecond, text, speakers (WebVTT).
@Suite("round trips")
struct RoundTripTests {
    static let words = [
        "Välkommen", "till", "Innovationsveckan", "öppna", "data", "Göteborg", "är", "ÅÄÖ", "åäö", "R&D", "a<b", "c>d",
        "-->", "&amp;", "<v Bo>", "{\\i1}", "NOTE", "1", "00:00:01,000", "日本語", "🎤", "\u{00A0}", "\"citat\"", "50%",
    ]

    static func randomCues(count: Int, speakers: Bool, using generator: inout SeededGenerator) -> [Cue] {
        // Whole milliseconds, as the formats hold them.
        var millis = 0
        return (0..<count).map { _ in
            millis += Int.random(in: 0...5000, using: &generator)
            let start = Double(millis) / 1000
            let end = Double(millis + Int.random(in: 0...8000, using: &generator)) / 1000
            let lines = (0..<Int.random(in: 0...3, using: &generator)).map { _ in
                (0..<Int.random(in: 1...6, using: &generator)).map { _ in words.randomElement(using: &generator)! }.joined(separator: " ")
            }
            let speaker = speakers && Bool.random(using: &generator) ? ["Anna Svensson", "Bo", "Åsa Öberg", "R&D <team>"].randomElement(using: &generator) : nil
            return Cue(start: start, end: end, text: lines.joined(separator: "\n"), speaker: speaker)
        }
    }

    @Test("WebVTT keeps every cue, speaker and line")
    func webVTT() throws {
        var generator = SeededGenerator(seed: 1)
        for _ in 0..<200 {
            let cues = Self.randomCues(count: Int.random(in: 0...30, using: &generator), speakers: true, using: &generator)
            let text = WebVTT.write(cues)
            let parsed = try WebVTT.parse(text, file: "round.vtt")
            #expect(parsed.cues == cues, "\(text)")
        }
    }

    @Test("WebVTT with notes between cues keeps the cues")
    func webVTTWithNotes() throws {
        var generator = SeededGenerator(seed: 2)
        let cues = Self.randomCues(count: 40, speakers: true, using: &generator)
        let blocks = cues.enumerated().flatMap { index, cue in [WebVTT.Block.note("Segment \(index): --> ända\n\nhit"), .cue(cue)] }
        #expect(try WebVTT.parse(WebVTT.write(blocks), file: "notes.vtt").cues == cues)
    }

    @Test("SRT keeps every cue and line")
    func srt() throws {
        var generator = SeededGenerator(seed: 3)
        for _ in 0..<200 {
            // SRT has no entities, so markup-looking text is not written by SRT users; leave it out.
            // SRT has no escapes, so tag-like text (`{\i1}`) and text that reads as a timing line
            // cannot be written; those are tested on their own.
            let cues = Self.randomCues(count: Int.random(in: 0...30, using: &generator), speakers: false, using: &generator)
                .map { Cue(start: $0.start, end: $0.end, text: $0.text.replacingOccurrences(of: "{\\i1}", with: "{i1}").replacingOccurrences(of: "-->", with: "=>")) }
            let text = SRT.write(cues)
            let parsed = try SRT.parse(text, file: "round.srt")
            #expect(parsed.cues == cues, "\(text)")
        }
    }

    @Test("Swedish multi-line cues survive WebVTT, SRT and JSON")
    func swedish() throws {
        let cues = [
            Cue(start: 1, end: 3.5, text: "Välkommen till Innovationsveckan.", speaker: "Åsa Öberg"),
            Cue(start: 4, end: 7, text: "Här pratar vi om öppna data\noch hur andra kan använda dem."),
        ]
        #expect(try WebVTT.parse(WebVTT.write(cues), file: "sv.vtt").cues == cues)
        let srt = try SRT.parse(SRT.write(cues), file: "sv.srt").cues
        #expect(srt.map(\.text) == ["Åsa Öberg: Välkommen till Innovationsveckan.", cues[1].text])
        #expect(srt.map(\.start) == [1, 4] && srt.map(\.end) == [3.5, 7])
        #expect(try PodcastTranscript.cues(from: PodcastTranscript.json(cues), file: "sv.json") == cues)
    }

    @Test("file bytes: UTF-8 with BOM, UTF-16 both ways, Windows-1252")
    func encodings() throws {
        let text = "WEBVTT\n\n00:01.000 --> 00:02.000\nÅsa sa “hej” – 5 €\n"
        let utf16LE = Data([0xFF, 0xFE]) + text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let utf16BE = Data([0xFE, 0xFF]) + text.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        for data in [Data([0xEF, 0xBB, 0xBF]) + Data(text.utf8), Data(text.utf8), utf16LE, utf16BE] {
            #expect(try CaptionFile.parse(data, file: "x.vtt").cues.first?.text == "Åsa sa “hej” – 5 €")
        }
        let windows = Data("1\r\n00:00:01,000 --> 00:00:02,000\r\n".utf8) + Data([0xC5, 0x73, 0x61, 0x20, 0x93, 0x68, 0x65, 0x6A, 0x94, 0x20, 0x96, 0x20, 0x80])
        #expect(try CaptionFile.parse(windows, file: "x.srt").cues.first?.text == "Åsa “hej” – €")
        let binary = #expect(throws: CaptionError.self) { try CaptionFile.parse(Data([0x57, 0x45, 0x00, 0x01]), file: "x.vtt") }
        #expect(binary?.code == .notText)
    }

    @Test("read(path:) picks the format by extension, else by content, and refuses what is not a file")
    func readFromDisk() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("captions-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let vtt = "WEBVTT\n\n00:01.000 --> 00:02.000\nHej\n"
        let srt = "1\n00:00:01,000 --> 00:00:02,000\nHej\n"
        try Data(vtt.utf8).write(to: folder.appendingPathComponent("a.VTT"))
        try Data(srt.utf8).write(to: folder.appendingPathComponent("b.Srt"))
        try Data(vtt.utf8).write(to: folder.appendingPathComponent("c.txt"))
        try Data(srt.utf8).write(to: folder.appendingPathComponent("d.vtt"))
        #expect(try CaptionFile.read(path: folder.appendingPathComponent("a.VTT").path).format == .webVTT)
        #expect(try CaptionFile.read(path: folder.appendingPathComponent("b.Srt").path).format == .srt)
        #expect(try CaptionFile.read(path: folder.appendingPathComponent("c.txt").path).format == .webVTT)
        let mislabelled = folder.appendingPathComponent("d.vtt").path
        let error = #expect(throws: CaptionError.self) { try CaptionFile.read(path: mislabelled) }
        #expect(error?.code == .missingHeader && error?.file == mislabelled)
        #expect(#expect(throws: CaptionError.self) { try CaptionFile.read(path: folder.path) }?.code == .unreadable)
        #expect(#expect(throws: CaptionError.self) { try CaptionFile.read(path: folder.appendingPathComponent("x.vtt").path) }?.code == .unreadable)
    }
}

@Suite("Podcasting 2.0 transcript")
struct PodcastTranscriptTests {
    @Test("the JSON shape: version, segments with speaker only when known, times to the millisecond")
    func shape() throws {
        let data = try PodcastTranscript.json([
            Cue(start: 0.1 + 0.2, end: 2, text: "Hej & välkommen", speaker: "Anna"),
            Cue(start: 2, end: 3.25, text: "Två\nrader"),
        ])
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(json["version"] as? String == "1.0.0")
        let segments = try #require(json["segments"] as? [[String: Any]])
        #expect(segments.count == 2)
        #expect(segments[0]["speaker"] as? String == "Anna")
        #expect(segments[0]["startTime"] as? Double == 0.3)
        #expect(segments[0]["endTime"] as? Double == 2)
        #expect(segments[0]["body"] as? String == "Hej & välkommen")
        #expect(segments[1]["speaker"] == nil)
        #expect(segments[1]["body"] as? String == "Två\nrader")
        #expect(Set(segments[1].keys) == ["startTime", "endTime", "body"])
    }

    @Test("JSON that is not a transcript is a coded error naming the file")
    func malformed() {
        let error = #expect(throws: CaptionError.self) { try PodcastTranscript.cues(from: Data("{\"segments\": 3}".utf8), file: "t.json") }
        #expect(error?.code == .malformedJSON)
        #expect(error?.message.contains("'t.json'") == true)
    }
}
