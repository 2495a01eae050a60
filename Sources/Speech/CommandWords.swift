extension CommandEngine {
    /// Splits a command template into words as a POSIX shell would, without expanding
    /// anything: spaces separate words; single quotes keep everything; double quotes keep all
    /// but `\"` and `\\`; a backslash outside quotes keeps the next character.
    static func split(_ template: String) throws(SpeechError) -> [String] {
        var words: [String] = []
        var word = ""
        var inWord = false
        var quote: Character?
        var escaped = false
        for character in template {
            if escaped {
                word.append(character)
                escaped = false
                continue
            }
            switch (quote, character) {
            case (nil, "\\"), ("\"", "\\"):
                escaped = true
                inWord = true
            case (nil, "'"), (nil, "\""):
                quote = character
                inWord = true
            case ("'", "'"), ("\"", "\""):
                quote = nil
            case (nil, _) where character.isWhitespace:
                if inWord { words.append(word) }
                word = ""
                inWord = false
            default:
                word.append(character)
                inWord = true
            }
        }
        if quote != nil { throw SpeechError("the speech command '\(template)' has an unclosed quote") }
        if escaped { throw SpeechError("the speech command '\(template)' ends in a backslash") }
        if inWord { words.append(word) }
        return words
    }
}
