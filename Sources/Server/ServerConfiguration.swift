import Foundation

/// How `efterhand serve` runs: where the index is, where to listen, how links are written,
/// who may call from a browser and who may write.
public struct ServerConfiguration: Sendable {
    /// Folder that holds the index (`index.sqlite` and `thumbnails/`).
    public var indexFolder: String
    /// Address to listen on.
    public var host: String
    /// Port to listen on (0 picks a free one).
    public var port: Int
    /// Makes every link in the output absolute (`https://play.example.org`); nil leaves them root-relative.
    public var publicURL: String?
    /// Points attachments and deep links at a CDN instead of `/media/{id}`: a base URL to which the
    /// recording's path is appended, or a template with `{id}`, `{path}` or `{name}`.
    public var mediaURL: String?
    /// Origins (`https://portal.example.org`) whose pages may call the API from a browser; no others.
    public var corsOrigins: [String]
    /// The bearer token that write routes require; nil turns writes off. It also signs in to
    /// the staff pages, as `admin`.
    public var adminToken: String?
    /// The people who may sign in to the staff pages (`--staff-tokens FILE`), besides the admin token.
    public var staffTokens: [StaffToken] = []
    /// Log one line per request (swift-log, label `efterhand.http`, level info).
    public var accessLog: Bool
    /// `Cache-Control` max-age of feeds and API answers, in seconds.
    public var maxAge: Int
    /// Seconds a connection may sit with nothing to read (no request begun, or a head that
    /// stalls) before the server closes it, so idle clients cannot hold connections forever.
    public var idleTimeoutSeconds: Int = 30
    /// Addresses of the load balancers or proxies in front (`--trusted-proxy`): a request from one
    /// of them comes from the address it puts in `X-Forwarded-For`, so that failed staff sign-ins
    /// are counted per person's address and not per proxy (which would let one stranger lock
    /// every person out).
    public var trustedProxies: [String] = []

    /// A configuration with the defaults of `efterhand serve`.
    public init(indexFolder: String, host: String = "127.0.0.1", port: Int = 8080, publicURL: String? = nil, mediaURL: String? = nil,
                corsOrigins: [String] = [], adminToken: String? = nil, accessLog: Bool = true, maxAge: Int = 60) {
        self.indexFolder = indexFolder
        self.host = host
        self.port = port
        self.publicURL = publicURL
        self.mediaURL = mediaURL
        self.corsOrigins = corsOrigins
        self.adminToken = adminToken
        self.accessLog = accessLog
        self.maxAge = maxAge
    }

    /// Everyone who may sign in to the staff pages: the admin token as `admin`, then the file's.
    public var staffAccounts: [StaffToken] {
        (adminToken.map { [StaffToken(name: "admin", token: $0)] } ?? []) + staffTokens
    }

    /// The address a request comes from: the connection's `peer`, or, when that is a trusted
    /// proxy, the last address of `X-Forwarded-For` (each proxy appends the one it saw) that is
    /// not a trusted proxy itself. Without a peer (a test's router), "unknown".
    func clientAddress(peer: String?, forwardedFor: [String]) -> String {
        guard let peer else { return "unknown" }
        return HeaderValues.client(peer: peer, forwardedFor: forwardedFor, trusted: trustedProxies)
    }

    /// Whether the public address is https, so that cookies are sent only over https.
    var isHTTPS: Bool { publicURL?.lowercased().hasPrefix("https://") == true }
}
