import Foundation
import Hummingbird
import Logging

/// One line per request through swift-log (label `efterhand.http`, level info): method, path
/// and query, status, body bytes, milliseconds, user agent.
struct AccessLogMiddleware: RouterMiddleware {
    typealias Context = ServerContext
    let logger: Logger

    func handle(_ request: Request, context: ServerContext, next: (Request, ServerContext) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        do {
            let response = try await next(request, context)
            log(request, status: response.status.code, bytes: response.headers[.contentLength] ?? "-", since: started)
            return response
        } catch {
            log(request, status: (error as? any HTTPResponseError)?.status.code ?? 500, bytes: "-", since: started)
            throw error
        }
    }

    private func log(_ request: Request, status: Int, bytes: String, since started: ContinuousClock.Instant) {
        guard logger.logLevel <= .info else { return }
        let elapsed = ContinuousClock.now - started
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        let agent = request.headers[.userAgent] ?? "-"
        logger.info("\(request.method.rawValue) \(request.uri.string) \(status) \(bytes) \(Self.twoDecimals(milliseconds)) ms \"\(agent)\"")
    }

    /// `String(format: "%.2f")` without Foundation's format parser (1% of a busy server's samples).
    static func twoDecimals(_ value: Double) -> String {
        guard value.isFinite, value >= 0, value < 1e12 else { return String(value) }
        let hundredths = Int((value * 100).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100)." + (fraction < 10 ? "0" : "") + String(fraction)
    }
}
