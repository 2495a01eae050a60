import ArgumentParser
import Foundation
import Schedule

/// `efterhand schedule SUBCOMMAND`: programme schedules.
struct ScheduleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule",
        abstract: "Read conference programmes: c3voc schedule.json, schedule.xml, iCalendar and CSV.",
        subcommands: [Show.self]
    )

    /// `efterhand schedule show FILE [--json] [--time-zone ZONE]`
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a programme's sessions, sorted by start and room.",
            discussion: """
                The format is told from the file's content: c3voc schedule.json (pretalx, frab, \
                schedule 2), frab/pretalx/pentabarf schedule.xml, iCalendar, or CSV with a header \
                row. Warnings (such as two sessions sharing a guid) go to standard error. Exits 0 \
                when the file was read, 1 when it could not be, 2 on a usage error.
                """
        )

        @Argument(help: "The schedule file to read.")
        var file: String

        @Flag(help: "Print the programme as JSON instead of a table.")
        var json = false

        @Option(
            name: .customLong("time-zone"),
            help: "IANA zone for times written without an offset, such as Europe/Stockholm. Defaults to the zone the file names, else Europe/Stockholm."
        )
        var timeZone: String?

        @OptionGroup var global: GlobalOptions

        func validate() throws {
            if let timeZone, TimeZone(identifier: timeZone) == nil {
                throw ValidationError("--time-zone: unknown time zone '\(timeZone)'; use an IANA name such as Europe/Stockholm.")
            }
        }

        func run() throws {
            global.bootstrapLogging()
            let programme: Programme
            do {
                programme = try ScheduleLoader.load(path: file, timeZone: timeZone.flatMap { TimeZone(identifier: $0) })
            } catch {
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
                throw ExitCode(1)
            }
            for warning in programme.warnings {
                FileHandle.standardError.write(Data("warning: \(warning)\n".utf8))
            }
            if json {
                FileHandle.standardOutput.write(try programme.jsonData())
                FileHandle.standardOutput.write(Data("\n".utf8))
            } else {
                print(ScheduleTable.render(programme), terminator: "")
            }
        }
    }
}

/// The readable form of a programme: one line a session, times in the conference's zone.
enum ScheduleTable {
    static func render(_ programme: Programme) -> String {
        let conference = programme.conference
        var out = [conference.title, conference.acronym.map { "(\($0))" }, "times in \(conference.timeZone)"]
            .compactMap { $0 }
            .joined(separator: " ") + "\n"
        var rows: [[String]] = [["START", "END", "ROOM", "TITLE", "PERSONS"]]
        rows.reserveCapacity(programme.sessions.count + 1)
        for session in programme.sessions {
            let start = local(conference.localTimestamp(session.start))
            let end = local(conference.localTimestamp(session.end))
            // The end's date only when it differs from the start's.
            let endText = end.prefix(10) == start.prefix(10) ? String(end.dropFirst(11)) : end
            rows.append([
                start, endText, session.room ?? "-",
                session.title + (session.doNotRecord ? " [do not record]" : ""),
                session.persons.isEmpty ? "-" : session.persons.joined(separator: ", "),
            ])
        }
        // Character counts once per cell: counting Characters is the slow part of a long table.
        let counts = rows.map { row in row.map(\.count) }
        let widths = (0..<rows[0].count).map { column in counts.map { $0[column] }.max() ?? 0 }
        for (row, rowCounts) in zip(rows, counts) {
            for (index, cell) in row.enumerated() {
                out += cell
                if index < row.count - 1 { out += String(repeating: " ", count: widths[index] - rowCounts[index] + 2) }
            }
            out += "\n"
        }
        let optedOut = programme.sessions.filter(\.doNotRecord).count
        out += "\(programme.sessions.count) sessions"
        out += optedOut > 0 ? ", \(optedOut) not to be recorded\n" : "\n"
        return out
    }

    /// `2021-10-04T13:00:00+02:00` → `2021-10-04 13:00`
    private static func local(_ timestamp: String) -> String {
        timestamp.prefix(10) + " " + timestamp.dropFirst(11).prefix(5)
    }
}
