import Captions
import Foundation
@testable import IndexStore
import Pipeline
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

/// Runs a program and waits for it; `environment` is added to the tests' own.
func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if !environment.isEmpty {
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    }
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

extension IndexDatabase {
    /// A transcript file imported as `efterhand transcript import` does it: the recording
    /// first, then the file read and parsed, then stored.
    func importTranscript(recording: String, file: String, language: String? = nil, verified: Bool) throws -> TranscriptImport {
        _ = try transcriptRecording(recording)
        let captions: CaptionFile
        do {
            captions = try CaptionFile.read(path: file)
        } catch {
            throw TranscriptError(description: error.description)
        }
        return try importTranscript(recording: recording, captions: captions, name: file, language: language, verified: verified)
    }
}
