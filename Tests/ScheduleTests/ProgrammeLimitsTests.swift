import Foundation
import Testing

@testable import Schedule

#if canImport(Glibc)
import Glibc
#endif

/// What a programme file may be and hold (issue 16, findings 10, 14 and 15): what the loader
/// refuses before reading, the session limit, the years sessions may fall in, and the links
/// they may carry.
@Suite("programme limits")
struct ProgrammeLimitsTests {
    /// A fresh folder under the temporary folder, removed by the caller.
    static func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("efterhand-limits-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func loadError(_ path: String, limits: ScheduleLimits = .standard) -> ScheduleError? {
        do {
            _ = try ScheduleLoader.load(path: path, limits: limits)
            return nil
        } catch {
            return error
        }
    }

    static let csv = "titel;start;längd\nÖppna data;2021-10-04 13:00;45\n"

    // MARK: - Finding 10: what the path is

    @Test("a character device is refused by name before it is read")
    func characterDevice() throws {
        let error = try #require(Self.loadError("/dev/zero"))
        #expect(error.message == "'/dev/zero' is a character device, not a programme file")
        #expect(error.file == "/dev/zero")
    }

    @Test("a folder, a FIFO and a missing file are refused by what they are")
    func folderFIFOMissing() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(Self.loadError(folder.path)?.message == "'\(folder.path)' is a folder, not a programme file")

        let fifo = folder.appendingPathComponent("pipe.csv").path
        #expect(mkfifo(fifo, 0o600) == 0)
        // Opening a FIFO with no writer would wait for ever; the loader must not open it.
        #expect(Self.loadError(fifo)?.message == "'\(fifo)' is a FIFO (named pipe), not a programme file")

