import Foundation
import Hummingbird
import HummingbirdTesting
import IndexStore
import Testing

@Suite("Media and thumbnails")
struct MediaTests {
    /// A request's `Range` and what must come back; `nil` bytes means the whole file.
    struct RangeCase: Sendable, CustomStringConvertible {
        var header: String?
        var status: HTTPResponse.Status
        /// First and last byte of the expected body, `-1` counting from the end.
        var first: Int64?
        var last: Int64?
        var description: String { header ?? "no Range" }
    }

    static let rangeCases: [RangeCase] = [
        RangeCase(header: nil, status: .ok),
        RangeCase(header: "bytes=0-99", status: .partialContent, first: 0, last: 99),
        RangeCase(header: "bytes=1000-", status: .partialContent, first: 1000, last: -1),
        RangeCase(header: "bytes=-500", status: .partialContent, first: -500, last: -1),
        RangeCase(header: "bytes=100-99999999", status: .partialContent, first: 100, last: -1),
        RangeCase(header: "bytes=0-0", status: .partialContent, first: 0, last: 0),
        RangeCase(header: "bytes=-99999999", status: .partialContent, first: 0, last: -1),
        RangeCase(header: "bytes=99999999-", status: .rangeNotSatisfiable),
        RangeCase(header: "bytes=-0", status: .rangeNotSatisfiable),
        // Headers a server must ignore (invalid) or may answer in full (several ranges, other units).
        RangeCase(header: "bytes=50-10", status: .ok),
        RangeCase(header: "bytes=0-1,5-9", status: .ok),
        RangeCase(header: "items=0-5", status: .ok),
        RangeCase(header: "bytes=abc", status: .ok),
    ]

    @Test("byte ranges: single, open-ended, suffix, clamped, unsatisfiable and ignored", arguments: rangeCases)
    func ranges(_ range: RangeCase) async throws {
        let sample = try SampleIndex.shared.get()
        let database = try sample.database()
        let id = try recordingID("inspelning-01.mp4", in: database)
        let file = try Data(contentsOf: sample.media.appendingPathComponent("inspelning-01.mp4"))
        let size = Int64(file.count)
        try await sample.test { client in
            var headers = HTTPFields()
            if let header = range.header { headers[.range] = header }
            let response = try await client.execute(uri: "/media/\(id)", method: .get, headers: headers)
            #expect(response.status == range.status)
            #expect(response.headers[.acceptRanges] == "bytes")
            switch range.status {
            case .ok:
                #expect(response.data == file)
                #expect(response.headers[.contentLength] == String(size))
                #expect(response.headers[.contentRange] == nil)
            case .partialContent:
                let first = (range.first ?? 0) < 0 ? size + range.first! : range.first!
                let last = (range.last ?? -1) < 0 ? size + range.last! : range.last!
                #expect(response.headers[.contentRange] == "bytes \(first)-\(last)/\(size)")
                #expect(response.headers[.contentLength] == String(last - first + 1))
                #expect(response.data == file[Int(first)...Int(last)])
            default:
                #expect(response.headers[.contentRange] == "bytes */\(size)")
                #expect(response.errorCode == "range_not_satisfiable")
            }
        }
    }

