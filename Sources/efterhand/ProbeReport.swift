import Foundation
import MediaProbe

/// How `efterhand probe` prints its results.
enum ProbeReport {
    static func json(_ results: [ProbeResult]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(results), as: UTF8.self)
    }

    /// A table with one line per file and, under it, its chapters and any error.
    static func table(_ results: [ProbeResult]) -> String {
        var rows: [[String]] = [["FILE", "CONTAINER", "DURATION", "STREAMS", "CHAPTERS"]]
        var notes: [String] = []
        for result in results {
            rows.append([
                TerminalText.escaped(result.path),
                result.container.map { $0.split(separator: ",").first.map(String.init) ?? $0 } ?? "-",
                result.durationSeconds.map { timecode($0) + (result.durationSource == .container ? "" : " (\(result.durationSource?.rawValue ?? "?"))") } ?? "-",
                result.streams.map(describe).joined(separator: ", "),
                result.chapters.isEmpty ? "-" : String(result.chapters.count),
            ])
            if let error = result.error { notes.append("error [\(error.code.rawValue)] \(TerminalText.escaped(error.message))") }
        }
        let widths = (0..<rows[0].count).map { column in rows.map { $0[column].count }.max() ?? 0 }
        var out = ""
        for row in rows {
            let cells = row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }
            out += cells.joined(separator: "  ") + "\n"
        }
        for note in notes { out += note + "\n" }
        let failed = results.filter { !$0.succeeded }.count
        out += "\(results.count) files, \(results.count - failed) probed, \(failed) failed\n"
        return out
    }

    static func describe(_ stream: StreamInfo) -> String {
        var parts = [stream.codec ?? stream.kind.rawValue]
        if let width = stream.width, let height = stream.height { parts.append("\(width)x\(height)") }
        if let channels = stream.channels { parts.append("\(channels)ch") }
        if let language = stream.language { parts.append(language) }
        if stream.attachedPicture { parts.append("cover") }
        return parts.joined(separator: " ")
    }

    /// `h:mm:ss.mmm`
    static func timecode(_ seconds: Double) -> String {
        // A duration read from a file may be anything: NaN, infinite or past Int's range.
        guard seconds.isFinite, abs(seconds) < 1e12 else { return "?" }
        let millis = Int((seconds * 1000).rounded())
        return String(format: "%d:%02d:%02d.%03d", millis / 3_600_000, millis / 60_000 % 60, millis / 1000 % 60, millis % 1000)
    }
}
