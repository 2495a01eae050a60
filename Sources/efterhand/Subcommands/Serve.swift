import ArgumentParser
import Foundation
import Hummingbird
import IndexStore
import Logging
import PostgresStore
import Server

/// `efterhand serve`: the feed, the API, chapters, transcripts, thumbnails and media over HTTP.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the JSON Feed, the API, chapters, transcripts, thumbnails and the recordings over HTTP.",
        discussion: """
            Reads the index as `efterhand ingest` leaves it, and keeps serving while ingest writes: every answer comes \
            from the latest committed state, without a restart. Stops gracefully on SIGTERM or SIGINT. Writes over HTTP \
            (accepting links, uploading verified transcripts) need the bearer token of EFTERHAND_ADMIN_TOKEN or \
            --admin-token-file, and are off without one.
            """
    )

    @OptionGroup var index: IndexOptions

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on (0 picks a free one).")
    var port = 8080

    @Option(help: "The server's public address (https://play.example.org); makes every link in the output absolute.")
    var publicURL: String?

    @Option(help: "Where attachments point instead of this server: a base URL to which each recording's path is appended, or a template with {id}, {path} or {name}.")
    var mediaURL: String?

    @Option(name: .customLong("cors-origin"), parsing: .upToNextOption, help: "Origins whose pages may call the API from a browser.")
    var corsOrigins: [String] = []

    @Option(help: "A file holding the bearer token for write routes (else EFTERHAND_ADMIN_TOKEN; without either, writes are off).")
    var adminTokenFile: String?

    @Option(help: "A file of staff who may sign in to /staff: one 'name token' per line (tokens of 16 characters or more). The admin token signs in as 'admin'.")
    var staffTokens: String?

    @Option(help: "Seconds a connection may stay idle (no request, or a head that stalls) before it is closed.")
    var idleTimeout = 30

    @Option(name: .customLong("media-root"), parsing: .upToNextOption,
            help: ArgumentHelp("With --database: where this machine mounts each named media root, NAME=FOLDER, to serve the recordings.", valueName: "name=folder"))
    var mediaRoots: [String] = []

    @Option(name: .customLong("trusted-proxy"), parsing: .upToNextOption,
            help: ArgumentHelp("Address of a load balancer or proxy in front whose X-Forwarded-For names the client (for counting failed staff sign-ins per person).", valueName: "address"))
    var trustedProxies: [String] = []

    @Flag(help: "Log no line per request.")
    var noAccessLog = false

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be from 0 to 65535.") }
        guard (1...3600).contains(idleTimeout) else { throw ValidationError("--idle-timeout must be from 1 to 3600 seconds.") }
        for (name, url) in [("--public-url", publicURL), ("--media-url", mediaURL)] {
            if let url, !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
                throw ValidationError("\(name) must start with http:// or https://, not '\(url)'.")
            }
        }
        // The proxy is known by the address a connection comes from: a host name would never match.
        for proxy in trustedProxies where !Self.isIPAddress(proxy) {
            throw ValidationError("--trusted-proxy must be an IP address such as 10.0.0.5 or ::1, not '\(proxy)'.")
        }
        for origin in corsOrigins where !(origin.hasPrefix("http://") || origin.hasPrefix("https://")) {
            throw ValidationError("--cors-origin must be an origin such as https://portal.example.org, not '\(origin)'.")
        }
    }

    func run() async throws {
        // The access log and the server's own notices are what a server run is for.
        global.bootstrapLogging(informing: ["efterhand.http", "efterhand.server"])
        let location = try index.postgres()
        if location == nil { try index.requireIndex(exitCode: 1) }
        var token = ProcessInfo.processInfo.environment["EFTERHAND_ADMIN_TOKEN"]
        if let adminTokenFile {
            guard let text = try? String(contentsOfFile: adminTokenFile, encoding: .utf8) else {
                FileHandle.standardError.write(Data("error: cannot read the admin token file '\(adminTokenFile)'\n".utf8))
                throw ExitCode(1)
            }
            token = text
        }
        token = token?.trimmingCharacters(in: .whitespacesAndNewlines)
        var configuration = ServerConfiguration(
            indexFolder: index.index, host: host, port: port, publicURL: publicURL, mediaURL: mediaURL, corsOrigins: corsOrigins,
            adminToken: (token?.isEmpty ?? true) ? nil : token, accessLog: !noAccessLog)
        configuration.idleTimeoutSeconds = idleTimeout
        configuration.trustedProxies = trustedProxies
        if let staffTokens {
            do {
                configuration.staffTokens = try StaffToken.parse(String(contentsOfFile: staffTokens, encoding: .utf8))
            } catch {
                FileHandle.standardError.write(Data("error: the staff file '\(staffTokens)': \(error)\n".utf8))
                throw ExitCode(1)
            }
        }
        let publicURL = publicURL
        let staffOpen = !configuration.staffAccounts.isEmpty
        let writes = configuration.adminToken == nil ? "off" : "on (bearer token)"
        if let location {
            let roots: MediaRootMap
            do {
                roots = try MediaRootMap(mediaRoots)
            } catch {
                throw ValidationError(error.description)
            }
            let finalConfiguration = configuration
            try await PostgresCommand.run(location) { database in
                try await Self.serve(PostgresCatalogue(database: database, roots: roots), configuration: finalConfiguration, writes: writes)
            }
            return
        }
        let app: any ApplicationProtocol
        do {
            app = try buildApplication(configuration: configuration) { host, port in
                let base = publicURL ?? "http://\(host):\(port)"
                print("serving the index on http://\(host):\(port) (writes \(writes))")
                print("  feed: \(base)/feed.json")
                print("  page: \(base)/")
                print("  api:  \(base)/openapi.json")
                if staffOpen { print("  staff: \(base)/staff (sign in with a staff token)") }
            }
        } catch {
            FileHandle.standardError.write(Data("error: cannot serve the index in '\(index.index)': \(error)\n".utf8))
            throw ExitCode(1)
        }
        try await app.runService()
    }

    /// Whether `text` is an IPv4 or IPv6 address as a connection's peer is written.
    static func isIPAddress(_ text: String) -> Bool {
        var v4 = in_addr(), v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }

    /// `serve --database postgres://…`: holds nothing but the catalogue last read, read again
    /// after every commit notice, so that any number of servers give the same answers.
    static func serve(_ catalogue: PostgresCatalogue, configuration: ServerConfiguration, writes: String) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            // Following commits does not end while the server runs (a failed read is read again);
            // should it end with an error, the server stops and says why, rather than serve the
            // last catalogue for ever.
            group.addTask {
                try await catalogue.follow()
                throw PostgresStoreError.server("stopped following the commits of \(catalogue.database.location)")
            }
            try await catalogue.waitForFirstRead()
            let app = try buildApplication(configuration: configuration, repository: PostgresRepository(catalogue: catalogue)) { host, port in
                let base = configuration.publicURL ?? "http://\(host):\(port)"
                print("serving \(catalogue.database.location) on http://\(host):\(port) (writes \(writes))")
                print("  feed: \(base)/feed.json")
                print("  page: \(base)/")
            }
            group.addTask { try await app.runService() }
            // The first to end (the server stopped by a signal, or the follow failed) ends both.
            defer { group.cancelAll() }
            try await group.next()
        }
    }
}
