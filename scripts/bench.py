#!/usr/bin/env python3
"""efterhand's benchmarks: each prints its figures side by side with the peer it names, in one
run, as ratios. Benchmarks are not tests: nothing here fails a build.

    python3 scripts/bench.py            # every benchmark
    python3 scripts/bench.py probe      # one of them

The probe corpus (1000 real-shaped recordings of 45 minutes, about 18 GB) is made outside the repository,
in $EFTERHAND_BENCH_DIR (default /var/tmp/efterhand-bench), unless it already exists.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".build" / "release" / "efterhand"
BENCH_DIR = Path(os.environ.get("EFTERHAND_BENCH_DIR", "/var/tmp/efterhand-bench"))
CORPUS = BENCH_DIR / "corpus"
CORPUS_SIZE = int(os.environ.get("EFTERHAND_BENCH_FILES", "1000"))
FORMATS = ["mp4-faststart", "mp4-moov-at-end", "mkv", "m4a"]
TALK_SECONDS = 45 * 60


def ff(*args):
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


def chapter_metadata(path, index, count=6):
    lines = [";FFMETADATA1", f"title=Föredrag {index}: innovation i offentlig sektor",
             f"comment=bench guid {index:08d}-0000-4000-8000-000000000000"]
    step = TALK_SECONDS * 1000 // count
    for c in range(count):
        lines += ["[CHAPTER]", "TIMEBASE=1/1000", f"START={c * step}", f"END={(c + 1) * step}",
                  f"title=Del {c + 1} av föredrag {index}"]
    Path(path).write_text("\n".join(lines) + "\n")


# What a recording looks like: as an editor's export or a stream's recording (x264's default
# keyframe every 250 frames, so a thumbnail decodes up to ten seconds of 720p to reach its second).
SHAPE = "1280x720 25 fps H.264 keyint 250, AAC 48 kHz, 45 minutes, 6 chapters"


def make_corpus():
    """1000 distinct 45-minute talks in four containers, each with chapters (about 20 MB each).
    The picture is five minutes of testsrc2 repeated (encoded once); every file is a remux with
    its own tags and chapter titles, so each has its own fingerprint."""
    done = CORPUS / ".complete"
    if done.exists() and done.read_text().strip() == SHAPE and len(list(CORPUS.glob("talk-*"))) >= CORPUS_SIZE:
        return
    print(f"making the corpus in {CORPUS} (once; {SHAPE}; about 18 GB)...", flush=True)
    if CORPUS.exists() and (not done.exists() or done.read_text().strip() != SHAPE):
        shutil.rmtree(CORPUS)
    CORPUS.mkdir(parents=True, exist_ok=True)
    bases = BENCH_DIR / "bases-720p25"
    bases.mkdir(exist_ok=True)
    piece = bases / "piece.mkv"
    if not piece.exists():
        print("  encoding five minutes of 720p25 video and 48 kHz audio", flush=True)
        ff("-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=25", "-f", "lavfi", "-i", "sine=frequency=300:sample_rate=48000",
           "-t", "300", "-map", "0:v", "-map", "1:a", "-c:v", "libx264", "-preset", "veryfast", "-b:v", "40k", "-g", "250",
           "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "16k", "-ar", "48000", str(piece))
    meta = BENCH_DIR / "base-chapters.txt"
    chapter_metadata(meta, 0)
    recipes = {
        "mp4-faststart": (["-map", "0:v", "-map", "0:a", "-movflags", "+faststart"], "mp4"),
        "mp4-moov-at-end": (["-map", "0:v", "-map", "0:a"], "mp4"),
        "mkv": (["-map", "0:v", "-map", "0:a"], "mkv"),
        "m4a": (["-map", "0:a"], "m4a"),
    }
    for name, (args, ext) in recipes.items():
        base = bases / f"{name}.{ext}"
        if not base.exists():
            print(f"  making base {base.name}", flush=True)
            ff("-stream_loop", "-1", "-i", str(piece), "-i", str(meta), "-map_metadata", "1", "-map_chapters", "1",
               "-t", str(TALK_SECONDS), *args, "-c", "copy", str(base))
    for index in range(CORPUS_SIZE):
        name = FORMATS[index % len(FORMATS)]
        ext = recipes[name][1]
        target = CORPUS / f"talk-{index:04d}-{name}.{ext}"
        if target.exists():
            continue
        chapter_metadata(BENCH_DIR / "chapters.txt", index)
        flags = ["-movflags", "+faststart"] if name == "mp4-faststart" else []
        # Remuxing with new tags and chapter titles makes every file distinct without re-encoding.
        ff("-i", str(bases / f"{name}.{ext}"), "-i", str(BENCH_DIR / "chapters.txt"), "-map", "0:v?", "-map", "0:a",
           "-map_metadata", "1", "-map_chapters", "1", "-c", "copy", *flags, str(target))
        if index % 100 == 99:
            print(f"  {index + 1} files", flush=True)
    done.write_text(SHAPE + "\n")


def rchar():
    """Bytes this process and its reaped children have read through read(2)."""
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("rchar:"):
            return int(line.split()[1])
    return 0


def timed(command, **kwargs):
    before = rchar()
    start = time.perf_counter()
    subprocess.run(command, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kwargs)
    return time.perf_counter() - start, rchar() - before


def avformat_floor():
    """Builds scripts/bench/avformat_floor.c (libavformat alone, two threads) once; its path."""
    source = ROOT / "scripts" / "bench" / "avformat_floor.c"
    binary = ROOT / ".build" / "avformat_floor"
    if not binary.exists() or binary.stat().st_mtime < source.stat().st_mtime:
        flags = subprocess.run(["pkg-config", "--cflags", "--libs", "libavformat", "libavutil"], check=True,
                               capture_output=True, text=True).stdout.split()
        subprocess.run(["cc", "-O2", str(source), *flags, "-lpthread", "-o", str(binary)], check=True)
    return binary


def floor_seconds(files, runs=3):
    """libavformat alone on `files`: avformat_open_input and avformat_find_stream_info, two
    threads. The median of `runs`: a run of 3 s on a shared machine varies by a fifth."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([str(avformat_floor()), *files], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2]


