import Feed
import Foundation
import IndexStore
import Linking
import Schedule

/// The staff sign-in page (`staff-sign-in.mustache`): one field, the staff token.
struct SignInPage {
    enum Problem {
        case wrongToken, closed, throttled(minutes: Int)
    }

    let siteTitle: String
    let language: PageLanguage
    // Stored, not computed: the templates read values by reflection.
    let sv: Bool
    let message: String?

    init(siteTitle: String, language: PageLanguage, problem: Problem?) {
        self.siteTitle = siteTitle
        self.language = language
        sv = language == .sv
        message = switch problem {
        case .wrongToken: language.pick("Fel nyckel. Försök igen.", "Wrong token. Try again.")
        case .closed: language.pick("Personalsidorna är avstängda: servern har ingen personalnyckel (--admin-token-file eller --staff-tokens).",
                                    "The staff pages are off: the server has no staff token (--admin-token-file or --staff-tokens).")
        case .throttled(let minutes): language.pick("För många försök. Vänta \(minutes) minuter.", "Too many tries. Wait \(minutes) minutes.")
        case nil: nil
        }
    }

    func render() -> String {
        PageFrame(language: language, title: language.pick("Logga in", "Sign in") + " – " + siteTitle, siteTitle: siteTitle, current: "/staff",
                  noindex: true).render(body: PageTemplates.render(self, with: "staff-sign-in"))
    }
}

/// The review queue (`/staff/review`, `staff-review.mustache`): every recording in review or
/// unmatched, with its candidates, their scores and the linker's reasons, the video beside
/// them (each candidate plays it from its in point), and forms to accept, reject or unlink, or
/// to choose another session of the programme.
struct ReviewPage {
    struct Item {
        var id: Int64
        var path: String
        var status: String
        var duration: String
        var media: String
        var candidates: [Candidate]
        var action: String
        /// The recording's links as shown (`LinkState.token`): a decision made on a recording
        /// someone changed meanwhile is refused, not applied over theirs.
        var seen: String
    }

    struct Candidate {
        var guid: String
        var title: String
        var when: String
        var score: String
        var inSeconds: String
        var outSeconds: String
        var span: String
        var reasons: [String]
        var linked: Bool
    }

    struct SessionChoice {
        var slug: String
        var label: String
    }

    let siteTitle: String
    let language: PageLanguage
    let sv: Bool
    let items: [Item]
    let sessions: [SessionChoice]
    let csrf: String
    let who: String
    let notice: String?
    let empty: Bool

    init(catalogue: Catalogue, language: PageLanguage, session: StaffSessions.Session, notice: String?) {
        let snapshot = catalogue.snapshot
        siteTitle = catalogue.title
        self.language = language
        sv = language == .sv
        csrf = session.formToken
        who = session.name
        self.notice = notice
        let zone = catalogue.timeZone
        let byGuid = Dictionary(snapshot.sessions.map { ($0.guid, $0) }, uniquingKeysWith: { a, _ in a })
        func when(_ session: Session) -> String { StaffText.slot(session, zone: zone, withEnd: true) }
        items = snapshot.recordings.filter { $0.state == .ok && $0.duplicateOf == nil && ($0.linkStatus == .review || $0.linkStatus == .unmatched) }
            .compactMap { recording in
                guard let id = recording.id else { return nil }
                let candidates = (snapshot.links[id] ?? []).sorted { $0.score > $1.score }.compactMap { link -> Candidate? in
                    guard let session = byGuid[link.sessionGuid] else { return nil }
                    return Candidate(guid: session.guid, title: session.title, when: when(session), score: String(format: "%.2f", link.score),
                                     inSeconds: String(WholeSeconds.nearest(link.inSeconds)), outSeconds: String(WholeSeconds.nearest(link.outSeconds)),
                                     span: HTML.timecode(link.inSeconds) + "–" + HTML.timecode(link.outSeconds),
                                     reasons: link.reasons, linked: link.kind == .link)
                }
                return Item(id: id, path: recording.path, status: language.pick(recording.linkStatus == .review ? "osäker" : "ingen koppling",
                                                                                 recording.linkStatus == .review ? "in review" : "unmatched"),
                            duration: recording.duration.map(HTML.timecode) ?? "?", media: "/staff/media/\(id)", candidates: candidates,
                            action: "/staff/recordings/\(id)/decisions",
                            seen: LinkState.token(status: recording.linkStatus, links: snapshot.links[id] ?? []))
            }
        empty = items.isEmpty
        sessions = snapshot.sessions.map { SessionChoice(slug: $0.slug ?? $0.guid, label: $0.title + " (" + when($0) + ")") }
    }

    func render() -> String {
        PageFrame(language: language, title: language.pick("Granska inspelningar", "Review recordings") + " – " + siteTitle, siteTitle: siteTitle,
                  current: "/staff", noindex: true).render(body: PageTemplates.render(self, with: "staff-review"), scripts: [PageAssets.path("staff.js")])
    }
}

/// Publish state per session (`/staff/sessions`, `staff-sessions.mustache`): published, hidden
/// by a person, without a recording, or opted out in the programme (then the button is off and
/// the page says why).
struct SessionsPage {
    struct Row {
        var guid: String
        var title: String
        var when: String
        var state: String
        var watch: String?
        var action: String
        var history: String
        /// The chapter and transcript editor, for a session with a recording.
        var edit: String?
        /// `hide` or `publish`; nil when the button is off.
        var change: String?
        var label: String
        var blocked: String?
    }

