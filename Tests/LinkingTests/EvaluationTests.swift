import Foundation
import Testing
import TestSupport

/// The generated evaluation (scripts/linkeval.py) on a smaller week: a guard against
/// regressions in precision and in the share linked automatically. `make bench` runs the full
/// 1000 × 1000 evaluation and prints its figures.
@Suite("generated evaluation")
struct EvaluationTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var efterhand: String {
        get throws { try EfterhandBinary.path() }
    }

    @Test("400 sessions, 400 noisy recordings: no more than 1 wrong link in 200, decoys never linked", arguments: [3, 11])
    func evaluation(seed: Int) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.root.appendingPathComponent("scripts/linkeval.py").path,
                             "--sessions", "400", "--seed", String(seed), "--bin", try Self.efterhand, "--json"]
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
        // Measured 0.969 and 0.966 for these two weeks; 0.946-0.967 on 1000 × 1000 over 21 weeks
        // (`python3 scripts/linkeval.py --seeds 1-21`), against the target of 0.95.
        #expect(automatic >= 0.93, "share linked automatically \(automatic)")
    }
}
