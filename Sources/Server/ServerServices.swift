import Feed
import Foundation
import NIOConcurrencyHelpers
import Hummingbird
import IndexStore
import Logging
import NIOPosix

/// What the routes share: the configuration, the index, its catalogue and the rendered answers.
/// One per application; the index is opened once and every request reads the latest commit.
public final class ServerServices: Sendable {
    public let configuration: ServerConfiguration
    public let links: Links
    /// The index as opened, with the identity of its file; replaced when the file is.
    private let opened: NIOLockedValueBox<OpenedIndex>
    /// Held while the index is opened again, so that one request does it.
    private let reopening = NSLock()
    /// Whether the log already says that the index file is gone.
    private let goneLogged = NIOLockedValueBox(false)
    /// The index's database file; nil for an index that is no file (`init(configuration:repository:)`).
    public let indexFile: String?
    let cache = ResponseCache()
    /// Where searches run (see `SearchGate`).
    let searches = SearchGate()
    let fileIO = FileIO()
    /// Makes the thumbnails ingest named but did not make (see `ThumbnailWorkshop`).
    let thumbnails = ThumbnailWorkshop()
    /// Who is signed in to the staff pages.
    let staff: StaffSessions
    let logger = Logger(label: "efterhand.http")
    /// Runs index work that may take a while (rebuilding the catalogue, reading a page's
    /// snapshot, writing) off the tasks that serve requests: its own threads, two per core and at
    /// least four, so that one slow write leaves room for the reads beside it.
    /// (Made last in `init`, once nothing can throw: a pool must be shut down before it goes.)
    private let pool: NIOThreadPool

    /// Opens the index in `configuration.indexFolder`.
    public init(configuration: ServerConfiguration) throws {
        self.configuration = configuration
        links = Links(publicURL: configuration.publicURL, mediaURL: configuration.mediaURL)
        staff = StaffSessions(tokens: configuration.staffAccounts, keeper: SignInsInMemory())
        let file = (configuration.indexFolder as NSString).appendingPathComponent(IndexDatabase.fileName)
        indexFile = file
        let database: IndexDatabase
        do {
            database = try IndexDatabase(folder: configuration.indexFolder, forQueries: true)
        } catch let error as IndexError where error.code == .readOnly && IndexError.onReadOnlyFileSystem(configuration.indexFolder) {
            // A folder on a read-only mount (an image, a shipped copy) is served as it is; writes
            // answer 503. Not one this user merely may not write: another may be changing it.
            database = try IndexDatabase(readOnlyFolder: configuration.indexFolder)
            Logger(label: "efterhand.server").notice("the index is read-only: serving it as it is, writes are refused (\(error))")
        }
        opened = NIOLockedValueBox(OpenedIndex(repository: database, catalogues: try CatalogueStore(index: database, links: links),
                                               identity: FileIdentity(path: file)))
        pool = Self.makePool()
    }

    /// Serves `repository` (an index built from values, in a test): no file to watch or open again.
    public init(configuration: ServerConfiguration, repository: any IndexRepository) throws {
        self.configuration = configuration
        links = Links(publicURL: configuration.publicURL, mediaURL: configuration.mediaURL)
        staff = StaffSessions(tokens: configuration.staffAccounts, keeper: repository.signIns ?? SignInsInMemory())
        indexFile = nil
        opened = NIOLockedValueBox(OpenedIndex(repository: repository, catalogues: try CatalogueStore(index: repository, links: links), identity: nil))
        pool = Self.makePool()
    }

    private static func makePool() -> NIOThreadPool {
        let pool = NIOThreadPool(numberOfThreads: max(4, 2 * ProcessInfo.processInfo.activeProcessorCount))
        pool.start()
        return pool
    }

    deinit {
        pool.shutdownGracefully { _ in }
    }

    /// The index as opened now.
    public var repository: any IndexRepository { opened.withLockedValue { $0.repository } }
    /// The catalogues of the index as opened now.
    public var catalogues: CatalogueStore { opened.withLockedValue { $0.catalogues } }

    /// What became of the index file since it was opened.
    enum IndexFileState: Equatable {
        /// The file that was opened is still at its place.
        case present
        /// No file at the index's place: deleted or moved away. The server answers from the
        /// file it has open, which is the last state committed to it.
        case gone
    }

