import Foundation

/// The `efterhand` binary of the same build as the tests: `swift build --build-tests` puts it
/// beside the test bundle. One that is older than a file under `Sources/` is from an earlier
/// build, and testing it would test other code: that is an error, not a quiet pass.
public enum EfterhandBinary {
    /// The repository's root.
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The binary's path; throws when there is none beside the tests or it is stale.
    public static func path() throws -> String {
        var folder = Bundle.main.bundleURL
        var found: String?
        for _ in 0..<4 where found == nil {
            let candidate = folder.appendingPathComponent("efterhand").path
            if FileManager.default.isExecutableFile(atPath: candidate) { found = candidate }
            folder = folder.deletingLastPathComponent()
        }
        guard let found else { throw Problem(description: "no efterhand binary beside the test bundle \(Bundle.main.bundleURL.path): build with `swift build --build-tests`") }
        let built = modified(found) ?? .distantPast
        if let newest = newestSource(besideBinary: URL(fileURLWithPath: found).deletingLastPathComponent()), newest.date > built {
            throw Problem(description: "the efterhand binary at \(found) is older than \(newest.path): it is from an earlier build; run `swift build --build-tests`")
        }
        return found
    }

    public struct Problem: Error, CustomStringConvertible {
        public var description: String
    }

    private static func modified(_ path: String) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
    }

    private static func newestSource(besideBinary binaryFolder: URL) -> (path: String, date: Date)? {
        let sources = root.appendingPathComponent("Sources")
        guard let walk = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: [.contentModificationDateKey]) else { return nil }
        var newest: (path: String, date: Date)?
        for case let url as URL in walk {
            // The one target the binary does not link (the benchmark's Hummingbird floor).
            if url.lastPathComponent == "hummingbird-floor" { walk.skipDescendants(); continue }
            guard var date = try? url.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate else { continue }
            // A target's resources (`Sources/Server/Resources/…`: templates, stylesheet, script) are
            // not linked into the binary but copied beside it on every build, so a template edited
            // and built leaves the binary as it was: such a file is fresh when its copy is.
            let parts = url.path.dropFirst(sources.path.count).split(separator: "/").map(String.init)
            if parts.count > 1, parts[1] == "Resources" {
                if (try? url.resourceValues(forKeys: [.isDirectoryKey]))?.isDirectory == true { continue }
                let copy = binaryFolder.appendingPathComponent("efterhand_\(parts[0]).resources").appendingPathComponent(parts.dropFirst().joined(separator: "/"))
                if let copied = modified(copy.path), copied >= date { continue }
                date = .distantFuture
            }
            if newest.map({ date > $0.date }) ?? true { newest = (url.path, date) }
        }
        return newest
    }
}
