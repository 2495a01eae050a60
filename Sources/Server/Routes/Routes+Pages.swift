import Feed
import Foundation
import Hummingbird
import IndexStore
import Schedule

/// The web pages: `/` (watch-later lookup), `/sessions/{slug}` (watch page), `/overview` (the
/// week at a glance), and their stylesheet and script under `/assets/`. They are not part of
/// the documented API (`Operation.all`), so they are registered on the router directly.
func addPageRoutes(to router: Router<ServerContext>, services: ServerServices) {
    router.get("/") { request, _ -> Response in
        let catalogue = try await services.catalogue()
        let language = PageLanguage.preferred(request.headers[.acceptLanguage])
        return htmlResponse(HomePage(catalogue: catalogue, language: language, query: QueryParameters(request.uri.query)).render(), request: request)
    }
    router.get("/sessions/{slug}") { request, context -> Response in
        let catalogue = try await services.catalogue()
        let language = PageLanguage.preferred(request.headers[.acceptLanguage])
        let slug = context.pathParameter("slug")
        guard let entry = catalogue.entry(guidOrSlug: slug) else {
            return htmlResponse(notFoundPage(catalogue: catalogue, language: language), request: request, status: .notFound)
        }
        // Seconds into the session; "nan", "inf" and other numbers no talk lasts start at the beginning.
        let t = QueryParameters(request.uri.query).text("t").flatMap(Double.init).flatMap { $0.isFinite && $0 < 1e7 ? max(0, $0) : nil } ?? 0
        let page = WatchPage(catalogue: catalogue, entry: entry, language: language, start: t, origin: origin(of: request, catalogue: catalogue))
        return htmlResponse(page.render(), request: request)
    }
    router.get("/overview") { request, _ -> Response in
        // The catalogue and the rest of the programme from one snapshot, read once.
        let catalogue = try await services.catalogue()
        let snapshot = catalogue.snapshot
        let language = PageLanguage.preferred(request.headers[.acceptLanguage])
        let page = OverviewPage(catalogue: catalogue, snapshot: snapshot, language: language, admin: isAdmin(request, token: services.configuration.adminToken))
        var response = htmlResponse(page.render(), request: request)
        response.headers[.cacheControl] = "private, no-store"
        response.headers[.vary] = "Accept-Encoding, Accept-Language, Authorization"
        return response
    }
    router.get("/assets/{file}") { request, context -> Response in
        let file = context.pathParameter("file")
        guard let asset = PageAssets.files[file] else {
            throw APIError.notFound("no asset '\(file)'")
        }
        return asset.response(to: request, cacheControl: "public, max-age=3600")
    }
}

/// The security headers sent with every page. The pages run only their own scripts from
/// `/assets` (their JSON sits in non-executed `application/json` blocks), so a script or
/// plug-in that a programme's text smuggled in has nowhere to run; media and images may come
/// from a CDN (`--media-url`).
func addPageSecurityHeaders(to headers: inout HTTPFields) {
    headers[.init("Content-Security-Policy")!] = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: http: data:; "
        + "media-src 'self' https: http:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'"
    headers[.init("X-Content-Type-Options")!] = "nosniff"
    headers[.init("Referrer-Policy")!] = "strict-origin-when-cross-origin"
}

/// A page's HTML as an answer: gzip and entity tag as for the API; pages vary by language.
func htmlResponse(_ html: String, request: Request, status: HTTPResponse.Status = .ok) -> Response {
    var response = Representation(Data(html.utf8), contentType: "text/html; charset=utf-8").response(to: request, cacheControl: "no-cache")
    response.status = response.status == .notModified ? .notModified : status
    addPageSecurityHeaders(to: &response.headers)
    response.headers[.vary] = "Accept-Encoding, Accept-Language"
    response.headers[.contentLanguage] = PageLanguage.preferred(request.headers[.acceptLanguage]).rawValue
    return response
}

/// Whether `request` carries the admin bearer token.
func isAdmin(_ request: Request, token: String?) -> Bool {
    HeaderValues.carriesBearer(request.headers[.authorization], token: token)
}

