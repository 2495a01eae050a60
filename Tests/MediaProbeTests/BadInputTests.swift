import Foundation
import Testing
import TestSupport
@testable import MediaProbe

/// Files people bring that are not what they seem: every one gets a result or a coded error,
/// and the process never crashes or hangs.
@Suite("bad input")
struct BadInputTests {
    let prober = Prober(options: ProbeOptions(timeout: 5))

    /// Cut points: the first bytes, the header region, fractions of the file, and its last byte.
    static func cutPoints(size: Int) -> [Int] {
        let fixed = [0, 1, 4, 8, 12, 100, 512, 1000, 4096]
        let fractions = stride(from: 0.05, to: 1.0, by: 0.05).map { Int(Double(size) * $0) }
        return Set((fixed + fractions + [size - 1]).filter { $0 < size }).sorted()
    }

    @Test("truncated fixtures give a result or a coded error", arguments: Fixtures.all)
    func truncated(name: String) throws {
        let data = try Data(contentsOf: Fixtures.folder.appendingPathComponent(name))
        let folder = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var paths: [String] = []
        for cut in Self.cutPoints(size: data.count) {
            let url = folder.appendingPathComponent("\(cut)-\(name)")
            try data.prefix(cut).write(to: url)
            paths.append(url.path)
        }
        let results = prober.probe(paths)
        #expect(results.count == paths.count)
        for result in results {
            if let error = result.error {
                #expect(error.message.contains(result.path), "error does not name the file: \(error.message)")
                #expect(error.code != .notFound && error.code != .notARegularFile)
            } else {
                #expect(result.container != nil)
            }
        }
        // The empty file is always an error, and says so.
        #expect(results.first?.error?.code == .invalidData)
    }

