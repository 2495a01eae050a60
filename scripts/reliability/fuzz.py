#!/usr/bin/env python3
"""The fuzzing part of the reliability suite: libFuzzer on every parser of outside text.

Builds one libFuzzer binary per target in Fuzz/ (`swiftc -sanitize=fuzzer,address`), compiling
the module sources each target needs straight from Sources/ (no SwiftPM: the parsers need
Foundation only, so the fuzz build skips GRDB, Hummingbird and FFmpeg). Runs each target for
FUZZ_SECONDS on a corpus seeded from the test fixtures, in .build-fuzz/corpus/<target> (kept
between runs, so coverage grows; FUZZ_FRESH=1 starts from the seeds again). A crash, timeout or
out-of-memory input is copied to Fuzz/crashes/<target>-<sha1> and reported.

Environment: FUZZ_SECONDS (per target, default 30), FUZZ_JOBS (targets run at once, default 2),
FUZZ_TARGETS (comma-separated subset), FUZZ_FRESH, SWIFTC (default: swiftc on PATH).
Ends with one line `SUMMARY {...}` and exits non-zero on a crash or a target that failed.
"""
import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FUZZ = os.path.join(ROOT, "Fuzz")
BUILD = os.path.join(ROOT, ".build-fuzz")
SWIFTC = os.environ.get("SWIFTC") or shutil.which("swiftc") or "/opt/swift/usr/bin/swiftc"
FLAGS = ["-parse-as-library", "-O", "-enable-testing", "-sanitize=fuzzer,address", "-swift-version", "6"]

# Modules compiled for the fuzz build: name, sources (globs under the repo), modules it imports.
# A module may be a part of its SwiftPM target: Linking without the linker (it needs the probe),
# IndexStore's search pattern without GRDB, Server's range parser without Hummingbird.
MODULES = [
    ("Schedule", ["Sources/Schedule/*.swift"], []),
    ("Captions", ["Sources/Captions/*.swift"], []),
    ("Linking", ["Sources/Linking/RecordingClock.swift", "Sources/Linking/TextMatch.swift", "Sources/Linking/PathText.swift"],
     ["Schedule"]),
    ("IndexStore", ["Sources/IndexStore/SearchPattern.swift"], ["Linking"]),
    ("Server", ["Sources/Server/ByteRange.swift", "Sources/Server/HTTPHeaders.swift"], []),
]

# Targets: name, modules, files in Fuzz/, -max_len.
TARGETS = [
    ("schedule-json", ["Schedule"], ["Support/ScheduleFuzz.swift"], 24000),
    ("schedule-xml", ["Schedule"], ["Support/ScheduleFuzz.swift"], 12000),
    ("icalendar", ["Schedule"], ["Support/ScheduleFuzz.swift"], 12000),
    ("csv", ["Schedule"], ["Support/ScheduleFuzz.swift"], 8000),
    ("webvtt", ["Captions"], ["Support/CaptionFuzz.swift"], 8000),
    ("srt", ["Captions"], ["Support/CaptionFuzz.swift"], 8000),
    ("filename-stamp", ["Linking"], [], 256),
    ("search-query", ["IndexStore"], [], 1200),
    ("byte-range", ["Server"], [], 256),
    ("http-headers", ["Server"], [], 512),
]

print_lock = threading.Lock()


def say(text):
    with print_lock:
        print(text, flush=True)


def module_deps(names):
    """The modules in `names` and everything they import, in build order."""
    wanted = set()
    table = {name: deps for name, _, deps in MODULES}

    def add(name):
        if name not in wanted:
            wanted.add(name)
            for dep in table[name]:
                add(dep)

    for name in names:
        add(name)
    return [name for name, _, _ in MODULES if name in wanted]


def newest(paths):
    return max((os.path.getmtime(p) for p in paths), default=0)


def stale(output, inputs):
    return not os.path.exists(output) or os.path.getmtime(output) < newest(inputs)


def run_logged(command, log_path):
    with open(log_path, "w") as log:
        return subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT).returncode


def build_module(name, sources, deps, out):
    files = sorted(f for pattern in sources for f in glob.glob(os.path.join(ROOT, pattern)))
    obj, mod = os.path.join(out, f"{name}.o"), os.path.join(out, f"{name}.swiftmodule")
    inputs = files + [os.path.join(out, f"{d}.swiftmodule") for d in deps]
    if not stale(obj, inputs) and not stale(mod, inputs):
        return True
    command = [SWIFTC, "-module-name", name, *FLAGS, "-wmo", "-I", out, "-emit-module", "-emit-module-path", mod,
               "-c", "-o", obj, *files]
    status = run_logged(command, os.path.join(out, f"{name}.log"))
    if status != 0:
        say(f"fuzz: module {name} failed to build; see {os.path.relpath(out, ROOT)}/{name}.log")
    return status == 0


