import Foundation
@testable import Linking

let stockholm = TimeZone(identifier: "Europe/Stockholm")!

/// Fuzz target: the time stamps read from recording file names and from `creation_time` tags.
/// A stamp that is found must be a real date and time whose text is part of the name.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ start: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
    let text = String(decoding: inputBytes(start, count), as: UTF8.self)
    if let stamp = FileNameStamp.find(in: text) {
        // By bytes: a combining mark after the stamp joins its last digit into one Character.
        require(Array(text.utf8).firstRange(of: Array(stamp.text.utf8)) != nil, "stamp \"\(stamp.text)\" is not in the name")
        require((1...12).contains(stamp.month) && (1...31).contains(stamp.day), "date \(stamp.year)-\(stamp.month)-\(stamp.day)")
        require(stamp.hour < 24 && stamp.minute < 60 && stamp.second < 60, "time \(stamp.hour):\(stamp.minute):\(stamp.second)")
    }
    if let found = RecordingClock.fromFileName("/media/" + text, zone: stockholm) {
        require(found.source == .filename, "source \(found.source)")
        require(found.date.timeIntervalSince1970.isFinite, "a date that is not finite")
    }
    if let tagged = RecordingClock.fromTags(["creation_time": text]) {
        require(tagged.date.timeIntervalSince1970.isFinite, "a date that is not finite")
    }
    return 0
}
