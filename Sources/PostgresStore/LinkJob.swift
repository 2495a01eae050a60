import Foundation
import IndexStore

/// The `link` job: the whole store linked again (`PostgresIndex.relink`), after probes changed
/// recordings or a programme was stored. One waits at a time (its key is the store's); it is
/// claimed only when no probe job waits or runs, so that it links what they found; a new one may
/// wait while another runs, and the link lock makes them take turns.
public struct LinkJob: Codable, Sendable, Equatable {
    public static let kind = "link"

    /// Length of even segments for long sessions without chapters (`ingest --segment-minutes`).
    public var segmentMinutes: Double

    enum CodingKeys: String, CodingKey { case segmentMinutes = "segment_minutes" }

    public static func request(segmentMinutes: Double = 5) -> JobRequest {
        JobRequest(kind: kind, key: "store", mediaRoot: nil, payload: (try? JSONText.encode(LinkJob(segmentMinutes: segmentMinutes))) ?? "{}")
    }

    /// The job's details; a payload from elsewhere that says nothing usable links with the default.
    static func decode(_ job: ClaimedJob) -> LinkJob {
        let decoded = try? JSONDecoder().decode(LinkJob.self, from: Data(job.payload.utf8))
        return decoded.flatMap { $0.segmentMinutes.isFinite && $0.segmentMinutes >= 1 && $0.segmentMinutes <= 600 ? $0 : nil } ?? LinkJob(segmentMinutes: 5)
    }
}
