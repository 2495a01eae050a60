#!/usr/bin/env python3
"""`make bench-serve`: wrk against `efterhand serve` and, in the same run, Debian's nginx serving
the same feed bytes as a static file, on loopback ports of this machine only.

It ingests the sample week (Media/) into a temporary index, starts the release build of
`efterhand serve` on it and nginx on a copy of the feed's first page, then runs wrk for
30 s with 64 connections against each of (in three slices of 10 s, taken in turn so that a change
in the machine's load touches all alike): nginx's static feed, the server's /feed.json, a
watch page, and the server's /api/search with one query repeated (answered from the server's
cache). Every thumbnail the feed's first page names is fetched twice, one at a time: the first
request makes it (ingest only names pictures), the second is served from the file it left.
A third server, `hummingbird-floor` (built with efterhand), is Hummingbird 2 alone answering
the same feed bytes from memory: it shows how much of the gap to nginx is the framework's.
Distinct searches (issue 20): every request of `scripts/bench/search-queries.lua` asks a query
drawn at random from `scripts/bench/queries.txt` (300 Swedish and English topic words and
phrases, prefixes, misspellings) with `Cache-Control: no-cache`, so the server searches each
time; in the same run, `scripts/bench/search_floor.c` asks SQLite the same FTS5 questions (the
same MATCH expressions, the same ranking function and column weights, the same 500-row cap,
the best 20, FTS5's snippet() of each) on two threads with nothing else: the floor. Both on the
sample week and on the 100,000-segment index of `scripts/bench_search.py`.
It prints the figures, the ratios to nginx and to the floor, and whether the targets
hold (feed throughput at least half of nginx's, no errors, a repeated search's p99 under 10 ms,
distinct searches at least 8,000/s with p99 under 20 ms on the sample week and 2,000/s with p99
under 50 ms on the 100,000-segment index); it exits 1 when one does not. The servers are
stopped at the end, by their process ids.

Environment: EFTERHAND (the binary; default .build/release/efterhand), BENCH_SECONDS (30),
BENCH_CONNECTIONS (64), BENCH_THREADS (2), BENCH_QUERY (innovation).
"""
import json
import os
import re
import shutil
import signal
import statistics
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.environ.get("EFTERHAND", os.path.join(ROOT, ".build/release/efterhand"))
FLOOR = os.path.join(os.path.dirname(BINARY), "hummingbird-floor")
SECONDS = int(os.environ.get("BENCH_SECONDS", "30"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "64"))
THREADS = int(os.environ.get("BENCH_THREADS", "2"))
QUERY = os.environ.get("BENCH_QUERY", "innovation")
ROUNDS = 3
QUERIES = os.path.join(ROOT, "scripts/bench/queries.txt")
LUA = os.path.join(ROOT, "scripts/bench/search-queries.lua")


def search_floor():
    """Builds scripts/bench/search_floor.c (FTS5 alone, with efterhand's ranking function) once."""
    source = os.path.join(ROOT, "scripts/bench/search_floor.c")
    rank = os.path.join(ROOT, "Sources/CSearchRank/rank.c")
    binary = os.path.join(ROOT, ".build/search_floor")
    if not os.path.exists(binary) or os.path.getmtime(binary) < max(os.path.getmtime(source), os.path.getmtime(rank)):
        subprocess.run(["cc", "-O2", source, rank, "-I", os.path.join(ROOT, "Sources/CSearchRank/include"), "-lsqlite3", "-lpthread",
                        "-o", binary], check=True)
    return binary


def match_expressions(index, work):
    """The query list as the FTS5 expressions efterhand searches by, in a file; its path."""
    patterns = os.path.join(work, "patterns.txt")
    with open(patterns, "w") as f:
        subprocess.run([BINARY, "search", "x", "--index", index, "--match-expressions", QUERIES], check=True, stdout=f)
    return patterns


def floor_run(index, patterns, seconds):
    """The floor on INDEX: the FTS5 expressions in PATTERNS on two threads for SECONDS."""
    output = subprocess.run([search_floor(), os.path.join(index, "index.sqlite"), patterns, "2", str(seconds)],
                            check=True, capture_output=True, text=True).stdout
    values = dict(zip(output.split()[0::2], output.split()[1::2]))
    return {"rate": float(values["rate"]), "latency": {"50": float(values["p50_ms"]), "90": float(values["p90_ms"]), "99": float(values["p99_ms"])},
            "requests": int(values["queries"]), "errors": 0, "with_hits": int(values["with_hits"])}


