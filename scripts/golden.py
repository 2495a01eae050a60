#!/usr/bin/env python3
"""What efterhand gives on the sample week, as files to compare before and after a change that
must not change behaviour (issue 17: the house reshaped, nothing else).

Ingests a copy of Media/ (mtimes kept) with the sample programme, then writes into OUT:
`links.json` (`efterhand links --json`), `review.json`, `report.json`, `search.json` (the query
table through `efterhand search --json --facets`), and from a running `efterhand serve`: the
feeds, `/api/topics`, every `/api/sessions/{guid}` and `/api/recordings/{id}` with its chapters
(JSON, WebVTT) and transcripts (WebVTT, SRT, JSON), `/api/search` for the query table,
`/openapi.json` and `/healthz`; and the web pages (`page_*`): `/`, `/` with a query and a
topic, `/overview` (also as staff, with the admin token), every `/sessions/{slug}` watch page
of the feed, a missing session's page, each in Swedish (no Accept-Language) and English, and
the page assets `/assets/site.css` and `/assets/app.js`. A page file holds the status, the
headers that say what the page is (Content-Type, Content-Language, Cache-Control, Vary, ETag,
Content-Security-Policy), a blank line and the body.

Normalised, and only this: the temporary folder's path (`<WORK>`) and the server's port
(`<PORT>`), which differ on every run, and so the hash part of a page's entity tag when its
body holds either (`"<HASH>-length"`; the assets' tags are kept whole); and every media file's mtime is set to 2022-01-01 UTC
before the ingest, since a checkout gives them the time of the checkout. Nothing else is rewritten: ids, times, scores and
thumbnail names must come out the same.

    python3 scripts/golden.py --write Tests/golden/sample-week   # record
    python3 scripts/golden.py --check Tests/golden/sample-week   # compare; exit 1 on a difference

EFTERHAND_BIN picks the binary (default .build/debug/efterhand).
"""
import argparse
import difflib
import json
import re
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.abspath(os.path.join(ROOT, os.environ.get("EFTERHAND_BIN", ".build/debug/efterhand")))

# Swedish and English topic words, phrases, prefixes and misspellings.
QUERIES = [
    "öppna data", "oppna", "Görel", "gorel", "innov", "innovationsprogram", "hållbarhet", "trafik", "\"bygga tjänster\"",
    "Gunilla Gudmunds", "Julia Olander", "robot", "sommarjobbare", "Johanneberg", "green city", "electricity", "yesbox",
    "digitalisering", "automatisering", "stadsutveckling", "innovationsmotor", "vad tar vi med oss", "open data", "hoppet",
    "välkommen", "tack", "xyzzy", "ö", "a*", "\"\"", "NEAR(a b)", "data OR robot",
]


# 2022-01-01T00:00:00Z, the mtime given to every copied media file.
FIXED_MTIME = 1_640_995_200


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(*args):
    done = subprocess.run([BIN, *args], capture_output=True, check=False)
    if done.returncode not in (0, 1):
        raise RuntimeError(f"efterhand {' '.join(args)} exited {done.returncode}: {done.stderr.decode()[-500:]}")
    return done.stdout


