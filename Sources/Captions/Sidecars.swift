import Foundation

/// A caption file next to a recording: `talk.vtt`, `talk.sv.vtt`, `talk.en.srt`.
public struct Sidecar: Sendable, Equatable, Hashable {
    /// The sidecar's path: the recording's folder and the sidecar's name.
    public var path: String
    /// The format its extension names.
    public var format: CaptionFile.Format
    /// The language named between the recording's name and the extension (`sv`, `en-GB`,
    /// `swe`), or nil when the name has none.
    public var language: String?

    public init(path: String, format: CaptionFile.Format, language: String? = nil) {
        self.path = path
        self.format = format
        self.language = language
    }
}

extension Sidecar {
    /// Words players put in sidecar names that are not languages (`talk.en.sdh.srt`, `talk.forced.srt`).
    static let flags: Set<String> = ["sdh", "cc", "forced", "default", "foreign"]

    /// The caption files next to `recording`, sorted by path. A file belongs to the recording
    /// when its name is the recording's name without its extension, optionally followed by
    /// `.language` and flags such as `.sdh` or `.forced`, and ends in `.vtt` or `.srt` in any
    /// case. Only regular files are listed; a folder that cannot be read gives none.
    public static func find(nextTo recording: String) -> [Sidecar] {
        let url = URL(fileURLWithPath: recording)
        let folder = url.deletingLastPathComponent().path
        let stem = url.deletingPathExtension().lastPathComponent
        guard !stem.isEmpty, let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return [] }
        var found: [Sidecar] = []
        for name in names.sorted() {
            guard let (format, language) = match(name: name, stem: stem) else { continue }
            let path = (folder as NSString).appendingPathComponent(name)
            var info = stat()
            guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
            found.append(Sidecar(path: path, format: format, language: language))
        }
        return found
    }

    /// Whether `name` is a sidecar of a recording named `stem` (without extension): its format
    /// and the language it names (nil for none); nil when it is not a sidecar.
    static func match(name: String, stem: String) -> (CaptionFile.Format, String?)? {
        let ext = (name as NSString).pathExtension
        guard let format = CaptionFile.Format(rawValue: ext.lowercased()) else { return nil }
        let base = String(name.dropLast(ext.count + 1))
        if base == stem { return (format, nil) }
        guard base.hasPrefix(stem + ".") else { return nil }
        let parts = base.dropFirst(stem.count + 1).split(separator: ".", omittingEmptySubsequences: false)
        guard parts.allSatisfy({ !$0.isEmpty }) else { return nil }
        // The first part may be a language; every other part must be a flag, or the file
        // belongs to another recording (`talk.v2.srt` is not a sidecar of `talk.mp4`).
        var language: String?
        var rest = parts[...]
        if let first = parts.first, !flags.contains(first.lowercased()), let tag = languageTag(first) {
            language = tag == "und" ? nil : tag
            rest = rest.dropFirst()
        }
        guard rest.allSatisfy({ flags.contains($0.lowercased()) }) else { return nil }
        return (format, language)
    }

    /// A BCP 47-like tag with an ISO 639 language (`sv`, `swe`, `en-GB`, `pt_br`, `zh-Hant`)
    /// normalised to `en-GB` form, or nil when the text is not one.
    static func languageTag(_ text: Substring) -> String? {
        let subtags = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "-" || $0 == "_" })
        guard let primary = subtags.first, (2...3).contains(primary.count), primary.allSatisfy({ $0.isASCII && $0.isLetter }) else { return nil }
        var result = primary.lowercased()
        // Only ISO 639 codes, so that `talk.old.srt` is not read as a language called "old".
        guard Locale.LanguageCode(result).isISOLanguage else { return nil }
        for subtag in subtags.dropFirst() {
            guard (2...8).contains(subtag.count), subtag.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else { return nil }
            if subtag.count == 2, subtag.allSatisfy({ $0.isLetter }) {
                result += "-" + subtag.uppercased()
            } else if subtag.count == 4, subtag.allSatisfy({ $0.isLetter }) {
                result += "-" + subtag.prefix(1).uppercased() + subtag.dropFirst().lowercased()
            } else {
                result += "-" + subtag.lowercased()
            }
        }
        return result
    }
}
