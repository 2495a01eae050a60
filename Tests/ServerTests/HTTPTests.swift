import Foundation
import Hummingbird
import HummingbirdTesting
import IndexStore
@testable import Server
import Testing

@Suite("HTTP behaviour")
struct HTTPTests {
    @Test("feeds and API answers carry ETag and Cache-Control, and answer If-None-Match with 304", arguments: [
        "/feed.json", "/feed.json?page_size=3", "/feeds/topics/samverkan.json", "/api/topics", "/api/sessions/iv21-103-lagsport",
        "/api/recordings/2", "/api/recordings/2/chapters.json", "/api/recordings/2/chapters.vtt", "/api/recordings/7/transcript.srt",
        "/api/search?q=data", "/openapi.json",
    ])
    func conditionalGet(_ path: String) async throws {
        let sample = try SampleIndex.shared.get()
        try await sample.test { client in
            let first = try await client.execute(uri: path, method: .get)
            #expect(first.status == .ok, "\(path)")
            let etag = try #require(first.headers[.eTag], "\(path)")
            #expect(first.headers[.cacheControl]?.contains("max-age=") == true)
            let second = try await client.execute(uri: path, method: .get)
            #expect(second.headers[.eTag] == etag, "equal state, equal tag")
            let cached = try await client.execute(uri: path, method: .get, headers: [.ifNoneMatch: "\"other\", \(etag)"])
            #expect(cached.status == .notModified)
            #expect(cached.body.readableBytes == 0)
            #expect(cached.headers[.eTag] == etag)
            let stale = try await client.execute(uri: path, method: .get, headers: [.ifNoneMatch: "\"stale\""])
            #expect(stale.status == .ok)
        }
    }

    @Test("JSON is gzipped for clients that accept it, and only for them")
    func gzip() async throws {
        let sample = try SampleIndex.shared.get()
        try await sample.test { client in
            let plain = try await client.execute(uri: "/feed.json", method: .get)
            #expect(plain.headers[.contentEncoding] == nil)
            #expect(plain.headers[.vary]?.contains("Accept-Encoding") == true)
            let zipped = try await client.execute(uri: "/feed.json", method: .get, headers: [.acceptEncoding: "br;q=1.0, gzip;q=0.8"])
            #expect(zipped.headers[.contentEncoding] == "gzip")
            #expect(zipped.body.readableBytes < plain.body.readableBytes / 2)
            #expect(try Gzip.decompress(zipped.data) == plain.data)
            #expect(zipped.headers[.eTag] != plain.headers[.eTag], "each representation has its own strong tag")
            let refused = try await client.execute(uri: "/feed.json", method: .get, headers: [.acceptEncoding: "gzip;q=0"])
            #expect(refused.headers[.contentEncoding] == nil)
            let notModified = try await client.execute(uri: "/feed.json", method: .get,
                                                       headers: [.acceptEncoding: "gzip", .ifNoneMatch: zipped.headers[.eTag] ?? ""])
            #expect(notModified.status == .notModified)
        }
    }

    @Test("CORS answers the configured origins only")
    func cors() async throws {
        let sample = try SampleIndex.shared.get()
        let configuration = sample.configuration(corsOrigins: ["https://portal.example.org"])
        try await sample.test(configuration) { client in
            let allowed = try await client.execute(uri: "/feed.json", method: .get, headers: [.origin: "https://portal.example.org"])
            #expect(allowed.headers[.accessControlAllowOrigin] == "https://portal.example.org")
            #expect(allowed.headers[.vary]?.contains("Origin") == true)
            #expect(allowed.headers[.accessControlExposeHeaders]?.contains("ETag") == true)

            let other = try await client.execute(uri: "/feed.json", method: .get, headers: [.origin: "https://evil.example.com"])
            #expect(other.status == .ok)
            #expect(other.headers[.accessControlAllowOrigin] == nil)

            let preflight = try await client.execute(uri: "/api/recordings/5/transcript", method: .options, headers: [
                .origin: "https://portal.example.org", .accessControlRequestMethod: "PUT", .accessControlRequestHeaders: "authorization, content-type",
            ])
            #expect(preflight.status == .noContent)
            #expect(preflight.headers[.accessControlAllowOrigin] == "https://portal.example.org")
            #expect(preflight.headers[.accessControlAllowMethods]?.contains("PUT") == true)
            #expect(preflight.headers[.accessControlAllowHeaders]?.contains("Authorization") == true)

            let refused = try await client.execute(uri: "/feed.json", method: .options, headers: [
                .origin: "https://evil.example.com", .accessControlRequestMethod: "GET",
            ])
            #expect(refused.status == .forbidden)
            #expect(refused.headers[.accessControlAllowOrigin] == nil)

            let error = try await client.execute(uri: "/api/recordings/999", method: .get, headers: [.origin: "https://portal.example.org"])
            #expect(error.headers[.accessControlAllowOrigin] == "https://portal.example.org", "errors are readable by allowed pages too")
        }
        // Without configured origins, no CORS header at all.
        try await sample.test { client in
            let response = try await client.execute(uri: "/feed.json", method: .get, headers: [.origin: "https://portal.example.org"])
            #expect(response.headers[.accessControlAllowOrigin] == nil)
        }
    }

