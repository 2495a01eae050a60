#!/usr/bin/env python3
"""Crash safety of `efterhand ingest` (issue 10).

1. SIGKILL at random moments, CRASH_KILLS times (default 50), on a media folder of a few hundred
   distinct recordings (copies of the sample week, generated clips) and the sample programme.
   After every kill the index passes `PRAGMA integrity_check` and the next run completes (exit
   0). The first fifth of the kills land in cold runs, each from an empty index; the index the
   next run completes must equal the reference (an uninterrupted run). Then manual decisions and
   a verified transcript are put in with the CLI, and the other kills land in runs with real work
   to do: before each, the folder changes (files touched, moved, taken away and brought back) and
   the programme alternates with an edited copy; after each, every decision and the verified text
   are still there. At the end the folder is put back, and the index must equal, table by table
   (normalised: see `dump`), the reference given the same decisions and run again.
2. Disk full: the index on a small tmpfs; ingest fails with a message that names the index and
   says the disk is full, the index is sound, and a run on a larger disk completes it.
3. Read-only index folder (a read-only bind mount, since root ignores permission bits):
   ingest fails with a clear message and changes nothing; serve still answers from it.
4. The index file deleted under a running server: the server stays up, /healthz says the index
   file is gone (naming it) and the feed answers 200 from the last state or a JSON 503, never a
   5xx without a JSON body; after a new ingest makes a new file, the server answers from it.

Environment: EFTERHAND_BIN, CRASH_KILLS (50), CRASH_COPIES (20), CRASH_CLIPS (100),
RELIABILITY_SEED, RELIABILITY_TMP.
"""
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import (BIN, SCHEDULE, Server, efterhand, log, make_media, require_binary, scratch, seeded,  # noqa: E402
                    summary)

PART = "crash"
KILLS = int(os.environ.get("CRASH_KILLS", "50"))
COPIES = int(os.environ.get("CRASH_COPIES", "20"))
CLIPS = int(os.environ.get("CRASH_CLIPS", "100"))
COLD_KILLS = max(1, KILLS // 5)

failures = []
cases = 0


def fail(message):
    failures.append(message)
    log("FAIL", message)


# MARK: - The index, normalised

ISO = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})")


def connect(index):
    return sqlite3.connect(os.path.join(index, "index.sqlite"), timeout=30)


def integrity(index):
    try:
        with connect(index) as db:
            rows = [r[0] for r in db.execute("PRAGMA integrity_check")]
        return "; ".join(rows)
    except sqlite3.Error as error:
        return f"sqlite error: {error}"


