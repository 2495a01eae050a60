import Foundation
import NIOConcurrencyHelpers

/// A person who may sign in to the staff pages, by the token they sign in with. The name is
/// what the audit log says they did (`staff:NAME`).
public struct StaffToken: Sendable, Equatable {
    public var name: String
    public var token: String

    public init(name: String, token: String) {
        self.name = name
        self.token = token
    }

    /// Tokens shorter than this are refused: a sign-in form can be guessed at, slowly.
    public static let minimumLength = 16

    /// The staff file: one person per line, `name token` (or `name:token`); blank lines and
    /// lines from `#` on are skipped. Throws naming the line of a malformed or short entry, or
    /// of a name or token given twice.
    public static func parse(_ text: String) throws -> [StaffToken] {
        var tokens: [StaffToken] = []
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.prefix { $0 != "#" }.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty else { continue }
            let parts = line.split(maxSplits: 1, whereSeparator: { $0 == " " || $0 == "\t" || $0 == ":" })
                .map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, parts[0].allSatisfy({ $0.isLetter || $0.isNumber || "._-@".contains($0) }) else {
                throw StaffFileError(line: number + 1, problem: "expected 'name token' (a name of letters, digits, '.', '_', '-' or '@')")
            }
            guard parts[1].count >= minimumLength, !parts[1].contains(where: \.isWhitespace) else {
                throw StaffFileError(line: number + 1, problem: "the token of '\(parts[0])' must be at least \(minimumLength) characters, without spaces")
            }
            guard !tokens.contains(where: { $0.name == parts[0] || $0.token == parts[1] }) else {
                throw StaffFileError(line: number + 1, problem: "'\(parts[0])' or its token is given twice")
            }
            tokens.append(StaffToken(name: parts[0], token: parts[1]))
        }
        return tokens
    }
}

/// A line of the staff file that cannot be read.
public struct StaffFileError: Error, CustomStringConvertible {
    public var line: Int
    public var problem: String
    public var description: String { "line \(line): \(problem)" }
}

/// The staff's sign-ins: each with its own token for forms (CSRF) and an expiry, and failed
/// sign-ins counted per address so that guessing is throttled. Where they are kept is the
/// `SignInKeeper`'s: in this process for one server (a restart signs everyone out), in the store
/// for servers that share one (a person signed in on one is known to all of them).
public final class StaffSessions: Sendable {
    public struct Session: Sendable, Equatable {
        public var name: String
        /// The token every form and write of this session must carry.
        public var formToken: String

        public init(name: String, formToken: String) {
            self.name = name
            self.formToken = formToken
        }
    }

    /// How long a sign-in lasts.
    public static let lifetimeSeconds = 8 * 3600
    /// Failed sign-ins from one address within `throttleSeconds` before it must wait.
    public static let failuresAllowed = 5
    public static let throttleSeconds = 600

    private let tokens: [StaffToken]
    private let keeper: any SignInKeeper

    init(tokens: [StaffToken], keeper: any SignInKeeper) {
        self.tokens = tokens
        self.keeper = keeper
    }

    /// Whether anyone can sign in at all.
    var isOpen: Bool { !tokens.isEmpty }

    /// The person whose token this is; every configured token is compared, each in constant time.
    func staff(for token: String) -> StaffToken? {
        var found: StaffToken?
        for staff in tokens where HeaderValues.sameToken(token, staff.token) { found = staff }
        return found
    }

    /// A new sign-in of `staff`: its id (the cookie's value) and its session.
    func open(for staff: StaffToken) async throws -> (id: String, session: Session) {
        let session = Session(name: staff.name, formToken: Self.randomToken())
        let id = Self.randomToken()
        try await keeper.keep(session, id: id, token: staff.token, lifetimeSeconds: Self.lifetimeSeconds)
        return (id, session)
    }

    /// The live session of `id`; nil for an unknown or expired one, or one whose token is no
    /// longer in the staff file.
    func session(_ id: String?) async throws -> Session? {
        guard let id, !id.isEmpty, isOpen else { return nil }
        return try await keeper.session(id, tokens: tokens)
    }

    func close(_ id: String) async throws {
        try await keeper.end(id)
    }