def build_target(target, out):
    name, modules, support, _ = target
    mods = module_deps(modules)
    sources = [os.path.join(FUZZ, "Support/Check.swift")] + [os.path.join(FUZZ, s) for s in support] + [os.path.join(FUZZ, f"{name}.swift")]
    objects = [os.path.join(out, f"{m}.o") for m in mods]
    binary = os.path.join(out, f"fuzz-{name}")
    if not stale(binary, sources + objects + glob.glob(os.path.join(FUZZ, "CSQLite/*"))):
        return binary
    command = [SWIFTC, "-module-name", "Fuzz_" + name.replace("-", "_"), *FLAGS, "-I", out,
               "-I", os.path.join(FUZZ, "CSQLite"), *sources, *objects, "-o", binary]
    if run_logged(command, os.path.join(out, f"fuzz-{name}.log")) != 0:
        say(f"fuzz: target {name} failed to build; see .build-fuzz/bin/fuzz-{name}.log")
        return None
    return binary


# MARK: - Seeds


def swift_literals(path):
    """String literals in a Swift file, unescaped (interpolations left as written)."""
    text = open(path, encoding="utf-8").read()
    found = []
    for match in re.finditer(r'"""\n(.*?)\n([ \t]*)"""', text, re.S):
        indent = match.group(2)
        lines = [line[len(indent):] if line.startswith(indent) else line for line in match.group(1).split("\n")]
        found.append(unescape("\n".join(lines)))
    single = re.sub(r'"""\n.*?\n[ \t]*"""', "", text, flags=re.S)
    for match in re.finditer(r'"((?:[^"\\\n]|\\.)*)"', single):
        found.append(unescape(match.group(1)))
    return [f for f in found if f]


def unescape(text):
    text = re.sub(r"\\u\{([0-9a-fA-F]+)\}", lambda m: chr(int(m.group(1), 16)), text)
    replacements = {"\\n": "\n", "\\r": "\r", "\\t": "\t", '\\"': '"', "\\'": "'", "\\0": "\0", "\\\\": "\\"}
    return re.sub(r"\\[nrt\"'0\\]", lambda m: replacements[m.group(0)], text)


def files(*patterns):
    return sorted(f for p in patterns for f in glob.glob(os.path.join(ROOT, p)))


def literals(*patterns):
    return [text for path in files(*patterns) for text in swift_literals(path)]


def extracted_subtitles(fmt):
    """Subtitle tracks of the probe fixtures as .srt/.vtt text, when Debian's ffmpeg is there."""
    if not shutil.which("ffmpeg"):
        return []
    texts = []
    for fixture in files("Tests/MediaProbeTests/Fixtures/*.mkv", "Tests/MediaProbeTests/Fixtures/*.webm",
                         "Tests/MediaProbeTests/Fixtures/subtitles.mp4"):
        proc = subprocess.run(["ffmpeg", "-v", "quiet", "-i", fixture, "-map", "0:s:0", "-f", fmt, "-"],
                              capture_output=True, timeout=30)
        if proc.returncode == 0 and proc.stdout:
            texts.append(proc.stdout)
    return texts


def schedule_literals(kind):
    """Schedule documents written inline in the schedule tests, sorted by what they look like."""
    out = []
    for text in literals("Tests/ScheduleTests/*.swift"):
        head = text.lstrip("\ufeff \t\r\n")
        looks = ("json" if head[:1] in "{[" and head else "xml" if head.startswith("<")
                 else "ics" if head.upper().startswith("BEGIN:VCALENDAR") else "csv" if "\n" in text and ("," in text or ";" in text) else None)
        if looks == kind:
            out.append(text)
    return out


def seeds(name):
    """The seed inputs of a target: its inputs saved in Fuzz/crashes (so that a bug that comes
    back fails at once), fixture files and strings from the tests."""
    def read(paths):
        return [open(p, "rb").read() for p in paths]

    def utf8(texts):
        return [t.encode("utf-8", "surrogatepass") for t in texts]

    return read(files(f"Fuzz/crashes/{name}-*")) + fixture_seeds(name, read, utf8)