/// Where absolute links of a page point: the public URL, else this request's host.
func origin(of request: Request, catalogue: Catalogue) -> String {
    if let url = catalogue.links.publicURL { return url }
    let host = request.head.authority ?? "localhost"
    return "http://" + host
}

func notFoundPage(catalogue: Catalogue, language l: PageLanguage) -> String {
    PageFrame(language: l, title: l.pick("Sidan finns inte", "Page not found") + " – " + catalogue.title, siteTitle: catalogue.title).render(body: """
    <h1>\(l.pick("Sidan finns inte", "Page not found"))</h1>
    <p>\(l.pick("Det finns ingen publicerad session med den adressen.", "There is no published session at this address."))
    <a href="/">\(l.pick("Sök bland föredragen", "Search the talks"))</a></p>
    """)
}

// MARK: - /

/// The watch-later lookup: search with filters, topic chips, hits, player, chapters, watch later.
struct HomePage {
    let catalogue: Catalogue
    let language: PageLanguage
    let query: QueryParameters

    func render() -> String {
        let l = language
        let q = query.text("q") ?? ""
        let topic = query.text("topic")
        func options(_ name: String, _ all: String, _ facets: [(value: String, label: String)]) -> String {
            let selected = query.text(name)
            return "<option value=\"\">\(HTML.escape(all))</option>" + facets.map {
                "<option value=\"\(HTML.escape($0.value))\"\($0.value == selected ? " selected" : "")>\(HTML.escape($0.label))</option>"
            }.joined()
        }
        let days = catalogue.days.map { (value: $0.slug, label: dayLabel($0.slug)) }
        let rooms = catalogue.rooms.map { (value: $0.name, label: $0.name) }
        let languages = Set(catalogue.recordings.values.flatMap(\.languages) + catalogue.entries.compactMap(\.session.language))
            .filter { $0 != "und" }.sorted().map { (value: $0, label: languageName($0)) }
        let chips = catalogue.topics.map { facet in
            let current = Slug.make(topic ?? "") == facet.slug && topic != nil
            return "<li><a class=\"chip\" href=\"/?topic=\(Links.query(facet.slug))\"\(current ? " aria-current=\"true\"" : "")>"
                + "\(HTML.escape(facet.name)) <span class=\"count\">(\(facet.count))</span></a></li>"
        }.joined(separator: "\n")
        // Sessions of the chosen topic, for browsing without typing.
        var topicList = ""
        if let topic, let entries = catalogue.entries(for: .topic(Slug.make(topic))), let facet = catalogue.facet(for: .topic(Slug.make(topic))) {
            topicList = """
            <section aria-labelledby="topic-h" class="topic">
            <h2 id="topic-h">\(l.pick("Ämne", "Topic")): \(HTML.escape(facet.name))</h2>
            <p><a href="/">\(l.pick("Visa alla ämnen", "Show all topics"))</a></p>
            <ul class="sessions">\(entries.map { sessionCard($0) }.joined(separator: "\n"))</ul>
            </section>
            """
        }
        let sessions: [String: Any] = Dictionary(catalogue.entries.map { entry in
            (entry.session.guid, ["persons": entry.session.persons, "watch": catalogue.links.watch(entry.session),
                                  "title": entry.session.title] as [String: Any])
        }, uniquingKeysWith: { a, _ in a })
        let text: [String: String] = [
            "searching": l.pick("Söker …", "Searching …"), "none": l.pick("Inga träffar.", "No hits."),
            "hits": l.pick("%d träffar", "%d hits"), "hit": l.pick("1 träff", "1 hit"),
            "error": l.pick("Sökningen misslyckades.", "The search failed."),
            "play": l.pick("Spela från", "Play from"), "remove": l.pick("Ta bort", "Remove"),
            "open": l.pick("Öppna sidan", "Open page"), "saved": l.pick("Sparad i Titta senare.", "Saved to Watch later."),
            "removed": l.pick("Borttagen.", "Removed."), "nowPlaying": l.pick("Spelas nu", "Now playing"),
            "captions": l.pick("Textning", "Captions"), "chapters": l.pick("Kapitel", "Chapters"),
        ]
        let body = """
        <h1>\(l.pick("Hitta och titta senare", "Find and watch later"))</h1>
        <p class="lead">\(l.pick("Sök bland veckans föredrag och spela upp från rätt sekund.", "Search the week's talks and play from the right second."))</p>
        <form id="search" role="search" action="/" method="get" class="search">
        <div class="field grow">
        <label for="q">\(l.pick("Sökord", "Search words"))</label>
        <input id="q" name="q" type="search" value="\(HTML.escape(q))">
        </div>
        <div class="field"><label for="day">\(l.pick("Dag", "Day"))</label>
        <select id="day" name="day">\(options("day", l.pick("Alla dagar", "All days"), days))</select></div>
        <div class="field"><label for="room">\(l.pick("Sal", "Room"))</label>
        <select id="room" name="room">\(options("room", l.pick("Alla salar", "All rooms"), rooms))</select></div>
        <div class="field"><label for="language">\(l.pick("Språk", "Language"))</label>
        <select id="language" name="language">\(options("language", l.pick("Alla språk", "All languages"), languages))</select></div>
        \(topic.map { "<input type=\"hidden\" name=\"topic\" value=\"\(HTML.escape($0))\">" } ?? "")
        <div class="field"><button type="submit">\(l.pick("Sök", "Search"))</button></div>
        </form>
        <nav aria-labelledby="topics-h" class="topics">
        <h2 id="topics-h">\(l.pick("Ämnen", "Topics"))</h2>
        <ul class="chips">\(chips)</ul>
        </nav>
        \(topicList)
        <div class="layout">
        <section aria-labelledby="hits-h" class="results">
        <h2 id="hits-h">\(l.pick("Träffar", "Hits"))</h2>
        <p id="status" role="status" aria-live="polite"></p>
        <ol id="hits" class="hits"></ol>
        </section>
        <section aria-labelledby="player-h" class="player" id="player" hidden>
        <h2 id="player-h">\(l.pick("Spelare", "Player"))</h2>
        <p id="now-playing" class="now"></p>
        <video id="video" controls preload="metadata" playsinline></video>
        <p><button type="button" id="save">\(l.pick("Spara i Titta senare", "Save to Watch later"))</button></p>
        <nav aria-labelledby="chapters-h"><h3 id="chapters-h">\(l.pick("Kapitel", "Chapters"))</h3><ol id="chapters" class="chapters"></ol></nav>
        </section>
        </div>
        <section aria-labelledby="later-h" class="later">
        <h2 id="later-h">\(l.pick("Titta senare", "Watch later"))</h2>
        <p id="later-empty">\(l.pick("Inget sparat ännu. Spara ett ögonblick från spelaren.", "Nothing saved yet. Save a moment from the player."))</p>
        <ul id="later" class="later-list"></ul>
        </section>
        <script type="application/json" id="page-data">\(HTML.scriptJSON(["sessions": sessions, "text": text, "topic": topic ?? ""] as [String: Any]))</script>
        """
        return PageFrame(language: l, title: l.pick("Sök", "Search") + " – " + catalogue.title, siteTitle: catalogue.title, current: "/")
            .render(body: body, scripts: ["/assets/app.js"])
    }

    func sessionCard(_ entry: Catalogue.Entry) -> String {
        let image = entry.image.map { "<img src=\"\(HTML.escape(catalogue.links.thumbnail($0)))\" alt=\"\" width=\"160\" height=\"90\" loading=\"lazy\">" } ?? ""
        return """
        <li class="card">\(image)<div><h3><a href="\(HTML.escape(catalogue.links.watch(entry.session)))">\(HTML.escape(entry.session.title))</a></h3>
        <p class="meta">\(HTML.escape(entry.session.persons.joined(separator: ", ")))</p>
        <p class="meta">\(HTML.escape(dayLabel(entry.day)))\(entry.session.room.map { " · " + HTML.escape($0) } ?? "")</p></div></li>
        """
    }

    func dayLabel(_ day: String) -> String { PagesDates.dayLabel(day, language: language) }
    func languageName(_ code: String) -> String { PagesDates.languageName(code, language: language) }
}

