import Foundation
import Hummingbird
import HummingbirdTesting
import IndexStore
import Server
import Testing

/// The staff area (issue 21): sign-in, sessions, form tokens, and the review queue's decisions.
@Suite("staff pages")
struct StaffTests {
    static let token = "anna-token-0123456789"

    func configuration(_ sample: SampleIndex, publicURL: String? = "https://play.example.org") -> ServerConfiguration {
        var configuration = sample.configuration(publicURL: publicURL)
        configuration.staffTokens = [StaffToken(name: "anna", token: Self.token)]
        return configuration
    }

    static func form(_ fields: [(String, String)]) -> ByteBuffer {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        return ByteBuffer(string: fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&"))
    }

    static let formType: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

    /// A form post's headers with `cookie` (and `origin`) too.
    static func formHeaders(cookie: String? = nil, origin: String? = nil) -> HTTPFields {
        var headers = formType
        if let cookie { headers[.cookie] = cookie }
        if let origin { headers[.origin] = origin }
        return headers
    }

    /// Signs in; the session cookie's `name=value`.
    static func signIn(_ client: any TestClientProtocol, token: String = Self.token) async throws -> String? {
        let response = try await client.execute(uri: "/staff/sign-in", method: .post, headers: formType, body: form([("token", token)]))
        guard response.status == .seeOther, let cookie = response.headers[values: .setCookie].first else { return nil }
        return String(cookie.prefix { $0 != ";" })
    }

    /// The review page's form token.
    static func formToken(_ client: any TestClientProtocol, cookie: String) async throws -> String {
        let page = try await client.execute(uri: "/staff/review", method: .get, headers: [.cookie: cookie]).text
        let marker = "name=\"csrf\" value=\""
        let start = try #require(page.range(of: marker)).upperBound
        return String(page[start...].prefix { $0 != "\"" })
    }

    @Test("without a session every staff page sends to the sign-in page and every staff write and file is refused, changing nothing")
    func signedOut() async throws {
        let sample = try SampleIndex()
        let database = try sample.database()
        let unmatched = try recordingID("MVI_0042.MP4", in: database)
        try await sample.test(configuration(sample)) { client in
            for path in ["/staff", "/staff/review", "/staff/sessions", "/staff/sessions/\(SampleIndex.guid(105))/history",
                         "/staff/sessions/\(SampleIndex.guid(105))/edit", "/staff/captions"] {
                let response = try await client.execute(uri: path, method: .get)
                #expect(response.status == .seeOther, "\(path)")
                #expect(response.headers[.location] == "/staff/sign-in", "\(path)")
            }
            for path in ["/staff/media/\(unmatched)", "/staff/audit.json"] {
                #expect(try await client.execute(uri: path, method: .get).status == .forbidden, "\(path)")
            }
            for (path, fields) in [("/staff/recordings/\(unmatched)/decisions", [("action", "unlink")]), ("/staff/sign-out", []),
                                   ("/staff/sessions/\(SampleIndex.guid(105))/publication", [("action", "hide")]),
                                   ("/staff/sessions/\(SampleIndex.guid(105))/chapters", [("recording", "1"), ("action", "reset")]),
                                   ("/staff/recordings/1/transcript", [("from", "0"), ("to", "10"), ("language", "sv"), ("count", "0")])] {
                let response = try await client.execute(uri: path, method: .post, headers: Self.formType, body: Self.form(fields))
                #expect(response.status == .forbidden, "\(path)")
            }
            // A cookie that is no session is none.
            let forged = try await client.execute(uri: "/staff/review", method: .get, headers: [.cookie: "efterhand_staff=made-up"])
            #expect(forged.status == .seeOther)
        }
        #expect(try database.auditEntries().isEmpty)
        #expect(try database.decisions().isEmpty)
    }

    @Test("a right token signs in with an HttpOnly, SameSite=Strict, Secure cookie that expires; a wrong one does not; sign-out ends it")
    func signInAndOut() async throws {
        let sample = try SampleIndex()
        try await sample.test(configuration(sample)) { client in
            let wrong = try await client.execute(uri: "/staff/sign-in", method: .post, headers: Self.formType, body: Self.form([("token", "anna-token-0123456780")]))
            #expect(wrong.status == .unauthorized)
            #expect(wrong.headers[values: .setCookie].isEmpty)
            #expect(wrong.text.contains("Fel nyckel"))

            let right = try await client.execute(uri: "/staff/sign-in", method: .post, headers: Self.formType, body: Self.form([("token", Self.token)]))
            #expect(right.status == .seeOther && right.headers[.location] == "/staff/review")
            let cookie = try #require(right.headers[values: .setCookie].first)
            for attribute in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/", "Max-Age=28800"] {
                #expect(cookie.contains(attribute), "\(attribute) in \(cookie)")
            }
            let session = String(cookie.prefix { $0 != ";" })
            let review = try await client.execute(uri: "/staff/review", method: .get, headers: [.cookie: session])
            #expect(review.status == .ok)
            #expect(review.text.contains("anna") && review.text.contains("MVI_0042.MP4"))
            #expect(review.headers[.cacheControl] == "private, no-store")

            let csrf = try await Self.formToken(client, cookie: session)
            let out = try await client.execute(uri: "/staff/sign-out", method: .post, headers: Self.formHeaders(cookie: session),
                                               body: Self.form([("csrf", csrf)]))
            #expect(out.status == .seeOther && out.headers[.location] == "/staff/sign-in")
            #expect(try await client.execute(uri: "/staff/review", method: .get, headers: [.cookie: session]).status == .seeOther)
        }
        // Over plain http the cookie cannot be Secure, or the browser would never send it back.
        try await sample.test(configuration(sample, publicURL: nil)) { client in
            let right = try await client.execute(uri: "/staff/sign-in", method: .post, headers: Self.formType, body: Self.form([("token", Self.token)]))
            let cookie = try #require(right.headers[values: .setCookie].first)
            #expect(!cookie.contains("Secure") && cookie.contains("SameSite=Strict"))
        }
    }

