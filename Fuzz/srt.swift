/// Fuzz target: caption import as `.srt`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ start: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
    fuzzCaptions(inputBytes(start, count), format: .srt)
    return 0
}
