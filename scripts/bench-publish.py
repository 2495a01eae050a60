#!/usr/bin/env python3
"""`make bench-publish` (issue 22): a static publish against the server it replaces, in one run.

1. The sample week (Media/): `efterhand publish` of a fresh ingest, served by Debian's nginx with
   the repository's configuration (scripts/publish/nginx.conf), against `efterhand serve` on the
   same index: wrk on the feed and on a watch page, each target in slices taken in turn.
2. The 1000-recording benchmark corpus of scripts/bench.py (made once in $EFTERHAND_BENCH_DIR)
   with its 1000-session programme: the time and bytes of a cold publish, of a publish with
   nothing changed, and of one after one session was hidden. Its pictures are named at ingest
   and made when first asked for, by the publish: that is 5,250 decodes of 720p (about 144 ms of
   a core each, issue 20), so by default the corpus is ingested without them
   (BENCH_PUBLISH_PICTURES=1 includes them).
3. The bytes headless Chromium fetches for the static search's files on a first and a second
   query, on both publishes.

Environment: EFTERHAND (default .build/release/efterhand), BENCH_SECONDS (15), BENCH_CONNECTIONS
(64), BENCH_PUBLISH_PICTURES (0), EFTERHAND_BENCH_DIR.
"""
import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = os.path.abspath(os.environ.get("EFTERHAND", ROOT / ".build/release/efterhand"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "15"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "64"))
PICTURES = os.environ.get("BENCH_PUBLISH_PICTURES", "0") == "1"
ROUNDS = 3


def load(name, file):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / file)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


serve_bench = load("bench_serve", "bench-serve.py")
bench = load("bench", "bench.py")


def publish(index, site, *extra):
    start = time.perf_counter()
    done = subprocess.run([BIN, "publish", "--index", str(index), "--to", str(site), *extra], check=True, capture_output=True, text=True)
    return time.perf_counter() - start, done.stdout.strip().splitlines()


def folder_bytes(site):
    total = files = 0
    for folder, _, names in os.walk(os.path.realpath(site)):
        for name in names:
            path = os.path.join(folder, name)
            if not os.path.islink(path):
                total += os.path.getsize(path)
                files += 1
    return files, total


