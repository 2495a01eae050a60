import Foundation
@testable import Server

/// Fuzz target: `Range` headers. The first 8 bytes of the input are the file size; the rest is
/// the header. A partial answer must lie inside the file and never be empty or reversed.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ start: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
    let bytes = inputBytes(start, count)
    var size: Int64 = 0
    for byte in bytes.prefix(8) { size = size << 8 | Int64(byte) }
    // Sizes of real files: not negative; small ones are the interesting ones.
    size = size == Int64.min ? 0 : abs(size)
    if bytes.count > 0, bytes[0] < 0x80 { size %= 100_000 }
    let header = String(decoding: bytes.dropFirst(8), as: UTF8.self)
    switch ByteRangeRequest(header: header, size: size) {
    case .partial(let range):
        require(range.lowerBound >= 0 && range.upperBound < size, "range \(range) outside a file of \(size) bytes for \(header)")
    case .whole, .unsatisfiable:
        break
    }
    return 0
}
