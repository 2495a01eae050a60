import Foundation

/// SubRip (`.srt`, `application/x-subrip`): the parser and the writer.
public enum SRT {
    /// The media type to serve SubRip with.
    public static let mediaType = "application/x-subrip"

    // MARK: - Reading

    /// Parses SubRip text: numbered cues, `HH:MM:SS,mmm --> HH:MM:SS,mmm`, text up to a blank
    /// line. Lenient as real files need: a BOM, CRLF, `.` for the comma, a missing final blank
    /// line, a missing cue number, a missing blank line before the next number, coordinates after
    /// the times. The formatting tags `<i> <b> <u> <s> <font>` and `{\...}` override blocks are
    /// removed; SRT has no entities, so other text is kept as written.
    ///
    /// A block that does not start with a number or a timing line, a number not followed by a
    /// timing line, a timing line that does not parse and a cue ending before it starts throw a
    /// `CaptionError` naming the line.
    public static func parse(_ text: String, file: String) throws(CaptionError) -> CaptionFile {
        let lines = CaptionText.lines(text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text)
        var entries: [CaptionFile.Entry] = []
        var index = 0
        while index < lines.count {
            let line = CaptionText.trimmed(lines[index])
            if line.isEmpty {
                index += 1
                continue
            }
            var timingIndex = index
            if !line.contains("-->") {
                guard CaptionText.isDigits(line) else {
                    throw CaptionError(
                        code: .malformedCue, file: file, line: index + 1,
                        reason: "expected a cue number, found '\(CaptionText.excerpt(line))'")
                }
                let next = index + 1
                guard next < lines.count, lines[next].contains("-->") else {
                    throw CaptionError(
                        code: .malformedCue, file: file, line: index + 1,
                        reason: "cue number \(CaptionText.excerpt(line)) is not followed by a timing line 'HH:MM:SS,mmm --> HH:MM:SS,mmm'")
                }
                timingIndex = next
            }
            guard entries.count < CaptionFile.maxCues else { throw CaptionFile.tooManyCues(file: file, line: timingIndex + 1) }
            let timing = try CaptionText.timing(lines[timingIndex], file: file, number: timingIndex + 1)
            var payload: [Substring] = []
            var cursor = timingIndex + 1
            while cursor < lines.count, !CaptionText.isBlank(lines[cursor]) {
                // A file that forgot the blank line: the next cue's number and timing, or its timing alone.
                if startsCue(lines, at: cursor) { break }
                payload.append(lines[cursor])
                cursor += 1
            }
            entries.append(CaptionFile.Entry(
                cue: Cue(start: timing.start, end: timing.end, text: plainText(payload.joined(separator: "\n"))),
                line: timingIndex + 1))
            index = cursor
        }
        return CaptionFile(file: file, format: .srt, entries: entries)
    }

    private static func isTimingLine(_ line: Substring) -> Bool {
        guard line.contains("-->") else { return false }
        return (try? CaptionText.timing(line, file: "", number: 0)) != nil
    }

    private static func startsCue(_ lines: [Substring], at index: Int) -> Bool {
        if isTimingLine(lines[index]) { return true }
        return CaptionText.isDigits(CaptionText.trimmed(lines[index])) && index + 1 < lines.count && isTimingLine(lines[index + 1])
    }

    /// SRT text without its formatting tags, lines trimmed, empty lines dropped.
    static func plainText(_ payload: String) -> String {
        var output = ""
        var index = payload.startIndex
        let lastClose = payload.lastIndex(of: ">")
        let lastBrace = payload.lastIndex(of: "}")
        while index < payload.endIndex {
            let character = payload[index]
            if character == "<", let lastClose, lastClose > index, let close = payload[index...].firstIndex(of: ">"),
               isFormattingTag(payload[payload.index(after: index)..<close]) {
                index = payload.index(after: close)
                continue
            }
            if character == "{", let lastBrace, lastBrace > index,
               payload.index(after: index) < payload.endIndex, payload[payload.index(after: index)] == "\\",
               let close = payload[index...].firstIndex(of: "}") {
                index = payload.index(after: close)
                continue
            }
            output.append(character)
            index = payload.index(after: index)
        }
        return CaptionText.payloadLines(output).joined(separator: "\n")
    }

    /// `<i>`, `<b>`, `<u>`, `<s>` and their closing tags exactly; `<font ...>` with attributes.
    /// Anything else (`a<b c>d`) is text.
    private static func isFormattingTag(_ tag: Substring) -> Bool {
        let name = tag.lowercased()
        if ["i", "b", "u", "s", "/i", "/b", "/u", "/s", "font", "/font"].contains(name) { return true }
        return name.hasPrefix("font") && name.dropFirst(4).first?.isWhitespace == true
    }

    // MARK: - Writing

    /// SubRip for `cues`, numbered from 1 in the order given. Times are written to the
    /// millisecond (an end before the start as the start); blank lines inside a text are dropped,
    /// and a text line that would read as a timing line has its `-->` written as `->`.
    /// SRT has no speaker field: a speaker is written as `Name: ` before the first line, and
    /// reading the file back leaves that in the text.
    public static func write(_ cues: [Cue]) -> String {
        var output = ""
        for (number, cue) in cues.enumerated() {
            if number > 0 { output += "\n" }
            let start = CaptionText.millisecond(cue.start)
            let end = max(start, CaptionText.millisecond(cue.end))
            output += "\(number + 1)\n"
            output += CaptionText.timestamp(start, separator: ",") + " --> " + CaptionText.timestamp(end, separator: ",") + "\n"
            // SRT has no escapes: a text line that reads as a timing line would split the cue,
            // so its arrow is shortened.
            var lines = CaptionText.payloadLines(cue.text).map { isTimingLine($0) ? $0.replacingOccurrences(of: "-->", with: "->") : String($0) }
            if let speaker = cue.speaker?.split(whereSeparator: \.isWhitespace).joined(separator: " "), !speaker.isEmpty {
                if lines.isEmpty { lines = [speaker + ":"] } else { lines[0] = speaker + ": " + lines[0] }
            }
            output += lines.map { $0 + "\n" }.joined()
        }
        return output
    }
}
