import Foundation

/// A file's identity for finding moves and copies: a hash of its first and last 64 KiB and its
/// size. Reads at most 128 KiB whatever the file's size. Not a security hash.
public enum Fingerprint {
    /// How much of each end of the file is hashed.
    public static let chunk = 64 * 1024

    /// The fingerprint of the file at `path`, or nil when it cannot be read or is not a regular
    /// file: opening a FIFO for reading would wait for a writer forever.
    public static func of(path: String) -> String? {
        // O_NONBLOCK makes the open of a FIFO return at once; fstat then tells what was opened,
        // so a file swapped for a FIFO or device between two looks is refused as well.
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            close(descriptor)
            return nil
        }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        defer { try? handle.close() }
        guard let size = try? handle.seekToEnd() else { return nil }
        var data = Data()
        do {
            try handle.seek(toOffset: 0)
            data.append(try handle.read(upToCount: chunk) ?? Data())
            if size > UInt64(chunk) {
                try handle.seek(toOffset: max(UInt64(chunk), size - UInt64(chunk)))
                data.append(try handle.read(upToCount: chunk) ?? Data())
            }
        } catch {
            return nil
        }
        withUnsafeBytes(of: size.littleEndian) { data.append(contentsOf: $0) }
        return "\(size)-" + hex(hash(data))
    }

    /// 128 bits from two FNV-1a 64-bit passes with different offsets.
    static func hash(_ data: Data) -> (UInt64, UInt64) {
        var a = FNV1a()
        var b = FNV1a(offset: 0x6c62_272e_07bb_0142)
        data.withUnsafeBytes { bytes in
            for byte in bytes {
                a.add(byte)
                b.add(byte ^ 0x5c)
            }
        }
        return (a.value, b.value)
    }

    static func hex(_ value: (UInt64, UInt64)) -> String {
        String(format: "%016llx%016llx", value.0, value.1)
    }
}
