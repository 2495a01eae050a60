import Foundation

// The values of request headers the server reads, parsed with Foundation alone (so that the
// fuzz build compiles this file without Hummingbird: `Fuzz/http-headers.swift`). None of these
// may trap, whatever a client sends.

/// `If-None-Match`, `Accept-Encoding` and bearer tokens.
enum HeaderValues {
    /// Whether an `If-None-Match` value names one of `etags` (weak comparison, `*` for any).
    static func matches(_ condition: String, etags: [String]) -> Bool {
        for candidate in condition.split(separator: ",") {
            var tag = candidate.trimmingCharacters(in: .whitespaces)
            if tag == "*" { return true }
            if tag.hasPrefix("W/") { tag.removeFirst(2) }
            if etags.contains(tag) { return true }
        }
        return false
    }

    /// The client of a request that came through `peer`: `peer` itself, unless it is one of the
    /// `trusted` proxies; then the last address of the `X-Forwarded-For` values (each proxy
    /// appends the address it saw, so the ones before may be made up) that is not a trusted
    /// proxy, or `peer` when there is none.
    static func client(peer: String, forwardedFor: [String], trusted: [String]) -> String {
        guard trusted.contains(peer) else { return peer }
        let chain = forwardedFor.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        return chain.last { !$0.isEmpty && !trusted.contains($0) } ?? peer
    }

    /// Whether `Accept-Encoding` allows gzip (a `q=0` refuses it).
    static func acceptsGzip(_ header: String?) -> Bool {
        guard let header else { return false }
        for item in header.lowercased().split(separator: ",") {
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.first == "gzip" || parts.first == "x-gzip" || parts.first == "*" else { continue }
            let q = parts.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            return q > 0
        }
        return false
    }

    /// Whether an `Authorization` header value is `Bearer TOKEN` with `token` (compared with
    /// `sameToken`); false with no header or no token configured.
    static func carriesBearer(_ authorization: String?, token: String?) -> Bool {
        guard let token, !token.isEmpty, let authorization else { return false }
        let parts = authorization.split(separator: " ", maxSplits: 1)
        return parts.count == 2 && parts[0].lowercased() == "bearer"
            && sameToken(String(parts[1]).trimmingCharacters(in: .whitespaces), token)
    }

    /// Compares in time that depends on the lengths only, not on where the texts differ.
    static func sameToken(_ given: String, _ expected: String) -> Bool {
        let a = Array(given.utf8)
        let b = Array(expected.utf8)
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for index in 0..<max(a.count, b.count) {
            difference |= (index < a.count ? a[index] : 0) ^ (index < b.count ? b[index] : 0)
        }
        return difference == 0
    }
}

/// HTTP dates (IMF-fixdate, `Sun, 06 Nov 1994 08:49:37 GMT`), in whole seconds.
enum HTTPDate {
    private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    static func format(_ seconds: Int64) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        let clock = String(format: "%02d %04d %02d:%02d:%02d", parts.tm_mday, Int(parts.tm_year) + 1900, parts.tm_hour, parts.tm_min, parts.tm_sec)
        // `01 2021 10:00:00` → `01 Oct 2021 10:00:00`
        let day = clock.prefix(2)
        return "\(days[Int(parts.tm_wday)]), \(day) \(months[Int(parts.tm_mon)])\(clock.dropFirst(2)) GMT"
    }

    /// The years an HTTP date may name here: a date outside is no date a file can carry, and
    /// RFC 9110 (§13.1.3, §13.1.5) says to ignore an invalid conditional.
    static let years = 1970...9999

    /// Unix seconds of an IMF-fixdate; nil for anything else, a field out of its range included.
    /// Never traps, whatever the header holds.
    static func parse(_ text: String) -> Int64? {
        let fields = text.trimmingCharacters(in: .whitespaces).split(separator: " ")
        func digits(_ field: Substring, _ counts: ClosedRange<Int>) -> Bool { counts.contains(field.count) && field.allSatisfy { ("0"..."9").contains($0) } }
        guard fields.count == 6, fields[5] == "GMT", digits(fields[1], 1...2), digits(fields[3], 4...4),
              let day = Int(fields[1]), let month = months.firstIndex(of: String(fields[2])), let year = Int(fields[3]),
              years.contains(year), (1...31).contains(day) else { return nil }
        let clock = fields[4].split(separator: ":", omittingEmptySubsequences: false)
        guard clock.count == 3, clock.allSatisfy({ digits($0, 2...2) }) else { return nil }
        let numbers = clock.compactMap { Int($0) }
        guard numbers.count == 3, (0...23).contains(numbers[0]), (0...59).contains(numbers[1]), (0...60).contains(numbers[2]) else { return nil }
        // Every field is small now: none of these conversions can trap.
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(numbers[0])
        parts.tm_min = Int32(numbers[1])
        parts.tm_sec = Int32(numbers[2])
        // timegm normalizes what does not exist (31 Feb is 3 Mar; 23:59:60 on 31 Dec 9999 is
        // year 10000): such a date is no date.
        let seconds = Int64(timegm(&parts))
        guard parts.tm_year == Int32(year - 1900), parts.tm_mon == Int32(month), parts.tm_mday == Int32(day),
              (0...253_402_300_799).contains(seconds) else { return nil }
        return seconds
    }
}

/// The language of a page: Swedish unless the browser prefers English (`Accept-Language`).
enum PageLanguage: String, Sendable {
    case sv, en

    /// The first of Swedish or English in the order of the header's weights; Swedish by default.
    static func preferred(_ header: String?) -> PageLanguage {
        guard let header else { return .sv }
        var ranked: [(tag: String, q: Double, order: Int)] = []
        for (order, item) in header.split(separator: ",").enumerated() {
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = parts.first?.lowercased(), !tag.isEmpty else { continue }
            var q = 1.0
            for parameter in parts.dropFirst() where parameter.hasPrefix("q=") {
                q = Double(parameter.dropFirst(2)) ?? 0
            }
            ranked.append((tag, q, order))
        }
        for entry in ranked.sorted(by: { ($0.q, -$0.order) > ($1.q, -$1.order) }) where entry.q > 0 {
            let primary = entry.tag.split(separator: "-").first.map(String.init) ?? entry.tag
            if primary == "sv" { return .sv }
            if primary == "en" { return .en }
        }
        return .sv
    }

    /// `sv` text or `en` text.
    func pick(_ sv: String, _ en: String) -> String { self == .sv ? sv : en }
}
