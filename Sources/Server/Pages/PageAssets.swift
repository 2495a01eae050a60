import Foundation

/// The stylesheet and script of the web pages, served by efterhand itself under `/assets/`.
/// They are files of the Server target's resources (`Sources/Server/Resources`), read once;
/// `buildApplication` calls `requireLoaded()` so that a build without them fails at start.
enum PageAssets {
    /// The asset files by name under `/assets/`, with their content types.
    static let names: [(file: String, contentType: String)] = [
        ("site.css", "text/css; charset=utf-8"),
        ("app.js", "text/javascript; charset=utf-8"),
        ("staff.js", "text/javascript; charset=utf-8"),
    ]

    /// The assets as read from the bundle, or why they could not be.
    private static let loaded: Result<[String: Representation], PageAssetError> = load()

    /// The assets by file name (empty when they could not be read; see `requireLoaded()`).
    static var files: [String: Representation] { (try? loaded.get()) ?? [:] }

    /// Throws when an asset is missing from the Server target's resources.
    static func requireLoaded() throws {
        _ = try loaded.get()
    }

    private static func load() -> Result<[String: Representation], PageAssetError> {
        var files: [String: Representation] = [:]
        for (file, contentType) in names {
            let name = (file as NSString).deletingPathExtension
            let ext = (file as NSString).pathExtension
            guard let url = Bundle.module.url(forResource: name, withExtension: ext, subdirectory: "Resources"),
                  let data = try? Data(contentsOf: url) else {
                return .failure(PageAssetError(file: file, bundle: Bundle.module.bundlePath))
            }
            files[file] = Representation(data, contentType: contentType)
        }
        return .success(files)
    }
}

/// A page asset missing from the Server target's resources (a build or install without them).
struct PageAssetError: Error, CustomStringConvertible {
    /// The asset's file name (`site.css`).
    var file: String
    /// The resource bundle it was looked for in.
    var bundle: String

    var description: String { "the page asset 'Resources/\(file)' is missing from the bundle '\(bundle)'" }
}
