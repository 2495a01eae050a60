import Foundation
import GRDB
import Linking
import Schedule

extension IndexDatabase {
    /// The stored links in the contract of `efterhand link --json`, one object per present
    /// recording (optionally only those with `status`). Manual links carry the flag `manual`.
    public func linkResults(status: LinkStatus? = nil) throws -> [RecordingLinks] {
        let titles = Dictionary(try sessions(includeRemoved: true).map { ($0.guid, $0.title) }, uniquingKeysWith: { a, _ in a })
        return RecordingLinks.listed(recordings: try recordings(includeMissing: false), links: try links(), titles: titles, status: status)
    }

    /// Keeps the linker's answers a relink made (`LinkProposal.json`, by recording id), writing
    /// only the ones that changed.
    public func saveLinkProposals(_ proposals: [Int64: String]) throws {
        guard !proposals.isEmpty else { return }
        try writer.write { db in
            let upsert = try db.cachedStatement(sql: """
                INSERT INTO link_proposal (recording_id, proposal) VALUES (?, ?)
                ON CONFLICT (recording_id) DO UPDATE SET proposal = excluded.proposal WHERE proposal IS NOT excluded.proposal
                """)
            for (id, proposal) in proposals.sorted(by: { $0.key < $1.key }) {
                try upsert.execute(arguments: [id, proposal])
            }
        }
    }

    /// The linker's kept answers for `recordingIDs` (those that have one and can be read).
    public func linkProposals(recordingIDs: [Int64]) throws -> [Int64: LinkProposal] {
        try writer.read { db in
            var proposals: [Int64: LinkProposal] = [:]
            for id in recordingIDs {
                if let text = try String.fetchOne(db, sql: "SELECT proposal FROM link_proposal WHERE recording_id = ?", arguments: [id]),
                   let proposal = LinkProposal(json: text) {
                    proposals[id] = proposal
                }
            }
            return proposals
        }
    }

    /// What a decision on the recordings of `fingerprint` needs to be applied without linking
    /// every recording again (`LinkStage.planDecided`): those recordings (present, read, with a
    /// probe) with their decisions, links, segments and chapters, and the programme. Read at
    /// one moment.
    public func decidedInputs(fingerprint: String) throws -> (recordings: [StoredRecording], sessions: [Session], decisions: [Decision],
                                                              links: [Int64: [StoredLink]], segments: [Int64: [Segment]],
                                                              chapterSets: [String: [ManualChapter]]) {
        try writer.read { db in
            let recordings = try Row.fetchAll(db, sql: """
                SELECT * FROM recording WHERE fingerprint = ? AND state = 'ok' AND probe IS NOT NULL ORDER BY path
                """, arguments: [fingerprint]).map(Self.recording)
            let sessions = try Row.fetchAll(db, sql: "SELECT * FROM session WHERE in_programme = 1 ORDER BY start, room, guid").map(Self.session)
            let decisions = try DecisionRow.fetchAll(db, sql: "SELECT * FROM decision WHERE fingerprint = ? ORDER BY decided_at, id",
                                                     arguments: [fingerprint]).map(\.decision)
            var links: [Int64: [StoredLink]] = [:]
            var segments: [Int64: [Segment]] = [:]
            for id in recordings.compactMap(\.id) {
                links[id] = try Row.fetchAll(db, sql: "SELECT * FROM link WHERE recording_id = ? ORDER BY kind, position", arguments: [id])
                    .map { try LinkRow(row: $0).link }
                segments[id] = try Row.fetchAll(db, sql: "SELECT * FROM segment WHERE recording_id = ? ORDER BY start_seconds, position", arguments: [id])
                    .map(Self.segment)
            }
            var chapters: [String: [ManualChapter]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT session_guid, start_seconds, title FROM chapter_set WHERE fingerprint = ? ORDER BY session_guid, position",
                                        arguments: [fingerprint]) {
                chapters[row["session_guid"], default: []].append(ManualChapter(startSeconds: row["start_seconds"], title: row["title"]))
            }
            return (recordings, sessions, decisions, links, segments, chapters)
        }
    }
}
