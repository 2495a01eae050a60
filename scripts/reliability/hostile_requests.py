#!/usr/bin/env python3
"""Hostile requests against `efterhand serve` (issue 10), over raw sockets where a library
would clean the request up first.

On a fresh index of the sample week, with an admin token and one allowed CORS origin: path
traversal in every form on every route (the routes come from /openapi.json, plus the pages),
oversized query strings and headers, invalid UTF-8 in path and query, malformed and overlapping
ranges on /media/{id} (checked against the file's bytes), odd methods and bodies, slow clients
holding connections while others must still be served, write routes without or with a wrong
token (and the index unchanged), CORS from origins not allowed. Every answer must have the right
status, leak nothing (no file outside the index and media, no index bytes, no stack trace, no
server path in an error), and the server must stay up. Then schemathesis (`st run`, a bounded
number of examples per operation) against /openapi.json must find no server error.

Environment: EFTERHAND_BIN, HOSTILE_EXAMPLES (schemathesis examples per operation, default 100),
HOSTILE_SLOW_SECONDS (how long the slow clients hold on, default 12), RELIABILITY_SEED (schemathesis's seed),
RELIABILITY_TMP.
"""
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import SAMPLE, Server, efterhand, log, require_binary, scratch, summary  # noqa: E402

PART = "hostile-requests"
TOKEN = "hostile-test-token-0123456789"
ALLOWED_ORIGIN = "https://portal.example.org"
EXAMPLES = int(os.environ.get("HOSTILE_EXAMPLES", "100"))
SLOW_SECONDS = float(os.environ.get("HOSTILE_SLOW_SECONDS", "12"))
# `serve --idle-timeout` for this part: shorter than SLOW_SECONDS, so the silent clients are closed.
IDLE_TIMEOUT = 5
# schemathesis's seed: RELIABILITY_SEED when given (to repeat a run), else a new one each run.
SEED = os.environ.get("RELIABILITY_SEED", str(int(time.time()) % 100000))

failures = []
statuses = {}
counts = {"cases": 0, "requests": 0}


def fail(message):
    failures.append(message)
    log("FAIL", message)


# MARK: - A raw HTTP/1.1 client


class Answer:
    def __init__(self, status, headers, body, raw):
        self.status = status
        self.headers = headers
        self.body = body
        self.raw = raw

    def header(self, name):
        return self.headers.get(name.lower())

    def __repr__(self):
        return f"{self.status} {self.body[:120]!r}"


def raw_request(port, data, timeout=10.0):
    """Sends bytes as they are and reads one answer (until the length is read, or the server
    closes). Returns an Answer, or None when the server closed without answering."""
    counts["requests"] += 1
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        try:
            s.sendall(data)
        except OSError:
            pass  # the server may close before reading everything; its answer is still read below
        buffer = b""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                chunk = s.recv(65536)
            except (ConnectionResetError, socket.timeout):
                break
            if not chunk:
                break
            buffer += chunk
            answer = parse(buffer, complete=False)
            if answer is not None:
                return answer
    return parse(buffer, complete=True)


def parse(buffer, complete):
    head, sep, rest = buffer.partition(b"\r\n\r\n")
    if not sep:
        return None
    lines = head.split(b"\r\n")
    match = re.match(rb"HTTP/1\.[01] (\d{3})", lines[0])
    if not match:
        return Answer(-1, {}, buffer, buffer) if complete else None
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        headers[name.decode("latin-1").strip().lower()] = value.decode("latin-1").strip()
    status = int(match.group(1))
    if status in (204, 304) or 100 <= status < 200:
        return Answer(status, headers, b"", buffer)
    if "content-length" in headers:
        length = int(headers["content-length"])
        if len(rest) >= length:
            return Answer(status, headers, rest[:length], buffer)
        return Answer(status, headers, rest, buffer) if complete else None
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body, ok = dechunk(rest)
        if ok or complete:
            return Answer(status, headers, body, buffer)
        return None
    return Answer(status, headers, rest, buffer) if complete else None


def dechunk(data):
    body = b""
    while True:
        line, sep, data = data.partition(b"\r\n")
        if not sep:
            return body, False
        try:
            size = int(line.split(b";")[0], 16)
        except ValueError:
            return body, False
        if size == 0:
            return body, True
        if len(data) < size + 2:
            return body, False
        body += data[:size]
        data = data[size + 2:]


