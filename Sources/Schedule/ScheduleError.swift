import Foundation

/// Why a schedule could not be imported: one clear error that names the file, the place in it
/// (line and column, or the JSON path) and the event when a single event is wrong.
///
/// `description` reads like a compiler message:
/// `schedule.json:41:17: $.schedule.conference.days[0].rooms["Sal A"][1].duration: event "Öppna data" (id 105): unparseable duration "4x:00"`.
public struct ScheduleError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file, as it was named to the loader.
    public var file: String
    /// The 1-based line of the problem, when it has one.
    public var line: Int?
    /// The 1-based column (in characters) on that line, when known.
    public var column: Int?
    /// Where in a JSON document the problem is, as `$.schedule.conference.days[0]`.
    public var jsonPath: String?
    /// The event at fault, as `"Title" (id 42)`, when one event is wrong.
    public var event: String?
    /// What is wrong, in a sentence.
    public var message: String

    /// Makes an error.
    public init(
        file: String, line: Int? = nil, column: Int? = nil, jsonPath: String? = nil, event: String? = nil,
        message: String
    ) {
        self.file = file
        self.line = line
        self.column = column
        self.jsonPath = jsonPath
        self.event = event
        self.message = message
    }

    /// `file:line:column: json-path: event "Title" (id 42): message`, leaving out what is unknown.
    public var description: String {
        var text = file
        if let line {
            text += ":\(line)"
            if let column { text += ":\(column)" }
        }
        text += ": "
        if let jsonPath { text += "\(jsonPath): " }
        if let event { text += "event \(event): " }
        return text + message
    }
}

/// Where in its source an event or value was found, for errors and warnings.
/// Importers that read bytes themselves record the byte offset and leave line and column to
/// `SourceText.resolve`, which is only asked when something is reported.
struct SourceLocation: Sendable, Equatable {
    var offset: Int?
    var line: Int?
    var column: Int?
    var jsonPath: String?

    static let unknown = SourceLocation()
}

/// How errors and warnings name an event: `"Title" (id 42)`, `"Title"`, or `#3` without a title.
func eventLabel(title: String?, id: String?, guid: String?, index: Int?) -> String {
    let name = title.map { "\"\(abbreviated($0))\"" }
    let key = id.map { "id \($0)" } ?? guid.map { "guid \($0)" }
    switch (name, key) {
    case let (name?, key?): return "\(name) (\(key))"
    case let (name?, nil): return name
    case let (nil, key?): return "(\(key))"
    case (nil, nil): return index.map { "#\($0 + 1)" } ?? "(unnamed)"
    }
}

/// Keeps error messages to one readable line even when a title is a paragraph.
func abbreviated(_ text: String, limit: Int = 80) -> String {
    let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
    return line.count > limit ? String(line.prefix(limit - 1)) + "…" : line
}
