import ArgumentParser
import Captions
import Foundation
import IndexStore
import PostgresStore

/// `efterhand transcript export|import`: the round trip with captioners.
struct Transcript: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export transcripts for captioners and import their work.",
        subcommands: [Export.self, Import.self]
    )

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the transcript of a recording (or one session's part): cues where there are some, empty cues to fill elsewhere."
        )

        @Argument(help: "The recording: its id or its path.")
        var recording: String

        @Option(help: "Only this session's part (its guid or slug).")
        var session: String?

        @Option(help: "vtt, srt or json (Podcasting 2.0 transcript).")
        var format: String = "vtt"

        @Option(help: "The language to export (default: the session's).")
        var language: String?

        @OptionGroup var index: IndexOptions

        func validate() throws {
            guard TranscriptFormat(rawValue: format) != nil else { throw ValidationError("--format must be vtt, srt or json.") }
        }

        func run() throws {
            guard let format = TranscriptFormat(rawValue: format) else { throw ValidationError("--format must be vtt, srt or json.") }
            do {
                if let location = try index.postgres() {
                    print(try PostgresCommand.blocking(location) { [recording, session, language] in
                        try await Self.export(from: $0, recording: recording, session: session, format: format, language: language)
                    }, terminator: "")
                } else {
                    print(try index.open().exportTranscript(recording: recording, session: session, format: format, language: language), terminator: "")
                }
            } catch let error as TranscriptError {
                FileHandle.standardError.write(Data("error: \(error.description)\n".utf8))
                throw ExitCode(1)
            }
        }

        /// The export from the PostgreSQL store: its catalogue read once, the recording's cues
        /// read, and the file made as the SQLite index makes it (`TranscriptWriter.export`).
        static func export(from database: PostgresIndex, recording reference: String, session sessionReference: String?, format: TranscriptFormat,
                           language requested: String?) async throws -> String {
            let snapshot = try await PostgresCatalogue(database: database, roots: MediaRootMap()).read()
            guard let recording = snapshot.recording(idOrPath: reference), let id = recording.id else {
                throw TranscriptError(description: "no recording '\(reference)' in the store (give its id, or its media root and path, as `efterhand links` shows them)")
            }
            let session = try sessionReference.map { name in
                guard let session = snapshot.session(guidOrSlug: name) else { throw TranscriptError(description: "no session '\(name)' in the programme") }
                return (guid: session.guid, asked: name)
            }
            let language = requested.flatMap(LanguageCode.normalize) ?? snapshot.defaultLanguages[id] ?? "und"
            let (cues, spans) = try await database.cues(recordingID: id)
            let transcripts = IndexDatabase.transcripts(segments: snapshot.segments[id] ?? [], cues: cues, spans: spans, defaultLanguage: language)
            return try TranscriptWriter.export(transcripts, recording: recording, language: language, session: session, format: format)
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read a WebVTT or SRT transcript back into the index; --verified marks the segments it covers as verified.",
            discussion: "Verified text is never overwritten by ingest, by a sidecar, or by a later draft."
        )

        @Argument(help: "The recording: its id or its path.")
        var recording: String

        @Argument(help: "The WebVTT or SRT file.")
        var file: String

        @Option(help: "The transcript's language (default: from the file name, else the session's).")
        var language: String?

        @Flag(help: "The text was checked by a person: the stretch from its first cue to its last becomes verified text.")
        var verified = false

        @OptionGroup var index: IndexOptions

        func run() throws {
            if let location = try index.postgres() { return try importIntoStore(location) }
            let database = try index.open()
            do {
                // The recording first, then the file: a wrong id is said before a file's problems.
                _ = try database.transcriptRecording(recording)
                let captions: CaptionFile
                do {
                    captions = try CaptionFile.read(path: file)
                } catch {
                    throw TranscriptError(description: error.description)
                }
                let result = try database.importTranscript(recording: recording, captions: captions, name: file, language: language, verified: verified)
                report(result)
            } catch let error as TranscriptError {
                FileHandle.standardError.write(Data(("error: \(error.description)\n" + error.problems.map { "  \($0)\n" }.joined()).utf8))
                throw ExitCode(1)
            } catch {
                FileHandle.standardError.write(Data("error: the transcript could not be stored: \(database.explain(error))\n".utf8))
                throw ExitCode(1)
            }
        }

        /// The import into the PostgreSQL store: the file read here, checked and stored there
        /// in one transaction (`PostgresIndex.importTranscript`).
        func importIntoStore(_ location: PostgresLocation) throws {
            do {
                let captions: CaptionFile
                do {
                    captions = try CaptionFile.read(path: file)
                } catch {
                    throw TranscriptError(description: error.description)
                }
                report(try PostgresCommand.blocking(location) { [recording, file, language, verified] in
                    try await $0.importTranscript(recording: recording, captions: captions, name: file, language: language, verified: verified)
                })
            } catch let error as TranscriptError {
                FileHandle.standardError.write(Data(("error: \(error.description)\n" + error.problems.map { "  \($0)\n" }.joined()).utf8))
                throw ExitCode(1)
            }
        }

        func report(_ result: TranscriptImport) {
            let span = result.verifiedSpan.map { ", verified \(ProbeReport.timecode($0.lowerBound))–\(ProbeReport.timecode($0.upperBound))"
                + " (\(result.verifiedSegments) segment\(result.verifiedSegments == 1 ? "" : "s") verified whole)" } ?? ""
            print("imported \(result.stored) cues (\(result.language))" + span
                  + (result.skippedVerified > 0 ? "; \(result.skippedVerified) cues inside verified text were left as they were" : ""))
        }
    }
}
