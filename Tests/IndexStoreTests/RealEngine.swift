import Foundation
import Testing
import TestSupport

/// What the tests with the real engine (faster-whisper and Whisper base, as `make test`
/// installs them) share: where the engine is, its command template, an empty sample week, and
/// recordings that say something at a known second.
enum RealEngine {
    static let root = EfterhandBinary.root
    static let python = root.appendingPathComponent(".venv-speech/bin/python").path
    static let model = root.appendingPathComponent(".speech-model/whisper-base").path
    static let adaptor = root.appendingPathComponent("scripts/speech/faster_whisper_adaptor.py").path
    /// The command engine's template, as `make run` gives it.
    static let command = "\(python) \(adaptor) --input {input} --output {output} --language {language} --model {model} --prompt={prompt}"

    /// Stops the test with a clear message when the engine is not installed.
    static func requireInstalled() throws {
        try #require(FileManager.default.isExecutableFile(atPath: python) && FileManager.default.fileExists(atPath: model + "/model.bin"),
                     "the speech engine is not installed: run `make speech` (make test does)")
    }

    /// The sample week (its programme and index folder) with none of its recordings.
    static func emptyWeek() throws -> SampleWeek {
        let week = try SampleWeek()
        for name in try FileManager.default.contentsOfDirectory(atPath: week.media.path) {
            try FileManager.default.removeItem(at: week.media.appendingPathComponent(name))
        }
        return week
    }

    /// `Media/NAME.m4a` in `folder`: `length` seconds of 48 kHz stereo AAC as a stream leaves it,
    /// with no tags, silent but for espeak-ng saying `text` in `voice` at `speed` words a minute
    /// from `second` on.
    static func recording(_ name: String, saying text: String, voice: String, speed: Int = 150, at second: Int, length: Int,
                          in folder: URL) throws -> URL {
        let said = folder.appendingPathComponent("\(name).wav")
        let file = folder.appendingPathComponent("Media/\(name).m4a")
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        #expect(try run("/usr/bin/espeak-ng", ["-v", voice, "-s", "\(speed)", "-w", said.path, text]).status == 0, "make test installs espeak-ng")
        let delay = second * 1000
        let made = try run("/usr/bin/ffmpeg", [
            "-v", "error", "-f", "lavfi", "-i", "anullsrc=r=48000:cl=stereo", "-i", said.path,
            "-filter_complex", "[1]aresample=48000,aformat=channel_layouts=stereo,adelay=\(delay)|\(delay)[s];[0][s]amix=inputs=2:duration=first:normalize=0[out]",
            "-map", "[out]", "-t", "\(length)", "-map_metadata", "-1", "-c:a", "aac", "-b:a", "64k", file.path,
        ])
        try #require(made.status == 0, "ffmpeg: \(made.output)")
        return file
    }
}
