import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import IndexStore
import PostgresNIO
@testable import PostgresStore
import TestSupport
import Testing

/// Three `efterhand serve --database` processes over one store, with nginx (Debian's) in front
/// as a load balancer: the same bytes from each, and a commit seen by all within a second, also
/// after every connection of theirs was cut.
@Suite("efterhand serve: servers that hold no state", .serialized)
struct StatelessServerTests {
    static func freePort() throws -> Int {
        let socket = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0 }
        }
        try #require(bound)
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// The body of a 200 answer (nil otherwise), without holding a thread of Swift's pool.
    static func get(_ url: String) async -> Data? {
        guard let address = URL(string: url) else { return nil }
        var request = URLRequest(url: address)
        request.timeoutInterval = 5
        return await withCheckedContinuation { continuation in
            URLSession.shared.dataTask(with: request) { data, response, _ in
                continuation.resume(returning: (response as? HTTPURLResponse)?.statusCode == 200 ? data : nil)
            }.resume()
        }
    }

    static func items(_ feed: Data?) -> Int {
        guard let feed, let object = try? JSONSerialization.jsonObject(with: feed) as? [String: Any] else { return -1 }
        return (object["items"] as? [Any])?.count ?? -1
    }

    /// Waits until every server's feed has `count` items; the seconds it took for the slowest.
    static func seen(_ count: Int, at ports: [Int], within seconds: Double) async -> Double? {
        let started = Date()
        var pending = Set(ports)
        while !pending.isEmpty, Date().timeIntervalSince(started) < seconds {
            for port in pending where items(await get("http://127.0.0.1:\(port)/feed.json")) == count { pending.remove(port) }
            if !pending.isEmpty { try? await Task.sleep(for: .milliseconds(10)) }
        }
        return pending.isEmpty ? Date().timeIntervalSince(started) : nil
    }

    @Test func threeServersBehindNginxAnswerAlikeAndFollowCommits() async throws {
        let folder = try await SearchParityTests.sampleIndex()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let binary = try EfterhandBinary.path()
        let media = EfterhandBinary.root.appendingPathComponent("Media").path
        try await TestStore.with { location in
            try await PostgresIndex.with(location, timeout: TestStore.patience) { database in
                _ = try await database.gather(from: try IndexDatabase(readOnlyFolder: folder), root: "week", folder: media)
            }
            let url = location.configurationURL
            let ports = try (0..<3).map { _ in try Self.freePort() }
            let servers = try ports.map { port in
                try Run.start(binary, ["serve", "--database", url, "--media-root", "week=\(media)", "--port", "\(port)", "--no-access-log"])
            }
            defer { for server in servers { kill(server.pid, SIGTERM); _ = server.wait(seconds: 10) } }
            let front = try Self.freePort()
            let work = FileManager.default.temporaryDirectory.appendingPathComponent("efterhand-nginx-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: work.appendingPathComponent("logs"), withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: work) }
            let config = """
                pid \(work.path)/nginx.pid;
                error_log \(work.path)/logs/error.log;
                events { worker_connections 64; }
                http {
                    access_log off;
                    client_body_temp_path \(work.path); proxy_temp_path \(work.path); fastcgi_temp_path \(work.path);
                    uwsgi_temp_path \(work.path); scgi_temp_path \(work.path);
                    upstream efterhand { \(ports.map { "server 127.0.0.1:\($0);" }.joined(separator: " ")) }
                    server { listen 127.0.0.1:\(front); location / { proxy_pass http://efterhand; } }
                }
                """
            try config.write(to: work.appendingPathComponent("nginx.conf"), atomically: true, encoding: .utf8)
            let nginx = try Run.start("/usr/sbin/nginx", ["-p", work.path, "-c", work.appendingPathComponent("nginx.conf").path, "-g", "daemon off;"])
            defer { kill(nginx.pid, SIGQUIT); _ = nginx.wait(seconds: 10) }

            // All up (each has read the catalogue before it listens).
            #expect(await Self.seen(9, at: ports + [front], within: 60) != nil, "every server serves the sample week's 9 items")
            let first = try #require(await Self.get("http://127.0.0.1:\(ports[0])/feed.json"))
            for port in ports.dropFirst() { #expect(await Self.get("http://127.0.0.1:\(port)/feed.json") == first, "server on \(port): the same bytes") }
            for _ in 0..<6 { #expect(await Self.get("http://127.0.0.1:\(front)/feed.json") == first, "through nginx: the same bytes") }
            // And the same bytes as the SQLite index's own server: both stores, one feed.
            let local = try Self.freePort()
            let sqlite = try Run.start(binary, ["serve", "--index", folder, "--port", "\(local)", "--no-access-log"])
            defer { kill(sqlite.pid, SIGTERM); _ = sqlite.wait(seconds: 10) }
            #expect(await Self.seen(9, at: [local], within: 60) != nil)
            #expect(await Self.get("http://127.0.0.1:\(local)/feed.json") == first, "serve --index and serve --database: the same feed bytes")
            let search = "/api/search?q=%C3%B6ppna%20data"
            let answer = try #require(await Self.get("http://127.0.0.1:\(ports[0])\(search)"))
            for port in ports.dropFirst() { #expect(await Self.get("http://127.0.0.1:\(port)\(search)") == answer) }

            // A commit (a session hidden in the municipality's index, gathered again) is in every
            // server's feed within a second.
            let hide = try await Run.run(binary, ["session", "hide", "--index", folder, "iv21-105-oppna-data"])
            try #require(hide.status == 0, "\(hide.stderr)")
            // Read as `efterhand gather` reads it: the write-ahead log of the running SQLite server's index included.
            try await PostgresIndex.with(location, timeout: TestStore.patience) { database in
                _ = try await database.gather(from: try IndexDatabase(folder: folder, create: false), root: "week", folder: media)
            }
            let took = await Self.seen(8, at: ports, within: 5)
            #expect(took.map { $0 < 1 } == true, "seen by all three after \(took.map { String(format: "%.3f s", $0) } ?? "more than 5 s")")

            // Every server's connections cut (a restart of PostgreSQL, a network blip) while they
            // may still be reading after the last commits: they listen and read again, so a
            // commit made meanwhile is not lost. (A read waiting for a pooled connection at the
            // cut waited for ever, and the server kept serving the old catalogue.)
            try await PostgresIndex.with(location, timeout: TestStore.patience) { database in
                let cut = try await database.client.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = \(location.database) AND pid <> pg_backend_pid()")
                var count = 0
                for try await _ in cut.decode(Bool.self) { count += 1 }
                #expect(count >= 3, "each server's connections cut: \(count)")
            }
            let publish = try await Run.run(binary, ["session", "publish", "--index", folder, "iv21-105-oppna-data"])
            try #require(publish.status == 0, "\(publish.stderr)")
            try await PostgresIndex.with(location, timeout: TestStore.patience) { database in
                _ = try await database.gather(from: try IndexDatabase(folder: folder, create: false), root: "week", folder: media)
            }
            let back = await Self.seen(9, at: ports, within: 20)
            #expect(back != nil, "after the cut, every server took in the commit within 20 s")
            #expect(await Self.get("http://127.0.0.1:\(ports[2])/feed.json") == first, "the same bytes as before the session was hidden")
        }
    }

    /// An HTTP answer as it came: status, headers, body (redirects not followed, cookies not kept).
    struct Answer {
        var status: Int
        var headers: [String: String]
        var body: String
        /// The `name=value` of the cookie it sets.
        var cookie: String? { headers["Set-Cookie"].map { String($0.prefix { $0 != ";" }) } }
    }

    /// Leaves redirects to the test: a sign-in answers 303 with its cookie.
    final class NoRedirects: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
        func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                        newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void) {
            completionHandler(nil)
        }
    }

    static let plainSession: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpShouldSetCookies = false
        configuration.httpCookieAcceptPolicy = .never
        return URLSession(configuration: configuration, delegate: NoRedirects(), delegateQueue: nil)
    }()

    static func request(_ url: String, form: [(String, String)]? = nil, headers: [String: String] = [:]) async throws -> Answer {
        var request = URLRequest(url: try #require(URL(string: url)))
        request.timeoutInterval = 10
        request.httpShouldHandleCookies = false
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if let form {
            request.httpMethod = "POST"
            request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
            let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
            request.httpBody = Data(form.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&").utf8)
        }
        return try await withCheckedThrowingContinuation { continuation in
            plainSession.dataTask(with: request) { data, response, error in
                guard let response = response as? HTTPURLResponse else {
                    continuation.resume(throwing: error ?? URLError(.badServerResponse))
                    return
                }
                var headers: [String: String] = [:]
                for (name, value) in response.allHeaderFields { headers[String(describing: name)] = String(describing: value) }
                continuation.resume(returning: Answer(status: response.statusCode, headers: headers, body: String(decoding: data ?? Data(), as: UTF8.self)))
            }.resume()
        }
    }

    /// The staff review page's form token.
    static func formToken(_ page: String) -> String? {
        guard let start = page.range(of: "name=\"csrf\" value=\"")?.upperBound else { return nil }
        return String(page[start...].prefix { $0 != "\"" })
    }

    @Test func aStaffSignInHoldsOnEveryServerAndSoDoesItsSignOut() async throws {
        let folder = try await SearchParityTests.sampleIndex()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let binary = try EfterhandBinary.path()
        let media = EfterhandBinary.root.appendingPathComponent("Media").path
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("efterhand-staff-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let staff = work.appendingPathComponent("staff.txt"), changed = work.appendingPathComponent("staff-changed.txt")
        try "anna anna-token-0123456789\nbo bo-token-0123456789ab\n".write(to: staff, atomically: true, encoding: .utf8)
        // The third server's file since anna's token was changed (a leaked token replaced).
        try "anna anna-new-token-0123456789\nbo bo-token-0123456789ab\n".write(to: changed, atomically: true, encoding: .utf8)
        try await TestStore.with { location in
            try await PostgresIndex.with(location, timeout: TestStore.patience) { database in
                _ = try await database.gather(from: try IndexDatabase(readOnlyFolder: folder), root: "week", folder: media)
            }
            let ports = try (0..<3).map { _ in try Self.freePort() }
            let servers = try ports.enumerated().map { number, port in
                try Run.start(binary, ["serve", "--database", location.configurationURL, "--media-root", "week=\(media)", "--port", "\(port)", "--no-access-log",
                                       "--staff-tokens", (number == 2 ? changed : staff).path, "--trusted-proxy", "127.0.0.1"])
            }
            defer { for server in servers { kill(server.pid, SIGTERM); _ = server.wait(seconds: 10) } }
            #expect(await Self.seen(9, at: ports, within: 60) != nil, "every server is up")
            let url = ports.map { "http://127.0.0.1:\($0)" }
            let person = ["X-Forwarded-For": "203.0.113.1"]

            // Signed in on the first server: the second knows her, page and write.
            let signIn = try await Self.request(url[0] + "/staff/sign-in", form: [("token", "anna-token-0123456789")], headers: person)
            #expect(signIn.status == 303 && signIn.headers["Location"] == "/staff/review")
            let cookie = try #require(signIn.cookie)
            let review = try await Self.request(url[1] + "/staff/review", headers: ["Cookie": cookie])
            #expect(review.status == 200 && review.body.contains("anna"), "the second server knows the sign-in: \(review.status)")
            let csrf = try #require(Self.formToken(review.body))
            #expect(Self.formToken(try await Self.request(url[0] + "/staff/review", headers: ["Cookie": cookie]).body) == csrf, "one form token on every server")
            // The store keeps digests, not the cookie.
            try await PostgresIndex.with(location, timeout: TestStore.patience) { database in
                let kept = try await TestStore.value(database, "SELECT count(*)::int FROM staff_sign_in WHERE octet_length(id_digest) = 32 AND octet_length(token_digest) = 32",
                                                     as: Int.self)
                #expect(kept == 1)
            }
            // A server whose staff file no longer holds the token she signed in with does not let her in.
            #expect(try await Self.request(url[2] + "/staff/review", headers: ["Cookie": cookie]).status == 303, "a changed token ends its sign-ins")
            // Signed out on the second server: out on the first too.
            let out = try await Self.request(url[1] + "/staff/sign-out", form: [("csrf", csrf)], headers: ["Cookie": cookie])
            #expect(out.status == 303 && out.headers["Location"] == "/staff/sign-in")
            let after = try await Self.request(url[0] + "/staff/review", headers: ["Cookie": cookie])
            #expect(after.status == 303 && after.headers["Location"] == "/staff/sign-in", "signed out everywhere: \(after.status)")
            #expect(try await Self.request(url[0] + "/staff/sign-out", form: [("csrf", csrf)], headers: ["Cookie": cookie]).status == 403)

            // Failed sign-ins from one address count on every server; the address behind the
            // proxy is the one counted, so a stranger's guesses lock out the stranger only.
            let stranger = ["X-Forwarded-For": "198.51.100.7"]
            for attempt in 0..<5 {
                let guess = try await Self.request(url[attempt % 2] + "/staff/sign-in", form: [("token", "guess-guess-guess-\(attempt)")], headers: stranger)
                #expect(guess.status == 401, "guess \(attempt): \(guess.status)")
            }
            let blocked = try await Self.request(url[2] + "/staff/sign-in", form: [("token", "bo-token-0123456789ab")], headers: stranger)
            #expect(blocked.status == 429 && blocked.headers["Retry-After"] != nil && blocked.cookie == nil, "the sixth try, at a third server: \(blocked.status)")
            let bo = try await Self.request(url[2] + "/staff/sign-in", form: [("token", "bo-token-0123456789ab")], headers: ["X-Forwarded-For": "203.0.113.2"])
            #expect(bo.status == 303 && bo.cookie != nil, "another person signs in meanwhile: \(bo.status)")
        }
    }
}