def fixture_seeds(name, read, utf8):

    if name == "schedule-json":
        return read(files("Tests/ScheduleTests/Fixtures/*.json", "Media/schedule.json")) + utf8(schedule_literals("json"))
    if name == "schedule-xml":
        return read(files("Tests/ScheduleTests/Fixtures/*.xml")) + utf8(schedule_literals("xml"))
    if name == "icalendar":
        return read(files("Tests/ScheduleTests/Fixtures/*.ics", "Media/schedule.ics")) + utf8(schedule_literals("ics"))
    if name == "csv":
        return read(files("Tests/ScheduleTests/Fixtures/*.csv", "Media/schedule.csv")) + utf8(schedule_literals("csv"))
    if name == "webvtt":
        texts = [t for t in literals("Tests/CaptionsTests/*.swift", "Tests/ServerTests/TrackTests.swift") if "-->" in t or t.startswith("WEBVTT")]
        return read(files("Media/*.vtt")) + extracted_subtitles("webvtt") + utf8(texts)
    if name == "srt":
        texts = [t for t in literals("Tests/CaptionsTests/*.swift") if re.search(r"\d,\d\d\d -->", t)]
        return extracted_subtitles("srt") + utf8(texts)
    if name == "filename-stamp":
        names = [os.path.basename(p) for p in files("Media/**/*", "Tests/MediaProbeTests/Fixtures/*")]
        texts = [t for t in literals("Tests/LinkingTests/*.swift", "Tests/IndexStoreTests/*.swift") if re.search(r"(19|20)\d\d", t)]
        return utf8(names + texts + ["2021-10-04 13-00-12.mkv", "20211004T130000Z.ts", "2021-10-06T07:28:00.000000Z"])
    if name == "search-query":
        texts = [t for t in literals("Tests/IndexStoreTests/SearchTests.swift", "Tests/ServerTests/HTTPTests.swift") if len(t) < 200]
        return utf8(texts + ['"öppna data" innov', 'NEAR(a b) AND OR NOT', 'a* "b c', 'straße 東京', "x" * 70])
    if name == "byte-range":
        headers = [t for t in literals("Tests/ServerTests/*.swift") if "bytes" in t.lower()]
        headers += ["bytes=0-99", "bytes=-500", "bytes=100-", "bytes=5-1", "bytes=0-0,5-9", "items=0-1", "bytes=99999999999999999999-"]
        return [(1000 + i).to_bytes(8, "big") + h.encode("utf-8", "surrogatepass") for i, h in enumerate(headers)]
    if name == "http-headers":
        texts = [t for t in literals("Tests/ServerTests/UnitTests.swift", "Tests/ServerTests/MediaTests.swift") if len(t) < 200]
        return utf8(texts + ["Sun, 06 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 99999999999 08:49:37 GMT", "Fri, 31 Dec 9999 23:59:60 GMT",
                             'W/"5a-1f", "x"', "*", "gzip;q=0.5, br", "sv-SE,sv;q=0.9,en;q=0.8", "en;q=NaN", "Bearer abc"])
    return []


# MARK: - Running


STAT = re.compile(r"^stat::(\w+):\s*(\d+)")
PROGRESS = re.compile(r"^#(\d+)\s+(\w+)\s+cov: (\d+) ft: (\d+)(?: corp: (\S+))?.*?(?:exec/s: (\d+))?")


