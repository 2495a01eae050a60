import Foundation
import Testing
@testable import MediaProbe

/// What the probe reads out of specific fixtures, checked against how they were made
/// (scripts/make-probe-fixtures.sh).
@Suite("probe content")
struct ProbeContentTests {
    let prober = Prober()

    @Test("MP4 with faststart: tags, streams, Swedish chapters")
    func faststartMP4() throws {
        let result = prober.probe(Fixtures.path("faststart.mp4"))
        #expect(result.error == nil)
        #expect(result.container == "mov,mp4,m4a,3gp,3g2,mj2")
        #expect(result.tags["title"] == "Öppna data")
        #expect(result.tags["creation_time"] == "2021-10-06T11:00:00.000000Z")
        let video = try #require(result.streams.first)
        #expect(video.kind == .video)
        #expect(video.codec == "h264")
        #expect(video.width == 160 && video.height == 90)
        #expect(video.frameRate == 10)
        #expect(video.sampleRate == nil && video.channels == nil)
        let audio = try #require(result.streams.first { $0.kind == .audio })
        #expect(audio.codec == "aac" && audio.sampleRate == 22050 && audio.channels == 1)
        #expect(audio.width == nil && audio.frameRate == nil)
        #expect(result.chapters.map(\.title) == ["Inledning", "Vad är öppna data?", "Frågor och svar"])
        #expect(result.chapters.map(\.startSeconds) == [0, 4, 8])
        #expect(result.chapters.map(\.endSeconds) == [4, 8, 12])
        // A probe reads what the demuxer needs, not the whole file.
        #expect((result.bytesRead ?? 0) > 0)
    }

    @Test("moov at the end gives the same answer as faststart")
    func moovAtEnd() {
        let fast = prober.probe(Fixtures.path("faststart.mp4"))
        let slow = prober.probe(Fixtures.path("moov-at-end.mp4"))
        #expect(slow.error == nil)
        #expect(slow.durationSeconds == fast.durationSeconds)
        #expect(slow.chapters == fast.chapters)
        #expect(slow.streams == fast.streams)
    }

    @Test("M4A: audio with a cover picture, marked as attached")
    func coverPicture() throws {
        let result = prober.probe(Fixtures.path("chapters.m4a"))
        let cover = try #require(result.streams.first { $0.kind == .video })
        #expect(cover.attachedPicture)
        #expect(cover.frameRate == nil)
        #expect(result.chapters.count == 3)
    }

    @Test("MP3 chapters from ID3 CHAP frames")
    func id3Chapters() {
        let result = prober.probe(Fixtures.path("id3-chapters.mp3"))
        #expect(result.container == "mp3")
        #expect(result.chapters.map(\.title) == ["Inledning", "Vad är öppna data?", "Frågor och svar"])
    }

    @Test("MPEG-TS from OBS: duration from timestamps, no container tags")
    func mpegTS() throws {
        let result = prober.probe(Fixtures.path("obs.ts"))
        #expect(result.container == "mpegts")
        #expect(try #require(result.durationSeconds) > 8.9)
        #expect(result.streams.map(\.codec) == ["h264", "aac"])
    }

    @Test("live WebM without a duration falls back to a packet scan")
    func liveWebM() throws {
        let result = prober.probe(Fixtures.path("live.webm"))
        #expect(result.durationSource == .scan)
        let duration = try #require(result.durationSeconds)
        #expect(duration > 7.9 && duration < 8.1)
        var noScan = ProbeOptions()
        noScan.scanForDuration = false
        let unscanned = Prober(options: noScan).probe(Fixtures.path("live.webm"))
        #expect(unscanned.durationSeconds == nil)
        #expect(unscanned.durationSource == nil)
        #expect(unscanned.error == nil)
    }

    @Test("mov_text subtitles with language and title")
    func subtitles() throws {
        let result = prober.probe(Fixtures.path("subtitles.mp4"))
        let subtitle = try #require(result.streams.first { $0.kind == .subtitle })
        #expect(subtitle.codec == "mov_text")
        #expect(subtitle.language == "swe")
        // MP4 has no stream title; FFmpeg's handler name is not one either.
        #expect(subtitle.title == nil)
    }

