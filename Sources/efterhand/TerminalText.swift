/// Text from outside (file names, titles, tags) as it may go to a terminal: control characters
/// (C0, DEL, C1: ESC, CR, newline, bell...) are written as `\u{1B}`-style escapes, so that a
/// file name cannot move the cursor, rewrite a line or change the terminal's colours.
enum TerminalText {
    static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            if isControl(scalar) {
                out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }
}