def run_target(target, binary, seconds):
    name, _, _, max_len = target
    corpus = os.path.join(BUILD, "corpus", name)
    artifacts = os.path.join(BUILD, "artifacts", name)
    if os.environ.get("FUZZ_FRESH"):
        shutil.rmtree(corpus, ignore_errors=True)
    shutil.rmtree(artifacts, ignore_errors=True)
    os.makedirs(corpus, exist_ok=True)
    os.makedirs(artifacts, exist_ok=True)
    seeded = 0
    for data in seeds(name):
        with open(os.path.join(corpus, "seed-" + hashlib.sha1(data).hexdigest()), "wb") as f:
            f.write(data)
        seeded += 1
    log_path = os.path.join(BUILD, "logs", f"{name}.log")
    os.makedirs(os.path.dirname(log_path), exist_ok=True)
    command = [binary, f"-max_total_time={seconds}", "-timeout=10", "-rss_limit_mb=2048", f"-max_len={max_len}",
               "-print_final_stats=1", "-detect_leaks=0", f"-artifact_prefix={artifacts}/", corpus]
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=0:allocator_may_return_null=1", SWIFT_BACKTRACE="enable=no")
    started = time.monotonic()
    with open(log_path, "w") as log:
        # A hang that libFuzzer's own -timeout misses still ends here.
        try:
            status = subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, cwd=BUILD, env=env,
                                    timeout=seconds + 120).returncode
        except subprocess.TimeoutExpired:
            status = "hung"
    elapsed = time.monotonic() - started
    text = open(log_path, errors="replace").read()
    stats = {}
    for line in text.splitlines():
        m = STAT.match(line)
        if m:
            stats[m.group(1)] = int(m.group(2))
    cov = ft = corp = None
    for line in text.splitlines():
        m = PROGRESS.match(line)
        if m:
            cov, ft, corp = int(m.group(3)), int(m.group(4)), m.group(5)
    crashes = []
    for path in sorted(glob.glob(os.path.join(artifacts, "*"))):
        kind = os.path.basename(path).split("-")[0]
        if kind not in ("crash", "timeout", "oom", "leak"):
            continue
        data = open(path, "rb").read()
        saved = os.path.join(FUZZ, "crashes", f"{name}-{hashlib.sha1(data).hexdigest()[:16]}")
        os.makedirs(os.path.dirname(saved), exist_ok=True)
        shutil.copyfile(path, saved)
        reason = next((l for l in text.splitlines() if "fuzz check failed" in l or "Fatal error" in l or "ERROR: " in l), kind)
        crashes.append({"kind": kind, "input": os.path.relpath(saved, ROOT), "reason": reason.strip()[:300]})
    execs = stats.get("number_of_executed_units", 0)
    result = {
        "target": name, "status": status, "seconds": round(elapsed, 1), "seeds": seeded, "execs": execs,
        "exec_per_sec": stats.get("average_exec_per_sec", 0), "cov": cov, "ft": ft, "corpus": corp,
        "peak_rss_mb": stats.get("peak_rss_mb"), "crashes": crashes, "log": os.path.relpath(log_path, ROOT),
    }
    # A run that ends on its own without a crash exits 0; anything else without an artifact is a failure.
    result["failed"] = (status != 0 and not crashes) or execs == 0
    line = (f"fuzz: {name:<15} {execs:>9} execs {result['exec_per_sec']:>6}/s  cov {cov} ft {ft} corpus {corp} "
            f"rss {result['peak_rss_mb']} MB  {len(crashes)} crash(es)")
    say(line)
    for crash in crashes:
        say(f"fuzz:   {crash['kind']} {crash['input']}: {crash['reason']}")
    if result["failed"]:
        say(f"fuzz:   {name} exited {status} without a crash input; see {result['log']}")
    return result


def main():
    seconds = int(float(os.environ.get("FUZZ_SECONDS", "30")))
    jobs = max(1, int(os.environ.get("FUZZ_JOBS", "2")))
    only = [t for t in os.environ.get("FUZZ_TARGETS", "").split(",") if t]
    targets = [t for t in TARGETS if not only or t[0] in only]
    out = os.path.join(BUILD, "bin")
    os.makedirs(out, exist_ok=True)

    started = time.monotonic()
    needed = set(module_deps([m for t in targets for m in t[1]]))
    failed_modules = set()
    for name, sources, deps in MODULES:
        if name not in needed:
            continue
        if any(d in failed_modules for d in deps) or not build_module(name, sources, deps, out):
            failed_modules.add(name)
    binaries = {}
    failures = []
    for target in targets:
        if any(m in failed_modules for m in module_deps(target[1])):
            failures.append(target[0])
            continue
        binary = build_target(target, out)
        if binary:
            binaries[target[0]] = binary
        else:
            failures.append(target[0])
    say(f"fuzz: built {len(binaries)} of {len(targets)} targets in {time.monotonic() - started:.0f} s; "
        f"{seconds} s each, {jobs} at a time")

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        runs = [pool.submit(run_target, t, binaries[t[0]], seconds) for t in targets if t[0] in binaries]
        results = [r.result() for r in runs]
    for r in results:
        if r["failed"]:
            failures.append(r["target"])
    with open(os.path.join(BUILD, "results.json"), "w") as f:
        json.dump(results, f, indent=2)

    crashes = sum(len(r["crashes"]) for r in results)
    execs = sum(r["execs"] for r in results)
    detail = f"{len(targets)} targets, exec/s " + " ".join(f"{r['target']}={r['exec_per_sec']}" for r in results)
    detail += "; cov " + " ".join(f"{r['target']}={r['cov']}/{r['ft']}" for r in results)
    if failures:
        detail += "; failed: " + ", ".join(failures)
    say(f"fuzz: {execs} executions in {time.monotonic() - started:.0f} s, {crashes} crash(es), {len(failures)} failure(s)")
    print("SUMMARY " + json.dumps({"part": "fuzz", "cases": execs, "failures": len(failures), "crashes": crashes,
                                   "detail": detail}), flush=True)
    sys.exit(1 if failures or crashes else 0)


if __name__ == "__main__":
    main()
