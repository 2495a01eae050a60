import Foundation
import PostgresNIO
@testable import PostgresStore
import TestSupport
import Testing

/// Worker processes of the real binary over one PostgreSQL: several machines' worth, each
/// mounting the media root at a place of its own.
@Suite("efterhand worker: several processes over one store", .serialized)
struct WorkerProcessTests {
    /// A folder of `count` recordings (copies of one 2-second clip, 25 fps, 48 kHz, made by
    /// ffmpeg) in subfolders, and one broken file.
    static func media(count: Int) async throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("efterhand-workers-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let clip = folder.appendingPathComponent("clip.mp4")
        let ffmpeg = try await Run.run("/usr/bin/ffmpeg", ["-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=320x180:rate=25",
                                                       "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "2",
                                                       "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", clip.path])
        try #require(ffmpeg.status == 0, "ffmpeg: \(ffmpeg.stderr)")
        for number in 0..<count {
            let day = folder.appendingPathComponent("week/dag\(number % 5 + 1)")
            try FileManager.default.createDirectory(at: day, withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: clip, to: day.appendingPathComponent("talk-\(number).mp4"))
        }
        try Data("not a video".utf8).write(to: folder.appendingPathComponent("week/broken.mp4"))
        return folder.appendingPathComponent("week")
    }

    /// The same folder as another machine would mount it: a link of its own.
    static func mount(_ folder: URL, as name: String) throws -> String {
        let place = folder.deletingLastPathComponent().appendingPathComponent("mount-\(name)")
        try FileManager.default.createSymbolicLink(at: place, withDestinationURL: folder)
        return place.path
    }