    @Test("Matroska: upper-case tags are lower-cased, stream language read")
    func matroska() throws {
        let result = prober.probe(Fixtures.path("talk.mkv"))
        #expect(result.container == "matroska,webm")
        #expect(result.tags["title"] == "Göteborg – Sveriges innovationsmotor")
        #expect(result.tags["artist"] == "Business Region Göteborg")
        #expect(result.tags.keys.allSatisfy { $0 == $0.lowercased() })
        #expect(result.streams.first { $0.kind == .audio }?.language == "swe")
        #expect(result.chapters.map(\.title) == ["Hoppet", "Gothenburg Green City Zone", "Testbädden Electricity"])
    }

    @Test("CJK titles survive")
    func cjk() {
        let result = prober.probe(Fixtures.path("cjk.mkv"))
        #expect(result.tags["title"] == "イノベーション週間 – Innovationsveckan")
        #expect(result.chapters.map(\.title) == ["開会の挨拶", "创新与开放数据"])
    }

    @Test("odd chapters are reported as declared, not cleaned up")
    func oddChapters() throws {
        let mkv = prober.probe(Fixtures.path("odd-chapters.mkv"))
        #expect(mkv.chapters.map(\.title) == ["Noll längd", "Överlappar", "Efter slutet"])
        #expect(mkv.chapters[0].startSeconds == mkv.chapters[0].endSeconds)
        #expect(mkv.chapters[1].endSeconds > mkv.chapters[2].startSeconds)

        let mp3 = prober.probe(Fixtures.path("odd-chapters.mp3"))
        #expect(mp3.error == nil)
        // libavformat itself drops the chapter that ends before it starts; the rest stay as written.
        #expect(mp3.chapters.map(\.title) == ["Början", "Överlappar", "Noll längd", "Efter slutet"])
        #expect(mp3.chapters[1].startSeconds < mp3.chapters[0].endSeconds)
        #expect(mp3.chapters[2].startSeconds == mp3.chapters[2].endSeconds)
        #expect(mp3.chapters[3].endSeconds == 60)
        #expect(try #require(mp3.durationSeconds) < 60)
    }

    @Test("thousands of chapters are all reported, in order")
    func manyChapters() {
        let result = prober.probe(Fixtures.path("many-chapters.mkv"))
        #expect(result.chapters.count == 3000)
        #expect(result.chapters.map(\.index) == Array(0..<3000))
        #expect(result.chapters.last?.title == "Kapitel 2999")
    }

    @Test("a chapter table past maxChapters is cut, not read whole")
    func chapterLimit() {
        var options = ProbeOptions()
        options.maxChapters = 10
        #expect(Prober(options: options).probe(Fixtures.path("many-chapters.mkv")).chapters.count == 10)
    }

    @Test("a tag that is not UTF-8 is decoded with replacement characters, not dropped")
    func latin1Tag() throws {
        let title = try #require(prober.probe(Fixtures.path("latin1-tag.mkv")).tags["title"])
        #expect(title.hasPrefix("Sm"))
        #expect(title.contains("\u{FFFD}"))
    }

    @Test("a mislabelled file is read by its content")
    func mislabelled() {
        let result = prober.probe(Fixtures.path("mislabelled.mp4"))
        #expect(result.error == nil)
        #expect(result.container == "matroska,webm")
    }

    @Test("unknown values are null in the JSON contract, never 0 or an empty string")
    func nullsInJSON() throws {
        let result = prober.probe(Fixtures.path("cjk.mkv"))
        let object = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(result)) as? [String: Any])
        #expect(Set(object.keys) == ["path", "size_bytes", "container", "duration_seconds", "duration_source", "start_seconds", "bit_rate", "tags", "streams", "chapters", "error"])
        #expect(object["error"] is NSNull)
        let stream = try #require((object["streams"] as? [[String: Any]])?.first)
        #expect(Set(stream.keys) == ["index", "kind", "codec", "language", "title", "width", "height", "frame_rate", "sample_rate", "channels", "duration_seconds", "attached_picture"])
        #expect(stream["sample_rate"] is NSNull)
        #expect(stream["language"] is NSNull)
    }

    @Test("results come back in input order when probed in parallel")
    func parallelOrder() {
        let paths = Fixtures.all.map(Fixtures.path) + ["/does/not/exist.mp4"]
        let results = prober.probe(paths)
        #expect(results.map(\.path) == paths)
        #expect(results.last?.error?.code == .notFound)
    }
}