    @Test("unknown ids are 404, unknown routes 404, other methods 405 with Allow, all as JSON errors")
    func errors() async throws {
        let sample = try SampleIndex.shared.get()
        try await sample.test { client in
            for (path, code) in [("/api/recordings/999", "not_found"), ("/api/recordings/abc", "not_found"), ("/api/sessions/nope", "not_found"),
                                 ("/api/recordings/999/chapters.json", "not_found"), ("/no/such/route", "no_route"), ("/api", "no_route")] {
                let response = try await client.execute(uri: path, method: .get)
                #expect(response.status == .notFound, "\(path)")
                #expect(response.headers[.contentType] == "application/json; charset=utf-8")
                let error = try #require(try response.json()["error"] as? [String: Any], "\(path)")
                #expect(error["code"] as? String == code, "\(path)")
                #expect((error["message"] as? String)?.isEmpty == false)
            }
            for (path, method, allow) in [("/feed.json", HTTPRequest.Method.post, "GET, HEAD"), ("/api/recordings/5", .delete, "GET, HEAD"),
                                          ("/media/5", .put, "GET, HEAD"), ("/api/recordings/5/transcript", .get, "PUT"),
                                          ("/api/recordings/5/decisions", .get, "POST")] {
                let response = try await client.execute(uri: path, method: method)
                #expect(response.status == .methodNotAllowed, "\(method) \(path)")
                #expect(response.headers[.allow] == allow, "\(method) \(path)")
                #expect(response.errorCode == "method_not_allowed")
            }
            for query in ["", "q=", "q=data&limit=0", "q=data&limit=101", "q=data&day=monday", "q=data&language=!!"] {
                let response = try await client.execute(uri: "/api/search?\(query)", method: .get)
                #expect(response.status == .badRequest, "\(query)")
                #expect(response.errorCode == "bad_parameter")
            }
        }
    }

    @Test("search answers with snippets, deep links into the media and facets")
    func search() async throws {
        let sample = try SampleIndex.shared.get()
        let document = try jsonObject(await sample.test { client in try await client.execute(uri: "/api/search?q=%C3%B6ppna+data&limit=5", method: .get).data })
        let hits = try #require(document["hits"] as? [[String: Any]])
        #expect(!hits.isEmpty)
        #expect(hits.count <= 5)
        for hit in hits {
            #expect((hit["snippet"] as? String)?.contains("<mark>") == true)
            let url = try #require(hit["url"] as? String)
            #expect(url.wholeMatch(of: /https:\/\/play\.example\.org\/media\/\d+#t=[\d.]+,[\d.]+/) != nil, "\(url)")
            #expect((hit["watch_url"] as? String)?.contains("/sessions/") == true)
            #expect(SampleIndex.published.contains(hit["session_guid"] as? String ?? ""))
        }
        #expect((document["query"] as? [String: Any])?["q"] as? String == "öppna data")
        let facets = try #require(document["facets"] as? [String: Any])
        #expect((facets["topics"] as? [String: Int])?["öppna data"] != nil)
    }

    @Test("/healthz reports the published catalogue")
    func health() async throws {
        let sample = try SampleIndex.shared.get()
        let document = try jsonObject(await sample.test { client in try await client.execute(uri: "/healthz", method: .get).data })
        #expect(document["status"] as? String == "ok")
        #expect(document["published_sessions"] as? Int == SampleIndex.published.count)
    }
}

@Suite("Writes over HTTP")
struct AdminTests {
    static let token = "s3cret-token-for-tests"

