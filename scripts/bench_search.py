#!/usr/bin/env python3
"""Search latency over a generated index of 100,000 segments: p50 and p99 of 1000 mixed queries,
measured inside one efterhand process (no process start-up in the figures).

The index is made by efterhand (schema), filled here with generated sessions, recordings, links,
segments and transcript cues, then `efterhand reindex` builds the full-text index from them.
"""
import json
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import linkeval  # noqa: E402

WORDS = ("och att det som för med till öppna data digitalisering hållbarhet upphandling innovation välfärdsteknik "
         "automatisering medborgardialog tjänster informationssäkerhet tillgänglighet klimat skola äldreomsorg "
         "samhällsbyggnad mobilitet energi tjänstedesign dataanalys kompetens testbädd cirkulär ekonomi smarta städer "
         "robot geodata arkiv folkhälsa trygghet kollektivtrafik vatten kommun region staden användare lösningar "
         "utmaning möjligheter samverkan erfarenheter framtid arbete metod modell plattform").split()


def vocabulary(rng, size=20_000):
    """Real text is Zipfian: a few words are everywhere, most are rare. The topic words above
    lead the list; the rest are made-up Swedish-looking words."""
    syllables = ["in", "no", "va", "tion", "da", "ta", "sam", "hälle", "ut", "veck", "ling", "for", "skning", "sta", "den",
                 "kom", "mun", "re", "gion", "öpp", "na", "mil", "jö", "bygg", "nad", "tek", "nik", "sko", "la", "vård"]
    words = list(dict.fromkeys(WORDS))
    while len(words) < size:
        word = "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))
        if word not in words:
            words.append(word)
    weights = [1 / (rank + 1) for rank in range(len(words))]
    return words, weights


def make_index(binary, work, segments_total=100_000, rng=None):
    """Builds the benchmark index in WORK/index: 1000 sessions, segments_total segments with
    transcript cues. Returns (index folder, rng, words, weights, reindex seconds, recordings)."""
    rng = rng or random.Random(42)
    words, weights = vocabulary(rng)

    def text(n):
        return " ".join(rng.choices(words, weights, k=n))

    index = work / "index"
    empty = work / "empty"
    empty.mkdir()
    subprocess.run([binary, "ingest", "--media", str(empty), "--index", str(index), "--no-thumbnails"], check=True, stdout=subprocess.DEVNULL)
    sessions = linkeval.make_programme(rng, 1000)
    db = sqlite3.connect(index / "index.sqlite")
    db.execute("INSERT OR REPLACE INTO conference (id, title, acronym, time_zone, programme_hash) VALUES (1, 'Bench', 'b', 'Europe/Stockholm', 'x')")
    for s in sessions:
        db.execute("INSERT INTO session (guid, source_id, slug, title, abstract, start, end, room, language, persons, topics, do_not_record, in_programme) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'sv', ?, ?, 0, 1)",
                   (s["guid"], str(s["id"]), s["slug"], s["title"], text(40),
                    s["start"].timestamp(), s["end"].timestamp(), s["room"], json.dumps(s["persons"]), json.dumps([s["track"]])))
    recordings = segments_total // 10
    segment_count = 0
    for r in range(recordings):
        s = sessions[r % len(sessions)]
        db.execute("INSERT INTO recording (id, path, absolute_path, fingerprint, size, mtime, state, duration, link_status, first_seen, updated_at) "
                   "VALUES (?, ?, ?, ?, 1000, 0, 'ok', 3000, 'linked', 0, 0)", (r + 1, f"rec/{r}.mp4", f"/rec/{r}.mp4", f"fp{r}"))
        db.execute("INSERT INTO link (recording_id, session_guid, kind, position, score, in_seconds, out_seconds, reasons, flags, decided_by) "
                   "VALUES (?, ?, 'link', 0, 0.9, 0, 3000, '[]', '[]', 'auto')", (r + 1, s["guid"]))
        for k in range(10):
            db.execute("INSERT INTO segment (recording_id, session_guid, position, start_seconds, end_seconds, title, topics, source) "
                       "VALUES (?, ?, ?, ?, ?, ?, '[]', 'even')", (r + 1, s["guid"], k, k * 300, (k + 1) * 300, f"Del {k + 1} av 10"))
            segment_count += 1
            for c in range(3):
                start = k * 300 + c * 90
                db.execute("INSERT INTO cue (recording_id, language, start_seconds, end_seconds, text, source, status) VALUES (?, 'sv', ?, ?, ?, 'bench', 'draft')",
                           (r + 1, start, start + 5, text(14)))
    db.commit()
    db.close()
    started = time.perf_counter()
    subprocess.run([binary, "reindex", "--index", str(index)], check=True, stdout=subprocess.DEVNULL)
    reindex = time.perf_counter() - started
    return index, rng, words, weights, reindex, recordings, segment_count


def main(binary, segments_total=100_000, queries_total=1000):
    work = Path(tempfile.mkdtemp(prefix="efterhand-bench-search-"))
    index, rng, words, weights, reindex, recordings, segment_count = make_index(binary, work, segments_total)
    # Viewers look up topics: words drawn from the same Zipfian vocabulary (common words
    # included), prefixes, pairs, phrases, and folded spellings.
    queries = []
    for i in range(queries_total):
        kind = i % 5
        word = rng.choices(words, weights)[0]
        other = rng.choices(words, weights)[0]
        if kind == 0:
            queries.append(word)
        elif kind == 1:
            queries.append(word[:max(3, len(word) - 3)])
        elif kind == 2:
            queries.append(f"{word} {other}")
        elif kind == 3:
            queries.append(f"\"{word} {other}\"")
        else:
            queries.append(word.replace("ö", "o").replace("ä", "a").replace("å", "a"))
    (work / "queries.txt").write_text("\n".join(queries))
    result = subprocess.run([binary, "search", "x", "--index", str(index), "--benchmark-queries", str(work / "queries.txt")],
                            check=True, capture_output=True, text=True).stdout.strip()
    print(f"\n== search: {segment_count} segments in {recordings} recordings, {queries_total} mixed queries "
          f"(words, prefixes, pairs, phrases, folded spellings; Zipfian vocabulary of {len(words)} words) ==")
    print(f"reindex of the full-text index: {reindex:.1f} s")
    print(result)
    print("target: p99 under 5 ms")
    if len(sys.argv) < 3:
        subprocess.run(["rm", "-rf", str(work)])
    else:
        print(f"kept {work}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else str(ROOT / ".build" / "release" / "efterhand"))
