import Captions
import Foundation
import GRDB

/// A segment with the text of its transcript (every language, drafts and verified text alike),
/// for naming segments by what is said in them.
public struct SegmentText: Sendable, Equatable {
    public var segment: Segment
    public var text: String

    /// Each recording's segments (by recording id, in time order) with the text of the cues
    /// that lie mostly in each (cues by recording id, in time order), in recording order.
    public static func assign(segments: [Int64: [Segment]], cues: [Int64: [Cue]]) -> [SegmentText] {
        var texts: [SegmentText] = []
        for (id, mine) in segments.sorted(by: { $0.key < $1.key }) {
            let assigned = IndexDatabase.bySegment(cues[id] ?? [], among: mine) { $0 }
            texts += mine.map { SegmentText(segment: $0, text: (assigned[$0.startSeconds] ?? []).map(\.text).joined(separator: " ")) }
        }
        return texts
    }
}

extension IndexDatabase {
    // MARK: - Reads

    /// Every segment of a present recording with the text of the cues assigned to it (as
    /// `transcripts(recordingID:defaultLanguage:)` assigns them), in recording then time order.
    public func segmentTexts() throws -> [SegmentText] {
        try writer.read { db in
            var segments: [Int64: [Segment]] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT segment.* FROM segment JOIN recording ON recording.id = segment.recording_id
                WHERE recording.state = 'ok' ORDER BY segment.recording_id, segment.start_seconds, segment.position
                """) {
                segments[row["recording_id"], default: []].append(try Self.segment(row))
            }
            var cues: [Int64: [Cue]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT recording_id, start_seconds, end_seconds, text FROM cue ORDER BY recording_id, start_seconds, id") {
                cues[row["recording_id"], default: []].append(Cue(start: row["start_seconds"], end: row["end_seconds"], text: row["text"]))
            }
            return SegmentText.assign(segments: segments, cues: cues)
        }
    }

    // MARK: - Writes

    /// Sets the titles of segments by id, in one transaction, and brings the search rows of
    /// their recordings up to date. Ids that are gone are passed over.
    public func renameSegments(_ titles: [Int64: String]) throws {
        guard !titles.isEmpty else { return }
        try writer.write { db in
            var recordings: Set<Int64> = []
            for (id, title) in titles {
                try db.execute(sql: "UPDATE segment SET title = ? WHERE id = ?", arguments: [title, id])
                if db.changesCount > 0, let recording = try Int64.fetchOne(db, sql: "SELECT recording_id FROM segment WHERE id = ?", arguments: [id]) {
                    recordings.insert(recording)
                }
            }
            for recording in recordings { try Self.refreshSearch(recordingID: recording, db: db) }
        }
    }
}
