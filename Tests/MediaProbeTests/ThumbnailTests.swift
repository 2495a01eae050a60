import Foundation
import Testing
import TestSupport
@testable import MediaProbe

/// Thumbnails: real JPEGs of the right size, of the right moment, and coded errors for files
/// that have no picture or are broken.
@Suite("thumbnails")
struct ThumbnailTests {
    let thumbnailer = Thumbnailer()

    /// The size in a JPEG's start-of-frame marker, after checking the SOI and EOI markers.
    static func jpegSize(_ data: Data) throws -> (width: Int, height: Int) {
        let bytes = [UInt8](data)
        #expect(bytes.starts(with: [0xFF, 0xD8]), "no SOI marker")
        #expect(bytes.suffix(2) == [0xFF, 0xD9], "no EOI marker")
        var index = 2
        while index + 9 < bytes.count {
            guard bytes[index] == 0xFF else { throw JPEGError.badMarker(index) }
            let marker = bytes[index + 1]
            let length = Int(bytes[index + 2]) << 8 | Int(bytes[index + 3])
            if (0xC0...0xC3).contains(marker) {
                let height = Int(bytes[index + 5]) << 8 | Int(bytes[index + 6])
                let width = Int(bytes[index + 7]) << 8 | Int(bytes[index + 8])
                return (width, height)
            }
            index += 2 + length
        }
        throw JPEGError.noFrameHeader
    }

    enum JPEGError: Error { case badMarker(Int), noFrameHeader }

    /// What ffprobe reads back from the JPEG: its size, after a full decode by ffmpeg without errors.
    static func decodedByFFmpeg(_ data: Data) throws -> (width: Int, height: Int) {
        let folder = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("thumbnail.jpg")
        try data.write(to: file)
        let ffmpeg = try #require(ProcessOutput.which("ffmpeg"))
        let decode = try ProcessOutput.run(ffmpeg, ["-v", "error", "-i", file.path, "-f", "null", "-"])
        #expect(decode.status == 0 && decode.stderr.isEmpty, "ffmpeg could not decode the JPEG: \(decode.stderr)")
        let ffprobe = try #require(ProcessOutput.which("ffprobe"))
        let probe = try ProcessOutput.run(ffprobe, ["-v", "error", "-show_entries", "stream=codec_name,width,height", "-of", "csv=p=0", file.path])
        let fields = String(decoding: probe.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ",")
        #expect(fields.first == "mjpeg")
        return (fields.count == 3 ? Int(fields[1]) ?? 0 : 0, fields.count == 3 ? Int(fields[2]) ?? 0 : 0)
    }

    @Test("video fixtures give a decodable JPEG of the requested width and the source's aspect", arguments: [
        ("faststart.mp4", 320, 180), ("faststart.mp4", 96, 54), ("talk.mkv", 320, 180), ("live.webm", 320, 180),
        ("obs.ts", 160, 90), ("subtitles.mp4", 321, 180), ("moov-at-end.mp4", 64, 36),
    ])
    func videoSizes(name: String, width: Int, expectedHeight: Int) throws {
        let thumbnail = try thumbnailer.jpeg(path: Fixtures.path(name), at: 2, width: width)
        let expectedWidth = width & ~1
        #expect(thumbnail.source == .frame)
        #expect(thumbnail.width == expectedWidth && thumbnail.height == expectedHeight)
        let marker = try Self.jpegSize(thumbnail.jpeg)
        #expect(marker.width == expectedWidth && marker.height == expectedHeight)
        let decoded = try Self.decodedByFFmpeg(thumbnail.jpeg)
        #expect(decoded.width == expectedWidth && decoded.height == expectedHeight)
    }

    @Test("the frame is the first at or after the time (10 fps sources)", arguments: [
        ("faststart.mp4", 5.0), ("faststart.mp4", 5.05), ("talk.mkv", 7.3), ("live.webm", 0), ("obs.ts", 3.0), ("moov-at-end.mp4", 11.5),
    ])
    func frameTime(name: String, seconds: Double) throws {
        let thumbnail = try thumbnailer.jpeg(path: Fixtures.path(name), at: seconds, width: 96)
        let time = try #require(thumbnail.time)
        #expect(time >= seconds - 0.001 && time < seconds + 0.1 + 0.011, "asked for \(seconds) s, got the frame at \(time) s")
    }

