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
    /// Segments with draft text, of which `draftMachine` a speech engine made.
    public var draft: Int
    public var draftMachine = 0
    public var verified: Int
    /// Minutes of the session's recorded part without verified text.
    public var minutesWithoutVerifiedText: Double
    public var minutes: Double
    /// Minutes by state: drafted by a speech engine, drafted from subtitles (streams, sidecars,
    /// unverified imports), verified by a person; the rest has no text.
    public var minutesDraftMachine = 0.0
    public var minutesDraftSubtitles = 0.0
    public var minutesVerified = 0.0
    public var languages: [String]
    /// Where the session's first segment without verified text starts (the staff pages' link
    /// to correct it); nil when every segment is verified.
    public var firstUnchecked: Place?

    /// A second of a recording.
    public struct Place: Sendable, Equatable, Codable {
        public var recordingID: Int64
        public var startSeconds: Double
        enum CodingKeys: String, CodingKey { case recordingID = "recording_id", startSeconds = "start_seconds" }
    }

    enum CodingKeys: String, CodingKey {
        case sessionGuid = "session_guid", title, start, segments, empty, draft, draftMachine = "draft_machine", verified
        case minutesWithoutVerifiedText = "minutes_without_verified_text", minutes, languages, firstUnchecked = "first_unchecked"
        case minutesDraftMachine = "minutes_draft_machine", minutesDraftSubtitles = "minutes_draft_subtitles", minutesVerified = "minutes_verified"
    }

    /// Counts one segment's transcript of `minutes` in.
    mutating func add(_ transcript: TranscriptState, minutes: Double) {
        segments += 1
        self.minutes += minutes
        switch transcript.status {
        case .empty:
            empty += 1
        case .draft where transcript.machine:
            draft += 1
            draftMachine += 1
            minutesDraftMachine += minutes
        case .draft:
            draft += 1
            minutesDraftSubtitles += minutes
        case .verified:
            verified += 1
            minutesVerified += minutes
        }
        if transcript.status != .verified { minutesWithoutVerifiedText += minutes }
    }

    /// Minutes rounded to a tenth, as the report shows them.
    mutating func round() {
        for path in [\CaptionCoverage.minutes, \.minutesWithoutVerifiedText, \.minutesDraftMachine, \.minutesDraftSubtitles, \.minutesVerified] {
            self[keyPath: path] = (self[keyPath: path] * 10).rounded() / 10
        }
    }
}

/// Export formats for captioners.
public enum TranscriptFormat: String, Sendable, CaseIterable {
    case vtt, srt, json
}

/// Segment transcripts as a file, for a captioner's export and for players alike. A segment
/// without text gets a stub cue spanning it (in WebVTT after a `NOTE` that `emptyNote` words);
/// machine drafts are marked: in WebVTT by a `NOTE` before the segment's cues naming the
/// engine, in the JSON transcript by `"machineGenerated": true` on each such cue. SubRip has
/// no place for either. `jsonStubs` false leaves the stubs out of the JSON transcript.
public enum TranscriptWriter {
    public static func render(_ transcripts: [SegmentTranscript], format: TranscriptFormat, jsonStubs: Bool = true,
                              emptyNote: (Segment) -> String) throws -> Data {
        switch format {
        case .vtt:
            var blocks: [WebVTT.Block] = []
            for transcript in transcripts {
                if transcript.cues.isEmpty {
                    blocks.append(.note(emptyNote(transcript.segment)))
                    blocks.append(.cue(stub(transcript.segment)))
                    continue
                }
                if let engine = transcript.machineSource {
                    blocks.append(.note("machine-generated draft (\(engine)), not checked by a person"))
                }
                blocks += transcript.cues.map { .cue($0) }
            }
            return Data(WebVTT.write(blocks).utf8)
        case .srt:
            return Data(SRT.write(transcripts.flatMap { $0.cues.isEmpty ? [stub($0.segment)] : $0.cues }).utf8)
        case .json:
            let stubbed = jsonStubs ? 1 : 0
            let cues = transcripts.flatMap { $0.cues.isEmpty ? Array(repeating: stub($0.segment), count: stubbed) : $0.cues }
            let machine = transcripts.flatMap { transcript in
                transcript.cues.isEmpty ? Array(repeating: false, count: stubbed) : transcript.cues.indices.map { transcript.isMachine($0) }
            }
            return try PodcastTranscript.json(cues, machine: machine)
        }
    }