def start_server(index, work, processes, name="serve"):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([BINARY, "serve", "--index", index, "--host", "127.0.0.1", "--port", str(port),
                               "--public-url", base, "--no-access-log"],
                              stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, name + ".log"), "w"))
    processes.append(server)
    wait_for(base + "/healthz", 120)
    return base, server


def summed(parts):
    return {
        "rate": sum(r["requests"] for r in parts) / SECONDS,
        "requests": sum(r["requests"] for r in parts),
        "errors": sum(r["errors"] for r in parts),
        # The worst slice's percentiles: a p99 is not an average.
        "latency": {k: max(r["latency"].get(k, float("inf")) for r in parts) for k in ["50", "90", "99"]},
    }


def line(name, r, parts=None):
    lat = r["latency"]
    slices = (" (" + ", ".join(f"{x['rate']:.0f}" for x in parts) + " req/s per slice)") if parts else ""
    print(f"{name:28} {r['rate']:10.0f} req/s  errors {r['errors']:<5} "
          f"p50 {lat['50']:.2f} ms  p90 {lat.get('90', float('nan')):.2f} ms  p99 {lat['99']:.2f} ms  ({r['requests']} requests){slices}")


def distinct_searches(base, index, work):
    """wrk with the query list against `base`, and the floor on `index`, in turns."""
    env = dict(os.environ, QUERIES=QUERIES)
    patterns = match_expressions(index, work)
    served, floor = [], []
    for _ in range(ROUNDS):
        served.append(wrk(base + "/", LUA, SECONDS / ROUNDS, env=env))
        floor.append(floor_run(index, patterns, SECONDS / ROUNDS))
    return summed(served), served, summed(floor), floor


def bench_index(work, processes):
    """The 100,000-segment index of bench_search.py, served; its distinct searches and floor."""
    sys.path.insert(0, os.path.join(ROOT, "scripts"))
    import bench_search  # noqa: E402
    folder = Path(work) / "large"
    folder.mkdir()
    index, _, _, _, reindex, recordings, segments = bench_search.make_index(BINARY, folder)
    base, server = start_server(str(index), work, processes, "serve-large")
    print(f"\n== the benchmark index: {segments} segments in {recordings} recordings (built and reindexed in {reindex:.0f} s) ==")
    result = distinct_searches(base, str(index), work)
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=30)
    return result


# A watch page of the sample week, with its player, chapters and transcript.
WATCH_PAGE = "iv21-105-oppna-data"


def picture_addresses(feed):
    """Every thumbnail address the feed's first page names: items' images and segments'."""
    found = []
    for item in feed["items"]:
        for address in [item.get("image")] + [s.get("thumbnail") for s in item.get("_efterhand", {}).get("segments", [])]:
            if address and address not in found:
                found.append(address)
    return [urllib.parse.urlsplit(address).path for address in found]


def fetch_seconds(url):
    start = time.perf_counter()
    with urllib.request.urlopen(url, timeout=30) as response:
        response.read()
    return time.perf_counter() - start


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read()
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"bench-serve: {url} did not answer within {seconds} s")


def wrk(url, script=None, seconds=SECONDS, env=None):
    """Runs wrk and returns requests/s, errors, the latency percentiles (ms) and the raw text."""
    command = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{int(seconds)}s", "--latency"] + (["-s", script] if script else []) + [url]
    output = subprocess.run(command, check=True, capture_output=True, text=True, env=env).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    errors = 0
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_2xx:
        errors += int(non_2xx.group(1))
    percentiles = {}
    for name, value, unit in re.findall(r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s)\s*$", output, re.M):
        percentiles[name] = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    return {"rate": rate, "errors": errors, "latency": percentiles, "requests": requests, "text": output}


