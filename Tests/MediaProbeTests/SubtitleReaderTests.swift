import Captions
import Foundation
import Testing
import TestSupport
@testable import MediaProbe

/// Subtitle streams inside recordings, decoded with libavcodec into cues.
@Suite("subtitle streams")
struct SubtitleReaderTests {
    let reader = SubtitleReader()

    static let swedish = [
        Cue(start: 1.0, end: 3.5, text: "Välkommen till Innovationsveckan."),
        Cue(start: 4.0, end: 7.0, text: "Här pratar vi om öppna data\noch hur andra kan använda dem."),
    ]

    @Test("mov_text in MP4: the two Swedish cues, at their times")
    func movText() throws {
        let tracks = try reader.cues(path: Fixtures.path("subtitles.mp4"))
        #expect(tracks.count == 1)
        let track = try #require(tracks.first)
        #expect(track.streamIndex == 2)
        #expect(track.codec == "mov_text")
        #expect(track.language == "swe")
        #expect(track.cues == Self.swedish)
    }

    @Test("subrip in Matroska: two languages kept apart, italics stripped, title read")
    func subrip() throws {
        let tracks = try reader.cues(path: Fixtures.path("subrip.mkv"))
        #expect(tracks.map(\.streamIndex) == [1, 2])
        #expect(tracks.map(\.codec) == ["subrip", "subrip"])
        #expect(tracks.map(\.language) == ["swe", "eng"])
        #expect(tracks.map(\.title) == ["Svenska", nil])
        #expect(tracks.first?.cues == Self.swedish)
        #expect(tracks.last?.cues == [
            Cue(start: 1.5, end: 3.0, text: "Welcome to Innovation Week."),
            Cue(start: 5.25, end: 6.75, text: "Open data & what others do with it."),
        ])
    }

    @Test("webvtt in WebM: the voice tag becomes the speaker, markup and entities are resolved")
    func webvtt() throws {
        let track = try #require(try reader.cues(path: Fixtures.path("webvtt.webm")).first)
        #expect(track.codec == "webvtt")
        #expect(track.language == "swe")
        #expect(track.cues == [
            Cue(start: 1.0, end: 3.5, text: "Välkommen till Innovationsveckan.", speaker: "Anna Svensson"),
            Cue(start: 4.0, end: 7.0, text: "Här pratar vi om öppna data\noch hur andra & vi kan använda dem."),
        ])
    }

    @Test("ass in Matroska: override tags stripped, \\N a line break, commas in the text kept, Name the speaker")
    func ass() throws {
        let track = try #require(try reader.cues(path: Fixtures.path("ass.mkv")).first)
        #expect(track.codec == "ass")
        #expect(track.cues == [
            Cue(start: 1.0, end: 3.5, text: "Välkommen till Innovationsveckan, alla.", speaker: "Anna"),
            Cue(start: 4.0, end: 7.0, text: "Här pratar vi om öppna data\noch hur andra kan använda dem."),
        ])
    }

    @Test("the cues agree with what ffmpeg converts the stream to", arguments: [
        ("subtitles.mp4", 0), ("subrip.mkv", 0), ("subrip.mkv", 1), ("webvtt.webm", 0), ("ass.mkv", 0),
    ])
    func agreesWithFFmpeg(name: String, subtitleIndex: Int) throws {
        let path = Fixtures.path(name)
        let ffmpeg = try #require(ProcessOutput.which("ffmpeg"))
        let output = try ProcessOutput.run(ffmpeg, ["-v", "error", "-i", path, "-map", "0:s:\(subtitleIndex)", "-c:s", "srt", "-f", "srt", "-"])
        #expect(output.status == 0, "\(output.stderr)")
        let reference = try SRT.parse(String(decoding: output.stdout, as: UTF8.self), file: "ffmpeg").cues
        let ours = try reader.cues(path: path)[subtitleIndex].cues
        #expect(ours.count == reference.count)
        for (mine, theirs) in zip(ours, reference) {
            #expect(abs(mine.start - theirs.start) < 0.001 && abs(mine.end - theirs.end) < 0.001)
            #expect(mine.text == theirs.text)
        }
    }

    @Test("recordings without subtitle streams give no tracks", arguments: ["faststart.mp4", "chapters.m4a", "obs.ts", "id3-chapters.mp3"])
    func none(name: String) throws {
        #expect(try reader.cues(path: Fixtures.path(name)).isEmpty)
    }

    @Test("maxCues bounds what is read")
    func cueLimit() throws {
        let tracks = try SubtitleReader(maxCues: 1).cues(path: Fixtures.path("subrip.mkv"))
        #expect(tracks.reduce(0) { $0 + $1.cues.count } == 1)
    }

    @Test("truncated and bit-flipped files give cues or a coded error naming the file", arguments: ["subtitles.mp4", "subrip.mkv", "webvtt.webm", "ass.mkv"])
    func damaged(name: String) throws {
        let original = try Data(contentsOf: Fixtures.folder.appendingPathComponent(name))
        let folder = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var generator = SeededGenerator(seed: UInt64(original.count))
        var files: [URL] = []
        for cut in BadInputTests.cutPoints(size: original.count) {
            let url = folder.appendingPathComponent("cut-\(cut)-\(name)")
            try original.prefix(cut).write(to: url)
            files.append(url)
        }
        for index in 0..<30 {
            var bytes = [UInt8](original)
            for _ in 0..<(1 + index % 12) {
                let position = Int.random(in: 0..<bytes.count, using: &generator)
                bytes[position] ^= UInt8(1 << Int.random(in: 0..<8, using: &generator))
            }
            let url = folder.appendingPathComponent("flip-\(index)-\(name)")
            try Data(bytes).write(to: url)
            files.append(url)
        }
        for url in files {
            do {
                for track in try reader.cues(path: url.path, deadline: 5) {
                    #expect(track.cues.allSatisfy { $0.end >= $0.start && $0.start.isFinite })
                }
            } catch {
                #expect(error.message.contains(url.path), "\(error.message)")
                #expect(error.code != .notFound && error.code != .notARegularFile)
            }
        }
    }

    @Test("a missing file and a folder are refused; the deadline reports a timeout")
    func refusals() throws {
        let missing = "/no/such/talk.mkv"
        #expect(#expect(throws: ProbeError.self) { try reader.cues(path: missing) }?.code == .notFound)
        let folder = Fixtures.folder.path
        #expect(#expect(throws: ProbeError.self) { try reader.cues(path: folder) }?.code == .notARegularFile)
        let late = #expect(throws: ProbeError.self) { try reader.cues(path: Fixtures.path("subrip.mkv"), deadline: 1e-9) }
        #expect(late?.code == .timeout)
        #expect(late?.message.contains("subrip.mkv") == true)
    }

    @Test("ASS event text", arguments: [
        ("0,0,Default,,0,0,0,,Hej", "Hej", nil),
        ("3,0,Default,Anna,0,0,0,,{\\i1}Hej{\\i0}, du\\Nvärlden", "Hej, du\nvärlden", "Anna"),
        ("Dialogue: 0,0:00:01.00,0:00:02.00,Default,Bo,0,0,0,,Rad ett\\nrad två", "Rad ett\nrad två", "Bo"),
        ("1,0,Default,,0,0,0,,\\{inte en tagg\\} och\\hmellanslag", "{inte en tagg} och mellanslag", nil),
        ("1,0,Default,,0,0,0,,{obalanserad", "{obalanserad", nil),
        ("too,few,fields", "too,few,fields", nil),
        ("1,0,Default,,0,0,0,,  \\N  \\N  ", "", nil),
    ] as [(String, String, String?)])
    func assText(line: String, text: String, name: String?) {
        let event = ASSText.event(line)
        #expect(event.text == text)
        #expect(event.name == name)
    }
}
