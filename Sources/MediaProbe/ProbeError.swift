/// Why a file could not be probed: a broad `code` for programs and a `message` for people that
/// names the file and, where FFmpeg gave one, its reason.
public struct ProbeError: Error, Sendable, Equatable, Codable, CustomStringConvertible {
    /// The broad kinds of failure in the JSON contract.
    public enum Code: String, Sendable, Codable {
        case notFound = "not_found"
        case permissionDenied = "permission_denied"
        case notARegularFile = "not_a_regular_file"
        case invalidData = "invalid_data"
        case unsupportedFormat = "unsupported_format"
        case timeout
        case io
        /// Nothing to make a picture from: no video stream and no cover picture.
        case noPicture = "no_picture"
        /// Nothing to hear: no audio stream FFmpeg can decode.
        case noAudio = "no_audio"
        /// The caller asked for something impossible (a time that is not a number, a zero width).
        case invalidArgument = "invalid_argument"
    }

    public var code: Code
    public var message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
