import Feed
import Foundation

/// The search answer written by hand, byte for byte as `APIJSON.encode` writes it (sorted keys,
/// slashes unescaped, absent optionals left out): a portal's searches are nearly all new, and
/// Foundation's JSONEncoder took as long as the search itself (issue 20: 7.8% of the server's
/// samples under wrk, beside 9.0% for the search). `SearchJSONTests` compares the two on
/// generated answers.
extension SearchResults {
    /// The answer as JSON.
    func json() -> Data {
        var out = JSONWriter()
        out.open("{")
        out.key("facets")
        out.open("{")
        for (name, counts) in [("days", facets.days), ("rooms", facets.rooms), ("speakers", facets.speakers), ("topics", facets.topics)] {
            out.key(name)
            out.counts(counts)
        }
        out.close("}")
        out.key("hits")
        out.open("[")
        for hit in hits {
            out.comma()
            hit.write(&out)
        }
        out.close("]")
        out.key("query")
        query.write(&out)
        out.key("total")
        out.number(total)
        out.close("}")
        return Data(out.bytes)
    }
}

extension SearchResults.Hit {
    /// Its keys in the encoder's sorted order.
    func write(_ out: inout JSONWriter) {
        out.open("{")
        out.key("at_seconds"); out.number(atSeconds)
        out.key("end_seconds"); out.number(endSeconds)
        out.key("recording_id"); out.number(recordingID)
        out.key("score"); out.number(score)
        out.key("segment_title"); out.string(segmentTitle)
        out.key("session_api"); out.string(sessionAPI)
        out.key("session_guid"); out.string(sessionGuid)
        out.key("session_title"); out.string(sessionTitle)
        out.key("snippet"); out.string(snippet)
        out.key("snippet_parts")
        out.open("[")
        for part in snippetParts {
            out.comma()
            out.open("{")
            out.key("marked"); out.raw(part.marked ? "true" : "false")
            out.key("text"); out.string(part.text)
            out.close("}")
        }
        out.close("]")
        out.key("start_seconds"); out.number(startSeconds)
        if let thumbnail { out.key("thumbnail"); out.string(thumbnail) }
        out.key("url"); out.string(url)
        out.key("watch_url"); out.string(watchURL)
        out.close("}")
    }
}

extension SearchResults.Query {
    /// Its keys in the encoder's sorted order.
    func write(_ out: inout JSONWriter) {
        out.open("{")
        if let day { out.key("day"); out.string(day) }
        if let language { out.key("language"); out.string(language) }
        out.key("limit"); out.number(limit)
        out.key("q"); out.string(q)
        if let room { out.key("room"); out.string(room) }
        if let speaker { out.key("speaker"); out.string(speaker) }
        if let topic { out.key("topic"); out.string(topic) }
        out.close("}")
    }
}

/// JSON written into bytes as JSONEncoder writes it with `.sortedKeys` and
/// `.withoutEscapingSlashes`: no spaces, strings escaped as it escapes them, whole doubles
/// without ".0", a dictionary's keys in the order it sorts them.
struct JSONWriter {
    private(set) var bytes: [UInt8] = []
    /// Whether the next member of the open object or array needs no comma before it.
    private var first = true

    init() {
        bytes.reserveCapacity(16 * 1024)
    }

    mutating func open(_ bracket: Unicode.Scalar) {
        bytes.append(UInt8(ascii: bracket))
        first = true
    }

    mutating func close(_ bracket: Unicode.Scalar) {
        bytes.append(UInt8(ascii: bracket))
        first = false
    }

    /// A comma unless this is the first member.
    mutating func comma() {
        if !first { bytes.append(UInt8(ascii: ",")) }
        first = false
    }

    /// `"name":`, after a comma when needed.
    mutating func key(_ name: String) {
        comma()
        string(name)
        bytes.append(UInt8(ascii: ":"))
        first = true
    }

    mutating func raw(_ text: String) {
        bytes.append(contentsOf: text.utf8)
        first = false
    }

    mutating func number<Integer: BinaryInteger>(_ value: Integer) {
        bytes.append(contentsOf: String(value).utf8)
        first = false
    }

    /// As the encoder writes a double: its shortest description, less a trailing ".0".
    mutating func number(_ value: Double) {
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        bytes.append(contentsOf: text.utf8)
        first = false
    }

    /// A dictionary of counts, its keys sorted as the encoder sorts them: by their UTF-8 bytes.
    mutating func counts(_ counts: [String: Int]) {
        open("{")
        for (name, count) in counts.sorted(by: { Self.sortedBefore($0.key, $1.key) }) {
            key(name)
            number(count)
        }
        close("}")
    }

    static func sortedBefore(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { utf8 in
            var start = 0
            for index in utf8.indices {
                let byte = utf8[index]
                guard byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 else { continue }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<index]))
                bytes.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
                case 0x08: bytes.append(UInt8(ascii: "b"))
                case 0x0C: bytes.append(UInt8(ascii: "f"))
                case 0x0A: bytes.append(UInt8(ascii: "n"))
                case 0x0D: bytes.append(UInt8(ascii: "r"))
                case 0x09: bytes.append(UInt8(ascii: "t"))
                default: bytes.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), Self.hex[Int(byte >> 4)], Self.hex[Int(byte & 0x0F)]])
                }
                start = index + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...]))
        }
        bytes.append(UInt8(ascii: "\""))
        first = false
    }

    static let hex = Array("0123456789abcdef".utf8)
}
