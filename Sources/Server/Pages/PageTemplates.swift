import Foundation
import Mustache

/// The Mustache templates of the web pages, files of the Server target's resources
/// (`Sources/Server/Resources/templates/*.mustache`), read and parsed once into one library;
/// `buildApplication` calls `requireLoaded()` so that a build without them fails at start.
///
/// `{{ }}` escapes a value for HTML; a template uses `{{{ }}}` only for text that is already
/// HTML or script-safe JSON, and says why in a comment.
enum PageTemplates {
    /// The template files, by name without `.mustache`.
    static let names = ["frame", "home", "option", "not-found", "watch", "watch-head", "overview", "overview-slot", "staff-sign-in", "staff-review", "staff-cut", "staff-bar", "staff-sessions", "staff-history", "staff-edit", "staff-captions"]

    /// The templates as read from the bundle, or why they could not be.
    private static let loaded: Result<MustacheLibrary, PageTemplateError> = load()

    /// Throws when a template is missing from the Server target's resources or does not parse.
    static func requireLoaded() throws {
        _ = try loaded.get()
    }

    /// `model` rendered by the template `name`; empty when the templates could not be loaded
    /// (see `requireLoaded()`).
    static func render(_ model: Any, with name: String) -> String {
        guard let library = try? loaded.get() else { return "" }
        return library.render(model, withTemplate: name) ?? ""
    }

    private static func load() -> Result<MustacheLibrary, PageTemplateError> {
        var library = MustacheLibrary()
        for name in names {
            let file = "Resources/templates/\(name).mustache"
            guard let url = Bundle.module.url(forResource: name, withExtension: "mustache", subdirectory: "Resources/templates"),
                  var text = try? String(contentsOf: url, encoding: .utf8) else {
                return .failure(PageTemplateError(file: file, bundle: Bundle.module.bundlePath, cause: nil))
            }
            // A file ends with a newline; what it renders does not (a page ends at `</html>`).
            if text.hasSuffix("\n") { text.removeLast() }
            do {
                try library.register(text, named: name)
            } catch {
                return .failure(PageTemplateError(file: file, bundle: Bundle.module.bundlePath, cause: String(describing: error)))
            }
        }
        return .success(library)
    }
}

/// A page template missing from the Server target's resources (a build or install without
/// them), or one that does not parse.
struct PageTemplateError: Error, CustomStringConvertible {
    /// The template's file (`Resources/templates/home.mustache`).
    var file: String
    /// The resource bundle it was looked for in.
    var bundle: String
    /// The parser's complaint; nil when the file is missing.
    var cause: String?

    var description: String {
        if let cause { return "the page template '\(file)' in the bundle '\(bundle)' does not parse: \(cause)" }
        return "the page template '\(file)' is missing from the bundle '\(bundle)'"
    }
}
