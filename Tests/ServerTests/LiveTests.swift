import Foundation
import Hummingbird
import HummingbirdTesting
import IndexStore
import Pipeline
import Server
import Testing

@Suite("Live server")
struct LiveTests {
    @Test("on a real port: the feed, a seek into a recording, and a commit by another process seen without a restart")
    func live() async throws {
        let sample = try SampleIndex()
        let database = try sample.database()
        let id = try recordingID("oppna-data.webm", in: database)
        let unmatched = try recordingID("MVI_0042.MP4", in: database)
        let file = try Data(contentsOf: sample.media.appendingPathComponent("oppna-data.webm"))
        let app = try buildApplication(configuration: sample.configuration(publicURL: nil))
        try await app.test(.live) { client in
            #expect(client.port != nil && client.port != 0, "a real port")
            let feed = try await client.execute(uri: "/feed.json", method: .get)
            #expect(feed.status == .ok)
            let items = try #require(try feed.json()["items"] as? [[String: Any]])
            #expect(items.count == SampleIndex.published.count)
            // Without --public-url, links are root-relative.
            #expect((items.first?["url"] as? String)?.hasPrefix("/sessions/") == true)

            // Seeking: the browser asks for a range in the middle of the file.
            let middle = file.count / 2
            let seek = try await client.execute(uri: "/media/\(id)", method: .get, headers: [.range: "bytes=\(middle)-"])
            #expect(seek.status == .partialContent)
            #expect(seek.data == file[middle...])

            // Another process commits; the running server answers from the new state.
            let before = try await client.execute(uri: "/feed.json", method: .get)
            try LinkStage(database: database).decide(.accept, recording: String(unmatched), session: "iv21-111-vad-tar-vi-med-oss", by: "test")
            let after = try await client.execute(uri: "/feed.json", method: .get, headers: [.ifNoneMatch: before.headers[.eTag] ?? ""])
            #expect(after.status == .ok, "the old tag is stale after the commit")
            #expect(after.text.contains(SampleIndex.guid(111)))
        }
    }

    @Test("answers stay whole while ingest-like writes commit under concurrent requests")
    func consistentUnderWrites() async throws {
        let sample = try SampleIndex()
        let database = try sample.database()
        let unmatched = try recordingID("MVI_0042.MP4", in: database)
        let app = try buildApplication(configuration: sample.configuration())
        try await app.test(.router) { client in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    // Publish and withdraw session 111 over and over, each a committed transaction.
                    for round in 0..<6 {
                        if round.isMultiple(of: 2) {
                            try LinkStage(database: database).decide(.accept, recording: String(unmatched), session: "iv21-111-vad-tar-vi-med-oss", by: "test")
                        } else {
                            try LinkStage(database: database).decide(.unlink, recording: String(unmatched), by: "test")
                        }
                    }
                }
                for _ in 0..<4 {
                    group.addTask {
                        for _ in 0..<15 {
                            let response = try await client.execute(uri: "/feed.json", method: .get)
                            #expect(response.status == .ok)
                            let page = try response.json()
                            let items = page["items"] as? [[String: Any]] ?? []
                            // One state per answer: the count and the items agree, and 111 is in
                            // both or in neither.
                            #expect((page["_efterhand"] as? [String: Any])?["total_items"] as? Int == items.count)
                            let ids = Set(items.compactMap { $0["id"] as? String })
                            #expect(ids.count == SampleIndex.published.count || ids.count == SampleIndex.published.count + 1)
                            #expect(ids.isSuperset(of: SampleIndex.published))
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
    }
}
