import Captions
import Feed
import Foundation
import Hummingbird
import HummingbirdTesting
import IndexStore
import NIOConcurrencyHelpers
import Schedule
import Server
import Testing

/// An index built from values, with no file, no FFmpeg and no ingest: what a route test needs
/// when the question is what the routes do with what the index holds.
final class ValuesIndex: IndexRepository {
    private let state: NIOLockedValueBox<(snapshot: IndexSnapshot, version: Int64, decisions: [String])>

    init(_ snapshot: IndexSnapshot) {
        state = NIOLockedValueBox((snapshot, 1, []))
    }

    /// The decisions the routes asked for, as "action recording session".
    var decisions: [String] { state.withLockedValue { $0.decisions } }

    func snapshot() throws -> IndexSnapshot { state.withLockedValue { $0.snapshot } }
    func commitWatch() throws -> (any CommitWatch)? { Watch(index: self) }

    struct Watch: CommitWatch {
        let index: ValuesIndex
        func version() throws -> Int64 { index.state.withLockedValue { $0.version } }
    }

    func search(_ query: SearchQuery, timeLimit: Duration?) throws -> [SearchHit] { [] }
    func facets(_ query: SearchQuery, timeLimit: Duration?) throws -> SearchFacets { SearchFacets() }
    func recordingTranscripts(recordingID: Int64) throws -> RecordingTranscripts? { nil }
    func recording(idOrPath: String) throws -> StoredRecording? {
        try snapshot().recordings.first { String($0.id ?? -1) == idOrPath || $0.path == idOrPath }
    }
    func links() throws -> [Int64: [StoredLink]] { try snapshot().links }

    /// No person changed these values.
    func auditEntries(sessionGuid: String?, fingerprint: String?, limit: Int) throws -> [AuditEntry] { [] }

    /// Hiding is not part of what these tests build: a session stays as the values have it.
    func setHidden(_ hidden: Bool, sessionGuid: String, by who: String) throws {
        throw TranscriptError(description: "a repository of values hides nothing")
    }

    /// An unlink takes the recording's links away, as the index would, and counts as a commit.
    func decide(_ action: Decision.Action, recording: String, session: String?, inSeconds: Double?, outSeconds: Double?, by who: String, seen: String?) throws -> StoredRecording {
        try state.withLockedValue { value in
            guard var stored = value.snapshot.recordings.first(where: { String($0.id ?? -1) == recording }), let id = stored.id else {
                throw TranscriptError(description: "no recording \(recording)")
            }
            value.decisions.append("\(action.rawValue) \(recording) \(session ?? "-")")
            if action == .unlink {
                value.snapshot.links[id] = []
                stored.linkStatus = .unmatched
                value.snapshot.recordings = value.snapshot.recordings.map { $0.id == id ? stored : $0 }
            }
            value.version += 1
            return stored
        }
    }

    func importTranscript(recording: String, captions: CaptionFile, name: String, language: String?, verified: Bool) throws -> TranscriptImport {
        TranscriptImport(stored: captions.cues.count, skippedVerified: 0, language: language ?? "sv", verifiedSegments: 0, verifiedSpan: nil)
    }

    /// Corrections and chapters are not part of what these tests build.
    func correctTranscript(recordingID: Int64, cues: [Cue], language: String, span: ClosedRange<Double>, sessionGuid: String?, by who: String) throws -> TranscriptImport {
        throw TranscriptError(description: "a repository of values keeps no corrections")
    }

    func cues(recordingID: Int64) throws -> [StoredCue] { [] }
    func staticSearchData() throws -> StaticSearchData { StaticSearchData() }
    func captionCoverage() throws -> [CaptionCoverage] { [] }

    func setChapters(_ chapters: [ManualChapter]?, recording: String, session: String, by who: String) throws -> [Segment] {
        throw TranscriptError(description: "a repository of values keeps no chapters")
    }

