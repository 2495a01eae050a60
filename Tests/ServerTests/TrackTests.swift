import Captions
import Feed
import Foundation
import Hummingbird
import HummingbirdTesting
import IndexStore
import Testing

@Suite("Chapters and transcripts")
struct TrackTests {
    @Test("JSON chapters have the podcast-namespace shape, with segment thumbnails that load")
    func jsonChapters() async throws {
        let sample = try SampleIndex.shared.get()
        let database = try sample.database()
        let id = try recordingID("brg-eftermiddag.mkv", in: database)
        let segments = try database.segments(recordingID: id)
        try await sample.test { client in
            let response = try await client.execute(uri: "/api/recordings/\(id)/chapters.json", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json+chapters")
            let document = try response.json()
            #expect(document["version"] as? String == "1.2.0")
            let chapters = try #require(document["chapters"] as? [[String: Any]])
            #expect(chapters.count == segments.count)
            let starts = chapters.compactMap { $0["startTime"] as? Double }
            #expect(starts.count == chapters.count, "startTime is required and a number")
            #expect(starts == starts.sorted(), "ascending")
            #expect(starts == segments.map { millisecond($0.startSeconds) }, "times to the millisecond")
            #expect(chapters.compactMap { $0["title"] as? String } == segments.map(\.title))
            for chapter in chapters {
                #expect((chapter["endTime"] as? Double ?? 0) > (chapter["startTime"] as? Double ?? 0))
                let img = try #require(chapter["img"] as? String)
                let image = try await client.execute(uri: localPath(img), method: .get)
                #expect(image.status == .ok)
                #expect(image.headers[.contentType] == "image/jpeg")
                #expect(image.data.starts(with: [0xFF, 0xD8]), "a JPEG")
                #expect((chapter["url"] as? String)?.contains("/sessions/") == true)
            }
        }
    }

    @Test("the WebVTT chapter track parses back into the segments")
    func vttChapters() async throws {
        let sample = try SampleIndex.shared.get()
        let database = try sample.database()
        for name in ["brg-eftermiddag.mkv", "oppna-data.webm", "innovationsprogram-del2.mp4"] {
            let id = try recordingID(name, in: database)
            let segments = try database.segments(recordingID: id)
            let text = try await sample.test { client in
                let response = try await client.execute(uri: "/api/recordings/\(id)/chapters.vtt", method: .get)
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/vtt; charset=utf-8")
                return response.text
            }
            let parsed = try WebVTT.parse(text, file: "chapters.vtt").cues
            #expect(parsed.map(\.start) == segments.map { millisecond($0.startSeconds) }, "\(name)")
            #expect(parsed.map(\.end) == segments.map { millisecond($0.endSeconds) }, "\(name)")
            #expect(parsed.map(\.text) == segments.map(\.title), "\(name)")
        }
    }

    @Test("transcripts in WebVTT, SubRip and JSON parse back into the index's cues, with stubs for the rest")
    func transcriptsRoundTrip() async throws {
        let sample = try SampleIndex.shared.get()
        let database = try sample.database()
        let id = try recordingID("oppna-data.webm", in: database)
        let stored = try database.cues(recordingID: id).filter { $0.language == "sv" }.map(\.cue)
        #expect(!stored.isEmpty, "the sample's sidecar gives this recording draft cues")
        let transcripts = try database.transcripts(recordingID: id, defaultLanguage: "sv").filter { $0.language == "sv" }
        let stubs = transcripts.filter { $0.cues.isEmpty }.count
        #expect(stubs > 0)

        let (vtt, srt, json) = try await sample.test { client in
            let vtt = try await client.execute(uri: "/api/recordings/\(id)/transcript.vtt", method: .get)
            let srt = try await client.execute(uri: "/api/recordings/\(id)/transcript.srt?language=sv", method: .get)
            let json = try await client.execute(uri: "/api/recordings/\(id)/transcript.json", method: .get)
            #expect(vtt.headers[.contentType] == "text/vtt; charset=utf-8")
            #expect(srt.headers[.contentType] == "application/x-subrip; charset=utf-8")
            #expect(json.headers[.contentType] == "application/json; charset=utf-8")
            return (vtt.text, srt.text, json.data)
        }
        let fromVTT = try WebVTT.parse(vtt, file: "transcript.vtt").cues
        let fromSRT = try SRT.parse(srt, file: "transcript.srt").cues
        let fromJSON = try PodcastTranscript.cues(from: json, file: "transcript.json")
        for (format, cues) in [("vtt", fromVTT), ("srt", fromSRT), ("json", fromJSON)] {
            #expect(cues.filter { !$0.text.isEmpty }.map(\.text) == stored.map(\.text), "\(format)")
            #expect(cues.filter { !$0.text.isEmpty }.map(\.start) == stored.map(\.start), "\(format)")
            #expect(cues.filter { !$0.text.isEmpty }.map(\.end) == stored.map(\.end), "\(format)")
            #expect(cues.filter { $0.text.isEmpty }.count == stubs, "\(format): one stub per segment without text")
        }
        #expect(vtt.contains("NOTE segment"), "stubs say what they are")
    }

    @Test("transcripts in a language the recording lacks are 404, bad codes 400")
    func transcriptLanguages() async throws {
        let sample = try SampleIndex.shared.get()
        let id = try recordingID("oppna-data.webm", in: try sample.database())
        try await sample.test { client in
            let missing = try await client.execute(uri: "/api/recordings/\(id)/transcript.vtt?language=fi", method: .get)
            #expect(missing.status == .notFound)
            let bad = try await client.execute(uri: "/api/recordings/\(id)/transcript.vtt?language=%3Cscript%3E", method: .get)
            #expect(bad.status == .badRequest)
            #expect(bad.errorCode == "bad_parameter")
            let swedish = try await client.execute(uri: "/api/recordings/\(id)/transcript.json?language=swe", method: .get)
            #expect(swedish.status == .ok, "three-letter codes are normalised")
        }
    }

    @Test("recording and session documents name their parts, segments and tracks")
    func documents() async throws {
        let sample = try SampleIndex.shared.get()
        let id = try recordingID("brg-eftermiddag.mkv", in: try sample.database())
        try await sample.test { client in
            let recording = try await client.execute(uri: "/api/recordings/\(id)", method: .get).json()
            #expect(recording["id"] as? Int == Int(id))
            #expect(recording["mime_type"] as? String == "video/x-matroska")
            #expect(recording["media_url"] as? String == "https://play.example.org/media/\(id)")
            #expect((recording["sessions"] as? [[String: Any]])?.count == 3)
            #expect(recording["file_name"] as? String == "brg-eftermiddag.mkv")
            #expect(recording["path"] == nil, "no server path leaks")

            let bySlug = try await client.execute(uri: "/api/sessions/iv21-107-green-city-zone", method: .get).json()
            let byGuid = try await client.execute(uri: "/api/sessions/\(SampleIndex.guid(107))", method: .get).json()
            #expect(bySlug["guid"] as? String == SampleIndex.guid(107))
            #expect(byGuid["title"] as? String == bySlug["title"] as? String)
            let parts = try #require(bySlug["recordings"] as? [[String: Any]])
            #expect(parts.first?["in_seconds"] as? Double == 2130)
            #expect((bySlug["topics"] as? [[String: Any]])?.first?["feed_url"] is String)
        }
    }
}

/// Seconds to the millisecond, as WebVTT, SubRip and JSON chapters write them.
func millisecond(_ seconds: Double) -> Double {
    (seconds * 1000).rounded() / 1000
}
