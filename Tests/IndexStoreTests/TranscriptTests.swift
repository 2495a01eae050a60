import Captions
import Foundation
import Testing
@testable import IndexStore
import Pipeline

/// Transcript stubs, drafts from subtitle streams and sidecars, the captioners' round trip,
/// thumbnails and the caption-coverage report, on a copy of the sample week.
@Suite("transcripts and thumbnails", .serialized)
struct TranscriptTests {
    func ingested(thumbnails: ThumbnailMode = .onRequest) throws -> (SampleWeek, IndexDatabase) {
        let week = try SampleWeek()
        let database = try IndexDatabase(folder: week.index.path)
        var options = IngestOptions(media: [week.media.path])
        options.recentSeconds = 0
        options.thumbnails = thumbnails
        _ = try Ingestor(database: database, options: options).run(programme: try week.programme())
        return (week, database)
    }

    func reingest(_ week: SampleWeek, _ database: IndexDatabase, thumbnails: ThumbnailMode = .onRequest) throws -> IngestSummary {
        var options = IngestOptions(media: [week.media.path])
        options.recentSeconds = 0
        options.thumbnails = thumbnails
        return try Ingestor(database: database, options: options).run(programme: nil)
    }

    func transcripts(_ database: IndexDatabase, _ path: String) throws -> [SegmentTranscript] {
        let recording = try #require(try database.recording(idOrPath: path))
        return try database.transcripts(recordingID: recording.id!, defaultLanguage: "sv")
    }

    @Test("mov_text subtitles and a .sv.vtt sidecar become drafts in the right segments; the rest are empty stubs")
    func drafts() throws {
        let (week, database) = try ingested()
        defer { week.remove() }
        let summer = try transcripts(database, week.path("sommarjobbare.mp4"))
        #expect(summer.allSatisfy { $0.language == "sv" })
        // Cues at 2:05, 5:00, 20:00 and 40:10 of the recording; segments start at 2:00 and are 5 minutes long.
        let drafted = summer.filter { $0.status == .draft }
        #expect(drafted.map(\.segment.position) == [0, 0, 3, 7].uniqued())
        #expect(drafted.first?.text.contains("sommarjobbarna") == true)
        #expect(summer.contains { $0.cues.contains { $0.text == "De fick en utmaning inom hållbarhet\noch arbetade med användardriven innovation." } })
        #expect(summer.filter { $0.status == .empty }.count == summer.count - drafted.count)
        let open = try transcripts(database, week.path("oppna-data.webm"))
        #expect(open.contains { $0.status == .draft && $0.text.contains("Öppna data är data") })
        // Every segment has a transcript record, even without any text.
        let jsp = try transcripts(database, week.path("jsp-kamera.mp4"))
        #expect(jsp.count == 9 && jsp.allSatisfy { $0.status == .empty && $0.cues.isEmpty })
    }

    @Test("a cue crossing a segment boundary goes where most of it lies")
    func boundary() {
        let segments = [Segment(sessionGuid: "g", position: 0, startSeconds: 0, endSeconds: 300, title: "a", topics: [], source: .even),
                        Segment(sessionGuid: "g", position: 1, startSeconds: 300, endSeconds: 600, title: "b", topics: [], source: .even)]
        #expect(IndexDatabase.segmentFor(Cue(start: 296, end: 304.5, text: "x"), among: segments)?.position == 1)
        #expect(IndexDatabase.segmentFor(Cue(start: 290, end: 302, text: "x"), among: segments)?.position == 0)
    }

    @Test("export then import keeps every cue; stubs for empty segments carry a NOTE")
    func roundTrip() throws {
        let (week, database) = try ingested()
        defer { week.remove() }
        let exported = try database.exportTranscript(recording: week.path("sommarjobbare.mp4"), format: .vtt)
        #expect(exported.contains("NOTE segment 2"))
        let file = week.folder.appendingPathComponent("sommar.vtt")
        try Data(exported.utf8).write(to: file)
        let parsed = try CaptionFile.read(path: file.path)
        let before = try database.cues(recordingID: try database.recording(idOrPath: week.path("sommarjobbare.mp4"))!.id!).map(\.cue)
        #expect(parsed.cues.filter { !$0.text.isEmpty } == before)
        let result = try database.importTranscript(recording: week.path("sommarjobbare.mp4"), file: file.path, verified: false)
        #expect(result.stored == before.count)
        let after = try database.cues(recordingID: try database.recording(idOrPath: week.path("sommarjobbare.mp4"))!.id!).map(\.cue)
        #expect(after.sorted { $0.start < $1.start } == before)
        for format in [TranscriptFormat.srt, .json] {
            #expect(!(try database.exportTranscript(recording: week.path("sommarjobbare.mp4"), format: format)).isEmpty)
        }
    }