def get(base, path, headers=None, full=False):
    request = urllib.request.Request(base + path, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return (answer.status, answer.headers, answer.read()) if full else (answer.status, answer.read())
    except urllib.error.HTTPError as error:
        return (error.code, error.headers, error.read()) if full else (error.code, error.read())


# A fixed admin token for the staff view of /overview (nothing is written with it).
ADMIN_TOKEN = "golden-admin-token"
# The headers of a page that say what it is; Date and Content-Length are left out.
PAGE_HEADERS = ["Content-Type", "Content-Language", "Cache-Control", "Vary", "ETag", "Content-Security-Policy"]


def page_paths(feed, topics):
    """The web pages to record: (file name, path, request headers)."""
    pages = [("home", "/"), ("overview", "/overview"), ("session_missing", "/sessions/no-such-session")]
    first_topic = next((t.get("slug") for t in topics.get("topics", [])), None)
    if first_topic:
        pages.append(("home_query_topic", "/?" + urllib.parse.urlencode({"q": "data", "topic": first_topic, "day": "x"})))
    for item in sorted(feed.get("items", []), key=lambda i: i["id"]):
        url = urllib.parse.urlparse(item["url"]).path
        pages.append(("session_" + url.rsplit("/", 1)[-1], url))
        pages.append(("session_" + url.rsplit("/", 1)[-1] + "_t90", url + "?t=90"))
    out = []
    for name, path in pages:
        out.append((f"page_{name}.sv.html", path, {}))
        out.append((f"page_{name}.en.html", path, {"Accept-Language": "en"}))
    out.append(("page_overview_admin.sv.html", "/overview", {"Authorization": "Bearer " + ADMIN_TOKEN}))
    out.append(("page_overview_admin.en.html", "/overview", {"Authorization": "Bearer " + ADMIN_TOKEN, "Accept-Language": "en"}))
    out.append(("page_assets_site.css", "/assets/site.css", {}))
    out.append(("page_assets_app.js", "/assets/app.js", {}))
    return out


def record_page(base, path, headers, varying):
    """A page as status, headers and body. The entity tag is a hash of the body before `<WORK>`
    and `<PORT>` are normalised, so for a page whose body holds one of `varying` (absolute
    links, the staff view's paths) only its length part is kept."""
    status, answer_headers, body = get(base, path, headers, full=True)
    values = {h: answer_headers[h] for h in PAGE_HEADERS if answer_headers.get(h) is not None}
    # Pages link the assets by names with a hash of their bytes: kept as <HASH>, so that a change
    # of the stylesheet shows in its own golden file, not in every page's.
    hashed = re.compile(rb"/assets/([a-z]+)\.[0-9a-f]{16}\.(css|js)")
    if hashed.search(body):
        body = hashed.sub(rb"/assets/\1.<HASH>.\2", body)
        varying = list(varying) + ["/assets/"]
    if "ETag" in values and any(v.encode() in body for v in varying):
        values["ETag"] = '"<HASH>-' + values["ETag"].strip('"').rsplit("-", 1)[-1] + '"'
    kept = "".join(f"{h}: {v}\n" for h, v in values.items())
    return f"{status}\n{kept}\n".encode() + body


def collect(out):
    work = tempfile.mkdtemp(prefix="efterhand-golden-")
    server = None
    files = {}
    try:
        media = os.path.join(work, "Media")
        shutil.copytree(os.path.join(ROOT, "Media"), media, ignore=shutil.ignore_patterns("schedule.*", "README.md"))
        # A checkout's files carry the time of the checkout, and a file without a better clock
        # is placed by its mtime: one fixed time, outside the week, for every file.
        for base, _, names in os.walk(media):
            for name in names:
                os.utime(os.path.join(base, name), (FIXED_MTIME, FIXED_MTIME))
        schedule = os.path.join(work, "schedule.json")
        shutil.copy2(os.path.join(ROOT, "Media/schedule.json"), schedule)
        index = os.path.join(work, "Index")
        subprocess.run([BIN, "ingest", "--media", media, "--schedule", schedule, "--index", index], check=True,
                       stdout=subprocess.DEVNULL)
        files["links.json"] = run("links", "--index", index, "--json")
        files["review.json"] = run("review", "--index", index, "--json")
        files["report.json"] = run("report", "--index", index, "--json")
        search = {q: json.loads(run("search", q, "--index", index, "--json", "--facets") or b"null") for q in QUERIES}
        files["search.json"] = json.dumps(search, ensure_ascii=False, indent=1, sort_keys=True).encode()

        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen([BIN, "serve", "--index", index, "--port", str(port), "--no-access-log"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  env=dict(os.environ, EFTERHAND_ADMIN_TOKEN=ADMIN_TOKEN))
        for _ in range(200):
            try:
                if get(base, "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.05)
        else:
            raise RuntimeError("the server did not start")

        paths = ["/feed.json", "/api/topics", "/openapi.json", "/healthz"]
        feed = json.loads(get(base, "/feed.json")[1])
        topics = json.loads(get(base, "/api/topics")[1])
        for facet, prefix in (("topics", "topics"), ("rooms", "rooms"), ("days", "days")):
            for entry in topics.get(facet, []):
                slug = entry.get("slug") or entry.get("name")
                paths.append(f"/feeds/{prefix}/{urllib.parse.quote(slug)}.json")
        guids = sorted({item["id"] for item in feed.get("items", [])})
        paths += [f"/api/sessions/{urllib.parse.quote(g)}" for g in guids]
        recordings = set()
        for guid in guids:
            session = json.loads(get(base, f"/api/sessions/{urllib.parse.quote(guid)}")[1])
            recordings.update(r["recording_id"] for r in session.get("recordings", []))
        for rid in sorted(recordings):
            paths += [f"/api/recordings/{rid}", f"/api/recordings/{rid}/chapters.json", f"/api/recordings/{rid}/chapters.vtt",
                      f"/api/recordings/{rid}/transcript.vtt", f"/api/recordings/{rid}/transcript.srt",
                      f"/api/recordings/{rid}/transcript.json"]
        paths += ["/api/search?" + urllib.parse.urlencode({"q": q}) for q in QUERIES]
        for path in paths:
            status, body = get(base, path)
            name = "http" + path.replace("/", "_").replace("?", "_") .replace("%", "~")[:180]
            files[name] = f"{status}\n".encode() + body
        for name, path, headers in page_paths(feed, topics):
            files[name] = record_page(base, path, headers, varying=(work, f"127.0.0.1:{port}"))
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)

    normalised = {}
    for name, data in files.items():
        text = data.decode("utf-8", "replace").replace(work, "<WORK>").replace(f"127.0.0.1:{port}", "127.0.0.1:<PORT>")
        normalised[name] = text
    return normalised


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--write", metavar="DIR")
    group.add_argument("--check", metavar="DIR")
    arguments = parser.parse_args()
    if not os.path.exists(BIN):
        sys.exit(f"no binary at {BIN}: build first")
    now = collect(arguments.write or arguments.check)
    if arguments.write:
        shutil.rmtree(arguments.write, ignore_errors=True)
        os.makedirs(arguments.write)
        for name, text in now.items():
            with open(os.path.join(arguments.write, name), "w", encoding="utf-8") as f:
                f.write(text)
        print(f"golden: {len(now)} files written to {arguments.write}")
        return
    differing = []
    kept = set(os.listdir(arguments.check))
    for name in sorted(set(now) | kept):
        before = open(os.path.join(arguments.check, name), encoding="utf-8").read() if name in kept else None
        after = now.get(name)
        if before != after:
            differing.append(name)
            diff = difflib.unified_diff((before or "").splitlines(), (after or "").splitlines(), f"golden/{name}", f"now/{name}", lineterm="", n=1)
            print("\n".join(list(diff)[:40]))
    print(f"golden: {len(now)} files, {len(differing)} differ" + (": " + ", ".join(differing[:20]) if differing else ""))
    sys.exit(1 if differing else 0)


if __name__ == "__main__":
    main()
