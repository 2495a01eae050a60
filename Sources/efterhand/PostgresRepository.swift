import Captions
import Feed
import Foundation
import IndexStore
import Linking
import PostgresStore
import Pipeline
import Server

/// The server's view of the PostgreSQL store (issue 23): the catalogue as last read after a
/// commit notice, search and transcripts from the store; decisions, chapters, publication and
/// checked text written to the store.
struct PostgresRepository: IndexRepository {
    let catalogue: PostgresCatalogue

    func snapshot() throws -> IndexSnapshot { catalogue.snapshot }

    func commitWatch() throws -> (any CommitWatch)? { ReadCount(catalogue: catalogue) }

    /// Changes with every catalogue read, which follows every commit notice.
    struct ReadCount: CommitWatch {
        let catalogue: PostgresCatalogue
        func version() throws -> Int64 { catalogue.version }
    }

    // Called on the server's search and index threads, which may wait.
    func search(_ query: SearchQuery, timeLimit: Duration?) throws -> [SearchHit] {
        try searchWithFacets(query, timeLimit: timeLimit, facetTable: nil).hits
    }

    func facets(_ query: SearchQuery, timeLimit: Duration?) throws -> SearchFacets {
        try searchWithFacets(query, timeLimit: timeLimit, facetTable: nil).facets
    }

    func searchWithFacets(_ query: SearchQuery, timeLimit: Duration?, facetTable: SearchFacetTable?) throws -> (hits: [SearchHit], facets: SearchFacets) {
        let database = catalogue.database
        return try PostgresCatalogue.wait { try await database.searchWithFacets(query, timeLimit: timeLimit) }
    }

    func recordingTranscripts(recordingID: Int64) throws -> RecordingTranscripts? {
        let catalogue = catalogue
        return try PostgresCatalogue.wait { try await catalogue.recordingTranscripts(recordingID: recordingID) }
    }

    func recording(idOrPath: String) throws -> StoredRecording? {
        catalogue.snapshot.recordings.first { $0.path == idOrPath || $0.id.map(String.init) == idOrPath }
    }

    func links() throws -> [Int64: [StoredLink]] { catalogue.snapshot.links }

    func cues(recordingID: Int64) throws -> [StoredCue] {
        try recordingTranscripts(recordingID: recordingID)?.transcripts.flatMap { transcript in
            transcript.cues.map { StoredCue(cue: $0, language: transcript.language, source: "", status: transcript.status) }
        } ?? []
    }

    /// A write to the store, then the wait for the catalogue to be read again: the page the
    /// person is sent to next shows their change.
    private func write<T: Sendable>(_ work: @escaping @Sendable (PostgresIndex) async throws -> T) throws -> T {
        let catalogue = catalogue
        return try PostgresCatalogue.wait {
            let result = try await work(catalogue.database)
            await catalogue.catchUp()
            return result
        }
    }

    func decide(_ action: Decision.Action, recording: String, session: String?, inSeconds: Double?, outSeconds: Double?, by who: String, seen: String?) throws -> StoredRecording {
        try write { try await $0.decide(action, recording: recording, session: session, inSeconds: inSeconds, outSeconds: outSeconds, by: who, seen: seen) }
    }

    func auditEntries(sessionGuid: String?, fingerprint: String?, limit: Int) throws -> [AuditEntry] {
        let database = catalogue.database
        return try PostgresCatalogue.wait { try await database.auditEntries(sessionGuid: sessionGuid, fingerprint: fingerprint, limit: limit) }
    }

    func setHidden(_ hidden: Bool, sessionGuid: String, by who: String) throws {
        try write { try await $0.setHidden(hidden, sessionGuid: sessionGuid, by: who) }
    }

    func importTranscript(recording: String, captions: CaptionFile, name: String, language: String?, verified: Bool) throws -> TranscriptImport {
        try write { try await $0.importTranscript(recording: recording, captions: captions, name: name, language: language, verified: verified) }
    }

    func correctTranscript(recordingID: Int64, cues: [Cue], language: String, span: ClosedRange<Double>, sessionGuid: String?, by who: String) throws -> TranscriptImport {
        try write { try await $0.correctTranscript(recordingID: recordingID, cues: cues, language: language, span: span, sessionGuid: sessionGuid, by: who) }
    }

    func captionCoverage() throws -> [CaptionCoverage] { catalogue.snapshot.captionCoverage() }

    var keepsThumbnails: Bool { true }

    func thumbnailJPEG(file: String) throws -> Data? {
        let database = catalogue.database
        return try PostgresCatalogue.wait { try await database.thumbnailJPEG(file: file) }
    }

    func staticSearchData() throws -> StaticSearchData {
        let catalogue = catalogue
        return try PostgresCatalogue.wait { try await catalogue.staticSearchData() }
    }

    func setChapters(_ chapters: [ManualChapter]?, recording: String, session: String, by who: String) throws -> [Segment] {
        try write { try await $0.setChapters(chapters, recording: recording, session: session, by: who) }
    }

    /// Sign-ins in the store: a person signed in on one server is known to every other.
    var signIns: (any SignInKeeper)? { SignInsInStore(database: catalogue.database) }
}

/// The staff's sign-ins and failed sign-ins kept in the store (see `PostgresIndex.keepSignIn`).
struct SignInsInStore: SignInKeeper {
    let database: PostgresIndex

    func keep(_ session: StaffSessions.Session, id: String, token: String, lifetimeSeconds: Int) async throws {
        try await database.keepSignIn(id: id, name: session.name, formToken: session.formToken, token: token, lifetimeSeconds: lifetimeSeconds)
    }

    func session(_ id: String, tokens: [StaffToken]) async throws -> StaffSessions.Session? {
        try await database.signIn(id: id, staff: tokens.map { ($0.name, $0.token) }).map { StaffSessions.Session(name: $0.name, formToken: $0.formToken) }
    }

    func end(_ id: String) async throws { try await database.endSignIn(id: id) }

    func failures(from address: String, within seconds: Int) async throws -> (count: Int, elapsed: Int)? {
        try await database.signInFailures(from: address, within: seconds)
    }

    func failed(from address: String, within seconds: Int) async throws {
        try await database.signInFailed(from: address, within: seconds)
    }

    func clearFailures(from address: String) async throws { try await database.clearSignInFailures(from: address) }
}
