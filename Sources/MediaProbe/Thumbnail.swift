import Foundation

/// A small JPEG picture of a recording, with the size it has and the moment it shows.
public struct Thumbnail: Sendable, Equatable {
    /// Where the picture came from.
    public enum Source: String, Sendable, Codable {
        /// A decoded video frame.
        case frame
        /// The cover picture attached to an audio recording (album art).
        case coverPicture = "cover_picture"
    }

    /// The JPEG file's bytes (baseline, 4:2:0, full range).
    public var jpeg: Data
    /// The picture's size in pixels, as in the JPEG's frame header.
    public var width: Int
    public var height: Int
    /// Seconds into the recording of the frame shown (the container's start time is zero); nil
    /// for a cover picture or a frame without a timestamp.
    public var time: Double?
    /// A video frame or the cover picture.
    public var source: Source

    public init(jpeg: Data, width: Int, height: Int, time: Double?, source: Source) {
        self.jpeg = jpeg
        self.width = width
        self.height = height
        self.time = time
        self.source = source
    }
}
