import Foundation

/// A JSON value that remembers where it was in the file, so an error about a value can name its
/// line and column as well as its JSON path.
///
/// efterhand parses JSON itself rather than through `JSONSerialization` for three reasons: every
/// value keeps its byte offset, objects keep their key order (a c3voc day's rooms are an object),
/// and numbers keep their text (`"id": 101` stays `101`, never `101.0`).
struct JSONNode: Sendable {
    var value: JSONValue
    /// Byte offset of the value's first character.
    var offset: Int
}

enum JSONValue: Sendable {
    case null
    case bool(Bool)
    /// The number's text as written.
    case number(String)
    case string(String)
    case array([JSONNode])
    /// Members in file order; a key given twice keeps both, and lookups take the last.
    case object([(key: String, node: JSONNode)])
}

extension JSONNode {
    /// The member named `key`, for objects; the last one when the key is repeated.
    subscript(key: String) -> JSONNode? {
        guard case .object(let members) = value else { return nil }
        return members.last(where: { $0.key == key })?.node
    }

    /// The first of `keys` that is present and not null.
    func first(_ keys: String...) -> JSONNode? {
        for key in keys {
            if let node = self[key], !node.isNull { return node }
        }
        return nil
    }

    var isNull: Bool { if case .null = value { true } else { false } }

    var members: [(key: String, node: JSONNode)]? {
        if case .object(let members) = value { members } else { nil }
    }

    var elements: [JSONNode]? {
        if case .array(let elements) = value { elements } else { nil }
    }

    /// Strings as they are; numbers and booleans as their text. Nil for null, arrays and objects.
    var text: String? {
        switch value {
        case .string(let text), .number(let text): text
        case .bool(let flag): flag ? "true" : "false"
        default: nil
        }
    }

    /// A human name for the kind of value, for messages.
    var kind: String {
        switch value {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

/// A syntax error, at a byte offset.
struct JSONSyntaxError: Error {
    var offset: Int
    var message: String
}

/// A strict-enough, fast JSON reader over bytes (RFC 8259), lenient in two ways real exports need:
/// a trailing comma before `]` or `}` is accepted, and bytes that are not UTF-8 inside strings
/// become U+FFFD instead of failing the file.
struct JSONReader {
    static let maximumDepth = 200

    static func parse(_ bytes: [UInt8]) -> Result<JSONNode, JSONSyntaxError> {
        bytes.withUnsafeBufferPointer { buffer in
            var reader = JSONReader(bytes: buffer)
            do throws(JSONSyntaxError) {
                if buffer.starts(with: [0xEF, 0xBB, 0xBF]) { reader.index = 3 }
                let root = try reader.value()
                reader.skipWhitespace()
                guard reader.index == buffer.count else {
                    throw JSONSyntaxError(offset: reader.index, message: "unexpected \(reader.describeHere()) after the end of the JSON document")
                }
                return .success(root)
            } catch {
                return .failure(error)
            }
        }
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    private var depth = 0

    private init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private func describeHere() -> String {
        guard index < bytes.count else { return "end of file" }
        let byte = bytes[index]
        if byte >= 0x21, byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        if byte >= 0x80 {
            // Show the whole character when the bytes are UTF-8.
            let end = min(bytes.count, index + 4)
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[index..<end]), as: UTF8.self)
            if let first = text.first, first != "\u{FFFD}" { return "'\(first)'" }
        }
        return String(format: "byte 0x%02X", byte)
    }

    private mutating func value() throws(JSONSyntaxError) -> JSONNode {
        skipWhitespace()
        guard index < bytes.count else {
            throw JSONSyntaxError(offset: index, message: "unexpected end of file; a value was expected")
        }
        let start = index
        switch bytes[index] {
        case UInt8(ascii: "{"): return JSONNode(value: try object(), offset: start)
        case UInt8(ascii: "["): return JSONNode(value: try array(), offset: start)
        case UInt8(ascii: "\""): return JSONNode(value: .string(try string()), offset: start)
        case UInt8(ascii: "t"): try literal("true"); return JSONNode(value: .bool(true), offset: start)
        case UInt8(ascii: "f"): try literal("false"); return JSONNode(value: .bool(false), offset: start)
        case UInt8(ascii: "n"): try literal("null"); return JSONNode(value: .null, offset: start)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return JSONNode(value: .number(try number()), offset: start)
        default:
            throw JSONSyntaxError(offset: index, message: "unexpected \(describeHere()); a value was expected")
        }
    }

    private mutating func literal(_ word: StaticString) throws(JSONSyntaxError) {
        let length = word.utf8CodeUnitCount
        let expected = UnsafeBufferPointer(start: word.utf8Start, count: length)
        guard index + length <= bytes.count, bytes[index..<index + length].elementsEqual(expected) else {
            throw JSONSyntaxError(offset: index, message: "unexpected \(describeHere()); a value was expected")
        }
        index += length
    }

    private mutating func number() throws(JSONSyntaxError) -> String {
        let start = index
        func digits(_ reader: inout JSONReader) -> Int {
            var count = 0
            while reader.index < reader.bytes.count, reader.bytes[reader.index] >= 0x30, reader.bytes[reader.index] <= 0x39 {
                reader.index += 1
                count += 1
            }
            return count
        }
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard digits(&self) > 0 else { throw JSONSyntaxError(offset: start, message: "a number has no digits") }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits(&self) > 0 else { throw JSONSyntaxError(offset: index, message: "a number has no digits after its decimal point") }
        }
        if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digits(&self) > 0 else { throw JSONSyntaxError(offset: index, message: "a number has no digits in its exponent") }
        }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
    }

