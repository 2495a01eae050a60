import Foundation
import Schedule

/// One clue or step behind a proposed link, with its figures. The linker decides by these;
/// the English reason lines of `efterhand links --json`, `LinkReport` and the index are
/// rendered from them (`line`), never read back.
public enum Evidence: Sendable, Equatable {
    /// Where a reference to a session was found.
    public enum Place: Sendable, Equatable {
        /// A metadata tag, by its key.
        case tag(String)
        /// The file name or its path.
        case fileName
    }

    /// Where the recording's room was read.
    public enum RoomSource: Sendable, Equatable {
        /// A folder of the path, as written.
        case folder(String)
        /// A `location`, `room` or `venue` tag, by its key.
        case tag(String)
        /// A run of words of the file name.
        case fileName
    }

    /// Which text of the recording matched a session's title.
    public enum TextSource: Sendable, Equatable {
        /// The `title` tag, as written.
        case titleTag(String)
        /// Other tag text (comment, description, album, ...), when there is no title tag.
        case tagText
        /// The file name.
        case fileName
        /// A chapter, by its title.
        case chapter(String)
    }

    /// A session that another linked recording holds at the same time.
    public struct Taken: Sendable, Equatable {
        /// The session's title.
        public var title: String
        /// The path of the recording that holds it.
        public var path: String

        /// A session `title` held by the recording at `path`.
        public init(title: String, path: String) {
            self.title = title
            self.path = path
        }
    }

    /// The session's guid appears in a tag or the file name.
    case sessionGuid(in: Place)
    /// The session's slug appears in a tag or the file name.
    case sessionSlug(String, in: Place)
    /// The session's id is the value of an id tag.
    case sessionID(String, tag: String)
    /// The recording's window (`recording`, as written for people) covers a share of the slot
    /// (`slot`, as written), and a share of the recording lies in it.
    case window(recording: String, coverage: Double, inSlot: Double, slot: String)
    /// The window was read with the camera clock corrected: `written` is the tag in UTC.
    case clockLocalAsUTC(written: String)
    /// The recording's own clock puts it outside the slot on `day`.
    case windowOutsideSlot(recording: String, slot: String, day: String)
    /// The recording is from the session's room.
    case room(String, source: RoomSource)
    /// The recording is from room `recording`, the session is in room `session`.
    case otherRoom(String, source: RoomSource, session: String)
    /// A text of the recording matches the session's title with this similarity (0 to 1).
    case text(TextSource, share: Double)
    /// The title tag is the session's title but for `letters` letters (a typo or two; 0: only
    /// spaces and punctuation differ), and no other session's title is that near.
    case nearTitle(String, letters: Int, share: Double)
    /// A speaker of the session is named in the recording's text.
    case speaker(String)
    /// What is said in the recording names the session: a speaker's name, its title, words of
    /// its abstract and topics, as a speech-to-text draft heard them.
    case spoken(SpokenMatch)
    /// The title tag matches another session (by its title) better.
    case titleNamesAnother(String)
    /// The recording is much shorter than the slot (both in seconds).
    case muchShorter(recording: TimeInterval, slot: TimeInterval)
    /// The session opted out of recording.
    case optedOut
    /// A slot in the recording's room fits the recording's length.
    case lengthFitsSlot(day: String, slot: String, slotLength: TimeInterval, recordingLength: TimeInterval)
    /// In and out points taken from a chapter (in seconds of the recording).
    case chapterInOut(String, from: Double, to: Double)
    /// The in point moved to a chapter boundary (in seconds of the recording).
    case inPointSnapped(Double)
    /// The out point moved to a chapter boundary (in seconds of the recording).
    case outPointSnapped(Double)
    /// Doubt: the other reading of the camera clock fits another session (by its title) as well.
    case doubtClockReading(otherTitle: String)
    /// Doubt: this many other sessions at the same time score nearly as well.
    case doubtRivals(count: Int)
    /// Another recording matches this session as well, with this score.
    case duplicateOf(path: String, score: Double)
    /// No recording is linked to this session.
    case noRecordingLinked
    /// Doubt: only the room and the length to go by.
    case doubtRoomAndLengthOnly
    /// One of several parts of the session, with the paths of the other parts.
    case part(Int, of: Int, with: [String])
    /// Settled by elimination: the rest of a session after the parts in these recordings.
    case restAfterParts([String])
    /// Settled by elimination: the other close candidates are held by these recordings.
    case othersTaken([Taken])
    /// A reason line read back from the index: words only, for people.
    case stored(String)

    /// Whether this is a doubt, which a settled link no longer carries. A stored line is
    /// never one: nothing is decided by reading words.
    public var isDoubt: Bool {
        switch self {
        case .doubtClockReading, .doubtRivals, .doubtRoomAndLengthOnly: return true
        default: return false
        }
    }

    /// Whether the recording names the session outright: its guid or its slug.
    var namesSession: Bool {
        switch self {
        case .sessionGuid, .sessionSlug: return true
        default: return false
        }
    }

    /// Whether the title tag matches the session's title fully (100% as written).
    var titleTagMatchesFully: Bool {
        if case .text(.titleTag, let share) = self { return Self.percent(share) == 100 }
        return false
    }

