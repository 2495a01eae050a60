import Foundation
import PostgresNIO

/// Staff sign-ins in the store (issue 23 part 4): what `serve --database` keeps instead of its
/// memory, so that servers behind a load balancer hold no state of their own. Time is the
/// database server's (`now()`), one clock for every server; ids and tokens are compared by their
/// SHA-256 digests, made by PostgreSQL (`sha256`, built in since PostgreSQL 11).
extension PostgresIndex {
    /// Keeps a new sign-in under `id` until `lifetimeSeconds` from now, and forgets the expired ones.
    public func keepSignIn(id: String, name: String, formToken: String, token: String, lifetimeSeconds: Int) async throws {
        try await transaction { connection in
            try await connection.query("DELETE FROM staff_sign_in WHERE expires_at <= now()", logger: self.logger)
            try await connection.query("""
                INSERT INTO staff_sign_in (id_digest, name, form_token, token_digest, expires_at)
                VALUES (sha256(convert_to(\(id), 'UTF8')), \(name), \(formToken), sha256(convert_to(\(token), 'UTF8')),
                        now() + make_interval(secs => \(Double(lifetimeSeconds))))
                """, logger: self.logger)
        }
    }

    /// The name and form token of the live sign-in `id`, when it was made with the token that
    /// `staff` (name, token pairs: the staff file of the server asking) gives its name now; nil
    /// for an unknown or expired id, or a name whose token changed or went.
    public func signIn(id: String, staff: [(name: String, token: String)]) async throws -> (name: String, formToken: String)? {
        let names = staff.map(\.name), tokens = staff.map(\.token)
        let rows = try await run("""
            SELECT s.name, s.form_token FROM staff_sign_in s
            JOIN unnest(\(names)::text[], \(tokens)::text[]) AS staff (name, token)
              ON staff.name = s.name AND sha256(convert_to(staff.token, 'UTF8')) = s.token_digest
            WHERE s.id_digest = sha256(convert_to(\(id), 'UTF8')) AND s.expires_at > now()
            """)
        var found: (name: String, formToken: String)?
        for try await (name, formToken) in rows.decode((String, String).self) { found = (name, formToken) }
        return found
    }

    /// Forgets the sign-in `id` on every server (signing out).
    public func endSignIn(id: String) async throws {
        _ = try await run("DELETE FROM staff_sign_in WHERE id_digest = sha256(convert_to(\(id), 'UTF8'))")
    }

    /// The failed sign-ins from `address` in the window begun by the first of them, and the
    /// seconds since; nil when none are in the last `within` seconds (older records go).
    public func signInFailures(from address: String, within seconds: Int) async throws -> (count: Int, elapsed: Int)? {
        try await transaction { connection in
            try await connection.query("DELETE FROM staff_sign_in_failure WHERE since <= now() - make_interval(secs => \(Double(seconds)))",
                                       logger: self.logger)
            let rows = try await connection.query("""
                SELECT failures, floor(extract(epoch FROM now() - since))::int FROM staff_sign_in_failure WHERE address = \(address)
                """, logger: self.logger)
            var found: (count: Int, elapsed: Int)?
            for try await (count, elapsed) in rows.decode((Int, Int).self) { found = (count, max(0, elapsed)) }
            return found
        }
    }

    /// Counts a failed sign-in from `address`: one more in its window, or the first of a new
    /// window when the last began `within` seconds ago or more. One statement, so that failures
    /// at several servers at once all count.
    public func signInFailed(from address: String, within seconds: Int) async throws {
        _ = try await run("""
            INSERT INTO staff_sign_in_failure AS f (address, failures, since) VALUES (\(address), 1, now())
            ON CONFLICT (address) DO UPDATE SET
              failures = CASE WHEN f.since <= now() - make_interval(secs => \(Double(seconds))) THEN 1 ELSE f.failures + 1 END,
              since = CASE WHEN f.since <= now() - make_interval(secs => \(Double(seconds))) THEN now() ELSE f.since END
            """)
    }

    /// Forgets the failed sign-ins of `address`.
    public func clearSignInFailures(from address: String) async throws {
        _ = try await run("DELETE FROM staff_sign_in_failure WHERE address = \(address)")
    }
}
