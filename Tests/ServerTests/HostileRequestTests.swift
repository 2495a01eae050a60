import Foundation
import Hummingbird
import HummingbirdTesting
import IndexStore
import Schedule
@testable import Server
import Testing

/// The fixture-level part of the hostile-requests suite (the long part is
/// `scripts/reliability/hostile_requests.py`): requests that once stopped the server or leaked,
/// and the guarantees every route keeps for any path.
@Suite("Hostile requests")
struct HostileRequestTests {
    static let token = "hostile-token"

    /// Ways to name something outside the index in one path segment.
    static let traversals = [
        "..", "..%2F..%2Fetc%2Fpasswd", "%2e%2e", "%252e%252e%252findex.sqlite", "%2Fetc%2Fpasswd", "..%5C..%5Cindex.sqlite",
        "1%00", "%00", "%c0%ae%c0%ae", "index.sqlite", "..;", "%ff%fe",
    ]

    /// Every documented operation's path with `payload` in each of its parameters (the others
    /// given values of the sample week), and with `payload` as one more segment for paths without any.
    static func targets(_ payload: String) -> [(HTTPRequest.Method, String)] {
        var out: [(HTTPRequest.Method, String)] = []
        for operation in Operation.all {
            let names = operation.documentedPath.matches(of: /\{(\w+)\}/).map { String($0.output.1) }
            guard !names.isEmpty else {
                out.append((operation.method, operation.documentedPath + "/" + payload))
                continue
            }
            for name in names {
                var path = operation.documentedPath
                for other in names { path = path.replacingOccurrences(of: "{\(other)}", with: other == name ? payload : "1") }
                out.append((operation.method, path))
            }
        }
        return out
    }

