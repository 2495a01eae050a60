import ArgumentParser
import Foundation
import PostgresStore

/// `efterhand worker`: runs jobs from the PostgreSQL store on this machine.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run jobs (probes, linking, captions, thumbnails, speech) from the PostgreSQL store, on any machine that sees the media.",
        discussion: """
            Claims jobs with FOR UPDATE SKIP LOCKED and holds each by a lease that a heartbeat renews; a worker that \
            dies loses its lease and another takes the job. Stops on SIGINT/SIGTERM, or with --until-idle when no job \
            of its kinds waits or runs. A link job needs no media: it waits until no probe job waits or runs, then \
            links the whole store in one transaction. A transcribe job hears one linked talk with this machine's speech \
            engine, a listen job the first minutes of a recording in doubt (--kinds transcribe,listen --speech-command …): \
            `ingest --transcribe` or `transcribe` turns them on.
            """
    )

    @OptionGroup var index: IndexOptions

    @Option(name: .customLong("media-root"), parsing: .upToNextOption,
            help: ArgumentHelp("Where this machine mounts each named media root, NAME=FOLDER.", valueName: "name=folder"))
    var mediaRoots: [String] = []

    @Option(help: "Kinds of job to take, comma-separated: probe, link, captions, thumbnail, transcribe, listen (the last two with a speech engine; default: probe,link,captions,thumbnail).")
    var kinds = Worker.kinds.joined(separator: ",")

    @Option(help: "Jobs run at once.")
    var concurrency = 1

    @Option(help: "Seconds a claim holds a job without a heartbeat (renewed every third of it).")
    var leaseSeconds: Double = 60

    @Option(help: "Seconds one file may take to probe.")
    var timeout: Double = 10

    @Flag(help: "Stop when no job of these kinds waits or runs.")
    var untilIdle = false

    /// The engine for transcribe jobs, as `efterhand transcribe` takes it (speech.json is read from the current folder).
    @OptionGroup var speech: SpeechOptions

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard try index.postgres() != nil else { throw ValidationError("A worker needs the PostgreSQL store: give --database postgres://… (or EFTERHAND_DATABASE_URL).") }
        guard concurrency >= 1, concurrency <= 64 else { throw ValidationError("--concurrency must be from 1 to 64.") }
        guard leaseSeconds >= 1 else { throw ValidationError("--lease-seconds must be at least 1.") }
        guard timeout > 0 else { throw ValidationError("--timeout must be more than 0 seconds.") }
    }

    func run() async throws {
        global.bootstrapLogging(informing: ["efterhand.worker"])
        guard let location = try index.postgres() else { return }
        var options = WorkerOptions()
        do {
            options.roots = try MediaRootMap(mediaRoots)
        } catch {
            throw ValidationError(error.description)
        }
        options.kinds = kinds.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        options.concurrency = concurrency
        options.leaseSeconds = leaseSeconds
        options.untilIdle = untilIdle
        options.probe.timeout = timeout
        if options.kinds.contains(where: Worker.speechKinds.contains) {
            do {
                options.engine = try speech.make(indexFolder: FileManager.default.currentDirectoryPath)
            } catch {
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
                throw ExitCode(1)
            }
        }
        let finalOptions = options
        try await PostgresCommand.run(location) { database in
            let worker = try Worker(database: database, options: finalOptions)
            let summary = try await StopSignals.cancelling { try await worker.run() }
            print("worker \(finalOptions.name): \(summary.done) jobs done, \(summary.failed) failed, \(summary.lost) lost to another worker")
        }
    }
}

/// `efterhand jobs`: the PostgreSQL store's queue.
struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs",
        abstract: "Show the PostgreSQL store's jobs: counts by kind and state, and the failed ones with why."
    )

    @OptionGroup var index: IndexOptions

    @Flag(help: "Put the jobs that failed for good back in the queue (after fixing their cause), with three more attempts.")
    var retryFailed = false

    func validate() throws {
        guard try index.postgres() != nil else { throw ValidationError("Jobs live in the PostgreSQL store: give --database postgres://… (or EFTERHAND_DATABASE_URL).") }
    }

    func run() async throws {
        guard let location = try index.postgres() else { return }
        let retry = retryFailed
        try await PostgresCommand.run(location) { database in
            if retry { print("\(try await database.retryFailed()) failed jobs queued again") }
            let counts = try await database.jobCounts()
            for kind in counts.byKindAndState.keys.sorted() {
                let states = counts.byKindAndState[kind, default: [:]]
                print("\(kind): " + ["queued", "running", "done", "failed"].map { "\(states[$0, default: 0]) \($0)" }.joined(separator: ", "))
            }
            for job in try await database.failedJobs() {
                print("failed job \(job.id) \(job.kind) \(TerminalText.escaped(job.key)) after \(job.attempts) attempts: \(TerminalText.escaped(job.reason))")
            }
        }
    }
}
