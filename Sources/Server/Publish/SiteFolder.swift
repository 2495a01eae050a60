import Foundation

/// The folder a publish is shown in: a symbolic link (`DIR`) to the current version, kept in
/// `.DIR.versions/` beside it. A new publish is written there as a new version, its files that
/// are byte for byte the current version's hard-linked to them (so their modification times,
/// and what caches know of them, stay), then shown by renaming a new link over `DIR`: one
/// atomic step, after which the old version is deleted. A publish that changes nothing touches
/// nothing.
struct SiteFolder {
    let link: URL
    let versions: URL

    init(_ destination: String) {
        link = URL(fileURLWithPath: destination).standardizedFileURL
        versions = link.deletingLastPathComponent().appendingPathComponent("." + link.lastPathComponent + ".versions")
    }

    /// The version `DIR` shows now; nil before the first publish (or for an empty folder,
    /// which the first publish replaces). Throws for a folder of other files.
    func current() throws -> URL? {
        let manager = FileManager.default
        if let target = try? manager.destinationOfSymbolicLink(atPath: link.path) {
            let resolved = URL(fileURLWithPath: target, relativeTo: link.deletingLastPathComponent()).standardizedFileURL
            guard resolved.deletingLastPathComponent().path == versions.standardizedFileURL.path else {
                throw PublishError(description: "\(link.path) is a link to \(resolved.path), which is no publish of efterhand's: give another --to")
            }
            return resolved
        }
        var isFolder: ObjCBool = false
        guard manager.fileExists(atPath: link.path, isDirectory: &isFolder) else { return nil }
        guard isFolder.boolValue, (try manager.contentsOfDirectory(atPath: link.path)).isEmpty else {
            throw PublishError(description: "\(link.path) holds files that no publish wrote: give an empty or new folder to --to")
        }
        return nil
    }

    /// Writes `site` as the new version and shows it; what changed.
    func replace(with site: StaticSite.Site) throws -> PublishSummary {
        let manager = FileManager.default
        let previous = try current()
        try manager.createDirectory(at: versions, withIntermediateDirectories: true)
        let version = versions.appendingPathComponent(Self.versionName())
        var summary = PublishSummary()
        summary.queryVariants = site.queryVariants
        summary.problems = site.problems
        var changed = previous == nil
        do {
            for (path, bytes) in site.files.sorted(by: { $0.key < $1.key }) {
                let target = version.appendingPathComponent(path)
                try manager.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                summary.files += 1
                summary.bytes += bytes.count
                if let previous, let old = Self.sameFile(previous.appendingPathComponent(path), bytes) {
                    try manager.linkItem(at: old, to: target)
                    summary.kept += 1
                } else {
                    try bytes.write(to: target)
                    summary.written += 1
                    changed = true
                }
            }
            for (path, media) in site.media.sorted(by: { $0.key < $1.key }) {
                let target = version.appendingPathComponent(path)
                try manager.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                try manager.createSymbolicLink(atPath: target.path, withDestinationPath: media)
                summary.mediaLinks += 1
                if let previous, (try? manager.destinationOfSymbolicLink(atPath: previous.appendingPathComponent(path).path)) == media { continue }
                changed = true
            }
            if let previous {
                let before = Self.files(in: previous)
                let now = Set(site.files.keys).union(site.media.keys)
                summary.removed = before.subtracting(now).count
                if summary.removed > 0 { changed = true }
            }
        } catch {
            try? manager.removeItem(at: version)
            throw error
        }
        guard changed else {
            try manager.removeItem(at: version)
            return summary
        }
        // A new link beside the old one, renamed over it: rename(2) replaces it in one step.
        let swap = versions.appendingPathComponent(".swap-" + UUID().uuidString)
        try manager.createSymbolicLink(atPath: swap.path, withDestinationPath: versions.lastPathComponent + "/" + version.lastPathComponent)
        if previous == nil, manager.fileExists(atPath: link.path) { try manager.removeItem(at: link) }
        guard rename(swap.path, link.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? manager.removeItem(at: swap)
            throw PublishError(description: "could not show the new publish at \(link.path): \(reason)")
        }
        summary.swapped = true
        if let previous { try? manager.removeItem(at: previous) }
        return summary
    }

    /// `old` when it is a file with exactly `bytes`.
    static func sameFile(_ old: URL, _ bytes: Data) -> URL? {
        guard let size = (try? FileManager.default.attributesOfItem(atPath: old.path))?[.size] as? NSNumber, size.intValue == bytes.count,
              let existing = try? Data(contentsOf: old), existing == bytes else { return nil }
        return old
    }

    /// Every file and link in `folder`, by path inside it.
    static func files(in folder: URL) -> Set<String> {
        var found: Set<String> = []
        let prefix = folder.standardizedFileURL.path + "/"
        guard let walker = FileManager.default.enumerator(atPath: folder.path) else { return [] }
        while let relative = walker.nextObject() as? String {
            var isFolder: ObjCBool = false
            let path = prefix + relative
            if (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) != nil || (FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) && !isFolder.boolValue) {
                found.insert(relative)
            }
        }
        return found
    }

    /// A version's folder name: when it was made, and a random part.
    static func versionName() -> String {
        let stamp = ISO8601DateFormatter().string(from: Date()).replacingOccurrences(of: ":", with: "")
        return stamp + "-" + String(UUID().uuidString.prefix(8))
    }
}
