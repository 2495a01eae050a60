import Foundation

/// Stops the fuzzer, as a crash it saves and reports, when a promise of the code under test
/// does not hold for an input. A thrown, well-formed error is not a finding; this is.
func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    guard !condition() else { return }
    FileHandle.standardError.write(Data("fuzz check failed: \(message())\n".utf8))
    abort()
}

/// The fuzzer's input as bytes (libFuzzer passes a null pointer for the empty input).
func inputBytes(_ start: UnsafePointer<UInt8>?, _ count: Int) -> [UInt8] {
    guard let start, count > 0 else { return [] }
    return Array(UnsafeBufferPointer(start: start, count: count))
}