enum PagesDates {
    /// `2021-10-05` as `tisdag 5 oktober` or `Tuesday 5 October`; other text as it is.
    static func dayLabel(_ day: String, language: PageLanguage) -> String {
        dayFormatters.label(day, language: language)
    }

    /// Built once: a page names many days, and a `DateFormatter` is costly to make.
    private static let dayFormatters = DayFormatters()

    static func languageName(_ code: String, language: PageLanguage) -> String {
        Locale(identifier: language.rawValue).localizedString(forLanguageCode: code).map { $0.prefix(1).uppercased() + $0.dropFirst() } ?? code
    }

    static func time(_ date: Date, zone: TimeZone) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = "HH:mm"
        return formatter.string(from: date)
    }
}

/// The formatters of `PagesDates.dayLabel`, made once and used under a lock, since a
/// `DateFormatter` is not `Sendable` (it may not be used by two threads at once).
private final class DayFormatters: @unchecked Sendable {
    private let lock = NSLock()
    private let parser = DayFormatters.formatter(locale: "en_US_POSIX", format: "yyyy-MM-dd")
    private let swedish = DayFormatters.formatter(locale: "sv_SE", format: "EEEE d MMMM")
    private let english = DayFormatters.formatter(locale: "en_GB", format: "EEEE d MMMM")