def dump(index, root):
    """Every table as sorted text rows. Left out, and why: row ids (rows get their ids in the
    order they were first written, which a kill changes; references by id are written as the
    recording's path or the segment's place instead), and the clock columns (`first_seen`,
    `updated_at`, `decided_at`, `verified_at`; `mtime`, which the harness changes by touching
    files; the "accepted by hand <time>" reason). Everything else is compared as stored."""
    tables = {}
    with connect(index) as db:
        db.row_factory = sqlite3.Row
        path_of = {r["id"]: r["path"].replace(root, "<root>") for r in db.execute("SELECT id, path FROM recording")}
        segment_of = {r["id"]: (path_of.get(r["recording_id"]), r["session_guid"], r["position"], r["start_seconds"])
                      for r in db.execute("SELECT id, recording_id, session_guid, position, start_seconds FROM segment")}

        def rows(sql, drop=(), recording="recording_id"):
            out = []
            for r in db.execute(sql):
                d = {k: r[k] for k in r.keys() if k not in drop}
                if recording in d:
                    d[recording] = path_of.get(d[recording], f"<unknown id {d[recording]}>")
                for k, v in d.items():
                    if isinstance(v, str):
                        d[k] = ISO.sub("<time>", v.replace(root, "<root>"))
                out.append(json.dumps(d, sort_keys=True, ensure_ascii=False))
            return sorted(out)

        tables["conference"] = rows("SELECT * FROM conference")
        tables["session"] = rows("SELECT * FROM session")
        tables["recording"] = rows("SELECT * FROM recording", drop=("id", "mtime", "first_seen", "updated_at"), recording="duplicate_of")
        tables["link"] = rows("SELECT * FROM link", drop=("id",))
        tables["segment"] = rows("SELECT * FROM segment", drop=("id",))
        # Decisions keep their order: later ones win.
        tables["decision"] = [json.dumps({k: r[k] for k in r.keys() if k not in ("id", "decided_at")}, sort_keys=True)
                              for r in db.execute("SELECT * FROM decision ORDER BY decided_at, id")]
        tables["cue"] = rows("SELECT * FROM cue", drop=("id",))
        tables["verified_span"] = rows("SELECT * FROM verified_span", drop=("id", "verified_at"))
        tables["caption_source"] = rows("SELECT * FROM caption_source")
        tables["thumbnail"] = rows("SELECT * FROM thumbnail")
        search = []
        for r in db.execute("SELECT kind, recording_id, session_guid, segment_id, session_title, subtitle, abstract, speakers, topics, "
                            "segment_title, transcript FROM search"):
            d = dict(zip(r.keys(), r))
            d["recording_id"] = path_of.get(d["recording_id"])
            d["segment_id"] = segment_of.get(d["segment_id"]) if d["segment_id"] is not None else None
            search.append(json.dumps(d, sort_keys=True, ensure_ascii=False))
        tables["search"] = sorted(search)
        tables["search_row"] = sorted(str(path_of.get(r[0])) for r in db.execute("SELECT recording_id FROM search_row"))
        thumbnails = [r["file"] for r in db.execute("SELECT file FROM thumbnail")]
    # A thumbnail row names a whole JPEG on disk.
    broken = []
    for file in thumbnails:
        try:
            data = open(os.path.join(index, file), "rb").read()
            if not (data.startswith(b"\xff\xd8") and data.rstrip(b"\0").endswith(b"\xff\xd9")):
                broken.append(file)
        except OSError:
            broken.append(file)
    tables["broken thumbnails"] = broken
    return tables


def compare(expected, actual):
    differences = []
    for table in sorted(set(expected) | set(actual)):
        a, b = expected.get(table, []), actual.get(table, [])
        if a != b:
            missing = sorted(set(a) - set(b))[:3]
            extra = sorted(set(b) - set(a))[:3]
            differences.append(f"{table}: {len(a)} rows expected, {len(b)} found; missing {missing}; unexpected {extra}")
    return differences


# MARK: - Ingest runs