    @Test("verified text survives re-ingest, an edited sidecar and a later draft import")
    func verifiedIsKept() throws {
        let (week, database) = try ingested()
        defer { week.remove() }
        let path = week.path("oppna-data.webm")
        // A captioner's verified text for the whole first segment: its first cue starts where
        // the segment does and its last ends where the segment ends.
        let segment = try #require(try transcripts(database, path).first { $0.segment.position == 0 }?.segment)
        let verified = week.folder.appendingPathComponent("verified.vtt")
        try Data(WebVTT.write([Cue(start: segment.startSeconds, end: segment.startSeconds + 20, text: "Verifierad text om öppna data."),
                               Cue(start: segment.endSeconds - 50, end: segment.endSeconds, text: "Mer verifierad text.")]).utf8).write(to: verified)
        let result = try database.importTranscript(recording: path, file: verified.path, language: "sv", verified: true)
        #expect(result.verifiedSegments == 1)
        #expect(result.verifiedSpan == segment.startSeconds...segment.endSeconds)
        func firstSegment() throws -> SegmentTranscript { try #require(try transcripts(database, path).first { $0.segment.position == 0 }) }
        #expect(try firstSegment().status == .verified)
        #expect(try firstSegment().cues.map(\.text) == ["Verifierad text om öppna data.", "Mer verifierad text."])

        // The sidecar is edited: drafts elsewhere change, the verified segment does not.
        let sidecar = week.path("oppna-data.sv.vtt")
        var text = try String(contentsOfFile: sidecar, encoding: .utf8)
        text = text.replacingOccurrences(of: "Välkommen till Innovationsveckan", with: "Hej och välkommen")
            .replacingOccurrences(of: "Andra kan bygga tjänster", with: "Företag kan bygga tjänster")
        try Data(text.utf8).write(to: URL(fileURLWithPath: sidecar))
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(5)], ofItemAtPath: sidecar)
        _ = try reingest(week, database)
        #expect(try firstSegment().cues.map(\.text) == ["Verifierad text om öppna data.", "Mer verifierad text."])
        #expect(try transcripts(database, path).contains { $0.text.contains("Företag kan bygga tjänster") })
        #expect(!(try transcripts(database, path)).contains { $0.text.contains("Hej och välkommen") })

