import CompressNIO
import Foundation
import NIOCore

/// gzip (RFC 1952) for JSON and text answers, through adam-fowler/compress-nio (zlib underneath).
enum Gzip {
    /// Why compressing or decompressing failed.
    struct Failure: Error, CustomStringConvertible {
        var operation: String
        var cause: any Error
        var description: String { "gzip \(operation) failed: \(cause)" }
    }

    /// `source` compressed with a gzip header and trailer, at zlib's default level (6), in a
    /// buffer of its own size (compress-nio writes into one of the worst case's size).
    static func compress(_ source: ByteBuffer) throws -> ByteBuffer {
        var input = source
        do {
            let output = try input.compress(with: .gzip, configuration: .init(compressionLevel: 6))
            return ByteBuffer(bytes: output.readableBytesView)
        } catch {
            throw Failure(operation: "compress", cause: error)
        }
    }

    /// The same for `Data`; for tests and checks.
    static func compress(_ data: Data) throws -> Data {
        Data(try compress(ByteBuffer(bytes: data)).readableBytesView)
    }

    /// `data` (gzip) decompressed; for tests and checks.
    static func decompress(_ data: Data) throws -> Data {
        var input = ByteBuffer(bytes: data)
        do {
            let output = try input.decompress(with: .gzip)
            return Data(output.readableBytesView)
        } catch {
            throw Failure(operation: "decompress", cause: error)
        }
    }
}
