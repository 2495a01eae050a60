/// The text of an ASS event as libavcodec's subtitle decoders hand it over
/// (`ReadOrder,Layer,Style,Name,MarginL,MarginR,MarginV,Effect,Text`), made plain.
enum ASSText {
    /// The plain text of an event and its `Name` field (the speaker, in ASS), or of a
    /// `Dialogue:` line as a script file has it.
    static func event(_ line: String) -> (text: String, name: String?) {
        var body = Substring(line)
        var fieldsBeforeText = 8
        var nameField = 3
        if body.hasPrefix("Dialogue:") {
            // Layer,Start,End,Style,Name,MarginL,MarginR,MarginV,Effect,Text
            body = body.dropFirst("Dialogue:".count)
            fieldsBeforeText = 9
            nameField = 4
        }
        var fields: [Substring] = []
        var rest = body
        while fields.count < fieldsBeforeText, let comma = rest.firstIndex(of: ",") {
            fields.append(rest[..<comma])
            rest = rest[rest.index(after: comma)...]
        }
        // Fewer fields than the format has: not an event line, so all of it is text.
        guard fields.count == fieldsBeforeText else { return (plain(String(body)), nil) }
        let name = fields[nameField].trimmingSpaces
        return (plain(String(rest)), name.isEmpty ? nil : String(name))
    }

    /// ASS text without override blocks (`{\i1}`), with `\N` and `\n` as line breaks, `\h` as a
    /// space and `\{` `\}` as braces; lines trimmed, empty ones dropped.
    static func plain(_ text: String) -> String {
        var output = ""
        var index = text.startIndex
        let lastBrace = text.lastIndex(of: "}")
        while index < text.endIndex {
            let character = text[index]
            let next = text.index(after: index)
            if character == "{", let lastBrace, lastBrace > index, let close = text[index...].firstIndex(of: "}") {
                index = text.index(after: close)
                continue
            }
            if character == "\\", next < text.endIndex {
                switch text[next] {
                case "N", "n": output.append("\n")
                case "h": output.append(" ")
                case "{": output.append("{")
                case "}": output.append("}")
                default:
                    output.append("\\")
                    index = next
                    continue
                }
                index = text.index(after: next)
                continue
            }
            output.append(character)
            index = next
        }
        return output.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r" })
            .map { $0.trimmingSpaces }
            .filter { !$0.isEmpty }
            .joined(separator: "\n")
    }
}

extension Substring {
    /// Without leading and trailing spaces and tabs.
    var trimmingSpaces: Substring {
        var slice = self
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return slice
    }
}
