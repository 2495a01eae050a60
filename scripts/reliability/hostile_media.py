#!/usr/bin/env python3
"""The hostile-media part of the reliability suite.

Makes a corpus of damaged and hostile recordings in a temporary folder, from the probe fixtures
(Tests/MediaProbeTests/Fixtures) and the sample week (Media/): truncations, bit flips, corrupted
headers, MP4 sample tables and Matroska timestamps with absurd values, absurd chapter tables and
huge tags (muxed by Debian's ffmpeg from ffmetadata), nested and self-referencing containers,
FIFOs, devices, sockets, symlink loops and a folder linked into itself. Then:

1. `efterhand probe --json` on the whole folder: exit 0 or 1, valid JSON, one object per media
   file the walk takes, every error names its file, every file the walk passes over is named on
   standard error; peak RSS under FOLDER_RSS_BOUND_MB. Then once more as a table (no crash).
2. `efterhand probe --json FILE` on each file alone: no crash, wall time under the deadline
   (--timeout, plus START_SLACK for process start), peak RSS under RSS_BOUND_MB.
3. `efterhand ingest --media DIR --schedule Media/schedule.json --index TMP --json`: exit 0,
   every file the probe failed is named in the summary's errors or skipped lines, peak RSS
   under INGEST_RSS_BOUND_MB, and a time bound.
4. The folder probe (and an ingest) again under an AddressSanitizer build of the CLI: no
   AddressSanitizer report. Unless ASAN_BIN names a binary, it is brought up to date first with
   `swift build -c debug --sanitize=address --scratch-path .build-asan --product efterhand`.

Environment: EFTERHAND_BIN (default .build/release/efterhand), ASAN_BIN, HOSTILE_TIMEOUT
(--timeout, default 10), HOSTILE_KEEP=1 keeps the corpus, HOSTILE_NO_ASAN=1 skips step 4.
Ends with `SUMMARY {"part":"hostile-media","cases":<hostile files>,"failures":N,"crashes":N,...}`.
"""
import json
import os
import random
import resource
import shutil
import socket
import stat
import struct
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.abspath(os.path.join(ROOT, os.environ.get("EFTERHAND_BIN", ".build/release/efterhand")))
ASAN_BIN = os.path.abspath(os.path.join(ROOT, os.environ.get("ASAN_BIN", ".build-asan/debug/efterhand")))
BUILD_ASAN = "ASAN_BIN" not in os.environ
TIMEOUT = float(os.environ.get("HOSTILE_TIMEOUT", "10"))
# Process start, JSON output and exit, on top of the per-file deadline.
START_SLACK = 3.0
# Peak RSS bound for a probe of one file or of the whole corpus: the probe keeps no file in
# memory, tags are cut at 64 KB and chapters at 100 000, so a few hundred MB is generous.
RSS_BOUND_MB = 512
# The folder run holds every result until it prints the JSON array (four files here carry
# 100 000 chapters each), and ingest also decodes frames for thumbnails and writes the index.
FOLDER_RSS_BOUND_MB = 768
INGEST_RSS_BOUND_MB = 768
MEDIA_EXTENSIONS = {"mp4", "m4v", "mov", "mkv", "webm", "ts", "mts", "m2ts", "m4a", "mp3", "aac", "flac", "ogg",
                    "oga", "opus", "wav", "avi", "flv", "wmv", "wma", "mxf", "mpg", "mpeg", "3gp"}

failures = []
crashes = []


def fail(message):
    failures.append(message)
    print(f"hostile-media: FAIL {message}", flush=True)


def crash(message):
    crashes.append(message)
    print(f"hostile-media: CRASH {message}", flush=True)


# MARK: - Making the corpus


