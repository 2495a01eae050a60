import Foundation

/// Thresholds and tolerances of the linker that a caller may set.
public struct LinkOptions: Sendable {
    /// At or above this score a link is made automatically.
    public var linkThreshold: Double = 0.7
    /// Below this score a session is not even proposed for review.
    public var reviewThreshold: Double = 0.35
    /// A rival within this much of the best score makes the decision doubtful.
    public var ambiguityMargin: Double = 0.1
    /// How far before and after a slot a recording's window is still looked at.
    public var padding: TimeInterval = 20 * 60
    /// How close a chapter boundary must be to a scheduled changeover to be taken as it.
    public var chapterSnap: TimeInterval = 5 * 60
    /// How many alternatives a recording in review lists.
    public var candidateCount = 3
    /// The zone that wall-clock times (file names) are read in and reasons are written in.
    public var timeZone: TimeZone

    /// Options with the default thresholds, reading and writing wall-clock times in `timeZone`.
    public init(timeZone: TimeZone) {
        self.timeZone = timeZone
    }
}

/// Every fixed figure the linker decides by, with why it is what it is. The ones a caller may
/// change are in `LinkOptions`; these are part of the method.
enum LinkThresholds {
    // MARK: Clues

    /// A `creation_time` before the end of 1970's first year is a missing clock, not a time.
    static let earliestClock: TimeInterval = 86_400 * 365
    /// A session guid named in a tag or the file name: all but certain.
    static let guidSupport = 0.99
    /// A session slug named in a tag or the file name: nearly as sure as a guid.
    static let slugSupport = 0.95
    /// A session id in an id tag: ids are short and may be reused, so a little less sure.
    static let idSupport = 0.9
    /// Slugs shorter than this are ordinary words, not references.
    static let shortestSlug = 4
    /// Words are found in the word index by this many leading letters (plural and stem alike).
    static let wordPrefixLength = 4
    /// The longest run of file-name words tried as a room name ("sal a", "main hall 2").
    static let longestRoomRun = 4
    /// How many sessions the recording's text may propose, so common words do not make every session a candidate.
    static let textCandidateLimit = 25

    // MARK: Scoring

    /// A window covering this much of a slot, with `linedUpInSlot` of it inside, lines up with the slot.
    static let linedUpCoverage = 0.9
    /// The share of a recording inside a slot that, with `linedUpCoverage`, lines the window up.
    static let linedUpInSlot = 0.6
    /// A modification time that lines up with a slot at both ends: a copy's time does not do that by chance.
    static let mtimeLinedUpWeight = 0.7
    /// Any other modification time: weak, a copy resets it.
    static let mtimeWeight = 0.4
    /// The most a window on the wall clock supports a session on its own.
    static let windowSupport = 0.8
    /// How much the share of the recording in the slot counts against the share of the slot covered.
    static let inSlotWeight = 0.9
    /// From this coverage on, the reason does not say how much of the recording lies in the slot.
    static let fullCoverageWording = 0.95
    /// A window read through the corrected camera clock counts a little less than one read as written.
    static let localAsUTCSupport = 0.95
    /// A trusted clock that puts the recording outside the slot speaks against the session.
    static let outsideSlotPenalty = 0.35
    /// ... but only a little when the recording names the session outright.
    static let outsideSlotNamedPenalty = 0.9
    /// The recording's room is the session's room.
    static let roomSupport = 0.45
    /// The recording is from another room than the session's.
    static let otherRoomPenalty = 0.5
    /// File names and chapter titles are noisier than a title tag.
    static let secondaryTextWeight = 0.8
    /// Below this similarity a text match is noise.
    static let textMatchFloor = 0.25
    /// The most a text match supports a session.
    static let textSupport = 0.85
    /// A speaker counts as named when at least this many words of the name appear.
    static let speakerNameWords = 2
    /// A speaker named in the recording's text.
    static let speakerSupport = 0.5
    /// A title tag this many letters long (spaces and punctuation aside) may differ from its
    /// session's title by one letter, and from this many by two, and still name it: "OpenCdes"
    /// for "OpenCodes", "the Word" for "the World". Shorter titles are too near each other.
    static let nearTitleOneLetter = 8
    static let nearTitleTwoLetters = 20