    @Test("validators: ETag, Last-Modified, 304, If-Range, HEAD and the container's media type")
    func validators() async throws {
        let sample = try SampleIndex.shared.get()
        let database = try sample.database()
        let mp4 = try recordingID("inspelning-01.mp4", in: database)
        try await sample.test { client in
            let full = try await client.execute(uri: "/media/\(mp4)", method: .head)
            #expect(full.status == .ok)
            #expect(full.body.readableBytes == 0)
            #expect(full.headers[.contentType] == "video/mp4")
            let etag = try #require(full.headers[.eTag])
            let modified = try #require(full.headers[.lastModified])
            #expect(modified.hasSuffix(" GMT"))
            let size = try FileManager.default.attributesOfItem(atPath: sample.media.appendingPathComponent("inspelning-01.mp4").path)[.size] as? Int
            #expect(full.headers[.contentLength] == size.map(String.init), "HEAD tells the length it would send")

            let cached = try await client.execute(uri: "/media/\(mp4)", method: .get, headers: [.ifNoneMatch: etag])
            #expect(cached.status == .notModified)
            #expect(cached.body.readableBytes == 0)
            let since = try await client.execute(uri: "/media/\(mp4)", method: .get, headers: [.ifModifiedSince: modified])
            #expect(since.status == .notModified)

            let current = try await client.execute(uri: "/media/\(mp4)", method: .get, headers: [.range: "bytes=0-9", .ifRange: etag])
            #expect(current.status == .partialContent)
            let stale = try await client.execute(uri: "/media/\(mp4)", method: .get, headers: [.range: "bytes=0-9", .ifRange: "\"old\""])
            #expect(stale.status == .ok, "a stale If-Range gets the whole file")

            for (name, type) in [("oppna-data.webm", "video/webm"), ("brg-eftermiddag.mkv", "video/x-matroska")] {
                let id = try recordingID(name, in: database)
                let response = try await client.execute(uri: "/media/\(id)", method: .head)
                #expect(response.headers[.contentType] == type, "\(name)")
            }
        }
    }

    @Test("no request reaches a file the index did not name", arguments: [
        "/media/..%2F..%2Fetc%2Fpasswd", "/media/-1", "/media/0", "/media/1.5", "/media/%2e%2e", "/media/5%00", "/media/99999",
        "/media/../index.sqlite", "/media/5/../../index.sqlite", "/thumbnails/../index.sqlite", "/thumbnails/..%2Findex.sqlite",
        "/thumbnails/%2e%2e/index.sqlite", "/thumbnails/index.sqlite", "/thumbnails//etc/passwd", "/thumbnails/%2Fetc%2Fpasswd",
        "/thumbnails/../../../../etc/passwd", "/Index/index.sqlite", "/index.sqlite",
    ])
    func traversal(_ path: String) async throws {
        let sample = try SampleIndex.shared.get()
        try await sample.test { client in
            let response = try await client.execute(uri: path, method: .get)
            #expect(response.status == .notFound, "\(path)")
            #expect(!response.text.contains("SQLite format"))
            #expect(!response.text.contains("root:"))
            #expect(response.errorCode != nil, "a JSON error")
        }
    }

    @Test("a hostile date in If-Modified-Since or If-Range is ignored on media and thumbnails, and the server goes on",
          arguments: ["Sun, 06 Nov 99999999999 08:49:37 GMT", "Sun, 99999999999 Nov 1994 08:49:37 GMT"])
    func hostileConditionals(_ date: String) async throws {
        let sample = try SampleIndex.shared.get()
        let id = try recordingID("inspelning-01.mp4", in: try sample.database())
        let page = try jsonObject(await sample.test { client in try await client.execute(uri: "/feed.json?page_size=1", method: .get).data })
        let image = try #require((page["items"] as? [[String: Any]])?.first?["image"] as? String)
        try await sample.test { client in
            for uri in ["/media/\(id)", localPath(image)] {
                let since = try await client.execute(uri: uri, method: .get, headers: [.ifModifiedSince: date])
                #expect(since.status == .ok, "\(uri)")
                let range = try await client.execute(uri: uri, method: .get, headers: [.range: "bytes=0-9", .ifRange: date])
                #expect(range.status == .ok, "a stale If-Range gives the whole file: \(uri)")
            }
            #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
        }
    }