class Corpus:
    def __init__(self, folder):
        self.folder = folder
        self.rng = random.Random(20211004)
        self.cases = []  # (name, kind): every hostile entry made, regular or not
        self.ffmpeg_failed = []

    def path(self, name):
        return os.path.join(self.folder, name)

    def write(self, name, data, kind):
        with open(self.path(name), "wb") as f:
            f.write(data)
        self.cases.append((name, kind))

    def sources(self):
        fixtures = os.path.join(ROOT, "Tests/MediaProbeTests/Fixtures")
        paths = [os.path.join(fixtures, n) for n in sorted(os.listdir(fixtures))]
        for base, _, names in sorted(os.walk(os.path.join(ROOT, "Media"))):
            paths += [os.path.join(base, n) for n in sorted(names) if n.rsplit(".", 1)[-1].lower() in MEDIA_EXTENSIONS]
        return paths

    @staticmethod
    def ext(path):
        return path.rsplit(".", 1)[-1].lower()

    def mutate_bytes(self):
        for index, source in enumerate(self.sources()):
            data = open(source, "rb").read()
            stem, ext = f"s{index:02d}", self.ext(source)
            # Truncations: inside the first header, and two more anywhere.
            cuts = {self.rng.choice([1, 7, 100, 4096])} | {self.rng.randrange(1, len(data)) for _ in range(2)}
            for cut in sorted(cuts):
                if 0 < cut < len(data):
                    self.write(f"trunc-{stem}-{cut}.{ext}", data[:cut], "truncation")
            # Bit flips: a few in the headers, many anywhere.
            for n, (flips, limit) in enumerate(((3, 4096), (40, len(data)))):
                flipped = bytearray(data)
                for _ in range(flips):
                    flipped[self.rng.randrange(min(limit, len(flipped)))] ^= 1 << self.rng.randrange(8)
                self.write(f"flip-{stem}-{n}.{ext}", bytes(flipped), "bit flips")
            # Header corruption: the first bytes zeroed, set, or random behind the magic.
            label = ("zero", "ones", "rand")[index % 3]
            fill = {"zero": b"\0" * 64, "ones": b"\xff" * 64, "rand": bytes(self.rng.randrange(256) for _ in range(64))}[label]
            corrupted = fill + data[64:] if label != "rand" else data[:8] + fill + data[72:]
            self.write(f"head-{stem}-{label}.{ext}", corrupted, "header corruption")
            if ext in ("mp4", "m4a", "mov"):
                self.mp4_tables(stem, ext, data)
            if ext in ("mkv", "webm"):
                self.matroska_times(stem, ext, data)

    def mp4_tables(self, stem, ext, data):
        """Box sizes and sample-table counts set to absurd values."""
        for box in (b"moov", b"trak", b"mdia", b"stbl", b"udta", b"chpl"):
            at = data.find(box)
            if at < 4:
                continue
            for label, size in self.rng.sample((("huge", 0xFFFFFFF0), ("zero", 0), ("one", 1), ("tiny", 3)), 1):
                patched = data[:at - 4] + struct.pack(">I", size) + data[at:]
                self.write(f"box-{stem}-{box.decode()}-{label}.{ext}", patched, "mp4 box size")
        for box in (b"stts", b"stsc", b"stsz", b"stco", b"co64", b"ctts", b"stss", b"elst", b"chpl"):
            at = data.find(box)
            if at < 4:
                continue
            # Full box: version and flags, then the entry count (stsz: sample size, then count).
            field = at + 4 + 4 + (4 if box == b"stsz" else 0) + (1 if box == b"chpl" else 0)
            for label, count in self.rng.sample((("max", 0xFFFFFFFF), ("big", 0x10000000), ("neg", 0x80000000)), 1):
                patched = data[:field] + struct.pack(">I", count) + data[field + 4:]
                self.write(f"count-{stem}-{box.decode()}-{label}.{ext}", patched, "absurd sample-table count")

    def matroska_times(self, stem, ext, data):
        """The first cluster's timestamp set near the end of the 64-bit range."""
        cluster = data.find(b"\x1f\x43\xb6\x75")
        if cluster < 0:
            return
        at = data.find(b"\xe7", cluster + 4, cluster + 16)
        if at < 0:
            return
        length = vint_length(data[at + 1])
        for label, value in (("max", 0x7FFFFFFFFFFFFFF0), ("wrap", 0xFFFFFFFFFFFFFFF0), ("big", 1 << 62)):
            element = b"\xe7\x88" + struct.pack(">Q", value)
            old = 1 + length + vint_value(data, at + 1)
            patched = bytearray(data[:at] + element + data[at + old:])
            delta = len(element) - old
            # Grow the sizes of the cluster and segment that hold it, when they are known.
            for ident in (b"\x1f\x43\xb6\x75", b"\x18\x53\x80\x67"):
                start = data.find(ident)
                if 0 <= start < at:
                    vint_add(patched, start + 4, delta)
            self.write(f"cluster-time-{stem}-{label}.{ext}", bytes(patched), "absurd timestamps")

    def chapter_times(self):
        """Chapter times patched in place, where ffmpeg would refuse to write them: backwards,
        at the ends of their fields' ranges."""
        fixtures = os.path.join(ROOT, "Tests/MediaProbeTests/Fixtures")
        # ID3 CHAP frames: element id, NUL, then start and end in milliseconds (32 bits each).
        for name in ("id3-chapters.mp3", "odd-chapters.mp3"):
            data = bytearray(open(os.path.join(fixtures, name), "rb").read())
            for label, (start, end) in (("backwards", (5000, 1000)), ("max", (0xFFFFFFFF, 0xFFFFFFFF)), ("from-max", (0xFFFFFFFF, 0))):
                patched, at = bytearray(data), 0
                while (at := patched.find(b"CHAP", at + 1)) > 0:
                    times = patched.find(b"\0", at + 10) + 1
                    if 0 < times < len(patched) - 8:
                        patched[times:times + 8] = struct.pack(">II", start, end)
                self.write(f"chap-{label}-{name}", bytes(patched), "absurd chapters")
        # Matroska ChapterTimeStart (0x91) and ChapterTimeEnd (0x92), unsigned nanoseconds.
        for name in ("odd-chapters.mkv", "many-chapters.mkv"):
            data = bytes(open(os.path.join(fixtures, name), "rb").read())
            for label, value in (("max", 0xFFFFFFFFFFFFFFFF), ("int-max", 0x7FFFFFFFFFFFFFFF), ("half", 1 << 62)):
                patched = bytearray(data)
                for ident in (b"\x91", b"\x92"):
                    at = 0
                    while (at := patched.find(ident, at + 1)) > 0:
                        size = patched[at + 1]
                        if 0x81 <= size <= 0x88 and (ident == b"\x91" or self.rng.random() < 0.5):
                            width = size & 0x7F
                            patched[at + 2:at + 2 + width] = (value & ((1 << (8 * width)) - 1)).to_bytes(width, "big")
                self.write(f"chap-{label}-{name}", bytes(patched), "absurd chapters")

    def ffmpeg(self, name, kind, args):
        """Muxes a file with Debian's ffmpeg; a file ffmpeg refuses to make is listed, not made."""
        out = self.path(name)
        try:
            proc = subprocess.run(["ffmpeg", "-v", "error", "-y", *args, out], capture_output=True, text=True, timeout=120)
        except subprocess.TimeoutExpired:
            self.ffmpeg_failed.append(f"{name}: ffmpeg took over 120 s")
            return
        if proc.returncode == 0 and os.path.exists(out):
            self.cases.append((name, kind))
        else:
            self.ffmpeg_failed.append(f"{name}: {proc.stderr.strip()[-200:]}")
            if os.path.exists(out):
                os.remove(out)

    def chapters_and_tags(self, scratch):
        if not shutil.which("ffmpeg"):
            self.ffmpeg_failed.append("ffmpeg is not installed: no chapter or tag cases")
            return
        talk = os.path.join(ROOT, "Tests/MediaProbeTests/Fixtures/talk.mkv")
        audio = os.path.join(ROOT, "Tests/MediaProbeTests/Fixtures/id3-chapters.mp3")

        def metadata(name, text):
            path = os.path.join(scratch, name)
            with open(path, "w", encoding="utf-8") as f:
                f.write(";FFMETADATA1\n" + text)
            return path

        def chapter(start, end, title, base="1/1000"):
            return f"[CHAPTER]\nTIMEBASE={base}\nSTART={start}\nEND={end}\ntitle={title}\n"

        many = metadata("many.txt", "".join(chapter(i * 10, i * 10 + 10, f"Kapitel {i}") for i in range(150_000)))
        absurd = metadata("absurd.txt", "".join([
            chapter(-9223372036854775807, 9223372036854775807, "whole range"),
            chapter(9223372036854775000, 9223372036854775807, "at the end", "1/1"),
            chapter(0, 0, "zero length"),
            chapter(0, 4294967296000, "huge timebase", "2000000000/1"),
            chapter(1, 2, "tiny timebase", "1/2000000000"),
        ] + [chapter(1000, 2000, "same place") for _ in range(500)]))
        huge_tag = metadata("huge-tag.txt", "title=" + "Ö" * 3_000_000 + "\nartist=" + "x\\\n" * 100_000 + "\n")
        many_tags = metadata("many-tags.txt", "".join(f"key{i}=value {i}\n" for i in range(5_000)))
        for meta, label in ((many, "many-chapters"), (absurd, "absurd-chapters"), (huge_tag, "huge-tag"), (many_tags, "many-tags")):
            kind = "absurd chapters" if "chapters" in label else "huge tags"
            for ext, source in (("mkv", talk), ("mp4", talk), ("nut", talk), ("mp3", audio)):
                out_ext = "mkv" if ext == "nut" else ext  # a NUT file with a .mkv name: the probe sniffs content
                self.ffmpeg(f"ff-{label}-{ext}.{out_ext}", kind,
                            ["-i", source, "-i", meta, "-map_metadata", "1", "-map_chapters", "1", "-map", "0", "-c", "copy",
                             *(["-f", "nut"] if ext == "nut" else [])])
        # Nested containers: a Matroska file carrying another as an attachment, an MP4 inside
        # a Matroska file's attachment inside an MP4 box.
        self.ffmpeg("nested-attachment.mkv", "nested container",
                    ["-i", talk, "-attach", os.path.join(ROOT, "Tests/MediaProbeTests/Fixtures/faststart.mp4"),
                     "-metadata:s:t", "mimetype=video/mp4", "-map", "0", "-c", "copy"])

    def nested_and_self_referencing(self):
        fast = open(os.path.join(ROOT, "Tests/MediaProbeTests/Fixtures/faststart.mp4"), "rb").read()

        def box(kind, payload):
            return struct.pack(">I", 8 + len(payload)) + kind + payload

        # moov inside moov, thousands deep.
        payload = b""
        for _ in range(3000):
            payload = box(b"moov", payload)
        self.write("nested-moov.mp4", box(b"ftyp", b"isom\0\0\2\0isomiso2mp41") + payload, "nested container")
        # An MP4 whose mdat is a whole other MP4, and a file that is two files glued together.
        self.write("mp4-in-mdat.mp4", box(b"ftyp", b"isom\0\0\2\0isom") + box(b"mdat", fast), "nested container")
        self.write("glued.mp4", fast + fast, "nested container")
        # Lists that name themselves or other files: refused by the demuxer whitelist.
        self.write("self-concat.mp4", b"ffconcat version 1.0\nfile 'self-concat.mp4'\nfile 'self-concat.mp4'\n", "self-referencing")
        self.write("self-hls.ts", b"#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\nself-hls.ts\n#EXT-X-ENDLIST\n", "self-referencing")
        self.write("etc-passwd.mp4", b"ffconcat version 1.0\nfile '/etc/passwd'\n", "self-referencing")
        # Raw media with no container, and nothing at all.
        self.write("empty.mp4", b"", "empty")
        self.write("zeros.ts", b"\0" * 1_000_000, "no container")
        self.write("sync-bytes.ts", b"\x47" + b"\xff" * 187 + (b"\x47" + bytes(187)) * 5000, "no container")
        # A real header in front of a large sparse hole: reading it is fast, but long.
        sparse = self.path("sparse-hole.ts")
        with open(sparse, "wb") as f:
            f.write(open(os.path.join(ROOT, "Tests/MediaProbeTests/Fixtures/obs.ts"), "rb").read())
            f.truncate(2 << 30)
        self.cases.append(("sparse-hole.ts", "sparse file"))

    def special_files(self):
        os.mkfifo(self.path("fifo.mp4"))
        self.cases.append(("fifo.mp4", "FIFO"))
        os.symlink("/dev/zero", self.path("dev-zero.mp4"))
        self.cases.append(("dev-zero.mp4", "device (symlink)"))
        os.symlink("/dev/urandom", self.path("dev-urandom.ts"))
        self.cases.append(("dev-urandom.ts", "device (symlink)"))
        if os.geteuid() == 0:
            try:
                os.mknod(self.path("null-device.mkv"), 0o644 | stat.S_IFCHR, os.makedev(1, 3))
                self.cases.append(("null-device.mkv", "character device"))
            except OSError:
                pass
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(self.path("socket.mp4"))
        sock.close()
        self.cases.append(("socket.mp4", "socket"))
        os.symlink("loop.mp4", self.path("loop.mp4"))
        self.cases.append(("loop.mp4", "symlink loop"))
        os.symlink("ping.mkv", self.path("pong.mkv"))
        os.symlink("pong.mkv", self.path("ping.mkv"))
        self.cases += [("ping.mkv", "symlink loop"), ("pong.mkv", "symlink loop")]
        os.symlink("no-such-file.mp4", self.path("dangling.mp4"))
        self.cases.append(("dangling.mp4", "dangling symlink"))
        # Links out of the media folder: the whole machine, the kernel's view of a process, and a
        # private file elsewhere. The walk must name each and take none.
        os.symlink("/", self.path("rootfs"))
        self.cases.append(("rootfs", "symlink out of the media folder"))
        os.symlink("/proc/self/cwd", self.path("proc-cwd"))
        self.cases.append(("proc-cwd", "symlink into /proc"))
        outside = os.path.join(os.path.dirname(self.folder), "outside")
        os.makedirs(outside, exist_ok=True)
        shutil.copyfile(os.path.join(ROOT, "Tests/MediaProbeTests/Fixtures/faststart.mp4"), os.path.join(outside, "private-talk.mp4"))
        os.symlink(os.path.join(outside, "private-talk.mp4"), self.path("talk-elsewhere.mp4"))
        self.cases.append(("talk-elsewhere.mp4", "symlink out of the media folder"))
        os.mkdir(self.path("folder.mp4"))
        self.cases.append(("folder.mp4", "folder with a media name"))
        os.mkdir(self.path("sub"))
        os.symlink("..", self.path("sub/up"))
        os.symlink(".", self.path("sub/self"))
        self.cases += [("sub/up", "folder linked into itself"), ("sub/self", "folder linked into itself")]
        shutil.copyfile(os.path.join(ROOT, "Tests/MediaProbeTests/Fixtures/faststart.mp4"), self.path("sub/inside.mp4"))
        self.cases.append(("sub/inside.mp4", "file under a folder loop"))
        # Names: a newline, a colon (not a protocol), and bytes that are not UTF-8.
        talk = open(os.path.join(ROOT, "Tests/MediaProbeTests/Fixtures/talk.mkv"), "rb").read()
        for name in ("new\nline.mkv", "talk:intro.mkv", "file:talk.mkv"):
            self.write(name, talk, "odd name")
        raw = os.path.join(os.fsencode(self.folder), b"bad-\xff\xfe-name.mkv")
        with open(raw, "wb") as f:
            f.write(talk)
        self.cases.append((os.fsdecode(b"bad-\xff\xfe-name.mkv"), "name that is not UTF-8"))