        // A later unverified import over the same minutes leaves the verified text as it is.
        let draft = week.folder.appendingPathComponent("draft.vtt")
        try Data(WebVTT.write([Cue(start: segment.startSeconds, end: segment.startSeconds + 20, text: "Ett utkast.")]).utf8).write(to: draft)
        let second = try database.importTranscript(recording: path, file: draft.path, language: "sv", verified: false)
        #expect(second.skippedVerified == 1 && second.stored == 0)
        #expect(try firstSegment().cues.map(\.text) == ["Verifierad text om öppna data.", "Mer verifierad text."])
    }

    @Test("a verified import verifies exactly the stretch it covers, and a later draft does not land beside it")
    func verifiedSpanIsExact() throws {
        let (week, database) = try ingested()
        defer { week.remove() }
        let path = week.path("jsp-kamera.mp4")
        let segment = try #require(try transcripts(database, path).first { $0.segment.position == 1 }?.segment)
        // One verified cue in the middle of a segment: shorter than half of it.
        let start = segment.startSeconds + 60
        let verified = week.folder.appendingPathComponent("verified.vtt")
        try Data(WebVTT.write([Cue(start: start, end: start + 5, text: "Verifierat av en människa.")]).utf8).write(to: verified)
        let result = try database.importTranscript(recording: path, file: verified.path, language: "sv", verified: true)
        #expect(result.verifiedSpan == start...(start + 5))
        #expect(result.verifiedSegments == 0, "the cue covers five seconds of a five-minute segment")

        // A sidecar added later, with a cue at the same time, one overlapping it and one elsewhere.
        try Data(WebVTT.write([Cue(start: start, end: start + 5, text: "Utkast på samma ställe."),
                               Cue(start: start + 3, end: start + 8, text: "Utkast som överlappar."),
                               Cue(start: start + 100, end: start + 105, text: "Utkast någon annanstans.")]).utf8)
            .write(to: URL(fileURLWithPath: week.path("jsp-kamera.sv.vtt")))
        _ = try reingest(week, database)
        let texts = try transcripts(database, path).filter { $0.language == "sv" }.flatMap(\.cues).map(\.text)
        #expect(texts.contains("Verifierat av en människa."))
        #expect(texts.contains("Utkast någon annanstans."))
        #expect(!texts.contains("Utkast på samma ställe.") && !texts.contains("Utkast som överlappar."), "\(texts)")
    }

    @Test("a malformed sidecar is reported by name and line and does not stop the ingest")
    func malformedSidecar() throws {
        let week = try SampleWeek()
        defer { week.remove() }
        try Data("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nHej\n\n00:00:03.000 --> 00:00:xx.000\nTrasig\n".utf8)
            .write(to: URL(fileURLWithPath: week.path("jsp-kamera.vtt")))
        let database = try IndexDatabase(folder: week.index.path)
        let summary = try week.ingest(database, programme: try week.programme())
        #expect(summary.linked == 9)
        #expect(summary.errors.contains { $0.contains("jsp-kamera.vtt") && $0.contains("line 6") }, "\(summary.errors)")
    }

    @Test("an import with times outside the recording names the line and stores nothing")
    func badImport() throws {
        let (week, database) = try ingested()
        defer { week.remove() }
        let file = week.folder.appendingPathComponent("bad.srt")
        try Data("1\n00:00:01,000 --> 00:00:02,000\nOk\n\n2\n05:00:00,000 --> 05:00:02,000\nFör sent\n".utf8).write(to: file)
        #expect(throws: TranscriptError.self) { try database.importTranscript(recording: week.path("jsp-kamera.mp4"), file: file.path, verified: true) }
        do {
            _ = try database.importTranscript(recording: week.path("jsp-kamera.mp4"), file: file.path, verified: true)
        } catch let error as TranscriptError {
            #expect(error.problems.contains { $0.contains("line 6") })
        }
        #expect(try database.cues(recordingID: try database.recording(idOrPath: week.path("jsp-kamera.mp4"))!.id!).isEmpty)
    }

    @Test("with --thumbnails now, a JPEG of the right size for every video segment, not made again on re-ingest")
    func thumbnails() throws {
        let (week, database) = try ingested(thumbnails: .now)
        defer { week.remove() }
        var checked = 0
        for recording in try database.recordings() where recording.linkStatus == .linked {
            for segment in try database.segments(recordingID: recording.id) {
                let key = ThumbnailKey.segment(fingerprint: recording.fingerprint!, start: segment.startSeconds)
                let stored = try #require(try database.thumbnail(key: key), "no thumbnail for \(recording.path) at \(segment.startSeconds)")
                let data = try Data(contentsOf: week.index.appendingPathComponent(stored.file))
                #expect(data.prefix(2) == Data([0xFF, 0xD8]) && data.suffix(2) == Data([0xFF, 0xD9]))
                #expect(stored.width == 320 && stored.height == 180)
                checked += 1
            }
        }
        #expect(checked == (try database.segments()).count)
        #expect(checked >= 50)
        let again = try reingest(week, database, thumbnails: .now)
        #expect(again.thumbnails == 0 && again.thumbnailsPlanned == 0)
    }

    @Test("by default every picture is named with its time and size and none is decoded; a later --thumbnails now makes them")
    func thumbnailsOnRequest() throws {
        let (week, database) = try ingested()
        defer { week.remove() }
        let named = try database.thumbnails()
        let segments = try database.segments()
        #expect(named.count >= segments.count)
        for thumbnail in named.values {
            #expect(!FileManager.default.fileExists(atPath: week.index.appendingPathComponent(thumbnail.file).path))
            #expect(thumbnail.source == "frame" ? thumbnail.time != nil : thumbnail.source == "cover_picture")
        }
        // The sample week's 16:9 videos: the size the picture will have.
        #expect(named.values.filter { $0.source == "frame" }.allSatisfy { $0.width == 320 && $0.height == 180 })
        // A segment's picture is a little into it.
        let segmentsByRecording = Dictionary(grouping: segments, by: { $0.recordingID ?? -1 })
        let recording = try #require(try database.recordings().first { $0.linkStatus == .linked && segmentsByRecording[$0.id ?? -1] != nil })
        let segment = try #require(segmentsByRecording[recording.id ?? -1]?.first)
        let key = ThumbnailKey.segment(fingerprint: recording.fingerprint!, start: segment.startSeconds)
        #expect(named[key]?.time == segment.startSeconds + min(5, (segment.endSeconds - segment.startSeconds) / 2))

        let again = try reingest(week, database)
        #expect(again.thumbnails == 0 && again.thumbnailsPlanned == 0, "named once")
        #expect(try database.thumbnails() == named)

        let now = try reingest(week, database, thumbnails: .now)
        #expect(now.thumbnails == named.count && now.errors.isEmpty)
        for thumbnail in try database.thumbnails().values {
            let data = try Data(contentsOf: week.index.appendingPathComponent(thumbnail.file))
            #expect(data.prefix(2) == Data([0xFF, 0xD8]))
        }
    }

    @Test("the caption report puts what is most missing first")
    func report() throws {
        let (week, database) = try ingested()
        defer { week.remove() }
        let coverage = try database.captionCoverage()
        #expect(coverage.count == 9, "ten linked sessions, one of them opted out")
        #expect(!coverage.contains { $0.sessionGuid == SampleWeek.guid(109) })
        #expect(zip(coverage, coverage.dropFirst()).allSatisfy { $0.minutesWithoutVerifiedText >= $1.minutesWithoutVerifiedText })
        let open = try #require(coverage.first { $0.sessionGuid == SampleWeek.guid(105) })
        #expect(open.draft == 4 && open.languages == ["sv"])
    }
}

extension Array where Element: Hashable {
    func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}
