import Foundation
import Testing
import TestSupport

@testable import Schedule

/// Properties over every fixture and sample file: the JSON output reads back to itself, the
/// order of events in the source does not matter, and damaged files never crash the importer.
@Suite("properties")
struct PropertyTests {
    static let files: [String] = Fixture.all + Fixture.mediaFiles.map { "Media-" + $0 }

    static func bytes(_ name: String) throws -> Data {
        if name.hasPrefix("Media-") {
            return try Data(contentsOf: Fixture.media.appendingPathComponent(String(name.dropFirst(6))))
        }
        return try Fixture.data(name)
    }

    @Test("import → JSON → import gives the same JSON and the same sessions", arguments: files)
    func roundTrip(file: String) throws {
        let first = try ScheduleLoader.parse(Self.bytes(file), fileName: file)
        let json = try first.jsonData()
        let second = try ScheduleLoader.parse(json, fileName: "\(file).roundtrip.json")
        #expect(try second.jsonData() == json)
        #expect(second.conference == first.conference)
        // The JSON contract has no `description`; everything else survives.
        let withoutDescriptions = first.sessions.map { session in
            var copy = session
            copy.description = nil
            return copy
        }
        #expect(second.sessions == withoutDescriptions)
    }

    @Test("events in another order give the same output", arguments: files)
    func shuffled(file: String) throws {
        let data = try Self.bytes(file)
        let expected = try ScheduleLoader.parse(data, fileName: file).jsonData()
        var generator = SeededGenerator(seed: file.utf8.reduce(0x5EED) { $0 &* 31 &+ UInt64($1) })
        // Latin-1 maps each byte to one character and back, so the shuffle keeps bytes that are
        // not UTF-8 on their own (the Outlook fixture folds inside characters).
        let text = String(String.UnicodeScalarView(data.map { Unicode.Scalar($0) }))
        for round in 0..<12 {
            let reordered: String
            switch ScheduleFormat.detect(data, fileName: file) {
            case .c3vocJSON:
                let shuffled = try Shuffle.json(data, using: &generator)
                reordered = String(String.UnicodeScalarView(shuffled.utf8.map { Unicode.Scalar($0) }))
            case .scheduleXML: reordered = Shuffle.blocks(text, open: "<event", close: "</event>", using: &generator)
            case .iCalendar: reordered = Shuffle.blocks(text, open: "BEGIN:VEVENT", close: "END:VEVENT", using: &generator)
            case .csv: reordered = Shuffle.csvRows(text, using: &generator)
            case nil: Issue.record("\(file): format not detected"); return
            }
            let bytes = reordered.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) }
            let output = try ScheduleLoader.parse(Data(bytes), fileName: file).jsonData()
            #expect(output == expected, "\(file), round \(round)")
        }
    }

    @Test("shuffling really moves events (the shuffle test is not vacuous)")
    func shuffleMoves() throws {
        var generator = SeededGenerator(seed: 7)
        let text = String(decoding: try Fixture.data("frab-schedule.xml"), as: UTF8.self)
        let moved = (0..<5).map { _ in Shuffle.blocks(text, open: "<event", close: "</event>", using: &generator) }
        #expect(moved.contains { $0 != text })
        #expect(moved.allSatisfy { $0.count == text.count })
    }

    @Test("thousands of damaged files never crash, and every error names the file", arguments: files)
    func mutations(file: String) throws {
        let original = [UInt8](try Self.bytes(file))
        var generator = SeededGenerator(seed: 0xBADF00D)
        let name = "mutant-\(file)"
        let palette: [UInt8] = Array("\"{}[]<>:;,\\&#/=-+TZ0123456789 \n\r\t".utf8) + [0x00, 0xC3, 0xE2, 0xFF, 0x80]
        var failures = 0
        var successes = 0
        for round in 0..<300 {
            var bytes = original
            if round % 6 == 5 {
                bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &generator)))
            } else {
                for _ in 0..<Int.random(in: 1...4, using: &generator) where !bytes.isEmpty {
                    let at = Int.random(in: 0..<bytes.count, using: &generator)
                    switch Int.random(in: 0..<5, using: &generator) {
                    case 0: bytes[at] = palette.randomElement(using: &generator) ?? 0
                    case 1: bytes[at] = UInt8.random(in: 0...255, using: &generator)
                    case 2: bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...12, using: &generator)))
                    case 3: bytes.insert(contentsOf: (0..<Int.random(in: 1...4, using: &generator)).map { _ in palette.randomElement(using: &generator) ?? 0 }, at: at)
                    default:
                        let end = min(bytes.count, at + Int.random(in: 1...40, using: &generator))
                        bytes.insert(contentsOf: bytes[at..<end], at: Int.random(in: 0...bytes.count, using: &generator))
                    }
                }
            }
            do throws(ScheduleError) {
                let programme = try ScheduleLoader.parse(Data(bytes), fileName: name)
                successes += 1
                for session in programme.sessions {
                    #expect(!session.title.isEmpty && !session.guid.isEmpty && session.end >= session.start)
                }
                #expect((try? programme.jsonData()) != nil)
            } catch {
                failures += 1
                #expect(error.description.hasPrefix(name), "round \(round): \(error)")
                #expect(!error.message.isEmpty)
            }
        }
        // Both outcomes happen, so the loop tests the error path and the lenient path.
        #expect(failures > 0)
        #expect(successes > 0)
    }

    @Test("a generated programme of 3,000 events imports whole and in order")
    func generated() throws {
        var events: [String] = []
        for index in 0..<3000 {
            let day = 4 + index % 5
            let minutes = 8 * 60 + (index / 5) % 40 * 15
            events.append("""
                {"guid": "00000000-0000-4000-8000-\(String(format: "%012d", index))", "id": \(index), "title": "Talk \(index)",
                 "date": "2021-10-0\(day)T\(String(format: "%02d:%02d", minutes / 60, minutes % 60)):00+02:00", "duration": "00:15",
                 "room": "Room \(index % 7)", "persons": [{"name": "Speaker \(index % 13)"}]}
                """)
        }
        let text = #"{"schedule": {"conference": {"title": "Big", "time_zone_name": "Europe/Stockholm", "days": [{"date": "2021-10-04", "rooms": {"All": ["#
            + events.joined(separator: ",") + "]}}]}}}"
        let programme = try parse(text, name: "big.json")
        #expect(programme.sessions.count == 3000)
        #expect(programme.warnings.isEmpty)
        #expect(Set(programme.sessions.map(\.guid)).count == 3000)
        #expect(zip(programme.sessions, programme.sessions.dropFirst()).allSatisfy { ScheduleLoader.sessionOrder($0, $1) })
    }
}

