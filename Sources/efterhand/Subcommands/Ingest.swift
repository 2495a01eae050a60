import ArgumentParser
import Foundation
import IndexStore
import Pipeline
import MediaProbe
import Schedule

/// `efterhand ingest`: bring the index up to date with the recordings and the programme.
struct Ingest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Index recordings, link them to the programme and cut them into segments.",
        discussion: """
            Incremental: files whose size and modification time are unchanged are not opened again; \
            vanished files are marked missing (--prune deletes them). Manual decisions always win. \
            Exits 0 even when some files failed (they are in the summary), non-zero when the run itself could not work.
            """
    )

    @Option(name: .customLong("media"), parsing: .upToNextOption, help: "Folders (or files) of recordings.")
    var media: [String] = []

    @Option(name: .customLong("media-root"), parsing: .upToNextOption,
            help: ArgumentHelp("With --database: named media roots, NAME=FOLDER, whose files workers probe (they mount each root where they like).", valueName: "name=folder"))
    var mediaRoots: [String] = []

    @Flag(help: "With --database: wait until the workers have done every probe job, then print the store's totals.")
    var wait = false

    @Option(name: .customLong("schedule"), parsing: .upToNextOption, help: "Programme files (schedule.json, schedule.xml, .ics, .csv).")
    var schedules: [String] = []

    @OptionGroup var index: IndexOptions

    @Option(help: "Time zone for wall-clock times without an offset.")
    var timeZone: String?

    @Option(help: "Length in minutes of the even segments cut from long sessions without chapters.")
    var segmentMinutes: Double = 5

    @Option(help: "Seconds one file may take to probe.")
    var timeout: Double = 10

    @Flag(help: "Delete recordings whose files are gone, instead of marking them missing.")
    var prune = false

    @Option(help: ArgumentHelp("When to make the thumbnails: on-request (named now, made by `efterhand serve` when first asked for), now, or off.",
                               valueName: "when"))
    var thumbnails: ThumbnailMode = .onRequest

    @Flag(help: "Make no thumbnails (the same as --thumbnails off).")
    var noThumbnails = false

    @Flag(help: "Follow symlinks whose target lies outside the --media folders (by default they are skipped, and named). Never into /proc, /sys or /dev.")
    var followSymlinks = false

    @Flag(help: "Print the summary as JSON.")
    var json = false

    @Flag(help: "Then listen to the recordings in review or unmatched and draft transcripts of the linked talks, as `efterhand transcribe` does (the engine from the flags below or speech.json). With --database: each linked talk becomes a transcribe job for the workers that have an engine.")
    var transcribe = false

    @Flag(help: "With --transcribe: do not listen to the recordings in review or unmatched to link them by what is said.")
    var noListen = false

    @OptionGroup var speech: SpeechOptions

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if try index.postgres() != nil {
            guard media.isEmpty, !mediaRoots.isEmpty else { throw ValidationError("With --database, name the recordings with --media-root NAME=FOLDER (workers find each root by its name).") }
            guard segmentMinutes >= 1 else { throw ValidationError("--segment-minutes must be at least 1.") }
            if let timeZone, TimeZone(identifier: timeZone) == nil { throw ValidationError("Unknown time zone '\(timeZone)'.") }
            return
        }
        guard mediaRoots.isEmpty, !wait else { throw ValidationError("--media-root and --wait go with --database postgres://…; without it, name the recordings with --media DIR.") }
        guard !media.isEmpty else { throw ValidationError("Name the recordings with --media DIR.") }
        guard segmentMinutes >= 1 else { throw ValidationError("--segment-minutes must be at least 1.") }
        guard timeout > 0 else { throw ValidationError("--timeout must be more than 0 seconds.") }
        if let timeZone, TimeZone(identifier: timeZone) == nil { throw ValidationError("Unknown time zone '\(timeZone)'.") }
    }

    func run() async throws {
        global.bootstrapLogging()
        let programme = schedules.isEmpty ? nil : try ProgrammeFiles.load(schedules, timeZone: timeZone.flatMap(TimeZone.init(identifier:)))
        if let location = try index.postgres() { return try await enqueue(on: location, programme: programme) }
        let database = try index.open(create: true)
        var options = IngestOptions(media: media)
        options.prune = prune
        options.segmentMinutes = segmentMinutes
        options.probe.timeout = timeout
        options.thumbnails = noThumbnails ? .off : thumbnails
        options.followSymlinks = followSymlinks
        let bar = ProgressBar()
        var summary: IngestSummary
        do {
            summary = try Ingestor(database: database, options: options).run(programme: programme) { bar.update($0) }
        } catch {
            bar.finish()
            FileHandle.standardError.write(Data("error: ingest into '\(index.index)' failed: \(database.explain(error))\n".utf8))
            throw ExitCode(1)
        }
        bar.finish()
        if transcribe {
            var transcribing = TranscribeOptions()
            transcribing.listen = !noListen
            transcribing.segmentMinutes = segmentMinutes
            summary.speech = try TranscribeOutput.run(database: database, speech: speech, indexFolder: index.index, options: transcribing)
            // Listening may have linked recordings: the totals are the index's after it.
            try Ingestor(database: database, options: options).tally(&summary)
        }

        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(summary), as: UTF8.self))
        } else {
            for line in summary.skipped { print("skipped \(TerminalText.escaped(line))") }
            for line in summary.errors { print("failed  \(TerminalText.escaped(line))") }
            for line in summary.decisions { print("decision \(TerminalText.escaped(line))") }
            print("""
                \(summary.recordings) recordings: \(summary.new) new, \(summary.changed) changed, \(summary.unchanged) unchanged, \
                \(summary.moved) moved, \(summary.missing) missing, \(summary.duplicates) duplicates, \(summary.failed) failed
                links: \(summary.linked) linked, \(summary.review) in review, \(summary.unmatched) unmatched; \(summary.segments) segments
                captions: \(summary.cues) cues read; thumbnails: \(summary.thumbnailsPlanned) named (made when first asked for), \
                \(summary.thumbnails) made in \(String(format: "%.2f", summary.thumbnailSeconds)) s
                index: \(index.index)/\(IndexDatabase.fileName) (\(String(format: "%.2f", summary.seconds)) s)
                """)
            if let speech = summary.speech { TranscribeOutput.print(speech, json: false) }
        }
        // A talk the engine could not transcribe is a failure of the run, as in `transcribe`.
        if summary.speech?.errors.isEmpty == false { throw ExitCode(1) }
    }
}

extension ThumbnailMode: ExpressibleByArgument {}
