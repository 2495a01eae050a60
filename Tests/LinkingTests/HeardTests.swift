import Foundation
import Testing
@testable import Linking
import MediaProbe
import Schedule

/// What is said in a recording's first minutes as a clue (issue 19): weighed only when the
/// other clues leave a recording in doubt, with a reason that quotes what was heard.
@Suite("linking by what is said")
struct HeardTests {
    static let programme = [
        session(1, "Digitala Görel – en robot som höjer innovationsnivån", persons: ["Julia Olander"], at: "13:00", room: "Sal A",
                abstract: "Hur en robot hjälper kommunens medarbetare att pröva nya idéer."),
        session(2, "Öppna data – vad är det och vad kan du göra med den?", persons: ["Gunilla Gudmunds"], at: "13:00", room: "Sal B",
                abstract: "Om dataportalen, licenser och vad invånare har byggt med stadens data."),
        session(3, "Upphandling av innovation", persons: ["Julia Olander"], at: "14:00", room: "Sal A",
                abstract: "Inköp som öppnar för nya lösningar."),
        session(4, "Klimatomställning i kommunen", persons: ["Erik Berg"], at: "14:00", room: "Sal B",
                abstract: "Kommunens väg mot fossilfria transporter och cirkulära inköp."),
    ]

    static func session(_ n: Int, _ title: String, persons: [String], at time: String, room: String, abstract: String) -> Session {
        var session = LinkerTests.session(n, title, "2021-10-06T\(time):00+02:00", minutes: 45, room: room, persons: persons)
        session.abstract = abstract
        session.language = "sv"
        return session
    }

    let linker = Linker(sessions: programme, options: LinkOptions(timeZone: LinkerTests.zone))

    /// A renamed export with no tags, clock or room, in which `said` was heard from 0:04 on.
    func link(_ said: String, tags: [String: String] = [:], path: String = "export/export_final_v3.mp4") -> RecordingLinks {
        var recording = LinkerTests.recording(path, seconds: 2750, tags: tags)
        recording.heard = [HeardLine(start: 4, end: 12, text: said)]
        return linker.link([recording])[0]
    }

    @Test("a speaker who says their name and the title: linked, and the reason quotes both and says when", arguments: [
        ("Välkommen, jag heter Julia Olander och i dag ska vi prata om Digitala Görel, en robot som höjer innovationsnivån.", 0),
        ("Hej och välkommen. Jag heter Gunilla Gudmunds. Öppna data, vad är det och vad kan du göra med den?", 1),
        // As Whisper base hears espeak-ng's Swedish: the name by its sound, the title in part.
        ("Jörg heter Gonilah Godmunds. Vi ska prata om dataportalen och licenser.", 1),
    ])
    func linked(said: String, session: Int) {
        let result = link(said)
        #expect(result.status == .linked, "\(result.candidates.map { ($0.title, $0.score, $0.reasons) })")
        #expect(result.links.map(\.guid) == [Self.programme[session].guid])
        let reason = result.links.first?.reasons.first { $0.hasPrefix("the speaker says") } ?? ""
        #expect(reason.hasSuffix("in the first minute (speech-to-text draft)"), "\(result.links.first?.reasons ?? [])")
        #expect(result.links.first?.flags.contains(.heard) == true)
    }

    @Test("the reason quotes the words around the name as heard")
    func reasonWords() {
        let result = link("Välkommen, jag heter Julia Olander och i dag ska vi prata om Digitala Görel, en robot som höjer innovationsnivån.")
        let reason = result.links.first?.reasons.first { $0.hasPrefix("the speaker says") }
        #expect(reason?.hasPrefix("the speaker says \"jag heter Julia Olander\" and \"Digitala Görel") == true, "\(reason ?? "")")
    }

    @Test("a speaker of two talks who says only their name stays in review, both talks proposed")
    func nameOfTwo() {
        let result = link("Välkommen allihop. Jag heter Julia Olander och jobbar i Göteborg.")
        #expect(result.status == .review)
        #expect(Set(result.candidates.prefix(2).map(\.guid)) == [Self.programme[0].guid, Self.programme[2].guid])
    }

