import Captions
import Foundation
import GRDB

/// The stretches of a recording a speech engine listened to so that the linker could weigh
/// what is said (its first minutes, a minute at each candidate's in point), with what they were
/// heard from: the file, the engine and the language. Kept as the signature of the caption
/// source `ListenedSpans.key`; the cues themselves are machine drafts like any other, so a
/// later transcription of the linked talk reuses them instead of transcribing them again.
public struct ListenedSpans: Sendable, Equatable {
    /// The caption source under which listening is kept.
    public static let key = "asr@listen"

    public var fingerprint: String
    /// The engine's source (`asr:command:whisper-base`).
    public var source: String
    /// The language heard (`sv`), or `und` when neither asked nor detected.
    public var language: String
    /// Merged, in order.
    public private(set) var spans: [ClosedRange<Double>]
    /// The digest (`ListenedSpans.digest`) of the prompt the spans were last heard with, the
    /// second time, or empty when they were heard without one only.
    public var prompt: String

    public init(fingerprint: String, source: String, language: String, spans: [ClosedRange<Double>], prompt: String = "") {
        self.fingerprint = fingerprint
        self.source = source
        self.language = language
        self.spans = Self.merged(spans)
        self.prompt = prompt
    }

    /// `fingerprint|source|language|0.000-180.000 1500.000-1560.000|prompt digest`.
    public var signature: String {
        let stretches = spans.map { String(format: "%.3f-%.3f", $0.lowerBound, $0.upperBound) }.joined(separator: " ")
        return [fingerprint, source, language, stretches, prompt].joined(separator: "|")
    }

    /// A short digest of a prompt, to tell whether the spans were heard with it.
    public static func digest(_ prompt: String) -> String {
        String(format: "%016llx", FNV1a.hash(Data(prompt.utf8)))
    }

    /// The spans a signature names; nil for a signature that is not one (an older index's).
    /// A signature of four fields was written before prompts: heard without one.
    public init?(signature: String) {
        let fields = signature.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard fields.count == 4 || fields.count == 5 else { return nil }
        var spans: [ClosedRange<Double>] = []
        for stretch in fields[3].split(separator: " ") {
            let ends = stretch.split(separator: "-").compactMap { Double($0) }
            guard ends.count == 2, ends[0].isFinite, ends[1].isFinite, ends[0] <= ends[1] else { return nil }
            spans.append(ends[0]...ends[1])
        }
        self.init(fingerprint: fields[0], source: fields[1], language: fields[2], spans: spans, prompt: fields.count == 5 ? fields[4] : "")
    }

    /// These spans and `more`, merged. New spans are heard without a prompt, so the prompt
    /// heard with before no longer covers them all.
    public func adding(_ more: [ClosedRange<Double>]) -> ListenedSpans {
        ListenedSpans(fingerprint: fingerprint, source: source, language: language, spans: spans + more)
    }

    /// The parts of `wanted` that no span covers (pieces shorter than a second are covered).
    public func missing(from wanted: ClosedRange<Double>) -> [ClosedRange<Double>] {
        Self.subtract(spans, from: wanted)
    }

    /// Whether `time` lies in a span.
    public func contains(_ time: Double) -> Bool {
        spans.contains { $0.contains(time) }
    }

    /// Overlapping or touching ranges joined, in order.
    public static func merged(_ ranges: [ClosedRange<Double>]) -> [ClosedRange<Double>] {
        var out: [ClosedRange<Double>] = []
        for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = out.last, range.lowerBound <= last.upperBound {
                out[out.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
            } else {
                out.append(range)
            }
        }
        return out
    }

    /// `wanted` less `covered`, leaving out pieces shorter than `shortest` seconds.
    public static func subtract(_ covered: [ClosedRange<Double>], from wanted: ClosedRange<Double>, shortest: Double = 1) -> [ClosedRange<Double>] {
        var pieces: [ClosedRange<Double>] = []
        var from = wanted.lowerBound
        for span in merged(covered) where span.upperBound > from && span.lowerBound < wanted.upperBound {
            if span.lowerBound - from >= shortest { pieces.append(from...span.lowerBound) }
            from = max(from, span.upperBound)
        }
        if wanted.upperBound - from >= shortest { pieces.append(from...wanted.upperBound) }
        return pieces
    }
}

extension IndexDatabase {
    /// What was listened to in each recording, for the linker and the transcriber.
    public func listenedSpans() throws -> [Int64: ListenedSpans] {
        try writer.read { db in
            var listened: [Int64: ListenedSpans] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT recording_id, signature FROM caption_source WHERE source = ?", arguments: [ListenedSpans.key]) {
                if let spans = ListenedSpans(signature: row["signature"]) { listened[row["recording_id"]] = spans }
            }
            return listened
        }
    }

    /// What was said in the listened spans of each recording that has them, by time: the
    /// cues of any source and language that start in them.
    public func heardCues() throws -> [Int64: [Cue]] {
        var heard: [Int64: [Cue]] = [:]
        for (id, listened) in try listenedSpans() {
            let cues = try cues(recordingID: id).map(\.cue).filter { listened.contains($0.start) }
            if !cues.isEmpty { heard[id] = cues.sorted { $0.start < $1.start } }
        }
        return heard
    }
}
