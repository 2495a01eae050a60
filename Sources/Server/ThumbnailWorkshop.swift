import Foundation
import MediaProbe
import NIOConcurrencyHelpers
import NIOPosix

/// Makes the thumbnails that ingest only named (`--thumbnails on-request`, the default) when
/// one is first asked for, and writes it into the index folder beside the others, so that the
/// next request is served from the file. Decoding runs on threads of its own, one per core, so
/// that a page full of new pictures waits in line there instead of taking the threads that
/// index work and searches need. However many requests ask for one picture at once, it is made
/// once; a picture that could not be made is not tried again for five minutes.
final class ThumbnailWorkshop: Sendable {
    private let pool: NIOThreadPool
    private let thumbnailer = Thumbnailer()
    /// Pictures being made now, by file.
    private let making = NIOLockedValueBox<[String: Task<Data, any Error>]>([:])
    /// Pictures that could not be made, by file, and when they may be tried again.
    private let failed = NIOLockedValueBox<[String: UInt64]>([:])
    static let retryNanoseconds: UInt64 = 300 * 1_000_000_000

    init(threads: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)) {
        pool = NIOThreadPool(numberOfThreads: threads)
        pool.start()
    }

    deinit {
        pool.shutdownGracefully { _ in }
    }

    /// What to make: the frame `time` seconds into the recording at `source`, `width` pixels
    /// wide, written to `target`.
    struct Order: Sendable {
        var target: String
        var source: String
        var time: Double
        var width: Int
        var deadline: Double
    }

    /// The JPEG `order` asks for, made now or by the request already making it. Written to
    /// `order.target` as well when the index folder can be written (a folder on a read-only
    /// mount gets the picture made for each request instead). Throws `ProbeError` when the
    /// recording gives no picture, `Unavailable` while an earlier try's failure is fresh.
    func make(_ order: Order) async throws -> Data {
        let now = DispatchTime.now().uptimeNanoseconds
        if let until = failed.withLockedValue({ $0[order.target] }), now < until { throw Unavailable() }
        let task = making.withLockedValue { making -> Task<Data, any Error> in
            if let running = making[order.target] { return running }
            let task = Task { [pool, thumbnailer] in
                try await pool.runIfActive { try Self.make(order, thumbnailer: thumbnailer) }
            }
            making[order.target] = task
            return task
        }
        do {
            let jpeg = try await task.value
            making.withLockedValue { $0[order.target] = nil }
            return jpeg
        } catch {
            making.withLockedValue { $0[order.target] = nil }
            failed.withLockedValue { $0[order.target] = DispatchTime.now().uptimeNanoseconds + Self.retryNanoseconds }
            throw error
        }
    }

    /// A picture that failed a little while ago.
    struct Unavailable: Error {}

    private static func make(_ order: Order, thumbnailer: Thumbnailer) throws -> Data {
        let thumbnail = try thumbnailer.jpeg(path: order.source, at: order.time, width: order.width, deadline: order.deadline)
        // Best effort: a folder that cannot be written still gets its picture, made again next time.
        let folder = (order.target as NSString).deletingLastPathComponent
        if (try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)) != nil {
            try? thumbnail.jpeg.write(to: URL(fileURLWithPath: order.target), options: .atomic)
        }
        return thumbnail.jpeg
    }
}
