#!/usr/bin/env python3
"""make bench-pg (issue 23): the PostgreSQL store against the SQLite index, in one run.

- ingest of the 1000-recording corpus (scripts/bench.py's, 45-minute talks, 25 fps, 48 kHz):
  SQLite's `ingest` (no programme, thumbnails off: scan and probe) against the PostgreSQL
  store's `ingest --media-root` (scan, fingerprint, enqueue) plus `worker`s probing the jobs,
  with one worker, two worker processes, and one worker running two jobs at once; libavformat
  alone on two threads (the floor) beside them; then each again with nothing changed;
- search at 100,000 segments (scripts/bench_search.py's index and 1000 mixed queries), in one
  process each: the SQLite index, and the same index gathered into PostgreSQL;
- feed throughput: wrk on /feed.json of `serve --index` and `serve --database` (same catalogue);
- a person's decision with the 1000 recordings linked to a 1000-session programme (`link
  accept`): applied to the decided recording alone, and beside it a decision that relinks the
  whole index or store (its kept linker answers deleted first).

Needs the release binary, PostgreSQL 15 (a private cluster is started and stopped here: its own
folder and port), wrk. Prints the figures side by side as ratios. Not a test.
"""
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import bench  # noqa: E402
import bench_search  # noqa: E402

BIN = str(ROOT / ".build" / "release" / "efterhand")
CLUSTER = str(ROOT / "scripts" / "postgres-cluster.sh")
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
ENV = dict(os.environ, PG_CLUSTER_DIR=os.environ.get("PG_CLUSTER_DIR", "/tmp/efterhand-postgres-bench"),
           PG_PORT=os.environ.get("PG_PORT", "55439"))


def psql(url, sql):
    subprocess.run(["psql", url, "-qAtc", sql], check=True, stdout=subprocess.DEVNULL)


