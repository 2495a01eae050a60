import CZlib
import Foundation

/// gzip (RFC 1952) through the system's zlib, for JSON and text answers.
enum Gzip {
    /// Why zlib refused.
    struct Failure: Error, CustomStringConvertible {
        var function: String
        var code: Int32
        var description: String { "\(function) failed with zlib status \(code)" }
    }

    /// `data` compressed with a gzip header and trailer.
    static func compress(_ data: Data, level: Int32 = 6) throws -> Data {
        var stream = z_stream()
        try check(czlib_deflate_init_gzip(&stream, level), "deflateInit2")
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, uLong(data.count))) + 32
        var output = Data(count: bound)
        let written: Int = try data.withUnsafeBytes { (input: UnsafeRawBufferPointer) -> Int in
            try output.withUnsafeMutableBytes { (out: UnsafeMutableRawBufferPointer) -> Int in
                stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
                stream.avail_in = uInt(input.count)
                stream.next_out = out.bindMemory(to: Bytef.self).baseAddress
                stream.avail_out = uInt(out.count)
                // The output buffer is deflateBound's size, so one call with Z_FINISH ends the stream.
                let status = deflate(&stream, Z_FINISH)
                guard status == Z_STREAM_END else { throw Failure(function: "deflate", code: status) }
                return Int(stream.total_out)
            }
        }
        output.count = written
        return output
    }

    /// `data` (gzip) decompressed; for tests and checks.
    static func decompress(_ data: Data) throws -> Data {
        var stream = z_stream()
        try check(czlib_inflate_init_gzip(&stream), "inflateInit2")
        defer { inflateEnd(&stream) }
        var output = Data()
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        try data.withUnsafeBytes { (input: UnsafeRawBufferPointer) in
            stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
            stream.avail_in = uInt(input.count)
            var status: Int32 = Z_OK
            while status != Z_STREAM_END {
                let produced: Int = try chunk.withUnsafeMutableBufferPointer { buffer in
                    stream.next_out = buffer.baseAddress
                    stream.avail_out = uInt(buffer.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                    guard status == Z_OK || status == Z_STREAM_END else { throw Failure(function: "inflate", code: status) }
                    return buffer.count - Int(stream.avail_out)
                }
                output.append(contentsOf: chunk[0..<produced])
                if status == Z_OK && produced == 0 && stream.avail_in == 0 { throw Failure(function: "inflate", code: Z_BUF_ERROR) }
            }
        }
        return output
    }

    private static func check(_ status: Int32, _ function: String) throws {
        guard status == Z_OK else { throw Failure(function: function, code: status) }
    }
}