    @Test("the admin token signs in as admin; with no token at all the staff pages are off")
    func accounts() async throws {
        let sample = try SampleIndex()
        var configuration = sample.configuration(adminToken: "admin-secret-token")
        try await sample.test(configuration) { client in
            let cookie = try await Self.signIn(client, token: "admin-secret-token")
            #expect(cookie != nil)
        }
        configuration.adminToken = nil
        try await sample.test(configuration) { client in
            let response = try await client.execute(uri: "/staff/sign-in", method: .post, headers: Self.formType, body: Self.form([("token", "")]))
            #expect(response.status == .forbidden)
        }
    }

    @Test("after five wrong tokens an address waits, even with the right one")
    func throttled() async throws {
        let sample = try SampleIndex()
        try await sample.test(configuration(sample)) { client in
            for _ in 0..<5 {
                let response = try await client.execute(uri: "/staff/sign-in", method: .post, headers: Self.formType, body: Self.form([("token", "guess-guess-guess-guess")]))
                #expect(response.status == .unauthorized)
            }
            let blocked = try await client.execute(uri: "/staff/sign-in", method: .post, headers: Self.formType, body: Self.form([("token", Self.token)]))
            #expect(blocked.status == .tooManyRequests)
            #expect(blocked.headers[.retryAfter] != nil)
            #expect(blocked.headers[values: .setCookie].isEmpty)
        }
    }

    @Test("a sign-in posted from another site's page is refused")
    func crossSiteSignIn() async throws {
        let sample = try SampleIndex()
        try await sample.test(configuration(sample)) { client in
            let response = try await client.execute(uri: "/staff/sign-in", method: .post,
                                                    headers: Self.formHeaders(origin: "https://evil.example"), body: Self.form([("token", Self.token)]))
            #expect(response.status == .forbidden)
            #expect(response.headers[values: .setCookie].isEmpty)
        }
    }

    @Test("a decision from the review queue is the CLI's decision, kept by fingerprint, in the audit log as staff:anna; a forged one changes nothing")
    func decide() async throws {
        let sample = try SampleIndex()
        let database = try sample.database()
        let unmatched = try recordingID("MVI_0042.MP4", in: database)
        try await sample.test(configuration(sample)) { client in
            let session = try #require(try await Self.signIn(client))
            let csrf = try await Self.formToken(client, cookie: session)
            let path = "/staff/recordings/\(unmatched)/decisions"
            let fields = [("action", "accept"), ("session", "iv21-111-vad-tar-vi-med-oss"), ("in", "30"), ("out", "1700")]
            // Signed in, but the form is not from the page (no form token, or another one): refused.
            for forged in [fields, fields + [("csrf", "not-the-token")]] {
                let response = try await client.execute(uri: path, method: .post, headers: Self.formHeaders(cookie: session), body: Self.form(forged))
                #expect(response.status == .forbidden)
            }
            #expect(try database.decisions().isEmpty)

            let response = try await client.execute(uri: path, method: .post, headers: Self.formHeaders(cookie: session),
                                                    body: Self.form(fields + [("csrf", csrf)]))
            #expect(response.status == .seeOther)
            #expect(response.headers[.location]?.hasPrefix("/staff/review?done=accept") == true)
            let review = try await client.execute(uri: "/staff/review", method: .get, headers: [.cookie: session]).text
            #expect(!review.contains("id=\"recording-\(unmatched)\""), "linked now, so out of the queue")

            let bad = try await client.execute(uri: path, method: .post, headers: Self.formHeaders(cookie: session),
                                               body: Self.form([("action", "accept"), ("session", "no-such-session"), ("csrf", csrf)]))
            #expect(bad.status == .badRequest)
        }
        let decisions = try database.decisions()
        #expect(decisions.count == 1 && decisions.first?.action == .accept && decisions.first?.inSeconds == 30 && decisions.first?.outSeconds == 1700)
        let audit = try database.auditEntries()
        #expect(audit.count == 1 && audit.first?.who == "staff:anna" && audit.first?.sessionGuid == SampleIndex.guid(111))
        #expect(try database.recording(idOrPath: String(unmatched))?.linkStatus == .linked)
    }

