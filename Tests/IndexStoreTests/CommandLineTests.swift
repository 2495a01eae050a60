import Foundation
import Testing

/// What the `efterhand` program prints and how it exits when an operator makes a mistake or a
/// file name is hostile; runs the binary that `swift build` made.
@Suite("the command line with careless input", .serialized)
struct CommandLineTests {
    @Test("a read-only command on a folder with no index exits 2, names the folder and creates nothing",
          arguments: [["report"], ["links"], ["review"], ["search", "öppna data"], ["transcript", "export", "1", "--format", "vtt"], ["reindex"]])
    func noIndex(_ command: [String]) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("efterhand-typo-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try run(efterhandBinary, command + ["--index", folder.path])
        #expect(result.status == 2, "\(result.output)")
        #expect(result.output.contains("no index in '\(folder.path)'"), "\(result.output)")
        #expect(!FileManager.default.fileExists(atPath: folder.path), "the typo must not become an empty index")
    }

    @Test("serve refuses a trusted proxy given by name, which a connection's address would never match",
          arguments: [["nginx"], ["10.0.0.5", "proxy.example.org"]])
    func trustedProxyByName(_ proxies: [String]) throws {
        let result = try run(efterhandBinary, ["serve", "--port", "0", "--trusted-proxy"] + proxies)
        #expect(result.status == 2, "\(result.output)")
        #expect(result.output.contains("--trusted-proxy must be an IP address"), "\(result.output)")
    }

    @Test("control characters in a file name are escaped in links, review and ingest output")
    func escapedNames() throws {
        let week = try SampleWeek()
        defer { week.remove() }
        let hostile = "evil\u{1B}]0;owned\u{07}\u{1B}[2J\r\nLINKED    fake.mp4.mp4"
        try FileManager.default.moveItem(atPath: week.path("MVI_0042.MP4"), toPath: week.path(hostile))
        let ingest = try run(efterhandBinary, ["ingest", "--media", week.media.path, "--schedule", week.schedule.path, "--index", week.index.path])
        #expect(ingest.status == 0, "\(ingest.output)")
        for command in [["links"], ["review"], ["link", "unlink", week.path(hostile)]] {
            let result = try run(efterhandBinary, command + ["--index", week.index.path])
            #expect(!result.output.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 || $0.value == 0x0D }, "\(command)")
            if command != ["review"] {
                #expect(result.output.contains("evil\\u{1B}]0;owned\\u{7}\\u{1B}[2J\\u{D}\\u{A}LINKED    fake.mp4.mp4"), "\(command): \(result.output)")
            }
        }
    }
}