    @Test("a traversal in any parameter of any route is a JSON 4xx that leaks nothing", arguments: traversals)
    func traversalEverywhere(_ payload: String) async throws {
        let sample = try SampleIndex.shared.get()
        let index = try Data(contentsOf: sample.index.appendingPathComponent(IndexDatabase.fileName)).prefix(16)
        try await sample.test(sample.configuration(adminToken: Self.token)) { client in
            for (method, path) in Self.targets(payload) {
                // With the token, so that writes meet the route; bodies it refuses, so nothing is written.
                let response = try await client.execute(uri: path, method: method, headers: [.authorization: "Bearer \(Self.token)"],
                                                         body: ByteBuffer(string: method == .post ? #"{"action": "none"}"# : "not captions"))
                #expect((400..<500).contains(response.status.code), "\(method) \(path): \(response.status)")
                #expect(response.errorCode != nil, "\(method) \(path): a JSON error")
                #expect(!response.data.starts(with: index) && !response.text.contains("root:x:0:0"), "\(method) \(path)")
                #expect(!response.text.contains(sample.folder.path), "\(method) \(path): no server folder in the answer")
            }
        }
    }

    @Test("numbers no feed or talk holds are refused or ignored, and the server keeps answering", arguments: [
        ("/feed.json?after=1e300~x", 400), ("/feed.json?after=6805483056627860516320555039893.518307~W", 400),
        ("/feed.json?after=-1e17~x", 400), ("/feed.json?after=nan~x", 400), ("/feeds/rooms/sal-a.json?page_size=2&after=1e20~8", 400),
        ("/sessions/iv21-103-lagsport?t=nan", 200), ("/sessions/iv21-103-lagsport?t=inf", 200),
        ("/sessions/iv21-103-lagsport?t=1e300", 200), ("/sessions/iv21-103-lagsport?t=-1e300", 200),
        ("/feed.json?page_size=99999999999999999999", 400), ("/api/search?q=data&limit=-9223372036854775808", 400),
    ])
    func hugeNumbers(_ path: String, _ status: Int) async throws {
        let sample = try SampleIndex.shared.get()
        try await sample.test { client in
            let response = try await client.execute(uri: path, method: .get)
            #expect(response.status.code == status, "\(path)")
            let after = try await client.execute(uri: "/feed.json", method: .get)
            #expect(after.status == .ok)
        }
    }

    @Test("in and out points a talk cannot have are refused before they reach the feed")
    func absurdDecisions() async throws {
        let sample = try SampleIndex()
        let id = try recordingID("MVI_0042.MP4", in: try sample.database())
        try await sample.test(sample.configuration(adminToken: Self.token)) { client in
            let headers: HTTPFields = [.authorization: "Bearer \(Self.token)", .contentType: "application/json"]
            for body in [#"{"action": "accept", "session": "iv21-111-vad-tar-vi-med-oss", "in_seconds": -1e300, "out_seconds": 5}"#,
                         #"{"action": "accept", "session": "iv21-111-vad-tar-vi-med-oss", "in_seconds": 0, "out_seconds": 1.0945513745233034e+308}"#,
                         #"{"action": "accept", "session": "iv21-111-vad-tar-vi-med-oss", "in_seconds": 99999999, "out_seconds": 999999999}"#] {
                let response = try await client.execute(uri: "/api/recordings/\(id)/decisions", method: .post, headers: headers, body: ByteBuffer(string: body))
                #expect(response.status == .badRequest, "\(body)")
                #expect(response.errorCode == "bad_parameter")
            }
            #expect(try await client.execute(uri: "/feed.json", method: .get).status == .ok)
        }
        #expect(try sample.database().decisions().isEmpty)
    }

    @Test("bodies over a route's limit are a JSON 413, not a server error")
    func tooLarge() async throws {
        let sample = try SampleIndex.shared.get()
        try await sample.test(sample.configuration(adminToken: Self.token)) { client in
            let transcript = try await client.execute(uri: "/api/recordings/5/transcript", method: .put,
                                                      headers: [.authorization: "Bearer \(Self.token)", .contentType: "text/vtt"],
                                                      body: ByteBuffer(repeating: UInt8(ascii: "x"), count: 17 * 1024 * 1024))
            #expect(transcript.status == .contentTooLarge)
            #expect(transcript.errorCode == "too_large")
            let decision = try await client.execute(uri: "/api/recordings/5/decisions", method: .post,
                                                    headers: [.authorization: "Bearer \(Self.token)", .contentType: "application/json"],
                                                    body: ByteBuffer(repeating: UInt8(ascii: "["), count: 200_000))
            #expect(decision.status == .contentTooLarge)
            #expect(decision.errorCode == "too_large")
        }
    }

    @Test("invalid UTF-8 in a path or a query is a 4xx or, for search words, an answer")
    func invalidUTF8() async throws {
        let sample = try SampleIndex.shared.get()
        try await sample.test { client in
            for path in ["/api/sessions/%ff%fe", "/feeds/topics/%c3%28.json", "/feeds/rooms/%ed%a0%80.json", "/sessions/%c0%af",
                         "/thumbnails/%ff/%fe.jpg", "/api/recordings/%ff", "/media/%ff", "/api/sessions/%", "/feeds/topics/%.json"] {
                let response = try await client.execute(uri: path, method: .get)
                #expect((400..<500).contains(response.status.code), "\(path): \(response.status)")
            }
            for path in ["/api/search?q=%ff%fe", "/api/search?q=%c0%80&topic=%ed%a0%80", "/feed.json?after=%ff~%fe", "/api/search?q=%",
                         "/api/recordings/5/transcript.vtt?language=%ff%fe", "/api/search?q=a%00b"] {
                let response = try await client.execute(uri: path, method: .get)
                #expect(response.status.code < 500, "\(path): \(response.status)")
            }
        }
    }

    @Test("CORS: origins that only resemble an allowed one get no CORS headers", arguments: [
        "https://portal.example.org.evil.com", "http://portal.example.org", "https://portal.example.org:8443", "null",
        "https://xportal.example.org", "*",
    ])
    func lookalikeOrigins(_ origin: String) async throws {
        let sample = try SampleIndex.shared.get()
        try await sample.test(sample.configuration(corsOrigins: ["https://portal.example.org"], adminToken: Self.token)) { client in
            let get = try await client.execute(uri: "/feed.json", method: .get, headers: [.origin: origin])
            #expect(get.status == .ok)
            let preflight = try await client.execute(uri: "/api/recordings/1/decisions", method: .options,
                                                     headers: [.origin: origin, .accessControlRequestMethod: "POST"])
            #expect(preflight.status == .forbidden)
            for response in [get, preflight] {
                #expect(response.headers[.accessControlAllowOrigin] == nil)
                #expect(response.headers[.accessControlAllowCredentials] == nil)
                #expect(response.headers[.accessControlAllowMethods] == nil)
            }
        }
    }

    @Test("the index file deleted under the server: reads go on, health says so, writes are refused; a new file is taken up")
    func indexDeleted() async throws {
        let sample = try SampleIndex()
        let file = sample.index.appendingPathComponent(IndexDatabase.fileName)
        try await sample.test(sample.configuration(adminToken: Self.token)) { client in
            let before = try await client.execute(uri: "/feed.json", method: .get)
            #expect(before.status == .ok)
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: file.path + suffix) }

            let health = try await client.execute(uri: "/healthz", method: .get)
            #expect(health.status == .serviceUnavailable)
            #expect(health.errorCode == "index_gone")
            #expect(health.text.contains(IndexDatabase.fileName), "names the file")
            #expect(!health.text.contains(sample.folder.path), "but not the server's folders")
            let feed = try await client.execute(uri: "/feed.json", method: .get)
            #expect(feed.status == .ok, "answers from the state read before")
            #expect(feed.text == before.text)
            let write = try await client.execute(uri: "/api/recordings/1/decisions", method: .post,
                                                 headers: [.authorization: "Bearer \(Self.token)"], body: ByteBuffer(string: #"{"action": "unlink"}"#))
            #expect(write.status == .serviceUnavailable)
            #expect(write.errorCode == "index_gone")

            // A new index at the same place (an ingest of nothing but the programme): taken up.
            let fresh = try IndexDatabase(folder: sample.index.path)
            try fresh.saveProgramme(try ScheduleLoader.load(path: SampleIndex.root.appendingPathComponent("Media/schedule.json").path))
            // Reads take it up by themselves once the identity recheck interval has passed.
            try await Task.sleep(for: .nanoseconds(Int(ServerServices.identityRecheckNanoseconds) + 50_000_000))
            let read = try await client.execute(uri: "/feed.json", method: .get)
            #expect((try read.json()["items"] as? [Any])?.isEmpty == true, "a read after the interval answers from the new index")
            let after = try await client.execute(uri: "/healthz", method: .get)
            #expect(after.status == .ok)
            #expect(try after.json()["published_sessions"] as? Int == 0)
            let empty = try await client.execute(uri: "/feed.json", method: .get, headers: [.ifNoneMatch: before.headers[.eTag] ?? ""])
            #expect(empty.status == .ok)
            #expect((try empty.json()["items"] as? [Any])?.isEmpty == true)
        }
    }
}