    @Test("the picture is the frame ffmpeg shows at that time, in full range")
    func matchesFFmpeg() throws {
        let path = Fixtures.path("faststart.mp4")
        let thumbnail = try thumbnailer.jpeg(path: path, at: 5.0, width: 160)
        let ffmpeg = try #require(ProcessOutput.which("ffmpeg"))
        let folder = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let ours = folder.appendingPathComponent("ours.jpg")
        try thumbnail.jpeg.write(to: ours)
        func gray(_ arguments: [String]) throws -> [UInt8] {
            let output = try ProcessOutput.run(ffmpeg, ["-v", "error"] + arguments + ["-frames:v", "1", "-pix_fmt", "gray", "-f", "rawvideo", "-"])
            #expect(output.status == 0, "\(output.stderr)")
            return [UInt8](output.stdout)
        }
        let mine = try gray(["-i", ours.path])
        let atFive = try gray(["-ss", "5", "-i", path])
        let atEight = try gray(["-ss", "8", "-i", path])
        #expect(mine.count == 160 * 90 && atFive.count == mine.count && atEight.count == mine.count)
        func meanDifference(_ a: [UInt8], _ b: [UInt8]) -> Double {
            Double(zip(a, b).reduce(0) { $0 + abs(Int($1.0) - Int($1.1)) }) / Double(max(1, a.count))
        }
        let same = meanDifference(mine, atFive)
        let other = meanDifference(mine, atEight)
        // JPEG loss is a few levels; a limited/full range mix-up would add about 16 on average.
        #expect(same < 4, "mean difference from ffmpeg's frame at 5 s: \(same)")
        #expect(other > same * 2, "the frame at 8 s differs by \(other), the one at 5 s by \(same)")
    }

    @Test("a time before the start gives the first frame, one past the end the last frame")
    func outsideTheRecording() throws {
        let first = try thumbnailer.jpeg(path: Fixtures.path("faststart.mp4"), at: -30, width: 96)
        #expect(try #require(first.time) < 0.1)
        for name in ["faststart.mp4", "talk.mkv", "obs.ts", "live.webm"] {
            let last = try thumbnailer.jpeg(path: Fixtures.path(name), at: 3600, width: 96)
            let time = try #require(last.time)
            #expect(time > 6.5 && time < 12.1, "\(name): the last frame is at \(time) s")
            #expect(try Self.jpegSize(last.jpeg) == (96, 54))
        }
    }

    @Test("an audio recording gives its cover picture")
    func cover() throws {
        let thumbnail = try thumbnailer.jpeg(path: Fixtures.path("chapters.m4a"), at: 5, width: 96)
        #expect(thumbnail.source == .coverPicture)
        #expect(thumbnail.time == nil)
        #expect(thumbnail.width == 96 && thumbnail.height == 96)
        let decoded = try Self.decodedByFFmpeg(thumbnail.jpeg)
        #expect(decoded.width == 96 && decoded.height == 96)
    }

    @Test("audio without a cover is no_picture, naming the file")
    func noPicture() {
        let path = Fixtures.path("id3-chapters.mp3")
        let error = #expect(throws: ProbeError.self) { try thumbnailer.jpeg(path: path, at: 1) }
        #expect(error?.code == .noPicture)
        #expect(error?.message.contains(path) == true)
    }

    @Test("a lower quality setting gives a smaller file")
    func quality() throws {
        let path = Fixtures.path("faststart.mp4")
        let fine = try Thumbnailer(quality: 2).jpeg(path: path, at: 4, width: 320)
        let coarse = try Thumbnailer(quality: 25).jpeg(path: path, at: 4, width: 320)
        #expect(coarse.jpeg.count < fine.jpeg.count)
    }

    @Test("impossible arguments are invalid_argument")
    func invalidArguments() {
        let path = Fixtures.path("faststart.mp4")
        for (seconds, width) in [(Double.nan, 320), (.infinity, 320), (1, 0), (1, 1), (1, 100_000)] {
            let error = #expect(throws: ProbeError.self) { try thumbnailer.jpeg(path: path, at: seconds, width: width) }
            #expect(error?.code == .invalidArgument, "\(seconds) s, \(width) px")
        }
    }

    @Test("a missing file, a folder and a FIFO are refused before FFmpeg opens them")
    func notRegularFiles() throws {
        let folder = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let fifo = folder.appendingPathComponent("stream.ts").path
        #expect(mkfifo(fifo, 0o644) == 0)
        var codes: [ProbeError.Code] = []
        for path in [folder.appendingPathComponent("gone.mp4").path, folder.path, fifo] {
            do {
                _ = try thumbnailer.jpeg(path: path, at: 1)
            } catch {
                codes.append(error.code)
                #expect(error.message.contains(path))
            }
        }
        #expect(codes == [.notFound, .notARegularFile, .notARegularFile])
    }

