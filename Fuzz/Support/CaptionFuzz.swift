import Foundation
@testable import Captions

/// Parses `bytes` as a caption file of `format` and checks what the parser promises: cues with
/// finite, ordered, non-negative times and lines that exist, or an error that names the file and
/// an existing line. What parses must also survive validation, and the writer's output of the
/// cues must parse again with as many cues.
func fuzzCaptions(_ bytes: [UInt8], format: CaptionFile.Format) {
    let name = "fuzz.\(format.rawValue)"
    let lineCount = CaptionText.lines(String(decoding: bytes, as: UTF8.self)).count
    do {
        let file = try CaptionFile.parse(Data(bytes), file: name, format: format)
        for entry in file.entries {
            let cue = entry.cue
            require(cue.start.isFinite && cue.end.isFinite, "a cue time is not finite: \(cue.start) --> \(cue.end)")
            require(cue.start >= 0 && cue.end >= cue.start, "a cue runs backwards: \(cue.start) --> \(cue.end)")
            require(entry.line >= 1, "cue line \(entry.line)")
        }
        for problem in file.validate(duration: 60) {
            require(problem.file == name, "a validation problem names \(problem.file)")
        }
        let written: String
        switch format {
        case .webVTT: written = WebVTT.write(file.cues)
        case .srt: written = SRT.write(file.cues)
        }
        do {
            let again = try CaptionFile.parse(Data(written.utf8), file: name, format: format)
            require(again.entries.count == file.entries.count,
                    "\(file.entries.count) cues written, \(again.entries.count) read back:\n\(written)")
        } catch {
            require(false, "the writer's output does not parse (\(error.message)):\n\(written)")
        }
    } catch {
        require(error.file == name, "the error names \(error.file), not \(name)")
        if let line = error.line {
            require(line >= 1 && line <= max(lineCount, 1) + 1, "error line \(line) of \(lineCount): \(error.message)")
        }
    }
}
