import Foundation
import Schedule

/// Reads `bytes` through the public loader as a file called `fileName` (its extension picks the
/// format when the first bytes do not) and checks what every import promises: either a
/// programme whose sessions have a title, a guid and an end not before the start, or an error
/// that names the file and a line that exists. A programme must also survive its own JSON
/// export: export, import, export gives the same bytes.
func fuzzSchedule(_ bytes: [UInt8], fileName: String) {
    do {
        let programme = try ScheduleLoader.parse(Data(bytes), fileName: fileName)
        for session in programme.sessions {
            require(!session.title.isEmpty, "a session without a title")
            require(!session.guid.isEmpty, "a session without a guid")
            require(session.end >= session.start, "session \(session.guid) ends before it starts")
        }
        for warning in programme.warnings {
            require(warning.file == fileName, "a warning names \(warning.file), not \(fileName)")
        }
        // What imports must export, and the export must read back to itself (as PropertyTests
        // checks for the fixtures).
        let json: Data
        do {
            json = try programme.jsonData()
        } catch {
            require(false, "an imported programme does not export: \(error)")
            return
        }
        do {
            let again = try ScheduleLoader.parse(json, fileName: "roundtrip.json")
            let second = try again.jsonData()
            require(second == json, "the export reads back differently:\n\(String(decoding: json, as: UTF8.self))\n---\n\(String(decoding: second, as: UTF8.self))")
        } catch {
            require(false, "the export does not import: \(error)\n\(String(decoding: json, as: UTF8.self))")
        }
    } catch {
        require(error.file == fileName, "the error names \(error.file), not \(fileName)")
        if let line = error.line {
            // Lines end in LF, CR LF or CR; a problem at the very end may be on the line after the last.
            let breaks = bytes.reduce(0) { $0 + ($1 == 0x0A || $1 == 0x0D ? 1 : 0) }
            require(line >= 1 && line <= breaks + 2, "error line \(line) in a file with \(breaks) line breaks")
        }
        _ = error.description
    }
}