def request(port, method, target, headers=None, body=b"", host=True, timeout=10.0):
    """A request with `target` sent byte for byte (bytes or latin-1 text)."""
    if isinstance(target, str):
        target = target.encode("latin-1")
    lines = [method.encode() + b" " + target + b" HTTP/1.1"]
    if host:
        lines.append(b"Host: 127.0.0.1")
    for name, value in (headers or {}).items():
        lines.append(name.encode() + b": " + (value if isinstance(value, bytes) else value.encode("latin-1")))
    if body:
        lines.append(b"Content-Length: " + str(len(body)).encode())
    lines.append(b"Connection: close")
    return raw_request(port, b"\r\n".join(lines) + b"\r\n\r\n" + body, timeout=timeout)


# MARK: - What must never be in an answer


class Secrets:
    def __init__(self, work, index, media):
        self.work = work
        # The server's own folders: an answer that names them tells an attacker where things are.
        # (The harness's secret file lies beside them, and requests that name it are echoed in
        # "no such ..." messages: that is the request, not a leak.)
        self.folders = [index.encode(), media.encode()]
        self.marker = f"EFTERHAND-SECRET-{os.getpid()}-{int(time.time())}"
        self.secret = os.path.join(work, "secret.txt")
        with open(self.secret, "w") as f:
            f.write(self.marker + "\n")
        self.index_bytes = open(os.path.join(index, "index.sqlite"), "rb").read(100)

    def leaks(self, answer):
        """What of the forbidden the answer holds, or None."""
        text = answer.raw
        for needle, what in ((self.marker.encode(), "the secret file outside the index and media"), (b"root:x:0:0", "/etc/passwd"),
                             (b"SQLite format 3", "the index database"), (b"Fatal error", "a Swift crash message"),
                             (b"Stack dump", "a stack trace"), (b".swift:", "a source location"),
                             (b"PRIVATE KEY", "a key")):
            if needle in text:
                return what
        if answer.status >= 400 and any(folder in text for folder in self.folders):
            return "a folder of the server in an error"
        return None


def check(answer, what, allowed, secrets):
    """One case: the answer's status is in `allowed` (a set, or a predicate), nothing leaks."""
    counts["cases"] += 1
    status = answer.status if answer is not None else None
    statuses[status] = statuses.get(status, 0) + 1
    ok = allowed(status) if callable(allowed) else status in allowed
    if not ok:
        fail(f"{what}: status {status}, expected {sorted(allowed) if not callable(allowed) else 'another'}: {answer!r}")
    if answer is not None:
        leak = secrets.leaks(answer)
        if leak:
            fail(f"{what}: the answer leaks {leak}")
        if status is not None and status >= 400 and status != 416 and answer.body:
            try:
                json.loads(answer.body)["error"]["code"]
            except (ValueError, KeyError, TypeError):
                if not answer.header("content-type", ) or "json" in (answer.header("content-type") or ""):
                    fail(f"{what}: error {status} is not a JSON error: {answer.body[:200]!r}")
    return answer


def client_error(status):
    return status is not None and 400 <= status < 500


def not_server_error(status):
    return status is not None and status < 500


def client_error_or_closed(status):
    """For requests no server must parse (oversized heads): a 4xx, or the connection closed."""
    return status is None or 400 <= status < 500


# MARK: - Cases


TRAVERSALS = [
    "..", "../..", "../../../../../../etc/passwd", "..%2f..%2f..%2f..%2fetc%2fpasswd", "%2e%2e", "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "%2E%2E%2F%2E%2E%2Findex.sqlite", "%252e%252e%252f%252e%252e%252fetc%252fpasswd", "..%252f..%252fetc%252fpasswd",
    "%252e%252e", "%2fetc%2fpasswd", "/etc/passwd", "//etc/passwd", "..\\..\\..\\etc\\passwd", "..%5c..%5cetc%5cpasswd",
    "%5c..%5c..%5cindex.sqlite", "1%00", "1%00.mp4", "%00", "..%00/etc/passwd", "....//....//etc/passwd", "..;/..;/etc/passwd",
    "%c0%ae%c0%ae%c0%afetc%c0%afpasswd", "%e0%80%ae%e0%80%ae/etc/passwd", "..%u2216..%u2216etc", "index.sqlite", "../index.sqlite",
    "..%2findex.sqlite", "thumbnails/../../index.sqlite", "~root", "file:%2f%2f%2fetc%2fpasswd", "{SECRET}", "{SECRET_ENCODED}",
    ".%2e/.%2e/etc/passwd", "%2e./%2e./index.sqlite",
]


