import Foundation
import Testing

@testable import Schedule

/// Bad input gets one clear error: the file, the line and column or JSON path, and the event.
@Suite("errors and warnings")
struct ErrorTests {
    static func c3voc(_ event: String) -> String {
        """
        {"schedule": {"conference": {"title": "T", "time_zone_name": "Europe/Stockholm", "days": [
          {"index": 1, "date": "2021-10-04", "rooms": {"Sal A": [
            {"guid": "ok", "id": 1, "title": "Fine", "date": "2021-10-04T10:00:00+02:00", "duration": "00:45"},
            \(event)
          ]}}]}}}
        """
    }

    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var text: String
        var line: Int?
        var column: Int? = nil
        var jsonPath: String? = nil
        var event: String? = nil
        var message: String
        var description: String { "\(name): \(message)" }
    }

    static let cases: [Case] = [
        Case(name: "ends.json",
             text: c3voc(#"{"guid": "g2", "id": 42, "title": "Backwards", "date": "2021-10-04T13:00:00+02:00", "end": "2021-10-04T12:00:00+02:00"}"#),
             line: 4, column: 5, jsonPath: #"$.schedule.conference.days[0].rooms["Sal A"][1]"#, event: #""Backwards" (id 42)"#,
             message: "ends before it starts (start 2021-10-04T13:00:00+02:00, end 2021-10-04T12:00:00+02:00)"),
        Case(name: "untitled.json",
             text: c3voc(#"{"guid": "g3", "id": 43, "title": "  ", "date": "2021-10-04T13:00:00+02:00", "duration": "00:30"}"#),
             line: 4, jsonPath: #"$.schedule.conference.days[0].rooms["Sal A"][1]"#, event: "(id 43)", message: "has no title"),
        Case(name: "time.json",
             text: c3voc(#"{"guid": "g4", "id": 44, "title": "Soon", "date": "2021-10-04T25:00:00+02:00", "duration": "00:30"}"#),
             line: 4, jsonPath: #"$.schedule.conference.days[0].rooms["Sal A"][1].date"#, event: #""Soon" (id 44)"#,
             message: #"unparseable time "2021-10-04T25:00:00+02:00""#),
        Case(name: "duration.json",
             text: c3voc(#"{"guid": "g5", "id": 45, "title": "Long", "date": "2021-10-04T13:00:00+02:00", "duration": "4x:00"}"#),
             line: 4, jsonPath: #"$.schedule.conference.days[0].rooms["Sal A"][1].duration"#, event: #""Long" (id 45)"#,
             message: #"unparseable duration "4x:00""#),
        Case(name: "syntax.json", text: "{\"schedule\": {\n  \"conference\": {\"title\": \"T\",,}\n}}", line: 2, column: 31,
             message: "unexpected ',' in an object; a key in double quotes was expected"),
        Case(name: "cut.json", text: "{\"schedule\": {\"conference\": {\"title\": \"T", line: 1, column: 39,
             message: "a string that starts here is never closed"),
        Case(name: "shape.json", text: #"{"schedule": {"conference": {"days": {"date": "2021-10-04"}}}}"#, line: 1,
             jsonPath: "$.schedule.conference.days", message: "\"days\" should be an array, found an object"),
        Case(name: "ends.xml",
             text: """
                 <schedule><conference><title>T</title></conference>
                 <day date="2021-10-04"><room name="A">
                   <event id="7"><date>2021-10-04T13:00:00+02:00</date><end>2021-10-04T12:00:00+02:00</end><title>Reversed</title></event>
                 </room></day></schedule>
                 """,
             line: 3, event: #""Reversed" (id 7)"#,
             message: "ends before it starts (start 2021-10-04T13:00:00+02:00, end 2021-10-04T12:00:00+02:00)"),
        Case(name: "time.xml",
             text: """
                 <schedule><conference><title>T</title></conference>
                 <day date="2021-10-04"><room name="A">
                   <event id="8">
                     <title>Badly timed</title>
                     <start>13:75</start>
                   </event>
                 </room></day></schedule>
                 """,
             line: 5, event: #""Badly timed" (id 8)"#, message: #"unparseable time "13:75""#),
        Case(name: "time.ics",
             text: "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:u9\r\nSUMMARY:Talk\r\nDTSTART:2021-13-04\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
             line: 5, event: #""Talk" (guid u9)"#, message: #"unparseable time "2021-13-04" in DTSTART"#),
        Case(name: "ends.ics",
             text: "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:u10\nSUMMARY:Talk\nDTSTART:20211004T130000Z\nDTEND:20211004T120000Z\nEND:VEVENT\nEND:VCALENDAR\n",
             line: 2, event: #""Talk" (guid u10)"#,
             message: "ends before it starts (start 2021-10-04T15:00:00+02:00, end 2021-10-04T14:00:00+02:00)"),
        Case(name: "cut.ics", text: "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:u11\nSUMMARY:Talk\n", line: 4,
             message: "the file ends inside BEGIN:VEVENT from line 2; it looks cut short"),
        Case(name: "nostart.ics", text: "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:u12\nSUMMARY:Talk\nEND:VEVENT\nEND:VCALENDAR\n",
             line: 2, event: #""Talk" (guid u12)"#, message: "has no DTSTART"),
        Case(name: "time.csv", text: "titel;start;slut\nFirst;2021-10-04 13:00;2021-10-04 13:45\nSecond;i morgon;2021-10-04 15:00\n",
             line: 3, column: 8, event: #""Second""#, message: #"unparseable time "i morgon""#),
        Case(name: "nodate.csv", text: "titel;start;slut\nFirst;13:00;13:45\n", line: 2, column: 7, event: #""First""#,
             message: #"has the time "13:00" but no date; add a date column or write 2021-10-04 13:00"#),
        Case(name: "quote.csv", text: "titel;start\nFirst;2021-10-04 13:00\n\"Second;2021-10-04 14:00\n", line: 3, column: 1,
             message: "a quoted field that starts here is never closed"),
        Case(name: "flag.csv", text: "titel;start;inspelning\nFirst;2021-10-04 13:00;kanske\n", line: 2, column: 24, event: #""First""#,
             message: #"cannot read "kanske" as yes or no"#),
    ]

    @Test("the error names the file, the place and the event", arguments: cases)
    func error(_ wanted: Case) throws {
        let error = try #require(parseError(wanted.text, name: wanted.name), "\(wanted.name) should fail")
        #expect(error.file == wanted.name)
        #expect(error.message == wanted.message)
        #expect(error.line == wanted.line)
        if let column = wanted.column { #expect(error.column == column) }
        #expect(error.jsonPath == wanted.jsonPath)
        #expect(error.event == wanted.event)
        #expect(error.description.hasPrefix(wanted.name + (wanted.line.map { ":\($0)" } ?? "")))
        #expect(error.description.hasSuffix(wanted.message))
    }

    @Test("description reads like a compiler message")
    func description() {
        let error = ScheduleError(file: "s.json", line: 3, column: 9, jsonPath: "$.a[0]", event: "\"T\" (id 1)", message: "bad")
        #expect(error.description == "s.json:3:9: $.a[0]: event \"T\" (id 1): bad")
        #expect(ScheduleError(file: "x.csv", message: "the file is empty").description == "x.csv: the file is empty")
    }

    @Test("empty files, unknown formats and missing files")
    func notSchedules() throws {
        #expect(parseError("  \n\n", name: "blank.json")?.message == "the file is empty")
        #expect(parseError("just some words", name: "notes.md")?.message.contains("not a schedule") == true)
        do {
            _ = try ScheduleLoader.load(path: "/nonexistent/schedule.json")
            Issue.record("loading a missing file should fail")
        } catch {
            #expect(error.file == "/nonexistent/schedule.json")
            #expect(error.message.hasPrefix("cannot read the file"))
        }
    }

    @Test("two sessions with one guid: both are kept, and a warning names the guid and the lines")
    func duplicateGuid() throws {
        let text = Self.c3voc(#"{"guid": "ok", "id": 2, "title": "Copy", "date": "2021-10-04T11:00:00+02:00", "duration": "00:45"}"#)
        let programme = try parse(text, name: "dup.json")
        #expect(programme.sessions.count == 2)
        #expect(programme.warnings.count == 1)
        let warning = try #require(programme.warnings.first)
        #expect(warning.message.contains("guid ok is used by 2 sessions (lines 3, 4)"))
        #expect(warning.description.hasPrefix("dup.json:3: guid ok"))
    }

    @Test("an unknown zone name in the file is a warning, and times are read in Europe/Stockholm")
    func unknownZoneName() throws {
        let text = #"{"schedule": {"conference": {"time_zone_name": "Mars/Olympus", "days": [{"date": "2021-10-04", "rooms": {"A": [{"guid": "g", "title": "T", "start": "13:00", "duration": "00:10"}]}}]}}}"#
        let programme = try parse(text, name: "mars.json")
        #expect(programme.conference.timeZone == "Europe/Stockholm")
        #expect(programme.sessions.first?.start == instant("2021-10-04T13:00:00+02:00"))
        #expect(programme.warnings.first?.message.contains("Mars/Olympus") == true)
    }

    @Test("a session without an end or duration ends when it starts, with a warning")
    func noEnd() throws {
        let text = #"{"schedule": {"conference": {"days": [{"date": "2021-10-04", "rooms": {"A": [{"guid": "g", "title": "Open end", "start": "13:00"}]}}]}}}"#
        let programme = try parse(text, name: "open.json")
        #expect(programme.sessions.first.map { $0.end == $0.start } == true)
        #expect(programme.warnings.first?.message.contains("no end or duration") == true)
    }

    @Test("JSON nested too deep is an error, not a crash")
    func deepJSON() throws {
        let text = String(repeating: "[", count: 100_000)
        let error = try #require(parseError(text, name: "deep.json"))
        #expect(error.message.contains("nested more than"))
    }
}
