import ArgumentParser
import Foundation
import IndexStore
import PostgresStore

/// `efterhand reindex`: rebuild the search index from what the index stores.
struct Reindex: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Rebuild the full-text search index from the stored sessions, segments and transcripts.")

    @OptionGroup var index: IndexOptions

    func run() throws {
        if let location = try index.postgres() {
            let rows = try PostgresCommand.blocking(location) { try await $0.rebuildSearch() }
            print("search rows rebuilt in \(location): \(rows)")
            return
        }
        try index.open().rebuildSearch()
        print("search index rebuilt in \(index.index)")
    }
}
