import Foundation
import Testing

/// The generated evaluation (scripts/linkeval.py) on a smaller week: a guard against
/// regressions in precision and in the share linked automatically. `make bench` runs the full
/// 1000 × 1000 evaluation and prints its figures.
@Suite("generated evaluation")
struct EvaluationTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var efterhand: String {
        var folder = Bundle.main.bundleURL
        for _ in 0..<4 {
            let candidate = folder.appendingPathComponent("efterhand").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        return root.appendingPathComponent(".build/debug/efterhand").path
    }

    @Test("400 sessions, 400 noisy recordings: no more than 1 wrong link in 200, decoys never linked", arguments: [3, 11])
    func evaluation(seed: Int) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.root.appendingPathComponent("scripts/linkeval.py").path,
                             "--sessions", "400", "--seed", String(seed), "--bin", Self.efterhand, "--json"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let figures = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let precision = try #require(figures["precision"] as? Double)
        let automatic = try #require(figures["auto_linked_share"] as? Double)
        #expect(precision >= 0.995, "precision \(precision)")
        #expect(figures["decoys_linked"] as? Int == 0)
        // Measured at about 0.88-0.92 on 1000 × 1000; the target is 0.95 (see the note).
        #expect(automatic >= 0.85, "share linked automatically \(automatic)")
    }
}
