import Feed
import Foundation
import IndexStore
import Schedule
@testable import Server
import Testing

@Suite("Parsing and encoding")
struct UnitTests {
    @Test("Range headers resolve against the size", arguments: [
        ("bytes=0-9", Int64(100), ByteRangeRequest.partial(0...9)),
        ("bytes=90-", 100, .partial(90...99)),
        ("bytes=-10", 100, .partial(90...99)),
        ("bytes=-1000", 100, .partial(0...99)),
        ("bytes=50-5000", 100, .partial(50...99)),
        ("BYTES = 1-2", 100, .whole),
        ("bytes= 1-2", 100, .partial(1...2)),
        ("bytes=100-", 100, .unsatisfiable),
        ("bytes=-0", 100, .unsatisfiable),
        ("bytes=0-", 0, .unsatisfiable),
        ("bytes=5-1", 100, .whole),
        ("bytes=1-2,4-5", 100, .whole),
        ("bytes=-", 100, .whole),
        ("bytes=x-1", 100, .whole),
        ("bytes=+1-2", 100, .whole),
        ("bytes=99999999999999999999-", 100, .unsatisfiable),
        ("pages=1-2", 100, .whole),
    ])
    func byteRanges(_ header: String, _ size: Int64, _ expected: ByteRangeRequest) {
        #expect(ByteRangeRequest(header: header, size: size) == expected)
    }

    @Test("gzip round-trips")
    func gzip() throws {
        let text = Data(String(repeating: "{\"title\": \"Öppna data\"}, ", count: 500).utf8)
        let compressed = try Gzip.compress(text)
        #expect(compressed.starts(with: [0x1f, 0x8b]), "a gzip header")
        #expect(compressed.count < text.count / 10)
        #expect(try Gzip.decompress(compressed) == text)
        #expect(try Gzip.decompress(try Gzip.compress(Data())) == Data())
        #expect(throws: Gzip.Failure.self) { try Gzip.decompress(Data("not gzip".utf8)) }
    }

    @Test("cursors round-trip and garbage is no cursor")
    func cursors() {
        let cursor = JSONFeed.Cursor(start: Date(timeIntervalSince1970: 1633431600), guid: "7f3c2a10-0000-4000-8000-000000000103")
        #expect(JSONFeed.Cursor(text: cursor.text) == cursor)
        for garbage in ["", "~", "abc~x", "12", "12~", "inf~x", "nan~x"] {
            #expect(JSONFeed.Cursor(text: garbage) == nil, "\(garbage)")
        }
    }

    @Test("slugs fold names for URLs", arguments: [
        ("Göteborg – Sveriges innovationsmotor", "goteborg-sveriges-innovationsmotor"), ("Sal A", "sal-a"), ("öppna data", "oppna-data"),
        ("samverkan", "samverkan"), ("  BRG-studion ", "brg-studion"), ("Johanneberg Science Park", "johanneberg-science-park"),
    ])
    func slugs(_ name: String, _ slug: String) {
        #expect(Slug.make(name) == slug)
    }

    @Test("links are relative without a public URL and absolute with one; --media-url templates")
    func links() {
        #expect(Links().feed == "/feed.json")
        #expect(Links(publicURL: "https://play.example.org/").feed == "https://play.example.org/feed.json")
        #expect(Links.seconds(310) == "310")
        #expect(Links.seconds(12.5) == "12.5")
        #expect(Links.seconds(2700.008) == "2700.008")
        let recording = StoredRecording(id: 3, path: "Media/sal a/talk.mp4", absolutePath: "/srv/Media/sal a/talk.mp4", fingerprint: nil,
                                        size: nil, mtime: nil, state: .ok, probe: nil)
        #expect(Links().media(recording) == "/media/3")
        #expect(Links(publicURL: "https://play.example.org").media(recording, from: 60, to: 720) == "https://play.example.org/media/3#t=60,720")
        #expect(Links(mediaURL: "https://cdn.example.org/week/").media(recording) == "https://cdn.example.org/week/Media/sal%20a/talk.mp4")
        #expect(Links(mediaURL: "https://cdn.example.org/v/{id}/{name}").media(recording) == "https://cdn.example.org/v/3/talk.mp4")
    }

