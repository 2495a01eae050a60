/// A machine-readable mark on a link, as it travels from the linker through the index to the
/// feed, the pages and the CLI. Stored and written in JSON as its raw value; a stored value
/// that is none of these is an error when read, not a mark silently lost.
public enum LinkFlag: String, Sendable, Codable, CaseIterable {
    /// The session opted out of recording: linked for staff, never published.
    case doNotRecord = "do_not_record"
    /// Another recording matches this session as well and scores at least as high.
    case duplicate
    /// The link reads the camera's `creation_time` as local time written as UTC.
    case clockLocalAsUTC = "clock_local_as_utc"
    /// The recording is one of several parts of the session (see `part` and `parts`).
    case part
    /// A person's choice of a session that is no longer in the programme.
    case sessionGone = "session_gone"
    /// A person made this link (`efterhand link accept`), not the engine.
    case manual
    /// The link rests in part on what is said in the recording: a speech-to-text draft of its
    /// first minutes, weighed because the other clues left it in doubt.
    case heard
}