    @Test("random bytes, alone and behind real headers, never crash the probe")
    func randomBytes() throws {
        var generator = SeededGenerator(seed: 2021_10_04)
        let folder = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var paths: [String] = []
        let headers = try Fixtures.all.map { try Data(contentsOf: Fixtures.folder.appendingPathComponent($0)).prefix(2048) }
        for index in 0..<120 {
            let size = Int.random(in: 1...150_000, using: &generator)
            var bytes = Data((0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) })
            if index % 2 == 1 {
                // A real header followed by garbage reaches deep into each demuxer.
                bytes = headers[index / 2 % headers.count] + bytes
            }
            let url = folder.appendingPathComponent("random-\(index).mp4")
            try bytes.write(to: url)
            paths.append(url.path)
        }
        let results = prober.probe(paths)
        #expect(results.count == paths.count)
        for result in results where result.error != nil {
            #expect(result.error!.message.contains(result.path))
        }
        #expect(results.contains { $0.error?.code == .invalidData || $0.error?.code == .unsupportedFormat })
    }

    @Test("bit flips in the body of real files never crash the probe", arguments: ["faststart.mp4", "talk.mkv", "obs.ts", "id3-chapters.mp3", "live.webm"])
    func bitFlips(name: String) throws {
        var generator = SeededGenerator(seed: UInt64(name.utf8.count))
        let original = try Data(contentsOf: Fixtures.folder.appendingPathComponent(name))
        let folder = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var paths: [String] = []
        for index in 0..<40 {
            var bytes = [UInt8](original)
            for _ in 0..<(1 + index % 8) {
                // Favour the first kilobytes, where the headers are.
                let limit = index % 3 == 0 ? bytes.count : min(bytes.count, 4096)
                let position = Int.random(in: 0..<limit, using: &generator)
                bytes[position] ^= UInt8(1 << Int.random(in: 0..<8, using: &generator))
            }
            let url = folder.appendingPathComponent("flip-\(index)-\(name)")
            try Data(bytes).write(to: url)
            paths.append(url.path)
        }
        let results = prober.probe(paths)
        #expect(results.count == paths.count)
    }

    @Test("a missing file, a folder, a FIFO and a device are refused before FFmpeg opens them")
    func notRegularFiles() throws {
        let folder = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let fifo = folder.appendingPathComponent("stream.ts").path
        #expect(mkfifo(fifo, 0o644) == 0)
        let results = prober.probe([folder.appendingPathComponent("gone.mp4").path, folder.path, fifo, "/dev/zero"])
        #expect(results.map { $0.error?.code } == [.notFound, .notARegularFile, .notARegularFile, .notARegularFile])
        #expect(results[2].error?.message.contains("FIFO") == true)
        #expect(results[3].error?.message.contains("/dev/zero") == true)
    }

    @Test("a relative path with a colon is a file, not a protocol")
    func colonInName() throws {
        let folder = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let named = folder.appendingPathComponent("talk:intro.mp4")
        try FileManager.default.copyItem(atPath: Fixtures.path("faststart.mp4"), toPath: named.path)
        // Run the command in that folder rather than moving this test process's own directory.
        let output = try ProcessOutput.run(Binary.efterhand, ["probe", "--json", "talk:intro.mp4"], in: folder)
        #expect(output.status == 0, "\(output.stderr)")
        let result = try #require(try JSONDecoder().decode([ProbeResult].self, from: output.stdout).first)
        #expect(result.error == nil)
        #expect(result.path == "talk:intro.mp4")
        #expect(result.chapters.count == 3)
    }

    @Test("concat lists and playlists that would open other files or the network are refused")
    func noIndirection() throws {
        let folder = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let target = Fixtures.path("faststart.mp4")
        let cases: [(String, String)] = [
            ("list.ffconcat", "ffconcat version 1.0\nfile '\(target)'\n"),
            ("list.txt", "file '\(target)'\n"),
            ("playlist.m3u8", "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\n\(target)\n#EXTINF:10,\nhttp://127.0.0.1:9/x.ts\n#EXT-X-ENDLIST\n"),
            ("index.mpd", "<?xml version=\"1.0\"?><MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\"><Period><AdaptationSet><Representation><BaseURL>\(target)</BaseURL></Representation></AdaptationSet></Period></MPD>"),
            ("subtitles.srt", "1\n00:00:01,000 --> 00:00:02,000\nHej\n"),
        ]
        var paths: [String] = []
        for (name, text) in cases {
            let url = folder.appendingPathComponent(name)
            try Data(text.utf8).write(to: url)
            paths.append(url.path)
        }
        for result in prober.probe(paths) {
            let code = try #require(result.error?.code, "\(result.path) was opened as \(result.container ?? "?")")
            #expect(code == .unsupportedFormat || code == .invalidData)
            #expect(result.streams.isEmpty)
        }
    }

    @Test("the deadline interrupts FFmpeg and reports a timeout")
    func deadline() {
        let result = Prober(options: ProbeOptions(timeout: 1e-9)).probe(Fixtures.path("obs.ts"))
        #expect(result.error?.code == .timeout)
        #expect(result.error?.message.contains("obs.ts") == true)
    }

    @Test("a huge tag value is cut to the limit")
    func tagLimit() throws {
        var options = ProbeOptions()
        options.maxTagBytes = 8
        let title = try #require(Prober(options: options).probe(Fixtures.path("talk.mkv")).tags["title"])
        #expect(title == "Göteborg…" || title.utf8.count <= 8 + "…".utf8.count)
    }

    @Test("an unreadable file is permission_denied", .enabled(if: geteuid() != 0, "root reads every file"))
    func permissionDenied() throws {
        let folder = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("locked.mp4")
        try FileManager.default.copyItem(atPath: Fixtures.path("faststart.mp4"), toPath: url.path)
        chmod(url.path, 0)
        #expect(prober.probe(url.path).error?.code == .permissionDenied)
    }
}

/// The folder walk: what it takes, what it skips and that it ends.
@Suite("media folder walk")
struct MediaFilesTests {
    @Test("walks sub-folders, skips hidden and partial files, survives a symlink loop")
    func walk() throws {
        let folder = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let manager = FileManager.default
        try manager.createDirectory(at: folder.appendingPathComponent("sal-a"), withIntermediateDirectories: true)
        for name in ["a.mp4", "sal-a/b.MKV", ".hidden.mp4", "c.mp4.part", "d.crdownload", "notes.txt"] {
            try Data("x".utf8).write(to: folder.appendingPathComponent(name))
        }
        try manager.createSymbolicLink(atPath: folder.appendingPathComponent("sal-a/loop").path, withDestinationPath: folder.path)
        let found = MediaFiles.expand([folder.path])
        #expect(found.files == [folder.appendingPathComponent("a.mp4").path, folder.appendingPathComponent("sal-a/b.MKV").path])
        #expect(found.skipped.contains { $0.reason.contains("symlink loop") })
        #expect(found.skipped.contains { $0.path.hasSuffix("c.mp4.part") && $0.reason == "partial download" })
        #expect(found.skipped.contains { $0.path.hasSuffix("d.crdownload") })
    }

