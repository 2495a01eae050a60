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
}
