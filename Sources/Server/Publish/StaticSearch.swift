import Feed
import Foundation
import IndexStore
import Linking
import Schedule

/// The search of a static publish (issue 22): files under `search/` that the lookup page's
/// script (`search.js`, `efterhandStaticSearch`) reads to answer a query in the browser as `/api/search`
/// answers it: the same folding, prefixes, phrases and stop words (`SearchPattern`), the same
/// ranking (`efterhand_rank`'s BM25 over FTS5's own token instances and column weights), the
/// same hits, snippets and landing seconds.
///
/// - `search/meta.json`: the ranking's constants, the stop words, and the names of the files
///   below (each carries a hash of its bytes, so it can be kept forever).
/// - `search/t/KEY.HASH.json.gz`: the token instances of every term beginning with KEY (its
///   first two letters, hex-encoded): a query fetches one small file per word.
/// - `search/rows.HASH.json.gz`: per search row its segment, session, size and links.
/// - `search/d/N.HASH.json.gz`: the texts and cues of the rows whose rowid divided by 64 is N,
///   fetched for the hits shown. Rowids, not positions, key postings and texts: they stay while
///   a recording is not cut again, so one changed session rewrites few files.
///
/// With `api`, meta.json tells the page to ask that server's `/api/search` instead (a catalogue
/// too large for the browser), and nothing else is written.
enum StaticSearch {
    static let keyLength = 2
    static let rowsPerDocFile = 64

    static func files(_ data: StaticSearchData, catalogue: Catalogue, api: String?) throws -> [String: Data] {
        var files: [String: Data] = [:]
        func put(_ name: String, _ value: Any) throws -> String {
            let json = try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes])
            let packed = try Gzip.compress(json)
            let hash = String(FNV1a.hash(packed), radix: 16)
            let path = name + "." + hash + ".json.gz"
            files["search/" + path] = packed
            return path
        }
        if let api {
            files["search/meta.json"] = try JSONSerialization.data(withJSONObject: ["version": 1, "api": api], options: [.sortedKeys, .withoutEscapingSlashes])
            return files
        }
        let links = catalogue.links
        let zone = catalogue.timeZone
        // Sessions and the links of the published (recording, session) pairs.
        var sessionIndex: [String: Int] = [:]
        var sessions: [[Any]] = []
        var held: [String: (inSeconds: Double, media: String)] = [:]
        var thumbnails: [Int64: String] = [:]
        // In a fixed order, so that the same index publishes the same bytes.
        for (id, recording) in catalogue.recordings.sorted(by: { $0.key < $1.key }) {
            for (session, link) in recording.sessions.sorted(by: { $0.session.guid < $1.session.guid }) {
                held["\(id)\u{1}\(session.guid)"] = (link.inSeconds, links.media(recording.recording))
                if sessionIndex[session.guid] == nil {
                    sessionIndex[session.guid] = sessions.count
                    sessions.append([session.guid, session.title, session.start.timeIntervalSince1970, ClockText.day(session.start, zone: zone),
                                     session.topics.map(TextMatch.fold), session.persons.map(TextMatch.fold), TextMatch.compact(session.room ?? ""),
                                     LanguageCode.normalize(session.language) as Any? ?? NSNull(), links.watch(session), links.sessionAPI(session)])
                }
            }
            for segment in recording.segments {
                if let id = segment.segment.id, let thumbnail = segment.thumbnail { thumbnails[id] = links.thumbnail(thumbnail) }
            }
        }
        // Postings and texts are keyed by rowid, which stays while a recording is not cut again:
        // a change to one session rewrites the files of its rows and words, not every file.
        var rows: [[Any]] = []
        var kept = Set<Int64>()
        var docs: [Int64: [String: Any]] = [:]
        for row in data.rows {
            guard let session = sessionIndex[row.sessionGuid], let pair = held["\(row.recordingID)\u{1}\(row.sessionGuid)"] else { continue }
            kept.insert(row.rowid)
            rows.append([row.rowid, row.recordingID, session, row.segmentID, row.startSeconds, row.endSeconds, row.segmentTitle, row.size,
                         pair.inSeconds, pair.media, thumbnails[row.segmentID] as Any? ?? NSNull()])
            let said = (data.cues[row.recordingID] ?? []).filter { $0.start >= row.startSeconds && $0.start < row.endSeconds }
            docs[row.rowid / Int64(rowsPerDocFile), default: [:]][String(row.rowid)] = [row.texts, said.map { [$0.start, $0.text] as [Any] }]
        }
        // Token instances by term, for the rows kept; the pairs column only speeds up FTS5's
        // phrases (its weight is 0) and is left out.
        let columns = StaticSearchData.columnWeights.map(\.column).filter { $0 != "pairs" }
        let columnIndex = Dictionary(uniqueKeysWithValues: columns.enumerated().map { ($0.element, $0.offset) })
        var byKey: [String: [String: [Int64]]] = [:]
        for instance in data.instances {
            guard kept.contains(instance.rowid), let column = columnIndex[instance.column] else { continue }
            let key = String(instance.term.unicodeScalars.prefix(keyLength).map(Character.init))
            byKey[key, default: [:]][instance.term, default: []] += [instance.rowid, Int64(column), Int64(instance.offset)]
        }
        var terms: [String: String] = [:]
        for (key, postings) in byKey {
            let hex = key.utf8.map { String(format: "%02x", $0) }.joined()
            terms[hex] = try put("t/" + hex, postings)
        }
        var docFiles: [String: String] = [:]
        for (block, entries) in docs { docFiles[String(block)] = try put("d/\(block)", entries) }
        let rowsFile = try put("rows", ["rows": rows, "sessions": sessions])
        let meta: [String: Any] = [
            "version": 1, "average_length": data.averageLength, "k1": 1.2, "b": 0.75, "columns": columns,
            "weights": StaticSearchData.columnWeights.filter { $0.column != "pairs" }.map(\.weight),
            "stop_words": TextMatch.stopWords.sorted(), "ranking_limit": StaticSearchData.rankingLimit, "key_length": keyLength,
            "terms": terms, "rows": rowsFile, "docs": docFiles, "docs_per_file": rowsPerDocFile, "languages": LanguageCode.threeToTwo,
        ]
        files["search/meta.json"] = try JSONSerialization.data(withJSONObject: meta, options: [.sortedKeys, .withoutEscapingSlashes])
        return files
    }
}