def vint_length(first):
    for length in range(1, 9):
        if first & (0x80 >> (length - 1)):
            return length
    return 8


def vint_value(data, at):
    length = vint_length(data[at])
    value = data[at] & ((0x80 >> (length - 1)) - 1)
    for byte in data[at + 1:at + length]:
        value = value << 8 | byte
    return value


def vint_add(data, at, delta):
    length = vint_length(data[at])
    value = vint_value(data, at)
    if value == (1 << (7 * length)) - 1:
        return  # unknown size
    value += delta
    encoded = ((1 << (7 * length)) | value).to_bytes(length, "big") if length < 8 else (value | (1 << 56)).to_bytes(8, "big")
    data[at:at + length] = encoded


# MARK: - Running the CLI


TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None


def run(command, timeout, cwd=None, env=None):
    """Runs a child and returns (status, stdout, stderr, seconds, its peak RSS in MB).

    The peak comes from GNU time (Debian's `time` package), which reports the exec'd program's
    own ru_maxrss; wait4 on a child forked from this Python process would count the pages it
    inherited before exec. Without /usr/bin/time, the wait4 figure is used (an upper bound)."""
    started = time.monotonic()
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as rss_file:
        wrapped = [TIME, "-q", "-f", "%M %x", "-o", rss_file.name, *command] if TIME else command
        proc = subprocess.Popen(wrapped, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd, env=env)
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
            return "hung", out, err, time.monotonic() - started, 0.0
        seconds = time.monotonic() - started
        status, rss_mb = proc.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        if TIME:
            fields = rss_file.read().split()
            # "%M %x": peak KB, then the exit status; on a signal GNU time writes a
            # "Command terminated by signal N" line first.
            text = " ".join(fields)
            if "signal" in text:
                status = -int(fields[fields.index("signal") + 1])
            if len(fields) >= 2:
                rss_mb = int(fields[-2]) / 1024
    return status, out, err, seconds, rss_mb