    @Test("HTTP dates format and parse as IMF-fixdate")
    func httpDates() {
        #expect(HTTPDate.format(784111777) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDate.parse("Sun, 06 Nov 1994 08:49:37 GMT") == 784111777)
        #expect(HTTPDate.parse("yesterday") == nil)
    }

    /// Dates a stranger may send in `If-Modified-Since` or `If-Range`; each once trapped the
    /// process (`Int32(year - 1900)`) or names no real moment. All are ignored.
    static let hostileDates = [
        "Sun, 06 Nov 99999999999 08:49:37 GMT", "Sun, 99999999999 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 99999999999:49:37 GMT",
        "Sun, 06 Nov 1994 08:99999999999:37 GMT", "Sun, 06 Nov 1994 08:49:99999999999 GMT", "Sun, 06 Nov -99999999999 08:49:37 GMT",
        "Sun, 06 Nov 9223372036854775807 08:49:37 GMT", "Sun, 06 Nov 1994 -1:49:37 GMT", "Sun, 00 Nov 1994 08:49:37 GMT",
        "Sun, 32 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 24:00:00 GMT", "Sun, 06 Nov 0001 08:49:37 GMT", "Sun, 06 Nov 10000 08:49:37 GMT",
        "Sun, 06 Nov 1994 08:49 GMT", "Sun, 06 Nov 1994 08::37 GMT", "Sun, 06 Nov 1994 +8:49:37 GMT",
        // Found by the http-headers fuzz target: a leap second into year 10000; and days that do not exist.
        "Fri, 31 Dec 9999 23:59:60 GMT", "Wed, 31 Feb 2021 10:00:00 GMT", "Sat, 31 Nov 2021 10:00:00 GMT",
    ]

    @Test("an HTTP date out of range is no date, and never traps", arguments: hostileDates)
    func hostileHTTPDates(_ text: String) {
        #expect(HTTPDate.parse(text) == nil)
    }

    @Test("feed dates are RFC 3339 whatever year or zone offset a session has", arguments: [
        -62_135_769_600.0,  // 0001-01-01T00:00:00Z: Stockholm's local mean time then is +00:53:28
        253_402_300_799.0,  // 9999-12-31T23:59:59Z: +01:00 would make it year 10000
        1e15, -1e15, 0, 1_633_352_400,
    ])
    func rfc3339Dates(_ seconds: Double) throws {
        let database = try IndexDatabase()
        try database.saveProgramme(Programme(conference: Conference(timeZone: "Europe/Stockholm"), sessions: []))
        let catalogue = Catalogue(snapshot: try database.snapshot(), links: Links(), generation: 1)
        let text = catalogue.timestamp(Date(timeIntervalSince1970: seconds))
        #expect(text.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})/) != nil, "\(text)")
    }

    @Test("whole seconds of any time, and only web addresses out")
    func boundedOutput() {
        #expect(WholeSeconds.down(.nan) == 0 && WholeSeconds.nearest(.infinity) == Int(WholeSeconds.limit) && WholeSeconds.up(-1e300) == -Int(WholeSeconds.limit))
        #expect(WholeSeconds.down(90.9) == 90 && WholeSeconds.up(90.1) == 91 && WholeSeconds.nearest(90.5) == 91)
        #expect(Links().watch(Session(guid: "g", slug: "s", title: "t", start: Date(), end: Date()), at: 1e300) == "/sessions/s?t=\(Int(WholeSeconds.limit))")
        #expect(HTML.timecode(.infinity) == HTML.timecode(WholeSeconds.limit) && VideoObject.isoDuration(.nan) == "PT0S")
        for bad in ["javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,x", "ftp://x.org/", "//x.org/", "http://", "vbscript:x", " https://x.org"] {
            #expect(WebAddress.checked(bad) == nil, "\(bad)")
        }
        #expect(WebAddress.checked("https://www.innovationsveckan.nu/program/123") == "https://www.innovationsveckan.nu/program/123")
        #expect(WebAddress.checked("HTTP://x.org/a") == "HTTP://x.org/a")
    }

