import Foundation
import NIOCore

/// A `multipart/form-data` body (RFC 7578), built in one buffer: text fields and one file, as
/// OpenAI's `/audio/transcriptions` takes them. The body is a value, so a retry sends the same
/// bytes without building them again.
struct MultipartForm {
    /// Random (122 bits of a UUID), so that it cannot plausibly occur in the audio: searching
    /// tens of megabytes of samples for it on every request would buy nothing.
    let boundary = "efterhand-\(UUID().uuidString)"
    private(set) var body = ByteBuffer()

    /// The request's `Content-Type` header, naming the boundary.
    var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    /// Adds a text field. `name` is one of the caller's own field names, never input.
    mutating func append(_ name: String, _ value: String) {
        body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n")
        body.writeString(value)
        body.writeString("\r\n")
    }

    /// Adds a file's bytes under `name`, with the file name and media type the server sees.
    mutating func append(_ name: String, filename: String, contentType: String, data: Data) {
        body.reserveCapacity(body.writerIndex + data.count + 256)
        body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"; filename=\"\(filename)\"\r\n")
        body.writeString("Content-Type: \(contentType)\r\n\r\n")
        body.writeBytes(data)
        body.writeString("\r\n")
    }

    /// The body with its closing boundary, written in place (a copy of a long recording's
    /// samples would be tens of megabytes); append nothing after this.
    mutating func finish() -> ByteBuffer {
        body.writeString("--\(boundary)--\r\n")
        return body
    }
}