def start_nginx(site, work):
    for folder, _, names in os.walk(work):
        os.chmod(folder, 0o755)
        for name in names:
            path = os.path.join(folder, name)
            if not os.path.islink(path):
                os.chmod(path, 0o644)
    port = serve_bench.free_port()
    config = (ROOT / "scripts/publish/nginx.conf").read_text().replace("@ROOT@", str(site)).replace("@PORT@", str(port)).replace("@WORK@", str(work))
    path = Path(work) / f"nginx-{port}.conf"
    path.write_text(config)
    process = subprocess.Popen(["nginx", "-c", str(path), "-p", str(work)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    serve_bench.wait_for(base + "/feed.json")
    return base, process


def search_bytes(base, queries):
    """Bytes of /search/ files Chromium fetches for each query in turn, on the lookup page."""
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        driver.get(base + "/")
        out = []
        for query in queries:
            driver.execute_script("performance.clearResourceTimings()")
            hits = driver.execute_async_script(
                "const done = arguments[1]; fetch('/search/meta.json').then(r => r.json())"
                ".then(m => window.efterhandStaticSearch.search(m, '/search/', new URLSearchParams({q: arguments[0], limit: '30'})))"
                ".then(r => done(r.hits.length)).catch(e => done(String(e)))", query)
            size = driver.execute_script("return performance.getEntriesByType('resource').filter(e => e.name.includes('/search/'))"
                                         ".reduce((n, e) => n + e.transferSize, 0)")
            out.append((query, hits, size))
        return out
    finally:
        driver.quit()


def main():
    work = Path(tempfile.mkdtemp(prefix="efterhand-bench-publish-"))
    processes = []
    try:
        print("== the sample week ==")
        index = work / "sample-index"
        subprocess.run([BIN, "ingest", "--media", str(ROOT / "Media"), "--schedule", str(ROOT / "Media/schedule.json"), "--index", str(index)],
                       check=True, capture_output=True)
        site = work / "sample-site"
        seconds, lines = publish(index, site)
        files, size = folder_bytes(site)
        print(f"publish: {seconds:.2f} s, {files} files, {size} bytes ({lines[0]})")
        static, nginx = start_nginx(site, work)
        processes.append(nginx)
        port = serve_bench.free_port()
        server = subprocess.Popen([BIN, "serve", "--index", str(index), "--port", str(port), "--no-access-log"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        processes.append(server)
        live = f"http://127.0.0.1:{port}"
        assert serve_bench.wait_for(live + "/feed.json") == serve_bench.wait_for(static + "/feed.json"), "the same feed bytes"
        watch = "/sessions/iv21-105-oppna-data"
        targets = [("nginx, published /feed.json", static + "/feed.json"), ("efterhand serve /feed.json", live + "/feed.json"),
                   ("nginx, published watch page", static + watch), ("efterhand serve watch page", live + watch)]
        slices = {name: [] for name, _ in targets}
        for _ in range(ROUNDS):
            for name, url in targets:
                slices[name].append(serve_bench.wrk(url, seconds=SECONDS / ROUNDS))
        print(f"wrk: 2 threads, {CONNECTIONS} connections, {SECONDS} s per target in {ROUNDS} slices taken in turn, loopback")
        rates = {}
        for name, _ in targets:
            parts = slices[name]
            rate = sum(p["requests"] for p in parts) / SECONDS
            rates[name] = rate
            errors = sum(p["errors"] for p in parts)
            p99 = max(p["latency"].get("99", 0) for p in parts)
            print(f"  {name:32} {rate:9.0f} req/s  errors {errors}  p99 {p99:.2f} ms")
        print(f"  published feed at {rates['nginx, published /feed.json'] / rates['efterhand serve /feed.json']:.2f} x efterhand serve's rate; "
              f"watch page at {rates['nginx, published watch page'] / rates['efterhand serve watch page']:.2f} x")
        server.send_signal(signal.SIGTERM)
        for query, hits, size in search_bytes(static, ["öppna data", "innovationsprogram"]):
            print(f"  search '{query}': {hits} hits, {size} bytes of search files fetched")

        print("\n== the 1000-recording benchmark corpus and its programme ==")
        bench.make_corpus()
        schedule = work / "schedule.json"
        bench.write_corpus_schedule(schedule)
        large = work / "large-index"
        subprocess.run([BIN, "ingest", "--media", str(bench.CORPUS), "--schedule", str(schedule), "--index", str(large)]
                       + ([] if PICTURES else ["--no-thumbnails"]), check=True, capture_output=True)
        large_site = work / "large-site"
        cold, lines = publish(large, large_site)
        files, size = folder_bytes(large_site)
        print(f"cold publish: {cold:.1f} s, {files} files, {size} bytes ({'pictures made' if PICTURES else 'no pictures: ingested with --no-thumbnails'})")
        again, lines = publish(large, large_site)
        print(f"again, nothing changed: {again:.1f} s ({lines[0]})")
        # One published session (a fifth of the corpus are copies, flagged as duplicates and not published).
        slug = sorted(os.listdir(os.path.realpath(large_site / "sessions")))[10]
        subprocess.run([BIN, "session", "hide", slug, "--index", str(large)], check=True, capture_output=True)
        changed, lines = publish(large, large_site)
        print(f"after one session was hidden: {changed:.1f} s ({lines[0]})")
        search_files, search_size = 0, 0
        for folder, _, names in os.walk(os.path.realpath(large_site / "search")):
            for name in names:
                search_files += 1
                search_size += os.path.getsize(os.path.join(folder, name))
        print(f"static search: {search_files} files, {search_size} bytes")
        large_static, large_nginx = start_nginx(large_site, work)
        processes.append(large_nginx)
        published = [s for s in sessions if s.get("slug") in os.listdir(os.path.realpath(large_site / "sessions"))] or sessions
        second = max(published[3]["title"].split(), key=len)
        for query, hits, size in search_bytes(large_static, ["innovation", second]):
            print(f"  search '{query}': {hits} hits, {size} bytes of search files fetched")
        return 0
    finally:
        serve_bench.stop_all(processes)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
