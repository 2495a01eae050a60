#!/usr/bin/env python3
"""Load while ingesting (issue 10): `efterhand serve` under wrk for LOAD_SECONDS (default 60)
while `efterhand ingest` runs again and again on a media folder that changes under it (copies of
the sample week and generated clips added, removed and touched).

- wrk (a Lua script picks among feed pages, topic and day feeds, the API, search, chapters,
  transcripts, thumbnails-free routes and byte ranges of recordings that stay in the folder):
  no non-2xx/3xx answers and no socket errors.
- torn reads: a Python client fetches /feed.json whole and page by page, all the time, and checks
  that each answer is a complete JSON Feed 1.1 of one state: required fields, unique ids,
  `_efterhand.total_items` equal to the items of a whole page, attachments and parts agreeing,
  a recording that covers three talks (the BRG afternoon stream) in all three items or in none,
  the sessions of the part of the folder that never changes always there, and a next_url chain
  that ends, repeats no item and keeps the feed's order.
- memory: the server's VmRSS from /proc every second; first (after warm-up), last and max, and
  the growth from first to last must stay under LOAD_RSS_GROWTH_MB (default 64).

Environment: EFTERHAND_BIN, LOAD_SECONDS, LOAD_CONNECTIONS (32), LOAD_RSS_GROWTH_MB, RELIABILITY_SEED.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import SCHEDULE, Server, efterhand, log, make_media, require_binary, scratch, seeded, summary  # noqa: E402

PART = "load-while-ingesting"
SECONDS = int(os.environ.get("LOAD_SECONDS", "60"))
CONNECTIONS = int(os.environ.get("LOAD_CONNECTIONS", "32"))
RSS_GROWTH_MB = float(os.environ.get("LOAD_RSS_GROWTH_MB", "64"))
BRG = ("7f3c2a10-0000-4000-8000-000000000106", "7f3c2a10-0000-4000-8000-000000000107", "7f3c2a10-0000-4000-8000-000000000108")

failures = []


def fail(message):
    failures.append(message)
    log("FAIL", message)


def get(url, timeout=20):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


# MARK: - The checks of one feed page


RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def check_page(body, stable, whole):
    """Problems of one feed page (empty when it is a complete JSON Feed 1.1 of one state)."""
    problems = []
    try:
        page = json.loads(body)
    except ValueError as error:
        return [f"not complete JSON ({error}; {len(body)} bytes)"]
    if page.get("version") != "https://jsonfeed.org/version/1.1":
        problems.append(f"version {page.get('version')!r}")
    if not isinstance(page.get("title"), str):
        problems.append("no title")
    items = page.get("items")
    if not isinstance(items, list):
        return problems + ["no items"]
    ids = [item.get("id") for item in items]
    if len(set(ids)) != len(ids) or not all(isinstance(i, str) for i in ids):
        problems.append(f"ids not unique strings: {ids}")
    total = (page.get("_efterhand") or {}).get("total_items")
    if whole and total != len(items):
        problems.append(f"total_items {total} but {len(items)} items on a page that holds all")
    keys = []
    where = {}
    for item in items:
        for field in ("url", "title", "content_text", "date_published"):
            if not isinstance(item.get(field), str):
                problems.append(f"item {item.get('id')}: no {field}")
        if not RFC3339.match(item.get("date_published", "")):
            problems.append(f"item {item.get('id')}: date_published {item.get('date_published')!r}")
        extension = item.get("_efterhand") or {}
        parts = extension.get("recordings") or []
        if len(parts) != len(item.get("attachments") or []):
            problems.append(f"item {item.get('id')}: {len(item.get('attachments') or [])} attachments but {len(parts)} parts")
        part_ids = {p.get("recording_id") for p in parts}
        if len(part_ids) != len(parts) and not any((p.get("parts") or 1) > 1 for p in parts):
            problems.append(f"item {item.get('id')}: a recording twice among its parts")
        for segment in extension.get("segments") or []:
            if segment.get("recording_id") not in part_ids:
                problems.append(f"item {item.get('id')}: a segment of recording {segment.get('recording_id')}, which is not a part of it")
                break
        for p in parts:
            where.setdefault(p.get("recording_id"), set()).add(item.get("id"))
        keys.append((extension.get("start", ""), item.get("id", "")))
    if keys != sorted(keys, reverse=True):
        problems.append("items not newest first")
    if whole:
        present = set(ids)
        if not stable <= present:
            problems.append(f"sessions of the unchanging recordings missing: {sorted(stable - present)}")
        # A recording covering the three BRG talks is in all three items or in none.
        if all(g in present for g in BRG):
            for recording, guids in where.items():
                if guids & set(BRG) and not set(BRG) <= guids:
                    problems.append(f"recording {recording} in {sorted(guids & set(BRG))} but not in all three BRG talks: a torn read")
                    break
    return problems


def walk(base, size, stable):
    """Follows next_url from the first page; problems, pages, items."""
    problems = []
    url = f"{base}/feed.json?page_size={size}"
    seen = []
    last_key = None
    pages = 0
    while url and pages < 100:
        status, body = get(url)
        pages += 1
        if status != 200:
            return [f"{url}: {status}"], pages, len(seen)
        found = check_page(body, stable, whole=False)
        problems += [f"page {pages}: {p}" for p in found]
        try:
            page = json.loads(body)
        except ValueError:
            break
        for item in page.get("items", []):
            key = ((item.get("_efterhand") or {}).get("start", ""), item["id"])
            if item["id"] in seen:
                problems.append(f"item {item['id']} on two pages of one walk")
            if last_key is not None and key >= last_key:
                problems.append(f"item {item['id']} out of order across pages")
            last_key = key
            seen.append(item["id"])
        url = page.get("next_url")
        if url and url.startswith("/"):
            url = base + url
    if pages >= 100:
        problems.append("the next_url chain does not end")
    return problems, pages, len(seen)


# MARK: - Churn: the folder changes, ingest runs again


def churn(media, pool, stop, rng, stats):
    """Moves copies and clips in and out of the live folder, touches files, and ingests; until `stop`."""
    live = os.path.join(media, "live")
    optional = sorted(os.listdir(pool))
    present = set()
    run = 0
    while not stop.is_set():
        run += 1
        # Bring some in, take some out.
        for name in rng.sample(optional, rng.randint(1, 6)):
            source, target = os.path.join(pool, name), os.path.join(live, name)
            if name in present:
                shutil.rmtree(target) if os.path.isdir(target) else os.remove(target)
                present.discard(name)
                stats["removed"] += 1
            else:
                (shutil.copytree if os.path.isdir(source) else shutil.copy2)(source, target)
                present.add(name)
                stats["added"] += 1
        # Touch a few files anywhere in the folder (the stable copy included: same content, new time).
        files = [os.path.join(d, f) for d, _, fs in os.walk(live) for f in fs if not f.endswith(".vtt")]
        for path in rng.sample(files, min(len(files), rng.randint(1, 6))):
            stamp = 1_600_000_000 + run * 7
            os.utime(path, (stamp, stamp))
            stats["touched"] += 1
        proc = efterhand("ingest", "--media", live, "--schedule", SCHEDULE, "--index", os.path.join(media, "..", "Index"),
                         "--json", *(["--prune"] if run % 4 == 0 else []))
        stats["ingests"] += 1
        if proc.returncode != 0:
            fail(f"ingest run {run} exited {proc.returncode}: {proc.stderr[-300:]}")
        else:
            stats["last"] = json.loads(proc.stdout)
            for error in stats["last"].get("errors", []):
                stats["ingest errors"].append(error)


# MARK: - Main


def main():
    require_binary(PART)
    if not shutil.which("wrk"):
        summary(PART, 0, 1, detail="wrk is not installed (apt-get install wrk; `make reliability` does)")
    rng = seeded(PART)
    work = scratch(PART)
    media = os.path.join(work, "media")
    pool = os.path.join(work, "pool")
    index = os.path.join(work, "Index")
    # The folder: one copy of the sample week that stays (kopia-00; its files are touched, so
    # ingest opens them again, but they keep their links), and a pool of clips that come and go.
    # The clips point at session 111, which has no recording in the sample week, or at nothing:
    # the feed changes with them (111 comes and goes, its attachments grow and shrink), while
    # no clip competes with the stable recordings, whose routes must therefore always answer.
    made = os.path.join(work, "made")
    make_media(made, copies=1, clips=40, rng=rng, guid_only="7f3c2a10-0000-4000-8000-000000000111")
    live = os.path.join(media, "live")
    os.makedirs(live)
    os.makedirs(pool)
    shutil.move(os.path.join(made, "kopia-00"), os.path.join(live, "kopia-00"))
    for name in os.listdir(made):
        if name.startswith("kopia-"):
            shutil.move(os.path.join(made, name), os.path.join(pool, name))
    for clip in sorted(os.listdir(os.path.join(made, "klipp"))):
        shutil.move(os.path.join(made, "klipp", clip), os.path.join(pool, clip))
    efterhand("ingest", "--media", live, "--schedule", SCHEDULE, "--index", index, check=True)

    # With the access log, so that a failed request can be named.
    server = Server(index, log_path=os.path.join(work, "serve.log"))
    base = server.base
    status, body = get(base + "/feed.json?page_size=500")
    items = json.loads(body)["items"]
    stable = {item["id"] for item in items}
    slugs = [(item["_efterhand"] or {}).get("slug") for item in items]
    recordings = json.loads(get(base + "/healthz")[1])
    log(f"start: {recordings['public_recordings']} public recordings, {len(stable)} published sessions that must stay published")
    # Recordings of kopia-00 never leave the folder: their routes must always answer.
    with __import__("sqlite3").connect(os.path.join(index, "index.sqlite")) as db:
        ids = [r[0] for r in db.execute("SELECT id FROM recording WHERE path LIKE ? AND state = 'ok' AND link_status = 'linked'",
                                          (os.path.join(live, "kopia-00") + "/%",))]
    paths = ["/feed.json", "/feed.json?page_size=3", "/feed.json?page_size=500", "/api/topics", "/api/search?q=data",
             "/api/search?q=innovation&limit=5", "/feeds/days/2021-10-05.json", "/feeds/days/2021-10-07.json", "/healthz",
             "/openapi.json", "/overview"]
    for guid, slug in zip(sorted(stable), slugs):
        paths += [f"/api/sessions/{guid}", f"/sessions/{slug}?t=60"]
    # Public ones only (a recording of a session that opted out of recording is not served).
    ids = [i for i in ids if get(f"{base}/api/recordings/{i}")[0] == 200]
    log(f"wrk paths: {len(ids)} recordings that stay public, with their chapters, transcripts and byte ranges")
    for i in ids:
        paths += [f"/api/recordings/{i}", f"/api/recordings/{i}/chapters.json", f"/api/recordings/{i}/chapters.vtt",
                  f"/api/recordings/{i}/transcript.vtt", f"/media/{i}"]
    lua = os.path.join(work, "paths.lua")
    with open(lua, "w") as f:
        f.write("paths = {" + ", ".join(json.dumps(p) for p in paths) + "}\n")
        f.write("""
