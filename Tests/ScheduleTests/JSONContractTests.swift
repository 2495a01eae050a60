import Foundation
import Testing

@testable import Schedule

/// The `efterhand schedule show --json` contract, and the command itself.
@Suite("schedule show --json")
struct JSONContractTests {
    static let sessionKeys: Set<String> = [
        "guid", "id", "slug", "title", "subtitle", "start", "end", "room", "track", "type", "language", "persons", "topics",
        "abstract", "url", "do_not_record",
    ]

    @Test("exactly the contract's keys, nulls written out, RFC 3339 in the conference's zone")
    func contract() throws {
        let programme = try ScheduleLoader.load(path: Fixture.media.appendingPathComponent("schedule.json").path)
        let object = try #require(try JSONSerialization.jsonObject(with: programme.jsonData()) as? [String: Any])
        #expect(Set(object.keys) == ["conference", "sessions"])
        let conference = try #require(object["conference"] as? [String: Any])
        #expect(Set(conference.keys) == ["title", "acronym", "time_zone"])
        #expect(conference["time_zone"] as? String == "Europe/Stockholm")
        let sessions = try #require(object["sessions"] as? [[String: Any]])
        #expect(sessions.count == 11)
        for session in sessions { #expect(Set(session.keys) == Self.sessionKeys) }
        let first = sessions[0]
        #expect(first["start"] as? String == "2021-10-04T13:00:00+02:00")
        #expect(first["end"] as? String == "2021-10-04T13:45:00+02:00")
        #expect(first["subtitle"] is NSNull)
        #expect(first["url"] is NSNull)
        #expect(first["id"] as? String == "101")
        #expect(first["do_not_record"] as? Bool == false)
        #expect(sessions.contains { $0["do_not_record"] as? Bool == true })
    }

    @Test("keys are sorted and the text is the same on every run")
    func deterministic() throws {
        let programme = try Fixture.load("pretalx-schedule.json")
        let text = try programme.jsonText()
        #expect(try Fixture.load("pretalx-schedule.json").jsonText() == text)
        let keys = text.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("      \""), let end = line.dropFirst(7).firstIndex(of: "\"") else { return nil }
            return String(line[line.index(line.startIndex, offsetBy: 7)..<end])
        }
        let firstSession = Array(keys.prefix(Self.sessionKeys.count))
        #expect(firstSession == firstSession.sorted())
        #expect(text.contains("\"end\" : \"2022-12-02T09:45:00+00:00\""))
    }

    // MARK: - The command

    static var binary: String {
        var folder = Bundle.module.bundleURL.deletingLastPathComponent()
        for _ in 0..<3 {
            let candidate = folder.appendingPathComponent("efterhand").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        return Bundle.module.bundleURL.deletingLastPathComponent().appendingPathComponent("efterhand").path
    }

    static func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }

    @Test("efterhand schedule show: a table, JSON, exit 1 on a bad file, exit 2 on a bad zone")
    func command() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary), "build the efterhand product first")
        let media = Fixture.media.appendingPathComponent("schedule.csv").path

        let table = try Self.run(["schedule", "show", media])
        #expect(table.status == 0)
        #expect(table.stdout.contains("2021-10-04 13:00  13:45  Sal A"))
        #expect(table.stdout.contains("11 sessions, 1 not to be recorded"))

        // schedule.json's times carry offsets: --time-zone changes only the zone they are shown in.
        let sample = Fixture.media.appendingPathComponent("schedule.json").path
        let json = try Self.run(["schedule", "show", sample, "--json", "--time-zone", "UTC"])
        #expect(json.status == 0)
        #expect(json.stdout.contains("\"start\" : \"2021-10-04T11:00:00+00:00\""))
        let expected = try ScheduleLoader.load(path: sample, timeZone: TimeZone(identifier: "UTC")).jsonText()
        #expect(json.stdout == expected + "\n")

        // The CSV's times have no offset: --time-zone says which zone they are in.
        let csv = try Self.run(["schedule", "show", media, "--json", "--time-zone", "America/New_York"])
        #expect(csv.stdout.contains("\"start\" : \"2021-10-04T13:00:00-04:00\""))

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("efterhand-schedule-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let broken = folder.appendingPathComponent("broken.json")
        try Data(#"{"schedule": {"conference": {"days": [{"date": "2021-10-04", "rooms": {"A": [{"title": "T", "start": "x"}]}}]}}}"#.utf8)
            .write(to: broken)
        let failed = try Self.run(["schedule", "show", broken.path])
        #expect(failed.status == 1)
        #expect(failed.stderr.hasPrefix("error: \(broken.path):1:"))
        #expect(failed.stderr.contains("unparseable time \"x\""))
        #expect(failed.stdout.isEmpty)

        let usage = try Self.run(["schedule", "show", media, "--time-zone", "Mars/Olympus"])
        #expect(usage.status == 2)
        #expect(usage.stderr.contains("Mars/Olympus"))
    }
}