def bench_probe():
    make_corpus()
    files = sorted(str(p) for p in CORPUS.glob("talk-*"))
    n = len(files)
    size = sum(os.path.getsize(f) for f in files)
    print(f"\n== probe: {n} recordings of 45 minutes, {size / 1e9:.1f} GB (page cache warm for every tool) ==")
    # Warm the page cache the same way for every tool, so the figures compare probing, not the disk.
    subprocess.run([str(BIN), "probe", "--json", str(CORPUS)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ffprobe = ["ffprobe", "-v", "error", "-show_format", "-show_streams", "-show_chapters", "-of", "json"]
    # The median of three runs, as for the floor below; the ffprobe runs take minutes each.
    ours, ours_bytes = sorted((timed([str(BIN), "probe", "--json", str(CORPUS)]) for _ in range(3)), key=lambda run: run[0])[1]
    listing = "\n".join(files).encode()
    serial_start = time.perf_counter()
    before = rchar()
    for f in files:
        subprocess.run([*ffprobe, f], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    serial = time.perf_counter() - serial_start
    ffprobe_bytes = rchar() - before
    start = time.perf_counter()
    subprocess.run(["xargs", "-d", "\n", "-n", "1", "-P", "2", *ffprobe], input=listing, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    parallel = time.perf_counter() - start
    floor = floor_seconds(files)
    stats = subprocess.run([str(BIN), "probe", "--json", "--stats", str(CORPUS)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True).stderr.strip()
    print(f"{'tool':34} {'seconds':>9} {'files/s':>9} {'KB read/file':>13} {'vs efterhand':>13}")
    for label, seconds, read in [
        ("efterhand probe --json", ours, ours_bytes),
        ("ffprobe, one process per file", serial, ffprobe_bytes),
        ("xargs -P2 ffprobe", parallel, None),
        ("libavformat alone, 2 threads", floor, None),
    ]:
        ratio = seconds / ours
        kb = f"{read / n / 1024:.0f}" if read is not None else "-"
        print(f"{label:34} {seconds:9.2f} {n / seconds:9.0f} {kb:>13} {ratio:12.1f}x")
    print(f"efterhand's own count (libavformat bytes_read): {stats}")
    print(f"target: at least 40x faster than xargs -P2 ffprobe -> {parallel / ours:.1f}x; under 1 MB read per file -> {ours_bytes / n / 1024:.0f} KB")
    print(f"libavformat alone (open and find_stream_info, nothing else) is {parallel / floor:.1f}x faster than xargs -P2 ffprobe: "
          f"the most any probe on libavformat can reach here; efterhand takes {ours / floor:.2f}x the floor's time")


def bench_link():
    print("\n== link: generated programme of 1000 sessions over 5 days and 20 rooms, 1000 noisy recordings ==")
    subprocess.run([sys.executable, str(ROOT / "scripts" / "linkeval.py"), "--bin", str(BIN)], check=True)
    print("\nthe same over thirteen generated weeks (seeds 1-13):")
    subprocess.run([sys.executable, str(ROOT / "scripts" / "linkeval.py"), "--bin", str(BIN), "--seeds", "1-13"], check=True)
    print("targets: precision >= 0.995 (at most 1 wrong automatic link in 200); >= 95% linked automatically; linking 1000 x 1000 in under 1 s")


def peak_rss_kb(command, **kwargs):
    """Runs a command and returns (seconds, its own peak resident memory in KB): from wait4 on
    that one process, not RUSAGE_CHILDREN, which keeps the largest child this script ever had."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kwargs)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise subprocess.CalledProcessError(process.returncode, command)
    return time.perf_counter() - start, usage.ru_maxrss


def write_corpus_schedule(schedule):
    """The corpus's programme, 1000 generated sessions, as c3voc JSON in SCHEDULE. Each talk
    names its session's guid in a tag (as a recording set-up that tags its files does), so that
    every recording is linked, cut into segments and given its pictures."""
    sys.path.insert(0, str(ROOT / "scripts"))
    import linkeval
    import random as rnd
    sessions = linkeval.make_programme(rnd.Random(5), 1000)
    for index, session in enumerate(sessions):
        session["guid"] = f"{index:08d}-0000-4000-8000-000000000000"
        session["do_not_record"] = False
    schedule.write_text(json.dumps(linkeval.c3voc(sessions), ensure_ascii=False))


def bench_ingest():
    make_corpus()
    files = sorted(str(p) for p in CORPUS.glob("talk-*"))
    n = len(files)
    work = Path(tempfile.mkdtemp(prefix="efterhand-bench-ingest-"))
    schedule = work / "schedule.json"
    write_corpus_schedule(schedule)
    print(f"\n== ingest: {n} recordings of 45 minutes ({SHAPE}) with a 1000-session programme (page cache warm) ==")
    subprocess.run(["cat", *files], stdout=subprocess.DEVNULL)
    ffprobe = ["ffprobe", "-v", "error", "-show_format", "-show_streams", "-show_chapters", "-of", "json"]
    start = time.perf_counter()
    subprocess.run(["xargs", "-d", "\n", "-n", "1", "-P", "2", *ffprobe], input="\n".join(files).encode(),
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peer = time.perf_counter() - start
    floor = floor_seconds(files)

    def ingest(index, *flags):
        command = [str(BIN), "ingest", "--media", str(CORPUS), "--schedule", str(schedule), "--index", str(index), "--json", *flags]
        start = time.perf_counter()
        done = subprocess.run(command, check=True, capture_output=True, text=True)
        return time.perf_counter() - start, json.loads(done.stdout)

    # Cold: an empty index each time; the median of three for the default, one with --thumbnails now (minutes).
    colds = []
    for attempt in range(3):
        shutil.rmtree(work / "index", ignore_errors=True)
        colds.append(ingest(work / "index"))
    cold, cold_summary = sorted(colds, key=lambda run: run[0])[1]
    warm, _ = ingest(work / "index")
    now, now_summary = ingest(work / "index-now", "--thumbnails", "now")
    print(f"{'run':52} {'seconds':>9} {'floor speed':>12}")
    print(f"{'xargs -P2 ffprobe (probing only)':52} {peer:9.2f} {floor / peer:11.2f}x")
    print(f"{'libavformat alone, 2 threads (the floor)':52} {floor:9.2f} {1:11.2f}x")
    print(f"{'efterhand ingest, cold, thumbnails on request':52} {cold:9.2f} {floor / cold:11.2f}x")
    print(f"{'efterhand ingest, cold, --thumbnails now':52} {now:9.2f} {floor / now:11.2f}x")
    print(f"{'efterhand ingest again, nothing changed':52} {warm:9.2f} {100 * warm / cold:10.1f}% of cold")
    for label, summary in [("on request", cold_summary), ("now", now_summary)]:
        stages = ", ".join(f"{name} {seconds:.2f}" for name, seconds in sorted(summary["stage_seconds"].items(), key=lambda kv: -kv[1]))
        print(f"  stages, thumbnails {label} (s): {stages}")
    print(f"  linked {cold_summary['linked']}, in review {cold_summary['review']}, segments {cold_summary['segments']}; "
          f"pictures named {cold_summary['thumbnails_planned']}, made with --thumbnails now {now_summary['thumbnails']} "
          f"({now_summary['thumbnail_seconds']:.1f} s: {1000 * 2 * now_summary['thumbnail_seconds'] / max(1, now_summary['thumbnails']):.0f} ms of a core each)")
    print(f"targets: cold ingest (with its thumbnails on request) at least 0.8 of the floor's speed -> {floor / cold:.2f}; "
          f"at least 30x faster than xargs -P2 ffprobe -> {peer / cold:.1f}x; re-ingest under 5% of cold -> {100 * warm / cold:.1f}%")

    # Peak memory with 10,000 recordings: short files are fine for this one.
    many = BENCH_DIR / "many"
    if len(list(many.glob("*.mp4"))) < 10_000:
        many.mkdir(parents=True, exist_ok=True)
        seed = ROOT / "Tests" / "MediaProbeTests" / "Fixtures" / "faststart.mp4"
        data = seed.read_bytes()
        for i in range(10_000):
            # Distinct files: a different tail after the real media data.
            (many / f"short-{i:05d}.mp4").write_bytes(data + i.to_bytes(4, "little") * 4)
    many_index = work / "many-index"
    seconds, rss = peak_rss_kb([str(BIN), "ingest", "--media", str(many), "--schedule", str(schedule), "--index", str(many_index)])
    print(f"10,000 short recordings: cold ingest {seconds:.1f} s, peak memory {rss / 1024:.0f} MB (target: under 150 MB)")
    shutil.rmtree(work, ignore_errors=True)


def bench_search():
    subprocess.run([sys.executable, str(ROOT / "scripts" / "bench_search.py"), str(BIN)], check=True)


BENCHES = {"probe": bench_probe, "link": bench_link, "ingest": bench_ingest, "search": bench_search}

if __name__ == "__main__":
    if not BIN.exists():
        sys.exit(f"{BIN} is missing: run `make release` (or `make bench`)")
    chosen = sys.argv[1:] or list(BENCHES)
    for name in chosen:
        if name not in BENCHES:
            sys.exit(f"unknown benchmark {name}; choose from {', '.join(BENCHES)}")
        BENCHES[name]()