def crashed(status):
    """A signal (negative status) or a status other than 0 and 1 is a crash."""
    return status == "hung" or not isinstance(status, int) or status < 0 or status not in (0, 1)


def expected_walk(folder):
    """What the folder walk should take and what it should name as passed over: every media
    name that is not hidden or partial, whatever it is."""
    taken, passed = set(), set()
    root = os.path.realpath(folder)

    def inside(path, top):
        return path == top or path.startswith(top.rstrip("/") + "/")

    for base, dirs, names in os.walk(folder, followlinks=False):
        for name in dirs + names:
            path = os.path.join(base, name)
            try:
                name.encode("utf-8")
            except UnicodeEncodeError:
                # Not UTF-8: the walk names it, with U+FFFD for the bad bytes, as passed over.
                if name.rsplit(".", 1)[-1].lower() in MEDIA_EXTENSIONS:
                    passed.add(os.fsencode(path).decode("utf-8", "replace"))
                continue
            if os.path.islink(path) and os.path.exists(path):
                # A link is followed only inside the media folder, and never into /proc, /sys or /dev.
                target = os.path.realpath(path)
                if not inside(target, root) or any(inside(target, system) for system in ("/proc", "/sys", "/dev")) \
                        or inside(os.readlink(path), "/proc"):
                    if os.path.isdir(path) or name.rsplit(".", 1)[-1].lower() in MEDIA_EXTENSIONS:
                        passed.add(path)
                    continue
            if name.startswith(".") or name.rsplit(".", 1)[-1].lower() not in MEDIA_EXTENSIONS:
                continue
            try:
                mode = os.stat(path).st_mode
            except OSError:
                passed.add(path)  # loops and dangling links
                continue
            if stat.S_ISDIR(mode):
                continue
            taken.add(path)
    return taken, passed


