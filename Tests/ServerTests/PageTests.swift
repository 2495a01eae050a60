import Feed
import Foundation
import Hummingbird
import HummingbirdTesting
import IndexStore
@testable import Server
import Testing

@Suite("Web pages")
struct PageTests {
    @Test("text is HTML-escaped, JSON in <script> cannot close it, time codes are h:mm:ss")
    func escaping() throws {
        #expect(HTML.escape("<b a=\"1\">Tom & 'Jerry'</b>") == "&lt;b a=&quot;1&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/b&gt;")
        let json = ScriptJSON.text(["name": "</script><script>alert(1)</script> & <!--"])
        #expect(!json.contains("<") && !json.contains(">") && !json.contains("&"))
        let decoded = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: String]
        #expect(decoded?["name"] == "</script><script>alert(1)</script> & <!--")
        #expect(HTML.timecode(3723.9) == "1:02:03")
        #expect(HTML.timecode(59) == "0:00:59")
        #expect(VideoObject.isoDuration(3723) == "PT1H2M3S")
        #expect(VideoObject.isoDuration(42) == "PT42S")
    }

    @Test("every route decodes its path parameter by one rule: a percent-encoded slug finds its page and its API document")
    func percentEncodedSlug() async throws {
        let sample = try SampleIndex.shared.get()
        try await sample.test { client in
            // `%6F` is `o`: the slug iv21-105-oppna-data as a client that escapes every letter may send it.
            for uri in ["/sessions/iv21-105-%6Fppna-data", "/api/sessions/iv21-105-%6Fppna-data"] {
                let response = try await client.execute(uri: uri, method: .get)
                #expect(response.status == .ok, "\(uri)")
            }
        }
    }

    @Test("pages carry a Content-Security-Policy, nosniff and a Referrer-Policy")
    func securityHeaders() async throws {
        let sample = try SampleIndex.shared.get()
        try await sample.test { client in
            for uri in ["/", "/sessions/iv21-105-oppna-data", "/overview", "/sessions/no-such-talk"] {
                let response = try await client.execute(uri: uri, method: .get)
                #expect(response.headers[.init("Content-Security-Policy")!]?.contains("script-src 'self'") == true, "\(uri)")
                #expect(response.headers[.init("X-Content-Type-Options")!] == "nosniff", "\(uri)")
                #expect(response.headers[.init("Referrer-Policy")!] != nil, "\(uri)")
            }
        }
    }

    @Test("the templates load from the bundle, and what a reader types comes back escaped, not as markup")
    func templatesEscape() async throws {
        try PageTemplates.requireLoaded()
        let sample = try SampleIndex.shared.get()
        try await sample.test { client in
            // q="><script>alert(1)</script>&topic='x'
            let uri = "/?q=%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E&topic=%27x%27"
            let html = String(buffer: try await client.execute(uri: uri, method: .get).body)
            #expect(html.contains("value=\"&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;\""))
            #expect(html.contains("<input type=\"hidden\" name=\"topic\" value=\"&#39;x&#39;\">"))
            #expect(!html.contains("<script>alert(1)"))
        }
    }

    @Test("Swedish unless Accept-Language prefers English")
    func language() {
        #expect(PageLanguage.preferred(nil) == .sv)
        #expect(PageLanguage.preferred("en-GB,en;q=0.9") == .en)
        #expect(PageLanguage.preferred("sv-SE,en;q=0.8") == .sv)
        #expect(PageLanguage.preferred("de,en;q=0.5,sv;q=0.4") == .en)
        #expect(PageLanguage.preferred("en;q=0.2,sv;q=0.9") == .sv)
        #expect(PageLanguage.preferred("fr") == .sv)
        #expect(PageLanguage.preferred("en;q=0") == .sv)
    }

    @Test("/ is an HTML page with labelled controls and topic chips, in the browser's language")
    func home() async throws {
        let sample = try SampleIndex.shared.get()
        try await sample.test { client in
            let sv = try await client.execute(uri: "/", method: .get)
            #expect(sv.status == .ok)
            #expect(sv.headers[.contentType] == "text/html; charset=utf-8")
            let html = String(buffer: sv.body)
            #expect(html.contains("<html lang=\"sv\">"))
            for id in ["q", "day", "room", "language"] {
                #expect(html.contains("<label for=\"\(id)\">"), "label for \(id)")
            }
            #expect(html.contains("class=\"chip\" href=\"/?topic="))
            // The assets by names that carry a hash of their bytes.
            #expect(html.contains(/<script src="\/assets\/app\.[0-9a-f]{16}\.js" defer><\/script>/))
            #expect(html.contains(/<link rel="stylesheet" href="\/assets\/site\.[0-9a-f]{16}\.css">/))
            // Nothing fetched from elsewhere: every script, image, media and stylesheet address is
            // this server's (relative, or under the public URL).
            let fetched = html.matches(of: /(?:src|<link[^>]*href)="([^"]*)"/).map { String($0.output.1) }
            #expect(!fetched.isEmpty)
            for address in fetched {
                #expect(address.hasPrefix("/") && !address.hasPrefix("//") || address.hasPrefix("https://play.example.org/"), "fetched from \(address)")
            }
            let en = try await client.execute(uri: "/", method: .get, headers: [.acceptLanguage: "en-US,en;q=0.9"])
            #expect(String(buffer: en.body).contains("<html lang=\"en\">"))
            #expect(en.headers[.vary]?.contains("Accept-Language") == true)
            let topic = try await client.execute(uri: "/?topic=samverkan", method: .get)
            #expect(String(buffer: topic.body).contains("aria-current=\"true\""))
        }
    }

    @Test("the stylesheet and script are served with their types and caching")
    func assets() async throws {
        let sample = try SampleIndex.shared.get()
        try await sample.test { client in
            let css = try await client.execute(uri: "/assets/site.css", method: .get)
            #expect(css.status == .ok && css.headers[.contentType] == "text/css; charset=utf-8")
            #expect(css.headers[.cacheControl]?.contains("max-age") == true && css.headers[.eTag] != nil)
            let js = try await client.execute(uri: "/assets/app.js", method: .get)
            #expect(js.headers[.contentType] == "text/javascript; charset=utf-8")
            let missing = try await client.execute(uri: "/assets/nope.js", method: .get)
            #expect(missing.status == .notFound)
            // The hashed name the pages link to: the same bytes, kept a year.
            let page = String(buffer: try await client.execute(uri: "/", method: .get).body)
            let hashed = try #require(page.firstMatch(of: /\/assets\/site\.[0-9a-f]{16}\.css/)).output
            let forever = try await client.execute(uri: String(hashed), method: .get)
            #expect(forever.status == .ok && forever.body == css.body)
            #expect(forever.headers[.cacheControl] == "public, max-age=31536000, immutable")
        }
    }

    @Test("a watch page: video from ?t=, tracks, Open Graph, feed link and JSON-LD with a Clip per segment")
    func watchPage() async throws {
        let sample = try SampleIndex.shared.get()
        let services = try ServerServices(configuration: sample.configuration())
        let entry = try #require(try await services.catalogue().entry(guidOrSlug: "iv21-105-oppna-data"))
        try await sample.test { client in
            let response = try await client.execute(uri: "/sessions/iv21-105-oppna-data?t=30", method: .get)
            #expect(response.status == .ok)
            let html = String(buffer: response.body)
            #expect(html.contains("data-start=\"30\""))
            #expect(html.contains("<track kind=\"chapters\""))
            #expect(html.contains("<track kind=\"captions\""), "the sample's öppna data has a Swedish transcript")
            #expect(html.contains("<meta property=\"og:title\" content=\"\(HTML.escape(entry.session.title))\">"))
            #expect(html.contains("<link rel=\"alternate\" type=\"application/feed+json\""))
            let start = try #require(html.range(of: "<script type=\"application/ld+json\">"))
            let end = try #require(html.range(of: "</script>", range: start.upperBound..<html.endIndex))
            let ld = try #require(try JSONSerialization.jsonObject(with: Data(html[start.upperBound..<end.lowerBound].utf8)) as? [String: Any])
            #expect(ld["@type"] as? String == "VideoObject")
            #expect(ld["name"] as? String == entry.session.title)
            for key in ["description", "thumbnailUrl", "uploadDate", "duration", "contentUrl"] {
                #expect(ld[key] != nil, "JSON-LD \(key)")
            }
            let clips = try #require(ld["hasPart"] as? [[String: Any]])
            #expect(clips.count == entry.segments.count && !clips.isEmpty)
            #expect(clips.map { $0["name"] as? String } == entry.segments.map(\.segment.title))
            for clip in clips {
                #expect(clip["@type"] as? String == "Clip")
                #expect((clip["url"] as? String)?.hasPrefix("https://play.example.org/sessions/iv21-105-oppna-data?t=") == true)
            }
            let missing = try await client.execute(uri: "/sessions/no-such-session", method: .get)
            #expect(missing.status == .notFound)
            #expect(missing.headers[.contentType] == "text/html; charset=utf-8")
        }
    }

    @Test("/overview shows states and counts; opted-out titles and candidates only with the admin token")
    func overview() async throws {
        let sample = try SampleIndex.shared.get()
        let optedOut = try #require(try sample.database().snapshot().sessions.first { $0.guid == SampleIndex.guid(109) })
        try await sample.test(sample.configuration(adminToken: "secret")) { client in
            let page = String(buffer: try await client.execute(uri: "/overview", method: .get).body)
            #expect(page.contains("<table class=\"grid\">"))
            #expect(page.contains("Publicerad</span>: <strong>\(SampleIndex.published.count)</strong>"))
            #expect(!page.contains(HTML.escape(optedOut.title)), "an opted-out title is hidden without the token")
            #expect(!page.contains("<details>"))
            let wrong = String(buffer: try await client.execute(uri: "/overview", method: .get, headers: [.authorization: "Bearer nope"]).body)
            #expect(!wrong.contains(HTML.escape(optedOut.title)))
            let staff = try await client.execute(uri: "/overview", method: .get, headers: [.authorization: "Bearer secret"])
            #expect(String(buffer: staff.body).contains(HTML.escape(optedOut.title)))
            #expect(staff.headers[.cacheControl] == "private, no-store")
        }
    }

    @Test("the pages stay out of the API description")
    func notInOpenAPI() {
        #expect(!Operation.all.contains { ["/", "/overview"].contains($0.path) || $0.path.hasPrefix("/sessions/") })
    }
}