class Runs:
    def __init__(self, media, index):
        self.media = media
        self.index = index

    def arguments(self, schedule=SCHEDULE):
        return ["ingest", "--media", self.media, "--schedule", schedule, "--index", self.index, "--json"]

    def complete(self, schedule=SCHEDULE, what="run"):
        started = time.monotonic()
        proc = efterhand(*self.arguments(schedule))
        elapsed = time.monotonic() - started
        if proc.returncode != 0:
            fail(f"{what}: ingest exited {proc.returncode}: {proc.stderr.strip()[-500:]}")
            return None, elapsed
        try:
            return json.loads(proc.stdout), elapsed
        except json.JSONDecodeError:
            fail(f"{what}: ingest printed no JSON summary: {proc.stdout[-300:]}")
            return None, elapsed

    def killed(self, delay, schedule=SCHEDULE):
        """Starts ingest, SIGKILLs it after `delay` seconds; True when it was still running."""
        proc = subprocess.Popen([BIN, *self.arguments(schedule)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            proc.wait(timeout=delay)
            return False, proc.returncode
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            return True, None


# MARK: - Manual decisions


def put_decisions(index, root, folder):
    """The same decisions, by path, on any index of this folder; returns what the index must keep."""
    links = json.loads(efterhand("links", "--index", index, "--json", check=True).stdout)
    by_path = {entry["path"]: entry for entry in links}

    def path(rel):
        return os.path.join(root, rel)

    commands = [
        # An unmatched camera file accepted for the session without a recording, with in and out.
        ["link", "accept", path("kopia-00/MVI_0042.MP4"), "iv21-111-vad-tar-vi-med-oss", "--in", "10", "--out", "900"],
        ["link", "accept", path("kopia-03/MVI_0042.MP4"), "iv21-111-vad-tar-vi-med-oss"],
        # An automatic link rejected; another recording unlinked altogether.
        ["link", "reject", path("kopia-01/jsp-kamera.mp4"), "iv21-110-johanneberg"],
        ["link", "unlink", path("kopia-02/sommarjobbare.mp4")],
        ["link", "accept", path("klipp/clip-002.mp4"), "iv21-105-oppna-data"],
    ]
    for arguments in commands:
        proc = efterhand(*arguments, "--index", index)
        if proc.returncode != 0:
            fail(f"efterhand {' '.join(arguments[:2])} exited {proc.returncode}: {proc.stderr.strip()[-300:]}")
    # A verified transcript of the Görel talk in one copy.
    vtt = os.path.join(folder, "checked.sv.vtt")
    with open(vtt, "w", encoding="utf-8") as f:
        f.write("WEBVTT\n\n00:02:01.000 --> 00:02:05.000\nHej och välkommen, nu börjar vi.\n\n"
                "00:14:50.000 --> 00:14:58.000\nDet var allt om Görel.\n")
    proc = efterhand("transcript", "import", path("kopia-04/inspelning-01.mp4"), vtt, "--language", "sv", "--verified", "--index", index)
    if proc.returncode != 0:
        fail(f"efterhand transcript import exited {proc.returncode}: {proc.stderr.strip()[-300:]}")
    assert by_path  # the folder was ingested before decisions were put in
    return len(commands)


def kept(index):
    """What must survive every kill: the decisions and the verified text."""
    with connect(index) as db:
        decisions = db.execute("SELECT count(*) FROM decision").fetchone()[0]
        verified = db.execute("SELECT count(*) FROM cue WHERE status = 'verified'").fetchone()[0]
    return decisions, verified


# MARK: - Changes to the folder between kills


class Churn:
    """Touches, moves and takes away files between kills, and can put everything back."""

    def __init__(self, media, paths, holding, rng):
        self.media = media
        self.home = {p: p for p in paths}  # canonical path -> where it is now (None: taken away)
        self.holding = holding
        self.rng = rng
        self.moves = 0
        os.makedirs(holding, exist_ok=True)

    def step(self, attempt):
        placed = [p for p, now in self.home.items() if now == p]
        for p in self.rng.sample(placed, min(len(placed), self.rng.randint(5, 25))):
            # A new modification time: ingest must open the file again.
            os.utime(p, (1_600_000_000 + attempt * 10, 1_600_000_000 + attempt * 10))
        for p in self.rng.sample(placed, min(len(placed), self.rng.randint(0, 4))):
            if self.home[p] != p:
                continue
            if self.rng.random() < 0.5:
                target = os.path.join(os.path.dirname(p), "flyttad-" + os.path.basename(p))
            else:
                self.moves += 1  # copies share names: each move out gets a name of its own
                target = os.path.join(self.holding, f"{self.moves}-" + os.path.basename(p))
            os.rename(p, target)
            self.home[p] = target
        for p, now in list(self.home.items()):
            if now != p and self.rng.random() < 0.3:
                os.rename(now, p)
                self.home[p] = p

    def restore(self):
        for p, now in self.home.items():
            if now != p:
                os.rename(now, p)
                self.home[p] = p


def edited_schedule(folder):
    """The sample programme with one title edited and one talk moved by ten minutes."""
    document = json.load(open(SCHEDULE, encoding="utf-8"))
    for day in document["schedule"]["conference"]["days"]:
        for talks in day["rooms"].values():
            for talk in talks:
                if talk["guid"].endswith("103"):
                    talk["title"] += " (ny titel)"
                if talk["guid"].endswith("104"):
                    talk["date"] = talk["date"].replace("09:30:00", "09:40:00")
                    talk["start"] = "09:40"
    path = os.path.join(folder, "schedule-edited.json")
    json.dump(document, open(path, "w", encoding="utf-8"), ensure_ascii=False)
    return path


# MARK: - 1. SIGKILL


def kill_test(work, rng):
    global cases
    media = os.path.join(work, "media")
    paths = make_media(media, COPIES, CLIPS, rng)
    log(f"media: {len(paths)} recordings in {media}")
    edited = edited_schedule(work)

    # The reference: one uninterrupted run, the decisions, one more run.
    reference = Runs(media, os.path.join(work, "reference"))
    first, cold_seconds = reference.complete(what="reference run")
    if first is None:
        return "the reference run failed"
    log(f"reference: cold ingest {cold_seconds:.1f} s: {first['recordings']} recordings, {first['linked']} linked, "
        f"{first['review']} in review, {first['unmatched']} unmatched, {first['segments']} segments, {first['thumbnails']} thumbnails")
    if first["recordings"] < 200 or first["linked"] == 0:
        fail(f"the reference run indexed {first['recordings']} recordings, {first['linked']} linked: not a few hundred with links")

    runs = Runs(media, os.path.join(work, "index"))
    expected_cold = dump(reference.index, media)
    kills = finished_early = 0
    churn = Churn(media, paths, os.path.join(work, "holding"), rng)

    def after_kill(what, schedule=SCHEDULE):
        """The checks after every kill: a sound index, and a next run that completes."""
        global cases
        cases += 1
        result = integrity(runs.index) if os.path.exists(os.path.join(runs.index, "index.sqlite")) else "ok"
        if result != "ok":
            fail(f"{what}: integrity_check says {result}")
        done, seconds = runs.complete(schedule, what=f"the run after {what}")
        return done, seconds

    # 1. Kills in cold runs: each from an empty index, then the next run completes it, and the
    #    result must equal the reference's first run.
    for attempt in range(COLD_KILLS * 3):
        if kills >= COLD_KILLS:
            break
        shutil.rmtree(runs.index, ignore_errors=True)
        delay = rng.uniform(0.05, max(0.1, cold_seconds * 0.95))
        was_killed, status = runs.killed(delay)
        if not was_killed:
            finished_early += 1
            if status != 0:
                fail(f"cold attempt {attempt}: ingest exited {status} before the kill")
            continue
        kills += 1
        done, _ = after_kill(f"cold kill {kills} (after {delay:.2f} s)")
        if done is not None:
            for line in compare(expected_cold, dump(runs.index, media)):
                fail(f"cold kill {kills}: the completed index differs from an uninterrupted run: {line}")
    cold_kills = kills

    # 2. Manual decisions, then kills in runs that have work to do: before each, the folder
    #    changes and the programme alternates with an edited copy; after each, the next run
    #    completes and every decision and the verified text are still there.
    decisions = put_decisions(runs.index, media, work)
    must_keep = kept(runs.index)
    log(f"decisions: {decisions} links decided by hand and a verified transcript ({must_keep[1]} cues) put in")
    window = max(0.2, cold_seconds / 2)
    attempt = 0
    while kills < KILLS and attempt < KILLS * 4:
        attempt += 1
        churn.step(attempt)
        schedule = edited if attempt % 3 == 0 else SCHEDULE
        delay = rng.uniform(0.02, window)
        was_killed, status = runs.killed(delay, schedule)
        if not was_killed:
            finished_early += 1
            if status != 0:
                fail(f"attempt {attempt}: ingest exited {status} before the kill")
            window = max(0.05, delay * 0.8)
            continue
        kills += 1
        window = min(window * 1.1, cold_seconds)
        after_kill(f"kill {kills} (attempt {attempt}, after {delay:.2f} s)", schedule)
        now = kept(runs.index)
        if now != must_keep:
            fail(f"kill {kills}: decisions and verified cues {now}, expected {must_keep}")
    log(f"kills: {kills} SIGKILLs ({cold_kills} in cold runs), each followed by an integrity check and a run that completed; "
        f"{finished_early} runs finished before their kill")
    if kills < KILLS:
        fail(f"only {kills} of {KILLS} runs could be killed")

    # Put the folder back and finish; then a run with nothing to do must find nothing to do.
    churn.restore()
    final, _ = runs.complete(what="final run")
    again, _ = runs.complete(what="idle run")
    if again is not None and (again["new"] or again["changed"] or again["moved"]):
        fail(f"a run after the final one still found work: {again['new']} new, {again['changed']} changed, {again['moved']} moved")
    # The same folder (restored, so with the touched modification times) for the reference.
    put_decisions(reference.index, media, work)
    reference.complete(what="reference run after the decisions")
    expected = dump(reference.index, media)
    actual = dump(runs.index, media)
    # Thumbnails are a cache keyed by file content and time: a run that went through more states
    # (an edited programme, files taken away) made some that an uninterrupted run had no reason
    # to make. Those extra ones must belong to recordings of the index; every expected one must be there.
    fingerprints = {json.loads(r)["fingerprint"] for r in actual["recording"]}
    extra = sorted(set(actual["thumbnail"]) - set(expected["thumbnail"]))
    stray = [t for t in extra if json.loads(t)["key"].split("@")[0] not in fingerprints]
    if stray:
        fail(f"thumbnails of no recording of the index: {stray[:3]}")
    if set(expected["thumbnail"]) <= set(actual["thumbnail"]):
        actual = dict(actual, thumbnail=expected["thumbnail"])
    for line in compare(expected, actual):
        fail("final index differs from the uninterrupted run: " + line)
    if expected["broken thumbnails"]:
        fail(f"the reference index has broken thumbnails: {expected['broken thumbnails'][:3]}")
    counts = {t: len(v) for t, v in actual.items() if t in ("recording", "link", "segment", "decision", "cue", "thumbnail")}
    log(f"final index compared with the uninterrupted run: {counts}; {len(extra)} more thumbnails cached from states passed through")
    return (f"{kills} SIGKILLs ({cold_kills} cold, each completed index equal to an uninterrupted run; {finished_early} runs ended "
            f"before their kill), final index equal to an uninterrupted run ({counts['recording']} recordings, {counts['link']} links, "
            f"{counts['segment']} segments, {counts['decision']} decisions, {counts['cue']} cues)")


# MARK: - 2. Disk full


def run_quiet(*command):
    return subprocess.run(list(command), capture_output=True, text=True)


def disk_full(work, rng):
    global cases
    media = os.path.join(work, "media")
    mount = os.path.join(work, "tmpfs")
    os.makedirs(mount, exist_ok=True)
    # Sizes from a fifth to four fifths of what a whole index of this folder takes.
    full = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(os.path.join(work, "reference")) for f in fs)
    sizes = [f"{max(64, int(full * share / 1024))}k" for share in (0.2, 0.5, 0.8)]
    proc = run_quiet("mount", "-t", "tmpfs", "-o", f"size={sizes[0]}", "tmpfs", mount)
    if proc.returncode != 0:
        return f"disk full: skipped (cannot mount a tmpfs: {proc.stderr.strip()})"
    try:
        index = os.path.join(mount, "Index")
        results = []
        for size in sizes:
            run_quiet("mount", "-o", f"remount,size={size}", mount)
            proc = efterhand("ingest", "--media", media, "--schedule", SCHEDULE, "--index", index)
            cases += 1
            crashed = proc.returncode < 0 or "Fatal error" in proc.stderr or "Stack dump" in proc.stderr
            if crashed:
                fail(f"disk full ({size}): ingest crashed: {proc.returncode}: {proc.stderr[-500:]}")
            if proc.returncode != 0:
                message = " ".join(proc.stderr.split())
                if os.path.join(index, "index.sqlite") not in message or not re.search(r"full|space", message, re.I):
                    fail(f"disk full ({size}): the message does not name the index and say the disk is full: {message!r}")
                results.append(f"{size}: exit {proc.returncode}")
                log(f"disk full ({size}): exit {proc.returncode}: {message}")
            else:
                results.append(f"{size}: completed")
            if os.path.exists(os.path.join(index, "index.sqlite")):
                check = integrity(index)
                if check != "ok":
                    fail(f"disk full ({size}): integrity_check says {check}")
        if all("completed" in r for r in results):
            fail("disk full: ingest never ran out of space; the tmpfs sizes are too large to test anything")
        # Room again: the next run completes.
        run_quiet("mount", "-o", "remount,size=200m", mount)
        proc = efterhand("ingest", "--media", media, "--schedule", SCHEDULE, "--index", index, "--json")
        cases += 1
        if proc.returncode != 0:
            fail(f"disk full: the run with room again exited {proc.returncode}: {proc.stderr[-500:]}")
        elif integrity(index) != "ok":
            fail("disk full: the index is not sound after the run with room again")
        return "disk full: " + ", ".join(results) + "; then completed with room"
    finally:
        run_quiet("umount", "-l", mount)


# MARK: - 3. Read-only index folder


def read_only(work):
    global cases
    source = os.path.join(work, "index")
    mount = os.path.join(work, "index-ro")
    os.makedirs(mount, exist_ok=True)
    if run_quiet("mount", "--bind", source, mount).returncode != 0:
        return "read-only: skipped (no bind mount)"
    try:
        if run_quiet("mount", "-o", "remount,ro,bind", mount).returncode != 0:
            return "read-only: skipped (cannot remount read-only)"
        before = dump(source, os.path.join(work, "media"))
        media = os.path.join(work, "media")
        # Something to do: a touched file.
        some = next(os.path.join(d, f) for d, _, fs in os.walk(os.path.join(media, "klipp")) for f in sorted(fs) if f.endswith(".mp4"))
        os.utime(some, (1_700_000_000, 1_700_000_000))
        proc = efterhand("ingest", "--media", media, "--schedule", SCHEDULE, "--index", mount)
        cases += 1
        message = " ".join(proc.stderr.split())
        log(f"read-only: ingest exit {proc.returncode}: {message}")
        if proc.returncode <= 0:
            fail(f"read-only: ingest into a read-only index exited {proc.returncode}")
        if os.path.join(mount, "index.sqlite") not in message or not re.search(r"read-only", message, re.I):
            fail(f"read-only: the message does not name the index and say it is read-only: {message!r}")
        if dump(source, media) != before:
            fail("read-only: the index changed")
        # A decision by hand fails the same way.
        proc = efterhand("link", "unlink", some, "--index", mount)
        cases += 1
        message2 = " ".join(proc.stderr.split())
        if proc.returncode <= 0 or os.path.join(mount, "index.sqlite") not in message2 or "read-only" not in message2:
            fail(f"read-only: link unlink exited {proc.returncode}: {message2!r}")
        # Serve answers from it as it is, and refuses writes with a 503 that says why.
        cases += 1
        try:
            server = Server(mount, "--no-access-log", log_path=os.path.join(work, "serve-ro.log"),
                            env=dict(os.environ, EFTERHAND_ADMIN_TOKEN="read-only-test"))
        except RuntimeError as error:
            served = f"serve refuses: {str(error).strip().splitlines()[-1][:160]}"
            fail(f"read-only: serve does not serve a read-only index: {error}")
        else:
            try:
                status, body = get(server.base + "/feed.json")
                health, _ = get(server.base + "/healthz")
                request = urllib.request.Request(server.base + "/api/recordings/1/decisions", data=b'{"action": "unlink"}', method="POST",
                                                 headers={"Authorization": "Bearer read-only-test", "Content-Type": "application/json"})
                try:
                    with urllib.request.urlopen(request, timeout=10) as response:
                        write, written = response.status, response.read()
                except urllib.error.HTTPError as error:
                    write, written = error.code, error.read()
                served = f"serve answers /feed.json {status}, /healthz {health}, a write {write}"
                if status != 200 or health != 200 or write != 503 or b"read-only" not in written:
                    fail(f"read-only: {served}: {written[:200]!r}")
            finally:
                server.stop()
        log(f"read-only: {served}")
        os.utime(some, (1_600_000_000, 1_600_000_000))
        return f"read-only: ingest exit {proc.returncode} ({message[:120]}), index unchanged; {served}"
    finally:
        run_quiet("umount", "-l", mount)


def get(url, timeout=10):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except OSError as error:
        return None, str(error).encode()


# MARK: - 4. Index deleted under a running server


def deleted_under_server(work):
    global cases
    media = os.path.join(work, "media")
    index = os.path.join(work, "index-served")
    shutil.copytree(os.path.join(work, "index"), index)
    server = Server(index, "--no-access-log", log_path=os.path.join(work, "serve-deleted.log"))
    outcome = []
    try:
        status, body = get(server.base + "/feed.json")
        if status != 200:
            fail(f"deleted: the feed answered {status} before anything was deleted")
        before = json.loads(get(server.base + "/healthz")[1])["public_recordings"]
        for name in ("index.sqlite", "index.sqlite-wal", "index.sqlite-shm"):
            try:
                os.remove(os.path.join(index, name))
            except FileNotFoundError:
                pass
        for path in ("/feed.json", "/healthz", "/api/topics", "/api/search?q=data", "/api/recordings/1", "/feed.json?page_size=3"):
            status, body = get(server.base + path)
            cases += 1
            outcome.append(f"{path} {status}")
            if status is None:
                fail(f"deleted: {path}: no answer ({body[:200]!r})")
                continue
            text = body.decode(errors="replace")
            if status >= 500:
                try:
                    error = json.loads(text)["error"]
                except (ValueError, KeyError, TypeError):
                    fail(f"deleted: {path}: {status} without a JSON error: {text[:200]}")
                    continue
                if status != 503:
                    fail(f"deleted: {path}: {status} {error}")
            if path == "/healthz":
                if status != 503 or "index.sqlite" not in text:
                    fail(f"deleted: /healthz answered {status} {text[:300]}: it must say the index file is gone, naming it")
        if not server.alive():
            fail("deleted: the server died")
        # A new ingest makes a new index file; the server answers from it.
        efterhand("ingest", "--media", os.path.join(media, "klipp"), "--schedule", SCHEDULE, "--index", index, "--no-thumbnails")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            status, body = get(server.base + "/healthz")
            if status == 200:
                break
            time.sleep(0.2)
        cases += 1
        outcome.append(f"after a new ingest /healthz {status}")
        if status != 200:
            fail(f"deleted: after a new ingest /healthz still answers {status}: {body[:200]!r}")
        else:
            recordings = json.loads(body)["public_recordings"]
            with connect(index) as db:
                now = db.execute("SELECT count(*) FROM recording WHERE state = 'ok'").fetchone()[0]
            outcome.append(f"{recordings} public recordings (were {before})")
            if recordings == before or recordings == 0:
                fail(f"deleted: after a new ingest the server answers with {recordings} public recordings, as before ({before}); "
                     f"the new index has {now}")
        if not server.alive():
            fail("deleted: the server died")
    finally:
        code = server.stop()
        if code not in (0, None):
            fail(f"deleted: the server exited {code} on SIGTERM")
    return "index deleted under serve: " + ", ".join(outcome)


def main():
    require_binary(PART)
    rng = seeded(PART)
    work = scratch(PART)
    details = []
    try:
        for step in (lambda: kill_test(work, rng), lambda: disk_full(work, rng), lambda: read_only(work), lambda: deleted_under_server(work)):
            try:
                details.append(step())
            except Exception as error:  # a broken step is a failure of its own, the others still run
                fail(f"{type(error).__name__}: {error}")
            log(details[-1] if details else "")
    finally:
        if not os.environ.get("RELIABILITY_KEEP"):
            shutil.rmtree(work, ignore_errors=True)
    detail = "; ".join(d for d in details if d)
    if failures:
        detail = f"{len(failures)} failures, first: {failures[0]}; " + detail
    summary(PART, cases, len(failures), detail=detail[:1500])


if __name__ == "__main__":
    main()
