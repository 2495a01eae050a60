import Foundation
import MediaProbe
import Testing

/// The audio that speech-to-text hears: decoded and resampled in-process to 16 kHz mono, and
/// each sample at the second it was recorded, however far into a long recording.
@Suite(.serialized) struct AudioExtractorTests {
    /// A 2-hour recording as a camera or a stream leaves it (48 kHz stereo AAC in MP4), silent
    /// but for one second of a 1 kHz tone from 5400 s (1:30:00) on. Made once per run.
    static let twoHours: Result<URL, any Error> = Result {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("efterhand-audio-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent("two-hours.mp4")
        let ffmpeg = try #require(ProcessOutput.which("ffmpeg"), "ffmpeg makes the long recording (make test installs it)")
        let made = try ProcessOutput.run(ffmpeg, [
            "-v", "error", "-f", "lavfi", "-i", "anullsrc=r=48000:cl=stereo", "-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=48000:duration=1",
            "-filter_complex", "[1]adelay=5400000|5400000,aformat=channel_layouts=stereo[tone];[0][tone]amix=inputs=2:duration=first:normalize=0[out]",
            "-map", "[out]", "-t", "7200", "-c:a", "aac", "-b:a", "48k", file.path,
        ])
        guard made.status == 0 else { throw ProbeError(code: .io, message: "ffmpeg could not make the recording: \(made.stderr)") }
        return file
    }

    /// Louder than this is the tone (lavfi's sine is at 1/8 of full scale), quieter is silence.
    static let loud = Int(Int16.max) / 32

    /// The time of the first loud sample, given the time of sample 0.
    static func onset(_ samples: [Int16], start: Double) -> Double? {
        samples.firstIndex { abs(Int($0)) > loud }.map { start + Double($0) / Double(AudioExtractor.sampleRate) }
    }

    func collect(_ path: String, from: Double = 0, to: Double? = nil) throws -> (samples: [Int16], start: Double) {
        var samples: [Int16] = []
        let start = try AudioExtractor().extract(path: path, from: from, to: to) { block in
            samples.append(contentsOf: block)
            return true
        }
        return (samples, start)
    }

    @Test("the whole of a 2-hour recording: 16,000 samples a second, and the tone at 1:30:00 within 50 ms")
    func wholeRecording() throws {
        let file = try Self.twoHours.get()
        var count = 0
        var onset: Double?
        let start = try AudioExtractor().extract(path: file.path) { block in
            if onset == nil, let index = block.firstIndex(where: { abs(Int($0)) > Self.loud }) {
                onset = Double(count + index) / Double(AudioExtractor.sampleRate)
            }
            count += block.count
            return true
        }
        #expect(start == 0)
        #expect(abs(Double(count) / Double(AudioExtractor.sampleRate) - 7200) < 0.1, "\(count) samples")
        let heard = try #require(onset)
        #expect(abs(heard - 5400) < 0.05, "the tone was heard at \(heard) s")
    }

    @Test("a stretch from the middle starts at its second and ends at its end")
    func stretch() throws {
        let file = try Self.twoHours.get()
        let (samples, start) = try collect(file.path, from: 5390, to: 5410)
        #expect(start == 5390)
        #expect(abs(samples.count - 20 * AudioExtractor.sampleRate) <= AudioExtractor.sampleRate / 100, "\(samples.count) samples")
        let found = Self.onset(samples, start: start)
        #expect(found.map { abs($0 - 5400) < 0.05 } == true, "the tone was heard at \(found.map { "\($0)" } ?? "no time") s")
        // A sink that says stop is not called again.
        var calls = 0
        _ = try AudioExtractor().extract(path: file.path, from: 100) { _ in
            calls += 1
            return false
        }
        #expect(calls == 1)
    }

    @Test("no audio, no file, a stretch that is not one: clear errors that name the file")
    func errors() throws {
        let fixtures = Bundle.module.resourceURL!.appendingPathComponent("Fixtures")
        let silentVideo = FileManager.default.temporaryDirectory.appendingPathComponent("efterhand-noaudio-\(UUID().uuidString).mp4")
        defer { try? FileManager.default.removeItem(at: silentVideo) }
        let ffmpeg = try #require(ProcessOutput.which("ffmpeg"))
        _ = try ProcessOutput.run(ffmpeg, ["-v", "error", "-f", "lavfi", "-i", "testsrc2=size=64x64:rate=5", "-t", "2", silentVideo.path])
        #expect { try collect(silentVideo.path) } throws: { ($0 as? ProbeError)?.code == .noAudio && "\($0)".contains(silentVideo.lastPathComponent) }
        #expect { try collect("/nonexistent/talk.mp4") } throws: { ($0 as? ProbeError)?.code == .notFound }
        let talk = fixtures.appendingPathComponent("talk.mkv").path
        #expect { try collect(talk, from: .nan) } throws: { ($0 as? ProbeError)?.code == .invalidArgument }
        #expect { try collect(talk, from: 10, to: 5) } throws: { ($0 as? ProbeError)?.code == .invalidArgument }
    }
}
