import Foundation
import Linking
import Schedule

extension IndexDatabase {
    /// The stored links in the contract of `efterhand link --json`, one object per present
    /// recording (optionally only those with `status`). Manual links carry the flag `manual`.
    public func linkResults(status: LinkStatus? = nil) throws -> [RecordingLinks] {
        let titles = Dictionary(try sessions(includeRemoved: true).map { ($0.guid, $0.title) }, uniquingKeysWith: { a, _ in a })
        let links = try self.links()
        return try recordings(includeMissing: false)
            .filter { $0.state == .ok && (status == nil || $0.linkStatus == status) }
            .map { recording in
                let rows = links[recording.id ?? -1] ?? []
                func proposed(_ link: StoredLink) -> ProposedLink {
                    ProposedLink(guid: link.sessionGuid, title: titles[link.sessionGuid] ?? link.sessionGuid, score: link.score,
                                 inSeconds: link.inSeconds, outSeconds: link.outSeconds, reasons: link.reasons,
                                 flags: link.flags + (link.decidedBy == .manual ? [.manual] : []), part: link.part, parts: link.parts)
                }
                return RecordingLinks(path: recording.path, status: recording.linkStatus, recordingStart: recording.recordingStart,
                                      recordingStartSource: recording.recordingStartSource,
                                      links: rows.filter { $0.kind == .link }.map(proposed),
                                      candidates: rows.filter { $0.kind == .candidate }.map(proposed))
            }
    }
}