def routes(base_port):
    """(method, template, parameter names) of every documented operation, and the pages."""
    answer = request(base_port, "GET", "/openapi.json")
    document = json.loads(answer.body)
    out = []
    for path, item in document["paths"].items():
        for method in item:
            out.append((method.upper(), path, re.findall(r"\{(\w+)\}", path)))
    out += [("GET", "/", []), ("GET", "/sessions/{slug}", ["slug"]), ("GET", "/overview", []), ("GET", "/assets/{file}", ["file"])]
    return out


def traversal_cases(port, secrets, routes_):
    tried = 0
    for method, template, parameters in routes_:
        headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"} if method in ("POST", "PUT") else {}
        # With the right token, so the payload meets the route itself; bodies the route refuses,
        # so that nothing is written when it does.
        body = b'{"action": "none"}' if method == "POST" else (b"not captions" if method == "PUT" else b"")
        for payload in TRAVERSALS:
            payload = payload.replace("{SECRET}", secrets.secret).replace("{SECRET_ENCODED}", urllib.parse.quote(secrets.secret, safe=""))
            targets = []
            if parameters:
                for name in parameters:
                    target = template
                    for other in parameters:
                        target = target.replace("{" + other + "}", payload if other == name else "1")
                    targets.append(target)
            else:
                # Routes without parameters: the payload after the path, and in the query.
                targets.append(template.rstrip("/") + "/" + payload)
            for target in targets:
                answer = request(port, method, target, headers, body)
                # A traversal never names something real: a 4xx, whatever the route.
                check(answer, f"{method} {target}", client_error, secrets)
                tried += 1
        for payload in ("../../../../etc/passwd", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "%00", secrets.secret):
            target = template.replace("{id}", "5").replace("{topic}", "samverkan").replace("{room}", "sal-a").replace("{day}", "2021-10-05")
            target = target.replace("{guid}", "iv21-103-lagsport").replace("{file}", "x").replace("{slug}", "iv21-103-lagsport")
            answer = request(port, method, target + "?q=" + payload + "&language=" + payload + "&after=" + payload + "&file=" + payload,
                             headers, body)
            check(answer, f"{method} {target} with the payload in the query", not_server_error, secrets)
            tried += 1
    # Targets that are not origin-form paths at all.
    for target in ["../../etc/passwd", "etc/passwd", "*", "http://127.0.0.1/../../etc/passwd", "//etc/passwd", "/./././etc/passwd",
                   "/media/./5/../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "\\..\\..\\etc\\passwd"]:
        answer = request(port, "GET", target)
        check(answer, f"GET {target}", client_error_or_closed, secrets)
        tried += 1
    return tried


def oversized_cases(port, secrets):
    cases = [
        ("a 100 KB query string", "GET", "/api/search?q=" + "a" * 100_000, {}),
        ("a 1 MB query string", "GET", "/feed.json?page_size=" + "9" * 1_000_000, {}),
        ("a 64 KB path", "GET", "/api/sessions/" + "x" * 65_536, {}),
        ("a 100 KB header", "GET", "/feed.json", {"X-Big": "b" * 100_000}),
        ("a 1 MB header", "GET", "/healthz", {"Cookie": "c" * 1_000_000}),
        ("2000 headers", "GET", "/healthz", {f"X-H{i}": "v" for i in range(2000)}),
        ("a 100 KB Range", "GET", "/media/5", {"Range": "bytes=" + ",".join(f"{i}-{i}" for i in range(15_000))}),
        ("a 100 KB If-None-Match", "GET", "/feed.json", {"If-None-Match": ", ".join(f'"{i}"' for i in range(12_000))}),
        ("a 50 KB Accept-Encoding", "GET", "/feed.json", {"Accept-Encoding": ", ".join(f"x{i};q=0.{i % 10}" for i in range(6_000))}),
        ("a 50 KB Origin", "GET", "/feed.json", {"Origin": "https://" + "o" * 50_000}),
        ("a 10 KB page_size", "GET", "/feed.json?page_size=" + "1" * 10_000, {}),
        ("a 4000-character language", "GET", "/api/recordings/5/transcript.vtt?language=" + "s" * 4000, {}),
    ]
    for what, method, target, headers in cases:
        answer = request(port, method, target, headers, timeout=20)
        # What the server parses is answered (a bad value with a 4xx); a head too large for the
        # parser is refused with a 4xx or by closing the connection; never a 5xx or a crash.
        check(answer, what, lambda s: s is None or s < 500, secrets)
        log(f"  {what}: {answer.status if answer else 'closed without an answer'}")
    # A body far larger than any write route takes.
    big = b"x" * (17 * 1024 * 1024)
    answer = request(port, "PUT", "/api/recordings/5/transcript", {"Authorization": f"Bearer {TOKEN}", "Content-Type": "text/vtt"}, big,
                     timeout=30)
    check(answer, "a 17 MB transcript upload", lambda s: s in (413, None), secrets)
    answer = request(port, "POST", "/api/recordings/5/decisions", {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
                     b"[" * 200_000, timeout=20)
    check(answer, "a 200 KB decision body of brackets", lambda s: s in (400, 413), secrets)
    return len(cases) + 2


def utf8_cases(port, secrets):
    targets = [
        b"/api/sessions/%ff%fe", b"/api/sessions/\xff\xfe", b"/feeds/topics/%c3%28.json", b"/feeds/topics/\xc3\x28.json",
        b"/feeds/rooms/%ed%a0%80.json", b"/feeds/days/%f0%28%8c%28.json", b"/sessions/%c0%af", b"/thumbnails/%ff/%fe.jpg",
        b"/api/search?q=%ff%fe", b"/api/search?q=\xff\xfe\xfd", b"/api/search?q=%c0%80&topic=%ed%a0%80", b"/api/search?q=data&day=%ff",
        b"/feed.json?after=%ff~%fe", b"/feed.json?after=1~\xff", b"/api/recordings/5/transcript.vtt?language=%ff%fe",
        b"/api/recordings/%ff", b"/media/%ff", b"/assets/%ff.css", b"/?lang=%ff", b"/overview?x=\xff",
        b"/api/search?q=%00", b"/api/search?q=a%00b", b"/api/sessions/a%00b", b"/feeds/topics/%00.json",
        b"/api/search?q=%", b"/api/search?q=%%%", b"/api/search?q=%zz", b"/feeds/topics/%.json", b"/api/sessions/%",
    ]
    for target in targets:
        answer = request(port, "GET", target)
        # Words to search for may be anything (200 with no hits is right); a name in the path is
        # either found or not (404), or refused as malformed (400).
        allowed = not_server_error if b"?" in target else client_error
        check(answer, f"GET {target!r}", allowed, secrets)
    return len(targets)


def range_cases(port, secrets, media_file, recording_id):
    data = open(media_file, "rb").read()
    size = len(data)
    cases = [
        "bytes=", "bytes=-", "bytes=--1", "bytes=1-2-3", "bytes=a-b", "bytes=0-a", "bytes=-a", "bytes=99999999999999999999999-",
        "bytes=-99999999999999999999999", "bytes=0-99999999999999999999999", "bytes=0-0,0-0", "bytes=0-100,50-150",
        "bytes=0-1,1-2,2-3", "bytes=-1,-1", "bytes= 0 - 1", "bytes=0-1\x00", "Bytes=0-1", "BYTES=0-1", "bytes=1-0",
        "bytes=0-,0-", "bytes=5-4", f"bytes={size}-", f"bytes={size - 1}-", f"bytes=-{size + 1}", "bytes=-0", "bytes=0--1",
        "bytes=+1-2", "bytes=1 -2", "bytes=0x10-0x20", "bytes=1e3-2e3", "bytes=\u0661-\u0662", "bytes=٠-١", "items=0-1",
        "bytes=0-1;bytes=2-3", ",", "bytes=,", "bytes=,0-1", "bytes=0-1,", "bytes=" + "0-0," * 2000 + "0-0",
    ]
    tried = 0
    for header in cases:
        raw = header.encode("utf-8")
        answer = request(port, "GET", f"/media/{recording_id}", {"Range": raw})
        tried += 1
        what = f"Range {header[:60]!r}"
        # A NUL byte makes the head unparsable: refused before any route (400, no body).
        check(answer, what, {400} if "\x00" in header else {200, 206, 416}, secrets)
        if answer is None:
            continue
        if answer.status == 200 and answer.body != data:
            fail(f"{what}: 200 with a body that is not the file ({len(answer.body)} of {size} bytes)")
        if answer.status == 206:
            match = re.fullmatch(r"bytes (\d+)-(\d+)/(\d+)", answer.header("content-range") or "")
            if not match:
                fail(f"{what}: 206 with Content-Range {answer.header('content-range')!r}")
                continue
            first, last, total = map(int, match.groups())
            if total != size or not (0 <= first <= last < size) or answer.body != data[first:last + 1]:
                fail(f"{what}: 206 {first}-{last}/{total} and {len(answer.body)} bytes that are not that part of the file")
        if answer.status == 416 and answer.header("content-range") != f"bytes */{size}":
            fail(f"{what}: 416 with Content-Range {answer.header('content-range')!r}")
    # Ranges on the other routes are ignored.
    answer = request(port, "GET", "/feed.json", {"Range": "bytes=0-10"})
    check(answer, "Range on /feed.json", {200}, secrets)
    return tried + 1


HOSTILE_DATES = [
    "Sun, 06 Nov 99999999999 08:49:37 GMT", "Sun, 99999999999 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 99999999999:49:37 GMT",
    "Sun, 06 Nov 1994 08:49:99999999999 GMT", "Sun, 06 Nov -99999999999 08:49:37 GMT", "Sun, 06 Nov 9223372036854775807 08:49:37 GMT",
    "Sun, 32 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 0001 08:49:37 GMT", "Sun, 06 Nov 10000 08:49:37 GMT", "Fri, 31 Dec 9999 23:59:60 GMT",
    "Wed, 31 Feb 2021 10:00:00 GMT", "Sun, 06 Nov 1994 +8:49:37 GMT", "Sun, 06 Nov 1994 08:49:37", "", " ", "GMT", "\u00f6" * 100,
]


def conditional_cases(port, secrets, recording_id):
    """Hostile dates in If-Modified-Since and If-Range on a recording and a thumbnail: ignored
    (200 or 206), never a crash; a date in range still gives 304."""
    feed = request(port, "GET", "/feed.json")
    thumbnail = None
    if feed is not None and feed.status == 200:
        found = re.search(rb'"(?:https?://[^/"]+)?(/thumbnails/[^"]+\.jpg)"', feed.body)
        thumbnail = found.group(1).decode() if found else None
    targets = [f"/media/{recording_id}"] + ([thumbnail] if thumbnail else [])
    tried = 0
    for target in targets:
        for date in HOSTILE_DATES:
            for headers, allowed in (({"If-Modified-Since": date.encode("utf-8")}, {200}),
                                     ({"If-Range": date.encode("utf-8"), "Range": b"bytes=0-9"}, {200, 206})):
                answer = request(port, "GET", target, headers)
                tried += 1
                check(answer, f"{list(headers)[0]} {date[:40]!r} on {target}", allowed, secrets)
        answer = request(port, "GET", target, {"If-Modified-Since": b"Fri, 31 Dec 9999 23:59:59 GMT"})
        tried += 1
        check(answer, f"a current If-Modified-Since on {target}", {304}, secrets)
    if not thumbnail:
        fail("no thumbnail address in /feed.json for the conditional cases")
    return tried


def method_cases(port, secrets):
    cases = [("TRACE", "/feed.json"), ("CONNECT", "/feed.json"), ("PROPFIND", "/media/5"), ("DELETE", "/api/recordings/5"),
             ("PATCH", "/api/recordings/5/decisions"), ("FOO", "/healthz"), ("OPTIONS", "/feed.json"), ("GET", "/feed.json")]
    for method, target in cases:
        answer = request(port, method, target)
        check(answer, f"{method} {target}", (lambda s: s is not None and s < 500 and s != 200) if method not in ("GET", "OPTIONS")
              else not_server_error, secrets)
    # Bodies that lie about their length, and both framings at once.
    smuggles = [
        b"POST /api/recordings/5/decisions HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\nConnection: close\r\n\r\n",
        b"POST /api/recordings/5/decisions HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n",
        b"POST /api/recordings/5/decisions HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nContent-Length: 20\r\nConnection: close\r\n\r\n0123456789",
        b"GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n",
        b"GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n",
        b"GET /healthz\r\n\r\n",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 64,
        b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Bad\x00Name: v\r\nConnection: close\r\n\r\n",
        b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n b\r\nConnection: close\r\n\r\n",
        b"GET /healthz HTTP/1.1\nHost: x\nConnection: close\n\n",
    ]
    for raw in smuggles:
        answer = raw_request(port, raw, timeout=5)
        check(answer, f"raw {raw[:50]!r}", lambda s: s is None or s < 500, secrets)
    return len(cases) + len(smuggles)


def decisions_in(index):
    with sqlite3.connect(os.path.join(index, "index.sqlite")) as db:
        return db.execute("SELECT count(*) FROM decision").fetchone()[0], db.execute("SELECT count(*) FROM cue WHERE status = 'verified'").fetchone()[0]


def auth_cases(port, secrets, index):
    before = decisions_in(index)
    vtt = b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nIntrang.\n"
    wrong = [None, "", "Bearer", "Bearer ", f"Bearer {TOKEN[:-1]}", f"Bearer {TOKEN}x", f"bearer {TOKEN[:-1]}X", f"Basic {TOKEN}",
             f"Token {TOKEN}", f"Bearer {TOKEN.upper()}", f"Bearer\t{TOKEN}\x00", "Bearer " + "A" * 10_000, f"{TOKEN}",
             f"Bearer {TOKEN[:10]}"]
    tried = 0
    for authorization in wrong:
        for method, target, body, kind in (("POST", "/api/recordings/1/decisions", b'{"action": "unlink"}', "application/json"),
                                           ("PUT", "/api/recordings/1/transcript?language=sv", vtt, "text/vtt"),
                                           ("POST", f"/api/recordings/1/decisions?token={TOKEN}", b'{"action": "unlink"}', "application/json")):
            headers = {"Content-Type": kind}
            if authorization is not None:
                headers["Authorization"] = authorization
            answer = request(port, method, target, headers, body)
            tried += 1
            check(answer, f"{method} {target} with Authorization {str(authorization)[:40]!r}", {400, 401}, secrets)
            if answer is not None and answer.status == 401 and not (answer.header("www-authenticate") or "").startswith("Bearer"):
                fail(f"{method} {target}: 401 without WWW-Authenticate: Bearer")
    if decisions_in(index) != before:
        fail(f"writes without the right token changed the index: {before} -> {decisions_in(index)}")
    # The right token works (so the cases above could have failed).
    answer = request(port, "POST", "/api/recordings/1/decisions", {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
                     b'{"action": "unlink"}')
    check(answer, "POST decisions with the right token", {200}, secrets)
    if decisions_in(index)[0] != before[0] + 1:
        fail("the write with the right token did not record a decision")
    return tried + 1


def cors_cases(port, secrets):
    tried = 0
    for origin in ["https://evil.example.com", "null", "https://portal.example.org.evil.com", "https://evil.com/https://portal.example.org",
                   "http://portal.example.org", "https://portal.example.org:8443", "https://xportal.example.org", "*",
                   "https://portal.example.org%0d%0aX-Injected:%201", "https://portal.example.org/", " https://evil.example.com", ""]:
        for method, target, extra in (("GET", "/feed.json", {}), ("GET", "/api/recordings/999", {}),
                                      ("OPTIONS", "/api/recordings/1/decisions", {"Access-Control-Request-Method": "POST",
                                                                                   "Access-Control-Request-Headers": "authorization"}),
                                      ("OPTIONS", "/feed.json", {"Access-Control-Request-Method": "GET"})):
            headers = {"Origin": origin, **extra}
            answer = request(port, method, target, headers)
            tried += 1
            what = f"{method} {target} from Origin {origin!r}"
            allowed_origin = origin.strip().rstrip("/").lower() == ALLOWED_ORIGIN
            if method == "OPTIONS":
                check(answer, what, {204} if allowed_origin else {403}, secrets)
            else:
                check(answer, what, {200, 404} if "/api/recordings/999" in target else {200}, secrets)
            if allowed_origin:
                continue
            if answer is None:
                continue
            for name in ("access-control-allow-origin", "access-control-allow-credentials", "access-control-allow-methods", "x-injected"):
                if answer.header(name) is not None:
                    fail(f"{what}: answered with {name}: {answer.header(name)}")
    # The allowed origin is answered, as a control.
    answer = request(port, "OPTIONS", "/api/recordings/1/decisions", {"Origin": ALLOWED_ORIGIN, "Access-Control-Request-Method": "POST"})
    check(answer, "preflight from the allowed origin", {204}, secrets)
    if answer is not None and answer.header("access-control-allow-origin") != ALLOWED_ORIGIN:
        fail(f"the allowed origin's preflight has Access-Control-Allow-Origin {answer.header('access-control-allow-origin')!r}")
    return tried + 1


def slow_cases(port, secrets, seconds):
    """Slow clients: some send their head a byte at a time, some open and say nothing, some ask for
    a recording and never read it. Meanwhile others must be answered."""
    stop = threading.Event()
    held = []
    opened = 0

    def slowloris(n):
        nonlocal opened
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
        except OSError:
            return
        held.append(s)
        opened += 1
        head = b"GET /feed.json HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 1000
        i = 0
        while not stop.is_set() and i < len(head):
            try:
                s.sendall(head[i:i + 1])
            except OSError:
                return
            i += 1
            stop.wait(0.5)

    threads = [threading.Thread(target=slowloris, args=(n,), daemon=True) for n in range(200)]
    for t in threads:
        t.start()
    silent = []
    for _ in range(200):
        try:
            silent.append(socket.create_connection(("127.0.0.1", port), timeout=5))
        except OSError:
            break
    unread = []
    for _ in range(20):
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            s.sendall(b"GET /media/5 HTTP/1.1\r\nHost: x\r\n\r\n" * 50)
            unread.append(s)
        except OSError:
            break
    served = slow_answers = 0
    started = time.monotonic()
    worst = 0.0
    while time.monotonic() - started < seconds:
        began = time.monotonic()
        try:
            answer = request(port, "GET", "/feed.json?page_size=2", timeout=5)
        except OSError as error:
            answer = None
            fail(f"while slow clients hold connections: {error}")
        took = time.monotonic() - began
        worst = max(worst, took)
        counts["cases"] += 1
        if answer is None or answer.status != 200:
            fail(f"while slow clients hold connections, a normal request got {answer!r}")
        else:
            served += 1
        time.sleep(0.2)
    stop.set()
    # Held longer than the server's idle timeout: the silent ones must be closed by now.
    closed = 0
    for s in silent:
        try:
            s.settimeout(IDLE_TIMEOUT + 5)
            closed += s.recv(1) == b""
        except ConnectionResetError:
            closed += 1
        except OSError:
            pass
    counts["cases"] += 1
    if seconds > IDLE_TIMEOUT and closed < len(silent):
        fail(f"{len(silent) - closed} of {len(silent)} silent connections stayed open past the {IDLE_TIMEOUT} s idle timeout")
    for s in held + silent + unread:
        try:
            s.close()
        except OSError:
            pass
    log(f"slow clients: {opened} sending a byte every 0.5 s, {len(silent)} silent ({closed} closed by the server's "
        f"{IDLE_TIMEOUT} s idle timeout), {len(unread)} not reading 50 recordings each; "
        f"{served} normal requests answered meanwhile (slowest {worst:.2f} s)")
    return served, slow_answers


def schemathesis(base, work):
    """`st run` with a bounded number of examples per operation; the pass criterion is
    not_a_server_error. Returns (operations tested, server errors, detail)."""
    # Through this Python, so that it is the schemathesis pip installed for it (`make reliability`
    # installs it; so does this, when it is missing).
    st = [sys.executable, "-m", "schemathesis.cli"]
    if subprocess.run(st + ["--version"], capture_output=True).returncode != 0:
        proc = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--break-system-packages", "schemathesis"],
                              capture_output=True, text=True)
        if subprocess.run(st + ["--version"], capture_output=True).returncode != 0:
            fail(f"schemathesis is not installed and pip could not install it: {proc.stderr[-300:]}")
            return 0, 0, "schemathesis missing"
    report = os.path.join(work, "schemathesis")
    command = st + ["run", base + "/openapi.json", "--url", base, "--checks", "not_a_server_error", "--max-examples", str(EXAMPLES),
               "--phases", "examples,coverage,fuzzing,stateful", "--workers", "2", "--seed", SEED, "--no-color", "--request-timeout", "10",
               "--suppress-health-check", "all", "--report", "ndjson", "--report-dir", report, "--generation-database", "none",
               "-H", f"Authorization: Bearer {TOKEN}"]
    log("schemathesis:", " ".join(command[3:]))
    # In the scratch folder: schemathesis leaves a .schemathesis/ folder wherever it runs.
    proc = subprocess.run(command, capture_output=True, text=True, timeout=900, cwd=work)
    output = proc.stdout + proc.stderr
    tail = "\n".join(output.strip().splitlines()[-25:])
    log(tail)
    errors = len(re.findall(r"Server error", output))
    operations = re.search(r"Tested: (\d+)", output)
    cases_line = re.search(r"(\d+) generated.*", output)
    if cases_line:
        counts["requests"] += int(cases_line.group(1))
    if proc.returncode != 0:
        fail(f"schemathesis exited {proc.returncode}: {tail[-600:]}")
    return (int(operations.group(1)) if operations else 0), errors, (cases_line.group(0) if cases_line else "no test cases line")


def main():
    require_binary(PART)
    work = scratch(PART)
    media = os.path.join(work, "Media")
    index = os.path.join(work, "Index")
    shutil.copytree(SAMPLE, media, ignore=shutil.ignore_patterns("schedule.*", "README.md"))
    proc = efterhand("ingest", "--media", media, "--schedule", os.path.join(SAMPLE, "schedule.json"), "--index", index)
    if proc.returncode != 0:
        summary(PART, 0, 1, detail=f"ingest of the sample week failed: {proc.stderr[-300:]}")
    secrets = Secrets(work, index, media)
    env = dict(os.environ, EFTERHAND_ADMIN_TOKEN=TOKEN)
    server = Server(index, "--cors-origin", ALLOWED_ORIGIN, "--idle-timeout", str(IDLE_TIMEOUT), env=env,
                    log_path=os.path.join(work, "serve.log"))
    details = []
    try:
        port = server.port
        with sqlite3.connect(os.path.join(index, "index.sqlite")) as db:
            recording_id, path = db.execute("SELECT id, absolute_path FROM recording WHERE path LIKE '%inspelning-01.mp4'").fetchone()
        all_routes = routes(port)
        for name, step in (("traversal", lambda: traversal_cases(port, secrets, all_routes)),
                           ("oversized", lambda: oversized_cases(port, secrets)),
                           ("invalid UTF-8", lambda: utf8_cases(port, secrets)),
                           ("ranges", lambda: range_cases(port, secrets, path, recording_id)),
                           ("conditionals", lambda: conditional_cases(port, secrets, recording_id)),
                           ("methods and framing", lambda: method_cases(port, secrets)),
                           ("tokens", lambda: auth_cases(port, secrets, index)),
                           ("CORS", lambda: cors_cases(port, secrets))):
            before = len(failures)
            tried = step()
            details.append(f"{name} {tried}")
            log(f"{name}: {tried} cases, {len(failures) - before} failures")
            if not server.alive():
                fail(f"the server died during the {name} cases")
                break
            answer = request(port, "GET", "/healthz")
            if answer is None or answer.status != 200:
                fail(f"after the {name} cases /healthz answers {answer!r}")
        if server.alive():
            served, _ = slow_cases(port, secrets, SLOW_SECONDS)
            details.append(f"{served} requests served beside slow clients")
        if server.alive():
            operations, server_errors, line = schemathesis(server.base, work)
            details.append(f"schemathesis: {operations} operations, {line.strip()}, {server_errors} server errors")
            if server_errors:
                fail(f"schemathesis found {server_errors} server errors")
        if not server.alive():
            fail("the server is down at the end")
    finally:
        code = server.stop()
        output = server.output()
        crashed = [line for line in output.splitlines() if "Fatal error" in line or "Stack dump" in line]
        if crashed:
            fail(f"the server log has a crash: {crashed[0]}")
        internal = [line for line in output.splitlines() if "failed:" in line and "efterhand.http" in line]
        if internal:
            log(f"server log: {len(internal)} internal errors, first: {internal[0][:300]}")
        if code not in (0, None):
            fail(f"the server exited {code} on SIGTERM")
        if not os.environ.get("RELIABILITY_KEEP"):
            shutil.rmtree(work, ignore_errors=True)
    by_status = ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items(), key=lambda kv: (kv[0] is None, kv[0] or 0)))
    detail = "; ".join(details) + f"; statuses {by_status}"
    if failures:
        detail = f"{len(failures)} failures, first: {failures[0][:300]}; " + detail
    summary(PART, counts["cases"], len(failures), requests=counts["requests"], errors=0, detail=detail[:1500])


if __name__ == "__main__":
    main()
