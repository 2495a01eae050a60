import Feed
import Captions
import Foundation
import Hummingbird
import IndexStore
import MediaProbe
import Pipeline
import Schedule

/// The staff area under `/staff` (issue 21): sign-in with a staff token, then pages built on
/// the same operations as the CLI and the API. Every page and write needs a signed-in session
/// (pages send others to the sign-in page, 303; writes answer 403); every write carries the
/// session's form token (CSRF) and is refused without it; the session cookie is `HttpOnly`,
/// `SameSite=Strict`, `Secure` when the public URL is https, and ends after eight hours.
func addStaffRoutes(to router: Router<ServerContext>, services: ServerServices) {
    router.get("/staff") { request, _ -> Response in
        redirect(to: try await staffSession(request, services) == nil ? "/staff/sign-in" : "/staff/review")
    }
    router.get("/staff/sign-in") { request, _ -> Response in
        if try await staffSession(request, services) != nil { return redirect(to: "/staff/review") }
        return try await signInPage(request, services: services, problem: nil, status: .ok)
    }
    router.post("/staff/sign-in") { request, context -> Response in
        try requireSameOrigin(request, services: services)
        let forwarded = request.headers.filter { $0.name.canonicalName == "x-forwarded-for" }.map(\.value)
        let address = services.configuration.clientAddress(peer: context.remoteAddress, forwardedFor: forwarded)
        if let wait = try await services.staff.waitBeforeTrying(from: address) {
            var response = try await signInPage(request, services: services, problem: .throttled(minutes: (wait + 59) / 60), status: .tooManyRequests)
            response.headers[.retryAfter] = String(wait)
            return response
        }
        let form = try await formFields(request, context: context)
        guard services.staff.isOpen else {
            return try await signInPage(request, services: services, problem: .closed, status: .forbidden)
        }
        guard let token = form.text("token"), let staff = services.staff.staff(for: token) else {
            try await services.staff.failed(from: address)
            services.logger.notice("staff sign-in refused from \(address)")
            return try await signInPage(request, services: services, problem: .wrongToken, status: .unauthorized)
        }
        try await services.staff.succeeded(from: address)
        let (id, _) = try await services.staff.open(for: staff)
        services.logger.info("staff sign-in: \(staff.name) from \(address)")
        var response = redirect(to: "/staff/review")
        response.setCookie(sessionCookie(id, services: services, maxAge: StaffSessions.lifetimeSeconds))
        return response
    }
    router.post("/staff/sign-out") { request, context -> Response in
        let form = try await formFields(request, context: context)
        let (id, _) = try await requireStaffWrite(request, form: form, services: services)
        try await services.staff.close(id)
        var response = redirect(to: "/staff/sign-in")
        response.setCookie(sessionCookie("", services: services, maxAge: 0))
        return response
    }
    router.get("/staff/review") { request, _ -> Response in
        guard let (_, session) = try await staffSession(request, services) else { return redirect(to: "/staff/sign-in") }
        let catalogue = try await services.catalogue()
        let language = PageLanguage.preferred(request.headers[.acceptLanguage])
        let notice = QueryParameters(request.uri.query).text("done")
        let page = ReviewPage(catalogue: catalogue, language: language, session: session, notice: notice)
        return staffResponse(page.render(), request: request)
    }
    router.post("/staff/recordings/{id}/decisions") { request, context -> Response in
        let form = try await formFields(request, context: context)
        let (_, session) = try await requireStaffWrite(request, form: form, services: services)
        let id = try recordingID(context)
        guard let action = form["action"].flatMap(Decision.Action.init(rawValue:)) else {
            throw APIError.badParameter("'action' must be accept, reject or unlink")
        }
        let chosen = form.text("session")
        let inSeconds = try seconds(form["in"], name: "in")
        let outSeconds = try seconds(form["out"], name: "out")
        try services.requireIndexFile()
        let who = "staff:" + session.name
        let done = try await services.blocking { () -> String in
            guard try services.repository.recording(idOrPath: String(id)) != nil else { throw APIError.notFound("no recording \(id) in the index") }
            do {
                let recording = try services.repository.decide(action, recording: String(id), session: chosen, inSeconds: inSeconds,
                                                                outSeconds: outSeconds, by: who, seen: form.text("seen"))
                return "\(action.rawValue) \(recording.path)"
            } catch let error as DecisionError {
                throw APIError.badParameter(error.description)
            } catch let error as DecisionConflict {
                throw APIError.conflict(error.description)
            }
        }
        services.catalogues.invalidate()
        // The session editor's in and out form comes back to the editor; nothing leaves /staff/.
        if let back = form.text("return"), back.hasPrefix("/staff/sessions/"), !back.contains("//"), !back.contains("\\") {
            return redirect(to: back + (back.contains("?") ? "&" : "?") + "done=" + escapedForQuery(done))
        }
        return redirect(to: "/staff/review?done=" + escapedForQuery(done))
    }
    router.get("/staff/sessions") { request, _ -> Response in
        guard let (_, session) = try await staffSession(request, services) else { return redirect(to: "/staff/sign-in") }
        let catalogue = try await services.catalogue()
        let language = PageLanguage.preferred(request.headers[.acceptLanguage])
        let page = SessionsPage(catalogue: catalogue, language: language, session: session, notice: QueryParameters(request.uri.query).text("done"))
        return staffResponse(page.render(), request: request)
    }
    router.get("/staff/sessions/{guid}/history") { request, context -> Response in
        guard let (_, staff) = try await staffSession(request, services) else { return redirect(to: "/staff/sign-in") }
        let catalogue = try await services.catalogue()
        let session = try programmeSession(context.pathParameter("guid"), in: catalogue)
        let audit = try await services.blocking { try services.repository.auditEntries(sessionGuid: session.guid, fingerprint: nil, limit: 10_000) }
        let language = PageLanguage.preferred(request.headers[.acceptLanguage])
        return staffResponse(HistoryPage(catalogue: catalogue, session: session, audit: audit, language: language, staff: staff).render(), request: request)
    }
    router.post("/staff/sessions/{guid}/publication") { request, context -> Response in
        let form = try await formFields(request, context: context)
        let (_, session) = try await requireStaffWrite(request, form: form, services: services)
        let guid = context.pathParameter("guid")
        guard let hide = ["hide": true, "publish": false][form["action"] ?? ""] else {
            throw APIError.badParameter("'action' must be hide or publish")
        }
        try services.requireIndexFile()
        let who = "staff:" + session.name
        try await services.blocking {
            do {
                try services.repository.setHidden(hide, sessionGuid: guid, by: who)
            } catch let error as PublicationError {
                throw APIError.badParameter(error.description)
            }
        }
        services.catalogues.invalidate()
        let done = (hide ? "hide " : "publish ") + guid
        return redirect(to: "/staff/sessions?done=" + escapedForQuery(done) + "#session-" + guid)
    }
    router.get("/staff/media/{id}") { request, context -> Response in
        guard try await staffSession(request, services) != nil else { throw signInFirst() }
        let id = try recordingID(context)
        let catalogue = try await services.catalogue()
        // Any recording the index read, published or not: staff review the ones in doubt.
        guard let recording = catalogue.snapshot.recordings.first(where: { $0.id == id && $0.state == .ok }) else {
            throw APIError.notFound("no recording \(id) to play")
        }
        let path = try servablePath(of: recording, in: catalogue, services: services)
        return try await serveFile(path, contentType: MediaTypes.of(recording), cacheControl: "private, max-age=60",
                                   request: request, context: context, services: services)
    }
    router.get("/staff/audit.json") { request, _ -> Response in
        guard try await staffSession(request, services) != nil else { throw signInFirst() }
        let entries = try await services.blocking { try services.repository.auditEntries(sessionGuid: nil, fingerprint: nil, limit: 10_000) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        var response = Response(status: .ok, headers: [.contentType: "application/json", .cacheControl: "private, no-store"],
                                body: ResponseBody(byteBuffer: ByteBuffer(bytes: try encoder.encode(entries))))
        response.headers[.contentDisposition] = "attachment; filename=\"efterhand-audit.json\""
        return response
    }
}

/// The session of the programme a staff address names by guid or slug; 404 without one.
func programmeSession(_ reference: String, in catalogue: Catalogue) throws -> Session {
    guard let session = catalogue.snapshot.sessions.first(where: { $0.guid == reference || $0.slug == reference }) else {
        throw APIError.notFound("no session '\(reference)' in the programme")
    }
    return session
}

/// The name of the session cookie.
let staffCookie = "efterhand_staff"

/// The signed-in session a request carries, with its id; nil without one.
func staffSession(_ request: Request, _ services: ServerServices) async throws -> (id: String, session: StaffSessions.Session)? {
    guard let id = request.cookies[staffCookie]?.value, let session = try await services.staff.session(id) else { return nil }
    return (id, session)
}

/// The session of a write: signed in, and the form's `csrf` field is the session's form token;
/// 403 otherwise, and nothing changes.
func requireStaffWrite(_ request: Request, form: QueryParameters, services: ServerServices) async throws -> (id: String, session: StaffSessions.Session) {
    guard let (id, session) = try await staffSession(request, services) else { throw signInFirst() }
    let sent = form["csrf"]
    guard let sent, HeaderValues.sameToken(sent, session.formToken) else {
        throw APIError(.forbidden, code: "csrf", message: "the form is not from this sign-in (reload the page and try again)")
    }
    return (id, session)
}

/// What a staff file or write answers without a signed-in session.
private func signInFirst() -> APIError {
    APIError(.forbidden, code: "sign_in", message: "sign in to the staff pages first")
}

/// A sign-in from another site's page is refused: its `Origin`, when the browser sends one,
/// must be this server (or the public URL).
func requireSameOrigin(_ request: Request, services: ServerServices) throws {
    // Without an Origin (not a browser's form post) there is nothing to compare.
    guard let origin = request.headers[.origin]?.lowercased() else { return }
    var allowed: Set<String> = []
    if let host = request.head.authority?.lowercased() { allowed.formUnion(["http://" + host, "https://" + host]) }
    if let publicURL = services.configuration.publicURL?.lowercased() {
        allowed.insert(publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL)
    }
    guard allowed.contains(origin) else {
        throw APIError(.forbidden, code: "cross_site", message: "a sign-in must come from this site's own page")
    }
}

/// The fields of a form post (`application/x-www-form-urlencoded`, the format of a query
/// string, read by the same `QueryParameters`), at most `limit` bytes. Reads the body: call it once
/// per request.
func formFields(_ request: Request, context: ServerContext, limit: Int = 64 * 1024) async throws -> QueryParameters {
    var request = request
    return QueryParameters(String(buffer: try await request.collectBody(upTo: limit)))
}

/// A form's number of seconds: nil when empty; 400 when it is not a number.
private func seconds(_ text: String?, name: String) throws -> Double? {
    guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
    guard let value = Double(text.replacingOccurrences(of: ",", with: ".")), value.isFinite else {
        throw APIError.badParameter("'\(name)' must be a number of seconds, not '\(text)'")
    }
    return value
}

/// The session cookie (empty and already expired to sign out).
private func sessionCookie(_ id: String, services: ServerServices, maxAge: Int) -> Cookie {
    Cookie(name: staffCookie, value: id, maxAge: maxAge, path: "/", secure: services.configuration.isHTTPS, httpOnly: true, sameSite: .strict)
}

/// 303 See Other to `location`.
func redirect(to location: String) -> Response {
    Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
}

/// A staff page: never cached, never framed elsewhere, never indexed.
private func staffResponse(_ html: String, request: Request, status: HTTPResponse.Status = .ok) -> Response {
    var response = htmlResponse(html, request: request, status: status)
    response.headers[.cacheControl] = "private, no-store"
    return response
}

private func signInPage(_ request: Request, services: ServerServices, problem: SignInPage.Problem?, status: HTTPResponse.Status) async throws -> Response {
    let catalogue = try await services.catalogue()
    let language = PageLanguage.preferred(request.headers[.acceptLanguage])
    return staffResponse(SignInPage(siteTitle: catalogue.title, language: language, problem: problem).render(), request: request, status: status)
}

/// The chapter editor, the transcript corrections and the caption report (issue 21, parts 4
/// and 5): pages and writes on `LinkStage.setChapters` and `IndexDatabase.correctTranscript`,
/// as `efterhand chapters` and `efterhand transcript import --verified` use them.
func addStaffEditRoutes(to router: Router<ServerContext>, services: ServerServices) {
    router.get("/staff/sessions/{guid}/edit") { request, context -> Response in
        guard let (_, staff) = try await staffSession(request, services) else { return redirect(to: "/staff/sign-in") }
        let catalogue = try await services.catalogue()
        let session = try programmeSession(context.pathParameter("guid"), in: catalogue)
        let query = QueryParameters(request.uri.query)
        let requested = query.text("recording").flatMap { Int64($0) }
        let at = query.text("at").flatMap(TypedPosition.seconds)
        let recordingID = EditPage.recording(of: session, requested: requested, in: catalogue.snapshot)?.id
        let (transcripts, cues) = try await services.blocking { () -> (RecordingTranscripts?, [StoredCue]) in
            guard let recordingID else { return (nil, []) }
            return (try services.repository.recordingTranscripts(recordingID: recordingID), try services.repository.cues(recordingID: recordingID))
        }
        let page = EditPage(catalogue: catalogue, session: session, recordingID: recordingID, at: at, requestedLanguage: query.text("language"),
                            transcripts: transcripts, cues: cues, language: PageLanguage.preferred(request.headers[.acceptLanguage]), staff: staff,
                            notice: query.text("done"), problem: query.text("problem"))
        return staffResponse(page.render(), request: request)
    }
    router.post("/staff/sessions/{guid}/chapters") { request, context -> Response in
        let form = try await formFields(request, context: context)
        let (_, staff) = try await requireStaffWrite(request, form: form, services: services)
        let guid = context.pathParameter("guid")
        guard let recording = form.text("recording"), Int64(recording) != nil else { throw APIError.badParameter("'recording' must be a recording id") }
        let back = "/staff/sessions/\(escapedForPath(guid))/edit?recording=\(recording)"
        let chapters: [ManualChapter]?
        do {
            chapters = form["action"] == "reset" ? nil : try chapterRows(form)
        } catch let error as ChapterError {
            return redirect(to: back + "&problem=" + escapedForQuery(error.description))
        }
        try services.requireIndexFile()
        let who = "staff:" + staff.name
        let problem = try await services.blocking { () -> String? in
            do {
                _ = try services.repository.setChapters(chapters, recording: recording, session: guid, by: who)
                return nil
            } catch let error as ChapterError {
                return error.description
            }
        }
        services.catalogues.invalidate()
        if let problem { return redirect(to: back + "&problem=" + escapedForQuery(problem)) }
        return redirect(to: back + "&done=" + escapedForQuery(chapters == nil ? "kapitlen återställda" : "\(chapters?.count ?? 0) kapitel"))
    }
    router.post("/staff/recordings/{id}/transcript") { request, context -> Response in
        // A long segment's cues, escaped as a form: far more than a decision's few fields.
        let form = try await formFields(request, context: context, limit: 2 * 1024 * 1024)
        let (_, staff) = try await requireStaffWrite(request, form: form, services: services)
        let id = try recordingID(context)
        let guid = form.text("session") ?? ""
        guard let from = form.text("from").flatMap(TypedPosition.seconds), let to = form.text("to").flatMap(TypedPosition.seconds), from <= to else {
            throw APIError.badParameter("'from' and 'to' must be the seconds of the stretch checked")
        }
        let language = form.text("language") ?? ""
        let back = "/staff/sessions/\(escapedForPath(guid))/edit?recording=\(id)&at=\(StaffText.seconds(from))&language=\(escapedForQuery(language))"
        let cues: [Cue]
        do {
            cues = try cueRows(form)
        } catch let error as TranscriptError {
            return redirect(to: back + "&problem=" + escapedForQuery(error.description) + "#text")
        }
        try services.requireIndexFile()
        let who = "staff:" + staff.name
        let outcome = try await services.blocking { () -> String in
            guard try services.repository.recording(idOrPath: String(id)) != nil else { throw APIError.notFound("no recording \(id) in the index") }
            do {
                let result = try services.repository.correctTranscript(recordingID: id, cues: cues, language: language, span: from...to,
                                                                       sessionGuid: guid.isEmpty ? nil : guid, by: who)
                return "&done=" + escapedForQuery(result.stored == 1 ? "1 rad kontrollerad" : "\(result.stored) rader kontrollerade")
            } catch let error as TranscriptError {
                return "&problem=" + escapedForQuery(([error.description] + error.problems).joined(separator: "; "))
            }
        }
        services.catalogues.invalidate()
        return redirect(to: back + outcome + "#text")
    }
    router.get("/staff/captions") { request, _ -> Response in
        guard let (_, staff) = try await staffSession(request, services) else { return redirect(to: "/staff/sign-in") }
        let catalogue = try await services.catalogue()
        let coverage = try await services.blocking { try services.repository.captionCoverage() }
        let page = CaptionsPage(catalogue: catalogue, coverage: coverage, language: PageLanguage.preferred(request.headers[.acceptLanguage]), staff: staff)
        return staffResponse(page.render(), request: request)
    }
}

/// The most rows a chapter or transcript form may send.
private let maximumFormRows = 5_000

/// The chapters of the chapter form: rows `start-N`, `title-N`, `delete-N` for N below
/// `count`, and the blank row `count` for a new chapter; rows ticked for deletion, and a blank
/// new row, left out.
private func chapterRows(_ form: QueryParameters) throws -> [ManualChapter] {
    let count = min(maximumFormRows, max(0, form.text("count").flatMap { Int($0) } ?? 0))
    var chapters: [ManualChapter] = []
    for index in 0...count where form["delete-\(index)"] == nil {
        let start = form.text("start-\(index)")
        let title = form.text("title-\(index)")
        if start == nil && title == nil { continue }
        guard let text = start, let seconds = TypedPosition.seconds(text) else {
            throw ChapterError(description: "chapter \(index + 1) ('\(title ?? "")') needs a start like 0:12:30, not '\(start ?? "")'")
        }
        chapters.append(ManualChapter(startSeconds: seconds, title: title ?? ""))
    }
    return chapters
}

/// The cues of the transcript form: rows `cue-N-start`, `cue-N-end`, `cue-N-text`,
/// `cue-N-delete`, and the blank row `count` for a new line; deleted rows and rows without
/// text left out (the text is taken as typed, lines and all).
private func cueRows(_ form: QueryParameters) throws -> [Cue] {
    let count = min(maximumFormRows, max(0, form.text("count").flatMap { Int($0) } ?? 0))
    var cues: [Cue] = []
    for index in 0...count where form["cue-\(index)-delete"] == nil {
        guard let text = form.text("cue-\(index)-text") else { continue }
        guard let start = form.text("cue-\(index)-start").flatMap(TypedPosition.seconds),
              let end = form.text("cue-\(index)-end").flatMap(TypedPosition.seconds), end >= start else {
            throw TranscriptError(description: "line \(index + 1) ('\(text.prefix(40))') needs a start and an end like 0:12:30.5, the end not before the start")
        }
        cues.append(Cue(start: start, end: end, text: text.replacingOccurrences(of: "\r\n", with: "\n")))
    }
    return cues.sorted { ($0.start, $0.end) < ($1.start, $1.end) }
}

private func escapedForQuery(_ text: String) -> String {
    text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
}

private func escapedForPath(_ text: String) -> String {
    text.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#"))) ?? ""
}