    private static func formatter(locale: String, format: String) -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: locale)
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = format
        return formatter
    }

    func label(_ day: String, language: PageLanguage) -> String {
        lock.lock()
        defer { lock.unlock() }
        guard let date = parser.date(from: day) else { return day }
        return (language == .sv ? swedish : english).string(from: date)
    }
}

// MARK: - /sessions/{slug}

/// A session's watch page: the video from `?t=`, chapters, transcript, JSON-LD and Open Graph.
struct WatchPage {
    let catalogue: Catalogue
    let entry: Catalogue.Entry
    let language: PageLanguage
    /// Seconds from the session's start (its in point in the first part).
    let start: Double
    /// `http://host` or the public URL, for absolute links.
    let origin: String

    func absolute(_ link: String) -> String { link.hasPrefix("/") ? origin + link : link }

    func render() -> String {
        let l = language
        let session = entry.session
        let links = catalogue.links
        let part = entry.parts.first
        let inPoint = part?.link.inSeconds ?? 0
        let outPoint = part?.link.outSeconds ?? 0
        let recording = part.flatMap { catalogue.recordings[$0.recordingID] }
        let segments = entry.segments.filter { $0.recordingID == part?.recordingID }
        let description = session.abstract ?? session.description ?? session.subtitle ?? ""
        let watchURL = absolute(links.watch(session))
        let image = entry.image.map { absolute(links.thumbnail($0)) }
        // Tracks.
        var tracks = ""
        if let part {
            tracks += "<track kind=\"chapters\" srclang=\"\(l.rawValue)\" label=\"\(l.pick("Kapitel", "Chapters"))\" src=\"\(HTML.escape(links.recordingAPI(part.recordingID, "chapters.vtt")))\" default>\n"
            // Captions in the languages some segment of this session has text in.
            let textLanguages = Set(segments.flatMap { $0.transcript.filter { $0.value != .empty }.map(\.key) }).sorted()
            do {
                for (index, code) in textLanguages.enumerated() where code != "und" {
                    tracks += "<track kind=\"captions\" srclang=\"\(HTML.escape(code))\" label=\"\(HTML.escape(PagesDates.languageName(code, language: l)))\" "
                        + "src=\"\(HTML.escape(links.recordingAPI(part.recordingID, "transcript.vtt") + "?language=" + Links.query(code)))\"\(index == 0 ? " default" : "")>\n"
                }
            }
        }
        // JSON-LD.
        var video: [String: Any] = [
            "@context": "https://schema.org", "@type": "VideoObject", "name": session.title,
            "description": description.isEmpty ? session.title : description,
            "uploadDate": catalogue.timestamp(session.start), "url": watchURL,
            "duration": HTML.isoDuration(max(0, outPoint - inPoint)),
        ]
        if let image { video["thumbnailUrl"] = [image] }
        if let part { video["contentUrl"] = absolute(links.media(part.recording)) }
        if let code = session.language { video["inLanguage"] = code }
        video["hasPart"] = segments.map { segment -> [String: Any] in
            let from = max(0, segment.segment.startSeconds - inPoint)
            let to = max(from, segment.segment.endSeconds - inPoint)
            return ["@type": "Clip", "name": segment.segment.title, "startOffset": WholeSeconds.down(from),
                    "endOffset": WholeSeconds.up(to), "url": absolute(links.watch(session, at: from))]
        }
        let head = """
        <meta name="description" content="\(HTML.escape(String(description.prefix(300))))">
        <link rel="canonical" href="\(HTML.escape(watchURL))">
        <meta property="og:type" content="video.other">
        <meta property="og:title" content="\(HTML.escape(session.title))">
        <meta property="og:description" content="\(HTML.escape(String(description.prefix(300))))">
        <meta property="og:url" content="\(HTML.escape(watchURL))">
        <meta property="og:site_name" content="\(HTML.escape(catalogue.title))">
        <meta property="og:locale" content="\(l == .sv ? "sv_SE" : "en_GB")">
        \(image.map { "<meta property=\"og:image\" content=\"\(HTML.escape($0))\">" } ?? "")
        \(part.map { "<meta property=\"og:video\" content=\"\(HTML.escape(absolute(links.media($0.recording))))\">" } ?? "")
        \(recording.map { "<meta property=\"og:video:type\" content=\"\(HTML.escape($0.mediaType))\">" } ?? "")
        <script type="application/ld+json">\(HTML.scriptJSON(video))</script>
        """
        let chapters = segments.map { segment -> String in
            let from = max(0, segment.segment.startSeconds - inPoint)
            let thumb = segment.thumbnail.map { "<img src=\"\(HTML.escape(links.thumbnail($0)))\" alt=\"\" width=\"96\" height=\"54\" loading=\"lazy\">" } ?? ""
            return """
            <li data-start="\(Links.seconds(segment.segment.startSeconds))" data-end="\(Links.seconds(segment.segment.endSeconds))">\
            <a class="seek" href="?t=\(max(0, WholeSeconds.down(from)))" data-seconds="\(Links.seconds(segment.segment.startSeconds))">\(thumb)\
            <span><time>\(HTML.timecode(from))</time> \(HTML.escape(segment.segment.title))</span></a></li>
            """
        }.joined(separator: "\n")
        let when = PagesDates.dayLabel(entry.day, language: l) + " " + PagesDates.time(session.start, zone: catalogue.timeZone)
            + "–" + PagesDates.time(session.end, zone: catalogue.timeZone)
        let videoElement = part.map { part in
            """
            <video id="video" controls preload="metadata" playsinline data-offset="\(Links.seconds(inPoint))" data-start="\(Links.seconds(start))"\
            \(image.map { " poster=\"\(HTML.escape($0))\"" } ?? "") src="\(HTML.escape(links.media(part.recording) + "#t=" + Links.seconds(inPoint + start)))">
            \(tracks)</video>
            """
        } ?? "<p>\(l.pick("Inspelningen finns inte.", "The recording is missing."))</p>"
        let transcriptURL = part.map { links.recordingAPI($0.recordingID, "transcript.json") } ?? ""
        let body = """
        <article class="watch">
        <h1>\(HTML.escape(session.title))</h1>
        \(session.subtitle.map { "<p class=\"lead\">\(HTML.escape($0))</p>" } ?? "")
        <p class="meta">\(session.persons.isEmpty ? "" : "<span>\(l.pick("Talare", "Speakers")): \(HTML.escape(session.persons.joined(separator: ", ")))</span> · ")\
        <span>\(HTML.escape(when))</span>\(session.room.map { " · <span>" + HTML.escape($0) + "</span>" } ?? "")</p>
        <div class="layout">
        <div class="player">\(videoElement)
        <p><button type="button" id="save" data-guid="\(HTML.escape(session.guid))" data-title="\(HTML.escape(session.title))" \
        data-watch="\(HTML.escape(links.watch(session)))" data-offset="\(Links.seconds(inPoint))">\(l.pick("Spara i Titta senare", "Save to Watch later"))</button>
        <span id="status" role="status" aria-live="polite"></span></p>
        </div>
        <nav aria-labelledby="chapters-h" class="chapters-box"><h2 id="chapters-h">\(l.pick("Kapitel", "Chapters"))</h2>
        <ol id="chapters" class="chapters thumbs">\(chapters)</ol></nav>
        </div>
        \(description.isEmpty ? "" : "<section aria-labelledby=\"about-h\"><h2 id=\"about-h\">\(l.pick("Om sessionen", "About the session"))</h2><p class=\"abstract\">\(HTML.escape(description))</p></section>")
        <section aria-labelledby="transcript-h" class="transcript">
        <h2 id="transcript-h">\(l.pick("Transkription", "Transcript"))</h2>
        <p id="transcript-empty">\(l.pick("Ingen transkription ännu.", "No transcript yet."))</p>
        <ol id="transcript" data-src="\(HTML.escape(transcriptURL))" data-offset="\(Links.seconds(inPoint))" data-end="\(Links.seconds(outPoint))"></ol>
        </section>
        </article>
        <script type="application/json" id="page-data">\(HTML.scriptJSON(["text": ["saved": l.pick("Sparad i Titta senare.", "Saved to Watch later.")]]))</script>
        """
        return PageFrame(language: l, title: session.title + " – " + catalogue.title, siteTitle: catalogue.title, head: head)
            .render(body: body, scripts: ["/assets/app.js"])
    }
}

