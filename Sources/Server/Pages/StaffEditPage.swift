import Captions
import Feed
import Foundation
import IndexStore
import Schedule

/// One session's chapters and transcript beside its recording (`/staff/sessions/{guid}/edit`,
/// `staff-edit.mustache`): rename, add, move and delete chapters; correct a segment's cues while
/// the current one is highlighted, and mark exactly the stretch shown as checked ("Klar").
/// A session in several recordings is edited one recording at a time (`?recording=ID`); the
/// transcript shown is that of the segment at `?at=SECONDS`, else the first one not yet checked.
struct EditPage {
    struct Part {
        var label: String
        var href: String
        var current: Bool
    }

    struct ChapterRow {
        var index: Int
        var number: Int
        var start: String
        var seconds: String
        var title: String
    }

    struct SegmentLink {
        var title: String
        var span: String
        var href: String
        var state: String
        var current: Bool
    }

    struct CueRow {
        var index: Int
        var number: Int
        var start: String
        var end: String
        var startSeconds: String
        var endSeconds: String
        var text: String
        var machine: Bool
    }

    let siteTitle: String
    let language: PageLanguage
    let sv: Bool
    let csrf: String
    let who: String
    let notice: String?
    let problem: String?
    let title: String
    let sessionGuid: String
    let when: String
    let watch: String?
    let history: String
    let linked: Bool
    let parts: [Part]
    let severalParts: Bool
    let recordingID: Int64
    let recordingPath: String
    let media: String
    /// The in and out form: the review queue's decision, sent back here.
    let cutAction: String
    /// The recording's links as shown (`LinkState.token`), sent back with the in and out points.
    let seen: String
    let inSeconds: String
    let outSeconds: String
    let back: String
    let chapterAction: String
    let chapterSource: String
    let manual: Bool
    let chapters: [ChapterRow]
    let chapterCount: Int
    let segments: [SegmentLink]
    let transcriptAction: String
    let textLanguage: String
    let from: String
    let to: String
    let fromText: String
    let toText: String
    let checked: Bool
    let cues: [CueRow]
    let cueCount: Int
    let playFrom: String

    /// `recordingID` names the part to edit (the first otherwise); `at` the second whose segment's
    /// transcript to show; `cues` and `transcripts` are that recording's.
    init(catalogue: Catalogue, session: Session, recordingID requested: Int64?, at: Double?, requestedLanguage: String?,
         transcripts: RecordingTranscripts?, cues: [StoredCue], language: PageLanguage, staff: StaffSessions.Session,
         notice: String?, problem: String?) {
        let snapshot = catalogue.snapshot
        siteTitle = catalogue.title
        self.language = language
        sv = language == .sv
        csrf = staff.formToken
        who = staff.name
        self.notice = notice
        self.problem = problem
        title = session.title
        sessionGuid = session.guid
        when = StaffText.slot(session, zone: catalogue.timeZone, withEnd: true)
        watch = catalogue.entry(guidOrSlug: session.guid) != nil ? "/sessions/" + (session.slug ?? session.guid) : nil
        history = "/staff/sessions/\(session.guid)/history"
        let base = "/staff/sessions/\(session.guid)/edit"
        let linkedRecordings = Self.linkedRecordings(of: session, in: snapshot)
        let chosen = Self.recording(of: session, requested: requested, in: snapshot)
        linked = chosen != nil
        let recordingID = chosen?.id ?? 0
        self.recordingID = recordingID
        recordingPath = chosen?.path ?? ""
        parts = linkedRecordings.map { Part(label: $0.path, href: base + "?recording=\($0.id ?? 0)", current: $0.id == chosen?.id) }
        severalParts = parts.count > 1
        media = "/staff/media/\(recordingID)"
        cutAction = "/staff/recordings/\(recordingID)/decisions"
        seen = chosen.map { LinkState.token(status: $0.linkStatus, links: snapshot.links[recordingID] ?? []) } ?? ""
        let link = (snapshot.links[recordingID] ?? []).first { $0.kind == .link && $0.sessionGuid == session.guid }
        inSeconds = link.map { StaffText.seconds($0.inSeconds) } ?? ""
        outSeconds = link.map { StaffText.seconds($0.outSeconds) } ?? ""
        back = base + "?recording=\(recordingID)"
        chapterAction = "/staff/sessions/\(session.guid)/chapters"
        transcriptAction = "/staff/recordings/\(recordingID)/transcript"

        let segments = (snapshot.segments[recordingID] ?? []).filter { $0.sessionGuid == session.guid }
        manual = segments.contains { $0.source == .manual }
        chapterSource = switch segments.first?.source {
        case .manual: language.pick("Kapitlen är satta för hand: de gäller före filens kapitel, också efter en ny inläsning.",
                                    "The chapters were set by hand: they win over the file's chapters, also after a new ingest.")
        case .chapter: language.pick("Kapitlen kommer från filen. Ändrar du dem gäller dina kapitel.", "The chapters come from the file. Change them and yours win.")
        case .even: language.pick("Sessionen är delad i jämna delar. Ändrar du dem gäller dina kapitel.", "The session is cut in even parts. Change them and yours win.")
        default: language.pick("Sessionen är ett enda avsnitt. Lägg till kapitel nedan.", "The session is one segment. Add chapters below.")
        }
        chapters = segments.enumerated().map { index, segment in
            ChapterRow(index: index, number: index + 1, start: StaffText.clock(segment.startSeconds), seconds: StaffText.seconds(segment.startSeconds),
                       title: segment.title)
        }
        chapterCount = chapters.count

        let textLanguage = requestedLanguage.flatMap(LanguageCode.normalize)
            ?? LanguageCode.normalize(session.language) ?? transcripts?.defaultLanguage ?? "und"
        self.textLanguage = textLanguage
        let mine = (transcripts?.transcripts ?? []).filter { $0.language == textLanguage && $0.segment.sessionGuid == session.guid }
        func status(of segment: Segment) -> SegmentTranscript.Status {
            mine.first { $0.segment.startSeconds == segment.startSeconds }?.status ?? .empty
        }
        let selected = at.flatMap { second in segments.first { $0.startSeconds <= second && second < $0.endSeconds } }
            ?? segments.first { status(of: $0) != .verified } ?? segments.first
        self.segments = segments.map { segment in
            let state = status(of: segment)
            return SegmentLink(title: segment.title, span: HTML.timecode(segment.startSeconds) + "–" + HTML.timecode(segment.endSeconds),
                               href: base + "?recording=\(recordingID)&at=\(StaffText.seconds(segment.startSeconds))#text",
                               state: state == .verified ? language.pick("kontrollerad", "checked")
                                   : state == .draft ? language.pick("utkast", "draft") : language.pick("ingen text", "no text"),
                               current: segment.startSeconds == selected?.startSeconds)
        }
        // The stretch shown: the segment, widened to every cue that reaches into it, so that what
        // "Klar" replaces is exactly what the page shows.
        let ofLanguage = cues.filter { $0.language == textLanguage }
        var span = (selected?.startSeconds ?? 0, selected?.endSeconds ?? 0)
        var shown: [StoredCue] = []
        if selected != nil {
            for _ in 0..<8 {
                shown = ofLanguage.filter { $0.cue.start < span.1 && $0.cue.end > span.0 || $0.cue.start == $0.cue.end && $0.cue.start >= span.0 && $0.cue.start < span.1 }
                let widened = (min(span.0, shown.map(\.cue.start).min() ?? span.0), max(span.1, shown.map(\.cue.end).max() ?? span.1))
                if widened == span { break }
                span = widened
            }
        }
        from = StaffText.seconds(span.0)
        to = StaffText.seconds(span.1)
        fromText = HTML.timecode(span.0)
        toText = HTML.timecode(span.1.rounded(.up))
        checked = selected.map { status(of: $0) == .verified } ?? false
        self.cues = shown.enumerated().map { index, stored in
            CueRow(index: index, number: index + 1, start: StaffText.clock(stored.cue.start), end: StaffText.clock(stored.cue.end),
                   startSeconds: StaffText.seconds(stored.cue.start), endSeconds: StaffText.seconds(stored.cue.end), text: stored.cue.text,
                   machine: stored.status != .verified && stored.isMachine)
        }
        cueCount = self.cues.count
        playFrom = StaffText.seconds(selected?.startSeconds ?? 0)
    }

