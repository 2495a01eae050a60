import Feed
import Foundation
import IndexStore
import Schedule
import Testing

@Suite("JSON-LD of a watch page")
struct VideoObjectTests {
    /// One session on recording 1, from 60 s to 2760 s, in three segments; its title tries to
    /// close the script block that holds the JSON-LD.
    static func sample() throws -> (Catalogue, Catalogue.Entry) {
        let f = CatalogueFixture.self
        let talk = f.session("talk", title: "Robots </script><script>alert(1)</script> & <!-- more", at: f.monday)
        let snapshot = f.snapshot(
            sessions: [talk], recordings: [f.recording(1, "day1/sal-a.mp4")], links: [1: [f.link("talk", from: 60, to: 2760)]],
            segments: [1: [f.segment("talk", recording: 1, position: 0, from: 60, to: 180.5, title: "Intro"),
                           f.segment("talk", recording: 1, position: 1, from: 180.5, to: 1200, title: "Görel </script>"),
                           f.segment("talk", recording: 1, position: 2, from: 1200, to: 2760, title: "Questions")]])
        let catalogue = f.catalogue(snapshot)
        let entry = try #require(catalogue.entry(guidOrSlug: "talk"))
        return (catalogue, entry)
    }

    @Test("parses as JSON: a VideoObject whose parts are Clips, each at its own ?t= link from the session's start")
    func clips() throws {
        let (catalogue, entry) = try Self.sample()
        let text = ScriptJSON.text(VideoObject(entry: entry, catalogue: catalogue, origin: "http://example.org"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["@context"] as? String == "https://schema.org")
        #expect(object["@type"] as? String == "VideoObject")
        #expect(object["url"] as? String == "http://example.org/sessions/talk")
        #expect(object["duration"] as? String == "PT45M0S")
        #expect(object["uploadDate"] as? String == "2021-10-04T13:00:00+02:00")
        #expect(object["contentUrl"] as? String == "http://example.org/media/1")
        #expect(object["thumbnailUrl"] == nil, "no thumbnail, no key")
        let parts = try #require(object["hasPart"] as? [[String: Any]])
        #expect(parts.map { $0["@type"] as? String } == ["Clip", "Clip", "Clip"])
        #expect(parts.map { $0["name"] as? String } == ["Intro", "Görel </script>", "Questions"])
        #expect(parts.map { $0["startOffset"] as? Int } == [0, 120, 1140])
        #expect(parts.map { $0["endOffset"] as? Int } == [121, 1140, 2700])
        #expect(parts.map { $0["url"] as? String } == ["http://example.org/sessions/talk?t=0", "http://example.org/sessions/talk?t=120",
                                                      "http://example.org/sessions/talk?t=1140"])
    }

    @Test("a title cannot close the script block: no <, > or & in the text, and the title decodes as it was")
    func scriptSafe() throws {
        let (catalogue, entry) = try Self.sample()
        let text = ScriptJSON.text(VideoObject(entry: entry, catalogue: catalogue, origin: ""))
        #expect(!text.contains("<") && !text.contains(">") && !text.contains("&"))
        #expect(text.contains("\\u003c\\/script\\u003e"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["name"] as? String == entry.session.title)
        // No summary: schema.org's description falls back on the title.
        #expect(object["description"] as? String == entry.session.title)
    }

    @Test("keys come in the order the pages have always had: sorted as JSONSerialization sorts them")
    func keyOrder() throws {
        let (catalogue, entry) = try Self.sample()
        let text = ScriptJSON.text(VideoObject(entry: entry, catalogue: catalogue, origin: ""))
        #expect(text.hasPrefix(#"{"@context":"https:\/\/schema.org","@type":"VideoObject","contentUrl":"\/media\/1","description":"#))
        // Session guids as keys: numeric, case-insensitive order (7f… before 10…), not code points.
        let map = ScriptJSON.text(["7f3c": 1, "10ab": 2, "B": 3, "a": 4])
        #expect(map == #"{"7f3c":1,"10ab":2,"a":4,"B":3}"#)
    }

    @Test("an ISO 8601 duration for schema.org", arguments: [(3723.0, "PT1H2M3S"), (42, "PT42S"), (60, "PT1M0S"), (.nan, "PT0S"), (-5, "PT0S")])
    func isoDuration(seconds: Double, text: String) {
        #expect(VideoObject.isoDuration(seconds) == text)
    }
}
