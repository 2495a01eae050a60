import Foundation
import Testing
@testable import Captions

@Suite("import validation")
struct ValidationTests {
    static let text = """
        WEBVTT

        00:00:01.000 --> 00:00:03.000
        Ett

        00:00:02.800 --> 00:00:04.000
        Överlappar lite, inom toleransen

        00:00:03.000 --> 00:00:06.000
        Överlappar en sekund

        00:00:02.000 --> 00:00:02.500
        Bakåt i tiden

        00:00:09.000 --> 00:00:13.000
        Efter slutet
        """

    @Test("each problem is reported once, with the cue's line")
    func problems() throws {
        let file = try WebVTT.parse(Self.text, file: "import.vtt")
        let problems = file.validate(duration: 12, overlapTolerance: 0.5)
        #expect(problems.map(\.code) == [.overlap, .outOfOrder, .outOfRange])
        #expect(problems.map(\.line) == [9, 12, 15])
        #expect(problems.allSatisfy { $0.file == "import.vtt" })
        #expect(problems[0].message == "'import.vtt' line 9: the cue starts at 00:00:03.000, 1 s before the cue on line 6 ends (00:00:04.000)")
        #expect(problems[1].reason.contains("before the cue on line 9"))
        #expect(problems[2].reason.contains("after the recording ends (00:00:12.000)"))
    }

    @Test("a wider tolerance accepts the overlap; an unknown duration checks no end")
    func tolerance() throws {
        let file = try WebVTT.parse(Self.text, file: "import.vtt")
        #expect(file.validate(duration: nil, overlapTolerance: 1.0).map(\.code) == [.outOfOrder])
    }

    @Test("a clean file has no problems, touching cues and the last millisecond included")
    func clean() throws {
        let file = try SRT.parse(SRT.write([Cue(start: 0, end: 2, text: "a"), Cue(start: 2, end: 2, text: "b"), Cue(start: 2, end: 12.0004, text: "c")]), file: "ok.srt")
        #expect(file.validate(duration: 12).isEmpty)
    }
}

@Suite("sidecar files")
struct SidecarTests {
    @Test("files named after the recording, with or without a language, any case of extension")
    func find() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sidecars-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("talk.fr.vtt"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let names = [
            "talk.mp4", "talk.vtt", "talk.srt", "talk.sv.vtt", "talk.en.SRT", "talk.en-gb.vtt", "talk.pt_br.srt", "talk.swe.vtt",
            "talk.en.sdh.srt", "talk.forced.srt", "talk.old.srt", "talk.v2.vtt", "talk2.vtt", "talk.sv.txt", "other.sv.vtt", "talk..vtt",
            "talk.und.vtt",
        ]
        for name in names { try Data("x".utf8).write(to: folder.appendingPathComponent(name)) }
        let found = Sidecar.find(nextTo: folder.appendingPathComponent("talk.mp4").path)
        let summary = found.map { "\(URL(fileURLWithPath: $0.path).lastPathComponent) \($0.format.rawValue) \($0.language ?? "-")" }
        #expect(summary == [
            "talk.en-gb.vtt vtt en-GB", "talk.en.SRT srt en", "talk.en.sdh.srt srt en", "talk.forced.srt srt -",
            "talk.pt_br.srt srt pt-BR", "talk.srt srt -", "talk.sv.vtt vtt sv", "talk.swe.vtt vtt swe", "talk.und.vtt vtt -", "talk.vtt vtt -",
        ])
        #expect(found.allSatisfy { $0.path.hasPrefix(folder.path + "/") })
    }

    @Test("a recording in a folder that does not exist has no sidecars")
    func missingFolder() {
        #expect(Sidecar.find(nextTo: "/no/such/folder/talk.mp4").isEmpty)
    }

    @Test("language tags", arguments: [
        ("sv", "sv"), ("SV", "sv"), ("en-us", "en-US"), ("zh_hant", "zh-Hant"), ("swe", "swe"), ("xx", nil), ("old", nil), ("e1", nil), ("english", nil),
    ] as [(String, String?)])
    func languageTags(text: String, tag: String?) {
        #expect(Sidecar.languageTag(Substring(text)) == tag)
    }
}
