import Foundation

/// A session as an importer read it, before the checks and clean-up every format shares.
struct SessionDraft {
    var guid: String?
    var id: String?
    var slug: String?
    var title: String?
    var subtitle: String?
    var abstract: String?
    var description: String?
    var start: Date?
    var end: Date?
    var room: String?
    var track: String?
    var type: String?
    var language: String?
    var persons: [String] = []
    /// Categories, keywords or tags; the track is put in front of them to make `topics`.
    var keywords: [String] = []
    var url: String?
    var doNotRecord = false
    /// Where the event is in the source, for errors and warnings.
    var location: SourceLocation
    /// Its position among the file's events, for naming an event without a title.
    var index: Int

    init(location: SourceLocation, index: Int) {
        self.location = location
        self.index = index
    }

    /// `"Title" (id 42)`, for errors and warnings.
    var label: String {
        eventLabel(title: clean(title), id: clean(id), guid: clean(guid), index: index)
    }
}

/// What an importer hands to `ScheduleLoader` for the shared checks.
struct ImportedProgramme {
    var conference: Conference
    var drafts: [SessionDraft]
    var warnings: [ScheduleWarning]
}

// MARK: - Text clean-up

/// Trims whitespace, turns CRLF and CR into LF, and makes an empty result nil.
func clean(_ text: String?) -> String? {
    guard let text, let first = text.utf8.first, let last = text.utf8.last else { return nil }
    // Most values need nothing: check the ends' bytes before looking at Characters.
    func mayBeSpace(_ byte: UInt8) -> Bool { byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) || byte >= 0x80 }
    if !mayBeSpace(first), !mayBeSpace(last), !text.utf8.contains(0x0D) { return text }
    var value = Substring(text)
    while let character = value.first, character.isWhitespace { value.removeFirst() }
    while let character = value.last, character.isWhitespace { value.removeLast() }
    if value.isEmpty { return nil }
    if value.utf8.contains(0x0D) {
        // "\r\n" is a single Character in Swift, so this replaces both CRLF and a lone CR.
        return String(value.map { $0 == "\r\n" || $0 == "\r" ? "\n" : $0 })
    }
    return String(value)
}

/// Cleans each entry, drops empty ones and repeats, and keeps the first-seen order.
func cleanList(_ items: [String]) -> [String] {
    var seen = Set<String>()
    var result: [String] = []
    for item in items {
        guard let value = clean(item), seen.insert(value).inserted else { continue }
        result.append(value)
    }
    return result
}

/// Splits a cell or value that lists names or keywords: `Julia Olander, Gunilla Gudmunds`.
func splitList(_ text: String?, separators: Set<Character> = [",", ";", "|", "\n", "\r\n"]) -> [String] {
    guard let text else { return [] }
    return text.split(whereSeparator: { separators.contains($0) }).map(String.init)
}

/// Reads yes and no as spreadsheets and exports write them, in English and Swedish.
func parseBool(_ text: String) -> Bool? {
    switch text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased() {
    case "true", "yes", "y", "ja", "j", "1", "x", "sant", "on": return true
    case "false", "no", "n", "nej", "0", "falskt", "off", "": return false
    default: return nil
    }
}
