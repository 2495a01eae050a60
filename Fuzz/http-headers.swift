import Foundation
@testable import Server

/// Fuzz target: the request headers the server reads besides `Range` (`If-Modified-Since`,
/// `If-Range`, `If-None-Match`, `Accept-Encoding`, `Accept-Language`, `Authorization`,
/// `X-Forwarded-For`). None
/// may trap; a parsed HTTP date lies in the years the server takes and formats back to itself.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ start: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
    let header = String(decoding: inputBytes(start, count), as: UTF8.self)
    if let seconds = HTTPDate.parse(header) {
        let again = HTTPDate.format(seconds)
        require(HTTPDate.parse(again) == seconds, "\(header) parsed to \(seconds), which formats as \(again) and parses to \(String(describing: HTTPDate.parse(again)))")
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        require(HTTPDate.years.contains(Int(parts.tm_year) + 1900), "\(header) parsed to year \(parts.tm_year + 1900)")
    }
    _ = HeaderValues.matches(header, etags: ["\"5a-1f\"", "\"5a-1f-gzip\""])
    _ = HeaderValues.acceptsGzip(header)
    _ = PageLanguage.preferred(header)
    let client = HeaderValues.client(peer: "10.0.0.1", forwardedFor: [header], trusted: ["10.0.0.1"])
    require(client == "10.0.0.1" || header.contains(client), "a client not named by \(header): \(client)")
    require(HeaderValues.client(peer: "10.0.0.2", forwardedFor: [header], trusted: ["10.0.0.1"]) == "10.0.0.2", "an untrusted peer's header believed")
    require(HeaderValues.sameToken(header, header), "a token differs from itself: \(header)")
    require(!HeaderValues.sameToken(header, header + "x"), "a token equals a longer one: \(header)")
    require(!HeaderValues.carriesBearer(header, token: "t0ken") || header.lowercased().hasPrefix("bearer"), "no bearer in \(header)")
    require(HeaderValues.carriesBearer("Bearer " + "t0ken", token: "t0ken"), "the token itself is refused")
    return 0
}
