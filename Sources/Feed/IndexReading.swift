import IndexStore

/// What the catalogue reads of an index: one committed state at a time, and a way to tell that
/// another commit came since. `IndexDatabase` is one; a test builds one from values.
public protocol IndexReading: Sendable {
    /// Everything the feed and the API read, from one commit.
    func snapshot() throws -> IndexSnapshot
    /// Tells commits apart; nil when the index cannot tell (then every read reads it again).
    func commitWatch() throws -> (any CommitWatch)?
}

/// A number that changes with every commit of an index.
public protocol CommitWatch: Sendable {
    func version() throws -> Int64
}

extension IndexChangeWatch: CommitWatch {}

extension IndexDatabase: IndexReading {
    public func commitWatch() throws -> (any CommitWatch)? { try changeWatch() }
}
