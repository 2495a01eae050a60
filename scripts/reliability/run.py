#!/usr/bin/env python3
"""`make reliability`: runs every part of the reliability suite and prints one summary table.

Each part is a script in this folder that does its own work and ends by printing one line
`SUMMARY {"part": ..., "cases": N, "failures": N, "crashes": N, "requests": N, "errors": N,
"detail": "..."}` on stdout, and exits non-zero when it found a failure. A part that dies without
that line counts as one failure. Usage: run.py [PART...]  (default: all, in the order below).

Environment: EFTERHAND_BIN (release binary, default .build/release/efterhand),
FUZZ_SECONDS (per fuzz target, default 30 here; `make fuzz` uses 60).
"""
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PARTS = [
    ("fuzz", "fuzz.py"),
    ("hostile-media", "hostile_media.py"),
    ("crash", "crash.py"),
    ("load-while-ingesting", "load.py"),
    ("hostile-requests", "hostile_requests.py"),
]
COLUMNS = ["cases", "failures", "crashes", "requests", "errors"]


def run_part(name, script):
    path = os.path.join(HERE, script)
    if not os.path.exists(path):
        return {"part": name, "failures": 1, "detail": f"missing script {script}"}, 0.0
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, path], stdout=subprocess.PIPE, text=True)
    summary = None
    for line in proc.stdout:
        sys.stdout.write(line)
        sys.stdout.flush()
        if line.startswith("SUMMARY "):
            try:
                summary = json.loads(line[len("SUMMARY "):])
            except json.JSONDecodeError:
                pass
    status = proc.wait()
    elapsed = time.monotonic() - started
    if summary is None:
        summary = {"part": name, "failures": 1, "detail": f"{script} exited {status} without a SUMMARY line"}
    elif status != 0 and not summary.get("failures") and not summary.get("crashes"):
        summary["failures"] = 1
        summary["detail"] = (summary.get("detail", "") + f"; exited {status}").strip("; ")
    summary["part"] = name
    return summary, elapsed


def main():
    wanted = sys.argv[1:] or [name for name, _ in PARTS]
    unknown = [w for w in wanted if w not in dict(PARTS)]
    if unknown:
        sys.exit(f"unknown part(s): {', '.join(unknown)}; parts: {', '.join(n for n, _ in PARTS)}")
    rows = []
    for name, script in PARTS:
        if name in wanted:
            print(f"\n=== {name} ===", flush=True)
            rows.append(run_part(name, script))
    print("\nreliability summary")
    header = f"{'part':<22}" + "".join(f"{c:>10}" for c in COLUMNS) + f"{'seconds':>9}  detail"
    print(header)
    print("-" * len(header))
    bad = False
    for summary, elapsed in rows:
        cells = "".join(f"{summary.get(c, '-')!s:>10}" for c in COLUMNS)
        print(f"{summary['part']:<22}{cells}{elapsed:>9.0f}  {summary.get('detail', '')}")
        bad |= bool(summary.get("failures") or summary.get("crashes") or summary.get("errors"))
    print("result:", "FAILED" if bad else "ok")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
