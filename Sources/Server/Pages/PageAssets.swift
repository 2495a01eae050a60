import Foundation
import IndexStore

/// The stylesheet and script of the web pages, served by efterhand itself under `/assets/`.
/// They are files of the Server target's resources (`Sources/Server/Resources`), read once;
/// `buildApplication` calls `requireLoaded()` so that a build without them fails at start.
enum PageAssets {
    /// The asset files by name under `/assets/`, with their content types.
    static let names: [(file: String, contentType: String)] = [
        ("site.css", "text/css; charset=utf-8"),
        ("app.js", "text/javascript; charset=utf-8"),
        ("staff.js", "text/javascript; charset=utf-8"),
        ("search.js", "text/javascript; charset=utf-8"),
    ]

    /// The assets as read from the bundle, or why they could not be.
    private static let loaded: Result<[String: Representation], PageAssetError> = load()

    /// The assets by file name (empty when they could not be read; see `requireLoaded()`).
    static var files: [String: Representation] { (try? loaded.get()) ?? [:] }

    /// Each asset's name with a hash of its bytes (`site.3f2a9c01d4e7.css`), which the pages
    /// link to: a browser or CDN may keep it forever, and a new build links to a new name.
    static let hashedNames: [String: String] = {
        var names: [String: String] = [:]
        for (file, _) in Self.names {
            guard let body = files[file]?.body else { continue }
            let hash = String(FNV1a.hash(Data(body.readableBytesView)), radix: 16)
            let stem = (file as NSString).deletingPathExtension, ext = (file as NSString).pathExtension
            names[file] = stem + "." + String(repeating: "0", count: max(0, 16 - hash.count)) + hash + "." + ext
        }
        return names
    }()

    /// The file an asset name stands for: itself, or the file of a hashed name.
    static let byHashedName: [String: String] = Dictionary(hashedNames.map { ($0.value, $0.key) }, uniquingKeysWith: { a, _ in a })

    /// The path pages link an asset by: `/assets/` and its hashed name.
    static func path(_ file: String) -> String {
        "/assets/" + (hashedNames[file] ?? file)
    }

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
