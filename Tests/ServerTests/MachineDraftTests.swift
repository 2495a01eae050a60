import Captions
import Foundation
import Hummingbird
import HummingbirdTesting
import IndexStore
@testable import Server
import Testing

/// A speech engine's draft, as the server shows it to the portal, players and viewers: marked
/// as machine-made and unchecked everywhere it appears, until a person checks it.
@Suite("Machine drafts")
struct MachineDraftTests {
    @Test("the feed, WebVTT, the JSON transcript, the watch page and /overview mark machine drafts; search lands on the cue's second")
    func marked() async throws {
        let sample = try SampleIndex()
        let database = try sample.database()
        // inspelning-01.mp4 holds talk 101 (Görel); the engine heard something at 5:00 of the file.
        let id = try recordingID("inspelning-01.mp4", in: database)
        let cue = DraftCue(Cue(start: 300, end: 304, text: "Snöröjning med drönare i Angered"), language: "sv",
                           confidence: CueConfidence(avgLogprob: -0.31, noSpeechProb: 0.02))
        try database.saveSpeechDraft(recordingID: id, key: "asr@test", signature: "s", spans: [120...2820], source: "asr:command:whisper-base", cues: [cue])
        #expect(try database.cues(recordingID: id).first { $0.isMachine }?.confidence == CueConfidence(avgLogprob: -0.31, noSpeechProb: 0.02))

        try await sample.test { client in
            let vtt = try await client.execute(uri: "/api/recordings/\(id)/transcript.vtt?language=sv", method: .get).text
            #expect(vtt.contains("NOTE machine-generated draft (asr:command:whisper-base), not checked by a person"), "\(vtt)")
            #expect(vtt.contains("Snöröjning med drönare i Angered"))
            let json = try await client.execute(uri: "/api/recordings/\(id)/transcript.json?language=sv", method: .get).json()
            let segments = try #require(json["segments"] as? [[String: Any]])
            let spoken = try #require(segments.first { $0["body"] as? String == "Snöröjning med drönare i Angered" })
            #expect(spoken["machineGenerated"] as? Bool == true)
            #expect(segments.filter { $0["machineGenerated"] != nil }.count == 1, "stubs and other text are not marked")

            let recording = try await client.execute(uri: "/api/recordings/\(id)", method: .get).json()
            let marked = (recording["segments"] as? [[String: Any]] ?? []).filter { ($0["machine_generated"] as? [String]) == ["sv"] }
            #expect(marked.count == 1, "\(recording["segments"] ?? "")")
            let feed = try await client.execute(uri: "/feed.json", method: .get).text
            #expect(feed.contains("\"machine_generated\":[\"sv\"]"))

            let watch = try await client.execute(uri: "/sessions/iv21-101-digitala-gorel", method: .get)
            let page = watch.text
            #expect(watch.status == .ok)
            #expect(page.contains("Automatiskt textad, ej granskad"), "the watch page says the text is a machine's unchecked draft")
            #expect(page.contains("label=\"Svenska (automatisk)\""))
            let other = try await client.execute(uri: "/sessions/iv21-105-oppna-data", method: .get).text
            #expect(!other.contains("Automatiskt textad"), "a sidecar's text is not called machine-made")

            let overview = try await client.execute(uri: "/overview", method: .get).text
            #expect(overview.contains("Utkast från taligenkänning"))

            let hits = try await client.execute(uri: "/api/search?q=drönare", method: .get).json()
            let first = try #require((hits["hits"] as? [[String: Any]])?.first, "\(hits)")
            let inPoint = try #require(try database.links()[id]?.first { $0.kind == .link }?.inSeconds)
            #expect(first["at_seconds"] as? Double == 300)
            #expect((first["watch_url"] as? String)?.hasSuffix("?t=\(Int(300 - inPoint))") == true, "\(first)")
        }
    }
}
