import Foundation

/// Finds the recordings under the paths a user names: files are taken as given, folders are
/// walked for files with a media extension.
public enum MediaFiles {
    /// File name extensions (lower case) that a folder walk treats as recordings.
    public static let extensions: Set<String> = [
        "mp4", "m4v", "mov", "mkv", "webm", "ts", "mts", "m2ts", "m4a", "mp3", "aac", "flac",
        "ogg", "oga", "opus", "wav", "avi", "flv", "wmv", "wma", "mxf", "mpg", "mpeg", "3gp",
    ]

    /// A path the walk passed over, and why (hidden, partial download, symlink loop...).
    public struct Skipped: Sendable, Equatable {
        public var path: String
        public var reason: String
    }

    /// What a walk found: the files to probe, what it passed over, and the media roots (each
    /// named path resolved, plus the targets of links followed with `followSymlinks`). The
    /// server serves only files whose resolved path lies in one of the roots.
    public struct Expansion: Sendable, Equatable {
        public var files: [String] = []
        public var skipped: [Skipped] = []
        public var roots: [String] = []
    }

    /// Folders a walk never enters, whatever a link or a root says: the kernel's views of
    /// processes, devices and itself (`/proc/*/cwd` leads into other people's folders).
    public static let systemFolders = ["/proc", "/sys", "/dev"]