    /// The reason line, in the words `efterhand links --json` has always written.
    public var line: String {
        switch self {
        case .sessionGuid(let place): return "session guid in \(Self.describe(place))"
        case .sessionSlug(let slug, let place): return "session slug \(slug) in \(Self.describe(place))"
        case .sessionID(let id, let tag): return "session id \(id) in \(tag) tag"
        case .window(let recording, let coverage, let inSlot, let slot):
            let covers = "\(recording) covers \(Self.percent(coverage))% of the slot \(slot)"
            return coverage >= LinkThresholds.fullCoverageWording ? covers : covers + ", \(Self.percent(inSlot))% of the recording lies in it"
        case .clockLocalAsUTC(let written):
            return "creation_time \(written) read as local time written as UTC (camera clock off by exactly the zone's offset)"
        case .windowOutsideSlot(let recording, let slot, let day): return "\(recording) does not overlap the slot \(slot) on \(day)"
        case .room(let room, let source): return "room \(room) (\(Self.describe(source)))"
        case .otherRoom(let recording, let source, let session):
            return "recording is from room \(recording) (\(Self.describe(source))), the session is in \(session)"
        case .text(let source, let share): return "\(Self.describe(source)) matches the session title (\(Self.percent(share))%)"
        case .nearTitle(let title, let letters, _):
            return letters == 0 ? "title tag \"\(title)\" is the session title but for spaces and punctuation"
                : "title tag \"\(title)\" is the session title but for \(letters) letter\(letters == 1 ? "" : "s") (no other title is that near)"
        case .speaker(let name): return "speaker \(name) named in the recording's title or tags"
        case .spoken(let match): return Self.describe(match)
        case .titleNamesAnother(let title): return "the title tag matches another session better: \"\(title)\""
        case .muchShorter(let recording, let slot):
            return "recording (\(ClockText.length(recording))) is much shorter than the slot (\(ClockText.length(slot)))"
        case .optedOut: return "session opted out of recording: linked for staff, never published"
        default: return laterText
        }
    }

    /// The reason lines of placement, doubt and the look across recordings.
    private var laterText: String {
        switch self {
        case .lengthFitsSlot(let day, let slot, let slotLength, let recordingLength):
            return "the slot \(day) \(slot) (\(ClockText.length(slotLength))) fits the recording's length (\(ClockText.length(recordingLength)))"
        case .chapterInOut(let title, let from, let to):
            return "in and out from chapter \"\(title)\" (\(ClockText.position(from))–\(ClockText.position(to)))"
        case .inPointSnapped(let at): return "in point moved to the chapter boundary at \(ClockText.position(at))"
        case .outPointSnapped(let at): return "out point moved to the chapter boundary at \(ClockText.position(at))"
        case .doubtClockReading(let title):
            return "doubtful: the creation_time tag fits \"\(title)\" as well if the camera wrote local time as UTC"
        case .doubtRivals(let count):
            return "doubtful: \(count) other session\(count == 1 ? "" : "s") at the same time score\(count == 1 ? "s" : "") nearly as well"
        case .duplicateOf(let path, let score):
            return "another recording, \(path), matches this session as well (score \(String(format: "%.2f", score)))"
        case .noRecordingLinked: return "no recording is linked to this session"
        case .doubtRoomAndLengthOnly: return "doubtful: only the room and the length to go by"
        case .part(let part, let parts, let others):
            return "part \(part) of \(parts) of this session (with \(others.joined(separator: ", ")))"
        case .restAfterParts(let paths): return "the rest of this session after the part recorded in \(paths.joined(separator: ", "))"
        case .othersTaken(let taken):
            return "the other close candidates are recorded at the same time by linked recordings: "
                + taken.map { "\"\($0.title)\" by \($0.path)" }.joined(separator: "; ")
        case .stored(let line): return line
        default: return ""  // the cases that `line` writes itself
        }
    }

    /// A share as a whole percentage, rounded half away from zero; 0 for a share that is no number.
    static func percent(_ share: Double) -> Int {
        Int(exactly: (share * 100).rounded()) ?? 0
    }

    /// `the speaker says "jag heter Julia Olander" and "öppna data i praktiken" in the first
    /// minute (speech-to-text draft)`.
    private static func describe(_ match: SpokenMatch) -> String {
        var said = [match.name, match.title].compactMap { $0 }.map { "\"\($0)\"" }
        if !match.about.isEmpty {
            let words = match.about.prefix(4).map { "\"\($0)\"" }.joined(separator: ", ")
            said.append(said.isEmpty ? words : "mentions \(words)")
        }
        let when = match.at < 60 ? "in the first minute" : "at \(ClockText.position(match.at, rounding: .down))"
        return "the speaker says \(said.joined(separator: " and ")) \(when) (speech-to-text draft)"
    }

    private static func describe(_ place: Place) -> String {
        switch place {
        case .tag(let key): return "\(key) tag"
        case .fileName: return "the file name"
        }
    }

    private static func describe(_ source: RoomSource) -> String {
        switch source {
        case .folder(let name): return "folder \(name)"
        case .tag(let key): return "\(key) tag"
        case .fileName: return "file name"
        }
    }

    private static func describe(_ source: TextSource) -> String {
        switch source {
        case .titleTag(let title): return "title tag \"\(title)\""
        case .tagText: return "tag text"
        case .fileName: return "file name"
        case .chapter(let title): return "chapter \"\(title)\""
        }
    }
}
