import Feed
import Foundation
import Schedule

/// A session's watch page (`/sessions/{slug}`; `watch.mustache` and `watch-head.mustache`): the
/// video from `?t=`, chapters, transcript, JSON-LD and Open Graph.
struct WatchPage {
    /// What the page adds to the head.
    struct Head {
        var sv: Bool
        /// The first 300 characters of the session's summary.
        var summary: String
        var url: String
        var title: String
        var siteTitle: String
        var image: String?
        var video: String?
        var videoType: String?
        /// `VideoObject` as script-safe JSON.
        var jsonLD: String
    }

    /// The video element: where it starts, its poster and its tracks.
    struct Player {
        var inPoint: String
        var start: String
        var poster: String?
        var src: String
        var tracks: [Track]
    }

    /// A `<track>`: chapters, or captions in one language.
    struct Track {
        var kind: String
        var language: String
        var label: String
        var src: String
        var isDefault: Bool
    }

    /// A segment in the chapter list.
    struct Chapter {
        var start: String
        var end: String
        var seek: Int
        var thumbnail: String?
        var timecode: String
        var title: String
    }

    /// The page's JSON for `app.js`.
    struct PageData: Encodable {
        var text: [String: String]
    }

    let language: PageLanguage
    let siteTitle: String
    let head: Head
    let sv: Bool
    let title: String
    let subtitle: String?
    /// The speakers, nil when there are none.
    let persons: String?
    let when: String
    let room: String?
    /// Nil when the recording is missing.
    let player: Player?
    let guid: String
    let watch: String
    let inPoint: String
    let outPoint: String
    let chapters: [Chapter]
    /// Nil when the session has no summary.
    let summary: String?
    let transcript: String
    /// Whether some of the transcript shown is a speech engine's unchecked draft.
    let machineDraft: Bool
    /// `PageData` as script-safe JSON.
    let pageData: String

    /// The page of `entry` from `start` seconds (from its in point); `origin` (`http://host` or
    /// the public URL) makes the head's links absolute.
    init(catalogue: Catalogue, entry: Catalogue.Entry, language l: PageLanguage, start: Double, origin: String) {
        let session = entry.session
        let links = catalogue.links
        let part = entry.parts.first
        let inPoint = part?.link.inSeconds ?? 0
        let description = entry.summary
        language = l
        siteTitle = catalogue.title
        head = Self.head(catalogue: catalogue, entry: entry, language: l, origin: origin)
        sv = l == .sv
        title = session.title
        subtitle = session.subtitle
        persons = session.persons.isEmpty ? nil : session.persons.joined(separator: ", ")
        when = PagesDates.dayLabel(entry.day, language: l) + " " + PagesDates.time(session.start, zone: catalogue.timeZone)
            + "–" + PagesDates.time(session.end, zone: catalogue.timeZone)
        room = session.room
        player = part.map { Self.player(part: $0, entry: entry, catalogue: catalogue, language: l, start: start, origin: origin) }
        guid = session.guid
        watch = links.watch(session)
        self.inPoint = Links.seconds(inPoint)
        outPoint = Links.seconds(part?.link.outSeconds ?? 0)
        chapters = entry.firstPartSegments.map { segment in
            let from = max(0, segment.segment.startSeconds - inPoint)
            return Chapter(start: Links.seconds(segment.segment.startSeconds), end: Links.seconds(segment.segment.endSeconds),
                           seek: max(0, WholeSeconds.down(from)), thumbnail: segment.thumbnail.map(links.thumbnail),
                           timecode: HTML.timecode(from), title: segment.segment.title)
        }
        summary = description.isEmpty ? nil : description
        transcript = part.map { links.recordingAPI($0.recordingID, "transcript.json") + Self.revision(of: $0, catalogue: catalogue, first: true) } ?? ""
        machineDraft = entry.firstPartSegments.contains { !$0.machine.isEmpty }
        pageData = ScriptJSON.text(PageData(text: ["saved": l.pick("Sparad i Titta senare.", "Saved to Watch later.")]))
    }

    static func head(catalogue: Catalogue, entry: Catalogue.Entry, language l: PageLanguage, origin: String) -> Head {
        let links = catalogue.links
        let part = entry.parts.first
        return Head(
            sv: l == .sv, summary: String(entry.summary.prefix(300)), url: links.absolute(links.watch(entry.session), origin: origin),
            title: entry.session.title, siteTitle: catalogue.title, image: entry.image.map { links.absolute(links.thumbnail($0), origin: origin) },
            video: part.map { links.absolute(links.media($0.recording), origin: origin) },
            videoType: part.flatMap { catalogue.recordings[$0.recordingID] }?.mediaType,
            jsonLD: ScriptJSON.text(VideoObject(entry: entry, catalogue: catalogue, origin: origin)))
    }

    /// `?v=` (or `&v=`) and the recording's track revision (`IndexSnapshot.trackRevisions`):
    /// the API ignores it, and a browser asks again when it changes. Nothing without one.
    static func revision(of part: Catalogue.Part, catalogue: Catalogue, first: Bool) -> String {
        catalogue.snapshot.trackRevisions[part.recordingID].map { (first ? "?v=" : "&v=") + $0 } ?? ""
    }

    static func player(part: Catalogue.Part, entry: Catalogue.Entry, catalogue: Catalogue, language l: PageLanguage,
                       start: Double, origin: String) -> Player {
        let links = catalogue.links
        let inPoint = part.link.inSeconds
        var tracks = [Track(kind: "chapters", language: l.rawValue, label: l.pick("Kapitel", "Chapters"),
                            src: links.recordingAPI(part.recordingID, "chapters.vtt") + revision(of: part, catalogue: catalogue, first: true), isDefault: true)]
        // Captions in the languages some segment of this session has text in; the first of them
        // (by code, "und" among them, though it gets no track) is the default.
        let textLanguages = Set(entry.firstPartSegments.flatMap { $0.transcript.filter { $0.value != .empty }.map(\.key) }).sorted()
        for (index, code) in textLanguages.enumerated() where code != "und" {
            let machine = entry.firstPartSegments.contains { $0.machine.contains(code) }
            let name = PagesDates.languageName(code, language: l) + (machine ? l.pick(" (automatisk)", " (automatic)") : "")
            tracks.append(Track(kind: "captions", language: code, label: name,
                                src: links.recordingAPI(part.recordingID, "transcript.vtt") + "?language=" + Links.query(code)
                                    + revision(of: part, catalogue: catalogue, first: false), isDefault: index == 0))
        }
        return Player(inPoint: Links.seconds(inPoint), start: Links.seconds(start),
                      poster: entry.image.map { links.absolute(links.thumbnail($0), origin: origin) },
                      src: links.media(part.recording) + "#t=" + Links.seconds(inPoint + start), tracks: tracks)
    }

    /// The whole page.
    func render() -> String {
        PageFrame(language: language, title: title + " – " + siteTitle, siteTitle: siteTitle, head: PageTemplates.render(head, with: "watch-head"))
            .render(body: PageTemplates.render(self, with: "watch"), scripts: [PageAssets.path("app.js")])
    }
}
