#!/usr/bin/env python3
"""`make bench-asr` (issue 18): what efterhand's transcription costs, side by side with the
peers' way and the floor, in one run, as ratios. Benchmarks are not tests: nothing here fails a
build.

    python3 scripts/bench_asr.py                 # every part
    python3 scripts/bench_asr.py spans engine    # some of them (extraction, spans, engine, week)

1. Audio extraction: `efterhand transcribe` (the product's real path: libavcodec and
   libswresample in-process, 30-minute WAV windows, a command engine that writes an empty
   transcript) against `ffmpeg -i X -ar 16000 -ac 1 -f wav OUT` per file, the peers' first
   step, on 45-minute recordings (25 fps video, 48 kHz stereo AAC at 128 kbit/s, mp4 and mkv),
   and against ffmpeg decoding and resampling without writing anything (the floor).
2. Audio sent to the engine: the linked talks' spans against whole files, on the link
   evaluation's generated week (metadata only) and on the sample week (real files).
3. The real engine (faster-whisper, Whisper base, 2 cores): its real-time factor on espeak-ng
   speech, and the wall time of the sample week.
4. Peak memory of `efterhand transcribe` itself and, separately, of its engine processes.

The recordings are made once in $EFTERHAND_BENCH_ASR_DIR (default /var/tmp/efterhand-bench-asr),
outside the repository. EFTERHAND_BENCH_ASR_RUNS (default 3) sets the timed rounds;
EFTERHAND_BENCH_ASR_PARALLEL=0 leaves out the two-at-a-time pair.
"""
import datetime as dt
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import types
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".build" / "release" / "efterhand"
VENV_PYTHON = ROOT / ".venv-speech" / "bin" / "python"
ADAPTOR = ROOT / "scripts" / "speech" / "faster_whisper_adaptor.py"
MODEL = ROOT / ".speech-model" / "whisper-base"
BENCH_DIR = Path(os.environ.get("EFTERHAND_BENCH_ASR_DIR", "/var/tmp/efterhand-bench-asr"))
MEDIA = BENCH_DIR / "media"
SCRATCH = BENCH_DIR / "scratch"  # WAVs of both sides go here, on the same disk
RUNS = int(os.environ.get("EFTERHAND_BENCH_ASR_RUNS", "3"))
FILES = 6
TALK_SECONDS = 45 * 60
ZONE = dt.timezone(dt.timedelta(hours=2))
# The engine that writes an empty transcript: sh gets {input} as $0 and {output} as $1.
EMPTY_ENGINE = "/bin/sh -c 'printf %s \"{\\\"segments\\\": []}\" > \"$1\"' {input} {output}"
WHISPER_ENGINE = f"{VENV_PYTHON} {ADAPTOR} --input {{input}} --output {{output}} --language {{language}} --model {{model}}"

sys.path.insert(0, str(ROOT / "scripts"))
import linkeval  # noqa: E402  (its generator and c3voc writer)


