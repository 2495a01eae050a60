import Foundation
import Linking
import Schedule

extension IndexDatabase {
    /// The stored links in the contract of `efterhand link --json`, one object per present
    /// recording (optionally only those with `status`). Manual links carry the flag `manual`.
    public func linkResults(status: LinkStatus? = nil) throws -> [RecordingLinks] {
        let titles = Dictionary(try sessions(includeRemoved: true).map { ($0.guid, $0.title) }, uniquingKeysWith: { a, _ in a })
        return RecordingLinks.listed(recordings: try recordings(includeMissing: false), links: try links(), titles: titles, status: status)
    }
}