    let siteTitle: String
    let language: PageLanguage
    let sv: Bool
    let rows: [Row]
    let csrf: String
    let who: String
    let notice: String?

    init(catalogue: Catalogue, language: PageLanguage, session: StaffSessions.Session, notice: String?) {
        let snapshot = catalogue.snapshot
        siteTitle = catalogue.title
        self.language = language
        sv = language == .sv
        csrf = session.formToken
        who = session.name
        self.notice = notice
        let recorded = Set(snapshot.links.values.joined().filter { $0.kind == .link }.map(\.sessionGuid))
        rows = snapshot.sessions.sorted { ($0.start, $0.guid) < ($1.start, $1.guid) }.map { session in
            let when = StaffText.slot(session, zone: catalogue.timeZone, withEnd: false)
            let published = catalogue.entry(guidOrSlug: session.guid) != nil
            let hidden = snapshot.hiddenSessions.contains(session.guid)
            let optedOut = Catalogue.isOptedOut(session)
            let state = optedOut ? language.pick("vill inte spelas in", "opted out")
                : hidden ? language.pick("dold", "hidden")
                : published ? language.pick("publicerad", "published") : language.pick("ingen inspelning", "no recording")
            return Row(guid: session.guid, title: session.title, when: when, state: state,
                       watch: published ? "/sessions/" + (session.slug ?? session.guid) : nil,
                       action: "/staff/sessions/\(session.guid)/publication", history: "/staff/sessions/\(session.guid)/history",
                       edit: recorded.contains(session.guid) ? "/staff/sessions/\(session.guid)/edit" : nil,
                       change: optedOut ? nil : hidden ? "publish" : "hide",
                       label: hidden || optedOut ? language.pick("Publicera", "Publish") : language.pick("Dölj", "Hide"),
                       blocked: optedOut ? language.pick("Talaren har bett att inte spelas in (do-not-record i programmet): sessionen publiceras aldrig.",
                                                         "The speaker asked not to be recorded (do-not-record in the programme): it is never published.") : nil)
        }
    }

    func render() -> String {
        PageFrame(language: language, title: language.pick("Publicering", "Publishing") + " – " + siteTitle, siteTitle: siteTitle,
                  current: "/staff", noindex: true).render(body: PageTemplates.render(self, with: "staff-sessions"))
    }
}

/// What people changed of one session (`/staff/sessions/{guid}/history`, `staff-history.mustache`):
/// the audit log's entries for it, newest first, with who, when, what, before and after.
struct HistoryPage {
    struct Entry {
        var at: String
        var who: String
        var action: String
        var recording: String?
        var before: String
        var after: String
    }

    let siteTitle: String
    let language: PageLanguage
    let sv: Bool
    let title: String
    let entries: [Entry]
    let empty: Bool
    let csrf: String
    let who: String

    init(catalogue: Catalogue, session: Session, audit: [AuditEntry], language: PageLanguage, staff: StaffSessions.Session) {
        siteTitle = catalogue.title
        self.language = language
        sv = language == .sv
        title = session.title
        csrf = staff.formToken
        who = staff.name
        let zone = catalogue.timeZone
        entries = audit.map {
            Entry(at: StaffText.moment($0.at, zone: zone), who: $0.who, action: $0.action,
                  recording: $0.recordingPath, before: $0.before, after: $0.after)
        }
        empty = entries.isEmpty
    }

    func render() -> String {
        PageFrame(language: language, title: language.pick("Historik", "History") + " – " + title + " – " + siteTitle, siteTitle: siteTitle,
                  current: "/staff", noindex: true).render(body: PageTemplates.render(self, with: "staff-history"))
    }
}

/// How the staff pages write times, in the conference's zone.
enum StaffText {
    /// `2021-10-05 10:00`.
    static func moment(_ date: Date, zone: TimeZone) -> String {
        ClockText.day(date, zone: zone) + " " + ClockText.wallClock(date, zone: zone)
    }

    /// A position in a recording as a person types it back: `0:12:30`, `0:12:30.5` (to the millisecond).
    static func clock(_ seconds: Double) -> String {
        let millis = WholeSeconds.nearest(max(0, seconds) * 1000)
        let whole = ClockText.position(Double(millis / 1000), rounding: .down)
        guard millis % 1000 != 0 else { return whole }
        var fraction = String(format: "%03d", millis % 1000)
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return whole + "." + fraction
    }

    /// Seconds for a link or a form's hidden field, to the millisecond: `750`, `750.5`.
    static func seconds(_ seconds: Double) -> String {
        let millis = WholeSeconds.nearest(max(0, seconds) * 1000)
        return millis % 1000 == 0 ? String(millis / 1000) : String(Double(millis) / 1000)
    }

    /// A session's day, start (and end) and room: `2021-10-05 10:00–10:45, Sal A`.
    static func slot(_ session: Session, zone: TimeZone, withEnd: Bool) -> String {
        moment(session.start, zone: zone) + (withEnd ? "–" + ClockText.wallClock(session.end, zone: zone) : "") + (session.room.map { ", " + $0 } ?? "")
    }
}
