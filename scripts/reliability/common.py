"""Helpers the reliability parts share: the binary, a media folder of a few hundred distinct
recordings made from the sample week and Debian's ffmpeg, a server on a free port, the summary
line. Python standard library only."""
import datetime
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.abspath(os.path.join(ROOT, os.environ.get("EFTERHAND_BIN", ".build/release/efterhand")))
SAMPLE = os.path.join(ROOT, "Media")
SCHEDULE = os.path.join(SAMPLE, "schedule.json")
MEDIA_EXTENSIONS = (".mp4", ".mkv", ".webm", ".mov", ".m4a", ".mp3")


def log(*parts):
    print(*parts, flush=True)


def summary(part, cases, failures, crashes=0, requests=0, errors=0, detail=""):
    """Prints the one SUMMARY line the runner reads and exits non-zero on any failure."""
    line = {"part": part, "cases": cases, "failures": failures, "crashes": crashes, "requests": requests, "errors": errors,
            "detail": detail}
    print("SUMMARY " + json.dumps(line, ensure_ascii=False), flush=True)
    sys.exit(1 if failures or crashes or errors else 0)


def require_binary(part):
    if not os.access(BIN, os.X_OK):
        summary(part, 0, 1, detail=f"no efterhand binary at {BIN} (build it with `swift build -c release --product efterhand`)")


def efterhand(*arguments, timeout=600, check=False, env=None, preexec=None):
    """Runs the binary; returns the CompletedProcess (text)."""
    proc = subprocess.run([BIN, *arguments], capture_output=True, text=True, timeout=timeout, env=env, preexec_fn=preexec)
    if check and proc.returncode != 0:
        raise RuntimeError(f"efterhand {' '.join(arguments)} exited {proc.returncode}: {proc.stderr.strip()[-2000:]}")
    return proc


def ffmpeg(*arguments):
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *arguments], check=True)


def sessions():
    """(guid, slug, start as a datetime string with offset, room) of the sample programme."""
    document = json.load(open(SCHEDULE, encoding="utf-8"))
    out = []
    for day in document["schedule"]["conference"]["days"]:
        for room, talks in day["rooms"].items():
            for talk in talks:
                out.append((talk["guid"], talk["slug"], talk["date"], room))
    return out


def make_clips(folder, count, rng, guid_only=None):
    """`count` distinct 1-5 s clips made with ffmpeg: tiny test pictures, a tone, and tags and
    chapters that differ per clip. Most carry a session guid in `comment` (so they link), some a
    `creation_time` inside a slot, some nothing (they stay unmatched). With `guid_only`, all of
    them point at that one session."""
    os.makedirs(folder, exist_ok=True)
    talks = [t for t in sessions() if guid_only is None or t[0] == guid_only]
    made = []
    for n in range(count):
        seconds = rng.randint(1, 5)
        guid, slug, start, room = talks[n % len(talks)]
        name = os.path.join(folder, f"clip-{n:03d}.{'mkv' if n % 4 == 3 else 'mp4'}")
        meta = os.path.join(folder, f".clip-{n:03d}.txt")
        with open(meta, "w", encoding="utf-8") as f:
            f.write(";FFMETADATA1\n")
            f.write(f"title=Klipp {n} – {slug}\n")
            if n % 3 == 0:
                f.write(f"comment=session {guid}\n")
            elif n % 3 == 1:
                # A start just after the slot begins, in UTC as cameras write it.
                when = datetime.datetime.fromisoformat(start) + datetime.timedelta(minutes=rng.randint(1, 20))
                f.write(f"creation_time={when.astimezone(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')}\n")
            # Chapters: 0 to 3 of them, at different cuts.
            chapters = n % 4
            cut = [0] + sorted(rng.sample(range(1, seconds * 1000), min(chapters, seconds * 1000 - 1))) + [seconds * 1000] if chapters else []
            for c in range(len(cut) - 1):
                f.write(f"[CHAPTER]\nTIMEBASE=1/1000\nSTART={cut[c]}\nEND={cut[c + 1]}\ntitle=Kapitel {c + 1} av klipp {n}\n")
        colour = "0x%06x" % rng.randint(0, 0xFFFFFF)
        ffmpeg("-f", "lavfi", "-i", f"color=c={colour}:size=64x36:rate=2", "-f", "lavfi", "-i", f"sine=frequency={200 + n}:sample_rate=8000",
               "-i", meta, "-map", "0:v", "-map", "1:a", "-map_metadata", "2", "-map_chapters", "2", "-t", str(seconds),
               "-c:v", "libx264", "-preset", "ultrafast", "-crf", "45", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "8k", name)
        os.remove(meta)
        made.append(name)
    return made


def sample_files():
    """The sample week's recordings (and the sidecar), relative to Media/."""
    out = []
    for folder, _, files in os.walk(SAMPLE):
        for name in files:
            if name.lower().endswith(MEDIA_EXTENSIONS) or name.endswith(".vtt"):
                out.append(os.path.relpath(os.path.join(folder, name), SAMPLE))
    return sorted(out)


def make_media(folder, copies, clips, rng, fixed_mtime=1_600_000_000, guid_only=None):
    """A media folder: `copies` copies of the sample week (each file with a few random bytes
    appended, which demuxers ignore, so every copy has its own fingerprint; sidecars copied as
    they are) and `clips` generated clips. Every file gets the same old modification time, so
    ingest has no reason to wait for files still being written. Returns the media paths."""
    os.makedirs(folder, exist_ok=True)
    paths = []
    for copy in range(copies):
        for rel in sample_files():
            target = os.path.join(folder, f"kopia-{copy:02d}", rel)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            data = open(os.path.join(SAMPLE, rel), "rb").read()
            if not rel.endswith(".vtt"):
                data += rng.randbytes(16)
                paths.append(target)
            with open(target, "wb") as f:
                f.write(data)
    paths += make_clips(os.path.join(folder, "klipp"), clips, rng, guid_only)
    for dirpath, _, files in os.walk(folder):
        for name in files:
            os.utime(os.path.join(dirpath, name), (fixed_mtime, fixed_mtime))
    return sorted(paths)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`efterhand serve` on a free loopback port, stopped with SIGTERM."""

    def __init__(self, index, *extra, env=None, log_path=None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path or os.path.join(index, "..", f"serve-{self.port}.log")
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen([BIN, "serve", "--index", index, "--host", "127.0.0.1", "--port", str(self.port), *extra],
                                     stdout=self.log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"efterhand serve exited {self.proc.returncode}: {open(self.log_path, errors='replace').read()[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("efterhand serve did not start listening in 30 s")

    def alive(self):
        return self.proc.poll() is None

    def rss_kb(self):
        try:
            for line in open(f"/proc/{self.proc.pid}/status"):
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        except OSError:
            return None
        return None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode

    def output(self):
        return open(self.log_path, errors="replace").read()


def scratch(name):
    """A fresh work folder under $RELIABILITY_TMP (default /tmp)."""
    base = os.environ.get("RELIABILITY_TMP", "/tmp")
    folder = os.path.join(base, f"efterhand-{name}-{os.getpid()}")
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    return folder


def seeded(name):
    """A random generator with a seed from $RELIABILITY_SEED (else the clock), printed for re-runs."""
    seed = int(os.environ.get("RELIABILITY_SEED", str(int(time.time()))))
    log(f"{name}: seed {seed} (set RELIABILITY_SEED={seed} to repeat)")
    return random.Random(seed)