    @Test("two staff deciding on the same review page: the first decision stands, the second is refused with 409 and names who decided; nothing of it recorded")
    func twoStaffOnePage() async throws {
        let sample = try SampleIndex()
        let database = try sample.database()
        let unmatched = try recordingID("MVI_0042.MP4", in: database)
        try await sample.test(configuration(sample)) { client in
            let session = try #require(try await Self.signIn(client))
            let csrf = try await Self.formToken(client, cookie: session)
            let review = try await client.execute(uri: "/staff/review", method: .get, headers: [.cookie: session]).text
            // The page's forms carry the recording's links as shown.
            let item = try #require(review.range(of: "id=\"recording-\(unmatched)\"")).upperBound
            let seen = try #require(review[item...].firstMatch(of: #/name="seen" value="([0-9a-f]{16})"/#).map { String($0.output.1) })
            let path = "/staff/recordings/\(unmatched)/decisions"
            let first = try await client.execute(uri: path, method: .post, headers: Self.formHeaders(cookie: session),
                                                 body: Self.form([("action", "accept"), ("session", "iv21-111-vad-tar-vi-med-oss"), ("seen", seen), ("csrf", csrf)]))
            #expect(first.status == .seeOther)
            let second = try await client.execute(uri: path, method: .post, headers: Self.formHeaders(cookie: session),
                                                  body: Self.form([("action", "accept"), ("session", "iv21-104-sommarjobbare"), ("seen", seen), ("csrf", csrf)]))
            #expect(second.status == .conflict)
            let said = second.text
            #expect(said.contains("staff:anna") && said.contains("accept"), "\(said)")
        }
        #expect(try database.decisions().count == 1 && database.auditEntries().count == 1)
        let links = try database.links(recordingID: unmatched).filter { $0.kind == .link }
        #expect(links.map(\.sessionGuid) == [SampleIndex.guid(111)])
    }

