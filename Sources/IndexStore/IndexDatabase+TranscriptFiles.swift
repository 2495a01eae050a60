import Captions
import Foundation
import Schedule

/// Why a transcript could not be exported or imported; names the file and line where it can.
public struct TranscriptError: Error, CustomStringConvertible {
    public var description: String
    public var problems: [String] = []

    public init(description: String, problems: [String] = []) {
        self.description = description
        self.problems = problems
    }
}

/// What an import stored.
public struct TranscriptImport: Sendable, Equatable {
    public var stored: Int
    public var skippedVerified: Int
    public var language: String
    /// Segments that verified text now covers whole (by this import and earlier ones).
    public var verifiedSegments: Int
    /// The stretch of the recording this import verified (its first cue's start to its last
    /// cue's end), nil for a draft import or a file without cues.
    public var verifiedSpan: ClosedRange<Double>?

    public init(stored: Int, skippedVerified: Int, language: String, verifiedSegments: Int, verifiedSpan: ClosedRange<Double>?) {
        self.stored = stored
        self.skippedVerified = skippedVerified
        self.language = language
        self.verifiedSegments = verifiedSegments
        self.verifiedSpan = verifiedSpan
    }
}

/// One session's caption state, for the caption-coverage report.
public struct CaptionCoverage: Sendable, Equatable, Codable {
    public var sessionGuid: String
    public var title: String
    public var start: Date
    public var segments: Int
    public var empty: Int
    public var draft: Int
    public var verified: Int
    /// Minutes of the session's recorded part without verified text.
    public var minutesWithoutVerifiedText: Double
    public var minutes: Double
    public var languages: [String]

    enum CodingKeys: String, CodingKey {
        case sessionGuid = "session_guid", title, start, segments, empty, draft, verified
        case minutesWithoutVerifiedText = "minutes_without_verified_text", minutes, languages
    }
}

/// Export formats for captioners.
public enum TranscriptFormat: String, Sendable, CaseIterable {
    case vtt, srt, json
}

extension IndexDatabase {
    /// The transcript of a recording (or of one session's part of it) for a captioner: cues
    /// where there are some; for a segment without any, a cue spanning it with an empty payload
    /// and (in WebVTT) a `NOTE` naming the segment, to be filled in. Times are recording times.
    public func exportTranscript(recording reference: String, session sessionReference: String? = nil, format: TranscriptFormat,
                                 language requested: String? = nil) throws -> String {
        let (recording, id) = try transcriptRecording(reference)
        var guid: String? = nil
        if let sessionReference {
            guard let session = try session(guidOrSlug: sessionReference) else { throw TranscriptError(description: "no session '\(sessionReference)' in the programme") }
            guid = session.guid
        }
        let language = try requested.flatMap(LanguageCode.normalize) ?? defaultLanguage(recordingID: id, probeLanguage: recording.probe?.streams.first { $0.kind == .audio }?.language)
        let transcripts = try transcripts(recordingID: id, defaultLanguage: language)
            .filter { $0.language == language && (guid == nil || $0.segment.sessionGuid == guid) }
        guard !transcripts.isEmpty else {
            throw TranscriptError(description: guid == nil ? "recording '\(recording.path)' has no segments (it is not linked to a session)"
                                                           : "recording '\(recording.path)' holds no part of session '\(sessionReference!)'")
        }
        switch format {
        case .vtt:
            var blocks: [WebVTT.Block] = []
            for transcript in transcripts {
                if transcript.cues.isEmpty {
                    blocks.append(.note("segment \(transcript.segment.position + 1) \"\(transcript.segment.title)\" (\(transcript.segment.sessionGuid)): not transcribed yet, write the text in the cue below"))
                    blocks.append(.cue(Cue(start: transcript.segment.startSeconds, end: transcript.segment.endSeconds, text: "")))
                } else {
                    blocks += transcript.cues.map { .cue($0) }
                }
            }
            return WebVTT.write(blocks)
        case .srt:
            return SRT.write(transcripts.flatMap { $0.cues.isEmpty ? [Cue(start: $0.segment.startSeconds, end: $0.segment.endSeconds, text: "")] : $0.cues })
        case .json:
            return String(decoding: try PodcastTranscript.json(transcripts.flatMap(\.cues)), as: UTF8.self)
        }
    }

