import Captions
import Foundation

extension StaticSite {
    /// What is wrong with a published folder: JSON that does not parse, feeds that break JSON
    /// Feed 1.1's rules, WebVTT that does not parse, and links of its pages and documents to
    /// addresses with no file in it (`/media/` is left to the media host with `--media-url`).
    public static func check(folder: String, publicURL: String?) -> [String] {
        let root = URL(fileURLWithPath: folder).resolvingSymlinksInPath()
        let files = SiteFolder.files(in: root)
        var problems: [String] = []
        func exists(_ address: String) -> Bool {
            let (path, query) = split(address)
            let relative = String(path.dropFirst())
            let candidates = (query.isEmpty ? [] : [relative + "@" + query])
                + [relative, relative.isEmpty ? "index.html" : relative + "/index.html", relative + "/index.json"]
            return candidates.contains { files.contains($0) }
        }
        // The static search: every file its meta.json names is there, and unpacks to JSON.
        if let meta = try? JSONSerialization.jsonObject(with: Data(contentsOf: root.appendingPathComponent("search/meta.json"))) as? [String: Any],
           meta["api"] == nil {
            var named = ((meta["terms"] as? [String: String]) ?? [:]).values.map { $0 } + ((meta["docs"] as? [String: String]) ?? [:]).values.map { $0 }
            if let rows = meta["rows"] as? String { named.append(rows) } else { problems.append("search/meta.json: names no rows file") }
            for name in named {
                guard let packed = try? Data(contentsOf: root.appendingPathComponent("search/" + name)) else {
                    problems.append("search/meta.json: names search/\(name), which is not in the folder")
                    continue
                }
                if (try? JSONSerialization.jsonObject(with: Gzip.decompress(packed))) == nil { problems.append("search/\(name): not gzip-compressed JSON") }
            }
        }
        for file in files.sorted() {
            let url = root.appendingPathComponent(file)
            // A recording is not read (gigabytes): its link must lead to a file.
            if file.hasPrefix("media/") {
                if !FileManager.default.fileExists(atPath: url.path) { problems.append("\(file): links to a recording that is gone") }
                continue
            }
            guard let bytes = try? Data(contentsOf: url) else {
                problems.append("\(file): cannot be read")
                continue
            }
            let name = file.split(separator: "@").first.map(String.init) ?? file
            var contentType: String?
            if name.hasSuffix(".html") {
                contentType = "text/html"
            } else if name.hasSuffix(".json") || name.hasPrefix("api/") && !name.hasSuffix(".vtt") && !name.hasSuffix(".srt") {
                contentType = "application/json"
                guard let document = try? JSONSerialization.jsonObject(with: bytes) else {
                    problems.append("\(file): not JSON")
                    continue
                }
                if name == "feed.json" || name.hasPrefix("feeds/") { problems += feedProblems(document, file: file) }
            } else if name.hasSuffix(".vtt") {
                do {
                    _ = try WebVTT.parse(String(decoding: bytes, as: UTF8.self), file: file)
                } catch {
                    problems.append("\(file): not WebVTT: \(error)")
                }
            }
            // Links to pages and documents must lead to a file; so must those to recordings (a
            // media/ link), which `publishable` leaves out of the walk.
            for link in links(in: bytes, contentType: contentType, publicURL: publicURL)
            where (publishable(split(link).path) || link.hasPrefix("/media/")) && !exists(link) {
                problems.append("\(file): links to \(link), which is not in the folder")
            }
        }
        return problems
    }

    /// JSON Feed 1.1's rules for a feed document: its version, a title, items each with an id
    /// and content.
    static func feedProblems(_ document: Any, file: String) -> [String] {
        guard let feed = document as? [String: Any] else { return ["\(file): a feed must be a JSON object"] }
        var problems: [String] = []
        if feed["version"] as? String != "https://jsonfeed.org/version/1.1" { problems.append("\(file): version is not https://jsonfeed.org/version/1.1") }
        if (feed["title"] as? String)?.isEmpty ?? true { problems.append("\(file): no title") }
        guard let items = feed["items"] as? [[String: Any]] else { return problems + ["\(file): no items array"] }
        for (index, item) in items.enumerated() {
            if (item["id"] as? String)?.isEmpty ?? true { problems.append("\(file): item \(index + 1) has no id") }
            if item["content_html"] as? String == nil && item["content_text"] as? String == nil {
                problems.append("\(file): item \(index + 1) has neither content_html nor content_text")
            }
        }
        return problems
    }
}
