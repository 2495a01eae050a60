import Foundation
import Testing

@testable import Schedule

@Suite("CSV")
struct CSVTests {
    @Test("Swedish Excel: BOM, semicolons, CRLF, Swedish headers, date and time in separate columns")
    func swedishExcel() throws {
        let programme = try Fixture.load("swedish-excel.csv")
        #expect(programme.conference == Conference(title: nil, acronym: nil, timeZone: "Europe/Stockholm"))
        // The empty row is skipped; the unknown column is reported.
        #expect(programme.sessions.count == 5)
        #expect(programme.warnings.map(\.message) == ["columns not used: Anteckningar"])

        let opening = programme.sessions[0]
        #expect(opening.title == "Öppningstal")
        #expect(opening.start == instant("2022-03-15T09:00:00+01:00"))
        #expect(opening.end == instant("2022-03-15T09:20:00+01:00"))
        #expect(opening.room == "Aulan")
        #expect(opening.track == "Plenum")
        #expect(opening.topics == ["Plenum", "välkommen"])
        #expect(opening.language == "sv")
        // No guid or id column: a name-based UUID (checked against Python's uuid.uuid5).
        #expect(opening.guid == "c9e1f35f-b38d-5347-8180-e9409396451a")

        // Quoted semicolon, "09.30", Längd in minutes, a quoted line break and doubled quotes.
        let data = programme.sessions[1]
        #expect(data.title == "Data i kommunen; en översikt")
        #expect(data.start == instant("2022-03-15T09:30:00+01:00"))
        #expect(data.end == instant("2022-03-15T10:15:00+01:00"))
        #expect(data.persons == ["Karin Ek", "Olof Nyström"])
        #expect(data.topics == ["Data", "öppna data", "statistik"])
        #expect(data.abstract == "Om hur kommunen publicerar data.\nAndra stycket med \"citat\".")
        #expect(!data.doNotRecord)

        #expect(programme.session(titled: "Fika")?.doNotRecord == true)
        #expect(programme.session(titled: "Workshop: tillgänglighet")?.end == instant("2022-03-15T14:30:00+01:00"))
        #expect(programme.session(titled: "Panel om stadsbyggnad")?.persons == ["Anna Lund", "Per Ek"])
    }

    @Test("English headers, commas, ISO times with offsets, a guid column")
    func englishCommas() throws {
        let text = """
            guid,title,start,end,room,speakers,topics,language,url,do_not_record
            a1,"Opening, and welcome",2021-10-04T13:00:00+02:00,2021-10-04T13:45:00+02:00,Hall 1,"Ada Lovelace, Grace Hopper","history, computing",en,https://example.org/a1,false
            a2,Closing,2021-10-05T11:00:00Z,2021-10-05T11:30:00Z,Hall 1,,,en,,yes
            """
        let programme = try parse(text, name: "programme.csv")
        #expect(programme.sessions.count == 2)
        let opening = programme.sessions[0]
        #expect(opening.guid == "a1")
        #expect(opening.title == "Opening, and welcome")
        #expect(opening.persons == ["Ada Lovelace", "Grace Hopper"])
        #expect(opening.topics == ["history", "computing"])
        #expect(opening.url == "https://example.org/a1")
        #expect(programme.sessions[1].doNotRecord)
        #expect(utc(programme.sessions[1].start) == "2021-10-05T11:00:00+00:00")
    }

    @Test("Windows-1252 bytes (Swedish Excel's plain CSV) are read, with a warning")
    func windows1252() throws {
        var bytes = Array("titel;start;slut;sal\r\n".utf8)
        bytes += [0xD6] + Array("ppna data;2021-10-06 13:00;2021-10-06 13:45;Sal B\r\n".utf8)  // 0xD6 is Ö
        let programme = try ScheduleLoader.parse(Data(bytes), fileName: "ansi.csv")
        #expect(programme.sessions.first?.title == "Öppna data")
        #expect(programme.warnings.contains { $0.message.contains("Windows-1252") })
    }

    @Test("Excel's sep= line, and UTF-16 with a tab separator (Excel's \"Unicode text\")")
    func excelVariants() throws {
        let sep = "sep=,\r\ntitel,start,längd\r\nTalk,2021-10-04 13:00,45\r\n"
        #expect(try parse(sep, name: "sep.csv").sessions.first?.end == instant("2021-10-04T13:45:00+02:00"))

        let tabbed = "titel\tstart\tslut\r\nTalk\t2021-10-04 13:00\t2021-10-04 14:00\r\n"
        var utf16: [UInt8] = [0xFF, 0xFE]
        for unit in tabbed.utf16 { utf16 += [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
        let programme = try ScheduleLoader.parse(Data(utf16), fileName: "export.txt")
        #expect(programme.sessions.first?.title == "Talk")
    }

    @Test(
        "header names",
        arguments: [
            ("Titel", CSVImporter.Column.title), ("TITLE", .title), ("Längd (min)", .duration), ("längd", .duration),
            ("Ämnen", .topics), ("Spår", .track), ("Språk", .language), ("Sal", .room), ("Lokal", .room),
            ("Talare", .persons), ("Beskrivning", .abstract), ("Länk", .url), ("UID", .guid), ("Spela inte in", .doNotRecord),
            ("Inspelning", .recording), ("do_not_record", .doNotRecord), ("Slut", .end), ("Datum", .date),
        ])
    func headers(header: String, column: CSVImporter.Column) {
        #expect(CSVImporter.column(for: header) == column)
    }

    @Test("a header without a title or start column is refused")
    func missingColumns() throws {
        let noTitle = try #require(parseError("namn;start\nX;2021-10-04 13:00\n", name: "a.csv"))
        #expect(noTitle.message.contains("no title column"))
        #expect(noTitle.line == 1)
        let noStart = try #require(parseError("titel;sal\nX;A\n", name: "b.csv"))
        #expect(noStart.message.contains("no start column"))
    }
}
