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

/// The staff's sign-ins: sessions kept in this process (a restart signs everyone out), each
/// with its own token for forms (CSRF) and an expiry, and failed sign-ins counted per address so
/// that guessing is throttled.
final class StaffSessions: Sendable {
    struct Session: Sendable {
        var name: String
        /// The token every form and write of this session must carry.
        var formToken: String
        /// When it ends, in `DispatchTime` nanoseconds.
        var expires: UInt64
    }

    /// How long a sign-in lasts.
    static let lifetimeSeconds = 8 * 3600
    /// Failed sign-ins from one address within `throttleSeconds` before it must wait.
    static let failuresAllowed = 5
    static let throttleSeconds = 600

    private let tokens: [StaffToken]
    private let sessions = NIOLockedValueBox<[String: Session]>([:])
    private let failures = NIOLockedValueBox<[String: (count: Int, since: UInt64)]>([:])

    init(tokens: [StaffToken]) {
        self.tokens = tokens
    }

    /// Whether anyone can sign in at all.
    var isOpen: Bool { !tokens.isEmpty }

    /// The name of the person whose token this is; every configured token is compared, each in
    /// constant time.
    func name(for token: String) -> String? {
        var found: String?
        for staff in tokens where HeaderValues.sameToken(token, staff.token) { found = staff.name }
        return found
    }

    /// A new session for `name`: its id (the cookie's value) and itself.
    func open(for name: String) -> (id: String, session: Session) {
        let session = Session(name: name, formToken: Self.randomToken(), expires: Self.now + UInt64(Self.lifetimeSeconds) * 1_000_000_000)
        let id = Self.randomToken()
        sessions.withLockedValue { sessions in
            // Expired sessions go whenever a new one comes.
            let now = Self.now
            sessions = sessions.filter { $0.value.expires > now }
            sessions[id] = session
        }
        return (id, session)
    }

    /// The live session of `id`; nil for an unknown or expired one.
    func session(_ id: String?) -> Session? {
        guard let id, !id.isEmpty else { return nil }
        return sessions.withLockedValue { sessions in
            guard let session = sessions[id] else { return nil }
            guard session.expires > Self.now else {
                sessions[id] = nil
                return nil
            }
            return session
        }
    }

    func close(_ id: String) {
        sessions.withLockedValue { $0[id] = nil }
    }

    /// Seconds `address` must wait before it may try to sign in again; nil when it may now.
    func waitBeforeTrying(from address: String) -> Int? {
        failures.withLockedValue { failures in
            guard let record = failures[address] else { return nil }
            let elapsed = Int((Self.now &- record.since) / 1_000_000_000)
            if elapsed >= Self.throttleSeconds {
                failures[address] = nil
                return nil
            }
            return record.count >= Self.failuresAllowed ? Self.throttleSeconds - elapsed : nil
        }
    }

    func failed(from address: String) {
        failures.withLockedValue { failures in
            if failures.count > 100_000 { failures.removeAll() }
            let record = failures[address] ?? (0, Self.now)
            failures[address] = (record.count + 1, record.since)
        }
    }

    func succeeded(from address: String) {
        failures.withLockedValue { $0[address] = nil }
    }

    private static var now: UInt64 { DispatchTime.now().uptimeNanoseconds }

    /// 32 random bytes (the system's generator, which is cryptographically secure) as base64url.
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
