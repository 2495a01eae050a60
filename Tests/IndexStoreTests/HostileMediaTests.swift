import Foundation
import Testing
@testable import IndexStore
import Pipeline
import MediaProbe

/// Ingest over a media folder with entries that are not recordings at all: it finishes, and
/// names each of them.
@Suite("ingest of hostile media folders", .serialized)
struct HostileMediaIngestTests {
    @Test("a FIFO, a device, a symlink loop and a non-UTF-8 name: the run ends and names each",
          .timeLimit(.minutes(1)))
    func unopenableEntries() throws {
        let week = try SampleWeek()
        defer { week.remove() }
        // Opening a FIFO for reading waits for a writer: the fingerprint used to, forever.
        #expect(mkfifo(week.path("live.ts"), 0o644) == 0)
        try FileManager.default.createSymbolicLink(atPath: week.path("zero.mp4"), withDestinationPath: "/dev/zero")
        try FileManager.default.createSymbolicLink(atPath: week.path("loop.mkv"), withDestinationPath: "loop.mkv")
        let raw = Array(week.path("f").utf8) + [0xF6, 0x72, 0x65, 0x64, 0x72, 0x61, 0x67] + Array(".mp4".utf8) + [0]
        let descriptor = raw.withUnsafeBufferPointer { $0.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, O_CREAT | O_WRONLY, 0o644) } }
        #expect(descriptor >= 0)
        close(descriptor)

        let database = try IndexDatabase(folder: week.index.path)
        let summary = try week.ingest(database)
        #expect(summary.failed == 1)
        #expect(summary.errors.contains { $0.contains(week.path("live.ts")) && $0.contains("FIFO") }, "\(summary.errors)")
        #expect(summary.skipped.contains { $0.contains(week.path("zero.mp4")) && $0.contains("system folder") }, "\(summary.skipped)")
        #expect(summary.skipped.contains { $0.contains(week.path("loop.mkv")) }, "\(summary.skipped)")
        #expect(summary.skipped.contains { $0.contains(week.path("f\u{FFFD}redrag.mp4")) && $0.contains("UTF-8") }, "\(summary.skipped)")
        #expect(try database.integrityCheck() == "ok")
    }

    @Test("links out of the media folder are skipped and named; followed on request, their targets become media roots")
    func symlinksOutOfTheMediaFolder() throws {
        let week = try SampleWeek()
        defer { week.remove() }
        let elsewhere = week.media.deletingLastPathComponent().appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        let privateTalk = elsewhere.appendingPathComponent("private-talk.mp4")
        try FileManager.default.copyItem(atPath: week.path("sommarjobbare.mp4"), toPath: privateTalk.path)
        try FileManager.default.createSymbolicLink(atPath: week.path("rootfs"), withDestinationPath: "/")
        try FileManager.default.createSymbolicLink(atPath: week.path("talk.mp4"), withDestinationPath: privateTalk.path)

        let database = try IndexDatabase(folder: week.index.path)
        let summary = try week.ingest(database)
        #expect(summary.skipped.contains { $0.hasPrefix(week.path("rootfs")) && $0.contains("outside the media folders") }, "\(summary.skipped)")
        #expect(summary.skipped.contains { $0.hasPrefix(week.path("talk.mp4")) && $0.contains("outside the media folders") }, "\(summary.skipped)")
        let paths = try database.recordings().map(\.path)
        #expect(!paths.contains(week.path("talk.mp4")))
        #expect(paths.allSatisfy { $0.hasPrefix(week.media.path + "/") && !$0.contains("/rootfs/") }, "\(paths)")
        #expect(try database.mediaRoots() == [MediaFiles.resolved(week.media.path)].compactMap { $0 })

        var options = IngestOptions(media: [week.media.path])
        options.recentSeconds = 0
        options.followSymlinks = true
        // Without the root link: a walk of the whole machine is not what this test is about.
        try FileManager.default.removeItem(atPath: week.path("rootfs"))
        _ = try Ingestor(database: database, options: options).run(programme: nil)
        #expect(try database.recordings().contains { $0.path == week.path("talk.mp4") && $0.state == .ok })
        #expect(try database.mediaRoots().contains(privateTalk.path))
    }

    @Test("the fingerprint of anything but a regular file is nil, and comes back at once")
    func fingerprintRefusesSpecialFiles() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("efterhand-fifo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let fifo = folder.appendingPathComponent("stream.ts").path
        #expect(mkfifo(fifo, 0o644) == 0)
        #expect(Fingerprint.of(path: fifo) == nil)
        #expect(Fingerprint.of(path: "/dev/zero") == nil)
        #expect(Fingerprint.of(path: folder.path) == nil)
        let file = folder.appendingPathComponent("x.mp4")
        try Data("abc".utf8).write(to: file)
        #expect(Fingerprint.of(path: file.path)?.hasPrefix("3-") == true)
    }
}