    @Test("a symlink that leaves the media folder is skipped and named; one inside it is followed")
    func symlinksStayInside() throws {
        let folder = try Fixtures.temporaryFolder()
        let elsewhere = try Fixtures.temporaryFolder()
        defer {
            try? FileManager.default.removeItem(at: folder)
            try? FileManager.default.removeItem(at: elsewhere)
        }
        let manager = FileManager.default
        try manager.createDirectory(at: folder.appendingPathComponent("sal-a"), withIntermediateDirectories: true)
        try Data("x".utf8).write(to: folder.appendingPathComponent("sal-a/b.mp4"))
        try Data("x".utf8).write(to: elsewhere.appendingPathComponent("private-talk.mp4"))
        try manager.createSymbolicLink(atPath: folder.appendingPathComponent("rootfs").path, withDestinationPath: "/")
        try manager.createSymbolicLink(atPath: folder.appendingPathComponent("talk.mp4").path,
                                       withDestinationPath: elsewhere.appendingPathComponent("private-talk.mp4").path)
        try manager.createSymbolicLink(atPath: folder.appendingPathComponent("alias.mp4").path, withDestinationPath: "sal-a/b.mp4")
        try manager.createSymbolicLink(atPath: folder.appendingPathComponent("proc").path, withDestinationPath: "/proc/self/cwd")

        let found = MediaFiles.expand([folder.path])
        #expect(found.files == [folder.appendingPathComponent("alias.mp4").path, folder.appendingPathComponent("sal-a/b.mp4").path])
        #expect(found.roots == [MediaFiles.resolved(folder.path)])
        let rootfs = try #require(found.skipped.first { $0.path.hasSuffix("/rootfs") })
        #expect(rootfs.reason.contains("outside the media folders") && rootfs.reason.contains("--follow-symlinks"), "\(rootfs)")
        #expect(found.skipped.contains { $0.path.hasSuffix("/talk.mp4") && $0.reason.contains("outside the media folders") })

        // Followed on request, the targets become roots; /proc never, even then (not even
        // /proc/self/cwd, which resolves to a plain folder).
        try manager.removeItem(at: folder.appendingPathComponent("rootfs"))
        let followed = MediaFiles.expand([folder.path], followSymlinks: true)
        #expect(followed.files.contains(folder.appendingPathComponent("talk.mp4").path))
        #expect(followed.roots.contains(elsewhere.appendingPathComponent("private-talk.mp4").path), "\(followed.roots)")
        #expect(followed.skipped.contains { $0.path.hasSuffix("/proc") && $0.reason.contains("system folder") }, "\(followed.skipped)")
        #expect(!followed.roots.contains(FileManager.default.currentDirectoryPath))
    }

    @Test("/proc, /sys and /dev are never walked, even when named")
    func systemFolders() {
        for path in ["/proc", "/sys/", "/dev"] {
            let found = MediaFiles.expand([path], followSymlinks: true)
            #expect(found.files.isEmpty, "\(path)")
            #expect(found.skipped.first?.reason.contains("system folder") == true, "\(path): \(found.skipped)")
        }
    }

    @Test("inside a root means inside by whole path components")
    func insideRoots() {
        #expect(MediaFiles.isInside("/srv/media/a.mp4", roots: ["/srv/media"]))
        #expect(MediaFiles.isInside("/srv/media", roots: ["/srv/media"]))
        #expect(!MediaFiles.isInside("/srv/media2/a.mp4", roots: ["/srv/media"]))
        #expect(!MediaFiles.isInside("/srv/a.mp4", roots: ["/srv/media"]))
        #expect(MediaFiles.isInside("/etc/passwd", roots: ["/"]))
        #expect(!MediaFiles.isInside("/srv/media/a.mp4", roots: []))
    }

    @Test("named files are kept as given, even when missing, so the probe can report them")
    func namedFiles() {
        let found = MediaFiles.expand(["missing.mp4", "notes.txt"])
        #expect(found.files == ["missing.mp4", "notes.txt"])
    }
}