    /// What is said in a recording's first minutes (see `HeardText`), for a recording that the
    /// other clues leave in review or unmatched. A speaker's whole name said in a row ("jag
    /// heter Julia Olander"): strong, but short of a link alone (a speaker may give two talks).
    static let spokenNameSupport = 0.6
    /// A name heard may differ from the programme's by one letter in this many (a speech engine
    /// spells names by their sound), each word beginning with the same letter.
    static let spokenNameLettersPerTypo = 4
    /// Heard words are looked up among speakers' names and topic words by this many first letters.
    static let spokenPrefixLength = 3
    /// A speaker's surname alone, of at least `spokenSurnameLetters` letters: weak.
    static let spokenSurnameSupport = 0.2
    static let spokenSurnameLetters = 5
    /// The title said (the weighted share of its words heard within a stretch a little longer
    /// than it, squared, so that a title missing its one telling word counts for much less):
    /// the whole title alone links; under `spokenTitleFloor` it is chance.
    static let spokenTitleSupport = 0.8
    static let spokenTitleFloor = 0.5
    /// A stretch holding the title may be this many words longer than twice the title.
    static let spokenTitleSlack = 3
    /// Topic words heard (rare words of the title, topics and abstract, of at least
    /// `spokenTopicLetters` letters): each adds, fully from `spokenTopicFull` on. Alone they
    /// stay under the review threshold: what a talk is about is no proof of which talk it is.
    static let spokenTopicSupport = 0.3
    static let spokenTopicFull = 2
    static let spokenTopicLetters = 5
    /// A recording that what was heard leaves in doubt is heard again with a prompt: the
    /// speakers and titles of the this many sessions that score best for it, and no more than
    /// `promptCharacters` characters of them (Whisper reads at most 224 tokens of a prompt).
    static let promptSessions = 4
    static let promptCharacters = 600
    /// When fewer sessions score, the prompt is filled with those whose speakers and title
    /// share at least this share of their letter triples with what was heard.
    static let promptSoundAlike = 0.4
    /// A word that more than this share of the sessions (and more than `topicRareAtLeast`) have
    /// among their topic words tells nothing ("arbetat", "erfarenheter").
    static let topicRareShare = 0.02
    static let topicRareAtLeast = 2
    /// How much of an abstract and description is read for topic words.
    static let aboutCharacters = 800

    /// A title tag that matches a session this well names it.
    static let namingTitleSimilarity = 0.75
    /// Another session matched less than this share as well as the named one is not named.
    static let namingTitleRatio = 0.5
    /// The recording names another talk: time and room alone must not override that.
    static let namesAnotherPenalty = 0.6
    /// A recording shorter than this share of the slot is a clip, not the talk.
    static let shortRecordingShare = 0.2
    /// The penalty for such a clip.
    static let shortRecordingPenalty = 0.85

    // MARK: One recording

    /// The corrected camera clock must explain the recording this much better to be taken.
    static let clockReadingMargin = 0.06
    /// Within `clockReadingMargin`, the tag as written wins when its window fits its slot this much better.
    static let clockFitMargin = 0.03
    /// Candidates of an unmatched recording scoring below this are not worth a look.
    static let unmatchedCandidateFloor = 0.2
    /// A parallel slot that holds this share of the recording may replace the best one when it fits clearly closer.
    static let mostlyOneTalk = 0.6
    /// A slot this much closer to the recording's window than another is clearly the better
    /// fit: more than a few minutes of early start and a few of overrun explain.
    static let clearlyCloser: TimeInterval = 10 * 60
    /// A talk in a row must be covered this much to join a room's stream.
    static let inRowCoverage = 0.6
    /// A talk held this much counts as held whole (a room's stream holds its talks whole).
    static let heldWholeCoverage = 0.9
    /// A recording with only its room to go by may be this much shorter than a slot it fits.
    static let roomLengthShorter: TimeInterval = 5 * 60
    /// ... and this much longer (a late start, an overrun).
    static let roomLengthLonger: TimeInterval = 15 * 60
    /// The overrun a recording usually has: slots are ranked by how close the length is to the slot plus this.
    static let usualOverrun: TimeInterval = 5 * 60

    // MARK: Placement

    /// A chapter title must match a session this well to give its in and out points.
    static let chapterMatchFloor = 0.3
    /// A chapter further than this share of the slot from the in point (or `chapterSnap`) is another talk's.
    static let chapterReachShare = 0.5
    /// A chapter boundary within this many seconds of a point is that point already.
    static let snapDeadBand: TimeInterval = 0.5

    // MARK: Across recordings

    /// A recording whose title tag names the session fully and scores this much keeps it, even as a duplicate.
    static let namedKeepScore = 0.9
    /// Elimination runs this many rounds: one settled recording may settle another.
    static let eliminationRounds = 3
    /// A clockless recording this long against the slot holds the whole session, if it holds it at all.
    static let clocklessWhole = 0.9
    /// The rest of a talk: this share of the recording must lie in the talk's slot.
    static let restOwnShare = 0.5
    /// The talks left under one reading must explain this share of the recording.
    static let explainedShare = 0.6
    /// Recordings together hold a session when they cover this share of its slot.
    static let heldTogether = 0.7
    /// Two windows are one stretch of a talk when they overlap by more than this share of the shorter.
    static let sameStretchShare = 0.5
    /// A modification time counts as a clock when it puts this share of the link on the slot.
    static let mtimeOnSlotShare = 0.3
}
