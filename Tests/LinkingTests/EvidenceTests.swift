import Foundation
import Testing
@testable import Linking

/// The reason lines are rendered from typed evidence; each must read exactly as the linker
/// wrote it before evidence was typed, so `links --json` and the index stay byte-identical.
@Suite("Evidence renders today's reason lines")
struct EvidenceTests {
    static let lines: [(Evidence, String)] = [
        (.sessionGuid(in: .tag("comment")), "session guid in comment tag"),
        (.sessionGuid(in: .fileName), "session guid in the file name"),
        (.sessionSlug("iv21-101-oppna-data", in: .tag("description")), "session slug iv21-101-oppna-data in description tag"),
        (.sessionSlug("iv21-101-oppna-data", in: .fileName), "session slug iv21-101-oppna-data in the file name"),
        (.sessionID("101", tag: "talk_id"), "session id 101 in talk_id tag"),
        (.window(recording: "recording 12:58–13:45 (file name)", coverage: 0.96, inSlot: 0.5, slot: "13:00–13:45"),
         "recording 12:58–13:45 (file name) covers 96% of the slot 13:00–13:45"),
        (.window(recording: "recording 12:58–13:45 (file name)", coverage: 0.5, inSlot: 0.835, slot: "13:00–14:30"),
         "recording 12:58–13:45 (file name) covers 50% of the slot 13:00–14:30, 84% of the recording lies in it"),
        (.clockLocalAsUTC(written: "2021-10-06T12:58:00Z"),
         "creation_time 2021-10-06T12:58:00Z read as local time written as UTC (camera clock off by exactly the zone's offset)"),
        (.windowOutsideSlot(recording: "recording 09:00–09:45 (creation_time tag)", slot: "13:00–13:45", day: "2021-10-06"),
         "recording 09:00–09:45 (creation_time tag) does not overlap the slot 13:00–13:45 on 2021-10-06"),
        (.room("Sal A", source: .folder("sal-a")), "room Sal A (folder sal-a)"),
        (.room("Sal A", source: .tag("location")), "room Sal A (location tag)"),
        (.room("Sal A", source: .fileName), "room Sal A (file name)"),
        (.otherRoom("Sal B", source: .folder("sal-b"), session: "Sal A"), "recording is from room Sal B (folder sal-b), the session is in Sal A"),
        (.text(.titleTag("Öppna data"), share: 1), "title tag \"Öppna data\" matches the session title (100%)"),
        (.text(.tagText, share: 0.456), "tag text matches the session title (46%)"),
        (.text(.fileName, share: 0.5), "file name matches the session title (50%)"),
        (.text(.chapter("Öppna data"), share: 0.8), "chapter \"Öppna data\" matches the session title (80%)"),
        (.speaker("Gunilla Gudmunds"), "speaker Gunilla Gudmunds named in the recording's title or tags"),
        (.titleNamesAnother("Robotar i hemtjänsten"), "the title tag matches another session better: \"Robotar i hemtjänsten\""),
        (.muchShorter(recording: 300, slot: 2700), "recording (5 min) is much shorter than the slot (45 min)"),
        (.optedOut, "session opted out of recording: linked for staff, never published"),
        (.lengthFitsSlot(day: "2021-10-06", slot: "14:00–14:45", slotLength: 2700, recordingLength: 2880),
         "the slot 2021-10-06 14:00–14:45 (45 min) fits the recording's length (48 min)"),
        (.chapterInOut("Öppna data", from: 120, to: 2820), "in and out from chapter \"Öppna data\" (0:02:00–0:47:00)"),
        (.inPointSnapped(125), "in point moved to the chapter boundary at 0:02:05"),
        (.outPointSnapped(3725), "out point moved to the chapter boundary at 1:02:05"),
        (.doubtClockReading(otherTitle: "Öppna data"),
         "doubtful: the creation_time tag fits \"Öppna data\" as well if the camera wrote local time as UTC"),
        (.doubtRivals(count: 1), "doubtful: 1 other session at the same time scores nearly as well"),
        (.doubtRivals(count: 2), "doubtful: 2 other sessions at the same time score nearly as well"),
        (.duplicateOf(path: "rec/sal-a/a.mkv", score: 0.876), "another recording, rec/sal-a/a.mkv, matches this session as well (score 0.88)"),
        (.noRecordingLinked, "no recording is linked to this session"),
        (.doubtRoomAndLengthOnly, "doubtful: only the room and the length to go by"),
        (.part(2, of: 3, with: ["a.mkv", "c.mkv"]), "part 2 of 3 of this session (with a.mkv, c.mkv)"),
        (.restAfterParts(["a.mkv", "b.mkv"]), "the rest of this session after the part recorded in a.mkv, b.mkv"),
        (.othersTaken([Evidence.Taken(title: "Öppna data", path: "a.mkv"), Evidence.Taken(title: "Robotar", path: "b.mkv")]),
         "the other close candidates are recorded at the same time by linked recordings: \"Öppna data\" by a.mkv; \"Robotar\" by b.mkv"),
        (.stored("accepted by hand 2021-10-07T10:00:00Z"), "accepted by hand 2021-10-07T10:00:00Z"),
    ]

    @Test("each kind of evidence renders its line", arguments: Self.lines)
    func renders(evidence: Evidence, line: String) {
        #expect(evidence.line == line)
    }

    @Test("doubts are the three doubtful kinds, and a stored line is never one")
    func doubts() {
        let doubts = Self.lines.map { $0.0 }.filter(\.isDoubt)
        #expect(doubts == [.doubtClockReading(otherTitle: "Öppna data"), .doubtRivals(count: 1), .doubtRivals(count: 2), .doubtRoomAndLengthOnly])
        #expect(!Evidence.stored("doubtful: read back").isDoubt)
        #expect(Self.lines.filter { $0.0.isDoubt }.allSatisfy { $0.1.hasPrefix("doubtful:") })
    }

    @Test("a percentage that is no number renders as 0")
    func notANumber() {
        #expect(Evidence.text(.tagText, share: .nan).line == "tag text matches the session title (0%)")
    }

    @Test("a link's reasons are its evidence rendered; links compare by what they say")
    func reasons() {
        let typed = ProposedLink(guid: "g", title: "t", score: 0.9, inSeconds: 0, outSeconds: 60, evidence: [.optedOut, .noRecordingLinked])
        let stored = ProposedLink(guid: "g", title: "t", score: 0.9, inSeconds: 0, outSeconds: 60, reasons: typed.reasons)
        #expect(typed.reasons == ["session opted out of recording: linked for staff, never published", "no recording is linked to this session"])
        #expect(typed == stored)
    }
}

@Suite("Link flags")
struct LinkFlagTests {
    @Test("flags are stored as today's strings", arguments: [
        (LinkFlag.doNotRecord, "do_not_record"), (.duplicate, "duplicate"), (.clockLocalAsUTC, "clock_local_as_utc"),
        (.part, "part"), (.sessionGone, "session_gone"), (.manual, "manual"),
    ])
    func rawValues(flag: LinkFlag, stored: String) throws {
        #expect(flag.rawValue == stored)
        #expect(String(decoding: try JSONEncoder().encode([flag]), as: UTF8.self) == "[\"\(stored)\"]")
        #expect(try JSONDecoder().decode([LinkFlag].self, from: Data("[\"\(stored)\"]".utf8)) == [flag])
    }

    @Test("an unknown stored flag is an error, not dropped")
    func unknown() {
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([LinkFlag].self, from: Data(#"["part", "do_not_publish"]"#.utf8))
        }
    }
}