def fresh_database(server, name):
    base = server.rsplit("/", 1)[0]
    psql(server, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    psql(server, f"CREATE DATABASE {name}")
    return f"{base}/{name}"


def run(*args, check=True):
    start = time.perf_counter()
    done = subprocess.run([BIN, *args], check=check, capture_output=True, text=True)
    return time.perf_counter() - start, done.stdout


def postgres_ingest(server, name, workers, concurrency):
    """Enqueue (timed) then workers until the queue is empty; returns (enqueue s, total s, stored)."""
    url = fresh_database(server, name)
    start = time.perf_counter()
    run("ingest", "--database", url, "--media-root", f"bench={bench.CORPUS}")
    enqueued = time.perf_counter() - start
    processes = [subprocess.Popen([BIN, "worker", "--database", url, "--media-root", f"bench={bench.CORPUS}", "--until-idle",
                                   "--concurrency", str(concurrency)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                 for _ in range(workers)]
    for process in processes:
        process.wait()
    total = time.perf_counter() - start
    stored = subprocess.run(["psql", url, "-qAtc", "SELECT count(*) FROM recording WHERE state = 'ok'"], capture_output=True, text=True).stdout.strip()
    again, _ = run("ingest", "--database", url, "--media-root", f"bench={bench.CORPUS}")
    return enqueued, total, stored, again


def wrk(url):
    output = subprocess.run(["wrk", "-t2", "-c64", f"-d{SECONDS}s", "--latency", url], check=True, capture_output=True, text=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
    return rate, float(p99.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]


def serve(args, port):
    process = subprocess.Popen([BIN, "serve", *args, "--port", str(port), "--no-access-log"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/feed.json", timeout=5) as answer:
                answer.read()
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"bench-pg: serve {' '.join(args)} did not answer")


def main():
    if not os.access(BIN, os.X_OK):
        raise SystemExit("bench-pg: build the release binary first (make bench-pg does)")
    server = subprocess.run([CLUSTER, "start"], check=True, capture_output=True, text=True, env=ENV).stdout.strip()
    work = Path(tempfile.mkdtemp(prefix="efterhand-bench-pg-"))
    try:
        parts = os.environ.get("BENCH_PG_PARTS", "ingest,search,decision").split(",")
        if "ingest" in parts:
            bench_ingest(server, work)
        if "search" in parts:
            bench_search_and_feed(server, work)
        if "decision" in parts:
            bench_decision(server, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        subprocess.run([CLUSTER, "stop"], env=ENV)


def bench_ingest(server, work):
    bench.make_corpus()
    files = sorted(str(p) for p in bench.CORPUS.glob("talk-*"))
    subprocess.run(["cat", *files], stdout=subprocess.DEVNULL)
    print(f"\n== ingest: {len(files)} recordings of 45 minutes ({bench.SHAPE}), page cache warm, 2 cores ==")
    floor = bench.floor_seconds(files)
    sqlite_cold, _ = run("ingest", "--media", str(bench.CORPUS), "--index", str(work / "index"), "--thumbnails", "off")
    sqlite_again, _ = run("ingest", "--media", str(bench.CORPUS), "--index", str(work / "index"), "--thumbnails", "off")
    rows = [("libavformat alone, 2 threads (the floor)", floor, None), ("SQLite: efterhand ingest (scan, probe)", sqlite_cold, sqlite_again)]
    for label, workers, concurrency in [("1 worker", 1, 1), ("2 worker processes", 2, 1), ("1 worker, --concurrency 2", 1, 2)]:
        enqueued, total, stored, again = postgres_ingest(server, "bench_ingest", workers, concurrency)
        rows.append((f"PostgreSQL: ingest --media-root + {label}", total, again))
        print(f"  ({label}: enqueue {enqueued:.2f} s, {stored} recordings probed)")
    print(f"{'cold ingest':58} {'seconds':>8} {'floor speed':>12} {'again, unchanged':>17}")
    for label, seconds, again in rows:
        again_text = f"{again:.2f} s" if again is not None else ""
        print(f"{label:58} {seconds:8.2f} {floor / seconds:11.2f}x {again_text:>17}")
    print("  2 cores: two probes at once is what the machine allows; a third worker would only wait.")



def bench_search_and_feed(server, work):
    print("\n== search and feed: 100,000 segments ==", flush=True)
    (work / "search").mkdir()
    index, rng, words, weights, reindex, recordings, segments = bench_search.make_index(BIN, work / "search")
    # The generated recordings name files under /rec; gather copies what lies in its root.
    (work / "rec").mkdir()
    db = sqlite3.connect(index / "index.sqlite")
    db.execute("UPDATE recording SET absolute_path = ? || id || '.mp4'", (f"{work}/rec/",))
    db.commit()
    db.close()
    for number in range(1, recordings + 1):
        (work / "rec" / f"{number}.mp4").touch()
    url = fresh_database(server, "bench_search")
    gathered, text = run("gather", "--index", str(index), "--database", url, "--media-root", f"rec={work}/rec")
    print(f"gather into PostgreSQL: {gathered:.1f} s ({text.strip()[:120]})")
    queries = []
    for i in range(1000):
        word, other = rng.choices(words, weights)[0], rng.choices(words, weights)[0]
        queries.append([word, word[:max(3, len(word) - 3)], f"{word} {other}", f"\"{word} {other}\"",
                        word.replace("ö", "o").replace("ä", "a").replace("å", "a")][i % 5])
    (work / "queries.txt").write_text("\n".join(queries))
    _, sqlite_search = run("search", "x", "--index", str(index), "--benchmark-queries", str(work / "queries.txt"))
    _, pg_search = run("search", "x", "--database", url, "--benchmark-queries", str(work / "queries.txt"))
    figures = {}
    for name, line in [("SQLite", sqlite_search), ("PostgreSQL", pg_search)]:
        match = re.search(r"wall p50 ([\d.]+) ms, p99 ([\d.]+) ms", line)
        figures[name] = (float(match.group(1)), float(match.group(2)))
        print(f"{name:12} {line.splitlines()[0]}")
    print(f"PostgreSQL / SQLite: p50 {figures['PostgreSQL'][0] / figures['SQLite'][0]:.1f}x, p99 {figures['PostgreSQL'][1] / figures['SQLite'][1]:.1f}x")

    a = serve(["--index", str(index)], 18931)
    b = serve(["--database", url, "--media-root", f"rec={work}/rec"], 18932)
    try:
        same = urllib.request.urlopen("http://127.0.0.1:18931/feed.json").read() == urllib.request.urlopen("http://127.0.0.1:18932/feed.json").read()
        sqlite_rate, sqlite_p99 = wrk("http://127.0.0.1:18931/feed.json")
        pg_rate, pg_p99 = wrk("http://127.0.0.1:18932/feed.json")
    finally:
        a.terminate()
        b.terminate()
        a.wait()
        b.wait()
    print(f"feed throughput (wrk, 64 connections, {SECONDS} s; the same bytes: {same}):")
    print(f"  serve --index     {sqlite_rate:10.0f} req/s, p99 {sqlite_p99:.2f} ms")
    print(f"  serve --database  {pg_rate:10.0f} req/s, p99 {pg_p99:.2f} ms ({pg_rate / sqlite_rate:.2f}x)")


def bench_decision(server, work):
    """A person's decision from the shell (`link accept --in N`) with the 1000-recording corpus
    linked to its 1000-session programme (as scripts/bench.py's ingest links it), in each store:
    applied to the decided recording's kept linker answer (what a staff click costs now), and,
    beside it in the same run, with the kept answers deleted first, which makes the decision
    relink every recording (what it cost before, and still costs when a relink is owed). The
    PostgreSQL store is filled by ingest and two workers."""
    bench.make_corpus()
    schedule = work / "schedule.json"
    bench.write_corpus_schedule(schedule)
    print(f"\n== a decision with {len(list(bench.CORPUS.glob('talk-*')))} recordings linked to a 1000-session programme ==", flush=True)
    index = work / "decision-index"
    run("ingest", "--media", str(bench.CORPUS), "--schedule", str(schedule), "--index", str(index), "--thumbnails", "off")
    url = fresh_database(server, "bench_decision")
    run("ingest", "--database", url, "--media-root", f"bench={bench.CORPUS}", "--schedule", str(schedule))
    workers = [subprocess.Popen([BIN, "worker", "--database", url, "--media-root", f"bench={bench.CORPUS}", "--until-idle", "--kinds", "probe,link,captions"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(2)]
    for worker in workers:
        worker.wait()
    db = sqlite3.connect(index / "index.sqlite")
    path, session = db.execute("""SELECT recording.path, link.session_guid FROM link JOIN recording ON recording.id = link.recording_id
                                  WHERE link.kind = 'link' ORDER BY recording.path LIMIT 1""").fetchone()
    linked = db.execute("SELECT count(*) FROM recording WHERE link_status = 'linked'").fetchone()[0]
    db.close()
    stored = subprocess.run(["psql", url, "-qAtc", "SELECT count(*) FROM recording WHERE link_status = 'linked'"], capture_output=True, text=True).stdout.strip()
    print(f"  linked: {linked} in the index, {stored} in the store")
    inside = os.path.relpath(path, bench.CORPUS)

    def forget_sqlite():
        with sqlite3.connect(index / "index.sqlite") as connection:
            connection.execute("DELETE FROM link_proposal")

    def forget_postgres():
        psql(url, "DELETE FROM link_proposal")

    ways = [("SQLite, decided alone", None, ["--index", str(index)], path),
            ("PostgreSQL, decided alone", None, ["--database", url], f"bench/{inside}"),
            ("SQLite, relink of all", forget_sqlite, ["--index", str(index)], path),
            ("PostgreSQL, relink of all", forget_postgres, ["--database", url], f"bench/{inside}")]
    times = {name: [] for name, *_ in ways}
    for attempt in range(5):
        for name, forget, where, recording in ways:
            if forget:
                forget()
            seconds, _ = run("link", "accept", recording, session, "--in", str(10 + attempt), *where)
            times[name].append(seconds)
    median = {name: sorted(values)[2] for name, values in times.items()}
    print("link accept (the whole process), median of 5, in turn:")
    for name, values in times.items():
        print(f"  {name:28} {median[name]:.2f} s  ({', '.join(f'{v:.2f}' for v in values)})")
    print(f"  decided alone against a relink of all: SQLite {median['SQLite, relink of all'] / median['SQLite, decided alone']:.1f}x faster, "
          f"PostgreSQL {median['PostgreSQL, relink of all'] / median['PostgreSQL, decided alone']:.1f}x faster")
    print(f"  PostgreSQL / SQLite, decided alone: {median['PostgreSQL, decided alone'] / median['SQLite, decided alone']:.1f}x")

if __name__ == "__main__":
    main()
