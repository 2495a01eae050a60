import Foundation

/// Where this machine finds each named media root: `week=/mnt/share/week`. Recordings are stored
/// by (root name, path inside it), so two machines that mount the share at different places
/// agree on them.
public struct MediaRootMap: Sendable, Equatable {
    public private(set) var folders: [String: String] = [:]

    public init() {}

    /// `specs` as `NAME=FOLDER` each; a name as the store allows it (letters, digits, `.`, `_`, `-`).
    public init(_ specs: [String]) throws(PostgresStoreError) {
        for spec in specs {
            guard let equals = spec.firstIndex(of: "="), !spec[..<equals].isEmpty, !spec[spec.index(after: equals)...].isEmpty else {
                throw .worker("--media-root takes NAME=FOLDER, not '\(spec)'")
            }
            let name = String(spec[..<equals])
            guard Self.isName(name) else {
                throw .worker("media root name '\(name)': letters, digits, '.', '_' and '-' only, at most 64, not starting with a sign")
            }
            guard folders[name] == nil else { throw .worker("media root '\(name)' named twice") }
            folders[name] = String(spec[spec.index(after: equals)...])
        }
    }

    public var names: [String] { folders.keys.sorted() }

    static func isName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.unicodeScalars.count <= 64 else { return false }
        func allowed(_ scalar: Unicode.Scalar) -> Bool {
            scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || "._-".unicodeScalars.contains(scalar))
        }
        return first.isASCII && CharacterSet.alphanumerics.contains(first) && name.unicodeScalars.allSatisfy(allowed)
    }

    /// The file at `path` inside root `name` on this machine. Refuses a path that is absolute or
    /// climbs out of the root (`..`): a job's payload is data from the store, not trusted.
    public func file(root name: String, path: String) throws(JobFailure) -> String {
        guard let folder = folders[name] else {
            throw .retry("media root '\(name)' is not mounted on this worker (give --media-root \(name)=FOLDER)")
        }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard !path.isEmpty, !path.hasPrefix("/"), !parts.contains(where: { $0 == ".." || $0 == "." || $0.isEmpty }), !path.contains("\0") else {
            throw .permanent("path '\(path)' is not a plain relative path inside media root '\(name)'")
        }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw .retry("media root '\(name)' is not mounted here: \(folder) is not a folder")
        }
        return (folder as NSString).appendingPathComponent(path)
    }
}

/// Why a job's attempt failed: worth another try (a share not mounted, the database gone for a
/// moment) or never (its payload is wrong).
public enum JobFailure: Error, Equatable, CustomStringConvertible {
    case retry(String)
    case permanent(String)

    public var description: String {
        switch self {
        case .retry(let reason), .permanent(let reason): reason
        }
    }
}
