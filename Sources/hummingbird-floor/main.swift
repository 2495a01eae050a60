import Foundation
import Hummingbird

// `make bench-serve`'s third peer: Hummingbird 2 alone, with one route that answers with the
// bytes of a file read once at start, and no middleware. What `efterhand serve` does on top of
// the framework (routing, caching, ETags, CORS, the index's change check) is the difference
// between this and efterhand's own figure; nginx's figure is the target's yardstick.
//
//     hummingbird-floor FILE PORT
let arguments = CommandLine.arguments
guard arguments.count == 3, let port = Int(arguments[2]), let data = FileManager.default.contents(atPath: arguments[1]) else {
    FileHandle.standardError.write(Data("usage: hummingbird-floor FILE PORT\n".utf8))
    exit(2)
}
let body = ByteBuffer(bytes: data)
let router = Router()
router.get("feed.json") { _, _ in
    Response(status: .ok, headers: [.contentType: "application/feed+json"], body: .init(byteBuffer: body))
}
let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "hummingbird-floor"))
try await app.runService()