    @Test("without a configured token, writes are off")
    func writesOff() async throws {
        let sample = try SampleIndex.shared.get()
        try await sample.test { client in
            let response = try await client.execute(uri: "/api/recordings/1/decisions", method: .post, headers: [.authorization: "Bearer anything"],
                                                     body: ByteBuffer(string: #"{"action": "unlink"}"#))
            #expect(response.status == .forbidden)
            #expect(response.errorCode == "writes_disabled")
        }
    }

    @Test("a missing or wrong token is 401 with WWW-Authenticate", arguments: [nil, "Bearer wrong", "Basic czNjcmV0", "Bearer", "bearer  "])
    func wrongToken(_ authorization: String?) async throws {
        let sample = try SampleIndex.shared.get()
        try await sample.test(sample.configuration(adminToken: Self.token)) { client in
            var headers = HTTPFields()
            if let authorization { headers[.authorization] = authorization }
            for (path, method) in [("/api/recordings/1/decisions", HTTPRequest.Method.post), ("/api/recordings/1/transcript", .put)] {
                let response = try await client.execute(uri: path, method: method, headers: headers, body: ByteBuffer(string: "{}"))
                #expect(response.status == .unauthorized, "\(path)")
                #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
                #expect(response.errorCode == "unauthorized")
            }
        }
    }

    @Test("accepting a link publishes the session at once")
    func acceptLink() async throws {
        let sample = try SampleIndex()
        let unmatched = try recordingID("MVI_0042.MP4", in: try sample.database())
        try await sample.test(sample.configuration(adminToken: Self.token)) { client in
            let auth: HTTPFields = [.authorization: "Bearer \(Self.token)", .contentType: "application/json"]
            let before = try await client.execute(uri: "/api/sessions/iv21-111-vad-tar-vi-med-oss", method: .get)
            #expect(before.status == .notFound)

            let bad = try await client.execute(uri: "/api/recordings/\(unmatched)/decisions", method: .post, headers: auth,
                                               body: ByteBuffer(string: #"{"action": "marry"}"#))
            #expect(bad.status == .badRequest)
            let garbage = try await client.execute(uri: "/api/recordings/\(unmatched)/decisions", method: .post, headers: auth,
                                                   body: ByteBuffer(string: "not json"))
            #expect(garbage.status == .badRequest)
            let unknownSession = try await client.execute(uri: "/api/recordings/\(unmatched)/decisions", method: .post, headers: auth,
                                                          body: ByteBuffer(string: #"{"action": "accept", "session": "no-such-talk"}"#))
            #expect(unknownSession.status == .badRequest)
            #expect(unknownSession.errorCode == "bad_parameter")
            let unknownRecording = try await client.execute(uri: "/api/recordings/9999/decisions", method: .post, headers: auth,
                                                            body: ByteBuffer(string: #"{"action": "unlink"}"#))
            #expect(unknownRecording.status == .notFound)

            let accepted = try await client.execute(uri: "/api/recordings/\(unmatched)/decisions", method: .post, headers: auth,
                                                    body: ByteBuffer(string: #"{"action": "accept", "session": "iv21-111-vad-tar-vi-med-oss", "in_seconds": 0, "out_seconds": 1500}"#))
            #expect(accepted.status == .ok)
            let result = try accepted.json()
            #expect(result["link_status"] as? String == "linked")
            #expect((result["links"] as? [[String: Any]])?.first?["decided_by"] as? String == "manual")

            let after = try await client.execute(uri: "/api/sessions/iv21-111-vad-tar-vi-med-oss", method: .get)
            #expect(after.status == .ok)
            let feed = try await client.execute(uri: "/feed.json", method: .get).text
            #expect(feed.contains(SampleIndex.guid(111)))
        }
        // The same decision the CLI records: kept in the index by fingerprint.
        #expect(try sample.database().decisions().contains { $0.sessionGuid == SampleIndex.guid(111) && $0.action == .accept })
    }

    @Test("uploading a checked transcript verifies its segments; a broken file is refused with its line")
    func uploadTranscript() async throws {
        let sample = try SampleIndex()
        let database = try sample.database()
        let id = try recordingID("inspelning-01.mp4", in: database)
        let segments = try database.segments(recordingID: id)
        let first = try #require(segments.first)
        let vtt = """
            WEBVTT

            00:00:01.000 --> 00:00:04.000
            Hej och välkommen till Digitala Görel.

            \(Self.clock(first.endSeconds - 4)) --> \(Self.clock(first.endSeconds - 1))
            Tack för i dag.

            """
        try await sample.test(sample.configuration(adminToken: Self.token)) { client in
            let auth: HTTPFields = [.authorization: "Bearer \(Self.token)", .contentType: "text/vtt"]
            let broken = try await client.execute(uri: "/api/recordings/\(id)/transcript", method: .put, headers: auth,
                                                  body: ByteBuffer(string: "WEBVTT\n\n00:00:05.000 --> 00:00:01.000\nBackwards\n"))
            #expect(broken.status == .badRequest)
            #expect(broken.text.contains("line"), "the problem names its line: \(broken.text)")
            #expect(!broken.text.contains("/tmp/"), "no server path in the message")
            let notCaptions = try await client.execute(uri: "/api/recordings/\(id)/transcript", method: .put,
                                                       headers: [.authorization: "Bearer \(Self.token)", .contentType: "image/png"],
                                                       body: ByteBuffer(string: "\u{89}PNG"))
            #expect(notCaptions.status == .unsupportedMediaType)

            let stored = try await client.execute(uri: "/api/recordings/\(id)/transcript?language=sv", method: .put, headers: auth,
                                                  body: ByteBuffer(string: vtt))
            #expect(stored.status == .ok, "\(stored.text)")
            let result = try stored.json()
            #expect(result["stored"] as? Int == 2)
            #expect(result["verified_segments"] as? Int == 1)

            let transcript = try await client.execute(uri: "/api/recordings/\(id)/transcript.vtt", method: .get).text
            #expect(transcript.contains("Hej och välkommen till Digitala Görel."))
            let recording = try await client.execute(uri: "/api/recordings/\(id)", method: .get).json()
            let firstSegment = try #require((recording["segments"] as? [[String: Any]])?.first)
            #expect((firstSegment["transcript"] as? [String: String])?["sv"] == "verified")
        }
    }

    static func clock(_ seconds: Double) -> String {
        let milliseconds = Int((seconds * 1000).rounded())
        return String(format: "%02d:%02d:%02d.%03d", milliseconds / 3_600_000, milliseconds / 60000 % 60, milliseconds / 1000 % 60, milliseconds % 1000)
    }
}