    @Test("a hidden session leaves the feed, its page and search, and comes back when published; an opted-out one cannot be; both in the audit log")
    func publication() async throws {
        let sample = try SampleIndex()
        let database = try sample.database()
        let guid = SampleIndex.guid(105)
        try await sample.test(configuration(sample)) { client in
            let session = try #require(try await Self.signIn(client))
            let csrf = try await Self.formToken(client, cookie: session)
            let page = try await client.execute(uri: "/staff/sessions", method: .get, headers: [.cookie: session]).text
            #expect(page.contains("id=\"session-\(guid)\"") && page.contains("publicerad"))
            #expect(page.contains("disabled aria-describedby=\"why-\(SampleIndex.guid(109))\""), "the opted-out talk's button is off")
            #expect(page.contains("do-not-record i programmet"))

            /// Whether the feed and a search show the session.
            func shown() async throws -> (feed: Bool, search: Bool) {
                let feed = try await client.execute(uri: "/feed.json?page_size=50", method: .get).text.contains(guid)
                let search = try await client.execute(uri: "/api/search?q=oppna", method: .get, headers: [.cacheControl: "no-cache"]).text.contains(guid)
                return (feed, search)
            }
            let before = try await shown()
            #expect(before.feed && before.search)
            let path = "/staff/sessions/\(guid)/publication"
            let forged = try await client.execute(uri: path, method: .post, headers: Self.formHeaders(cookie: session), body: Self.form([("action", "hide")]))
            #expect(forged.status == .forbidden)
            let afterForged = try await shown()
            #expect(afterForged.feed)

            let hide = try await client.execute(uri: path, method: .post, headers: Self.formHeaders(cookie: session),
                                                body: Self.form([("action", "hide"), ("csrf", csrf)]))
            #expect(hide.status == .seeOther)
            let hidden = try await shown()
            #expect(!hidden.feed && !hidden.search)
            #expect(try await client.execute(uri: "/sessions/iv21-105-oppna-data", method: .get).status == .notFound)
            #expect(try await client.execute(uri: "/staff/sessions", method: .get, headers: [.cookie: session]).text.contains("dold"))

            let publish = try await client.execute(uri: path, method: .post, headers: Self.formHeaders(cookie: session),
                                                   body: Self.form([("action", "publish"), ("csrf", csrf)]))
            #expect(publish.status == .seeOther)
            let published = try await shown()
            #expect(published.feed && published.search)

            let optedOut = try await client.execute(uri: "/staff/sessions/\(SampleIndex.guid(109))/publication", method: .post,
                                                    headers: Self.formHeaders(cookie: session), body: Self.form([("action", "publish"), ("csrf", csrf)]))
            #expect(optedOut.status == .badRequest)
            let feed = try await client.execute(uri: "/feed.json?page_size=50", method: .get).text
            #expect(!feed.contains(SampleIndex.guid(109)))

            // The session's history shows both changes, newest first, with who and the states.
            let history = try await client.execute(uri: "/staff/sessions/iv21-105-oppna-data/history", method: .get, headers: [.cookie: session]).text
            let publishAt = try #require(history.range(of: "<td>publish")), hideAt = try #require(history.range(of: "<td>hide"))
            #expect(publishAt.lowerBound < hideAt.lowerBound)
            #expect(history.contains("staff:anna") && history.contains("{&quot;hidden&quot;:true}"))
            let untouched = try await client.execute(uri: "/staff/sessions/\(SampleIndex.guid(101))/history", method: .get, headers: [.cookie: session]).text
            #expect(untouched.contains("Ingen har ändrat något här."))
        }
        let audit = try database.auditEntries(sessionGuid: guid)
        #expect(audit.map(\.action) == ["publish", "hide"])
        #expect(audit.allSatisfy { $0.who == "staff:anna" })
        #expect(audit.last?.before == "{\"hidden\":false}" && audit.last?.after == "{\"hidden\":true}")
        #expect(try database.hiddenSessions().isEmpty)
    }

