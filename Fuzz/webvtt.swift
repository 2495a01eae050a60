/// Fuzz target: caption import as `.webVTT`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ start: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
    fuzzCaptions(inputBytes(start, count), format: .webVTT)
    return 0
}
