import CSQLite
import Foundation
@testable import IndexStore

/// Fuzz target: search box text. Whatever a visitor types, `SearchPattern` either declines it or
/// makes an FTS5 expression that SQLite accepts: the query runs against an in-memory table made
/// like the index's `search` table (migration "v3: full-text search": the same tokenizer and
/// prefix indexes), and must never fail with a syntax error.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ start: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
    let text = String(decoding: inputBytes(start, count), as: UTF8.self)
    guard let pattern = SearchPattern(text) else { return 0 }
    require(!pattern.fts.isEmpty && !pattern.terms.isEmpty, "an empty pattern for \(text.debugDescription)")
    _ = pattern.matches(text)
    _ = pattern.snippet(text)
    _ = pattern.exactBonus(in: text)
    SearchTable.shared.check(pattern.fts, typed: text)
    return 0
}

/// One in-memory FTS5 table for the whole run, with a few rows so that queries do real work.
final class SearchTable {
    nonisolated(unsafe) static let shared = SearchTable()
    private var database: OpaquePointer?
    private var statement: OpaquePointer?

    private init() {
        require(sqlite3_open(":memory:", &database) == SQLITE_OK, "cannot open an in-memory database")
        let setup = """
            CREATE VIRTUAL TABLE search USING fts5(
              kind UNINDEXED, session_title, abstract, transcript, pairs,
              tokenize = 'unicode61 remove_diacritics 2', prefix = '3 4 5 6');
            """
        execute(setup)
        // Rows like the index's, with their word pairs (migration "v4: word pairs for phrases").
        for row in [("session", "Öppna data i Göteborg", "Innovationsprogram för öppna data", "Välkommen till Innovationsveckan"),
                    ("segment", "Q&A", "Frågor och svar", "Här pratar vi om öppna data och hur andra kan använda dem"),
                    ("segment", "AI 2030", "straße façade naïve 東京 данные", "NEAR AND OR NOT 123 4.5")] {
            let texts = [row.1, row.2, row.3]
            let values = ([row.0] + texts + [SearchPattern.pairs(texts)]).map { "'" + $0.replacingOccurrences(of: "'", with: "''") + "'" }
            execute("INSERT INTO search VALUES (" + values.joined(separator: ", ") + ")")
        }
        require(sqlite3_prepare_v2(database, "SELECT count(*) FROM search WHERE search MATCH ?1", -1, &statement, nil) == SQLITE_OK,
                "cannot prepare the query: \(message)")
    }

    private var message: String { String(cString: sqlite3_errmsg(database)) }

    private func execute(_ sql: String) {
        require(sqlite3_exec(database, sql, nil, nil, nil) == SQLITE_OK, "setup failed: \(message)")
    }

    func check(_ expression: String, typed: String) {
        sqlite3_reset(statement)
        sqlite3_bind_text(statement, 1, expression, -1, unsafeBitCast(-1, to: sqlite3_destructor_type.self))
        let status = sqlite3_step(statement)
        require(status == SQLITE_ROW, "SQLite refused MATCH \(expression.debugDescription) (from \(typed.debugDescription)): \(message)")
        sqlite3_reset(statement)
    }
}