    /// The recordings that were read and are linked to `session`: the parts the editor offers.
    static func linkedRecordings(of session: Session, in snapshot: IndexSnapshot) -> [StoredRecording] {
        snapshot.recordings.filter { recording in
            recording.state == .ok && (snapshot.links[recording.id ?? -1] ?? []).contains { $0.kind == .link && $0.sessionGuid == session.guid }
        }
    }

    /// The part the editor shows: the one asked for when it is one of them, else the first.
    static func recording(of session: Session, requested: Int64?, in snapshot: IndexSnapshot) -> StoredRecording? {
        let linked = linkedRecordings(of: session, in: snapshot)
        return linked.first { $0.id == requested } ?? linked.first
    }

    func render() -> String {
        PageFrame(language: language, title: language.pick("Redigera", "Edit") + " – " + title + " – " + siteTitle, siteTitle: siteTitle,
                  current: "/staff", noindex: true).render(body: PageTemplates.render(self, with: "staff-edit"), scripts: [PageAssets.path("staff.js")])
    }
}

/// The caption report on a page (`/staff/captions`, `staff-captions.mustache`): per published
/// session the minutes without checked text, each linked to its first segment still without.
struct CaptionsPage {
    struct Row {
        var title: String
        var missing: String
        var minutes: String
        var machine: String
        var verified: String
        var edit: String?
    }

    let siteTitle: String
    let language: PageLanguage
    let sv: Bool
    let csrf: String
    let who: String
    let rows: [Row]
    let empty: Bool

    init(catalogue: Catalogue, coverage: [CaptionCoverage], language: PageLanguage, staff: StaffSessions.Session) {
        siteTitle = catalogue.title
        self.language = language
        sv = language == .sv
        csrf = staff.formToken
        who = staff.name
        func minutes(_ value: Double) -> String { String(format: "%.1f", value) }
        rows = coverage.map { entry in
            Row(title: entry.title, missing: minutes(entry.minutesWithoutVerifiedText), minutes: minutes(entry.minutes),
                machine: minutes(entry.minutesDraftMachine), verified: minutes(entry.minutesVerified),
                edit: entry.firstUnchecked.map { "/staff/sessions/\(entry.sessionGuid)/edit?recording=\($0.recordingID)&at=\(StaffText.seconds($0.startSeconds))#text" })
        }
        empty = rows.isEmpty
    }

    func render() -> String {
        PageFrame(language: language, title: language.pick("Textning", "Captions") + " – " + siteTitle, siteTitle: siteTitle,
                  current: "/staff", noindex: true).render(body: PageTemplates.render(self, with: "staff-captions"))
    }
}