    /// Seconds `address` must wait before it may try to sign in again; nil when it may now.
    func waitBeforeTrying(from address: String) async throws -> Int? {
        guard let record = try await keeper.failures(from: address, within: Self.throttleSeconds) else { return nil }
        return record.count >= Self.failuresAllowed ? max(1, Self.throttleSeconds - record.elapsed) : nil
    }

    func failed(from address: String) async throws {
        try await keeper.failed(from: address, within: Self.throttleSeconds)
    }

    func succeeded(from address: String) async throws {
        try await keeper.clearFailures(from: address)
    }

    /// 32 random bytes (the system's generator, which is cryptographically secure) as base64url.
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

/// Where the staff's sign-ins and failed sign-ins are kept (see `StaffSessions`). Expiry is the
/// keeper's: it forgets a sign-in `lifetimeSeconds` after `keep`, and a failure record `within`
/// seconds after its first failure.
public protocol SignInKeeper: Sendable {
    /// Keeps a new sign-in under `id`, made with the staff token `token`.
    func keep(_ session: StaffSessions.Session, id: String, token: String, lifetimeSeconds: Int) async throws
    /// The live sign-in of `id`, if it was made with one of `tokens` by the same name; nil otherwise.
    func session(_ id: String, tokens: [StaffToken]) async throws -> StaffSessions.Session?
    /// Forgets the sign-in of `id` (signing out).
    func end(_ id: String) async throws
    /// The failed sign-ins from `address` in the window that began with the first of them, and
    /// the seconds since that first; nil when there are none in the last `within` seconds.
    func failures(from address: String, within seconds: Int) async throws -> (count: Int, elapsed: Int)?
    /// Counts a failed sign-in from `address` (a new window when the last one is over).
    func failed(from address: String, within seconds: Int) async throws
    /// Forgets the failures of `address` (after a sign-in that succeeded).
    func clearFailures(from address: String) async throws
}

/// The sign-ins of one server, in its memory: a restart signs everyone out. Times are the
/// system's uptime, which no clock change moves.
final class SignInsInMemory: SignInKeeper {
    private struct Kept {
        var session: StaffSessions.Session
        var token: String
        /// When it ends, in `DispatchTime` nanoseconds.
        var expires: UInt64
    }

    private let sessions = NIOLockedValueBox<[String: Kept]>([:])
    private let failures = NIOLockedValueBox<[String: (count: Int, since: UInt64)]>([:])

    func keep(_ session: StaffSessions.Session, id: String, token: String, lifetimeSeconds: Int) async throws {
        let now = Self.now
        sessions.withLockedValue { sessions in
            // Expired sessions go whenever a new one comes.
            sessions = sessions.filter { $0.value.expires > now }
            sessions[id] = Kept(session: session, token: token, expires: now + UInt64(max(0, lifetimeSeconds)) * 1_000_000_000)
        }
    }

    func session(_ id: String, tokens: [StaffToken]) async throws -> StaffSessions.Session? {
        let kept: Kept? = sessions.withLockedValue { sessions in
            guard let kept = sessions[id] else { return nil }
            guard kept.expires > Self.now else {
                sessions[id] = nil
                return nil
            }
            return kept
        }
        guard let kept, tokens.contains(where: { $0.name == kept.session.name && HeaderValues.sameToken($0.token, kept.token) }) else { return nil }
        return kept.session
    }

    func end(_ id: String) async throws {
        sessions.withLockedValue { $0[id] = nil }
    }

    func failures(from address: String, within seconds: Int) async throws -> (count: Int, elapsed: Int)? {
        failures.withLockedValue { failures in
            guard let record = failures[address] else { return nil }
            let elapsed = Int((Self.now &- record.since) / 1_000_000_000)
            if elapsed >= seconds {
                failures[address] = nil
                return nil
            }
            return (record.count, elapsed)
        }
    }

    func failed(from address: String, within seconds: Int) async throws {
        let now = Self.now
        failures.withLockedValue { failures in
            if failures.count > 100_000 { failures.removeAll() }
            var record = failures[address] ?? (0, now)
            if Int((now &- record.since) / 1_000_000_000) >= seconds { record = (0, now) }
            failures[address] = (record.count + 1, record.since)
        }
    }

    func clearFailures(from address: String) async throws {
        failures.withLockedValue { $0[address] = nil }
    }

    private static var now: UInt64 { DispatchTime.now().uptimeNanoseconds }
}