    /// Checks that the index file is still the one that was opened (one `stat`): when another
    /// file took its place (a new `efterhand ingest` after the old one was deleted, or a copy
    /// moved in), it is opened and answered from from now on.
    func checkIndexFile() -> IndexFileState {
        guard let indexFile else { return .present }
        let now = FileIdentity(path: indexFile)
        let current = opened.withLockedValue { $0 }
        guard let now else {
            if current.identity != nil, goneLogged.withLockedValue({ logged in defer { logged = true }; return !logged }) {
                logger.error("the index file '\(indexFile)' is gone (deleted or moved); answering from the state read before")
            }
            return .gone
        }
        guard now != current.identity else { return .present }
        reopening.lock()
        defer { reopening.unlock() }
        if opened.withLockedValue({ $0.identity }) == now { return .present }
        do {
            let database = try IndexDatabase(folder: configuration.indexFolder, create: false, forQueries: true)
            let catalogues = try CatalogueStore(index: database, links: links, after: current.catalogues.generation + 1)
            opened.withLockedValue { $0 = OpenedIndex(repository: database, catalogues: catalogues, identity: now) }
            goneLogged.withLockedValue { $0 = false }
            logger.notice("the index file '\(indexFile)' was replaced; answering from the new one")
            return .present
        } catch {
            logger.error("the index file '\(indexFile)' was replaced, and the new one cannot be opened: \(error)")
            return .gone
        }
    }

    /// When a read last looked at which file is at the index's place (monotonic nanoseconds).
    private let identityLooked = NIOLockedValueBox<UInt64>(0)
    /// How long reads trust their last look at which file is at the index's place: a deleted or
    /// replaced index file is noticed by reads up to this much later (`/healthz` and writes look
    /// every time). Commits are not delayed: the change watch sees each one at once.
    static let identityRecheckNanoseconds: UInt64 = 100_000_000

    /// The catalogue of the index as committed now.
    public func catalogue() async throws -> Catalogue {
        let now = DispatchTime.now().uptimeNanoseconds
        let due = identityLooked.withLockedValue { last in
            guard last == 0 || now &- last >= Self.identityRecheckNanoseconds else { return false }
            last = now
            return true
        }
        if due { _ = checkIndexFile() }
        let catalogues = self.catalogues
        if let current = try catalogues.currentIfUnchanged() { return current }
        return try await blocking { try catalogues.rebuild() }
    }

    /// For writes: the index must still be at its place, or the write would go into a file
    /// that nobody will open again.
    func requireIndexFile() throws {
        if checkIndexFile() == .gone {
            throw APIError.indexGone("writes are refused until an index is there again")
        }
    }

    /// Runs `body` on the index threads and waits for it.
    func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await pool.runIfActive(body)
    }

    /// How often a route that reads beside the catalogue (search, transcripts) tries for a read
    /// that no commit overtook, before it answers 503. `efterhand ingest` commits one small
    /// transaction after another, so three tries were often not enough under load.
    static let consistentReadAttempts = 12

    /// Waits a little before the next try, longer each time (1, 2, 4 ... up to 64 ms), so that
    /// a burst of commits can pass; nothing before the first.
    private func pauseBeforeRetry(_ attempt: Int) async throws {
        guard attempt > 0 else { return }
        try await Task.sleep(for: .milliseconds(1 << min(attempt - 1, 6)))
    }

    /// The answer of a route that reads beside the catalogue (search, transcripts): `read` gets
    /// the catalogue as committed now and returns the answer, or nil when a commit overtook its
    /// read (`isCurrent`); it is tried again, and after `consistentReadAttempts` tries the
    /// answer is 503 `busy`, the index "kept changing `doing`".
    func consistentAnswer(_ request: Request, doing: String, read: (Catalogue) async throws -> Representation?) async throws -> Response {
        for attempt in 0..<Self.consistentReadAttempts {
            try await pauseBeforeRetry(attempt)
            if let made = try await read(try await catalogue()) { return made.response(to: request, cacheControl: cacheControl) }
        }
        throw APIError(.serviceUnavailable, code: "busy", message: "the index kept changing \(doing); try again", headers: [.retryAfter: "1"])
    }

    /// Whether nothing was committed since `catalogue` was read: a read made meanwhile belongs to its state.
    func isCurrent(_ catalogue: Catalogue) throws -> Bool {
        try catalogues.currentIfUnchanged()?.generation == catalogue.generation
    }

    /// `Cache-Control` of feeds and API answers.
    var cacheControl: String { "public, max-age=\(configuration.maxAge)" }

    /// A rendered answer of the current catalogue, from the cache or made by `render` (nil: 404 with `missing`).
    func answer(_ request: Request, key: String, missing: @autoclosure () -> APIError, render: @escaping @Sendable (Catalogue) throws -> Representation?) async throws -> Response {
        let catalogue = try await catalogue()
        guard let representation = try cache.representation(catalogue, key: key, render: { try render(catalogue) }) else { throw missing() }
        return representation.response(to: request, cacheControl: cacheControl)
    }
}

/// The index as opened: its database, its catalogues and which file it is.
struct OpenedIndex: Sendable {
    var repository: any IndexRepository
    var catalogues: CatalogueStore
    var identity: FileIdentity?
}

/// Which file is at a path: its device and inode, which a replacement changes.
struct FileIdentity: Equatable, Sendable {
    var device: UInt64
    var inode: UInt64

    /// The file at `path` now; nil when there is none.
    init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
    }
}
