import Foundation
import NIOConcurrencyHelpers
import IndexStore

/// Hands out the catalogue of the index as it is now. The index is re-read only when something
/// was committed since the last read (by `efterhand ingest` in another process, or by this
/// one), which costs one read of the wal-index header per call (`IndexChangeWatch`); otherwise
/// the last catalogue is returned. No answer is ever older than the last commit before the call.
public final class CatalogueStore: Sendable {
    /// The index the catalogue is read from.
    public let index: any IndexReading
    public let links: Links
    private let watch: (any CommitWatch)?
    private let state = NIOLockedValueBox<(version: Int64?, catalogue: Catalogue?, generation: UInt64)>((nil, nil, 0))
    /// Held while a catalogue is built, so that a burst of requests after a commit builds it once.
    private let building = NSLock()

    /// Watches `index` for commits and renders links with `links`. Generations count on from
    /// `generation`, so that a store that replaces another (the index file was replaced) never
    /// hands out a generation that caches already hold answers for.
    public init(index: any IndexReading, links: Links, after generation: UInt64 = 0) throws {
        self.index = index
        self.links = links
        watch = try index.commitWatch()
        state.withLockedValue { $0.generation = generation }
    }

    /// The generation of the last catalogue handed out (0 before the first).
    public var generation: UInt64 { state.withLockedValue { $0.generation } }

    /// The catalogue when nothing was committed since it was read, else nil (call `rebuild()`).
    public func currentIfUnchanged() throws -> Catalogue? {
        guard let watch else { return nil }
        let version = try watch.version()
        return state.withLockedValue { $0.version == version ? $0.catalogue : nil }
    }

    /// The catalogue of the index as it is now: the last one when nothing changed, else a new one.
    public func current() throws -> Catalogue {
        if let catalogue = try currentIfUnchanged() { return catalogue }
        return try rebuild()
    }

    /// Reads the index again (unless another caller just did) and returns its catalogue.
    public func rebuild() throws -> Catalogue {
        building.lock()
        defer { building.unlock() }
        // The version is read before the snapshot: a commit between the two makes the snapshot
        // newer than the version says, and the next call reads again, which is safe. The
        // other order could pair an old snapshot with a new version and keep it.
        let version = try watch?.version()
        if let version, let catalogue = state.withLockedValue({ $0.version == version ? $0.catalogue : nil }) { return catalogue }
        let snapshot = try index.snapshot()
        let generation = state.withLockedValue { value -> UInt64 in
            value.generation += 1
            return value.generation
        }
        let catalogue = Catalogue(snapshot: snapshot, links: links, generation: generation)
        state.withLockedValue { $0 = (version, catalogue, generation) }
        return catalogue
    }

    /// Forgets the catalogue, so the next call reads the index again.
    public func invalidate() {
        state.withLockedValue { $0.version = nil }
    }
}
