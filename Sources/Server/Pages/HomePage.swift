import Feed
import Foundation
import Schedule

/// The watch-later lookup (`/`, `home.mustache`): search with filters, topic chips, hits,
/// player, chapters, watch later. The values the template reads, worked out from one catalogue.
struct HomePage {
    /// A choice of a filter's `<select>`.
    struct Option {
        var value: String
        var label: String
        var selected: Bool
    }

    /// A topic chip: its name, how many sessions, and whether it is the chosen topic.
    struct Chip {
        var name: String
        var slugQuery: String
        var count: Int
        var current: Bool
    }

    /// A session of the chosen topic, for browsing without typing.
    struct Card {
        var image: String?
        var watch: String
        var title: String
        var persons: String
        var day: String
        var room: String?
    }

    /// The chosen topic and its sessions.
    struct TopicList {
        var name: String
        var cards: [Card]
    }

    /// The page's JSON for `app.js`: the sessions a hit may name, and the texts it shows.
    struct PageData: Encodable {
        struct Session: Encodable {
            var persons: [String]
            var title: String
            var watch: String
        }

        var sessions: [String: Session]
        var text: [String: String]
        var topic: String
    }

    let language: PageLanguage
    let siteTitle: String
    let sv: Bool
    let q: String
    let days: [Option]
    let rooms: [Option]
    let languages: [Option]
    let topic: String?
    let chips: [Chip]
    let topicList: TopicList?
    /// `PageData` as script-safe JSON.
    let pageData: String

    init(catalogue: Catalogue, language: PageLanguage, query: QueryParameters) {
        self.language = language
        siteTitle = catalogue.title
        sv = language == .sv
        q = query.text("q") ?? ""
        let topic = query.text("topic")
        self.topic = topic
        func options(_ name: String, _ facets: [(value: String, label: String)]) -> [Option] {
            let selected = query.text(name)
            return facets.map { Option(value: $0.value, label: $0.label, selected: $0.value == selected) }
        }
        days = options("day", catalogue.days.map { (value: $0.slug, label: PagesDates.dayLabel($0.slug, language: language)) })
        rooms = options("room", catalogue.rooms.map { (value: $0.name, label: $0.name) })
        let codes = Set(catalogue.recordings.values.flatMap(\.languages) + catalogue.entries.compactMap(\.session.language))
        languages = options("language", codes.filter { $0 != "und" }.sorted().map { (value: $0, label: PagesDates.languageName($0, language: language)) })
        chips = catalogue.topics.map { facet in
            Chip(name: facet.name, slugQuery: Links.query(facet.slug), count: facet.count,
                 current: Slug.make(topic ?? "") == facet.slug && topic != nil)
        }
        topicList = Self.topicList(topic, catalogue: catalogue, language: language)
        pageData = ScriptJSON.text(Self.pageData(catalogue: catalogue, language: language, topic: topic))
    }

    /// The sessions of the chosen topic; nil without a topic or for one nobody has.
    static func topicList(_ topic: String?, catalogue: Catalogue, language: PageLanguage) -> TopicList? {
        guard let topic, let entries = catalogue.entries(for: .topic(Slug.make(topic))),
              let facet = catalogue.facet(for: .topic(Slug.make(topic))) else { return nil }
        let cards = entries.map { entry in
            Card(image: entry.image.map(catalogue.links.thumbnail), watch: catalogue.links.watch(entry.session), title: entry.session.title,
                 persons: entry.session.persons.joined(separator: ", "), day: PagesDates.dayLabel(entry.day, language: language),
                 room: entry.session.room)
        }
        return TopicList(name: facet.name, cards: cards)
    }

    static func pageData(catalogue: Catalogue, language l: PageLanguage, topic: String?) -> PageData {
        let sessions = Dictionary(catalogue.entries.map { entry in
            (entry.session.guid, PageData.Session(persons: entry.session.persons, title: entry.session.title, watch: catalogue.links.watch(entry.session)))
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
        return PageData(sessions: sessions, text: text, topic: topic ?? "")
    }

    /// The whole page.
    func render() -> String {
        PageFrame(language: language, title: language.pick("Sök", "Search") + " – " + siteTitle, siteTitle: siteTitle, current: "/")
            .render(body: PageTemplates.render(self, with: "home"), scripts: [PageAssets.path("search.js"), PageAssets.path("app.js")])
    }
}
