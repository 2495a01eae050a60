import Foundation
@testable import IndexStore
import Schedule
import TestSupport

/// A copy of the sample week in a temporary folder, so tests can rename, touch and delete.
struct SampleWeek {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    let folder: URL
    var media: URL { folder.appendingPathComponent("Media") }
    var index: URL { folder.appendingPathComponent("Index") }
    var schedule: URL { folder.appendingPathComponent("schedule.json") }

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("efterhand-index-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Self.root.appendingPathComponent("Media"), to: media)
        // The programme sits outside the media folder, as staff keep it.
        try FileManager.default.moveItem(at: media.appendingPathComponent("schedule.json"), to: schedule)
        for name in ["schedule.ics", "schedule.csv", "README.md"] {
            try? FileManager.default.removeItem(at: media.appendingPathComponent(name))
        }
    }

    func remove() { try? FileManager.default.removeItem(at: folder) }

    func programme() throws -> Programme { try ScheduleLoader.load(path: schedule.path) }

    func ingest(_ database: IndexDatabase, programme: Programme? = nil, prune: Bool = false) throws -> IngestSummary {
        var options = IngestOptions(media: [media.path])
        options.prune = prune
        options.recentSeconds = 0
        return try Ingestor(database: database, options: options).run(programme: programme)
    }

    func path(_ name: String) -> String { media.appendingPathComponent(name).path }

    static func guid(_ id: Int) -> String { "7f3c2a10-0000-4000-8000-000000000\(id)" }
}

/// Runs a program and waits for it.
func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// The `efterhand` binary that `swift build` put beside the test bundle.
var efterhandBinary: String {
    get throws { try EfterhandBinary.path() }
}

/// A random number generator with a seed (SplitMix64), for tests whose random choices must be
/// repeatable: the seed comes from EFTERHAND_TEST_SEED, else from the clock, and the test prints it.
struct SeededGenerator: RandomNumberGenerator {
    let seed: UInt64
    private var state: UInt64

    init(seed: UInt64) {
        self.seed = seed
        state = seed
    }

    static func fromEnvironment() -> SeededGenerator {
        let given = ProcessInfo.processInfo.environment["EFTERHAND_TEST_SEED"].flatMap { UInt64($0) }
        return SeededGenerator(seed: given ?? UInt64(Date().timeIntervalSince1970 * 1000))
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