// MARK: - /overview

/// The week at a glance: days × rooms, each session with its state; details for staff only.
struct OverviewPage {
    enum State: String, CaseIterable { case published, review, missing, optedOut }

    let catalogue: Catalogue
    let snapshot: IndexSnapshot
    let language: PageLanguage
    let admin: Bool

    func label(_ state: State) -> String {
        switch state {
        case .published: return language.pick("Publicerad", "Published")
        case .review: return language.pick("Granskas", "In review")
        case .missing: return language.pick("Ingen inspelning", "No recording")
        case .optedOut: return language.pick("Avböjd inspelning", "Opted out")
        }
    }

    func render() -> String {
        let l = language
        var candidates: [String: [(recording: StoredRecording, link: StoredLink)]] = [:]
        var optedOutGuids = Set<String>()
        let recordings = Dictionary(snapshot.recordings.compactMap { r in r.id.map { ($0, r) } }, uniquingKeysWith: { a, _ in a })
        for (id, links) in snapshot.links {
            for link in links {
                if link.flags.contains(.doNotRecord) { optedOutGuids.insert(link.sessionGuid) }
                if let recording = recordings[id] { candidates[link.sessionGuid, default: []].append((recording, link)) }
            }
        }
        func state(_ session: Session) -> State {
            if session.doNotRecord || optedOutGuids.contains(session.guid) { return .optedOut }
            if catalogue.entry(guidOrSlug: session.guid) != nil { return .published }
            if candidates[session.guid]?.isEmpty == false { return .review }
            return .missing
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = catalogue.timeZone
        func day(_ date: Date) -> String {
            let c = calendar.dateComponents([.year, .month, .day], from: date)
            return String(format: "%04d-%02d-%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0)
        }
        let sessions = snapshot.sessions.sorted { ($0.start, $0.guid) < ($1.start, $1.guid) }
        let states = Dictionary(sessions.map { ($0.guid, state($0)) }, uniquingKeysWith: { a, _ in a })
        let noRoom = l.pick("Utan sal", "No room")
        let rooms = Array(Set(sessions.map { $0.room ?? noRoom })).sorted()
        let days = Array(Set(sessions.map { day($0.start) })).sorted()
        var counts: [State: Int] = [:]
        for s in states.values { counts[s, default: 0] += 1 }
        let summary = State.allCases.map { "<li><span class=\"state \($0.rawValue)\">\(label($0))</span>: <strong>\(counts[$0] ?? 0)</strong></li>" }.joined()
        func cell(_ session: Session) -> String {
            let s = states[session.guid] ?? .missing
            let time = PagesDates.time(session.start, zone: catalogue.timeZone)
            let badge = "<span class=\"state \(s.rawValue)\">\(label(s))</span>"
            switch s {
            case .published:
                let entry = catalogue.entry(guidOrSlug: session.guid)
                let image = entry?.image.map { "<img src=\"\(HTML.escape(catalogue.links.thumbnail($0)))\" alt=\"\" width=\"120\" height=\"68\" loading=\"lazy\">" } ?? ""
                return "<li class=\"slot\">\(image)<div><time>\(time)</time> <a href=\"\(HTML.escape(catalogue.links.watch(session)))\">\(HTML.escape(session.title))</a> \(badge)</div></li>"
            case .review, .missing, .optedOut:
                guard admin else {
                    return "<li class=\"slot\"><div><time>\(time)</time> \(s == .optedOut ? l.pick("(titel dold)", "(title hidden)") : HTML.escape(session.title)) \(badge)</div></li>"
                }
                var details = ""
                if s == .review || s == .optedOut, let found = candidates[session.guid], !found.isEmpty {
                    let items = found.map { c -> String in
                        let id = c.recording.id ?? 0
                        let score = String(format: "%.2f", c.link.score)
                        let span = HTML.timecode(c.link.inSeconds) + "–" + HTML.timecode(c.link.outSeconds)
                        var item = "<li><code>" + HTML.escape(c.recording.path) + "</code> (#\(id)), " + HTML.escape(c.link.kind.rawValue) + ", "
                        item += l.pick("poäng", "score") + " " + score + ", " + span
                        if !c.link.reasons.isEmpty {
                            item += "<ul>" + c.link.reasons.map { "<li>" + HTML.escape($0) + "</li>" }.joined() + "</ul>"
                        }
                        if !c.link.flags.isEmpty {
                            item += "<p>" + l.pick("Flaggor", "Flags") + ": " + HTML.escape(c.link.flags.map(\.rawValue).joined(separator: ", ")) + "</p>"
                        }
                        return item + "</li>"
                    }.joined()
                    details = "<details><summary>\(l.pick("Kandidater och skäl", "Candidates and reasons")) (\(found.count))</summary><ul>\(items)</ul></details>"
                }
                return "<li class=\"slot\"><div><time>\(time)</time> \(HTML.escape(session.title)) \(badge)\(details)</div></li>"
            }
        }
        let header = "<tr><th scope=\"col\">\(l.pick("Dag", "Day"))</th>" + rooms.map { "<th scope=\"col\">\(HTML.escape($0))</th>" }.joined() + "</tr>"
        let rows = days.map { d in
            "<tr><th scope=\"row\">\(HTML.escape(PagesDates.dayLabel(d, language: l)))</th>" + rooms.map { room in
                let here = sessions.filter { day($0.start) == d && ($0.room ?? noRoom) == room }
                return "<td>" + (here.isEmpty ? "" : "<ul class=\"slots\">" + here.map(cell).joined() + "</ul>") + "</td>"
            }.joined() + "</tr>"
        }.joined(separator: "\n")
        let body = """
        <h1>\(l.pick("Veckan i överblick", "The week at a glance"))</h1>
        <p class="lead">\(admin ? l.pick("Inloggad som personal: alla detaljer visas.", "Signed in as staff: all details are shown.")
            : l.pick("Detaljer om avböjda och opublicerade sessioner visas bara med administratörsnyckeln.", "Details of opted-out and unpublished sessions are shown only with the admin token."))</p>
        <h2>\(l.pick("Antal per läge", "Counts per state"))</h2>
        <ul class="counts" id="counts">\(summary)</ul>
        <h2 id="grid-h">\(l.pick("Program", "Programme"))</h2>
        <div class="table-wrap" role="region" aria-labelledby="grid-h" tabindex="0">
        <table class="grid"><thead>\(header)</thead><tbody>\(rows)</tbody></table>
        </div>
        """
        return PageFrame(language: l, title: l.pick("Veckan i överblick", "Week at a glance") + " – " + catalogue.title, siteTitle: catalogue.title,
                         head: "<meta name=\"robots\" content=\"noindex\">", current: "/overview").render(body: body)
    }
}
