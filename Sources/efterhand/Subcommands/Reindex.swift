import ArgumentParser
import Foundation
import IndexStore

/// `efterhand reindex`: rebuild the search index from what the index stores.
struct Reindex: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Rebuild the full-text search index from the stored sessions, segments and transcripts.")

    @OptionGroup var index: IndexOptions

    func run() throws {
        try index.open().rebuildSearch()
        print("search index rebuilt in \(index.index)")
    }
}
