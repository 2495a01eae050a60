import ArgumentParser
import Captions
import Foundation
import IndexStore

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
            let database = try index.open()
            do {
                print(try database.exportTranscript(recording: recording, session: session, format: TranscriptFormat(rawValue: format)!, language: language),
                      terminator: "")
            } catch let error as TranscriptError {
                FileHandle.standardError.write(Data("error: \(error.description)\n".utf8))
                throw ExitCode(1)
            }
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
                let span = result.verifiedSpan.map { ", verified \(ProbeReport.timecode($0.lowerBound))–\(ProbeReport.timecode($0.upperBound))"
                    + " (\(result.verifiedSegments) segment\(result.verifiedSegments == 1 ? "" : "s") verified whole)" } ?? ""
                print("imported \(result.stored) cues (\(result.language))" + span
                      + (result.skippedVerified > 0 ? "; \(result.skippedVerified) cues inside verified text were left as they were" : ""))
            } catch let error as TranscriptError {
                FileHandle.standardError.write(Data(("error: \(error.description)\n" + error.problems.map { "  \($0)\n" }.joined()).utf8))
                throw ExitCode(1)
            } catch {
                FileHandle.standardError.write(Data("error: the transcript could not be stored: \(database.explain(error))\n".utf8))
                throw ExitCode(1)
            }
        }
    }
}
