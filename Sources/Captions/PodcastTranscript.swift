import Foundation

/// The Podcasting 2.0 JSON transcript (`application/json`, podcast namespace):
/// `{"version": "1.0.0", "segments": [{"speaker", "startTime", "endTime", "body"}]}`.
public enum PodcastTranscript {
    /// The version this writes and expects.
    public static let version = "1.0.0"

    /// One segment as the JSON has it.
    struct Segment: Codable {
        var speaker: String?
        var startTime: Double
        var endTime: Double
        var body: String
        /// efterhand's addition, left out when false: the text is a speech engine's draft that
        /// no person has checked. Readers of the podcast format ignore keys they do not know.
        var machineGenerated: Bool?

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encodeIfPresent(speaker, forKey: .speaker)
            try container.encode(startTime, forKey: .startTime)
            try container.encode(endTime, forKey: .endTime)
            try container.encode(body, forKey: .body)
            if machineGenerated == true { try container.encode(true, forKey: .machineGenerated) }
        }
    }

    struct Document: Codable {
        var version: String
        var segments: [Segment]
    }

    /// The transcript of `cues` as JSON, segments in the order given, times rounded to the
    /// millisecond, `speaker` left out where there is none, keys sorted so output is stable.
    /// `machine[i]` true marks cue `i` as a machine draft (`"machineGenerated": true`).
    public static func json(_ cues: [Cue], machine: [Bool] = []) throws -> Data {
        let segments = cues.enumerated().map { index, cue in
            let start = CaptionText.millisecond(cue.start)
            let speaker = cue.speaker.flatMap { $0.isEmpty ? nil : $0 }
            return Segment(speaker: speaker, startTime: start, endTime: max(start, CaptionText.millisecond(cue.end)), body: cue.text,
                           machineGenerated: machine.indices.contains(index) && machine[index] ? true : nil)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(Document(version: version, segments: segments))
    }

    /// Reads a JSON transcript back into cues. A document that is not the transcript shape
    /// throws a `CaptionError` naming the file.
    public static func cues(from data: Data, file: String) throws(CaptionError) -> [Cue] {
        do {
            let document = try JSONDecoder().decode(Document.self, from: data)
            return document.segments.map { Cue(start: $0.startTime, end: $0.endTime, text: $0.body, speaker: $0.speaker) }
        } catch {
            throw CaptionError(code: .malformedJSON, file: file, reason: "not a JSON transcript {\"version\", \"segments\": [...]} (\(error))")
        }
    }
}