    @Test("the search gate runs a few at once, lines up a few more, and refuses the rest at once")
    func searchGate() async throws {
        let gate = SearchGate(running: 1, waiting: 1, timeLimit: .seconds(1))
        let release = DispatchSemaphore(value: 0)
        let started = DispatchSemaphore(value: 0)
        let first = Task { try await gate.run { started.signal(); release.wait(); return 1 } }
        await withCheckedContinuation { continuation in DispatchQueue.global().async { started.wait(); continuation.resume() } }
        let second = Task { try await gate.run { 2 } }
        for _ in 0..<1000 where gate.lineLength == 0 { try await Task.sleep(for: .milliseconds(2)) }
        #expect(gate.lineLength == 1)
        // One runs, one waits: the third is refused at once.
        #expect(try await gate.run { 3 } == nil, "a third search was not refused while one ran and one waited")
        release.signal()
        #expect(try await first.value == 1)
        #expect(try await second.value == 2)
        #expect(try await gate.run { 4 } == 4)
        // On the gate's own threads, not Swift's cooperative pool.
        let thread = try await gate.run { Thread.current.name ?? "" }
        #expect(thread?.hasPrefix("TP-") == true, "\(thread ?? "refused")")
    }

    @Test("queries decode + and escapes")
    func queries() {
        let query = QueryParameters("q=%C3%B6ppna+data&limit=5&q=second&empty=&flag")
        #expect(query["q"] == "öppna data")
        #expect(query.text("empty") == nil)
        #expect(query["flag"] == "")
        #expect(throws: APIError.self) { try query.integer("q", in: 1...10) }
    }

    @Test("If-None-Match and Accept-Encoding are read as RFC 9110 says")
    func conditions() {
        #expect(HeaderValues.matches("W/\"a\", \"b\"", etags: ["\"a\""]))
        #expect(HeaderValues.matches("*", etags: ["\"x\""]))
        #expect(!HeaderValues.matches("\"c\"", etags: ["\"a\""]))
        #expect(HeaderValues.acceptsGzip("deflate, gzip;q=0.5"))
        #expect(!HeaderValues.acceptsGzip("gzip;q=0"))
        #expect(!HeaderValues.acceptsGzip("identity"))
        #expect(!HeaderValues.acceptsGzip(nil))
    }

    @Test("bearer tokens compare whole")
    func tokens() {
        #expect(HeaderValues.sameToken("abc", "abc"))
        #expect(!HeaderValues.sameToken("abc", "abd"))
        #expect(!HeaderValues.sameToken("ab", "abc"))
        #expect(!HeaderValues.sameToken("", "abc"))
    }

    @Test("X-Forwarded-For names the client only when a trusted proxy sent it, and only by what that proxy added")
    func forwardedClient() {
        let proxy = ["10.0.0.5"]
        #expect(HeaderValues.client(peer: "192.0.2.7", forwardedFor: ["203.0.113.9"], trusted: proxy) == "192.0.2.7", "an untrusted peer says nothing")
        #expect(HeaderValues.client(peer: "10.0.0.5", forwardedFor: ["203.0.113.9"], trusted: proxy) == "203.0.113.9")
        // A client's own made-up entries come first; the proxy appends what it saw.
        #expect(HeaderValues.client(peer: "10.0.0.5", forwardedFor: ["1.2.3.4, 203.0.113.9"], trusted: proxy) == "203.0.113.9")
        #expect(HeaderValues.client(peer: "10.0.0.5", forwardedFor: ["1.2.3.4", "203.0.113.9, 10.0.0.5"], trusted: proxy) == "203.0.113.9",
                "several headers, and a chain of trusted proxies")
        #expect(HeaderValues.client(peer: "10.0.0.5", forwardedFor: [], trusted: proxy) == "10.0.0.5")
        #expect(HeaderValues.client(peer: "10.0.0.5", forwardedFor: [" , "], trusted: proxy) == "10.0.0.5")
    }
}