def main():
    for tool in ["wrk", "nginx"]:
        if shutil.which(tool) is None and not os.path.exists(f"/usr/sbin/{tool}"):
            raise SystemExit(f"bench-serve: {tool} is missing (apt-get install {tool})")
    if not os.access(BINARY, os.X_OK) or not os.access(FLOOR, os.X_OK):
        raise SystemExit(f"bench-serve: no efterhand binary at {BINARY} (make release)")

    work = tempfile.mkdtemp(prefix="efterhand-bench-serve-")
    processes = []
    try:
        index = os.path.join(work, "Index")
        subprocess.run([BINARY, "ingest", "--media", os.path.join(ROOT, "Media"), "--schedule", os.path.join(ROOT, "Media/schedule.json"),
                        "--index", index], check=True, capture_output=True)

        nginx_port = free_port()
        base, _ = start_server(index, work, processes)
        feed = wait_for(base + "/feed.json")
        json.loads(feed)

        # nginx serves the very bytes of the feed's first page as a static file.
        www = os.path.join(work, "www")
        os.makedirs(www)
        with open(os.path.join(www, "feed.json"), "wb") as f:
            f.write(feed)
        # nginx's workers run as an unprivileged user: let them read the copy.
        for path in [work, www]:
            os.chmod(path, 0o755)
        os.chmod(os.path.join(www, "feed.json"), 0o644)
        config = os.path.join(work, "nginx.conf")
        with open(config, "w") as f:
            f.write(f"""
daemon off;
worker_processes auto;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    types {{ application/feed+json json; }}
    server {{
        listen 127.0.0.1:{nginx_port};
        root {www};
    }}
}}
""")
        nginx = subprocess.Popen(["nginx", "-c", config, "-p", work], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        processes.append(nginx)
        static = wait_for(f"http://127.0.0.1:{nginx_port}/feed.json")
        assert static == feed, "nginx must serve the same bytes"

        # Hummingbird alone, serving the same bytes from memory: the framework's own ceiling on
        # this machine, which no route built on it can pass.
        floor_port = free_port()
        floor = subprocess.Popen([FLOOR, os.path.join(www, "feed.json"), str(floor_port)],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        processes.append(floor)
        assert wait_for(f"http://127.0.0.1:{floor_port}/feed.json") == feed, "hummingbird-floor must serve the same bytes"

        search_url = f"{base}/api/search?q={QUERY}"
        hits = json.loads(wait_for(search_url))["total"]
        print(f"feed: {len(feed)} bytes, {len(json.loads(feed)['items'])} items; search '{QUERY}': {hits} hits")
        print(f"wrk: {THREADS} threads, {CONNECTIONS} connections, {SECONDS} s per target in {ROUNDS} slices taken in turn, loopback\n")

        # The machine is shared: to keep a change of load from favouring one side, each target
        # gets its 30 s in three slices, taken in turn with the others'.
        targets = [("nginx static feed", f"http://127.0.0.1:{nginx_port}/feed.json", None),
                   ("Hummingbird alone, same", f"http://127.0.0.1:{floor_port}/feed.json", None),
                   ("efterhand /feed.json", base + "/feed.json", None),
                   ("efterhand watch page", base + "/sessions/" + WATCH_PAGE, None),
                   ("efterhand /api/search", search_url, None)]
        slices = {name: [] for name, _, _ in targets}
        for _ in range(ROUNDS):
            for name, url, script in targets:
                slices[name].append(wrk(url, script, SECONDS / ROUNDS))
        results = {name: summed(slices[name]) for name, _, _ in targets}
        for name, _, _ in targets:
            line(name, results[name], slices[name])

        # Thumbnails are made when first asked for: what that first request costs, and the next.
        pictures = picture_addresses(json.loads(feed))
        first = [fetch_seconds(base + address) for address in pictures]
        again = [fetch_seconds(base + address) for address in pictures]
        print(f"{'  thumbnails, first request':28} {len(pictures)} pictures: p50 {1000 * statistics.median(first):.1f} ms, "
              f"max {1000 * max(first):.1f} ms (decoded from the recording, then kept)")
        print(f"{'  thumbnails, again':28} p50 {1000 * statistics.median(again):.2f} ms (from the file)")

        # Distinct searches: a query drawn from the list per request, and the floor beside it.
        fresh, fresh_parts, floor, floor_parts = distinct_searches(base, index, work)
        line("  every query new (list)", fresh, fresh_parts)
        line("  floor: FTS5 alone, 2 thr.", floor, floor_parts)
        print(f"{'':28} ({sum(x['with_hits'] for x in floor_parts)} of the floor's {floor['requests']} queries had hits)")

        # For the record: one connection, so the latency is the work of one search, not queueing.
        single = subprocess.run(["wrk", "-t1", "-c1", "-d10s", "--latency", "-s", LUA, base + "/"], check=True, capture_output=True, text=True,
                                env=dict(os.environ, QUERIES=QUERIES)).stdout
        single_p50 = re.search(r"^\s+50%\s+([\d.]+)(us|ms)", single, re.M)
        single_rate = float(re.search(r"Requests/sec:\s+([\d.]+)", single).group(1))
        if single_p50:
            value = float(single_p50.group(1)) * (0.001 if single_p50.group(2) == "us" else 1)
            print(f"{'  one connection, new':28} {single_rate:10.0f} req/s  p50 {value:.2f} ms (the cost of one search)")

        large, large_parts, large_floor, large_floor_parts = bench_index(work, processes)
        line("  every query new (list)", large, large_parts)
        line("  floor: FTS5 alone, 2 thr.", large_floor, large_floor_parts)

        nginx_rate = results["nginx static feed"]["rate"]
        feed_rate = results["efterhand /feed.json"]["rate"]
        search = results["efterhand /api/search"]
        ratio = feed_rate / nginx_rate
        floor_rate = results["Hummingbird alone, same"]["rate"]
        print(f"\nHummingbird alone reaches {floor_rate / nginx_rate:.2f} x nginx; efterhand's feed reaches "
              f"{feed_rate / floor_rate:.2f} x Hummingbird alone")
        print(f"distinct searches reach {fresh['rate'] / floor['rate']:.2f} x the FTS5 floor on the sample week "
              f"and {large['rate'] / large_floor['rate']:.2f} x on the benchmark index")

        def p99(r):
            return r["latency"].get("99", float("inf"))
        checks = [
            (f"feed throughput {ratio:.2f} x nginx (target >= 0.50)", ratio >= 0.5),
            (f"errors: feed {results['efterhand /feed.json']['errors']}, search {search['errors']}, distinct {fresh['errors']} and "
             f"{large['errors']}, nginx {results['nginx static feed']['errors']} (target 0)",
             results["efterhand /feed.json"]["errors"] == 0 and search["errors"] == 0 and fresh["errors"] == 0 and large["errors"] == 0),
            (f"repeated search p99 {p99(search):.2f} ms (target < 10 ms)", p99(search) < 10),
            (f"distinct searches, sample week: {fresh['rate']:.0f}/s, p99 {p99(fresh):.2f} ms (target >= 8000/s, p99 < 20 ms)",
             fresh["rate"] >= 8000 and p99(fresh) < 20),
            (f"distinct searches, benchmark index: {large['rate']:.0f}/s, p99 {p99(large):.2f} ms (target >= 2000/s, p99 < 50 ms)",
             large["rate"] >= 2000 and p99(large) < 50),
        ]
        print()
        for text, ok in checks:
            print(("PASS  " if ok else "FAIL  ") + text)
        if large["rate"] < 2000 and large_floor["rate"] < 2000:
            # Not a miss of efterhand's: SQLite's FTS5 alone answers fewer than the target here.
            print(f"      the 2,000/s target is above the floor: FTS5 alone answered {large_floor['rate']:.0f}/s on two threads in this run "
                  f"(efterhand {large['rate'] / large_floor['rate']:.2f} x the floor); with 64 connections waiting on two cores, "
                  f"{large['rate']:.0f}/s means {64 / large['rate'] * 1000:.0f} ms in line on average, so p99 < 50 ms needs more than the floor too")
        return 0 if all(ok for _, ok in checks) else 1
    finally:
        stop_all(processes)
        shutil.rmtree(work, ignore_errors=True)


def stop_all(processes):
    """SIGTERM to each process still running, SIGKILL after ten seconds."""
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


if __name__ == "__main__":
    sys.exit(main())
