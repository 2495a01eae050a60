import Foundation
import GRDB

/// Why the index could not be opened or written, naming its file: a broad `code`, a sentence
/// for people, and the underlying error's text.
public struct IndexError: Error, CustomStringConvertible, Sendable {
    /// What kind of trouble it is.
    public enum Code: String, Sendable {
        /// No index where one was expected.
        case missing
        /// The index or its folder cannot be written (a read-only file system, permissions).
        case readOnly = "read_only"
        /// The disk that holds the index is full.
        case full
        /// Anything else the database or the file system reported.
        case failed
    }

    public var code: Code
    /// The index's database file.
    public var file: String
    /// A sentence that names the file and says what is wrong.
    public var message: String
    /// The underlying error's own text, if any.
    public var cause: String?

    public var description: String { cause.map { "\(message) (\($0))" } ?? message }

    public init(_ code: Code, file: String, message: String, cause: String? = nil) {
        self.code = code
        self.file = file
        self.message = message
        self.cause = cause
    }

    /// Explains `error`, met while opening or writing the index at `file`, in those terms.
    public init(explaining error: any Error, file: String) {
        if let known = error as? IndexError {
            self = known
            return
        }
        let folder = (file as NSString).deletingLastPathComponent
        let cause = String(describing: error)
        if let error = error as? DatabaseError {
            switch error.resultCode {
            case .SQLITE_FULL:
                self.init(.full, file: file, message: "the disk that holds the index '\(file)' is full", cause: cause)
                return
            case .SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_AUTH:
                if let reason = Self.unwritable(folder: folder, file: file) {
                    self.init(.readOnly, file: file, message: "the index '\(file)' cannot be written: \(reason)", cause: cause)
                    return
                }
            case .SQLITE_IOERR:
                if let reason = Self.unwritable(folder: folder, file: file) {
                    self.init(.readOnly, file: file, message: "the index '\(file)' cannot be written: \(reason)", cause: cause)
                    return
                }
                if Self.diskFull(folder) {
                    self.init(.full, file: file, message: "the disk that holds the index '\(file)' is full", cause: cause)
                    return
                }
            default:
                break
            }
        } else if let reason = Self.unwritable(folder: folder, file: file) {
            self.init(.readOnly, file: file, message: "the index '\(file)' cannot be written: \(reason)", cause: cause)
            return
        } else if (error as NSError).domain == NSPOSIXErrorDomain && (error as NSError).code == Int(ENOSPC) || Self.diskFull(folder) {
            self.init(.full, file: file, message: "the disk that holds the index '\(file)' is full", cause: cause)
            return
        }
        self.init(.failed, file: file, message: "the index '\(file)' cannot be used", cause: cause)
    }

    /// Why the index's folder or file cannot be written, or nil when they can.
    static func unwritable(folder: String, file: String) -> String? {
        var existing = folder
        while !FileManager.default.fileExists(atPath: existing), existing != "/", !existing.isEmpty {
            existing = (existing as NSString).deletingLastPathComponent
        }
        for path in [file, existing] where FileManager.default.fileExists(atPath: path) {
            if access(path, W_OK) != 0 {
                let reason = errno == EROFS ? "its folder is on a read-only file system" : String(cString: strerror(errno)).lowercased()
                return path == file ? reason : "'\(path)': \(reason)"
            }
        }
        return nil
    }

    /// Whether `folder` lies on a file system mounted read-only (as opposed to one this user may
    /// not write, where another user's ingest may well be changing the index).
    public static func onReadOnlyFileSystem(_ folder: String) -> Bool {
        var info = statvfs()
        guard statvfs(folder, &info) == 0 else { return false }
        return info.f_flag & UInt(ST_RDONLY) != 0
    }

    /// Whether the file system of `folder` has no room left for another page.
    static func diskFull(_ folder: String) -> Bool {
        var info = statvfs()
        guard statvfs(folder, &info) == 0 else { return false }
        return UInt64(info.f_bavail) * UInt64(info.f_frsize) < 64 * 1024
    }
}

extension IndexDatabase {
    /// `error`, met while working on this index, in the words of an `IndexError` when it is
    /// about the index's file (disk full, read-only); other errors as they are.
    public func explain(_ error: any Error) -> String {
        guard let folder else { return String(describing: error) }
        let explained = IndexError(explaining: error, file: (folder as NSString).appendingPathComponent(Self.fileName))
        return explained.code == .failed ? String(describing: error) : explained.description
    }
}
