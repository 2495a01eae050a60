import Foundation
import Testing
@testable import Linking

/// Inputs that the `filename-stamp` fuzz target (`Fuzz/`, `make fuzz`) found to crash, kept as
/// tests. The saved input is read from `Fuzz/crashes/` in the checkout.
@Suite("fuzz regressions")
struct FuzzRegressionTests {
    static let crashes = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz/crashes")

    static let zone = TimeZone(identifier: "Europe/Stockholm")!

    /// `("/media/20//\u{FFFD}" as NSString).lastPathComponent` traps on Linux: a name of one
    /// non-ASCII character after a double slash. The fuzz target prefixes its input with `/media/`.
    @Test("a path ending in // and one non-ASCII character reads no stamp and does not trap")
    func doubleSlashBeforeOneCharacter() throws {
        let saved = try Data(contentsOf: Self.crashes.appendingPathComponent("filename-stamp-2db9b0594e5c2dbf"))
        for path in ["/media/" + String(decoding: saved, as: UTF8.self), "Media//é", "//€", "sal-a//2021-10-04 13-00-12.mkv"] {
            let start = RecordingClock.fromFileName(path, zone: Self.zone)
            #expect((start != nil) == path.hasSuffix(".mkv"), "\(path)")
        }
    }

    /// A combining mark right after the stamp: the stamp is read; its text is in the name by
    /// bytes (Swift's `contains` compares Characters, and `5` + U+0612 is one).
    @Test("a stamp followed by a combining mark is read as the stamp")
    func combiningMarkAfterStamp() throws {
        let saved = try Data(contentsOf: Self.crashes.appendingPathComponent("filename-stamp-176981d7521778b2"))
        let name = String(decoding: saved, as: UTF8.self)
        let stamp = try #require(FileNameStamp.find(in: name))
        #expect(stamp.text == "20211004_130005" && stamp.hour == 13 && stamp.minute == 0 && stamp.second == 5)
        #expect(Array(name.utf8).firstRange(of: Array(stamp.text.utf8)) != nil)
    }

    @Test("path components without NSString", arguments: [
        ("Media//é", ["Media", "é"]), ("/media/sal-a/talk.mp4", ["media", "sal-a", "talk.mp4"]), ("a/b/", ["a", "b"]), ("/", []),
    ])
    func components(path: String, expected: [String]) {
        #expect(PathText.components(path) == expected)
        #expect(PathText.lastComponent(path) == (expected.last ?? path))
    }
}
