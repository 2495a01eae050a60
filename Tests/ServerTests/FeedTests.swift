import Feed
import Foundation
import Hummingbird
import HummingbirdTesting
import IndexStore
import Pipeline
import Testing

@Suite("JSON Feed")
struct FeedTests {
    /// JSON Feed 1.1 rules for one page: required fields, string ids, RFC 3339 dates, absolute
    /// links, attachments with url and mime_type, next_url different from feed_url.
    static func checkPage(_ page: [String: Any], feedURL: String) throws -> [[String: Any]] {
        #expect(page["version"] as? String == "https://jsonfeed.org/version/1.1")
        #expect((page["title"] as? String)?.isEmpty == false)
        #expect(page["feed_url"] as? String == feedURL)
        #expect(page["home_page_url"] as? String == "https://play.example.org/")
        if let next = page["next_url"] { #expect(next as? String != feedURL) }
        let items = try #require(page["items"] as? [[String: Any]])
        for item in items {
            let id = try #require(item["id"] as? String, "id must be a string")
            #expect(!id.isEmpty)
            #expect(item["content_text"] is String || item["content_html"] is String, "item \(id) has no content")
            let published = try #require(item["date_published"] as? String)
            #expect(published.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})/) != nil, "not RFC 3339: \(published)")
            #expect((try? Date.ISO8601FormatStyle().parse(published)) != nil)
            #expect((item["url"] as? String)?.hasPrefix("https://play.example.org/sessions/") == true)
            if let image = item["image"] { #expect((image as? String)?.hasPrefix("https://play.example.org/thumbnails/") == true) }
            for author in item["authors"] as? [[String: Any]] ?? [] { #expect(author["name"] is String) }
            #expect(item["tags"] == nil || item["tags"] is [String])
            let attachments = try #require(item["attachments"] as? [[String: Any]])
            #expect(!attachments.isEmpty, "a published session has its recording")
            for attachment in attachments {
                #expect((attachment["url"] as? String)?.hasPrefix("https://play.example.org/media/") == true)
                #expect((attachment["mime_type"] as? String)?.contains("/") == true)
                #expect(attachment["size_in_bytes"] is Int)
                #expect((attachment["duration_in_seconds"] as? Int ?? 0) > 0)
            }
            #expect(item.keys.allSatisfy { !$0.hasPrefix("_") || ($0 == "_efterhand") }, "extensions start with _ and have no dot")
        }
        return items
    }

    @Test("the next_url chain ends and holds every published session once, newest first")
    func pageChain() async throws {
        let sample = try SampleIndex.shared.get()
        let (ids, dates, pages) = try await sample.test { client -> ([String], [Date], Int) in
            var ids: [String] = []
            var dates: [Date] = []
            var next: String? = "/feed.json?page_size=2"
            var pages = 0
            while let path = next, pages < 20 {
                let response = try await client.execute(uri: path, method: .get)
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/feed+json; charset=utf-8")
                let page = try response.json()
                let items = try Self.checkPage(page, feedURL: "https://play.example.org/feed.json")
                #expect(items.count <= 2)
                ids += items.compactMap { $0["id"] as? String }
                dates += try items.map { try Date.ISO8601FormatStyle().parse($0["date_published"] as? String ?? "") }
                next = (page["next_url"] as? String).map { localPath($0) }
                pages += 1
            }
            #expect(next == nil, "the chain must end")
            return (ids, dates, pages)
        }
        #expect(pages == 5)
        #expect(ids.count == Set(ids).count, "no session twice")
        #expect(Set(ids) == SampleIndex.published)
        #expect(dates == dates.sorted(by: >), "newest first")
    }

    @Test("items carry speakers, topics, the part's duration and the _efterhand extension")
    func itemFields() async throws {
        let sample = try SampleIndex.shared.get()
        let page = try jsonObject(await sample.test { client in try await client.execute(uri: "/feed.json", method: .get).data })
        let items = try #require(page["items"] as? [[String: Any]])
        let byID = Dictionary(uniqueKeysWithValues: items.map { ($0["id"] as? String ?? "", $0) })

        // 102 is recorded in two parts: 60–720 s of del1 and 0–1890 s of del2.
        let split = try #require(byID[SampleIndex.guid(102)])
        let attachments = try #require(split["attachments"] as? [[String: Any]])
        #expect(attachments.map { $0["duration_in_seconds"] as? Int } == [660, 1890])
        #expect(attachments.map { $0["title"] as? String } == ["Part 1 of 2", "Part 2 of 2"])
        #expect(attachments.first?["url"] as? String == "https://play.example.org/media/3#t=60,720")
        #expect(split["language"] as? String == "sv")
        #expect(split["authors"] as? [[String: String]] == [["name": "Julia Olander"]])

        let lagsport = try #require(byID[SampleIndex.guid(103)])
        #expect(lagsport["tags"] as? [String] == ["innovationskultur", "samverkan"])
        #expect(lagsport["date_published"] as? String == "2021-10-05T13:00:00+02:00")
        #expect((lagsport["summary"] as? String)?.hasPrefix("Forskningen visar") == true)
        #expect(lagsport["summary"] as? String == lagsport["content_text"] as? String)
        let ext = try #require(lagsport["_efterhand"] as? [String: Any])
        #expect(ext["room"] as? String == "Sal A")
        #expect(ext["start"] as? String == "2021-10-05T13:00:00+02:00")
        #expect(ext["end"] as? String == "2021-10-05T13:45:00+02:00")
        let recordings = try #require(ext["recordings"] as? [[String: Any]])
        #expect(recordings.count == 1)
        #expect(recordings[0]["in_seconds"] as? Double == 80)
        #expect(recordings[0]["out_seconds"] as? Double == 2780)
        #expect((recordings[0]["chapters"] as? [String: String])?["json"]?.hasSuffix("/chapters.json") == true)
        #expect((recordings[0]["transcripts"] as? [String: String])?["vtt"]?.hasSuffix("/transcript.vtt") == true)
        let segments = try #require(ext["segments"] as? [[String: Any]])
        #expect(!segments.isEmpty)
        for segment in segments {
            let start = try #require(segment["start_seconds"] as? Double)
            let end = try #require(segment["end_seconds"] as? Double)
            #expect(end > start)
            #expect((segment["url"] as? String)?.hasSuffix("#t=\(Links.seconds(start)),\(Links.seconds(end))") == true)
            #expect((segment["thumbnail"] as? String)?.hasSuffix(".jpg") == true)
            #expect((segment["transcript"] as? [String: String])?["sv"] != nil)
        }
    }

    @Test("opted-out and unrecorded sessions, and their files, are not published")
    func onlyPublished() async throws {
        let sample = try SampleIndex.shared.get()
        let database = try sample.database()
        let optedOut = try recordingID("2021-10-07 09-58-00.mp4", in: database)
        let unmatched = try recordingID("MVI_0042.MP4", in: database)
        try await sample.test { client in
            let feed = try await client.execute(uri: "/feed.json", method: .get).text
            #expect(!feed.contains(SampleIndex.guid(109)))
            #expect(!feed.contains("Yesbox"))
            for path in ["/api/sessions/\(SampleIndex.guid(109))", "/api/sessions/iv21-111-vad-tar-vi-med-oss", "/media/\(optedOut)",
                         "/api/recordings/\(optedOut)", "/api/recordings/\(optedOut)/chapters.json", "/media/\(unmatched)",
                         "/api/recordings/\(unmatched)/transcript.vtt"] {
                let response = try await client.execute(uri: path, method: .get)
                #expect(response.status == .notFound, "\(path)")
                #expect(response.errorCode == "not_found", "\(path)")
            }
            let search = try await client.execute(uri: "/api/search?q=Yesbox", method: .get).json()
            #expect((search["hits"] as? [Any])?.isEmpty == true)
        }
        // Nor the opted-out recording's thumbnails, which ingest did name: not served, and not made either.
        let fingerprint = try #require(try database.recording(idOrPath: String(optedOut))?.fingerprint)
        let file = try #require(try database.thumbnail(key: ThumbnailKey.session(fingerprint: fingerprint, guid: SampleIndex.guid(109)))?.file)
        try await sample.test { client in
            let response = try await client.execute(uri: "/" + file, method: .get)
            #expect(response.status == .notFound)
        }
    }

    @Test("topic, room and day feeds hold their sessions; unknown names are 404, bad days 400")
    func filteredFeeds() async throws {
        let sample = try SampleIndex.shared.get()
        try await sample.test { client in
            let topic = try await client.execute(uri: "/feeds/topics/samverkan.json", method: .get).json()
            let topicItems = try Self.checkPage(topic, feedURL: "https://play.example.org/feeds/topics/samverkan.json")
            #expect(Set(topicItems.compactMap { $0["id"] as? String }) == [SampleIndex.guid(103), SampleIndex.guid(110)])
            #expect(topicItems.allSatisfy { ($0["tags"] as? [String])?.contains("samverkan") == true })

            // A topic by its name works as well as by its slug.
            let named = try await client.execute(uri: "/feeds/topics/G%C3%B6teborg%20%E2%80%93%20Sveriges%20innovationsmotor.json", method: .get)
            #expect(named.status == .ok)
            let slugged = try await client.execute(uri: "/feeds/topics/goteborg-sveriges-innovationsmotor.json", method: .get).json()
            #expect((slugged["items"] as? [Any])?.count == 3)

            let room = try await client.execute(uri: "/feeds/rooms/sal-a.json", method: .get).json()
            let roomItems = try Self.checkPage(room, feedURL: "https://play.example.org/feeds/rooms/sal-a.json")
            #expect(roomItems.allSatisfy { (($0["_efterhand"] as? [String: Any])?["room"] as? String) == "Sal A" })
            #expect(Set(roomItems.compactMap { $0["id"] as? String }) == Set([101, 102, 103].map(SampleIndex.guid)))

            let day = try await client.execute(uri: "/feeds/days/2021-10-05.json", method: .get).json()
            let dayItems = try Self.checkPage(day, feedURL: "https://play.example.org/feeds/days/2021-10-05.json")
            #expect(Set(dayItems.compactMap { $0["id"] as? String }) == [SampleIndex.guid(102), SampleIndex.guid(103)])
            let empty = try await client.execute(uri: "/feeds/days/2030-01-01.json", method: .get).json()
            #expect((empty["items"] as? [Any])?.isEmpty == true)

            #expect(try await client.execute(uri: "/feeds/topics/no-such-topic.json", method: .get).status == .notFound)
            #expect(try await client.execute(uri: "/feeds/rooms/nowhere.json", method: .get).status == .notFound)
            for bad in ["2021-13-01", "2021-02-30", "yesterday", "2021-1-5"] {
                let response = try await client.execute(uri: "/feeds/days/\(bad).json", method: .get)
                #expect(response.status == .badRequest, "\(bad)")
                #expect(response.errorCode == "bad_parameter")
            }
        }
    }

    @Test("/api/topics lists topics, rooms and days with counts and feed links")
    func topics() async throws {
        let sample = try SampleIndex.shared.get()
        let document = try jsonObject(await sample.test { client in try await client.execute(uri: "/api/topics", method: .get).data })
        let topics = try #require(document["topics"] as? [[String: Any]])
        let samverkan = try #require(topics.first { $0["slug"] as? String == "samverkan" })
        #expect(samverkan["count"] as? Int == 2)
        #expect(samverkan["feed_url"] as? String == "https://play.example.org/feeds/topics/samverkan.json")
        let days = try #require(document["days"] as? [[String: Any]])
        #expect(days.compactMap { $0["count"] as? Int }.reduce(0, +) == SampleIndex.published.count)
        let rooms = try #require(document["rooms"] as? [[String: Any]])
        #expect(rooms.contains { $0["name"] as? String == "Sal A" && $0["slug"] as? String == "sal-a" })
    }

    @Test("bad paging parameters are 400 with a JSON error")
    func badPaging() async throws {
        let sample = try SampleIndex.shared.get()
        try await sample.test { client in
            for query in ["page_size=0", "page_size=501", "page_size=ten", "after=nonsense", "after=~x", "after=12~"] {
                let response = try await client.execute(uri: "/feed.json?\(query)", method: .get)
                #expect(response.status == .badRequest, "\(query)")
                let error = try #require(try response.json()["error"] as? [String: Any])
                #expect(error["code"] as? String == "bad_parameter")
                #expect((error["message"] as? String)?.isEmpty == false)
            }
        }
    }

    @Test("a reader walking the pages sees no item twice and none skipped while a session is published meanwhile")
    func pagesAreStableUnderChange() async throws {
        let sample = try SampleIndex()
        let database = try sample.database()
        let unmatched = try recordingID("MVI_0042.MP4", in: database)
        try await sample.test { client in
            let first = try await client.execute(uri: "/feed.json?page_size=3", method: .get).json()
            var seen = (first["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            var next = (first["next_url"] as? String).map { localPath($0) }
            #expect(next?.contains("page_size=3") == true)

            // Another process publishes a session (111, the second newest) between two pages.
            try LinkStage(database: database).decide(.accept, recording: String(unmatched), session: "iv21-111-vad-tar-vi-med-oss", by: "test")

            while let path = next {
                let page = try await client.execute(uri: path, method: .get).json()
                seen += (page["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                next = (page["next_url"] as? String).map { localPath($0) }
            }
            #expect(seen.count == Set(seen).count)
            #expect(Set(seen) == SampleIndex.published, "the walk holds the items that were there when it started")
            let now = try await client.execute(uri: "/feed.json", method: .get).json()
            #expect((now["items"] as? [[String: Any]])?.contains { $0["id"] as? String == SampleIndex.guid(111) } == true,
                    "the new session is in the feed at once, without a restart")
        }
    }
}