    private mutating func string() throws(JSONSyntaxError) -> String {
        let open = index
        index += 1
        let start = index
        // Fast path: no escapes.
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                index += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            index += 1
        }
        var buffer = Array(bytes[start..<index])
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return String(decoding: buffer, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard index + 1 < bytes.count else {
                    throw JSONSyntaxError(offset: open, message: "a string that starts here is never closed")
                }
                try readEscape(into: &buffer)
            default:
                buffer.append(byte)
                index += 1
            }
        }
        throw JSONSyntaxError(offset: open, message: "a string that starts here is never closed")
    }

    /// Reads the escape at `index` (its backslash and at least one byte after it are there) and
    /// appends the bytes it stands for.
    private mutating func readEscape(into buffer: inout [UInt8]) throws(JSONSyntaxError) {
        let escape = bytes[index + 1]
        index += 2
        switch escape {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): buffer.append(escape)
        case UInt8(ascii: "b"): buffer.append(0x08)
        case UInt8(ascii: "f"): buffer.append(0x0C)
        case UInt8(ascii: "n"): buffer.append(0x0A)
        case UInt8(ascii: "r"): buffer.append(0x0D)
        case UInt8(ascii: "t"): buffer.append(0x09)
        case UInt8(ascii: "u"):
            // A lone surrogate cannot be text; it becomes U+FFFD.
            let character = Unicode.Scalar(try unicodeEscape()) ?? "\u{FFFD}"
            buffer.append(contentsOf: Array(String(Character(character)).utf8))
        default:
            throw JSONSyntaxError(offset: index - 2, message: "unknown escape '\\\(Character(Unicode.Scalar(escape)))' in a string")
        }
    }

    /// The code point of a `\u` escape whose four hex digits start at `index`, joined with the
    /// `\u` escape after it when the two are a surrogate pair.
    private mutating func unicodeEscape() throws(JSONSyntaxError) -> UInt32 {
        var scalar = try hex4()
        if (0xD800..<0xDC00).contains(scalar), index + 1 < bytes.count,
            bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
        {
            let saved = index
            index += 2
            let low = try hex4()
            if (0xDC00..<0xE000).contains(low) {
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else {
                index = saved
            }
        }
        return scalar
    }

    private mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
        guard index + 4 <= bytes.count else {
            throw JSONSyntaxError(offset: index, message: "a \\u escape needs four hex digits")
        }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw JSONSyntaxError(offset: index, message: "a \\u escape needs four hex digits")
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    private mutating func enter() throws(JSONSyntaxError) {
        depth += 1
        guard depth <= JSONReader.maximumDepth else {
            throw JSONSyntaxError(offset: index, message: "arrays and objects are nested more than \(JSONReader.maximumDepth) deep")
        }
    }

    private mutating func array() throws(JSONSyntaxError) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        index += 1
        var elements: [JSONNode] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(elements)
        }
        while true {
            elements.append(try value())
            skipWhitespace()
            guard index < bytes.count else {
                throw JSONSyntaxError(offset: index, message: "unexpected end of file inside an array")
            }
            switch bytes[index] {
            case UInt8(ascii: ","):
                index += 1
                skipWhitespace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                    index += 1
                    return .array(elements)
                }
            case UInt8(ascii: "]"):
                index += 1
                return .array(elements)
            default:
                throw JSONSyntaxError(offset: index, message: "unexpected \(describeHere()) in an array; ',' or ']' was expected")
            }
        }
    }

    private mutating func object() throws(JSONSyntaxError) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        index += 1
        var members: [(key: String, node: JSONNode)] = []
        while true {
            skipWhitespace()
            guard index < bytes.count else {
                throw JSONSyntaxError(offset: index, message: "unexpected end of file inside an object")
            }
            if bytes[index] == UInt8(ascii: "}") {
                index += 1
                return .object(members)
            }
            guard bytes[index] == UInt8(ascii: "\"") else {
                throw JSONSyntaxError(offset: index, message: "unexpected \(describeHere()) in an object; a key in double quotes was expected")
            }
            let key = try string()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
                throw JSONSyntaxError(offset: index, message: "unexpected \(describeHere()) after the key \"\(abbreviated(key, limit: 40))\"; ':' was expected")
            }
            index += 1
            members.append((key, try value()))
            skipWhitespace()
            guard index < bytes.count else {
                throw JSONSyntaxError(offset: index, message: "unexpected end of file inside an object")
            }
            switch bytes[index] {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"):
                index += 1
                return .object(members)
            default:
                throw JSONSyntaxError(offset: index, message: "unexpected \(describeHere()) in an object; ',' or '}' was expected")
            }
        }
    }
}

/// JSON path text: `$.schedule.conference.days[0].rooms["Sal A"][1]`.
struct JSONPath {
    private(set) var text: String

    static let root = JSONPath(text: "$")

    func key(_ key: String) -> JSONPath {
        let plain = !key.isEmpty && key.utf8.allSatisfy { byte in
            (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z") || byte == UInt8(ascii: "_")
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
        }
        if plain { return JSONPath(text: text + "." + key) }
        let escaped = key.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return JSONPath(text: text + "[\"" + escaped + "\"]")
    }

    func index(_ index: Int) -> JSONPath { JSONPath(text: text + "[\(index)]") }
}
