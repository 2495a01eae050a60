import Linking
import Schedule
import Foundation

/// Small helpers for the Swift-rendered web pages: escaping, time codes, JSON inside `<script>`.
enum HTML {
    /// `text` escaped for element content and quoted attribute values.
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

    /// Seconds as an ISO 8601 duration (`PT1H2M3S`), for schema.org.
    static func isoDuration(_ seconds: Double) -> String {
        let total = max(0, WholeSeconds.nearest(seconds))
        var text = "PT"
        if total >= 3600 { text += "\(total / 3600)H" }
        if total >= 60 { text += "\(total / 60 % 60)M" }
        return text + "\(total % 60)S"
    }

    /// A JSON value made safe inside `<script>`: no `<` can close the element or open a comment.
    static func scriptJSON(_ value: Any) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]),
              let text = String(data: data, encoding: .utf8) else { return "null" }
        return text.replacingOccurrences(of: "<", with: "\\u003c").replacingOccurrences(of: ">", with: "\\u003e")
            .replacingOccurrences(of: "&", with: "\\u0026")
    }
}

/// The frame every page shares: skip link, header with navigation, main landmark.
struct PageFrame {
    var language: PageLanguage
    var title: String
    var siteTitle: String
    var head: String = ""
    var current: String = ""

    func render(body: String, scripts: [String] = []) -> String {
        let l = language
        func nav(_ href: String, _ label: String) -> String {
            "<li><a href=\"\(href)\"\(current == href ? " aria-current=\"page\"" : "")>\(HTML.escape(label))</a></li>"
        }
        return """
        <!doctype html>
        <html lang="\(l.rawValue)">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(HTML.escape(title))</title>
        <link rel="stylesheet" href="/assets/site.css">
        <link rel="alternate" type="application/feed+json" title="\(HTML.escape(siteTitle))" href="/feed.json">
        \(head)
        </head>
        <body>
        <a class="skip" href="#main">\(l.pick("Hoppa till innehållet", "Skip to content"))</a>
        <header class="site">
        <p class="brand"><a href="/">\(HTML.escape(siteTitle))</a></p>
        <nav aria-label="\(l.pick("Huvudmeny", "Main menu"))"><ul>
        \(nav("/", l.pick("Sök", "Search")))
        \(nav("/overview", l.pick("Veckan i överblick", "Week at a glance")))
        </ul></nav>
        </header>
        <main id="main" tabindex="-1">
        \(body)
        </main>
        \(scripts.map { "<script src=\"\($0)\" defer></script>" }.joined(separator: "\n"))
        </body>
        </html>
        """
    }
}
