import GRDB
import MediaProbe

/// A picture the index names for a segment, a session or a cover (see `ThumbnailKey`): made,
/// or planned at ingest and made when it is first asked for.
public struct StoredThumbnail: Sendable, Equatable {
    public var key: String
    /// Relative to the index folder (`thumbnails/ab/….jpg`).
    public var file: String
    public var width: Int
    public var height: Int
    /// Seconds into the recording: of the frame shown once made, of the frame wanted while
    /// only planned.
    public var time: Double?
    /// `frame` or `cover_picture` (`Thumbnail.Source`).
    public var source: String

    public init(key: String, file: String, width: Int, height: Int, time: Double?, source: String) {
        self.key = key
        self.file = file
        self.width = width
        self.height = height
        self.time = time
        self.source = source
    }
}

/// What a recording's thumbnails can be made of: its first moving video stream, else its cover
/// picture, with the size the probe found.
public struct PictureSource: Sendable, Equatable {
    public var isCover: Bool
    public var width: Int?
    public var height: Int?

    public init(isCover: Bool, width: Int?, height: Int?) {
        self.isCover = isCover
        self.width = width
        self.height = height
    }

    /// A probe's picture source, by the rule `pictureSources` applies in SQL: the first moving
    /// video stream, else the first cover picture.
    public static func of(_ probe: ProbeResult) -> PictureSource? {
        let videos = probe.streams.filter { $0.kind == .video }
        let chosen = videos.first { !$0.attachedPicture } ?? videos.first
        return chosen.map { PictureSource(isCover: $0.attachedPicture, width: $0.width, height: $0.height) }
    }
}

extension IndexDatabase {
    /// The picture source of every probed recording that has one, asked of SQLite's JSON
    /// functions: no probe is decoded (decoding them was a fifth of naming a cold week's pictures).
    public func pictureSources() throws -> [Int64: PictureSource] {
        try writer.read { db in
            var sources: [Int64: PictureSource] = [:]
            let rows = try Row.fetchCursor(db, sql: """
                SELECT recording.id, json_extract(stream.value, '$.attached_picture') AS cover,
                       json_extract(stream.value, '$.width') AS width, json_extract(stream.value, '$.height') AS height
                FROM recording, json_each(recording.probe, '$.streams') AS stream
                WHERE recording.probe IS NOT NULL AND json_valid(recording.probe) AND json_extract(stream.value, '$.kind') = 'video'
                ORDER BY recording.id, stream.id
                """)
            while let row = try rows.next() {
                let id: Int64 = row["id"]
                let source = PictureSource(isCover: row["cover"] as Bool? ?? false, width: row["width"], height: row["height"])
                // A moving picture wins over a cover; the first of each kind wins.
                if let found = sources[id], !found.isCover || source.isCover { continue }
                sources[id] = source
            }
            return sources
        }
    }

    /// Names pictures to be made later, in one transaction; a key the index already names (made
    /// or planned) keeps what it has.
    public func planThumbnails(_ thumbnails: [StoredThumbnail]) throws {
        guard !thumbnails.isEmpty else { return }
        try writer.write { db in
            let statement = try db.cachedStatement(
                sql: "INSERT OR IGNORE INTO thumbnail (key, file, width, height, time_seconds, source) VALUES (?, ?, ?, ?, ?, ?)")
            for thumbnail in thumbnails {
                try statement.execute(arguments: Self.arguments(thumbnail))
            }
        }
    }

    /// Remembers a picture made: its size and the time of the frame it shows.
    public func saveThumbnail(_ thumbnail: StoredThumbnail) throws {
        try writer.write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO thumbnail (key, file, width, height, time_seconds, source) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: Self.arguments(thumbnail))
        }
    }

    /// Every picture the index names, made or planned, by key.
    public func thumbnails() throws -> [String: StoredThumbnail] {
        try writer.read { db in
            var thumbnails: [String: StoredThumbnail] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT * FROM thumbnail") {
                let thumbnail = Self.storedThumbnail(row)
                thumbnails[thumbnail.key] = thumbnail
            }
            return thumbnails
        }
    }

    /// The picture named for `key`, made or planned.
    public func thumbnail(key: String) throws -> StoredThumbnail? {
        try writer.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM thumbnail WHERE key = ?", arguments: [key]).map(Self.storedThumbnail)
        }
    }

    private static func storedThumbnail(_ row: Row) -> StoredThumbnail {
        StoredThumbnail(key: row["key"], file: row["file"], width: row["width"], height: row["height"], time: row["time_seconds"], source: row["source"])
    }

    private static func arguments(_ thumbnail: StoredThumbnail) -> StatementArguments {
        [thumbnail.key, thumbnail.file, thumbnail.width, thumbnail.height, thumbnail.time, thumbnail.source]
    }
}