    /// One talk in one recording, two chapters: the smallest week that publishes something.
    static func oneTalk() -> ValuesIndex {
        let start = Date(timeIntervalSince1970: 1_633_420_800) // 2021-10-05 08:00 UTC, 10:00 in Stockholm
        let session = Session(guid: "g-1", slug: "oppna-data", title: "Öppna data i kommunen", start: start, end: start + 1800, room: "Sal A",
                              language: "sv", persons: ["Ada Berg"], topics: ["öppna data"])
        let recording = StoredRecording(id: 7, path: "talk.mp4", absolutePath: "/media/talk.mp4", fingerprint: "f00d", size: 1000, mtime: 0,
                                        state: .ok, probe: nil, duration: 1800, linkStatus: .linked)
        let link = StoredLink(sessionGuid: "g-1", kind: .link, score: 0.9, inSeconds: 0, outSeconds: 1800, reasons: ["a value"], flags: [],
                              decidedBy: .auto)
        let segments = [
            Segment(id: 1, recordingID: 7, sessionGuid: "g-1", position: 0, startSeconds: 0, endSeconds: 900, title: "Varför öppna data", topics: [], source: .chapter),
            Segment(id: 2, recordingID: 7, sessionGuid: "g-1", position: 1, startSeconds: 900, endSeconds: 1800, title: "Frågor", topics: [], source: .chapter),
        ]
        return ValuesIndex(IndexSnapshot(conference: Conference(title: "Innovationsveckan", timeZone: "Europe/Stockholm"), sessions: [session],
                                         recordings: [recording], links: [7: [link]], segments: [7: segments], defaultLanguages: [7: "sv"],
                                         mediaRoots: ["/media"]))
    }
}

@Suite struct RepositoryTests {
    static let token = "values-token"

    func serve<Value: Sendable>(_ index: ValuesIndex, _ test: @escaping @Sendable (any TestClientProtocol) async throws -> Value) async throws -> Value {
        let configuration = ServerConfiguration(indexFolder: "/nonexistent", host: "127.0.0.1", port: 0, publicURL: "https://play.example.org",
                                                corsOrigins: [], adminToken: Self.token, accessLog: false)
        let app = try buildApplication(configuration: configuration, repository: index)
        return try await app.test(.router) { client in try await test(client) }
    }

    @Test("the feed, the chapters and the watch page come from the repository's values")
    func readsValues() async throws {
        try await serve(ValuesIndex.oneTalk()) { client in
            let feed = try await client.execute(uri: "/feed.json", method: .get)
            #expect(feed.status == .ok)
            let items = try #require((try JSONSerialization.jsonObject(with: Data(buffer: feed.body)) as? [String: Any])?["items"] as? [[String: Any]])
            #expect(items.map { $0["title"] as? String } == ["Öppna data i kommunen"])

            let chapters = try await client.execute(uri: "/api/recordings/7/chapters.vtt", method: .get)
            #expect(chapters.status == .ok)
            let text = String(buffer: chapters.body)
            #expect(text.contains("Varför öppna data") && text.contains("00:15:00.000 --> 00:30:00.000\nFrågor"))

            let page = try await client.execute(uri: "/sessions/oppna-data", method: .get)
            #expect(page.status == .ok)
            #expect(String(buffer: page.body).contains("Ada Berg"))
            let missing = try await client.execute(uri: "/api/recordings/8/chapters.vtt", method: .get)
            #expect(missing.status == .notFound)
        }
    }

    @Test("a decision goes to the repository, and the feed answers from the commit it made")
    func writesThroughRepository() async throws {
        let index = ValuesIndex.oneTalk()
        try await serve(index) { client in
            let auth: HTTPFields = [.authorization: "Bearer \(Self.token)", .contentType: "application/json"]
            let decided = try await client.execute(uri: "/api/recordings/7/decisions", method: .post, headers: auth,
                                                   body: ByteBuffer(string: #"{"action": "unlink"}"#))
            #expect(decided.status == .ok)
            let feed = try await client.execute(uri: "/feed.json", method: .get)
            let items = (try JSONSerialization.jsonObject(with: Data(buffer: feed.body)) as? [String: Any])?["items"] as? [[String: Any]]
            #expect(items?.isEmpty == true)
        }
        #expect(index.decisions == ["unlink 7 -"])
    }
}
