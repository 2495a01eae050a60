import Foundation
import Testing
import MediaProbe

/// The `efterhand probe` command as a user runs it: exit status, table and errors.
@Suite("efterhand probe command")
struct CommandLineTests {
    @Test("exit 0 when every file probed, 1 when any failed, 2 on a usage error")
    func exitStatus() throws {
        #expect(try ProcessOutput.run(Binary.efterhand, ["probe", Fixtures.path("talk.mkv")]).status == 0)
        let failed = try ProcessOutput.run(Binary.efterhand, ["probe", "--json", Fixtures.path("talk.mkv"), "/no/such/file.mp4"])
        #expect(failed.status == 1)
        let results = try JSONDecoder().decode([ProbeResult].self, from: failed.stdout)
        #expect(results.map { $0.error?.code } == [nil, .notFound])
        #expect(try ProcessOutput.run(Binary.efterhand, ["probe"]).status == 2)
        #expect(try ProcessOutput.run(Binary.efterhand, ["probe", "--timeout", "-1", "x"]).status == 2)
        #expect(try ProcessOutput.run(Binary.efterhand, ["probe", "--no-such-flag", "x"]).status == 2)
    }

    @Test("the table names each file and each error; FFmpeg's log stays off stderr")
    func table() throws {
        let folder = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let broken = folder.appendingPathComponent("broken.mp4")
        try Data(try Data(contentsOf: Fixtures.folder.appendingPathComponent("faststart.mp4")).prefix(3000)).write(to: broken)
        let output = try ProcessOutput.run(Binary.efterhand, ["probe", Fixtures.path("talk.mkv"), broken.path])
        let text = String(decoding: output.stdout, as: UTF8.self)
        #expect(text.contains("talk.mkv"))
        #expect(text.contains("matroska"))
        #expect(text.contains("0:00:10.008"))
        #expect(text.contains("error [invalid_data] Unable to open '\(broken.path)'"))
        #expect(text.contains("2 files, 1 probed, 1 failed"))
        #expect(!output.stderr.contains("mov,mp4"), "FFmpeg's log leaked to stderr: \(output.stderr)")
        let verbose = try ProcessOutput.run(Binary.efterhand, ["probe", "--verbose", broken.path])
        #expect(verbose.stderr.contains("efterhand.ffmpeg") && verbose.stderr.contains("[mov,mp4"),
                "with --verbose FFmpeg's reasons reach the logger: \(verbose.stderr)")
    }
}
