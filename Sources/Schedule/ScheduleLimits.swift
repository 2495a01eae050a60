import Foundation

/// How much a programme file may ask of an import, in one place. Each bound is far above what a
/// real conference needs and low enough that a hostile or broken file is refused with a clear
/// error in seconds, instead of taking minutes and gigabytes (issue 16).
///
/// The loader takes the tunable limits as a value (`ScheduleLimits.standard` unless a caller
/// says otherwise), so tests can try them with small numbers; the bounds on single values in a
/// file are constants below.
public struct ScheduleLimits: Sendable, Equatable {
    /// The largest programme file read, in bytes: 64 MiB holds ten times the largest published
    /// programme we know of (a 10 MB FOSDEM schedule.xml), and bounds the memory of an import.
    public var maxBytes: Int
    /// The most sessions one programme may hold: 100,000 is three times FOSDEM's whole history
    /// in one file; the importers stop at the first session past it.
    public var maxSessions: Int
    /// How long one import may take before it is stopped: 60 s is a hundred times what a large
    /// real programme needs.
    public var timeLimit: Duration

    /// Makes a set of limits.
    public init(maxBytes: Int, maxSessions: Int, timeLimit: Duration) {
        self.maxBytes = maxBytes
        self.maxSessions = maxSessions
        self.timeLimit = timeLimit
    }

    /// The limits `efterhand` uses: 64 MiB, 100,000 sessions, 60 s.
    public static let standard = ScheduleLimits(maxBytes: 64 << 20, maxSessions: 100_000, timeLimit: .seconds(60))

    // MARK: - Bounds on values in a file

    /// The RDATE values and observances one VTIMEZONE may hold: real zones have a few dozen;
    /// 10,000 covers a zone's whole history with room to spare.
    static let maxZoneTransitions = 10_000
    /// The observances with an RRULE one VTIMEZONE may hold: each is evaluated for every year a
    /// session falls in, and real zones have a handful.
    static let maxZoneRules = 1_000
    /// The largest UTC offset a VTIMEZONE may give: ±18 hours, as ISO 8601 and Foundation allow.
    static let maxOffsetSeconds = 18 * 3_600
    /// BYDAY ordinals (`-1SU`, `2SU`) count weeks, of which a year has at most 53.
    static let maxByDayOrdinal = 53
    /// BYMONTHDAY counts days, of which a month has at most 31.
    static let maxByMonthDay = 31
    /// A time-zone rule's INTERVAL, in years: zones change every year.
    static let maxRuleInterval = 100
    /// A time-zone rule's COUNT: more onsets than 10,000 years would need.
    static let maxRuleCount = 10_000
    /// Sessions start and end in the years 1970 to 9999 (UTC), so that every feed and every
    /// offset writes them as a four-digit year with a modern UTC offset: year 1 reads with a
    /// local mean time such as `+00:53:28`, and year 10000 does not format at all. The end is
    /// 9999-12-31T00:00:00Z, a day before the last instant, so that no offset carries it into
    /// year 10000.
    static let earliestInstant = Date(timeIntervalSince1970: 0)
    /// The last instant a session may start or end at: 9999-12-31T00:00:00Z (see above).
    static let latestInstant = Date(timeIntervalSince1970: Double(daysFromCivil(year: 9999, month: 12, day: 31)) * 86_400)
}

/// The moment an import has to stop by, checked as it goes.
struct ImportDeadline {
    let limit: Duration
    let end: ContinuousClock.Instant

    init(limit: Duration) {
        self.limit = limit
        end = ContinuousClock.now.advanced(by: limit)
    }

    var hasPassed: Bool { ContinuousClock.now >= end }

    /// The sentence an error gives when the deadline has passed.
    var message: String {
        "the import took longer than \(limit.components.seconds) s (ScheduleLimits.timeLimit) and was stopped; "
            + "the file is unusually large or complex"
    }
}
