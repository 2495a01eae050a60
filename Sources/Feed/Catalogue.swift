import Foundation
import IndexStore
import Schedule

/// What is published, worked out once from one `IndexSnapshot`: the sessions in the feed,
/// newest first, with their recording parts, segments and thumbnails, and the recordings and
/// thumbnails the server may hand out. Immutable; every renderer reads one catalogue, so a
/// response never mixes two states of the index.
///
/// A session is published when it is in the programme, not opted out, and linked from a
/// public recording. A recording is public when its file is present and probed, it is not a
/// copy of another, it is linked to a published session and to no opted-out one (a file
/// that holds an opted-out talk is never served, even when it also holds others).
public final class Catalogue: Sendable {
    /// One part of a published session: a stretch of a public recording.
    public struct Part: Sendable {
        public var recording: StoredRecording
        public var recordingID: Int64
        public var link: StoredLink
    }

    /// A segment of a public recording with its thumbnail and transcript states.
    public struct SegmentEntry: Sendable {
        public var segment: Segment
        public var recordingID: Int64
        public var thumbnail: ThumbnailFile?
        /// Transcript status by language.
        public var transcript: [String: SegmentTranscript.Status]
        /// The languages whose draft text a speech engine made (not subtitles, not a person).
        public var machine: Set<String> = []
    }

    /// A published session.
    public struct Entry: Sendable {
        public var session: Session
        /// Its parts, in part order (then recording order).
        public var parts: [Part]
        /// Its segments across the parts, in order.
        public var segments: [SegmentEntry]
        /// The session's thumbnail (of its first part), else the first segment's.
        public var image: ThumbnailFile?
        /// The session's day in the conference's zone (`2021-10-05`).
        public var day: String
        /// Topic and room slugs, for the filtered feeds.
        public var topicSlugs: Set<String>
        public var roomSlug: String?
    }

    /// A recording the server may serve.
    public struct PublicRecording: Sendable {
        public var recording: StoredRecording
        public var id: Int64
        public var mediaType: String
        /// The published sessions it holds, with their links, by in point.
        public var sessions: [(session: Session, link: StoredLink)]
        public var segments: [SegmentEntry]
        /// Its cover or first session thumbnail.
        public var image: ThumbnailFile?
        public var defaultLanguage: String
        /// Languages with transcript text (or the default language alone).
        public var languages: [String]
    }

    /// A thumbnail a public recording shows, made or still to be made.
    public struct PublicThumbnail: Sendable {
        public var thumbnail: ThumbnailFile
        public var recordingID: Int64
    }

    /// A topic, room or day with how many published sessions it has.
    public struct Facet: Sendable, Equatable {
        public var name: String
        public var slug: String
        public var count: Int
    }

    /// Tells catalogues apart: a new number for every catalogue built in this process.
    public let generation: UInt64
    public let links: Links
    public let conference: Conference?
    public let timeZone: TimeZone
    /// Published sessions, newest first (start descending, then guid descending).
    public let entries: [Entry]
    public let recordings: [Int64: PublicRecording]
    public let topics: [Facet]
    public let rooms: [Facet]
    public let days: [Facet]
    /// Resolved folders (and files) the server may serve recordings from (see `IndexSnapshot.mediaRoots`).
    public let mediaRoots: [String]
    private let entryIndex: [String: Int]
    private let slugIndex: [String: Int]
    /// Public thumbnails by their file (`thumbnails/ab/….jpg`).
    private let thumbnailFiles: [String: PublicThumbnail]
    /// The snapshot this catalogue was worked out from, for a page that shows what is not
    /// published too (`/overview`), so that it reads one state of the index, not two.
    public let snapshot: IndexSnapshot