def check_folder_probe(binary, folder, label):
    status, out, err, seconds, rss = run([binary, "probe", "--json", "--timeout", str(TIMEOUT), folder], timeout=600)
    text_err = err.decode("utf-8", "replace")
    print(f"hostile-media: {label} probe of the folder: exit {status}, {seconds:.1f} s, peak RSS {rss:.0f} MB", flush=True)
    if crashed(status):
        crash(f"{label} probe of the folder exited {status}: {text_err[-2000:]}")
        return [], rss
    if "AddressSanitizer" in text_err or "runtime error" in text_err:
        crash(f"{label} probe: sanitizer report:\n{text_err[-4000:]}")
    try:
        results = json.loads(out)
    except json.JSONDecodeError as error:
        fail(f"{label} probe printed invalid JSON: {error}")
        return [], rss
    # ASan's shadow memory and quarantine make its figure no measure of the program's own.
    if label != "asan" and rss > FOLDER_RSS_BOUND_MB:
        fail(f"{label} probe of the folder peaked at {rss:.0f} MB, over the bound of {FOLDER_RSS_BOUND_MB} MB")
    taken, passed = expected_walk(folder)
    by_path = {}
    for result in results:
        by_path.setdefault(result.get("path"), []).append(result)
    for path in sorted(taken):
        got = by_path.get(path, [])
        if len(got) != 1:
            fail(f"{label} probe: {len(got)} results for {path!r}")
            continue
        error = got[0].get("error")
        if error and path not in error.get("message", ""):
            fail(f"{label} probe: the error for {path!r} does not name it: {error.get('message')!r}")
        if not error and not got[0].get("container"):
            fail(f"{label} probe: {path!r} has neither a container nor an error")
    for path in sorted(set(by_path) - taken):
        fail(f"{label} probe: a result for {path!r}, which the walk should not take")
    for path in sorted(passed):
        if path not in text_err:
            fail(f"{label} probe: {path!r} (a link that does not resolve) is not named on standard error")
    return results, rss


