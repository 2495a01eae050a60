import Foundation
import Testing

@testable import Schedule

/// Inputs that the fuzz targets (`Fuzz/`, `make fuzz`) found to break a promise, kept as tests.
/// They are read from `Fuzz/crashes/` in the checkout, where the fuzz run saved them.
@Suite("fuzz regressions")
struct FuzzRegressionTests {
    static let crashes = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz/crashes")

    /// Import, export, import, export: the two exports are the same bytes.
    static func exportReadsBack(_ data: Data, fileName: String) throws {
        let json = try ScheduleLoader.parse(data, fileName: fileName).jsonData()
        let again = try ScheduleLoader.parse(json, fileName: "roundtrip.json").jsonData()
        #expect(again == json, "\(fileName): the export reads back differently")
    }

    /// Two sessions alike in every exported field but the description (and the url, which
    /// sorts them the other way) used to be ordered by the description on import, which the
    /// export leaves out, so a re-import swapped them.
    @Test("found inputs: the export reads back to itself", arguments: [
        ("schedule-json-4b053180e157e4db", "fuzz.json"),
        ("schedule-xml-0c9be734e133caf7", "fuzz.xml"),
    ])
    func exportRoundTrip(input: String, fileName: String) throws {
        try Self.exportReadsBack(try Data(contentsOf: Self.crashes.appendingPathComponent(input)), fileName: fileName)
    }

    /// FoundationXML's parser on Linux dereferences a null parser context when a document
    /// begins 00 00 00 3C (libxml2's guess for UCS-4): the import crashed the process.
    static let nulDocuments: [[UInt8]] = [
        // A missing file gives no bytes, "the file is empty", and fails the test.
        (try? Data(contentsOf: crashes.appendingPathComponent("schedule-xml-6f37991b1b5c2ea4"))).map { [UInt8]($0) } ?? [],
        [0, 0, 0] + Array("<schedule></schedule>".utf8),
        Array("<schedule>\n<conference>".utf8) + [0] + Array("</conference></schedule>".utf8),
    ]

    @Test("a schedule.xml with NUL bytes is refused with an error, not a crash", arguments: nulDocuments)
    func nulBytesInXML(bytes: [UInt8]) {
        #expect(throws: ScheduleError.self) { try ScheduleLoader.parse(Data(bytes), fileName: "nul.xml") }
        do {
            _ = try ScheduleLoader.parse(Data(bytes), fileName: "nul.xml")
        } catch {
            #expect(error.file == "nul.xml")
            #expect(error.message.contains("NUL"), "\(error)")
            #expect(error.line != nil)
        }
    }

    @Test("sessions that differ only in fields the export leaves out keep one order through a round trip")
    func descriptionIsNoTieBreak() throws {
        func event(description: String, url: String) -> String {
            """
            {"guid": "0b6f1c2e-0000-4000-8000-000000000001", "id": 1, "date": "2021-10-04T13:00:00+02:00",
             "start": "13:00", "duration": "00:30", "room": "Sal A", "slug": "oppna-data", "title": "Öppna data",
             "description": "\(description)", "url": "\(url)", "persons": []}
            """
        }
        let document = """
            {"schedule": {"version": "1", "conference": {"acronym": "iv21", "title": "Innovationsveckan",
             "time_zone_name": "Europe/Stockholm", "days": [{"index": 1, "date": "2021-10-04", "rooms": {"Sal A": [
            \(event(description: "a", url: "https://example.org/2")),
            \(event(description: "b", url: "https://example.org/1"))
            ]}}]}}}
            """
        let programme = try ScheduleLoader.parse(Data(document.utf8), fileName: "tie.json")
        #expect(programme.sessions.count == 2)
        try Self.exportReadsBack(Data(document.utf8), fileName: "tie.json")
    }
}
