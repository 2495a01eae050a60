import Foundation

/// WebVTT (`text/vtt`): the parser, and writers for captions and for chapter tracks.
public enum WebVTT {
    /// The media type to serve WebVTT with.
    public static let mediaType = "text/vtt"

    // MARK: - Reading

    /// Parses WebVTT text. Cue ids, cue settings, `NOTE`, `STYLE` and `REGION` blocks are
    /// skipped; `<v Name>` becomes the speaker, other tags are dropped and the entities
    /// `&amp; &lt; &gt; &nbsp; &lrm; &rlm;` (and numeric ones) are decoded.
    ///
    /// Lenient as browsers are: a missing blank line before a timing line starts a new cue,
    /// one-digit time fields and a comma for the point are read. A missing `WEBVTT` line, a
    /// timing line that does not parse, a cue ending before it starts and text outside any cue
    /// throw a `CaptionError` naming the line.
    public static func parse(_ text: String, file: String) throws(CaptionError) -> CaptionFile {
        let lines = CaptionText.lines(text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text)
        guard let first = lines.first, isHeader(first) else {
            let found = lines.first.map { CaptionText.excerpt($0) } ?? ""
            throw CaptionError(code: .missingHeader, file: file, line: 1, reason: "a WebVTT file must begin with 'WEBVTT', found '\(found)'")
        }
        var entries: [CaptionFile.Entry] = []
        var index = 1
        // The header block runs to the first blank line; a timing line in it is a sloppy file
        // that forgot the blank line, and starts the cues.
        while index < lines.count, !CaptionText.isBlank(lines[index]), !lines[index].contains("-->") { index += 1 }

        while index < lines.count {
            let line = lines[index]
            if CaptionText.isBlank(line) {
                index += 1
                continue
            }
            if !line.contains("-->"), isKeywordBlock(line) {
                index = endOfBlock(lines, from: index)
                continue
            }
            var timingIndex = index
            if !line.contains("-->") {
                // A cue identifier, which must be followed by the timing line.
                let next = index + 1
                guard next < lines.count, lines[next].contains("-->") else {
                    throw CaptionError(
                        code: .malformedCue, file: file, line: index + 1,
                        reason: "text outside a cue: '\(CaptionText.excerpt(line))' is not followed by a timing line 'start --> end'")
                }
                timingIndex = next
            }
            guard entries.count < CaptionFile.maxCues else { throw CaptionFile.tooManyCues(file: file, line: timingIndex + 1) }
            let timing = try CaptionText.timing(lines[timingIndex], file: file, number: timingIndex + 1)
            var payload: [Substring] = []
            var cursor = timingIndex + 1
            while cursor < lines.count, !CaptionText.isBlank(lines[cursor]), !lines[cursor].contains("-->") {
                payload.append(lines[cursor])
                cursor += 1
            }
            let (plain, speaker) = plainText(payload.joined(separator: "\n"))
            entries.append(CaptionFile.Entry(
                cue: Cue(start: timing.start, end: timing.end, text: plain, speaker: speaker),
                line: timingIndex + 1))
            index = cursor
        }
        return CaptionFile(file: file, format: .webVTT, entries: entries)
    }

    private static func isHeader(_ line: Substring) -> Bool {
        guard line.hasPrefix("WEBVTT") else { return false }
        let rest = line.dropFirst(6)
        return rest.isEmpty || rest.first == " " || rest.first == "\t"
    }

    private static func isKeywordBlock(_ line: Substring) -> Bool {
        for keyword in ["NOTE", "STYLE", "REGION"] where line.hasPrefix(keyword) {
            let rest = line.dropFirst(keyword.count)
            if rest.isEmpty || rest.first == " " || rest.first == "\t" { return true }
        }
        return false
    }

    private static func endOfBlock(_ lines: [Substring], from start: Int) -> Int {
        var index = start
        while index < lines.count, !CaptionText.isBlank(lines[index]) { index += 1 }
        return index
    }

    /// The plain text and the speaker of one cue payload (the lines after a timing line, as
    /// found in a file or in a WebVTT packet of a Matroska or WebM stream): tags dropped,
    /// entities decoded, lines trimmed, empty lines dropped.
    public static func cueText(_ payload: String) -> (text: String, speaker: String?) {
        plainText(payload)
    }

    /// A cue payload as plain text and its first `<v Name>` speaker. Later voices that differ
    /// are kept in the text as `Name: `, so nobody's words lose their speaker.
    static func plainText(_ payload: String) -> (text: String, speaker: String?) {
        var output = ""
        var speaker: String?
        var index = payload.startIndex
        // A `<` with no `>` after it is text; knowing the last `>` keeps that check linear.
        let lastClose = payload.lastIndex(of: ">")
        while index < payload.endIndex {
            let character = payload[index]
            if character == "<", let lastClose, lastClose > index, let close = payload[index...].firstIndex(of: ">") {
                let tag = payload[payload.index(after: index)..<close]
                if let name = voiceName(tag) {
                    if speaker == nil {
                        speaker = name
                    } else if name != speaker {
                        output += name + ": "
                    }
                }
                index = payload.index(after: close)
                continue
            }
            if character == "&", let (decoded, next) = entity(in: payload, at: index) {
                output.append(decoded)
                index = next
                continue
            }
            output.append(character)
            index = payload.index(after: index)
        }
        let text = CaptionText.payloadLines(output).joined(separator: "\n")
        return (text, speaker)
    }

