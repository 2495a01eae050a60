import Foundation

/// SplitMix64, a small generator with a seed, so that generated cases are the same on every run
/// (`init(seed:)`), or can be run again (`fromEnvironment()`: EFTERHAND_TEST_SEED, else the
/// clock; the test prints the seed).
public struct SeededGenerator: RandomNumberGenerator {
    public let seed: UInt64
    private var state: UInt64

    public init(seed: UInt64) {
        self.seed = seed
        state = seed
    }

    public static func fromEnvironment() -> SeededGenerator {
        let given = ProcessInfo.processInfo.environment["EFTERHAND_TEST_SEED"].flatMap { UInt64($0) }
        return SeededGenerator(seed: given ?? UInt64(Date().timeIntervalSince1970 * 1000))
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