    @Test func threeWorkersDoEachJobExactlyOnce() async throws {
        let media = try await Self.media(count: 200)
        defer { try? FileManager.default.removeItem(at: media.deletingLastPathComponent()) }
        let binary = try EfterhandBinary.path()
        try await TestStore.with { location in
            let url = "\(location.configurationURL)"
            // As an operator would: one ingest that enqueues and waits, then the workers.
            let waiting = try Run.start(binary, ["ingest", "--database", url, "--media-root", "week=\(media.path)", "--wait"])
            try await PostgresIndex.with(location, timeout: TestStore.patience) { database in
                for _ in 0..<500 where try await database.jobCounts().count(state: "queued") < 201 { try await Task.sleep(for: .milliseconds(20)) }
            }
            var workers: [Run] = []
            for name in ["a", "b", "c"] {
                workers.append(try Run.start(binary, ["worker", "--database", url, "--media-root", "week=\(try Self.mount(media, as: name))",
                                                      "--until-idle", "--concurrency", "2", "--lease-seconds", "10"]))
            }
            var ended: [Run.Result] = []
            for worker in workers { ended.append(await worker.finished(seconds: 180)) }
            for result in ended { #expect(result.status == 0, "\(result.stderr.suffix(2000))") }
            let waited = await waiting.finished(seconds: 30)
            #expect(waited.status == 0 && waited.stdout.contains("201 files, 0 unchanged, 201 probe jobs enqueued"), "\(waited.stdout)")
            #expect(waited.stdout.contains("recordings: 200 probed, 1 failed, 0 missing"), "\(waited.stdout)\(waited.stderr.suffix(500))")
            let done = ended.compactMap { result in result.stdout.split(separator: " ").firstIndex(of: "jobs").flatMap { Int(result.stdout.split(separator: " ")[$0 - 1]) } }
            #expect(done.reduce(0, +) == 202, "the workers' own counts (201 probes, 1 link; no file has captions): \(done)")
            #expect(waited.stdout.contains("a link job enqueued"), "\(waited.stdout)")

            try await PostgresIndex.with(location, timeout: TestStore.patience) { database in
                #expect(try await database.jobCounts().byKindAndState == ["probe": ["done": 201], "link": ["done": 1]])
                let twice = try await TestStore.value(database, "SELECT count(*)::int FROM (SELECT job_id FROM job_attempt WHERE outcome = 'done' GROUP BY job_id HAVING count(*) <> 1) t", as: Int.self)
                #expect(twice == 0, "no job done twice")
                #expect(try await TestStore.value(database, "SELECT count(*)::int FROM job_attempt", as: Int.self) == 202, "one attempt each")
                // The link job ran after every probe had ended.
                #expect(try await TestStore.value(database, """
                    SELECT count(*)::int FROM job_attempt AS link JOIN job ON job.id = link.job_id AND job.kind = 'link'
                    WHERE link.started_at < (SELECT max(ended_at) FROM job_attempt JOIN job ON job.id = job_attempt.job_id AND job.kind = 'probe')
                    """, as: Int.self) == 0)
                #expect(try await database.recordingCounts() == ["ok": 200, "failed": 1])
                #expect(try await TestStore.value(database, "SELECT count(DISTINCT worker)::int FROM job_attempt", as: Int.self) ?? 0 >= 2, "the work was shared")
                // Stored by root and path inside it, whichever mount the worker used.
                #expect(try await TestStore.value(database, "SELECT count(*)::int FROM recording WHERE media_root = 'week' AND path LIKE 'dag_/talk-%.mp4' AND duration BETWEEN 1.9 AND 2.2", as: Int.self) == 200)
                #expect(try await TestStore.value(database, "SELECT error_code FROM recording WHERE path = 'broken.mp4'", as: String.self) != nil)
            }
            // Again, nothing changed: nothing to do.
            let again = try await Run.run(binary, ["ingest", "--database", url, "--media-root", "week=\(media.path)"])
            #expect(again.stdout.contains("201 files, 201 unchanged, 0 probe jobs enqueued") && !again.stdout.contains("link job"), "\(again.stdout)")
        }
    }

    @Test func aKilledWorkerLosesItsLeaseAndAnotherFinishes() async throws {
        let media = try await Self.media(count: 40)
        defer { try? FileManager.default.removeItem(at: media.deletingLastPathComponent()) }
        let binary = try EfterhandBinary.path()
        try await TestStore.with { location in
            let url = "\(location.configurationURL)"
            #expect(try await Run.run(binary, ["ingest", "--database", url, "--media-root", "week=\(media.path)"]).status == 0)
            // Catch the first worker holding a job: stop it there (SIGSTOP), then kill it.
            try await PostgresIndex.with(location, timeout: TestStore.patience) { database in
                var victim: (job: Int64, worker: String)?
                for _ in 0..<20 where victim == nil {
                    let first = try Run.start(binary, ["worker", "--database", url, "--media-root", "week=\(media.path)", "--lease-seconds", "2"])
                    for _ in 0..<400 where victim == nil {
                        let held = try await database.client.query("SELECT id, worker FROM job WHERE state = 'running' AND worker LIKE \("%:\(first.pid)")")
                        var found: (Int64, String)?
                        for try await row in held.decode((Int64, String).self) { found = row }
                        if let found {
                            kill(first.pid, SIGSTOP)
                            let still = try await TestStore.value(database, "SELECT count(*)::int FROM job WHERE id = \(found.0) AND state = 'running' AND worker = \(found.1)", as: Int.self)
                            if still == 1 { victim = (found.0, found.1) } else { kill(first.pid, SIGCONT) }
                        }
                        if victim == nil { try await Task.sleep(for: .milliseconds(5)) }
                    }
                    kill(first.pid, SIGKILL)
                    _ = await first.finished(seconds: 10)
                }
                let (job, killed) = try #require(victim, "never caught the worker holding a job")
                let second = try await Run.run(binary, ["worker", "--database", url, "--media-root", "week=\(media.path)", "--until-idle", "--lease-seconds", "2"], seconds: 120)
                #expect(second.status == 0, "\(second.stderr.suffix(1000))")
                let attempts = try await database.client.query("SELECT attempt, worker, outcome FROM job_attempt WHERE job_id = \(job) ORDER BY attempt")
                var rows: [String] = []
                for try await (attempt, worker, outcome) in attempts.decode((Int, String, String).self) {
                    rows.append("\(attempt) \(worker == killed ? "killed" : "other") \(outcome)")
                }
                #expect(rows == ["1 killed lease expired", "2 other done"])
                #expect(try await database.jobCounts().byKindAndState == ["probe": ["done": 41], "link": ["done": 1]])
                #expect(try await database.recordingCounts() == ["ok": 40, "failed": 1])
            }
        }
    }
}

extension PostgresLocation {
    /// The URL the binary is given.
    var configurationURL: String { "postgres://\(user)@\(host):\(port)/\(database)" }
}

/// A child process with its output collected in files (so a full pipe never blocks it).
final class Run: @unchecked Sendable {
    let process = Process()
    let out = FileManager.default.temporaryDirectory.appendingPathComponent("run-\(UUID().uuidString).out")
    let err = FileManager.default.temporaryDirectory.appendingPathComponent("run-\(UUID().uuidString).err")

    var pid: Int32 { process.processIdentifier }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func start(_ path: String, _ arguments: [String]) throws -> Run {
        let run = Run()
        FileManager.default.createFile(atPath: run.out.path, contents: nil)
        FileManager.default.createFile(atPath: run.err.path, contents: nil)
        run.process.executableURL = URL(fileURLWithPath: path)
        run.process.arguments = arguments
        run.process.standardOutput = try FileHandle(forWritingTo: run.out)
        run.process.standardError = try FileHandle(forWritingTo: run.err)
        try run.process.run()
        return run
    }

    static func run(_ path: String, _ arguments: [String], seconds: Double = 60) async throws -> Result {
        try await start(path, arguments).finished(seconds: seconds)
    }

    /// Waits at most `seconds` without holding a thread of Swift's pool (the suites run side
    /// by side on two of them), then kills it (status -9).
    func finished(seconds: Double) async -> Result {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning, Date() < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        return wait(seconds: 0)
    }

    /// Waits at most `seconds` (blocking: for `defer`), then kills it (status -9).
    func wait(seconds: Double) -> Result {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return result(status: -9)
        }
        return result(status: process.terminationStatus)
    }

    private func result(status: Int32) -> Result {
        defer {
            try? FileManager.default.removeItem(at: out)
            try? FileManager.default.removeItem(at: err)
        }
        return Result(status: status, stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "", stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }
}
