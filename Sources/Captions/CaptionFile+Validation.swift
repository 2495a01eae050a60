extension CaptionFile {
    /// Checks a file before it is imported for a recording `duration` seconds long: every cue
    /// inside `0...duration` (when the duration is known), starts never going back, and no cue
    /// overlapping the one before it by more than `overlapTolerance` seconds. Returns every
    /// problem found, each naming the cue's line; an empty array means the file fits.
    ///
    /// Cues ending before they start never get this far: the parsers refuse them.
    public func validate(duration: Double?, overlapTolerance: Double = 0.5) -> [CaptionError] {
        // A millisecond of slack: the writers round to it, and containers round durations.
        let slack = 0.0015
        var problems: [CaptionError] = []
        var previous: Entry?
        var latestEnd: (time: Double, line: Int)?
        for entry in entries {
            let cue = entry.cue
            func problem(_ code: CaptionError.Code, _ reason: String) {
                problems.append(CaptionError(code: code, file: file, line: entry.line, reason: reason))
            }
            if cue.start < -slack {
                problem(.outOfRange, "the cue starts at \(time(cue.start)), before the recording starts")
            }
            if let duration, cue.end > duration + slack {
                problem(.outOfRange, "the cue ends at \(time(cue.end)), after the recording ends (\(time(duration)))")
            }
            if let previous, cue.start < previous.cue.start - slack {
                problem(.outOfOrder, "the cue starts at \(time(cue.start)), before the cue on line \(previous.line) (\(time(previous.cue.start)))")
            } else if let latestEnd, cue.start < latestEnd.time - overlapTolerance - slack {
                problem(.overlap, "the cue starts at \(time(cue.start)), \(seconds(latestEnd.time - cue.start)) s before the cue on line \(latestEnd.line) ends (\(time(latestEnd.time)))")
            }
            previous = entry
            if latestEnd == nil || cue.end > latestEnd!.time { latestEnd = (cue.end, entry.line) }
        }
        return problems
    }

    private func time(_ seconds: Double) -> String { CaptionText.timestamp(seconds) }

    private func seconds(_ value: Double) -> String {
        let millis = (value * 1000).rounded() / 1000
        return millis == millis.rounded() ? String(Int(millis)) : String(millis)
    }
}
