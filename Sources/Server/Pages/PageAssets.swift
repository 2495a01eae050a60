import Foundation

/// The stylesheet and script of the web pages, served by efterhand itself under `/assets/`.
enum PageAssets {
    static let files: [String: Representation] = [
        "site.css": Representation(Data(css.utf8), contentType: "text/css; charset=utf-8"),
        "app.js": Representation(Data(javascript.utf8), contentType: "text/javascript; charset=utf-8"),
    ]
}
