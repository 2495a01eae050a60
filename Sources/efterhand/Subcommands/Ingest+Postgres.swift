import ArgumentParser
import Foundation
import IndexStore
import PostgresStore
import Schedule

/// `efterhand ingest --database postgres://… --media-root NAME=FOLDER [--schedule FILE] [--wait]`:
/// stores the programme, looks at each root and enqueues a probe job for every file the store
/// does not hold as it is, and a link job that runs when the probes are done; workers
/// (`efterhand worker`) on any machine that mounts the roots do them.
extension Ingest {
    func enqueue(on location: PostgresLocation, programme: Programme?) async throws {
        let roots: MediaRootMap
        do {
            roots = try MediaRootMap(mediaRoots)
        } catch {
            throw ValidationError(error.description)
        }
        let wait = wait, json = json, segmentMinutes = segmentMinutes, transcribe = transcribe
        try await PostgresCommand.run(location) { database in
            var lines: [String] = []
            var changed = false
            if transcribe {
                // The workers with a speech engine hear what the link job finds linked.
                try await database.transcribeFromNowOn(language: nil)
                lines.append("transcription on: each linked talk becomes a transcribe job for a worker with a speech engine")
                changed = true
            }
            if let programme {
                changed = try await database.storeProgramme(programme)
                lines.append("programme: \(programme.sessions.count) sessions\(changed ? "" : ", unchanged")")
            }
            for name in roots.names {
                let folder = roots.folders[name] ?? ""
                let summary = try await database.enqueueProbes(root: name, folder: folder)
                for skipped in summary.skipped { lines.append("skipped \(TerminalText.escaped(skipped.path)): \(skipped.reason)") }
                lines.append("\(name) (\(TerminalText.escaped(folder))): \(summary.files) files, \(summary.unchanged) unchanged, \(summary.enqueued) probe jobs enqueued, \(summary.captions) captions jobs")
                changed = changed || summary.enqueued > 0
            }
            // Linked once the probes are done (a link job waits for them), or at once when only the programme changed.
            if changed {
                try await database.enqueue([LinkJob.request(segmentMinutes: segmentMinutes)])
                lines.append("a link job enqueued: it runs when the probe jobs are done")
            }
            if !json { lines.forEach { print($0) } }
            guard wait else { return }
            try await PostgresCommand.waitForJobs(database, kinds: [ProbeJob.kind, LinkJob.kind, CaptionsJob.kind] + (transcribe ? [TranscribeJob.kind] : []),
                                                  quiet: json)
            let recordings = try await database.recordingCounts()
            let failed = try await database.failedJobs()
            if json {
                let object: [String: Any] = [
                    "recordings": recordings,
                    "failed_jobs": failed.map { ["id": $0.id, "kind": $0.kind, "key": $0.key, "attempts": $0.attempts, "reason": $0.reason] as [String: Any] },
                ]
                let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
                print(String(decoding: data, as: UTF8.self))
            } else {
                print("recordings: \(recordings["ok", default: 0]) probed, \(recordings["failed", default: 0]) failed, \(recordings["missing", default: 0]) missing")
                for job in failed { print("failed job \(job.id) \(job.kind) \(TerminalText.escaped(job.key)) after \(job.attempts) attempts: \(TerminalText.escaped(job.reason))") }
            }
        }
    }
}

/// Runs a command's work on the PostgreSQL store; its errors become one line and exit 1.
enum PostgresCommand {
    @discardableResult
    static func run<T: Sendable>(_ location: PostgresLocation, _ body: @Sendable (PostgresIndex) async throws -> T) async throws -> T {
        do {
            return try await PostgresIndex.with(location, body)
        } catch let error as PostgresStoreError {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }

    /// Waits until no job of `kinds` waits or runs, saying on standard error (unless `quiet`)
    /// how many wait, run, are done and failed, each time that changes.
    static func waitForJobs(_ database: PostgresIndex, kinds: [String], quiet: Bool) async throws {
        var last = ""
        try await database.followCommits {
            let counts = try await database.jobCounts()
            let line = kinds.map { kind in
                "\(kind) jobs: \(counts.count(kind, state: "queued")) waiting, \(counts.count(kind, state: "running")) running, \(counts.count(kind, state: "done")) done, \(counts.count(kind, state: "failed")) failed"
            }.joined(separator: "; ")
            if line != last, !quiet { FileHandle.standardError.write(Data("\(line)\n".utf8)) }
            last = line
            return !counts.idle(kinds: kinds)
        }
    }

    /// The store's catalogue, read once in one transaction (as `serve --database` reads it):
    /// what the reports of the shell (`links`, `review`, `report`, `chapters show`) print from.
    static func snapshot(_ location: PostgresLocation) throws -> IndexSnapshot {
        try blocking(location) { try await PostgresCatalogue(database: $0, roots: MediaRootMap()).read() }
    }

    /// For the commands that are not asynchronous (`link`, `chapters`, `session`): waits for
    /// `body` on the store. A refusal it throws (a `DecisionError`, `ChapterError`,
    /// `PublicationError`) comes back as it is, for the command to say.
    static func blocking<T: Sendable>(_ location: PostgresLocation, _ body: @escaping @Sendable (PostgresIndex) async throws -> T) throws -> T {
        do {
            return try PostgresCatalogue.wait { try await PostgresIndex.with(location, body) }
        } catch let error as PostgresStoreError {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