    @Test("a thumbnail the feed names is made on its first request, once however many ask, kept beside the index and served from there")
    func thumbnail() async throws {
        let sample = try SampleIndex()
        let page = try jsonObject(await sample.test { client in try await client.execute(uri: "/feed.json?page_size=1", method: .get).data })
        let items = try #require(page["items"] as? [[String: Any]])
        let image = try #require(items.first?["image"] as? String)
        let path = localPath(image)
        let file = sample.index.appendingPathComponent(String(path.dropFirst()))
        #expect(!FileManager.default.fileExists(atPath: file.path), "ingest names the picture and leaves the decoding to the first request")
        try await sample.test { client in
            let first = try await withThrowingTaskGroup(of: (HTTPResponse.Status, Data).self) { group in
                for _ in 0..<8 {
                    group.addTask { let response = try await client.execute(uri: path, method: .get); return (response.status, response.data) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(first.allSatisfy { $0.0 == .ok && $0.1 == first[0].1 })
            let made = try Data(contentsOf: file)
            #expect(made == first[0].1 && made.prefix(2) == Data([0xFF, 0xD8]) && made.suffix(2) == Data([0xFF, 0xD9]))
            let modified = try FileManager.default.attributesOfItem(atPath: file.path)[.modificationDate] as? Date

            let again = try await client.execute(uri: path, method: .get)
            #expect(again.status == .ok && again.data == made)
            #expect(again.headers[.eTag] != nil)
            #expect(again.headers[.cacheControl]?.contains("max-age") == true)
            #expect(try FileManager.default.attributesOfItem(atPath: file.path)[.modificationDate] as? Date == modified, "made once")
        }
    }

    @Test("a named thumbnail whose recording's file is gone is 404, and the server goes on")
    func thumbnailOfVanishedFile() async throws {
        let sample = try SampleIndex()
        let database = try sample.database()
        let recording = try #require(try database.recording(idOrPath: String(try recordingID("sommarjobbare.mp4", in: database))))
        let named = try database.thumbnails().values.filter { $0.key.hasPrefix(recording.fingerprint! + "@") }
        let thumbnail = try #require(named.first)
        try FileManager.default.removeItem(at: sample.media.appendingPathComponent("sommarjobbare.mp4"))
        try await sample.test { client in
            for _ in 0..<2 {
                let response = try await client.execute(uri: "/" + thumbnail.file, method: .get)
                #expect(response.status == .notFound)
                #expect(response.errorCode == "not_found")
                #expect(!String(decoding: response.data, as: UTF8.self).contains(sample.media.path), "no server path in the answer")
            }
            #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
        }
    }

    @Test("a recording whose file is gone is 404, not an error")
    func vanishedFile() async throws {
        let sample = try SampleIndex()
        let id = try recordingID("sommarjobbare.mp4", in: try sample.database())
        try FileManager.default.removeItem(at: sample.media.appendingPathComponent("sommarjobbare.mp4"))
        try await sample.test { client in
            let response = try await client.execute(uri: "/media/\(id)", method: .get)
            #expect(response.status == .notFound)
            #expect(response.errorCode == "not_found")
        }
    }

    @Test("a recording's file swapped for a link to a file outside the media folder after ingest is not served")
    func swappedForOutsideLink() async throws {
        let sample = try SampleIndex()
        let id = try recordingID("sommarjobbare.mp4", in: try sample.database())
        let outside = sample.folder.appendingPathComponent("private-talk.mp4")
        let file = sample.media.appendingPathComponent("sommarjobbare.mp4")
        try FileManager.default.moveItem(at: file, to: outside)
        try FileManager.default.createSymbolicLink(atPath: file.path, withDestinationPath: outside.path)
        try await sample.test { client in
            let response = try await client.execute(uri: "/media/\(id)", method: .get)
            #expect(response.status == .notFound)
            #expect(response.text.contains("outside the media folders"), "\(response.text)")
            #expect(!response.text.contains(outside.path), "the answer must not name the file outside")
        }
        // A link that stays inside the media folder is served as before.
        try FileManager.default.removeItem(at: file)
        try FileManager.default.moveItem(at: outside, to: sample.media.appendingPathComponent("sommarjobbare-kopia.bin"))
        try FileManager.default.createSymbolicLink(atPath: file.path, withDestinationPath: "sommarjobbare-kopia.bin")
        try await sample.test { client in
            let response = try await client.execute(uri: "/media/\(id)", method: .get, headers: [.range: "bytes=0-3"])
            #expect(response.status == .partialContent)
        }
    }
}
