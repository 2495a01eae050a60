import ArgumentParser
import Foundation
import IndexStore
import Pipeline
import PostgresStore
import Speech

/// `efterhand transcribe`: machine drafts of what is said in every linked talk.
struct Transcribe: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Draft transcripts of the linked talks with a speech-to-text engine.",
        discussion: """
            Each linked recording is transcribed over each of its talks' in-to-out spans, in the session's language \
            (--language overrides). First, each recording in review or unmatched is listened to (its first 3 minutes and a \
            minute at each candidate's in point) and linked again with what is said in it (--no-listen skips that); one \
            still in doubt is heard again with the names and titles of the talks it may hold as the engine's prompt (an \
            engine that takes one), and that counts where it agrees with the first hearing. What was heard is kept as the \
            draft of those minutes. Drafts never replace verified text. A span the same model already drafted from the \
            same audio is left as it is (--force drafts it again). A span that fails is named and the others go on; \
            the run then exits 1.

            With --database, the talks are heard by workers with a speech engine (`efterhand worker --kinds \
            transcribe,listen --speech-command …`): transcription is turned on for the store, each linked talk whose draft \
            was not made from the same file, stretch and language becomes a transcribe job, each recording in doubt a \
            listen job (after which it is linked again), and every relink from now on does the same; --wait waits for the \
            workers.
            """
    )

    @Argument(help: "Recordings (ids or paths, as `efterhand links` shows them); none for every linked recording.")
    var recordings: [String] = []

    @OptionGroup var index: IndexOptions
    @OptionGroup var speech: SpeechOptions

    @Option(help: "The language spoken in every span (sv, en); by default each session's.")
    var language: String?

    @Option(help: "Spans transcribed side by side.")
    var jobs = 1

    @Flag(help: "Draft again what the same model already drafted.")
    var force = false

    @Flag(help: "Do not listen to the recordings in review or unmatched to link them by what is said.")
    var noListen = false

    @Flag(help: "Print the summary as JSON.")
    var json = false

    @Flag(help: "With --database: wait until the workers have done the transcribe jobs.")
    var wait = false

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard (1...64).contains(jobs) else { throw ValidationError("--jobs must be from 1 to 64.") }
    }

    func run() throws {
        global.bootstrapLogging()
        if let location = try index.postgres() { return try enqueue(on: location) }
        guard !wait else { throw ValidationError("--wait goes with --database postgres://… (the workers' jobs); without it, transcribe runs here and ends when it is done.") }
        let database = try index.open()
        var options = TranscribeOptions()
        options.recordings = recordings
        options.language = language
        options.force = force
        options.jobs = jobs
        options.listen = !noListen
        let summary = try TranscribeOutput.run(database: database, speech: speech, indexFolder: index.index, options: options)
        TranscribeOutput.print(summary, json: json)
        if !summary.errors.isEmpty { throw ExitCode(1) }
    }
}

extension Transcribe {
    /// `transcribe --database`: jobs for the workers that have an engine (with --force, every
    /// linked talk, drafted before or not). What only a run here does is refused in words:
    /// choosing recordings, spans side by side (a worker's --concurrency), an engine.
    func enqueue(on location: PostgresLocation) throws {
        let refused = [(!recordings.isEmpty, "naming recordings"), (jobs != 1, "--jobs (give a worker --concurrency)"),
                       (speech.given, "a speech engine (the workers have theirs)")].filter(\.0).map(\.1)
        guard refused.isEmpty else {
            throw ValidationError("With --database, transcribe makes jobs for every linked talk; \(refused.joined(separator: ", ")) does not go with it.")
        }
        let language = language, wait = wait, json = json, force = force
        try PostgresCommand.blocking(location) { database in
            let enqueued = try await database.transcribeLinkedTalks(language: language, force: force)
            if !json {
                print("transcription on for \(location): \(enqueued.talks) transcribe job\(enqueued.talks == 1 ? "" : "s") and \(enqueued.listen) listen job\(enqueued.listen == 1 ? "" : "s") "
                      + "enqueued for workers with a speech engine; every relink from now on enqueues the talks it links and the recordings it leaves in doubt")
            }
            guard wait else { return }
            let kinds = [ListenJob.kind, LinkJob.kind, TranscribeJob.kind]
            try await PostgresCommand.waitForJobs(database, kinds: kinds, quiet: json)
            let counts = try await database.jobCounts()
            let failed = try await database.failedJobs().filter { kinds.contains($0.kind) }
            if json {
                let object: [String: Any] = ["transcribe_enqueued": enqueued.talks, "listen_enqueued": enqueued.listen, "transcribe_done": counts.count(TranscribeJob.kind, state: "done"),
                                             "listen_done": counts.count(ListenJob.kind, state: "done"), "failed": failed.count]
                print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
            } else {
                for job in failed { print("failed job \(job.id) \(TerminalText.escaped(job.key)) after \(job.attempts) attempts: \(TerminalText.escaped(job.reason))") }
            }
            if !failed.isEmpty { throw ExitCode(1) }
        }
    }
}

/// Running a transcription with a progress bar, and saying what it did (shared with `ingest --transcribe`).
enum TranscribeOutput {
    static func run(database: IndexDatabase, speech: SpeechOptions, indexFolder: String, options: TranscribeOptions) throws -> TranscribeSummary {
        do {
            let engine = try speech.make(indexFolder: indexFolder)
            let bar = ProgressBar()
            defer { bar.finish() }
            return try Transcriber(database: database, engine: engine, options: options).run { done, total, elapsed in
                bar.update(IngestProgress(done: done, total: total, elapsed: elapsed, stage: .transcribe))
            }
        } catch let error as SpeechError {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        } catch {
            FileHandle.standardError.write(Data("error: transcription failed: \(database.explain(error))\n".utf8))
            throw ExitCode(1)
        }
    }

    static func print(_ summary: TranscribeSummary, json: Bool) {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            Swift.print(String(decoding: (try? encoder.encode(summary)) ?? Data(), as: UTF8.self))
            return
        }
        for line in summary.errors { Swift.print("failed  \(TerminalText.escaped(line))") }
        if let listen = summary.listen, listen.recordings > 0 {
            Swift.print("""
                listened: \(listen.recordings) recordings in review or unmatched: \(listen.listened) listened to \
                (\(String(format: "%.1f", listen.audioSeconds / 60)) minutes), \(listen.unchanged) heard before, \(listen.heardAgain) heard again with the names \
                and titles they may hold; \(listen.linked) now linked by what is said
                """)
        }
        let rate = summary.seconds > 0 ? summary.audioSeconds / summary.seconds : 0
        Swift.print("""
            speech: \(summary.spans) talk spans: \(summary.transcribed) transcribed, \(summary.unchanged) unchanged, \(summary.errors.count) failed; \
            \(summary.cues) draft cues (\(summary.source))
            audio: \(String(format: "%.1f", summary.audioSeconds / 60)) minutes in \(String(format: "%.1f", summary.seconds)) s \
            (\(String(format: "%.1f", rate))x real time)
            """)
    }
}