    /// Works out what is published in `snapshot`.
    public init(snapshot: IndexSnapshot, links: Links, generation: UInt64) {
        self.generation = generation
        self.links = links
        self.snapshot = snapshot
        conference = snapshot.conference
        mediaRoots = snapshot.mediaRoots
        let zone = ConferenceZone.named(snapshot.conference?.timeZone)
        timeZone = zone

        // A session a person hid is left out as if it were not in the programme: its recordings
        // are served only for the other sessions they hold.
        let sessions = Dictionary(snapshot.sessions.filter { !snapshot.hiddenSessions.contains($0.guid) }.map { ($0.guid, $0) },
                                  uniquingKeysWith: { a, _ in a })
        let (publicRecordings, thumbnailFiles) = Self.publicRecordings(in: snapshot, sessions: sessions)

        // Published sessions, each with its parts.
        var parts: [String: [Part]] = [:]
        for recording in publicRecordings.values {
            for (session, link) in recording.sessions where !Catalogue.isOptedOut(session) {
                parts[session.guid, default: []].append(Part(recording: recording.recording, recordingID: recording.id, link: link))
            }
        }
        var entries: [Entry] = []
        for session in snapshot.sessions where !Catalogue.isOptedOut(session) && !snapshot.hiddenSessions.contains(session.guid) {
            guard var mine = parts[session.guid], !mine.isEmpty else { continue }
            mine.sort { ($0.link.part ?? 0, $0.recording.path) < ($1.link.part ?? 0, $1.recording.path) }
            let segments = mine.flatMap { part in
                (publicRecordings[part.recordingID]?.segments ?? []).filter { $0.segment.sessionGuid == session.guid }
            }
            let image = mine.lazy.compactMap { snapshot.thumbnails[ThumbnailKey.session(fingerprint: $0.recording.fingerprint ?? "", guid: session.guid)] }.first
                ?? segments.lazy.compactMap(\.thumbnail).first
                ?? mine.lazy.compactMap { publicRecordings[$0.recordingID]?.image }.first
            entries.append(Entry(
                session: session, parts: mine, segments: segments, image: image, day: ClockText.day(session.start, zone: zone),
                topicSlugs: Set(session.topics.map(Slug.make)), roomSlug: session.room.map(Slug.make)))
        }
        entries.sort { ($0.session.start, $0.session.guid) > ($1.session.start, $1.session.guid) }
        self.entries = entries
        recordings = publicRecordings
        self.thumbnailFiles = thumbnailFiles
        entryIndex = Dictionary(entries.enumerated().map { ($1.session.guid, $0) }, uniquingKeysWith: { a, _ in a })
        slugIndex = Dictionary(entries.enumerated().compactMap { index, entry in entry.session.slug.map { ($0, index) } }, uniquingKeysWith: { a, _ in a })

        topics = Self.facets(of: entries) { $0.session.topics }
        rooms = Self.facets(of: entries) { $0.session.room.map { [$0] } ?? [] }
        days = Dictionary(grouping: entries, by: \.day).map { Facet(name: $0.key, slug: $0.key, count: $0.value.count) }.sorted { $0.name < $1.name }
    }

    /// The recordings that may be served (present, probed, not a copy, linked to a session of
    /// the programme and to no opted-out one), and the thumbnails they make public.
    private static func publicRecordings(in snapshot: IndexSnapshot, sessions: [String: Session])
        -> (recordings: [Int64: PublicRecording], thumbnailFiles: [String: PublicThumbnail]) {
        func optedOut(_ link: StoredLink) -> Bool {
            Catalogue.isOptedOut(link, of: sessions[link.sessionGuid])
        }

        var publicRecordings: [Int64: PublicRecording] = [:]
        var thumbnailFiles: [String: PublicThumbnail] = [:]
        for recording in snapshot.recordings {
            guard let id = recording.id, recording.state == .ok, recording.duplicateOf == nil else { continue }
            let made = (snapshot.links[id] ?? []).filter { $0.kind == .link }
            guard !made.contains(where: optedOut) else { continue }
            let held = made.compactMap { link in sessions[link.sessionGuid].map { (session: $0, link: link) } }
                .sorted { $0.link.inSeconds < $1.link.inSeconds }
            guard !held.isEmpty else { continue }
            let fingerprint = recording.fingerprint ?? ""
            let states = snapshot.transcripts[id] ?? []
            let published = Set(held.map(\.session.guid))
            let segments = (snapshot.segments[id] ?? []).filter { published.contains($0.sessionGuid) }.map { segment -> SegmentEntry in
                var transcript: [String: SegmentTranscript.Status] = [:]
                var machine: Set<String> = []
                for state in states where state.segmentID == segment.id {
                    transcript[state.language] = state.status
                    if state.machine { machine.insert(state.language) }
                }
                return SegmentEntry(segment: segment, recordingID: id,
                                    thumbnail: snapshot.thumbnails[ThumbnailKey.segment(fingerprint: fingerprint, start: segment.startSeconds)],
                                    transcript: transcript, machine: machine)
            }
            let sessionImages = held.compactMap { snapshot.thumbnails[ThumbnailKey.session(fingerprint: fingerprint, guid: $0.session.guid)] }
            let cover = snapshot.thumbnails[ThumbnailKey.cover(fingerprint: fingerprint)]
            for file in segments.compactMap(\.thumbnail) + sessionImages + [cover].compactMap({ $0 }) {
                thumbnailFiles[file.file] = PublicThumbnail(thumbnail: file, recordingID: id)
            }
            let languages = Set(states.filter { $0.cues > 0 || $0.status == .verified }.map(\.language))
            let defaultLanguage = snapshot.defaultLanguages[id] ?? "und"
            publicRecordings[id] = PublicRecording(
                recording: recording, id: id, mediaType: MediaTypes.of(recording), sessions: held, segments: segments,
                image: cover ?? sessionImages.first, defaultLanguage: defaultLanguage,
                languages: languages.isEmpty ? [defaultLanguage] : languages.sorted())
        }
        return (publicRecordings, thumbnailFiles)
    }