    /// The annotation of a `<v Name>` or `<v.class Name>` tag, decoded and trimmed.
    private static func voiceName(_ tag: Substring) -> String? {
        guard tag.first == "v" else { return nil }
        let rest = tag.dropFirst()
        guard let next = rest.first, next == " " || next == "\t" || next == "." else { return nil }
        guard let space = rest.firstIndex(where: { $0 == " " || $0 == "\t" }) else { return nil }
        let annotation = String(rest[space...])
        let decoded = plainText(annotation.replacingOccurrences(of: "<", with: "&lt;")).text
        let name = decoded.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        return name.isEmpty ? nil : name
    }

    /// The character an entity at `index` stands for and where the text goes on, or nil when it
    /// is not one (an `&` alone is text).
    private static func entity(in text: String, at index: String.Index) -> (Character, String.Index)? {
        let start = text.index(after: index)
        guard let semicolon = text[start...].prefix(12).firstIndex(of: ";") else { return nil }
        let name = text[start..<semicolon]
        let next = text.index(after: semicolon)
        switch name {
        case "amp": return ("&", next)
        case "lt": return ("<", next)
        case "gt": return (">", next)
        case "nbsp": return ("\u{00A0}", next)
        case "quot": return ("\"", next)
        case "apos": return ("'", next)
        case "lrm": return ("\u{200E}", next)
        case "rlm": return ("\u{200F}", next)
        default: break
        }
        guard name.first == "#" else { return nil }
        let digits = name.dropFirst()
        let value: UInt32?
        if digits.first == "x" || digits.first == "X" {
            value = UInt32(digits.dropFirst(), radix: 16)
        } else {
            value = UInt32(digits, radix: 10)
        }
        guard let value, value != 0, let scalar = Unicode.Scalar(value) else { return nil }
        return (Character(scalar), next)
    }

    // MARK: - Writing

    /// A block of a WebVTT file: a cue, or a `NOTE` comment for the people who edit it.
    public enum Block: Sendable, Equatable {
        case cue(Cue)
        case note(String)
    }

    /// WebVTT for `cues`, in the order given.
    public static func write(_ cues: [Cue]) -> String {
        write(cues.map { Block.cue($0) })
    }

    /// WebVTT for cues and notes, in the order given. Times are written to the millisecond
    /// (an end before the start is written as the start); `&`, `<` and `>` are escaped; blank
    /// lines inside a text are dropped, since they would end the cue; the speaker is written
    /// as `<v Name>`.
    public static func write(_ blocks: [Block]) -> String {
        var output = "WEBVTT\n"
        for block in blocks {
            output += "\n"
            switch block {
            case .note(let text):
                let lines = CaptionText.payloadLines(text).map { $0.replacingOccurrences(of: "-->", with: "->") }
                output += lines.count == 1 ? "NOTE \(lines[0])\n" : "NOTE\n" + lines.map { $0 + "\n" }.joined()
            case .cue(let cue):
                output += timingLine(cue) + "\n"
                var lines = CaptionText.payloadLines(cue.text).map { escape(String($0)) }
                if let speaker = cue.speaker.map(speakerName), !speaker.isEmpty {
                    let voice = "<v \(escape(speaker))>"
                    if lines.isEmpty { lines = [voice] } else { lines[0] = voice + lines[0] }
                }
                output += lines.map { $0 + "\n" }.joined()
            }
        }
        return output
    }

    /// A chapter track (`<track kind="chapters">`): one cue per chapter with its title as the
    /// text, a title on one line.
    public static func chapters(_ chapters: [(start: Double, end: Double, title: String)]) -> String {
        var output = "WEBVTT\n"
        for chapter in chapters {
            let title = CaptionText.payloadLines(chapter.title).joined(separator: " ")
            output += "\n" + timingLine(Cue(start: chapter.start, end: chapter.end, text: "")) + "\n"
            if !title.isEmpty { output += escape(title) + "\n" }
        }
        return output
    }

    private static func timingLine(_ cue: Cue) -> String {
        let start = CaptionText.millisecond(cue.start)
        let end = max(start, CaptionText.millisecond(cue.end))
        return CaptionText.timestamp(start) + " --> " + CaptionText.timestamp(end)
    }

    private static func speakerName(_ name: String) -> String {
        name.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    static func escape(_ text: String) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            default: output.append(character)
            }
        }
        return output
    }
}
