import Foundation
@testable import IndexStore
import Feed
import Schedule

/// A small index made from values, no ingest: two recordings and the sessions they hold, in
/// Europe/Stockholm, so that a late session's day in the conference's zone is not its UTC day.
enum CatalogueFixture {
    /// 2021-10-04T13:00:00+02:00.
    static let monday = Date(timeIntervalSince1970: 1_633_345_200)

    static func session(_ guid: String, title: String, at start: Date, minutes: Double = 45, doNotRecord: Bool = false) -> Session {
        Session(guid: guid, slug: guid, title: title, start: start, end: start.addingTimeInterval(minutes * 60), room: "Sal A",
                language: "sv", persons: ["Julia Olander"], doNotRecord: doNotRecord)
    }

    static func recording(_ id: Int64, _ path: String) -> StoredRecording {
        StoredRecording(id: id, path: path, absolutePath: "/media/" + path, fingerprint: "fp\(id)", size: 1, mtime: 0, state: .ok, probe: nil,
                        duration: 3600)
    }

    static func link(_ guid: String, from start: Double, to end: Double, doNotRecord: Bool = false, kind: StoredLink.Kind = .link) -> StoredLink {
        StoredLink(sessionGuid: guid, kind: kind, score: 0.9, inSeconds: start, outSeconds: end, reasons: ["time"],
                   flags: doNotRecord ? [.doNotRecord] : [], decidedBy: .auto)
    }

    static func segment(_ guid: String, recording: Int64, position: Int, from start: Double, to end: Double, title: String) -> Segment {
        Segment(id: Int64(position) + recording * 100, recordingID: recording, sessionGuid: guid, position: position,
                startSeconds: start, endSeconds: end, title: title, topics: [], source: .chapter)
    }

    static func snapshot(sessions: [Session], recordings: [StoredRecording], links: [Int64: [StoredLink]],
                         segments: [Int64: [Segment]] = [:]) -> IndexSnapshot {
        IndexSnapshot(conference: Conference(title: "Innovationsveckan", timeZone: "Europe/Stockholm"), sessions: sessions,
                      recordings: recordings, links: links, segments: segments, transcripts: [:], defaultLanguages: [:], thumbnails: [:])
    }

    static func catalogue(_ snapshot: IndexSnapshot, publicURL: String? = nil) -> Catalogue {
        Catalogue(snapshot: snapshot, links: Links(publicURL: publicURL), generation: 1)
    }
}