    /// The topics or rooms (as `names` gives them) of `entries`, with how many sessions each has.
    private static func facets(of entries: [Entry], _ names: (Entry) -> [String]) -> [Facet] {
        var bySlug: [String: (names: [String: Int], count: Int)] = [:]
        for entry in entries {
            for name in Set(names(entry)) {
                let slug = Slug.make(name)
                bySlug[slug, default: ([:], 0)].names[name, default: 0] += 1
                bySlug[slug, default: ([:], 0)].count += 1
            }
        }
        // Names that fold to one slug share a feed; the commonest spelling names it.
        return bySlug.map { slug, value in
            Facet(name: value.names.max { ($0.value, $1.key) < ($1.value, $0.key) }!.key, slug: slug, count: value.count)
        }.sorted { ($0.name.lowercased(), $0.slug) < ($1.name.lowercased(), $1.slug) }
    }

    // MARK: - Lookups

    /// A published session by guid or slug.
    public func entry(guidOrSlug reference: String) -> Entry? {
        (entryIndex[reference] ?? slugIndex[reference]).map { entries[$0] }
    }

    /// A public thumbnail by its file relative to the index folder; nil for any other text.
    public func thumbnail(file: String) -> PublicThumbnail? {
        thumbnailFiles[file]
    }

    /// The entries a feed holds, newest first; nil for a topic or room nobody has.
    public func entries(for filter: FeedFilter) -> [Entry]? {
        switch filter {
        case .all:
            return entries
        case .topic(let slug):
            guard topics.contains(where: { $0.slug == slug }) else { return nil }
            return entries.filter { $0.topicSlugs.contains(slug) }
        case .room(let slug):
            guard rooms.contains(where: { $0.slug == slug }) else { return nil }
            return entries.filter { $0.roomSlug == slug }
        case .day(let day):
            return entries.filter { $0.day == day }
        }
    }

    /// The facet a filter names (for the feed's title); nil for `.all` and unknown slugs.
    public func facet(for filter: FeedFilter) -> Facet? {
        switch filter {
        case .all: return nil
        case .topic(let slug): return topics.first { $0.slug == slug }
        case .room(let slug): return rooms.first { $0.slug == slug }
        case .day(let day): return days.first { $0.slug == day } ?? Facet(name: day, slug: day, count: 0)
        }
    }

    /// The conference's title, or a plain name for an index without one.
    public var title: String {
        conference?.title ?? conference?.acronym ?? "efterhand"
    }

    /// The commonest session language, for the feed's `language`.
    public var language: String? {
        let counts = Dictionary(grouping: entries.compactMap(\.session.language), by: { $0 }).mapValues(\.count)
        return counts.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key
    }

    /// RFC 3339 text of `date` in the conference's zone (`2021-10-05T13:00:00+02:00`); see
    /// `ClockText.rfc3339` for the years and offsets it keeps to.
    public func timestamp(_ date: Date) -> String {
        ClockText.rfc3339(date, zone: timeZone)
    }
}
