import Foundation
import Testing
import TestSupport

/// Listening with the real engine (faster-whisper and Whisper base, as `make test` installs
/// them), end to end through the command line: a recording with no metadata whose speaker
/// says who she is and what the talk is, and a lunch announcement, in a week whose programme
/// is in Swedish and English.
@Suite("listening with the real engine", .serialized)
struct RealListenTests {
    /// The programme with one session's title and language made English.
    static func english(session id: Int, title: String, from source: URL, to target: URL) throws {
        var document = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: source)) as? [String: Any])
        var schedule = try #require(document["schedule"] as? [String: Any])
        var conference = try #require(schedule["conference"] as? [String: Any])
        var days = try #require(conference["days"] as? [[String: Any]])
        for d in days.indices {
            var rooms = try #require(days[d]["rooms"] as? [String: [[String: Any]]])
            for (room, events) in rooms {
                rooms[room] = events.map { event in
                    guard (event["id"] as? Int) == id || (event["id"] as? String) == "\(id)" else { return event }
                    var changed = event
                    changed["title"] = title
                    changed["language"] = "en"
                    return changed
                }
            }
            days[d]["rooms"] = rooms
        }
        conference["days"] = days
        schedule["conference"] = conference
        document["schedule"] = schedule
        try JSONSerialization.data(withJSONObject: document).write(to: target)
    }

    @Test("a speaker who names herself and her talk is linked to it with the reason; a lunch break is not linked")
    func speakingAndDecoy() throws {
        try RealEngine.requireInstalled()
        let week = try RealEngine.emptyWeek()
        defer { week.remove() }
        // Session 105 becomes an English talk, so that the week has two languages.
        let programme = week.folder.appendingPathComponent("schedule-en.json")
        try Self.english(session: 105, title: "Open data: what it is and what you can do with it", from: week.schedule, to: programme)
        let talk = try RealEngine.recording("export_final_v3", saying: "Good morning everyone. My name is Gunilla Gudmunds. Today I will talk about open data, what it is and what you can do with it.", voice: "en", at: 5, length: 600, in: week.folder)
        _ = try RealEngine.recording("export_final_v4", saying: "It is time for lunch. We will see you back here at one o'clock. Lunch is served in the restaurant on the second floor.", voice: "en", at: 5, length: 600, in: week.folder)
        let binary = try efterhandBinary
        let index = ["--index", week.index.path]
        #expect(try run(binary, ["ingest", "--media", week.media.path, "--schedule", programme.path, "--no-thumbnails"] + index).status == 0)
        let transcribe = try run(binary, ["transcribe", "--speech-command", RealEngine.command, "--model", RealEngine.model, "--json"] + index)
        #expect(transcribe.status == 0, "\(transcribe.output)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(transcribe.output.utf8)) as? [String: Any], "\(transcribe.output)")
        let listen = try #require(summary["listen"] as? [String: Any], "\(summary)")
        #expect(listen["listened"] as? Int == 2 && listen["linked"] as? Int == 1, "\(listen)")

        let links = try run(binary, ["links", "--json"] + index)
        let all = try #require(try JSONSerialization.jsonObject(with: Data(links.output.utf8)) as? [[String: Any]], "\(links.output)")
        let heard = try #require(all.first { ($0["path"] as? String)?.hasSuffix("export_final_v3.m4a") == true }, "\(links.output)")
        #expect(heard["status"] as? String == "linked", "\(heard)")
        let link = try #require((heard["links"] as? [[String: Any]])?.first, "\(heard)")
        #expect((link["guid"] as? String)?.hasSuffix("105") == true, "\(link)")
        let reasons = link["reasons"] as? [String] ?? []
        #expect(reasons.contains { $0.hasPrefix("the speaker says \"") && $0.hasSuffix("(speech-to-text draft)") }, "\(reasons)")
        let lunch = try #require(all.first { ($0["path"] as? String)?.hasSuffix("export_final_v4.m4a") == true }, "\(links.output)")
        #expect(lunch["status"] as? String != "linked", "\(lunch)")
        _ = talk
    }

    /// Whisper base hears espeak-ng's "Mitt namn är Gunilla Gudmunds" as "Mitt arm är grådiga
    /// grådmunds" (seen here), so the first hearing links nothing; heard again with the names
    /// and titles that sound most like it, the name and the title come back.
    @Test("a Swedish speaker whose name the engine mishears is heard again with the programme's names and titles, and linked")
    func heardAgain() throws {
        try RealEngine.requireInstalled()
        let week = try RealEngine.emptyWeek()
        defer { week.remove() }
        _ = try RealEngine.recording("export_final_v5", saying: "Tack för att ni kom. Mitt namn är Gunilla Gudmunds. I dag ska jag prata om sommarjobbare som löser hållbarhetsutmaningar.",
                                     voice: "sv", at: 5, length: 600, in: week.folder)
        let binary = try efterhandBinary
        let index = ["--index", week.index.path]
        #expect(try run(binary, ["ingest", "--media", week.media.path, "--schedule", week.schedule.path, "--no-thumbnails"] + index).status == 0)
        let transcribe = try run(binary, ["transcribe", "--speech-command", RealEngine.command, "--model", RealEngine.model, "--json"] + index)
        #expect(transcribe.status == 0, "\(transcribe.output)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(transcribe.output.utf8)) as? [String: Any], "\(transcribe.output)")
        let listen = try #require(summary["listen"] as? [String: Any], "\(summary)")
        #expect(listen["listened"] as? Int == 1 && listen["heard_again"] as? Int == 1 && listen["linked"] as? Int == 1, "\(listen)")

        let links = try run(binary, ["links", "--json"] + index)
        let all = try #require(try JSONSerialization.jsonObject(with: Data(links.output.utf8)) as? [[String: Any]], "\(links.output)")
        let heard = try #require(all.first, "\(links.output)")
        #expect(heard["status"] as? String == "linked", "\(heard)")
        let link = try #require((heard["links"] as? [[String: Any]])?.first, "\(heard)")
        #expect((link["guid"] as? String)?.hasSuffix("104") == true, "\(link)")
        let reasons = link["reasons"] as? [String] ?? []
        #expect(reasons.contains { $0.hasPrefix("the speaker says \"") && $0.contains("Gunilla Gudmunds") }, "\(reasons)")
    }
}