    @Test("the deadline interrupts and reports a timeout")
    func deadline() {
        do {
            _ = try thumbnailer.jpeg(path: Fixtures.path("obs.ts"), at: 5, deadline: 1e-9)
            Issue.record("a deadline of a nanosecond was met")
        } catch {
            #expect(error.code == .timeout)
            #expect(error.message.contains("obs.ts"))
        }
    }

    @Test("truncated recordings give a thumbnail or a coded error naming the file", arguments: ["faststart.mp4", "talk.mkv", "live.webm", "obs.ts", "chapters.m4a", "moov-at-end.mp4"])
    func truncated(name: String) throws {
        let data = try Data(contentsOf: Fixtures.folder.appendingPathComponent(name))
        let folder = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var failures = 0
        for cut in BadInputTests.cutPoints(size: data.count) {
            let url = folder.appendingPathComponent("\(cut)-\(name)")
            try data.prefix(cut).write(to: url)
            switch Result(catching: { () throws(ProbeError) in try thumbnailer.jpeg(path: url.path, at: 3, width: 96, deadline: 5) }) {
            case .success(let thumbnail):
                #expect(try Self.jpegSize(thumbnail.jpeg).width == 96)
            case .failure(let error):
                failures += 1
                #expect(error.message.contains(url.path), "error does not name the file: \(error.message)")
                #expect([.invalidData, .unsupportedFormat, .noPicture, .io].contains(error.code), "\(error.code): \(error.message)")
            }
        }
        #expect(failures > 0, "the empty file at least must fail")
    }

    @Test("garbage, and garbage behind a real header, is a coded error")
    func garbage() throws {
        var generator = SeededGenerator(seed: 6)
        let folder = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let header = try Data(contentsOf: Fixtures.folder.appendingPathComponent("faststart.mp4")).prefix(3000)
        for index in 0..<20 {
            var bytes = Data((0..<Int.random(in: 1...60_000, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) })
            if index % 2 == 1 { bytes = header + bytes }
            let url = folder.appendingPathComponent("garbage-\(index).mp4")
            try bytes.write(to: url)
            let thumbnailer = thumbnailer
            do throws(ProbeError) {
                _ = try thumbnailer.jpeg(path: url.path, at: 1, width: 96, deadline: 5)
                Issue.record("a thumbnail of garbage file \(index)")
            } catch {
                #expect(error.message.contains(url.path))
                #expect(error.code == .invalidData || error.code == .unsupportedFormat || error.code == .io, "\(error.code): \(error.message)")
            }
        }
    }

    @Test("bit flips in real files never crash the thumbnailer", arguments: ["faststart.mp4", "talk.mkv", "obs.ts", "live.webm", "chapters.m4a"])
    func bitFlips(name: String) throws {
        var generator = SeededGenerator(seed: UInt64(name.utf8.count) &* 31)
        let original = try Data(contentsOf: Fixtures.folder.appendingPathComponent(name))
        let folder = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        for index in 0..<30 {
            var bytes = [UInt8](original)
            for _ in 0..<(1 + index % 16) {
                let position = Int.random(in: 0..<bytes.count, using: &generator)
                bytes[position] ^= UInt8(1 << Int.random(in: 0..<8, using: &generator))
            }
            let url = folder.appendingPathComponent("flip-\(index)-\(name)")
            try Data(bytes).write(to: url)
            switch Result(catching: { () throws(ProbeError) in try thumbnailer.jpeg(path: url.path, at: Double(index % 10), width: 64, deadline: 5) }) {
            case .success(let thumbnail):
                #expect(try Self.jpegSize(thumbnail.jpeg).width == 64)
            case .failure(let error):
                #expect(error.message.contains(url.path))
            }
        }
    }

    @Test("output sizes keep the display aspect ratio and are even", arguments: [
        (320, 160, 90, 1.0, 320, 180), (96, 160, 90, 1.0, 96, 54), (321, 1920, 1080, 1.0, 320, 180),
        (320, 720, 576, 64.0 / 45.0, 320, 180), (320, 64, 64, 1.0, 320, 320), (100, 4000, 10, 1.0, 100, 2),
    ])
    func outputSize(width: Int, sourceWidth: Int, sourceHeight: Int, aspect: Double, expectedWidth: Int, expectedHeight: Int) {
        let size = Thumbnailer.outputSize(width: width, sourceWidth: sourceWidth, sourceHeight: sourceHeight, sampleAspect: aspect)
        #expect(size.width == expectedWidth && size.height == expectedHeight)
    }
}
