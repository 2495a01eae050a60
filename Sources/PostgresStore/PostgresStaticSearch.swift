import Captions
import Foundation
import IndexStore
import PostgresNIO

extension PostgresCatalogue {
    /// What a static publish from the store carries of search (`efterhand publish --database`):
    /// the search rows of the catalogue as last read, made by `SearchDocument.rows` from its
    /// segments, their sessions and the recordings' cues (read now), tokenized by SQLite's own
    /// tokenizer in memory (`IndexDatabase.staticSearchData(documents:…)`), so that the browser
    /// searches a publish from the store as it searches one from the index. Published rows only:
    /// a linked talk of a present recording, not hidden, not opted out.
    public func staticSearchData() async throws -> StaticSearchData {
        let current = snapshot
        let sessions = Dictionary(current.sessions.map { ($0.guid, $0) }, uniquingKeysWith: { a, _ in a })
        var cues: [Int64: [Cue]] = [:]
        for try await (id, start, end, text) in try await database.run("""
            SELECT recording_id, start_seconds, end_seconds, text FROM cue ORDER BY recording_id, start_seconds, id
            """).decode((Int64, Double, Double, String).self) {
            cues[id, default: []].append(Cue(start: start, end: end, text: text))
        }
        var documents: [SearchDocument] = []
        var segments: [Int64: Segment] = [:]
        for recording in current.recordings {
            guard let id = recording.id else { continue }
            let recorded = (current.segments[id] ?? []).compactMap { segment -> (segment: Segment, texts: SearchDocument.SessionTexts)? in
                guard let session = sessions[segment.sessionGuid], !session.doNotRecord else { return nil }
                return (segment, SearchDocument.SessionTexts(title: session.title, subtitle: session.subtitle ?? "", abstract: session.abstract ?? "",
                                                             persons: session.persons, topics: session.topics))
            }
            for entry in recorded { if let segmentID = entry.segment.id { segments[segmentID] = entry.segment } }
            documents += SearchDocument.rows(recordingID: id, segments: recorded, cues: cues[id] ?? [])
        }
        let present = Set(current.recordings.filter { $0.state == .ok }.compactMap(\.id))
        var linked = Set<String>()
        for (id, links) in current.links { for link in links where link.kind == .link { linked.insert("\(id) \(link.sessionGuid)") } }
        let hidden = current.hiddenSessions
        return try IndexDatabase.staticSearchData(documents: documents, published: { document in
            present.contains(document.recordingID) && !hidden.contains(document.sessionGuid) && linked.contains("\(document.recordingID) \(document.sessionGuid)")
        }, segments: segments, cues: cues.mapValues { $0.map { (start: $0.start, text: $0.text) } })
    }
}