        let missing = folder.appendingPathComponent("missing.csv").path
        #expect(Self.loadError(missing)?.message == "cannot read the file: no such file")
    }

    @Test("a link is followed: to a file it loads, to a device it is refused")
    func links() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("schedule.csv")
        try Data(Self.csv.utf8).write(to: file)
        let link = folder.appendingPathComponent("link.csv").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: file.path)
        #expect(try ScheduleLoader.load(path: link).sessions.count == 1)
        let deviceLink = folder.appendingPathComponent("zero.csv").path
        try FileManager.default.createSymbolicLink(atPath: deviceLink, withDestinationPath: "/dev/zero")
        #expect(Self.loadError(deviceLink)?.message == "'\(deviceLink)' is a character device, not a programme file")
    }

    // MARK: - Finding 14: bytes and sessions

    @Test("the standard limits are the documented ones")
    func standardLimits() {
        #expect(ScheduleLimits.standard.maxBytes == 64 * 1024 * 1024)
        #expect(ScheduleLimits.standard.maxSessions == 100_000)
        #expect(ScheduleLimits.standard.timeLimit == .seconds(60))
    }

    @Test("a file larger than the byte limit is refused before it is read")
    func tooManyBytes() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("schedule.csv")
        try Data(Self.csv.utf8).write(to: file)
        let limits = ScheduleLimits(maxBytes: 20, maxSessions: 10, timeLimit: .seconds(60))
        let error = try #require(Self.loadError(file.path, limits: limits))
        #expect(error.message.contains("more than the 20 bytes a programme may be (ScheduleLimits.maxBytes)"), "\(error)")
        #expect(throws: ScheduleError.self) { try ScheduleLoader.parse(Data(Self.csv.utf8), fileName: "x.csv", limits: limits) }
    }

    static let small = ScheduleLimits(maxBytes: 1 << 20, maxSessions: 10, timeLimit: .seconds(60))

    @Test("a CSV stops at the first row past the session limit, naming the limit and the row")
    func csvSessionLimit() throws {
        var text = "titel,start,längd\n"
        for index in 0..<1000 { text += "Talk \(index),2021-10-04 13:00,45\n" }
        do {
            _ = try ScheduleLoader.parse(Data(text.utf8), fileName: "many.csv", limits: Self.small)
            Issue.record("1,000 rows passed a limit of 10")
        } catch {
            #expect(error.message.contains("more than 10 sessions (ScheduleLimits.maxSessions)"), "\(error)")
            // The header is line 1; the eleventh session is on line 12.
            #expect(error.line == 12)
        }
    }

    @Test("every format stops at the session limit", arguments: ["xml", "ics", "json"])
    func sessionLimitEveryFormat(kind: String) throws {
        let text: String
        switch kind {
        case "xml":
            text = frabSchedule(events: 11)
        case "ics":
            let event = "BEGIN:VEVENT\nUID:x\nSUMMARY:T\nDTSTART:20211004T110000Z\nEND:VEVENT\n"
            text = "BEGIN:VCALENDAR\n" + String(repeating: event, count: 11) + "END:VCALENDAR\n"
        default:
            let event = #"{"title": "T", "date": "2021-10-04T13:00:00+02:00", "duration": "00:45"}"#
            text = #"{"schedule": {"events": ["# + Array(repeating: event, count: 11).joined(separator: ",") + "]}}"
        }
        do {
            _ = try ScheduleLoader.parse(Data(text.utf8), fileName: "many.\(kind)", limits: Self.small)
            Issue.record("11 sessions passed a limit of 10")
        } catch {
            #expect(error.message.contains("ScheduleLimits.maxSessions"), "\(error)")
        }
        var limits = Self.small
        limits.maxSessions = 11
        #expect(try ScheduleLoader.parse(Data(text.utf8), fileName: "many.\(kind)", limits: limits).sessions.count == 11)
    }

    @Test("every format stops at the time limit", arguments: [
        ("x.csv", ProgrammeLimitsTests.csv),
        ("x.ics", "BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:T\nDTSTART:20211004T110000Z\nEND:VEVENT\nEND:VCALENDAR\n"),
        ("x.json", #"{"schedule": {"events": [{"title": "T", "date": "2021-10-04T13:00:00+02:00"}]}}"#),
    ])
    func timeLimitEveryFormat(name: String, text: String) {
        let limits = ScheduleLimits(maxBytes: 1 << 20, maxSessions: 10, timeLimit: .zero)
        do {
            _ = try ScheduleLoader.parse(Data(text.utf8), fileName: name, limits: limits)
            Issue.record("the import did not stop")
        } catch {
            #expect(error.message.contains("ScheduleLimits.timeLimit"), "\(error)")
            #expect(error.file == name)
        }
    }

    // MARK: - Finding 15: years and links

    @Test("a session outside the years 1970 to 9999 is refused, naming the session", arguments: [
        ("titel,start,slut\nUråldrig,0001-01-03 01:00,0001-01-03 02:00\n", "at 0001-01-03"),
        ("titel,start,slut\nFörr,1969-12-31 12:00,1969-12-31 13:00\n", "at 1969-12-31"),
        ("titel,start,slut\nSist,9999-12-31 10:00,9999-12-31 11:00\n", "at 9999-12-31"),
        ("titel,start,längd\nLång,9999-12-01 10:00,9999999 h\n", "ends after the year 9999"),
    ])
    func yearsOutsideTheWindow(text: String, detail: String) throws {
        let error = try #require(parseError(text, name: "old.csv"))
        #expect(error.message.contains("outside the years 1970 to 9999"), "\(error)")
        #expect(error.message.contains(detail), "\(error)")
        #expect(error.event != nil)
        #expect(error.line == 2)
    }

    @Test("only absolute http and https links pass; others are left out with a warning naming the session", arguments: [
        ("javascript:alert(1)", false), ("JAVASCRIPT:alert(1)", false), ("data:text/html,<script>x</script>", false),
        ("/talks/1", false), ("ftp://example.org/x", false), ("https://", false), ("http:///path", false),
        ("https://example.org/a b", false), ("vbscript:x", false),
        ("https://example.org/talks/1", true), ("HTTP://EXAMPLE.ORG", true), ("https://user@example.org:8443/öppna-data?x=1#y", true),
        ("https://[2001:db8::1]/x", true),
    ])
    func links(url: String, kept: Bool) throws {
        let text = "titel,start,längd,url\nÖppna data,2021-10-04 13:00,45,\"\(url)\"\n"
        let programme = try parse(text, name: "links.csv")
        let session = try #require(programme.sessions.first)
        #expect(session.url == (kept ? url : nil))
        let warned = programme.warnings.contains { $0.event == "\"Öppna data\"" && $0.message.contains("not an absolute http or https address") }
        #expect(warned == !kept)
    }

    @Test("a javascript: link is left out in every format", arguments: [
        ("x.json", #"{"schedule": {"events": [{"title": "T", "date": "2021-10-04T13:00:00+02:00", "url": "javascript:alert(1)"}]}}"#),
        ("x.ics", "BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:T\nDTSTART:20211004T110000Z\nURL:javascript:alert(1)\nEND:VEVENT\nEND:VCALENDAR\n"),
        ("x.xml", "<schedule><day date=\"2021-10-04\"><room name=\"R\"><event id=\"1\"><date>2021-10-04T13:00:00+02:00</date><title>T</title><url>javascript:alert(1)</url></event></room></day></schedule>"),
    ])
    func javascriptEverywhere(name: String, text: String) throws {
        let programme = try parse(text, name: name)
        #expect(programme.sessions.first?.url == nil)
        #expect(programme.warnings.contains { $0.message.contains("not an absolute http or https address") })
    }
}