    /// The files to probe under `paths`, in a stable order: each named file as given (whatever
    /// its extension, and even when it does not exist, so that the probe can report it), and
    /// the media files found in each named folder, sorted. Hidden files and partial downloads
    /// (`.part`, `.crdownload`) are skipped; a symlinked folder is followed once, never in a loop.
    /// A symlink whose target lies outside every named path is skipped (named, with why) unless
    /// `followSymlinks`; nothing under `/proc`, `/sys` or `/dev` is ever walked.
    public static func expand(_ paths: [String], followSymlinks: Bool = false) -> Expansion {
        var walk = Walk(followSymlinks: followSymlinks)
        walk.expansion.roots = paths.compactMap(resolved)
        for path in paths {
            var info = stat()
            if stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
                walk.folder(path)
            } else {
                walk.expansion.files.append(path)
            }
        }
        var seen = Set<String>()
        walk.expansion.roots = walk.expansion.roots.filter { seen.insert($0).inserted }
        return walk.expansion
    }

    /// The path with every symlink, `.` and `..` resolved (realpath(3)), or nil when it does not
    /// resolve (missing, a broken link, a loop).
    public static func resolved(_ path: String) -> String? {
        guard let pointer = realpath(path, nil) else { return nil }
        defer { free(pointer) }
        return String(validatingCString: pointer)
    }

    /// Whether the resolved path `path` is one of `roots` or lies inside one (by whole path
    /// components: `/media2/x` is not inside `/media`).
    public static func isInside(_ path: String, roots: some Sequence<String>) -> Bool {
        roots.contains { root in
            path == root || root == "/" || path.hasPrefix(root.hasSuffix("/") ? root : root + "/")
        }
    }

    /// Whether the resolved path lies under `/proc`, `/sys` or `/dev`.
    public static func isSystemPath(_ path: String) -> Bool {
        isInside(path, roots: systemFolders)
    }

    /// `path` with `.`, `..` and doubled slashes taken out by the text alone (Foundation's
    /// `standardizingPath` resolves links on the way, which would hide where a link leads).
    static func lexicallyNormal(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/") {
            switch part {
            case ".": continue
            case "..": if !parts.isEmpty { parts.removeLast() }
            default: parts.append(part)
            }
        }
        return "/" + parts.joined(separator: "/")
    }

    /// Whether a chain of links starting at `link` passes through `/proc`, `/sys` or `/dev` on
    /// its way: `/proc/self/cwd` resolves to a plain folder, yet it is the kernel's view of
    /// another process. Follows at most 40 links (the kernel's own limit), then says yes.
    static func leadsThroughSystemFolder(_ link: String) -> Bool {
        var current = link
        for _ in 0..<40 {
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let count = readlink(current, &buffer, buffer.count - 1)
            guard count >= 0 else { return false }
            let target = String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let parent = resolved((current as NSString).deletingLastPathComponent) ?? (current as NSString).deletingLastPathComponent
            let next = target.hasPrefix("/") ? target : parent + "/" + target
            let lexical = lexicallyNormal(next)
            if isSystemPath(lexical) || isSystemPath(resolved((lexical as NSString).deletingLastPathComponent) ?? "") { return true }
            var info = stat()
            guard lstat(lexical, &info) == 0, (info.st_mode & S_IFMT) == S_IFLNK else { return false }
            current = lexical
        }
        return true
    }

    /// Whether a folder walk takes a file with this name as a recording.
    public static func isMedia(_ name: String) -> Bool {
        skipReason(forName: (name as NSString).lastPathComponent) == nil && extensions.contains((name as NSString).pathExtension.lowercased())
    }

    /// Why a folder walk would not take this file name as a recording, or nil when it would.
    public static func skipReason(forName name: String) -> String? {
        if name.hasPrefix(".") { return "hidden file" }
        let lower = name.lowercased()
        if lower.hasSuffix(".part") || lower.hasSuffix(".crdownload") || lower.hasSuffix(".partial") || lower.hasSuffix(".tmp") {
            return "partial download"
        }
        return nil
    }

    private struct FileIdentity: Hashable {
        var device: UInt64
        var inode: UInt64
    }

    /// The names in a folder, from readdir: those that decode as UTF-8, and the others with
    /// their invalid bytes replaced (Foundation's listing drops those without a word).
    private static func entries(of folder: String) -> (names: [String], undecodable: [String])? {
        guard let stream = opendir(folder) else { return nil }
        defer { closedir(stream) }
        var names: [String] = []
        var undecodable: [String] = []
        while let entry = readdir(stream) {
            let (name, valid) = withUnsafePointer(to: &entry.pointee.d_name) { tuple in
                tuple.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: tuple.pointee)) { chars in
                    if let valid = String(validatingCString: chars) { return (valid, true) }
                    return (String(decoding: UnsafeRawBufferPointer(start: chars, count: strlen(chars)), as: UTF8.self), false)
                }
            }
            if name == "." || name == ".." { continue }
            if valid { names.append(name) } else { undecodable.append(name) }
        }
        return (names, undecodable)
    }

    /// One walk over the named folders: what it found so far and the folders it entered.
    private struct Walk {
        var followSymlinks: Bool
        var expansion = Expansion()
        var seen = Set<FileIdentity>()

        mutating func folder(_ folder: String) {
            if let real = resolved(folder), isSystemPath(real) {
                expansion.skipped.append(Skipped(path: folder, reason: "\(real) is a system folder (/proc, /sys, /dev) and is never walked"))
                return
            }
            var info = stat()
            guard stat(folder, &info) == 0 else { return }
            let identity = FileIdentity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
            guard seen.insert(identity).inserted else {
                expansion.skipped.append(Skipped(path: folder, reason: "folder already visited (symlink loop)"))
                return
            }
            guard let listing = entries(of: folder) else {
                expansion.skipped.append(Skipped(path: folder, reason: "folder cannot be read"))
                return
            }
            let base = folder.hasSuffix("/") ? String(folder.dropLast()) : folder
            // A name that is not UTF-8 cannot be spelled as a Swift string, so the file cannot be
            // opened by it; name it (invalid bytes shown as U+FFFD) rather than pass it over in silence.
            for name in listing.undecodable.sorted() where !name.hasPrefix(".") && isMedia(name) {
                expansion.skipped.append(Skipped(path: base + "/" + name, reason: "the name is not valid UTF-8; rename the file to index it"))
            }
            for name in listing.names.sorted() {
                let path = base + "/" + name
                if name.hasPrefix(".") { continue }
                var entry = stat()
                guard lstat(path, &entry) == 0 else {
                    expansion.skipped.append(Skipped(path: path, reason: "unreadable entry"))
                    continue
                }
                if (entry.st_mode & S_IFMT) == S_IFLNK {
                    guard follows(link: path, name: name) else { continue }
                    guard stat(path, &entry) == 0 else { continue }
                }
                if (entry.st_mode & S_IFMT) == S_IFDIR {
                    self.folder(path)
                    continue
                }
                if let reason = skipReason(forName: name) {
                    expansion.skipped.append(Skipped(path: path, reason: reason))
                    continue
                }
                if isMedia(name) { expansion.files.append(path) }
            }
        }

        /// Whether the walk goes through the symlink at `path`: its target must resolve, lie
        /// outside the system folders, and lie inside a root unless links are followed
        /// anywhere (then the target becomes a root, so that the server serves it). A link to a
        /// file that is not media is passed over in silence, as such a file would be.
        mutating func follows(link path: String, name: String) -> Bool {
            guard let target = resolved(path) else {
                expansion.skipped.append(Skipped(path: path, reason: "broken symlink"))
                return false
            }
            var info = stat()
            let isFolder = stat(target, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
            guard isFolder || isMedia(name) else { return false }
            if isSystemPath(target) || leadsThroughSystemFolder(path) {
                expansion.skipped.append(Skipped(path: path, reason: "symlink to \(target), a system folder (/proc, /sys, /dev) that is never walked"))
                return false
            }
            if isInside(target, roots: expansion.roots) { return true }
            guard followSymlinks else {
                expansion.skipped.append(Skipped(path: path, reason: "symlink to \(target), outside the media folders (--follow-symlinks follows it)"))
                return false
            }
            expansion.roots.append(target)
            return true
        }
    }
}

/// A file's size and modification time, as `stat` gives them.
public struct FileLook: Equatable, Sendable {
    public var size: Int64
    public var mtime: Double

    public init(size: Int64, mtime: Double) {
        self.size = size
        self.mtime = mtime
    }

    public static func of(_ path: String) -> FileLook? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        let mtime = Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
        return FileLook(size: Int64(info.st_size), mtime: mtime)
    }
}
