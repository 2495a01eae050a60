import Foundation
import IndexStore
import MediaProbe

/// The media type a recording is served with, from what the probe found (the container and
/// whether there is moving picture), the file's extension deciding only between siblings.
public enum MediaTypes {
    /// `video/mp4`, `video/webm`, `audio/mpeg`, ...; `application/octet-stream` when the
    /// container is unknown.
    public static func of(_ recording: StoredRecording) -> String {
        let container = recording.probe?.container ?? ""
        let streams = recording.probe?.streams ?? []
        let video = streams.contains { $0.kind == .video && !$0.attachedPicture }
        let ext = (recording.path as NSString).pathExtension.lowercased()
        let names = Set(container.split(separator: ",").map(String.init))
        if names.contains("mov") || names.contains("mp4") {
            if ext == "mov" { return "video/quicktime" }
            if ext == "3gp" { return video ? "video/3gpp" : "audio/3gpp" }
            return video ? "video/mp4" : "audio/mp4"
        }
        if names.contains("matroska") || names.contains("webm") {
            let webCodecs: Set<String> = ["vp8", "vp9", "av1", "opus", "vorbis", "webvtt"]
            let isWebM = ext == "webm" || (ext != "mkv" && ext != "mka" && streams.allSatisfy { $0.codec.map(webCodecs.contains) ?? false })
            if isWebM { return video ? "video/webm" : "audio/webm" }
            return video ? "video/x-matroska" : "audio/x-matroska"
        }
        switch container {
        case "mp3": return "audio/mpeg"
        case "ogg": return video ? "video/ogg" : "audio/ogg"
        case "wav": return "audio/wav"
        case "flac": return "audio/flac"
        case "aac": return "audio/aac"
        case "mpegts": return "video/mp2t"
        case "avi": return "video/x-msvideo"
        case "mpeg": return "video/mpeg"
        default: return "application/octet-stream"
        }
    }
}
