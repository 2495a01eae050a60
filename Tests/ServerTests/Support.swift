import Feed
import Foundation
import Hummingbird
import HummingbirdTesting
import IndexStore
import Pipeline
import Schedule
import Server
import Testing

/// A copy of the sample week (`Media/` of this repository) ingested into an index in a
/// temporary folder, as `efterhand ingest` makes it.
final class SampleIndex: Sendable {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    let folder: URL
    var media: URL { folder.appendingPathComponent("Media") }
    var index: URL { folder.appendingPathComponent("Index") }

    /// One index shared by the tests that only read.
    static let shared = Result { try SampleIndex() }

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("efterhand-serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Self.root.appendingPathComponent("Media"), to: media)
        let schedule = folder.appendingPathComponent("schedule.json")
        try FileManager.default.moveItem(at: media.appendingPathComponent("schedule.json"), to: schedule)
        for name in ["schedule.ics", "schedule.csv", "README.md"] {
            try? FileManager.default.removeItem(at: media.appendingPathComponent(name))
        }
        let database = try IndexDatabase(folder: index.path)
        var options = IngestOptions(media: [media.path])
        options.recentSeconds = 0
        _ = try Ingestor(database: database, options: options).run(programme: try ScheduleLoader.load(path: schedule.path))
    }

    deinit { try? FileManager.default.removeItem(at: folder) }

    /// A second handle on the index, as another process (ingest, the CLI) would have.
    func database() throws -> IndexDatabase { try IndexDatabase(folder: index.path) }

    func configuration(publicURL: String? = "https://play.example.org", corsOrigins: [String] = [], adminToken: String? = nil,
                       port: Int = 0) -> ServerConfiguration {
        ServerConfiguration(indexFolder: index.path, host: "127.0.0.1", port: port, publicURL: publicURL, corsOrigins: corsOrigins,
                            adminToken: adminToken, accessLog: false)
    }

    /// Runs `test` against the router of a server on this index (no socket).
    func test<Value: Sendable>(_ configuration: ServerConfiguration? = nil,
                               _ test: @escaping @Sendable (any TestClientProtocol) async throws -> Value) async throws -> Value {
        let app = try buildApplication(configuration: configuration ?? self.configuration())
        return try await app.test(.router) { client in try await test(client) }
    }

    /// Sample-week facts the tests rely on.
    static func guid(_ id: Int) -> String { "7f3c2a10-0000-4000-8000-000000000\(id)" }
    /// Published: linked, in the programme, not opted out (109 is opted out, 111 has no recording).
    static let published: Set<String> = Set([101, 102, 103, 104, 105, 106, 107, 108, 110].map(guid))
}

extension TestResponse {
    var text: String { String(buffer: body) }
    var data: Data { Data(buffer: body) }

    func json() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any], "not a JSON object: \(text.prefix(200))")
    }

    /// The `error.code` of a JSON error answer.
    var errorCode: String? {
        ((try? JSONSerialization.jsonObject(with: data)) as? [String: Any]).flatMap { $0["error"] as? [String: Any] }?["code"] as? String
    }
}

/// The path and query of an absolute link the server wrote, for the test client.
func localPath(_ url: String, base: String = "https://play.example.org") -> String {
    url.hasPrefix(base) ? String(url.dropFirst(base.count)) : url
}

/// The id of the sample week's recording at `name` (the index gives ids in path order).
func recordingID(_ name: String, in database: IndexDatabase) throws -> Int64 {
    let recordings = try database.recordings()
    return try #require(recordings.first { $0.path.hasSuffix(name) }?.id, "no recording \(name)")
}

/// A JSON object from bytes.
func jsonObject(_ data: Data) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any], "not a JSON object: \(String(decoding: data.prefix(200), as: UTF8.self))")
}