counter = 0
request = function()
  counter = counter + 1
  local path = paths[math.random(#paths)]
  local headers = {}
  if string.sub(path, 1, 7) == "/media/" then
    headers["Range"] = "bytes=" .. (counter % 1000) .. "-" .. (counter % 1000 + 4095)
  end
  if counter % 3 == 0 then headers["Accept-Encoding"] = "gzip" end
  return wrk.format("GET", path, headers)
end
""")

    stop = threading.Event()
    stats = {"ingests": 0, "added": 0, "removed": 0, "touched": 0, "last": None, "ingest errors": []}
    reader = {"pages": 0, "walks": 0, "torn": 0, "errors": 0}
    rss = []

    def sample_rss():
        while not stop.is_set():
            value = server.rss_kb()
            if value:
                rss.append(value)
            stop.wait(1)

    def read_feed():
        while not stop.is_set():
            try:
                status, body = get(base + "/feed.json?page_size=500")
                reader["pages"] += 1
                problems = [f"status {status}"] if status != 200 else check_page(body, stable, whole=True)
                problems2, pages, _ = walk(base, 2, stable)
                reader["walks"] += 1
                reader["pages"] += pages
                for p in problems + problems2:
                    reader["torn"] += 1
                    if reader["torn"] <= 5:
                        fail(f"feed reader: {p}")
            except (OSError, ValueError) as error:
                reader["errors"] += 1
                if reader["errors"] <= 5:
                    fail(f"feed reader: {type(error).__name__}: {error}")

    threads = [threading.Thread(target=churn, args=(media, pool, stop, rng, stats), daemon=True),
               threading.Thread(target=sample_rss, daemon=True), threading.Thread(target=read_feed, daemon=True)]
    for t in threads:
        t.start()
    wrk = subprocess.run(["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--timeout", "10s", "-s", lua, base],
                         capture_output=True, text=True)
    stop.set()
    for t in threads:
        t.join(timeout=120)
    log(wrk.stdout.strip())
    if wrk.returncode != 0:
        fail(f"wrk exited {wrk.returncode}: {wrk.stderr[-300:]}")
    total = re.search(r"(\d+) requests in", wrk.stdout)
    requests = int(total.group(1)) if total else 0
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", wrk.stdout)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", wrk.stdout)
    errors = (int(non2xx.group(1)) if non2xx else 0) + (sum(map(int, socket_errors.groups())) if socket_errors else 0)
    if errors:
        # Which requests failed, from the server's access log: "GET /path 404 ...".
        failed = {}
        for line in server.output().splitlines():
            match = re.search(r"\] (GET|HEAD) (\S+) ([45]\d\d) ", line)
            if match:
                key = f"{match.group(3)} {re.sub(r'[0-9]+', 'N', match.group(2))}"
                failed[key] = failed.get(key, 0) + 1
        worst = sorted(failed.items(), key=lambda kv: -kv[1])[:5]
        fail(f"wrk: {non2xx.group(0) if non2xx else ''} {socket_errors.group(0) if socket_errors else ''}; by the access log: {worst}".strip())
    if requests == 0:
        fail("wrk made no request")
    rate = re.search(r"Requests/sec:\s+([\d.]+)", wrk.stdout)

    alive = server.alive()
    code = server.stop()
    if not alive:
        fail(f"the server died under load (exit {code})")
    # Warm-up: the first sample is taken after 5 s of load.
    steady = rss[5:] or rss
    first, last, peak = (steady[0], steady[-1], max(steady)) if steady else (0, 0, 0)
    if steady:
        quarters = [steady[min(len(steady) - 1, len(steady) * q // 4)] / 1024 for q in range(5)]
        log("RSS by quarter of the run (MB): " + ", ".join(f"{v:.1f}" for v in quarters))
    growth = (last - first) / 1024
    if steady and growth > RSS_GROWTH_MB:
        fail(f"server memory grew {growth:.0f} MB under load (first {first // 1024} MB, last {last // 1024} MB, max {peak // 1024} MB)")
    if stats["ingest errors"]:
        log(f"ingest reported {len(stats['ingest errors'])} file errors, first: {stats['ingest errors'][0][:300]}")
    if stats["ingests"] < 2:
        fail(f"only {stats['ingests']} ingest runs during the load")
    reader_requests = reader["pages"]
    if reader["walks"] == 0:
        fail("the feed reader finished no walk")
    if not os.environ.get("RELIABILITY_KEEP"):
        shutil.rmtree(work, ignore_errors=True)
    detail = (f"wrk {requests} requests in {SECONDS} s ({rate.group(1) if rate else '?'}/s, {CONNECTIONS} connections), {errors} failed; "
              f"{stats['ingests']} ingests ({stats['added']} added, {stats['removed']} removed, {stats['touched']} touched); "
              f"feed reader {reader['pages']} pages, {reader['walks']} next_url walks, {reader['torn']} torn; "
              f"RSS first {first / 1024:.1f} MB, last {last / 1024:.1f} MB, max {peak / 1024:.1f} MB ({len(rss)} samples)")
    if failures:
        detail = f"{len(failures)} failures, first: {failures[0][:300]}; " + detail
    log(detail)
    summary(PART, stats["ingests"] + reader["walks"], len(failures), requests=requests + reader_requests, errors=errors + reader["errors"],
            detail=detail)


if __name__ == "__main__":
    main()