def ff(*args):
    subprocess.run(["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


def guid(i):
    return f"b18a5000-0000-4000-8000-{i:012d}"


def make_media():
    """Six 45-minute talks, 640x360 testsrc2 at 25 fps (one video stream encoded once, copied
    into each) and 48 kHz stereo AAC at 128 kbit/s (each its own tones and noise seeds, tremolo
    on the left), three mp4 and three mkv;
    each names its session's guid in its comment tag, as the sample week's first recording does."""
    done = MEDIA / ".complete"
    if done.exists():
        return
    print(f"making {FILES} recordings of 45 minutes in {MEDIA} (once)...", flush=True)
    bases = BENCH_DIR / "bases"
    bases.mkdir(parents=True, exist_ok=True)
    MEDIA.mkdir(parents=True, exist_ok=True)
    video = bases / "video.mkv"
    if not video.exists():
        ff("-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25", "-t", str(TALK_SECONDS), "-c:v", "libx264", "-preset", "ultrafast",
           "-b:v", "120k", "-maxrate", "200k", "-bufsize", "400k", "-g", "250", "-pix_fmt", "yuv420p", "-an", str(bases / "video.tmp.mkv"))
        (bases / "video.tmp.mkv").rename(video)

    def encode(i):
        ext = "mp4" if i % 2 == 0 else "mkv"
        target = MEDIA / f"talk-{i + 1}.{ext}"
        if target.exists():
            return
        partial = target.with_name(target.stem + ".tmp." + ext)
        flags = ["-movflags", "+faststart"] if ext == "mp4" else []
        tags = ["-metadata", f"title=Bench talk {i + 1}", "-metadata", f"comment=efterhand bench-asr, session {guid(i + 1)}"]
        # Each its own audio (a copy with other tags would be found to be a copy, and skipped).
        d = TALK_SECONDS
        graph = (f"sine=f={180 + 37 * i}:r=48000:d={d},volume=0.5[s1];anoisesrc=r=48000:c=pink:a=0.05:d={d}:seed={i + 1}[n1];"
                 f"[s1][n1]amix=inputs=2,tremolo=f=3.3:d=0.6[l];"
                 f"sine=f={260 + 41 * i}:r=48000:d={d},volume=0.4[s2];anoisesrc=r=48000:c=brown:a=0.05:d={d}:seed={i + 101}[n2];"
                 f"[s2][n2]amix=inputs=2[r];[l][r]join=inputs=2:channel_layout=stereo[a]")
        ff("-i", str(video), "-filter_complex", graph, "-map", "0:v", "-map", "[a]", "-c:v", "copy", "-c:a", "aac", "-b:a", "128k",
           "-ar", "48000", "-t", str(d), *tags, *flags, str(partial))
        partial.rename(target)
        print(f"  {target.name}", flush=True)

    with ThreadPoolExecutor(2) as pool:
        list(pool.map(encode, range(FILES)))
    done.write_text("ok\n")


def write_schedule(path):
    sessions = []
    for i in range(FILES):
        start = dt.datetime(2021, 10, 4, 9, 0, tzinfo=ZONE) + dt.timedelta(hours=i)
        sessions.append({"guid": guid(i + 1), "id": 500 + i, "slug": f"bench-asr-{i + 1}", "title": f"Bench talk {i + 1}",
                         "start": start, "end": start + dt.timedelta(seconds=TALK_SECONDS), "room": "Sal A",
                         "persons": ["Anna Berg"], "track": "bench", "do_not_record": False})
    path.write_text(json.dumps(linkeval.c3voc(sessions), ensure_ascii=False))


def run_json(command, **kwargs):
    out = subprocess.run(command, check=True, capture_output=True, text=True, **kwargs)
    return json.loads(out.stdout)


def vm_hwm_kb(pid):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def descendants(pid):
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{p}/task")
        except OSError:
            continue
        for t in tasks:
            try:
                kids = Path(f"/proc/{p}/task/{t}/children").read_text().split()
            except OSError:
                continue
            for k in kids:
                found.append(int(k))
                todo.append(int(k))
    return found


def monitored(command, env=None):
    """Runs `command`; returns (wall seconds, stdout, peak VmHWM in KB of the process itself,
    peak VmHWM of any of its descendants, e.g. the engine), polling /proc every 20 ms. The
    process's own high-water mark only grows, so the last reading before it exits is its peak
    up to then."""
    out = tempfile.TemporaryFile(mode="w+")
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=out, stderr=subprocess.DEVNULL, env=env)
    peaks = {"own": 0, "children": 0}
    stop = threading.Event()

    def poll():
        while not stop.is_set():
            peaks["own"] = max(peaks["own"], vm_hwm_kb(proc.pid))
            for child in descendants(proc.pid):
                peaks["children"] = max(peaks["children"], vm_hwm_kb(child))
            stop.wait(0.02)

    thread = threading.Thread(target=poll, daemon=True)
    thread.start()
    proc.wait()
    wall = time.perf_counter() - start
    stop.set()
    thread.join()
    out.seek(0)
    return wall, out.read(), peaks["own"], peaks["children"]


def timed(command, env=None):
    start = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True)
    return time.perf_counter() - start, done