def main():
    if not os.path.exists(BIN):
        print(f"hostile-media: no binary at {BIN}; run `swift build -c release --product efterhand` first")
        print("SUMMARY " + json.dumps({"part": "hostile-media", "cases": 0, "failures": 1, "crashes": 0, "detail": f"missing {BIN}"}))
        sys.exit(1)
    started = time.monotonic()
    top = tempfile.mkdtemp(prefix="efterhand-hostile-")
    folder = os.path.join(top, "media")
    os.makedirs(folder)
    corpus = Corpus(folder)
    corpus.mutate_bytes()
    corpus.chapter_times()
    corpus.chapters_and_tags(top)
    corpus.nested_and_self_referencing()
    corpus.special_files()
    kinds = {}
    for _, kind in corpus.cases:
        kinds[kind] = kinds.get(kind, 0) + 1
    print(f"hostile-media: {len(corpus.cases)} hostile files in {folder} ({time.monotonic() - started:.0f} s): "
          + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())), flush=True)
    for note in corpus.ffmpeg_failed:
        print(f"hostile-media: ffmpeg would not make {note}", flush=True)

    # 1. The whole folder at once.
    results, folder_rss = check_folder_probe(BIN, folder, "release")
    bad = {r["path"] for r in results if r.get("error")}
    print(f"hostile-media: {len(bad)} of {len(results)} files reported with an error", flush=True)

    # The table too: it formats durations and chapters that the JSON leaves as numbers.
    status, out, err, seconds, _ = run([BIN, "probe", "--timeout", str(TIMEOUT), folder], timeout=600)
    print(f"hostile-media: release probe of the folder as a table: exit {status}, {seconds:.1f} s", flush=True)
    if crashed(status):
        crash(f"probe (table) of the folder exited {status}: {err.decode('utf-8', 'replace')[-2000:]}")

    # 2. Each file alone: its time and memory.
    taken, _ = expected_walk(folder)
    slowest, peak = ("", 0.0), ("", 0.0)
    for path in sorted(taken):
        status, out, err, seconds, rss = run([BIN, "probe", "--json", "--timeout", str(TIMEOUT), path], timeout=TIMEOUT * 6 + 30)
        name = os.path.relpath(path, folder)
        if crashed(status):
            crash(f"probe {name!r} exited {status}: {err.decode('utf-8', 'replace')[-1500:]}")
            continue
        if seconds > TIMEOUT + START_SLACK:
            fail(f"probe {name!r} took {seconds:.1f} s, over the {TIMEOUT:.0f} s deadline")
        if rss > RSS_BOUND_MB:
            fail(f"probe {name!r} peaked at {rss:.0f} MB, over {RSS_BOUND_MB} MB")
        slowest = max(slowest, (name, seconds), key=lambda x: x[1])
        peak = max(peak, (name, rss), key=lambda x: x[1])
    print(f"hostile-media: one file at a time: slowest {slowest[0]!r} {slowest[1]:.2f} s; "
          f"highest peak RSS {peak[0]!r} {peak[1]:.0f} MB", flush=True)

    # 3. Ingest the folder.
    index = os.path.join(top, "index")
    # With the sample week's programme, so that linking and segmenting meet the absurd times too.
    status, out, err, seconds, ingest_rss = run([BIN, "ingest", "--media", folder, "--index", index, "--timeout", str(TIMEOUT),
                                                 "--schedule", os.path.join(ROOT, "Media/schedule.json"), "--json"], timeout=1200)
    print(f"hostile-media: ingest: exit {status}, {seconds:.1f} s, peak RSS {ingest_rss:.0f} MB", flush=True)
    if crashed(status) or status != 0:
        crash(f"ingest exited {status}: {err.decode('utf-8', 'replace')[-2000:]}")
    else:
        try:
            summary = json.loads(out)
            named = summary.get("errors", []) + summary.get("skipped", [])
            for path in sorted(bad):
                if not any(path in line for line in named):
                    fail(f"ingest: the bad file {path!r} is not named in the summary's errors or skipped lines")
            for path in sorted(expected_walk(folder)[1]):
                if not any(path in line for line in named):
                    fail(f"ingest: the unresolvable link {path!r} is not named in the summary")
            print(f"hostile-media: ingest: {summary.get('recordings')} recordings, {summary.get('failed')} failed, "
                  f"{len(summary.get('errors', []))} errors, {len(summary.get('skipped', []))} skipped", flush=True)
        except json.JSONDecodeError as error:
            fail(f"ingest printed invalid JSON: {error}")
        if ingest_rss > INGEST_RSS_BOUND_MB:
            fail(f"ingest peaked at {ingest_rss:.0f} MB, over {INGEST_RSS_BOUND_MB} MB")
        if seconds > len(taken) * TIMEOUT + 60:
            fail(f"ingest took {seconds:.0f} s")

    # 4. The probe under AddressSanitizer.
    asan = "skipped"
    if not os.environ.get("HOSTILE_NO_ASAN"):
        if BUILD_ASAN:
            print("hostile-media: bringing the AddressSanitizer build of the CLI up to date (.build-asan)", flush=True)
            built = subprocess.run(["swift", "build", "-c", "debug", "--sanitize=address", "--scratch-path", ".build-asan",
                                    "--product", "efterhand"], cwd=ROOT, capture_output=True, text=True)
            if built.returncode != 0:
                fail(f"the AddressSanitizer build failed: {(built.stdout + built.stderr)[-3000:]}")
        if os.path.exists(ASAN_BIN):
            before = len(crashes) + len(failures)
            os.environ["ASAN_OPTIONS"] = "detect_leaks=0:abort_on_error=0:halt_on_error=1"
            # Swift's crash backtracer reads its own stack in a way ASan reports; a crash is
            # caught by its exit status anyway.
            os.environ["SWIFT_BACKTRACE"] = "enable=no"
            check_folder_probe(ASAN_BIN, folder, "asan")
            # Ingest too: thumbnails and subtitle reading copy frame and packet data in Swift.
            status, out, err, seconds, _ = run([ASAN_BIN, "ingest", "--media", folder, "--index", os.path.join(top, "index-asan"),
                                                "--timeout", str(TIMEOUT), "--json"], timeout=1800)
            text_err = err.decode("utf-8", "replace")
            print(f"hostile-media: asan ingest: exit {status}, {seconds:.1f} s", flush=True)
            if crashed(status) or status != 0 or "AddressSanitizer" in text_err:
                crash(f"asan ingest exited {status}: {text_err[-4000:]}")
            asan = "clean" if len(crashes) + len(failures) == before else "reports"

    if os.environ.get("HOSTILE_KEEP"):
        print(f"hostile-media: corpus kept in {top}")
    else:
        shutil.rmtree(top, ignore_errors=True)
    detail = (f"{len(corpus.cases)} hostile files, {len(bad)} reported bad; probe peak RSS {peak[1]:.0f} MB "
              f"(bound {RSS_BOUND_MB}); folder run {folder_rss:.0f} MB, slowest file {slowest[1]:.2f} s ({slowest[0]}); ingest {ingest_rss:.0f} MB; ASan {asan}")
    print("SUMMARY " + json.dumps({"part": "hostile-media", "cases": len(corpus.cases), "failures": len(failures),
                                   "crashes": len(crashes), "detail": detail}), flush=True)
    sys.exit(1 if failures or crashes else 0)


if __name__ == "__main__":
    main()
