import Foundation

/// The 64-bit FNV-1a hash: fast, not cryptographic. Recordings' fingerprints and the server's
/// entity tags use it; neither needs to resist someone who chooses the bytes.
public struct FNV1a: Sendable {
    /// The standard offset basis.
    public static let standardOffset: UInt64 = 0xcbf2_9ce4_8422_2325
    @usableFromInline static let prime: UInt64 = 0x0000_0100_0000_01b3

    /// The hash of the bytes added so far.
    public var value: UInt64

    /// A hash that starts from `offset` (another basis gives an independent second hash).
    @inlinable public init(offset: UInt64 = FNV1a.standardOffset) {
        value = offset
    }

    /// Adds one byte.
    @inlinable public mutating func add(_ byte: UInt8) {
        value = (value ^ UInt64(byte)) &* Self.prime
    }

    /// The standard FNV-1a of `data`.
    @inlinable public static func hash(_ data: Data) -> UInt64 {
        var hash = FNV1a()
        data.withUnsafeBytes { bytes in
            for byte in bytes { hash.add(byte) }
        }
        return hash.value
    }
}
