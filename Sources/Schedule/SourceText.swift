import Foundation

/// The bytes of one schedule file and what every importer needs to report on them: the file's
/// name, line and column lookups, and the zone that wall-clock times are read in.
final class SourceText {
    let file: String
    let bytes: [UInt8]
    /// The `--time-zone` the caller gave, which wins over the file's own.
    let zoneOverride: TimeZone?
    /// What the import may take: sessions and time.
    let limits: ScheduleLimits
    /// When the import has to be done by, from when the bytes were read.
    let deadline: ImportDeadline
    private var lineStarts: [Int]?

    init(file: String, bytes: [UInt8], zoneOverride: TimeZone?, limits: ScheduleLimits = .standard) {
        self.file = file
        self.bytes = bytes
        self.zoneOverride = zoneOverride
        self.limits = limits
        deadline = ImportDeadline(limit: limits.timeLimit)
    }

    // MARK: - Limits

    /// Throws once the import has run past its time limit; importers call it once a session.
    func checkDeadline(at location: SourceLocation = .unknown) throws(ScheduleError) {
        if deadline.hasPassed { throw error(deadline.message, at: location) }
    }

    /// Throws when a programme is about to hold its `count`th session and that is more than the
    /// limit; importers call it as they find each session, so a huge file stops early.
    func checkSessionCount(_ count: Int, at location: SourceLocation) throws(ScheduleError) {
        guard count > limits.maxSessions else { return }
        throw error(sessionLimitMessage, at: location)
    }

    /// What an importer says about the session past the limit.
    var sessionLimitMessage: String {
        "more than \(limits.maxSessions) sessions (ScheduleLimits.maxSessions); efterhand reads at most that many from one programme"
    }

    /// 1-based line and column (in characters) of a byte offset.
    func position(ofOffset offset: Int) -> (line: Int, column: Int) {
        let starts = lineStarts ?? computeLineStarts()
        lineStarts = starts
        let clamped = min(max(offset, 0), bytes.count)
        // The last line start at or before the offset.
        var low = 0
        var high = starts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if starts[middle] <= clamped { low = middle } else { high = middle - 1 }
        }
        var column = 1
        var index = starts[low]
        while index < clamped {
            // Count characters, not bytes: skip UTF-8 continuation bytes.
            if bytes[index] & 0xC0 != 0x80 { column += 1 }
            index += 1
        }
        return (low + 1, column)
    }

    private func computeLineStarts() -> [Int] {
        var starts = [0]
        for (index, byte) in bytes.enumerated() where byte == 0x0A { starts.append(index + 1) }
        return starts
    }

    /// Fills in line and column from the byte offset, when the location has only the offset.
    func resolve(_ location: SourceLocation) -> SourceLocation {
        guard location.line == nil, let offset = location.offset else { return location }
        var resolved = location
        let position = position(ofOffset: offset)
        resolved.line = position.line
        resolved.column = position.column
        return resolved
    }

    func error(_ message: String, at location: SourceLocation = .unknown, event: String? = nil) -> ScheduleError {
        let place = resolve(location)
        return ScheduleError(
            file: file, line: place.line, column: place.column, jsonPath: place.jsonPath, event: event, message: message)
    }

    func warning(_ message: String, at location: SourceLocation = .unknown, event: String? = nil) -> ScheduleWarning {
        ScheduleWarning(file: file, line: resolve(location).line, event: event, message: message)
    }

    /// The zone for wall-clock times: `--time-zone`, else the zone the file names, else
    /// Europe/Stockholm. A name the system does not know is a warning, not an error. `name` is
    /// the zone's name as given (the system may spell `UTC` as `GMT`).
    func zone(
        named name: String?, at location: SourceLocation, warnings: inout [ScheduleWarning]
    ) -> (zone: TimeZone, name: String) {
        if let zoneOverride { return (zoneOverride, zoneOverride.identifier) }
        if let name = name?.trimmingCharacters(in: .whitespacesAndNewlines), !name.isEmpty {
            if let zone = TimeZone(identifier: name) { return (zone, name) }
            warnings.append(warning(
                "unknown time zone \"\(abbreviated(name))\"; wall-clock times are read in \(SourceText.defaultZoneName)",
                at: location))
        }
        return (SourceText.defaultZone, SourceText.defaultZoneName)
    }

    static let defaultZoneName = ConferenceZone.fallbackName

    static let defaultZone = ConferenceZone.fallback
}
