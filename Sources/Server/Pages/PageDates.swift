import Foundation

/// Days, times and language names as the pages write them.
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
