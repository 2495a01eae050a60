import Feed
import Foundation
import IndexStore
import Schedule

/// The week at a glance (`/overview`, `overview.mustache`): days × rooms, each session with its
/// state; details for staff only. Worked out from the catalogue and the snapshot it was made
/// from, so published and unpublished sessions come from one state of the index.
struct OverviewPage {
    enum State: String, CaseIterable { case published, review, missing, optedOut }

    /// How many sessions are in a state.
    struct Count {
        var state: String
        var label: String
        var count: Int
    }

    /// Minutes of published talk in one transcript state.
    struct Minutes {
        var state: String
        var label: String
        var minutes: String
    }

    /// A day of the grid, one cell per room.
    struct Row {
        var day: String
        var cells: [Cell]
    }

    /// The sessions of one day in one room.
    struct Cell {
        var slots: [Slot]
    }

    /// A session in the grid.
    struct Slot {
        var image: String?
        var time: String
        /// The watch page, for a published session.
        var watch: String?
        var title: String
        /// An opted-out session's title is shown to staff only.
        var titleHidden: Bool
        var state: String
        var label: String
        /// Recordings that could hold the session, for staff.
        var candidates: [Candidate]
    }

    /// A recording linked (or suggested) for a session, with the linker's reasons.
    struct Candidate {
        var path: String
        var id: Int64
        var kind: String
        var score: String
        var span: String
        var reasons: [String]
        var flags: String?
    }

    let language: PageLanguage
    let siteTitle: String
    let sv: Bool
    let admin: Bool
    let counts: [Count]
    /// Minutes of published talk by transcript state: the states `efterhand report` counts,
    /// taken per segment at its best in any language (the report reads the session's language).
    let captions: [Minutes]
    let rooms: [String]
    let rows: [Row]

    init(catalogue: Catalogue, snapshot: IndexSnapshot, language l: PageLanguage, admin: Bool) {
        language = l
        siteTitle = catalogue.title
        sv = l == .sv
        self.admin = admin
        let candidates = Self.candidates(in: snapshot)
        let optedOut = Catalogue.optedOutSessions(in: snapshot)
        func state(_ session: Session) -> State {
            if optedOut.contains(session.guid) { return .optedOut }
            if catalogue.entry(guidOrSlug: session.guid) != nil { return .published }
            if candidates[session.guid]?.isEmpty == false { return .review }
            return .missing
        }
        let sessions = snapshot.sessions.sorted { ($0.start, $0.guid) < ($1.start, $1.guid) }
        let states = Dictionary(sessions.map { ($0.guid, state($0)) }, uniquingKeysWith: { a, _ in a })
        let noRoom = l.pick("Utan sal", "No room")
        let rooms = Array(Set(sessions.map { $0.room ?? noRoom })).sorted()
        self.rooms = rooms
        let days = Array(Set(sessions.map { catalogue.day(of: $0) })).sorted()
        var tally: [State: Int] = [:]
        for s in states.values { tally[s, default: 0] += 1 }
        counts = State.allCases.map { Count(state: $0.rawValue, label: Self.label($0, l), count: tally[$0] ?? 0) }
        captions = Self.captionMinutes(catalogue, language: l)
        rows = days.map { day in
            Row(day: PagesDates.dayLabel(day, language: l), cells: rooms.map { room in
                let here = sessions.filter { catalogue.day(of: $0) == day && ($0.room ?? noRoom) == room }
                return Cell(slots: here.map { session in
                    Self.slot(session, state: states[session.guid] ?? .missing, candidates: candidates[session.guid] ?? [],
                              catalogue: catalogue, language: l, admin: admin)
                })
            })
        }
    }

    static func label(_ state: State, _ language: PageLanguage) -> String {
        switch state {
        case .published: return language.pick("Publicerad", "Published")
        case .review: return language.pick("Granskas", "In review")
        case .missing: return language.pick("Ingen inspelning", "No recording")
        case .optedOut: return language.pick("Avböjd inspelning", "Opted out")
        }
    }

    /// The published segments' minutes by their best transcript state in any language:
    /// verified, else a machine draft, else a draft from subtitles, else no text.
    static func captionMinutes(_ catalogue: Catalogue, language l: PageLanguage) -> [Minutes] {
        var machine = 0.0, subtitles = 0.0, verified = 0.0, none = 0.0
        for entry in catalogue.entries {
            for segment in entry.segments {
                let minutes = (segment.segment.endSeconds - segment.segment.startSeconds) / 60
                let states = Set(segment.transcript.values)
                if states.contains(.verified) { verified += minutes } else if !segment.machine.isEmpty { machine += minutes }
                else if states.contains(.draft) { subtitles += minutes } else { none += minutes }
            }
        }
        func row(_ state: String, _ label: String, _ minutes: Double) -> Minutes {
            Minutes(state: state, label: label, minutes: String(format: "%.1f", minutes))
        }
        return [row("machine", l.pick("Utkast från taligenkänning", "Drafts by speech recognition"), machine),
                row("subtitles", l.pick("Utkast från undertexter", "Drafts from subtitles"), subtitles),
                row("verified", l.pick("Granskad text", "Checked text"), verified),
                row("none", l.pick("Ingen text", "No text"), none)]
    }

    /// The recordings linked or suggested for each session, by session guid.
    static func candidates(in snapshot: IndexSnapshot) -> [String: [(recording: StoredRecording, link: StoredLink)]] {
        var candidates: [String: [(recording: StoredRecording, link: StoredLink)]] = [:]
        let recordings = Dictionary(snapshot.recordings.compactMap { r in r.id.map { ($0, r) } }, uniquingKeysWith: { a, _ in a })
        for (id, links) in snapshot.links {
            for link in links {
                if let recording = recordings[id] { candidates[link.sessionGuid, default: []].append((recording, link)) }
            }
        }
        return candidates
    }

    static func slot(_ session: Session, state: State, candidates found: [(recording: StoredRecording, link: StoredLink)],
                     catalogue: Catalogue, language l: PageLanguage, admin: Bool) -> Slot {
        var slot = Slot(image: nil, time: PagesDates.time(session.start, zone: catalogue.timeZone), watch: nil, title: session.title,
                        titleHidden: false, state: state.rawValue, label: label(state, l), candidates: [])
        switch state {
        case .published:
            slot.image = catalogue.entry(guidOrSlug: session.guid)?.image.map(catalogue.links.thumbnail)
            slot.watch = catalogue.links.watch(session)
        case .review, .missing, .optedOut:
            guard admin else {
                slot.titleHidden = state == .optedOut
                return slot
            }
            guard state == .review || state == .optedOut else { return slot }
            slot.candidates = found.map { c in
                Candidate(path: c.recording.path, id: c.recording.id ?? 0, kind: c.link.kind.rawValue, score: String(format: "%.2f", c.link.score),
                          span: HTML.timecode(c.link.inSeconds) + "–" + HTML.timecode(c.link.outSeconds), reasons: c.link.reasons,
                          flags: c.link.flags.isEmpty ? nil : c.link.flags.map(\.rawValue).joined(separator: ", "))
            }
        }
        return slot
    }

    /// The whole page.
    func render() -> String {
        PageFrame(language: language, title: language.pick("Veckan i överblick", "Week at a glance") + " – " + siteTitle, siteTitle: siteTitle,
                  current: "/overview", noindex: true).render(body: PageTemplates.render(self, with: "overview"))
    }
}