def children_cpu():
    """User and system seconds of this process's finished children (and theirs)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def median(values):
    return statistics.median(values)


def wav_seconds(path):
    return (os.path.getsize(path) - 44) / (2 * 16000)


def ffmpeg_wav(path, out):
    subprocess.run(["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-i", path, "-ar", "16000", "-ac", "1", "-f", "wav", out],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def ffmpeg_null(path):
    subprocess.run(["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-i", path, "-vn", "-sn", "-dn", "-ar", "16000", "-ac", "1",
                    "-f", "null", "-"], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def ffmpeg_serial(files):
    start = time.perf_counter()
    for i, f in enumerate(files):
        out = SCRATCH / f"ffmpeg-{i}.wav"
        ffmpeg_wav(f, str(out))
        out.unlink()
    return time.perf_counter() - start


def ffmpeg_parallel(files, jobs=2):
    def one(item):
        i, f = item
        out = SCRATCH / f"ffmpeg-{i}.wav"
        ffmpeg_wav(f, str(out))
        out.unlink()
    start = time.perf_counter()
    with ThreadPoolExecutor(jobs) as pool:
        list(pool.map(one, enumerate(files)))
    return time.perf_counter() - start


def decode_floor():
    """Builds scripts/bench/audio_decode_floor.c (libavcodec decoding the audio stream, nothing
    else, one thread) once; its path."""
    source = ROOT / "scripts" / "bench" / "audio_decode_floor.c"
    binary = ROOT / ".build" / "audio_decode_floor"
    if not binary.exists() or binary.stat().st_mtime < source.stat().st_mtime:
        flags = subprocess.run(["pkg-config", "--cflags", "--libs", "libavformat", "libavcodec", "libavutil"], check=True,
                               capture_output=True, text=True).stdout.split()
        subprocess.run(["cc", "-O2", str(source), *flags, "-o", str(binary)], check=True)
    return binary


def codec_floor(files):
    start = time.perf_counter()
    subprocess.run([str(decode_floor()), *files], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def floor_serial(files):
    start = time.perf_counter()
    for f in files:
        ffmpeg_null(f)
    return time.perf_counter() - start


def bench_extraction(rows, notes):
    make_media()
    files = sorted(str(p) for p in MEDIA.glob("talk-*") if ".tmp." not in p.name)
    SCRATCH.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="efterhand-bench-asr-", dir=BENCH_DIR))
    schedule, index = work / "schedule.json", work / "index"
    write_schedule(schedule)
    subprocess.run([str(BIN), "ingest", "--media", str(MEDIA), "--schedule", str(schedule), "--index", str(index)],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    links = run_json([str(BIN), "links", "--index", str(index), "--json"])
    spans = [(l["out_seconds"] - l["in_seconds"]) for item in links if item["status"] == "linked" for l in item["links"]]
    size = sum(os.path.getsize(f) for f in files)
    print(f"\n== audio extraction: {len(files)} recordings of 45 min (640x360 25 fps H.264 + 48 kHz stereo AAC 128 kbit/s, "
          f"mp4 and mkv), {size / 1e6:.0f} MB; {len(spans)} linked spans, {sum(spans) / 60:.1f} min ==", flush=True)
    if len(spans) != len(files):
        notes.append(f"only {len(spans)} of {len(files)} bench recordings were linked: efterhand's side covers less audio")
    env = dict(os.environ, TMPDIR=str(SCRATCH))
    eft1 = [str(BIN), "transcribe", "--index", str(index), "--speech-command", EMPTY_ENGINE, "--jobs", "1", "--force", "--json"]
    eft2 = [*eft1[:-4], "--jobs", "2", "--force", "--json"]
    # Warm the page cache, and every program once, before anything is counted.
    subprocess.run(["cat", *files], stdout=subprocess.DEVNULL, check=True)
    ffmpeg_wav(files[0], str(SCRATCH / "warm.wav"))
    peer_audio = wav_seconds(SCRATCH / "warm.wav") * len(files)  # the files are equally long
    os.unlink(SCRATCH / "warm.wav")
    _, warm = timed(eft1, env=env)
    summary = json.loads(warm.stdout)
    if summary.get("errors"):
        notes.append(f"efterhand transcribe reported errors: {summary['errors'][:2]}")
    ours_audio = summary["audio_seconds"]
    if ours_audio < 0.95 * sum(spans):
        notes.append(f"efterhand sent {ours_audio / 60:.0f} min of the {sum(spans) / 60:.0f} min linked (a recording taken for a copy?)")
    parallel = os.environ.get("EFTERHAND_BENCH_ASR_PARALLEL", "1") != "0"
    runs = {"eft1": [], "ff1": [], "floor": [], "codec": [], "eft2": [], "ff2": [], "ratio1": [], "ratio2": [], "own_seconds": [],
            "cpu_eft1": [], "cpu_ff1": [], "cpu_floor": []}
    codec_floor(files[:1])  # built and warm before the rounds
    for r in range(RUNS):
        # A B A B: each round times both sides one after the other, and the ratio is taken per round.
        c0 = children_cpu()
        wall, done = timed(eft1, env=env)
        c1 = children_cpu()
        runs["eft1"].append(wall)
        runs["own_seconds"].append(json.loads(done.stdout)["seconds"])
        runs["ff1"].append(ffmpeg_serial(files))
        c2 = children_cpu()
        runs["floor"].append(floor_serial(files))
        c3 = children_cpu()
        runs["codec"].append(codec_floor(files))
        runs["cpu_eft1"].append(c1 - c0)
        runs["cpu_ff1"].append(c2 - c1)
        runs["cpu_floor"].append(c3 - c2)
        runs["ratio1"].append((runs["ff1"][-1] / peer_audio) / (runs["eft1"][-1] / ours_audio))
        if parallel:
            wall, _ = timed(eft2, env=env)
            runs["eft2"].append(wall)
            runs["ff2"].append(ffmpeg_parallel(files))
            runs["ratio2"].append((runs["ff2"][-1] / peer_audio) / (runs["eft2"][-1] / ours_audio))
        print(f"  round {r + 1}: efterhand --jobs 1 {runs['eft1'][-1]:.1f} s, ffmpeg per file {runs['ff1'][-1]:.1f} s, "
              f"floor {runs['floor'][-1]:.1f} s, libavcodec alone {runs['codec'][-1]:.1f} s" + (f"; --jobs 2 {runs['eft2'][-1]:.1f} s, 2 ffmpeg at a time {runs['ff2'][-1]:.1f} s"
                                                      if parallel else ""), flush=True)
    hour = 3600
    e1 = median(runs["eft1"]) / ours_audio * hour
    f1 = median(runs["ff1"]) / peer_audio * hour
    fl = median(runs["floor"]) / peer_audio * hour
    print(f"audio: efterhand {ours_audio / 60:.1f} min (two 30-min windows per talk, 10 s overlap), ffmpeg {peer_audio / 60:.1f} min; "
          f"efterhand's own 'seconds' median {median(runs['own_seconds']):.1f} s; medians of {RUNS} rounds")
    rows.append(("extraction, serial: s per audio-hour", f"{e1:.2f} s", f"ffmpeg -i X -ar 16000 -ac 1 -f wav: {f1:.2f} s",
                 f"{median(runs['ratio1']):.2f}x faster", ">= 3x"))
    rows.append(("  floor: ffmpeg decode+resample, writes nothing", f"{e1:.2f} s", f"ffmpeg -vn -sn -dn ... -f null: {fl:.2f} s",
                 f"floor takes {fl / e1:.2f}x efterhand's time", "-"))
    cd = median(runs["codec"]) / peer_audio * hour
    rows.append(("  floor: libavcodec decoding alone (C, 1 thread)", f"{e1:.2f} s", f"scripts/bench/audio_decode_floor.c: {cd:.2f} s",
                 f"best possible {f1 / cd:.2f}x the peer", "-"))
    notes.append(f"extraction: decoding the AAC with libavcodec and nothing else takes {cd:.2f} s per audio-hour, {100 * cd / f1:.0f}% "
                 f"of ffmpeg's {f1:.2f} s, so no tool that decodes with libavcodec can be more than {f1 / cd:.2f}x faster than the "
                 f"peer here: the 3x goal is under that floor. efterhand is at {median(runs['ratio1']):.2f}x, spending "
                 f"{e1 - cd:.2f} s per audio-hour past decoding (resampling to 16 kHz mono, writing the WAV windows)")
    ce, cf, cfl = (median(runs[k]) * hour for k in ("cpu_eft1", "cpu_ff1", "cpu_floor"))
    rows.append(("  CPU s (user+sys) per audio-hour, serial", f"{ce / ours_audio:.2f} s",
                 f"ffmpeg to WAV {cf / peer_audio:.2f} s; floor {cfl / peer_audio:.2f} s",
                 f"{(cf / peer_audio) / (ce / ours_audio):.2f}x; floor {(cfl / peer_audio) / (ce / ours_audio):.2f}x", "-"))
    if parallel:
        e2 = median(runs["eft2"]) / ours_audio * hour
        f2 = median(runs["ff2"]) / peer_audio * hour
        rows.append(("extraction, 2 at a time: s per audio-hour", f"{e2:.2f} s (--jobs 2)", f"2 ffmpeg at a time: {f2:.2f} s",
                     f"{median(runs['ratio2']):.2f}x faster", ">= 3x"))
    rows.append(("  spread, serial (min-max wall of rounds)", f"{min(runs['eft1']):.1f}-{max(runs['eft1']):.1f} s",
                 f"{min(runs['ff1']):.1f}-{max(runs['ff1']):.1f} s; floor {min(runs['floor']):.1f}-{max(runs['floor']):.1f} s",
                 f"{min(runs['ratio1']):.2f}-{max(runs['ratio1']):.2f}x", "-"))
    # Peak memory with the empty engine on one 45-minute recording (two windows, as for all).
    one = [str(BIN), "transcribe", "--index", str(index), "--speech-command", EMPTY_ENGINE, "--force", "--json", files[0]]
    _, _, own, child = monitored(one, env=env)
    rows.append(("peak memory, efterhand (45-min talk, empty engine)", f"{own / 1024:.0f} MB", f"engine (sh): {child / 1024:.0f} MB" if child else "engine (sh): exits before a 20 ms poll sees it", "-", "-"))
    shutil.rmtree(work, ignore_errors=True)


def span_share(links, durations):
    """Seconds in linked spans the transcriber would send (linked recordings, no do-not-record
    links), the whole length of those linked recordings, and of every recording."""
    spans = whole_linked = 0.0
    for item in links:
        if item["status"] != "linked":
            continue
        duration = durations.get(item["path"])
        if duration is None:
            duration = next((d for p, d in durations.items() if p.endswith(item["path"]) or item["path"].endswith(p)), 0.0)
        whole_linked += duration
        for l in item["links"]:
            if "do_not_record" not in l.get("flags", []):
                spans += max(0.0, l["out_seconds"] - l["in_seconds"])
    return spans, whole_linked, sum(durations.values())


def bench_spans(rows, notes):
    print("\n== audio sent to the engine: linked spans against whole files ==", flush=True)
    folder = Path(tempfile.mkdtemp(prefix="efterhand-bench-asr-linkeval-"))
    args = types.SimpleNamespace(sessions=1000, recordings=None, bin=str(BIN))
    linkeval.run_seed(args, 7, str(folder))
    probes = json.loads((folder / "probe.json").read_text())
    links = run_json([str(BIN), "link", "--schedule", str(folder / "schedule.json"), "--probe-results", str(folder / "probe.json"), "--json"],
                     cwd=folder)
    spans, linked, total = span_share(links, {p["path"]: p["duration_seconds"] for p in probes})
    print(f"link evaluation's week (seed 7; metadata only, no media: its in/out and durations, through `efterhand link`): "
          f"{len(probes)} recordings, {total / 3600:.0f} h; linked {linked / 3600:.0f} h; spans {spans / 3600:.0f} h")
    rows.append(("audio to engine, linkeval week (metadata only)", f"spans {spans / 3600:.0f} h", f"whole linked files {linked / 3600:.0f} h",
                 f"{100 * spans / linked:.1f}% ({100 * spans / total:.1f}% of all {total / 3600:.0f} h)", "less than whole"))
    shutil.rmtree(folder, ignore_errors=True)
    # The sample week: real files, a real ingest, the index's links.
    index = Path(tempfile.mkdtemp(prefix="efterhand-bench-asr-sample-"))
    subprocess.run([str(BIN), "ingest", "--media", "Media", "--schedule", "Media/schedule.json", "--index", str(index / "index")],
                   check=True, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    links = run_json([str(BIN), "links", "--index", str(index / "index"), "--json"], cwd=ROOT)
    probes = run_json([str(BIN), "probe", "--json", "Media"], cwd=ROOT)
    durations = {p["path"]: p["duration_seconds"] or 0.0 for p in probes if not p.get("error")}
    spans, linked, total = span_share(links, durations)
    print(f"sample week (Media/, real files, `efterhand ingest` then `links --json`): {len(durations)} recordings, {total / 60:.0f} min; "
          f"linked {linked / 60:.0f} min; spans {spans / 60:.0f} min")
    rows.append(("audio to engine, sample week (real ingest)", f"spans {spans / 60:.0f} min", f"whole linked files {linked / 60:.0f} min",
                 f"{100 * spans / linked:.1f}% ({100 * spans / total:.1f}% of all {total / 60:.0f} min)", "less than whole"))
    shutil.rmtree(index, ignore_errors=True)


SV_TEXT = ("Välkommen till konferensen. I dag ska vi prata om hur man indexerar inspelade föredrag och gör dem sökbara för alla. "
           "Efter lunch visar vi hur sökningen fungerar i praktiken. Varje inspelning kopplas till ett föredrag i programmet, "
           "och bara den delen av ljudet skickas till taligenkänningen. Texten som kommer tillbaka är ett utkast, som en människa "
           "sedan kan rätta och godkänna. Vi har arbetat med öppna data, digitalisering och hållbarhet i flera år, och nu vill vi "
           "dela med oss av det vi har lärt oss. Frågor tar vi i slutet, så skriv gärna ner dem under tiden. ")
EN_TEXT = ("Welcome to the conference. Today we will talk about how to index recorded talks and make them searchable for everyone. "
           "After lunch we will show how the search works in practice. Every recording is linked to a talk in the programme, and "
           "only that part of the sound is sent to speech recognition. The text that comes back is a draft, which a person can then "
           "correct and approve. We have worked with open data, digitalisation and sustainability for several years, and now we "
           "want to share what we have learned. We will take questions at the end, so please write them down as we go. ")


def make_clip(folder, language, voice, text):
    raw, clip = folder / f"{language}-raw.wav", folder / f"{language}.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-s", "150", "-w", str(raw), text * 2], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    subprocess.run(["sox", "-V1", str(raw), "-r", "16000", "-c", "1", "-b", "16", "-e", "signed-integer", str(clip)], check=True)
    return clip, float(subprocess.run(["soxi", "-D", str(clip)], check=True, capture_output=True, text=True).stdout)


def bench_engine(rows, notes):
    print("\n== the engine: faster-whisper, Whisper base, int8, 2 threads ==", flush=True)
    folder = Path(tempfile.mkdtemp(prefix="efterhand-bench-asr-clips-"))
    for language, voice, text in [("sv", "sv", SV_TEXT), ("en", "en", EN_TEXT)]:
        clip, length = make_clip(folder, language, voice, text)
        walls, cpus, words = [], [], 0
        for _ in range(RUNS):
            out = folder / f"{language}.json"
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            wall, done = timed([str(VENV_PYTHON), str(ADAPTOR), "--input", str(clip), "--output", str(out), "--language", language,
                                "--model", str(MODEL)])
            if done.returncode != 0:
                notes.append(f"the adaptor failed on the {language} clip (exit {done.returncode})")
                break
            walls.append(wall)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
            words = sum(len(s["text"].split()) for s in json.loads(out.read_text())["segments"])
        if not walls:
            continue
        w, c = median(walls), median(cpus)
        print(f"{language}: espeak-ng clip of {length:.1f} s; adaptor wall {', '.join(f'{x:.1f}' for x in walls)} s, "
              f"CPU {', '.join(f'{x:.1f}' for x in cpus)} s (model load included); {words} words back")
        rows.append((f"engine real-time factor, {language} forced ({length:.0f} s clip)", f"{w / length:.3f} wall ({w:.1f} s)",
                     f"CPU time / length: {c / length:.3f}", f"{length / w:.1f}x real time", "-"))
    shutil.rmtree(folder, ignore_errors=True)


def bench_sample_week(rows, notes):
    print("\n== the sample week through the real engine ==", flush=True)
    work = Path(tempfile.mkdtemp(prefix="efterhand-bench-asr-week-"))
    index = work / "index"
    start = time.perf_counter()
    subprocess.run([str(BIN), "ingest", "--media", "Media", "--schedule", "Media/schedule.json", "--index", str(index)], check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ingest = time.perf_counter() - start
    command = [str(BIN), "transcribe", "--index", str(index), "--speech-command", WHISPER_ENGINE, "--model", str(MODEL), "--json"]
    wall, out, own, child = monitored(command, env=dict(os.environ, TMPDIR=str(work)))
    summary = json.loads(out)
    audio = summary["audio_seconds"]
    print(f"ingest {ingest:.1f} s; transcribe: {summary['spans']} spans, {summary['transcribed']} transcribed, {summary['cues']} cues, "
          f"audio_seconds {audio:.0f}, seconds {summary['seconds']:.1f}, wall {wall:.1f} s, errors {len(summary['errors'])}")
    if summary["errors"]:
        notes.append(f"sample week: {len(summary['errors'])} spans failed: {summary['errors'][0]}")
    if summary["cues"] == 0:
        notes.append("sample week: its recordings are silent (Media/ is made with anullsrc), so the engine's VAD drops them whole: "
                     "the wall time is decoding, a model load per 30-min window and VAD, not recognition; the clips' RTF is that")
    rows.append(("sample week, real engine: transcribe wall", f"{wall:.0f} s for {audio / 60:.0f} min audio, {summary['cues']} cues",
                 f"(ingest {ingest:.1f} s)", f"{audio / wall:.0f}x real time", "-"))
    rows.append(("peak memory, sample week", f"efterhand {own / 1024:.0f} MB", f"engine {child / 1024:.0f} MB (largest process)", "-", "-"))
    shutil.rmtree(work, ignore_errors=True)


def first_line(command):
    try:
        done = subprocess.run(command, capture_output=True, text=True)
        return (done.stdout or done.stderr).strip().splitlines()[0]
    except (OSError, IndexError):
        return "?"


def versions():
    fw = subprocess.run([str(VENV_PYTHON), "-c", "import faster_whisper, ctranslate2; print(faster_whisper.__version__, ctranslate2.__version__)"],
                        capture_output=True, text=True).stdout.strip()
    print(first_line(["ffmpeg", "-version"]))
    print(f"efterhand: {BIN} ({dt.datetime.fromtimestamp(BIN.stat().st_mtime, dt.timezone.utc):%Y-%m-%d %H:%M} UTC build), "
          f"git {first_line(['git', '-C', str(ROOT), 'rev-parse', '--short', 'HEAD'])}")
    print(f"faster-whisper, ctranslate2: {fw}; {first_line(['espeak-ng', '--version']).split('  Data')[0]}; {first_line(['sox', '--version'])}")
    print(f"{os.cpu_count()} cores, load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}; {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC")


BENCHES = {"extraction": bench_extraction, "spans": bench_spans, "engine": bench_engine, "week": bench_sample_week}


def main():
    for need, how in [(BIN, "make release"), (VENV_PYTHON, "make speech"), (MODEL, "make speech")]:
        if not need.exists():
            sys.exit(f"{need} is missing: run `{how}` (or `make bench-asr`)")
    versions()
    rows, notes = [], []
    started = time.perf_counter()
    chosen = sys.argv[1:] or list(BENCHES)
    for name in chosen:
        if name not in BENCHES:
            sys.exit(f"unknown part {name}; choose from {', '.join(BENCHES)}")
    for name in chosen:
        try:
            BENCHES[name](rows, notes)
        except (subprocess.CalledProcessError, OSError, KeyError, ValueError) as error:
            # A part that breaks is named in the table's notes; the others still run.
            notes.append(f"{name} did not finish: {error}")
    header = ("measure", "efterhand", "peer / floor", "ratio", "goal")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(5)]
    print(f"\n== summary ({RUNS} rounds, medians; load average now {os.getloadavg()[0]:.1f}; whole run {time.perf_counter() - started:.0f} s) ==")
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print(" | ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip())
    for note in notes:
        print(f"note: {note}")


if __name__ == "__main__":
    main()