/// Reorders the events of a schedule file without changing what they say.
enum Shuffle {
    /// c3voc JSON: the days, each room's events, flat event lists and the members of every
    /// object; lists of persons or keywords keep their order, since that order is data.
    static func json(_ data: Data, using generator: inout SeededGenerator) throws -> String {
        guard case .success(let root) = JSONReader.parse([UInt8](data)) else { throw CancellationError() }
        return write(shuffle(root, key: nil, using: &generator))
    }

    private static func shuffle(_ node: JSONNode, key: String?, using generator: inout SeededGenerator) -> JSONNode {
        switch node.value {
        case .array(let elements):
            var items = elements.map { shuffle($0, key: nil, using: &generator) }
            if ["days", "events", "sessions", "room events"].contains(key ?? "") { items.shuffle(using: &generator) }
            return JSONNode(value: .array(items), offset: node.offset)
        case .object(let members):
            var items = members.map { member in
                (key: member.key, node: shuffle(member.node, key: key == "rooms" ? "room events" : member.key, using: &generator))
            }
            items.shuffle(using: &generator)
            return JSONNode(value: .object(items), offset: node.offset)
        default:
            return node
        }
    }

    private static func write(_ node: JSONNode) -> String {
        switch node.value {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .number(let text): return text
        case .string(let text): return quote(text)
        case .array(let elements): return "[" + elements.map(write).joined(separator: ",") + "]"
        case .object(let members): return "{" + members.map { quote($0.key) + ":" + write($0.node) }.joined(separator: ",") + "}"
        }
    }

    private static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }

    /// Blocks from `open` to `close` that follow each other with only whitespace between them
    /// (an XML room's events, a calendar's VEVENTs) change places within their run.
    static func blocks(_ text: String, open: String, close: String, using generator: inout SeededGenerator) -> String {
        var blocks: [Range<String.Index>] = []
        var searchFrom = text.startIndex
        while let start = text.range(of: open, range: searchFrom..<text.endIndex) {
            // `<event` but not `<events`.
            let after = start.upperBound < text.endIndex ? text[start.upperBound] : " "
            guard after == " " || after == ">" || after == "\r" || after == "\n" || open.hasPrefix("BEGIN"),
                let end = text.range(of: close, range: start.upperBound..<text.endIndex)
            else {
                searchFrom = start.upperBound
                continue
            }
            blocks.append(start.lowerBound..<end.upperBound)
            searchFrom = end.upperBound
        }
        // Runs of adjacent blocks.
        var runs: [[Range<String.Index>]] = []
        for block in blocks {
            if let last = runs.last?.last, text[last.upperBound..<block.lowerBound].allSatisfy(\.isWhitespace) {
                runs[runs.count - 1].append(block)
            } else {
                runs.append([block])
            }
        }
        var out = ""
        var cursor = text.startIndex
        for run in runs {
            let order = run.shuffled(using: &generator)
            for (slot, block) in zip(run, order) {
                out += text[cursor..<slot.lowerBound]
                out += text[block]
                cursor = slot.upperBound
            }
        }
        out += text[cursor...]
        return out
    }

    /// CSV: the data rows change places; the header (and a `sep=` line) stay first.
    static func csvRows(_ text: String, using generator: inout SeededGenerator) -> String {
        var records: [String] = []
        var current = ""
        var quoted = false
        for character in text {
            current.append(character)
            if character == "\"" { quoted.toggle() }
            if !quoted, character == "\n" || character == "\r\n" {
                records.append(current)
                current = ""
            }
        }
        if !current.isEmpty { records.append(current.hasSuffix("\n") ? current : current + "\n") }
        let headerCount = records.first?.lowercased().hasPrefix("sep=") == true ? 2 : 1
        let head = records.prefix(headerCount)
        let rows = records.dropFirst(headerCount).shuffled(using: &generator)
        return (head + rows).joined()
    }
}