    @Test("chapters and transcript lines edited beside the player are the CLI's operations, shown on the public side; forged posts change nothing")
    func edit() async throws {
        let sample = try SampleIndex()
        let database = try sample.database()
        let guid = SampleIndex.guid(105)
        let id = try recordingID("oppna-data.webm", in: database)
        try await sample.test(configuration(sample)) { client in
            let session = try #require(try await Self.signIn(client))
            let csrf = try await Self.formToken(client, cookie: session)
            let page = try await client.execute(uri: "/staff/sessions/iv21-105-oppna-data/edit", method: .get, headers: [.cookie: session])
            #expect(page.status == .ok)
            #expect(page.text.contains("src=\"/staff/media/\(id)#t=0\"") && page.text.contains("name=\"title-8\""), "nine even cuts to rename")
            #expect(page.text.contains("Välkommen till Innovationsveckan och till Göteborgs Stad."), "the first segment's lines, to correct")
            let english = try await client.execute(uri: "/staff/sessions/iv21-105-oppna-data/edit", method: .get,
                                                   headers: [.cookie: session, .acceptLanguage: "en-GB,en;q=0.9"]).text
            #expect(english.contains("Save chapters") && english.contains(">Done</button>") && !english.contains("Spara kapitel"))

            let chapters = "/staff/sessions/\(guid)/chapters"
            let fields = [("recording", String(id)), ("count", "1"), ("start-0", "0:00:00"), ("title-0", "Inledning"),
                          ("start-1", "0:20:00"), ("title-1", "Frågor från publiken"), ("action", "save")]
            let forged = try await client.execute(uri: chapters, method: .post, headers: Self.formHeaders(cookie: session), body: Self.form(fields))
            #expect(forged.status == .forbidden)
            #expect(try database.segments(recordingID: id).allSatisfy { $0.source == .even })

            let saved = try await client.execute(uri: chapters, method: .post, headers: Self.formHeaders(cookie: session), body: Self.form(fields + [("csrf", csrf)]))
            #expect(saved.status == .seeOther)
            #expect(saved.headers[.location]?.contains("done=") == true)
            #expect(try database.segments(recordingID: id).map(\.title) == ["Inledning", "Frågor från publiken"])
            let vtt = try await client.execute(uri: "/api/recordings/\(id)/chapters.vtt", method: .get).text
            #expect(vtt.contains("00:20:00.000 --> ") && vtt.contains("Frågor från publiken"))

            // A start outside the talk comes back as a problem on the page, and nothing changes.
            let outside = try await client.execute(uri: chapters, method: .post, headers: Self.formHeaders(cookie: session),
                                                   body: Self.form([("recording", String(id)), ("count", "0"), ("start-0", "9:00:00"), ("title-0", "Sent"), ("csrf", csrf)]))
            #expect(outside.headers[.location]?.contains("problem=") == true)
            #expect(try database.segments(recordingID: id).count == 2)

            /// The revision the watch page puts in its track addresses.
            func trackRevision() async throws -> String {
                let page = try await client.execute(uri: "/sessions/iv21-105-oppna-data", method: .get).text
                return String(try #require(page.firstMatch(of: /transcript\.json\?v=([0-9a-z-]+)/)).output.1)
            }
            let revision = try await trackRevision()
            let transcript = "/staff/recordings/\(id)/transcript"
            let lines = [("language", "sv"), ("from", "0"), ("to", "1200"), ("session", guid), ("count", "1"),
                         ("cue-0-start", "0:00:30"), ("cue-0-end", "0:00:35"), ("cue-0-text", "Välkommen, sa hon."), ("action", "verify")]
            let forgedText = try await client.execute(uri: transcript, method: .post, headers: Self.formHeaders(cookie: session), body: Self.form(lines))
            #expect(forgedText.status == .forbidden)
            let verified = try await client.execute(uri: transcript, method: .post, headers: Self.formHeaders(cookie: session), body: Self.form(lines + [("csrf", csrf)]))
            #expect(verified.status == .seeOther && verified.headers[.location]?.contains("done=") == true)
            let captions = try await client.execute(uri: "/api/recordings/\(id)/transcript.vtt?language=sv", method: .get).text
            #expect(captions.contains("Välkommen, sa hon.") && !captions.contains("och till Göteborgs Stad"))
            #expect(try await trackRevision() != revision, "the watch page names the corrected transcript anew, so browsers fetch it")

            // In and out from the editor: the review queue's decision, back on the editor; a
            // return address outside the staff pages is not followed.
            let decisions = "/staff/recordings/\(id)/decisions"
            for (back, expected) in [("/staff/sessions/\(guid)/edit?recording=\(id)", "/staff/sessions/\(guid)/edit?recording=\(id)&done="),
                                     ("https://elsewhere.example/", "/staff/review?done="), ("/staff/sessions//elsewhere.example", "/staff/review?done=")] {
                let fix = try await client.execute(uri: decisions, method: .post, headers: Self.formHeaders(cookie: session),
                                                   body: Self.form([("action", "accept"), ("session", guid), ("in", "4"), ("out", "2400"),
                                                                    ("return", back), ("csrf", csrf)]))
                #expect(fix.status == .seeOther && fix.headers[.location]?.hasPrefix(expected) == true, "\(fix.headers[.location] ?? "")")
            }
            #expect(try database.segments(recordingID: id).first?.startSeconds == 4, "the first chapter follows the in point")

            // The caption report now sends the editor to the second segment, the first without checked text.
            let report = try await client.execute(uri: "/staff/captions", method: .get, headers: [.cookie: session]).text
            #expect(report.contains("/staff/sessions/\(guid)/edit?recording=\(id)&amp;at=1200#text"))
        }
        let audit = try database.auditEntries(sessionGuid: guid)
        #expect(audit.map(\.action) == ["accept", "accept", "accept", "transcript", "chapters"])
        #expect(audit.allSatisfy { $0.who == "staff:anna" })
    }

    @Test("the staff file: names and tokens by line; short tokens, doubles and bad names are named by their line")
    func staffFile() throws {
        let tokens = try StaffToken.parse("# redaktörer\nanna anna-token-0123456789\n\nbo.berg:bo-token-0123456789abc  # tekniker\n")
        #expect(tokens == [StaffToken(name: "anna", token: "anna-token-0123456789"), StaffToken(name: "bo.berg", token: "bo-token-0123456789abc")])
        for (text, line) in [("anna short", 1), ("anna anna-token-0123456789\nanna other-token-0123456789", 2), ("an na\tx", 1), ("<b> anna-token-0123456789", 1)] {
            #expect(throws: StaffFileError.self) { try StaffToken.parse(text) }
            do {
                _ = try StaffToken.parse(text)
            } catch let error as StaffFileError {
                #expect(error.line == line, "\(text)")
            } catch {
                Issue.record("\(error)")
            }
        }
    }
}