    /// Stores a captioner's WebVTT or SRT, parsed by the caller (`CaptionFile.read` for a file,
    /// `CaptionFile.parse` for an upload) and named by `name` (its file name, which may give its
    /// language: `talk.sv.vtt`): validated (times inside the recording, in order, no overlaps
    /// beyond half a second) and stored; with `verified`, the stretch from its first cue to its
    /// last becomes verified text. Nothing is stored when the file has a problem.
    public func importTranscript(recording reference: String, captions file: CaptionFile, name path: String, language requested: String? = nil,
                                 verified: Bool) throws -> TranscriptImport {
        let (recording, id) = try transcriptRecording(reference)
        let problems = file.validate(duration: recording.duration)
        guard problems.isEmpty else {
            throw TranscriptError(description: "'\(path)' was not imported: \(problems.count) problem\(problems.count == 1 ? "" : "s")",
                                  problems: problems.map(\.description))
        }
        // `talk.sv.vtt` names its language.
        let parts = (path as NSString).lastPathComponent.split(separator: ".")
        let nameLanguage = parts.count >= 3 && (2...3).contains(parts[parts.count - 2].count) && parts[parts.count - 2].allSatisfy(\.isLetter)
            ? String(parts[parts.count - 2]) : nil
        let language = try LanguageCode.normalize(requested) ?? LanguageCode.normalize(nameLanguage)
            ?? defaultLanguage(recordingID: id, probeLanguage: recording.probe?.streams.first { $0.kind == .audio }?.language)
        let cues = file.cues.filter { !$0.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
        // The file speaks for the stretch from its first cue to its last, empty cues included
        // (a captioner's way of saying "nothing is said here").
        guard let first = file.cues.map(\.start).min(), let last = file.cues.map(\.end).max(), first <= last else {
            return TranscriptImport(stored: 0, skippedVerified: 0, language: language, verifiedSegments: 0, verifiedSpan: nil)
        }
        let result = try importTranscript(recordingID: id, cues: cues, language: language, source: "import:" + (path as NSString).lastPathComponent,
                                          verified: verified, span: first...last)
        let whole = verified ? try transcripts(recordingID: id, defaultLanguage: language).filter { $0.language == language && $0.status == .verified }.count : 0
        return TranscriptImport(stored: result.stored, skippedVerified: result.skipped, language: language, verifiedSegments: whole,
                                verifiedSpan: verified ? first...last : nil)
    }

    /// Per published session (linked, not opted out): its segments' transcript states in the
    /// session's language, the minutes without verified text and the languages present;
    /// what is most missing first.
    public func captionCoverage() throws -> [CaptionCoverage] {
        let sessions = Dictionary(try self.sessions().map { ($0.guid, $0) }, uniquingKeysWith: { a, _ in a })
        var bySession: [String: CaptionCoverage] = [:]
        for recording in try recordings(includeMissing: false) where recording.state == .ok && recording.linkStatus == .linked {
            guard let id = recording.id else { continue }
            let fallback = try defaultLanguage(recordingID: id, probeLanguage: recording.probe?.streams.first { $0.kind == .audio }?.language)
            let transcripts = try transcripts(recordingID: id, defaultLanguage: fallback)
            for transcript in transcripts {
                guard let session = sessions[transcript.segment.sessionGuid], !session.doNotRecord else { continue }
                var entry = bySession[session.guid] ?? CaptionCoverage(sessionGuid: session.guid, title: session.title, start: session.start, segments: 0,
                                                                       empty: 0, draft: 0, verified: 0, minutesWithoutVerifiedText: 0, minutes: 0, languages: [])
                if transcript.status != .empty && !entry.languages.contains(transcript.language) { entry.languages.append(transcript.language) }
                let wanted = LanguageCode.normalize(session.language) ?? fallback
                if transcript.language == wanted || (transcripts.allSatisfy { $0.language != wanted } && transcript.language == transcripts.first?.language) {
                    let minutes = (transcript.segment.endSeconds - transcript.segment.startSeconds) / 60
                    entry.segments += 1
                    entry.minutes += minutes
                    switch transcript.status {
                    case .empty: entry.empty += 1
                    case .draft: entry.draft += 1
                    case .verified: entry.verified += 1
                    }
                    if transcript.status != .verified { entry.minutesWithoutVerifiedText += minutes }
                }
                bySession[session.guid] = entry
            }
        }
        return bySession.values.map { entry in
            var entry = entry
            entry.languages.sort()
            entry.minutes = (entry.minutes * 10).rounded() / 10
            entry.minutesWithoutVerifiedText = (entry.minutesWithoutVerifiedText * 10).rounded() / 10
            return entry
        }.sorted { ($0.minutesWithoutVerifiedText, $1.start) > ($1.minutesWithoutVerifiedText, $0.start) }
    }

    /// The recording a transcript is for, by id or path; a `TranscriptError` that says how to
    /// name one when there is none.
    public func transcriptRecording(_ reference: String) throws -> (StoredRecording, Int64) {
        guard let recording = try recording(idOrPath: reference), let id = recording.id else {
            throw TranscriptError(description: "no recording '\(reference)' in the index (give its id or path, as `efterhand links` shows them)")
        }
        return (recording, id)
    }

    /// The language of the session the recording is linked to, else its audio's, else `und`.
    func defaultLanguage(recordingID: Int64, probeLanguage: String?) throws -> String {
        let links = try self.links()[recordingID] ?? []
        for link in links where link.kind == .link {
            if let language = LanguageCode.normalize(try session(guidOrSlug: link.sessionGuid)?.language) { return language }
        }
        return LanguageCode.normalize(probeLanguage) ?? "und"
    }
}
