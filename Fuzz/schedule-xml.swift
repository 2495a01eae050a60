/// Fuzz target: the schedule loader on a file named `fuzz.xml`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ start: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
    fuzzSchedule(inputBytes(start, count), fileName: "fuzz.xml")
    return 0
}
