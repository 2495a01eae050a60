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

    /// The files to probe under `paths`, in a stable order: each named file as given (whatever
    /// its extension, and even when it does not exist, so that the probe can report it), and
    /// the media files found in each named folder, sorted. Hidden files and partial downloads
    /// (`.part`, `.crdownload`) are skipped; a symlinked folder is followed once, never in a loop.
    public static func expand(_ paths: [String]) -> (files: [String], skipped: [Skipped]) {
        var files: [String] = []
        var skipped: [Skipped] = []
        var seenFolders = Set<FileIdentity>()
        for path in paths {
            var info = stat()
            if stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
                walk(path, into: &files, skipped: &skipped, seen: &seenFolders)
            } else {
                files.append(path)
            }
        }
        return (files, skipped)
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

    private static func walk(_ folder: String, into files: inout [String], skipped: inout [Skipped], seen: inout Set<FileIdentity>) {
        var info = stat()
        guard stat(folder, &info) == 0 else { return }
        let identity = FileIdentity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
        guard seen.insert(identity).inserted else {
            skipped.append(Skipped(path: folder, reason: "folder already visited (symlink loop)"))
            return
        }
        guard let listing = entries(of: folder) else {
            skipped.append(Skipped(path: folder, reason: "folder cannot be read"))
            return
        }
        let base = folder.hasSuffix("/") ? String(folder.dropLast()) : folder
        // A name that is not UTF-8 cannot be spelled as a Swift string, so the file cannot be
        // opened by it; name it (invalid bytes shown as U+FFFD) rather than pass it over in silence.
        for name in listing.undecodable.sorted() where !name.hasPrefix(".") && isMedia(name) {
            skipped.append(Skipped(path: base + "/" + name, reason: "the name is not valid UTF-8; rename the file to index it"))
        }
        for name in listing.names.sorted() {
            let path = base + "/" + name
            if name.hasPrefix(".") { continue }
            var entry = stat()
            guard stat(path, &entry) == 0 else {
                skipped.append(Skipped(path: path, reason: "broken link or unreadable entry"))
                continue
            }
            if (entry.st_mode & S_IFMT) == S_IFDIR {
                walk(path, into: &files, skipped: &skipped, seen: &seen)
                continue
            }
            if let reason = skipReason(forName: name) {
                skipped.append(Skipped(path: path, reason: reason))
                continue
            }
            if isMedia(name) { files.append(path) }
        }
    }
}