    @Test("a lunch break, a sound check and silence link nothing", arguments: [
        "Nu är det dags för lunch. Vi ses här igen klockan ett. Maten serveras i restaurangen på plan två.",
        "Test, test, ett, två, tre. Hörs jag längst bak? Kan vi höja mikrofonen lite? Ja, nu låter det bra.",
        "",
    ])
    func decoys(said: String) {
        let result = link(said)
        #expect(result.status != .linked, "\(result.links.map { ($0.title, $0.reasons) })")
        #expect(result.candidates.allSatisfy { !$0.flags.contains(.heard) })
    }

    @Test("what is said never undoes a link the recording's own metadata makes")
    func metadataFirst() {
        // The title tag names session 4; the speaker's words would name session 2.
        let result = link("Jag heter Gunilla Gudmunds. Öppna data, vad är det och vad kan du göra med den?",
                          tags: ["title": "Klimatomställning i kommunen"])
        #expect(result.status == .linked && result.links.map(\.guid) == [Self.programme[3].guid])
        #expect(result.links.allSatisfy { !$0.flags.contains(.heard) && !$0.reasons.contains { $0.hasPrefix("the speaker says") } })
    }

    @Test("a speaker's words and a clock that puts the recording elsewhere: the clock's penalty holds")
    func clockAgainst() {
        // Recorded from 14:00 on (session 3's and 4's slot), yet the words name session 2 at 13:00.
        let result = link("Jag heter Gunilla Gudmunds. Öppna data, vad är det och vad kan du göra med den?",
                          tags: ["creation_time": "2021-10-06T12:00:00.000000Z"])
        #expect(!(result.status == .linked && result.links.map(\.guid) == [Self.programme[1].guid]), "\(result.links.map(\.reasons))")
    }

    @Test("a name is heard by its sound, not by any name near it")
    func sounds() {
        #expect(ProgrammeIndex.sound("gunilla") == ProgrammeIndex.sound("gonilah"))
        #expect(ProgrammeIndex.sound("gudmunds") == ProgrammeIndex.sound("godmunds"))
        #expect(ProgrammeIndex.sound("berg") != ProgrammeIndex.sound("borg"))
        // As Whisper spells Swedish names in English: c for k, ck, w for v.
        #expect(ProgrammeIndex.sound("carlson") == ProgrammeIndex.sound("karlsson"))
        #expect(ProgrammeIndex.sound("erickson") == ProgrammeIndex.sound("eriksson"))
        #expect(ProgrammeIndex.sound("ericsson") == ProgrammeIndex.sound("eriksson"))
        #expect(ProgrammeIndex.sound("wiktor") == ProgrammeIndex.sound("viktor"))
        #expect(ProgrammeIndex.sound("cecilia").hasPrefix("s"))
        // "Anders Berg" is not Erik Berg: each word of a name must begin as it does.
        #expect(link("Jag heter Anders Berg.").candidates.allSatisfy { !$0.flags.contains(.heard) })
    }

    @Test("a recording left in doubt gets a prompt of the best-scoring sessions' speakers and titles, best first; one linked or never heard gets none")
    func prompt() throws {
        var doubtful = LinkerTests.recording("export/export_final_v3.mp4", seconds: 2750)
        doubtful.heard = [HeardLine(start: 4, end: 12, text: "Jag heter Julia och jag jobbar med innovation.")]
        let status = linker.link([doubtful])[0].status
        #expect(status != .linked)
        let given = linker.heardPrompt(for: doubtful)
        let prompt = try #require(given)
        // Her two talks (the word "innovation" is in both), each with its speaker and title.
        #expect(prompt.contains("Julia Olander: Upphandling av innovation."), "\(prompt)")
        #expect(prompt.contains("Julia Olander: Digitala Görel – en robot som höjer innovationsnivån."), "\(prompt)")
        #expect(!prompt.contains("Erik Berg"), "\(prompt)")

        var linked = doubtful
        linked.heard = [HeardLine(start: 4, end: 12, text: "Hej och välkommen. Jag heter Gunilla Gudmunds. Öppna data, vad är det och vad kan du göra med den?")]
        var lunch = doubtful
        lunch.heard = [HeardLine(start: 4, end: 12, text: "Nu är det dags för lunch.")]
        let none = [linked, LinkerTests.recording("export/export_final_v3.mp4", seconds: 2750), lunch].map { linker.heardPrompt(for: $0) }
        #expect(none == [nil, nil, nil])
    }
}
