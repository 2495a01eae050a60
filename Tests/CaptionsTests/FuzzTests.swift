import Foundation
import Testing
import TestSupport
@testable import Captions

/// Thousands of damaged files: every one parses or throws a `CaptionError` naming the file and a
/// line that exists. None crashes.
@Suite("damaged caption files")
struct FuzzTests {
    static let seeds: [(String, CaptionFile.Format)] = [
        (WebVTT.write([
            .note("Segment 1"),
            .cue(Cue(start: 1, end: 3.5, text: "Välkommen till Innovationsveckan.", speaker: "Anna Svensson")),
            .cue(Cue(start: 4, end: 7, text: "Här pratar vi om öppna data\noch hur andra & vi kan använda dem.")),
            .cue(Cue(start: 3600, end: 3601.5, text: "<b>Slut</b> &lt;3")),
        ]), .webVTT),
        ("WEBVTT\nKind: captions\n\nSTYLE\n::cue{}\n\nid\n00:01.000 --> 00:02.000 align:start\n<v.a Bo>Hej <i>där</i>&amp;\n", .webVTT),
        (SRT.write([
            Cue(start: 1, end: 3.5, text: "Välkommen till <i>Innovationsveckan</i>."),
            Cue(start: 4, end: 7, text: "Här pratar vi om öppna data\noch hur andra kan använda dem."),
        ]).replacingOccurrences(of: "\n", with: "\r\n"), .srt),
    ]

    static let alphabet: [UInt8] = Array("0123456789:.,-> \n\r<>&;/v{}\\WEBVTNOacå".utf8) + [0xC3, 0xA5, 0xFF, 0xEF, 0xBB, 0xBF]

    @Test("mutations, insertions, deletions and truncations", arguments: 0..<3)
    func mutations(seedIndex: Int) {
        let (text, format) = Self.seeds[seedIndex]
        let original = [UInt8](text.utf8)
        var generator = SeededGenerator(seed: UInt64(seedIndex) + 11)
        var parsed = 0
        var failed = 0
        for round in 0..<2500 {
            var bytes = original
            if round < original.count {
                bytes = Array(bytes.prefix(round))
            } else {
                for _ in 0..<Int.random(in: 1...6, using: &generator) {
                    let position = Int.random(in: 0...bytes.count, using: &generator)
                    let byte = Self.alphabet.randomElement(using: &generator)!
                    switch Int.random(in: 0..<3, using: &generator) {
                    case 0 where position < bytes.count: bytes[position] = byte
                    case 1 where position < bytes.count: bytes.remove(at: position)
                    default: bytes.insert(byte, at: position)
                    }
                }
            }
            let lineCount = CaptionText.lines(String(decoding: bytes, as: UTF8.self)).count
            do {
                let file = try CaptionFile.parse(Data(bytes), file: "fuzz.\(format.rawValue)", format: format)
                parsed += 1
                for entry in file.entries {
                    #expect(entry.cue.end >= entry.cue.start && entry.cue.start >= 0 && entry.cue.end.isFinite)
                    #expect(entry.line >= 1 && entry.line <= lineCount)
                }
                _ = file.validate(duration: 10)
            } catch {
                failed += 1
                #expect(error.file == "fuzz.\(format.rawValue)")
                if let line = error.line { #expect(line >= 1 && line <= lineCount, "line \(line) of \(lineCount): \(error.message)") }
            }
        }
        // Both outcomes must occur, or the mutations are not reaching the parser.
        #expect(parsed > 100 && failed > 100, "parsed \(parsed), failed \(failed)")
    }

    @Test("random bytes and pathological text")
    func random() {
        var generator = SeededGenerator(seed: 99)
        var inputs: [Data] = (0..<500).map { _ in Data((0..<Int.random(in: 0...400, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }) }
        inputs.append(Data(("WEBVTT\n\n00:01.000 --> 00:02.000\n" + String(repeating: "<", count: 200_000)).utf8))
        inputs.append(Data(("WEBVTT\n\n00:01.000 --> 00:02.000\n" + String(repeating: "&#x", count: 100_000)).utf8))
        inputs.append(Data(("1\n00:00:01,000 --> 00:00:02,000\n" + String(repeating: "{\\", count: 100_000)).utf8))
        inputs.append(Data(("WEBVTT\n\n" + String(repeating: "99999999999:59:59.999 --> 99999999999:59:59.999\n", count: 3)).utf8))
        inputs.append(Data(String(repeating: "\r", count: 100_000).utf8))
        for (index, data) in inputs.enumerated() {
            for format in CaptionFile.Format.allCases {
                do {
                    _ = try CaptionFile.parse(data, file: "random-\(index)", format: format)
                } catch {
                    #expect(error.file == "random-\(index)")
                }
            }
        }
    }
}
