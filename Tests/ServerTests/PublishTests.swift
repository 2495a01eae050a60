import Foundation
import Hummingbird
import HummingbirdTesting
import IndexStore
import Server
import Testing

/// `efterhand publish` (issue 22): the public side as static files, each the live server's
/// answer at its address, swapped in whole, untouched when nothing changed.
@Suite("static publish")
struct PublishTests {
    /// The address a published file answers: `index.html` is `/`, `X/index.html` and
    /// `X/index.json` are `/X`, `X@Q` is `/X?Q`.
    static func address(of file: String) -> String {
        if file == "index.html" { return "/" }
        for suffix in ["/index.html", "/index.json"] where file.hasSuffix(suffix) { return "/" + file.dropLast(suffix.count) }
        let parts = file.split(separator: "@", maxSplits: 1)
        return "/" + parts[0] + (parts.count > 1 ? "?" + parts[1] : "")
    }

    static func files(_ folder: URL) -> [String] {
        let root = folder.resolvingSymlinksInPath()
        let walker = FileManager.default.enumerator(atPath: root.path)
        var found: [String] = []
        while let relative = walker?.nextObject() as? String {
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: root.appendingPathComponent(relative).path, isDirectory: &isFolder), !isFolder.boolValue {
                found.append(relative)
            }
        }
        return found.sorted()
    }

    static func stamp(_ file: URL) throws -> (Date, Int) {
        let attributes = try FileManager.default.attributesOfItem(atPath: file.resolvingSymlinksInPath().path)
        return (try #require(attributes[.modificationDate] as? Date), try #require((attributes[.systemFileNumber] as? NSNumber)?.intValue))
    }

    @Test("every published file is the byte-for-byte answer of a live server at its address; feeds, tracks and links pass --check")
    func sameBytes() async throws {
        let sample = try SampleIndex()
        let folder = sample.folder.appendingPathComponent("site")
        let configuration = sample.configuration(publicURL: "https://play.example.org")
        let summary = try await StaticSite.publish(configuration: configuration, to: folder.path)
        #expect(summary.swapped && summary.problems.isEmpty, "\(summary.problems)")
        let all = Self.files(folder).filter { !$0.hasPrefix("media/") }
        #expect(all.count == summary.files)
        // The static search's files are the publish's own (search.js reads them; no server answers there).
        #expect(all.contains("search/meta.json") && all.contains { $0.hasPrefix("search/t/") && $0.hasSuffix(".json.gz") })
        let files = all.filter { !$0.hasPrefix("search/") }
        for expected in ["index.html", "overview/index.html", "feed.json", "sessions/iv21-105-oppna-data/index.html", "api/topics/index.json",
                         "openapi.json"] {
            #expect(files.contains(expected), "\(expected)")
        }
        #expect(files.contains { $0.hasPrefix("feeds/topics/") } && files.contains { $0.hasPrefix("feeds/rooms/") } && files.contains { $0.hasPrefix("feeds/days/") })
        #expect(files.contains { $0.hasPrefix("thumbnails/") } && files.contains { $0.hasSuffix("/transcript.srt") })
        #expect(files.contains { $0.hasPrefix("assets/site.") && $0.hasSuffix(".css") })
        #expect(!files.contains { $0.hasPrefix("staff") || $0.hasPrefix("api/search") })

        let app = try buildApplication(configuration: configuration)
        try await app.test(.live) { client in
            for file in files {
                let answer = try await client.execute(uri: Self.address(of: file), method: .get)
                #expect(answer.status == .ok, "\(file)")
                #expect(answer.data == (try Data(contentsOf: folder.appendingPathComponent(file))), "\(file) is not the server's answer at \(Self.address(of: file))")
            }
        }
        #expect(StaticSite.check(folder: folder.path, publicURL: "https://play.example.org").isEmpty)
    }

    @Test("a publish that changes nothing touches nothing; a hidden session rewrites what shows it and no more, in one swap")
    func incremental() async throws {
        let sample = try SampleIndex()
        let folder = sample.folder.appendingPathComponent("site")
        let configuration = sample.configuration(publicURL: nil)
        let first = try await StaticSite.publish(configuration: configuration, to: folder.path)
        #expect(first.swapped && first.written == first.files && first.mediaLinks >= 8)
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: folder.path)) != nil, "the folder is a link to a version")
        var stamps: [String: (Date, Int)] = [:]
        for file in Self.files(folder) where !file.hasPrefix("media/") { stamps[file] = try Self.stamp(folder.appendingPathComponent(file)) }

        let again = try await StaticSite.publish(configuration: configuration, to: folder.path)
        #expect(!again.swapped && again.written == 0 && again.kept == first.files)
        for (file, stamp) in stamps { #expect(try Self.stamp(folder.appendingPathComponent(file)) == stamp, "\(file) was touched") }

        try sample.database().setHidden(true, sessionGuid: "iv21-105-oppna-data", by: "test")
        let hidden = try await StaticSite.publish(configuration: configuration, to: folder.path)
        #expect(hidden.swapped)
        #expect(hidden.removed >= 2, "the session's page and document are gone")
        #expect(hidden.written > 0 && hidden.written < first.files / 3, "\(hidden.written) of \(first.files) written")
        let now = Set(Self.files(folder))
        #expect(!now.contains("sessions/iv21-105-oppna-data/index.html"))
        var unchanged = 0
        for (file, stamp) in stamps where now.contains(file) {
            if try Self.stamp(folder.appendingPathComponent(file)) == stamp { unchanged += 1 }
        }
        #expect(unchanged == hidden.kept, "files with the same bytes are the same files, times and all")
        // One version is kept: the old one went after the swap.
        let versions = try FileManager.default.contentsOfDirectory(atPath: sample.folder.appendingPathComponent(".site.versions").path)
        #expect(versions.count == 1, "\(versions)")
    }

    @Test("with --search-api the page is pointed at a running server and no search files are written")
    func searchAPI() async throws {
        let sample = try SampleIndex()
        let folder = sample.folder.appendingPathComponent("site")
        _ = try await StaticSite.publish(configuration: sample.configuration(publicURL: nil), to: folder.path,
                                         searchAPI: "https://search.example.org/api/search")
        let meta = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("search/meta.json"))) as? [String: Any])
        #expect(meta["api"] as? String == "https://search.example.org/api/search")
        #expect(Self.files(folder).filter { $0.hasPrefix("search/") } == ["search/meta.json"])
    }

    @Test("--check names a broken track and a link to a missing file; a folder of other files is refused")
    func check() async throws {
        let sample = try SampleIndex()
        let folder = sample.folder.appendingPathComponent("site")
        _ = try await StaticSite.publish(configuration: sample.configuration(publicURL: nil), to: folder.path)
        let root = folder.resolvingSymlinksInPath()
        let track = try #require(Self.files(folder).first { $0.hasSuffix("/chapters.vtt") })
        try Data("not a track".utf8).write(to: root.appendingPathComponent(track))
        try FileManager.default.removeItem(at: root.appendingPathComponent("feed.json"))
        let chunk = try #require(Self.files(folder).first { $0.hasPrefix("search/t/") })
        try FileManager.default.removeItem(at: root.appendingPathComponent(chunk))
        let problems = StaticSite.check(folder: folder.path, publicURL: nil)
        #expect(problems.contains { $0.hasPrefix(track + ": not WebVTT") }, "\(problems)")
        #expect(problems.contains { $0.contains("links to /feed.json, which is not in the folder") }, "\(problems)")
        #expect(problems.contains { $0.contains("names \(chunk), which is not in the folder") }, "\(problems)")

        let other = sample.folder.appendingPathComponent("other")
        try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true)
        try Data("mine".utf8).write(to: other.appendingPathComponent("notes.txt"))
        await #expect(throws: PublishError.self) {
            try await StaticSite.publish(configuration: sample.configuration(publicURL: nil), to: other.path)
        }
        #expect(try String(contentsOf: other.appendingPathComponent("notes.txt"), encoding: .utf8) == "mine")
    }
}
