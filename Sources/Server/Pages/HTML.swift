import Linking
import Schedule
import Foundation

/// Small helpers for the web pages: escaping and time codes.
enum HTML {
    /// `text` escaped for element content and quoted attribute values: the rule of the
    /// templates' `{{ }}`, for code (and tests) that look for a value in a page.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// Seconds as `h:mm:ss`.
    static func timecode(_ seconds: Double) -> String {
        ClockText.position(max(0, seconds), rounding: .down)
    }
}

/// The frame every page shares (`frame.mustache`): skip link, header with navigation, main landmark.
struct PageFrame {
    var language: PageLanguage
    var title: String
    var siteTitle: String
    /// HTML rendered by the page's own head template.
    var head: String = ""
    /// The path of the navigation entry that is this page.
    var current: String = ""
    /// Whether search engines are asked not to index the page.
    var noindex = false

    /// What `frame.mustache` reads.
    struct Model {
        struct NavItem {
            var href: String
            var label: String
            var current: Bool
        }

        var lang: String
        var sv: Bool
        var title: String
        var siteTitle: String
        var head: String
        var noindex: Bool
        var nav: [NavItem]
        var body: String
        var scripts: [String]
        var stylesheet: String
    }

    /// The whole page around `body` (HTML rendered by the page's template).
    func render(body: String, scripts: [String] = []) -> String {
        let l = language
        let nav = [("/", l.pick("Sök", "Search")), ("/overview", l.pick("Veckan i överblick", "Week at a glance"))].map {
            Model.NavItem(href: $0.0, label: $0.1, current: current == $0.0)
        }
        let model = Model(lang: l.rawValue, sv: l == .sv, title: title, siteTitle: siteTitle, head: head, noindex: noindex, nav: nav, body: body, scripts: scripts,
                          stylesheet: PageAssets.path("site.css"))
        return PageTemplates.render(model, with: "frame")
    }
}
