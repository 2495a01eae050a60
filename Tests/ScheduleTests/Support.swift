import Foundation
import Testing

@testable import Schedule

/// The schedule fixtures (real-shaped exports written for these tests) and the sample week.
enum Fixture {
    static let folder: URL = {
        guard let url = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
            preconditionFailure("the Fixtures resource folder is missing from the test bundle")
        }
        return url
    }()

    /// Every fixture file, sorted by name.
    static let all: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
        .filter { !$0.hasPrefix(".") }
        .sorted()

    static func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    static func data(_ name: String) throws -> Data { try Data(contentsOf: folder.appendingPathComponent(name)) }

    static func load(_ name: String, zone: String? = nil) throws -> Programme {
        try ScheduleLoader.load(path: path(name), timeZone: zone.flatMap { TimeZone(identifier: $0) })
    }

    /// The repository's `Media/` folder, found from this file's place in the checkout.
    static let media = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Media")

    static let mediaFiles = ["schedule.json", "schedule.ics", "schedule.csv"]

    /// Fixtures and sample files as (name, bytes), for the property tests.
    static func everything() throws -> [(name: String, data: Data)] {
        try all.map { ($0, try data($0)) }
            + mediaFiles.map { ("Media-" + $0, try Data(contentsOf: media.appendingPathComponent($0))) }
    }
}

/// `2021-10-04T13:00:00+02:00` → a Date; traps on a malformed literal in a test.
func instant(_ text: String) -> Date {
    guard let parsed = TimeText.dateTime(text), parsed.offset != nil else {
        preconditionFailure("bad test timestamp \(text)")
    }
    return parsed.instant(defaultZone: .gmt)
}

/// A date in UTC, for comparing instants readably.
func utc(_ date: Date) -> String { rfc3339(date, offsetSeconds: 0) }

extension Programme {
    func session(guid: String) -> Session? { sessions.first { $0.guid == guid } }
    func session(titled title: String) -> Session? { sessions.first { $0.title == title } }

    /// The `--json` document as text.
    func jsonText() throws -> String { String(decoding: try jsonData(), as: UTF8.self) }
}

/// Loads bytes written in a test, naming them `name`.
func parse(_ text: String, name: String, zone: String? = nil) throws(ScheduleError) -> Programme {
    try ScheduleLoader.parse(Data(text.utf8), fileName: name, timeZone: zone.flatMap { TimeZone(identifier: $0) })
}

/// The error a parse throws, or nil when it succeeds.
func parseError(_ text: String, name: String) -> ScheduleError? {
    do {
        _ = try parse(text, name: name)
        return nil
    } catch {
        return error
    }
}

/// A frab schedule.xml with `events` events, each with `padding` bytes of description.
func frabSchedule(events: Int, padding: Int = 0, dtd: String = "") -> String {
    var text = """
        <?xml version="1.0" encoding="UTF-8"?>
        \(dtd)<schedule><conference><title>Stor</title><time_zone_name>Europe/Stockholm</time_zone_name></conference>
        <day index="1" date="2024-05-01"><room name="Sal A">

        """
    let description = String(repeating: "x", count: padding)
    for index in 0..<events {
        let minute = index % 60, hour = 8 + index / 60 % 12
        text += """
            <event guid="e\(index)" id="\(index)"><date>2024-05-01T\(pad(hour, 2)):\(pad(minute, 2)):00+02:00</date>\
            <duration>00:30</duration><title>Talk \(index)</title><description>\(description)</description></event>

            """
    }
    return text + "</room></day></schedule>\n"
}

