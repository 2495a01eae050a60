import Foundation

/// Path pieces without `NSString`: on Linux, Foundation's `lastPathComponent` and
/// `pathComponents` trap (an index out of range) on a path whose last component is one
/// non-ASCII character after a double slash, as in `Media//é`, which a user can pass.
enum PathText {
    /// The folders and the name of `path`; empty components (from `//`, a leading or a
    /// trailing `/`) are left out.
    static func components(_ path: String) -> [String] {
        path.split(separator: "/").map(String.init)
    }

    /// The last component of `path` (a file's name), or `path` itself when it has none (`/`).
    static func lastComponent(_ path: String) -> String {
        components(path).last ?? path
    }
}
