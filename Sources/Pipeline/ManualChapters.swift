import Foundation
import IndexStore
import Schedule

/// Why a chapter set could not be saved.
public struct ChapterError: Error, CustomStringConvertible {
    public var description: String

    public init(description: String) {
        self.description = description
    }
}

extension LinkStage {
    /// The most chapters one session may have.
    public static let maximumChapters = 500
    /// The longest chapter title, in characters.
    public static let maximumChapterTitle = 300

    /// Sets the chapters of a session in a recording (each recording an id or a path, the
    /// session a guid or slug) as a person made them, or with nil goes back to the file's
    /// chapters and the even cuts; cuts the segments again at once. Kept by the recording's
    /// fingerprint and the session's guid, so the set wins through re-ingests; the audit log
    /// keeps who changed it (`staff:anna`, `cli:root`) and the chapters before and after.
    /// Chapters must start inside the session's part of the recording (the first one is moved to
    /// the in point) and have a title. Returns the session's segments as cut now.
    @discardableResult
    public func setChapters(_ chapters: [ManualChapter]?, recording reference: String, session sessionReference: String, by who: String) throws -> [Segment] {
        guard let recording = try database.recording(idOrPath: reference), let id = recording.id else {
            throw ChapterError(description: "no recording '\(reference)' in the index (give its id or path, as `efterhand links` shows them)")
        }
        guard let fingerprint = recording.fingerprint else {
            throw ChapterError(description: "recording '\(recording.path)' has no fingerprint (its file could not be read)")
        }
        guard let session = try database.session(guidOrSlug: sessionReference) else {
            throw ChapterError(description: "no session '\(sessionReference)' in the programme (give its guid or slug)")
        }
        guard let link = try database.links(recordingID: id).first(where: { $0.kind == .link && $0.sessionGuid == session.guid }) else {
            throw ChapterError(description: "'\(recording.path)' is not linked to '\(session.title)': accept the link first, then set its chapters")
        }
        let cleaned = try chapters.map { try Self.checked($0, from: link.inSeconds, to: min(link.outSeconds, recording.duration ?? link.outSeconds)) }
        let before = try database.segments(recordingID: id).filter { $0.sessionGuid == session.guid }
        try database.saveChapterSet(cleaned, fingerprint: fingerprint, sessionGuid: session.guid, who: who)
        if try !relinkDecided(fingerprint: fingerprint) { try relink() }
        let after = try database.segments(recordingID: id).filter { $0.sessionGuid == session.guid }
        try database.recordAudit(AuditEntry(who: who, action: cleaned == nil ? "chapters-reset" : "chapters", fingerprint: fingerprint,
                                            recordingPath: recording.path, sessionGuid: session.guid,
                                            before: try Self.chapterState(before), after: try Self.chapterState(after)))
        return after
    }

    /// `chapters` with titles trimmed, sorted by start; a `ChapterError` that names the first
    /// chapter that has no title, a title too long, or a start outside `from..<to`.
    public static func checked(_ chapters: [ManualChapter], from: Double, to: Double) throws -> [ManualChapter] {
        guard chapters.count <= maximumChapters else {
            throw ChapterError(description: "\(chapters.count) chapters: at most \(maximumChapters)")
        }
        var cleaned: [ManualChapter] = []
        for (index, chapter) in chapters.enumerated() {
            let title = chapter.title.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !title.isEmpty else { throw ChapterError(description: "chapter \(index + 1) has no title") }
            guard title.count <= maximumChapterTitle else {
                throw ChapterError(description: "chapter \(index + 1)'s title is longer than \(maximumChapterTitle) characters")
            }
            guard chapter.startSeconds.isFinite, chapter.startSeconds < to, chapter.startSeconds >= from - 0.5 || index == 0 && chapter.startSeconds >= 0 else {
                throw ChapterError(description: "chapter '\(title)' starts at \(ClockText.position(chapter.startSeconds)), outside the session's part of the recording (\(ClockText.position(from))–\(ClockText.position(to)))")
            }
            cleaned.append(ManualChapter(startSeconds: max(from, chapter.startSeconds), title: title))
        }
        let sorted = cleaned.enumerated().sorted { ($0.element.startSeconds, $0.offset) < ($1.element.startSeconds, $1.offset) }.map(\.element)
        for (a, b) in zip(sorted, sorted.dropFirst()) where b.startSeconds - a.startSeconds < 1 {
            throw ChapterError(description: "chapters '\(a.title)' and '\(b.title)' start at the same second (\(ClockText.position(b.startSeconds)))")
        }
        return sorted
    }

    /// A session's segments as JSON (start, end, title, where from), for the audit log.
    public static func chapterState(_ segments: [Segment]) throws -> String {
        struct Chapter: Encodable {
            var start: Double
            var end: Double
            var title: String
            var source: String
        }
        return try JSONText.encode(segments.map { Chapter(start: $0.startSeconds, end: $0.endSeconds, title: $0.title, source: $0.source.rawValue) })
    }
}
