import Schedule

/// How thumbnails are named in the index: by the recording's fingerprint and the segment's
/// start (or the session), so a re-ingest, a move or a relink makes none again.
public enum ThumbnailKey {
    public static func segment(fingerprint: String, start: Double) -> String { "\(fingerprint)@\(WholeSeconds.nearest(start * 1000))" }
    public static func session(fingerprint: String, guid: String) -> String { "\(fingerprint)@session-\(guid)" }
    public static func cover(fingerprint: String) -> String { "\(fingerprint)@cover" }
}