    /// A captioner's file (`efterhand transcript export`): the transcripts in `language` (of one
    /// session's part, `session`: its guid and the name it was asked by), a stub cue with a note
    /// naming the segment where there is no text yet. The same from both stores.
    public static func export(_ transcripts: [SegmentTranscript], recording: StoredRecording, language: String, session: (guid: String, asked: String)?,
                              format: TranscriptFormat) throws -> String {
        let chosen = transcripts.filter { $0.language == language && (session == nil || $0.segment.sessionGuid == session?.guid) }
        guard !chosen.isEmpty else {
            throw TranscriptError(description: session.map { "recording '\(recording.path)' holds no part of session '\($0.asked)'" }
                                  ?? "recording '\(recording.path)' has no segments (it is not linked to a session)")
        }
        return String(decoding: try render(chosen, format: format, jsonStubs: false) { segment in
            "segment \(segment.position + 1) \"\(segment.title)\" (\(segment.sessionGuid)): not transcribed yet, write the text in the cue below"
        }, as: UTF8.self)
    }

    /// A cue that spans `segment` with no text: where a captioner writes.
    public static func stub(_ segment: Segment) -> Cue {
        Cue(start: segment.startSeconds, end: segment.endSeconds, text: "")
    }
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
        return try TranscriptWriter.export(try transcripts(recordingID: id, defaultLanguage: language), recording: recording, language: language,
                                           session: guid.map { ($0, sessionReference ?? $0) }, format: format)
    }

    /// Stores a captioner's WebVTT or SRT, parsed by the caller (`CaptionFile.read` for a file,
    /// `CaptionFile.parse` for an upload) and named by `name` (its file name, which may give its
    /// language: `talk.sv.vtt`): validated (times inside the recording, in order, no overlaps
    /// beyond half a second) and stored; with `verified`, the stretch from its first cue to its
    /// last becomes verified text. Nothing is stored when the file has a problem.
    public func importTranscript(recording reference: String, captions file: CaptionFile, name path: String, language requested: String? = nil,
                                 verified: Bool) throws -> TranscriptImport {
        let (recording, id) = try transcriptRecording(reference)
        let fallback = try defaultLanguage(recordingID: id, probeLanguage: recording.probe?.streams.first { $0.kind == .audio }?.language)
        let (language, cues, span) = try Self.imported(file, name: path, language: requested, duration: recording.duration, defaultLanguage: fallback)
        guard let span else { return TranscriptImport(stored: 0, skippedVerified: 0, language: language, verifiedSegments: 0, verifiedSpan: nil) }
        let result = try importTranscript(recordingID: id, cues: cues, language: language, source: "import:" + (path as NSString).lastPathComponent,
                                          verified: verified, span: span)
        let whole = verified ? try transcripts(recordingID: id, defaultLanguage: language).filter { $0.language == language && $0.status == .verified }.count : 0
        return TranscriptImport(stored: result.stored, skippedVerified: result.skipped, language: language, verifiedSegments: whole,
                                verifiedSpan: verified ? span : nil)
    }

    /// What a captioner's file brings, checked as both stores check it: its problems (times
    /// outside the recording, out of order, overlapping) stop it with a `TranscriptError`; its
    /// language is the one asked for, else the one its name gives (`talk.sv.vtt`), else
    /// `defaultLanguage`; its cues with text; and the stretch it speaks for, from its first cue
    /// to its last, empty cues included (a captioner's way of saying "nothing is said here"),
    /// nil when it has no cues.
    public static func imported(_ file: CaptionFile, name path: String, language requested: String?, duration: Double?,
                                defaultLanguage: String) throws -> (language: String, cues: [Cue], span: ClosedRange<Double>?) {
        let problems = file.validate(duration: duration)
        guard problems.isEmpty else {
            throw TranscriptError(description: "'\(path)' was not imported: \(problems.count) problem\(problems.count == 1 ? "" : "s")",
                                  problems: problems.map(\.description))
        }
        let parts = (path as NSString).lastPathComponent.split(separator: ".")
        let nameLanguage = parts.count >= 3 && (2...3).contains(parts[parts.count - 2].count) && parts[parts.count - 2].allSatisfy(\.isLetter)
            ? String(parts[parts.count - 2]) : nil
        let language = LanguageCode.normalize(requested) ?? LanguageCode.normalize(nameLanguage) ?? defaultLanguage
        let cues = file.cues.filter { !$0.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
        guard let first = file.cues.map(\.start).min(), let last = file.cues.map(\.end).max(), first <= last else { return (language, cues, nil) }
        return (language, cues, first...last)
    }

    /// Stores the cues a person corrected beside the player (the staff pages' "Klar") as
    /// verified text of `language` over exactly `span`, the stretch they checked: the cues there
    /// are replaced by `cues`, and no later draft (subtitles, sidecar, speech-to-text) lands in
    /// it. Validated like an imported file (inside the recording, in order, no overlaps beyond
    /// half a second, inside `span`); nothing is stored when a cue has a problem. The audit log
    /// keeps `who`, the cues before and after, and the session `sessionGuid` they belong to.
    public func correctTranscript(recordingID id: Int64, cues: [Cue], language requested: String, span: ClosedRange<Double>,
                                  sessionGuid: String?, by who: String) throws -> TranscriptImport {
        let (recording, _) = try transcriptRecording(String(id))
        let (language, kept) = try Self.checkedCorrection(cues, language: requested, span: span, duration: recording.duration)
        let before = try self.cues(recordingID: id).filter { $0.language == language && $0.cue.start < span.upperBound && $0.cue.end > span.lowerBound }
        let result = try importTranscript(recordingID: id, cues: kept, language: language, source: who,
                                          verified: true, span: span)
        func state(_ cues: [Cue]) throws -> String { try Self.correctionState(language: language, span: span, cues: cues) }
        try recordAudit(AuditEntry(who: who, action: "transcript", fingerprint: recording.fingerprint, recordingPath: recording.path,
                                   sessionGuid: sessionGuid, before: try state(before.map(\.cue)), after: try state(kept)))
        let whole = try transcripts(recordingID: id, defaultLanguage: language).filter { $0.language == language && $0.status == .verified }.count
        return TranscriptImport(stored: result.stored, skippedVerified: result.skipped, language: language, verifiedSegments: whole, verifiedSpan: span)
    }

    /// A person's corrected cues as both stores take them: the language as a code, the cues
    /// with text, each inside the recording (`duration`) and the checked stretch `span`, in
    /// order, overlapping by at most half a second; else a `TranscriptError` naming each problem.
    public static func checkedCorrection(_ cues: [Cue], language requested: String, span: ClosedRange<Double>,
                                         duration: Double?) throws -> (language: String, cues: [Cue]) {
        guard let language = LanguageCode.normalize(requested) else {
            throw TranscriptError(description: "'\(requested)' is not a language code (sv, en, ...)")
        }
        guard span.lowerBound.isFinite, span.upperBound.isFinite, span.lowerBound >= 0, duration.map({ span.upperBound <= $0 + 1 }) ?? true else {
            throw TranscriptError(description: "the checked stretch \(ClockText.position(span.lowerBound))–\(ClockText.position(span.upperBound)) is not inside the recording")
        }
        let kept = cues.filter { !$0.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
        let file = CaptionFile(file: "cue", format: .webVTT, entries: kept.enumerated().map { CaptionFile.Entry(cue: $0.element, line: $0.offset + 1) })
        var problems = file.validate(duration: duration).map(\.description)
        for (index, cue) in kept.enumerated() where cue.start < span.lowerBound - 0.0015 || cue.end > span.upperBound + 0.0015 {
            problems.append("cue \(index + 1) (\(ClockText.position(cue.start))–\(ClockText.position(cue.end))) is outside the checked stretch \(ClockText.position(span.lowerBound))–\(ClockText.position(span.upperBound))")
        }
        guard problems.isEmpty else {
            throw TranscriptError(description: "the transcript was not saved: \(problems.count) problem\(problems.count == 1 ? "" : "s")", problems: problems)
        }
        return (language, kept)
    }

    /// A corrected stretch as the audit log keeps it, before or after.
    public static func correctionState(language: String, span: ClosedRange<Double>, cues: [Cue]) throws -> String {
        struct State: Encodable {
            var language: String
            var from: Double
            var to: Double
            var cues: [Cue]
        }
        return try JSONText.encode(State(language: language, from: span.lowerBound, to: span.upperBound, cues: cues))
    }

    /// Caption coverage per published session (see `IndexSnapshot.captionCoverage()`).
    public func captionCoverage() throws -> [CaptionCoverage] {
        try snapshot().captionCoverage()
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
