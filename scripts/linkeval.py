#!/usr/bin/env python3
"""A generated evaluation of efterhand's linker.

Writes a programme of N sessions over 5 days and 20 rooms (c3voc schedule.json) and N
recordings derived from it with realistic noise, as probe results in the shape of
`efterhand probe --json` (no media files are needed), plus the truth; then runs
`efterhand link --probe-results ... --json --stats` and scores the answer.

    python3 scripts/linkeval.py [--sessions 1000] [--seed 7] [--bin .build/release/efterhand] [--json]
    python3 scripts/linkeval.py --seeds 1-13      # one line per generated week, then the spread

Noise: clock drift of minutes, late starts, overruns, missing tags, misspelled titles, renamed
files, cameras writing local time as UTC, decoy recordings of unscheduled events, streams over
several talks, talks recorded in two parts.

Issue 19: `--typo-titles N` adds recordings whose only clue is a title tag with a typo or two;
`--speaking N` adds recordings with no metadata at all whose speaker says who they are and
what the talk is (espeak-ng, Swedish and English), and `--speaking-decoys N` recordings with no
metadata that speak about something else (a lunch break, a sound check, a pause). What they say
is heard by the project's own speech engine (faster-whisper, `scripts/speech/hear.py`, cached
in .build/linkeval-heard) and given to `efterhand link --heard`; then, as the listening step
does, those the linker leaves in doubt are heard again with the prompt it gives for them
(`--heard-prompts`: the candidates' names and titles) and that is given as `--heard-prompted`
(`--one-hearing` skips it). `--heard-text` gives the script's words instead (a perfect ear:
the ceiling of the method).
"""
import hashlib
import argparse
import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

ZONE = dt.timezone(dt.timedelta(hours=2))  # Europe/Stockholm in October 2021 (CEST)
DAYS = [dt.date(2021, 10, 4) + dt.timedelta(days=d) for d in range(5)]
ROOMS = [f"Sal {c}" for c in "ABCDEFGH"] + ["Aulan", "Stora salen", "Lilla salen", "Studion", "Labbet", "Verkstaden",
                                             "Biblioteket", "Galleriet", "Torget", "Kupolen", "Hamnen", "Tornet"]
SUBJECTS = ["öppna data", "digitalisering", "hållbarhet", "upphandling", "innovation", "välfärdsteknik", "AI",
            "automatisering", "medborgardialog", "e-tjänster", "informationssäkerhet", "tillgänglighet", "klimatomställning",
            "skolutveckling", "äldreomsorg", "samhällsbyggnad", "mobilitet", "energieffektivisering", "tjänstedesign",
            "dataanalys", "kompetensförsörjning", "testbäddar", "cirkulär ekonomi", "smarta städer", "delningsekonomi",
            "robotik", "geodata", "arkivering", "folkhälsa", "trygghet", "kollektivtrafik", "vattenförsörjning"]
PLACES = ["Göteborg", "Malmö", "Umeå", "Luleå", "Linköping", "Örebro", "Västerås", "Jönköping", "Borås", "Gävle",
          "Sundsvall", "Kalmar", "Karlstad", "Växjö", "Halmstad", "Skellefteå", "Kiruna", "Visby", "Falun", "Östersund"]
FORMS = ["Så lyckades {place} med {subject}", "{Subject} i praktiken: lärdomar från {place}", "Framtidens {subject} i {place}",
         "{Subject} för alla – erfarenheter från {place}", "Från idé till drift: {subject} i {place}",
         "Vad kan {subject} göra för {place}?", "{Subject} och {subject2} i {place}", "Nya vägar för {subject} i {place}"]
FIRST = ["Anna", "Erik", "Maria", "Lars", "Karin", "Johan", "Sara", "Per", "Emma", "Ali", "Fatima", "Oskar", "Linnea",
         "Mohammed", "Ingrid", "Nils", "Elin", "Gustav", "Hanna", "Sven", "Amira", "Jonas", "Maja", "Viktor"]
LAST = ["Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson", "Svensson", "Gustafsson",
        "Pettersson", "Jonsson", "Lindberg", "Lindqvist", "Berg", "Holm", "Sandberg", "Ekström", "Åberg", "Öberg"]


def iso(t):
    return t.isoformat()


def utc(t):
    return t.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000000Z")


def typo(rng, text):
    words = text.split()
    candidates = [i for i, w in enumerate(words) if len(w) >= 6]
    if not candidates:
        return text
    i = rng.choice(candidates)
    w = words[i]
    k = rng.randrange(1, len(w) - 2)
    kind = rng.random()
    if kind < 0.4:
        w = w[:k] + w[k + 1:]
    elif kind < 0.7:
        w = w[:k] + w[k + 1] + w[k] + w[k + 2:]
    else:
        w = w[:k] + rng.choice("aeiouy") + w[k + 1:]
    words[i] = w
    return " ".join(words)


def misspell(rng, text, letters):
    """`text` with `letters` typos anywhere among its letters (a letter dropped, two swapped, or
    one replaced), as people type a title tag by hand: short words are not spared."""
    chars = list(text)
    for _ in range(letters):
        spots = [i for i in range(len(chars) - 1) if chars[i].isalpha() and chars[i + 1].isalpha()]
        if not spots:
            break
        i = rng.choice(spots)
        kind = rng.random()
        if kind < 0.4:
            del chars[i]
        elif kind < 0.7:
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
        else:
            chars[i] = rng.choice([c for c in "aeiouyrstnl" if c != chars[i].lower()])
    return "".join(chars)


def add_title_only(rng, sessions, recordings, truth, count):
    """Issue 19's typo'd title tags: `count` recordings of talks nobody else recorded with no
    clue but a title tag with one or two wrong letters (no clock, no room, a renamed file).
    Returns their kinds by path (`typo-1`, `typo-2`; `-shared` when another session of the week
    has the same title, so that no title tag can tell them apart)."""
    recorded = {l["guid"] for links in truth.values() for l in links}
    titles = {}
    for s in sessions:
        titles[s["title"]] = titles.get(s["title"], 0) + 1
    free = [s for s in sessions if s["guid"] not in recorded]
    rng.shuffle(free)
    kinds = {}
    for n, s in enumerate(free[:count]):
        letters = 1 + n % 2
        path = f"rec/export/title-only-{rng.getrandbits(40):010x}.mp4"
        duration = (s["end"] - s["start"]).total_seconds() + rng.uniform(0, 300)
        recordings.append(probe(path, duration, {"title": misspell(rng, s["title"], letters)}, []))
        truth[path] = [{"guid": s["guid"], "in": 0, "out": duration}]
        kinds[path] = f"typo-{letters}" + ("-shared" if titles[s["title"]] > 1 else "")
    return kinds


SUBJECTS_EN = ["open data", "digitalisation", "sustainability", "procurement", "innovation", "welfare technology", "AI",
               "automation", "citizen dialogue", "e-services", "information security", "accessibility", "climate transition",
               "school development", "elderly care", "urban planning", "mobility", "energy efficiency", "service design"]
FORMS_EN = ["How {place} succeeded with {subject}", "{Subject} in practice: lessons from {place}", "The future of {subject} in {place}",
            "{Subject} for everyone: experiences from {place}", "From idea to operation: {subject} in {place}"]
OWN_SV = ["Vi har arbetat med det här i ungefär tre år.", "Först lite bakgrund om hur allt började.",
          "Jag kommer att visa några exempel och sedan blir det tid för frågor.", "Det har inte alltid varit enkelt.",
          "Många har frågat oss hur vi fick med alla förvaltningar.", "Jag hoppas att ni tar med er något hem i dag."]
OWN_EN = ["We have been working on this for about three years.", "First some background on how it all started.",
          "I will show a few examples and then there will be time for questions.", "It has not always been easy.",
          "Many people have asked us how we got every department on board.", "I hope you take something home today."]
DECOYS_SV = ["Nu är det dags för lunch. Vi ses här igen klockan {hour}. Maten serveras i restaurangen på plan {floor}. Glöm inte att lämna tillbaka brickorna.",
             "Test, test, ett, två, tre. Hörs jag längst bak? Kan vi höja mikrofonen lite? Ja, nu låter det bra. Vi börjar om {minutes} minuter.",
             "Vi tar en kort paus på {minutes} minuter. Kaffe och fika finns ute i foajén. Toaletterna ligger till vänster om hissarna."]
DECOYS_EN = ["It is time for lunch. We will see you back here at {hour} o'clock. Lunch is served in the restaurant on floor {floor}.",
             "Testing, testing, one, two, three. Can you hear me at the back? Could we turn the microphone up a little? Yes, that sounds good now.",
             "We will take a short break of {minutes} minutes. Coffee is served in the foyer. The toilets are to the left of the lifts."]


def add_abstracts(rng, sessions):
    """An abstract for every session, from its own rng so that the generated weeks stay the
    same as before it: what a speaker's own words may echo."""
    for s in sessions:
        s1, s2 = rng.sample(SUBJECTS, 2)
        s["abstract"] = (f"{rng.choice(PLACES)} har arbetat med {s1} sedan {rng.randrange(2012, 2021)}. "
                         f"Vi berättar om {s2}, om vad som gick bra och vad vi skulle göra annorlunda.")


def speech_for(rng, s, language):
    """What the speaker of session `s` says first: who they are and what the talk is, in
    their own words, sometimes without the title or without the name."""
    names = " och ".join(s["persons"]) if language == "sv" else " and ".join(s["persons"])
    place = rng.choice(PLACES)
    mode = rng.random()
    if language == "sv":
        intro = rng.choice(["Välkommen allihop.", "Hej och välkommen.", "God morgon allihop.", "Tack för att ni kom."])
        name = rng.choice([f"Jag heter {names}.", f"Mitt namn är {names}.", f"Jag heter {names} och jag jobbar i {place}."])
        if len(s["persons"]) > 1:
            name = f"Vi heter {names}."
        title = rng.choice([f"I dag ska jag prata om {s['title']}.", f"Det här passet heter {s['title']}.", f"Rubriken i dag är {s['title']}."])
        about = f"Vi ska prata om {s['track']} och om {s['abstract'].split(' om ')[1].split(',')[0]}." if " om " in s["abstract"] else ""
        own = rng.sample(OWN_SV, 2)
    else:
        intro = rng.choice(["Welcome everyone.", "Hello and welcome.", "Good morning everyone.", "Thank you for coming."])
        name = rng.choice([f"My name is {names}.", f"I am {names}.", f"My name is {names} and I work in {place}."])
        title = rng.choice([f"Today I will talk about {s['title']}.", f"This session is called {s['title']}.", f"The title today is {s['title']}."])
        about = f"We will talk about {s['track']}."
        own = rng.sample(OWN_EN, 2)
    if mode < 0.8:
        parts = [intro, name, title, own[0]]
    elif mode < 0.9:
        parts = [intro, name, own[0], about, own[1]]
    else:
        parts = [intro, title, own[0], own[1]]
    return " ".join(p for p in parts if p)


def add_speaking(rng, sessions, recordings, truth, count, decoys):
    """Recordings with no metadata at all (a renamed export, no tags, no clock) that speak:
    `count` of talks nobody else recorded (a third of them in English, their sessions made
    English), and `decoys` of no talk. Returns their kinds by path and what each one says."""
    recorded = {l["guid"] for links in truth.values() for l in links}
    free = [s for s in sessions if s["guid"] not in recorded and not s["do_not_record"]]
    rng.shuffle(free)
    kinds, said = {}, {}
    for n, s in enumerate(free[:count]):
        language = "en" if n % 3 == 2 else "sv"
        if language == "en":
            subject = rng.choice(SUBJECTS_EN)
            s["title"] = rng.choice(FORMS_EN).format(place=rng.choice(PLACES), subject=subject, Subject=subject[0].upper() + subject[1:])
            s["language"] = "en"
            s["track"] = subject
            s["abstract"] = (f"{rng.choice(PLACES)} has worked with {subject} since {rng.randrange(2012, 2021)}. "
                             f"We describe {rng.choice(SUBJECTS_EN)}, what went well and what we would do differently.")
        path = f"rec/export/export_final_v{rng.getrandbits(40):010x}.mp4"
        duration = (s["end"] - s["start"]).total_seconds() + rng.uniform(0, 300)
        recordings.append(probe(path, duration, {}, []))
        truth[path] = [{"guid": s["guid"], "in": 0, "out": duration}]
        kinds[path] = f"speak-{language}"
        said[path] = (speech_for(rng, s, language), language)
    for n in range(decoys):
        language = "en" if n % 3 == 2 else "sv"
        form = rng.choice(DECOYS_EN if language == "en" else DECOYS_SV)
        text = form.format(hour=rng.choice([1, 13]) if language == "sv" else "one", floor=rng.randrange(1, 5), minutes=rng.choice([5, 10, 15]))
        path = f"rec/export/export_final_v{rng.getrandbits(40):010x}.mp4"
        duration = rng.uniform(5, 40) * 60
        recordings.append(probe(path, duration, {}, []))
        truth[path] = []
        kinds[path] = "decoy-speech"
        said[path] = (text, language)
    return kinds, said


def hear(said, exact, prompts=None, languages=None):
    """What the speech engine hears of each text: {path: [{start, end, text}]}, and the language
    each was heard in. With `exact`, the text itself (a perfect ear). With `prompts` ({path:
    prompt}), only those texts, heard again as the listening step does: with the prompt, in the
    language of the first hearing (`languages`)."""
    if exact:
        return {path: [{"start": 0.5, "end": 30.0, "text": text}] for path, (text, _) in said.items()}, {}
    root = Path(__file__).resolve().parent.parent
    cache = root / ".build" / "linkeval-heard"
    chosen = {path: said[path] for path in (prompts or said)}
    items = {}
    for path, (text, voice) in chosen.items():
        item = {"text": text, "voice": voice}
        if prompts:
            item.update(prompt=prompts[path], language=languages[path])
        item["key"] = hashlib.sha1("|".join([voice, text] + ([item["prompt"], item["language"]] if prompts else [])).encode()).hexdigest()[:20]
        items[path] = item
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(list(items.values()), handle, ensure_ascii=False)
    python = root / ".venv-speech" / "bin" / "python"
    run = subprocess.run([str(python), str(root / "scripts" / "speech" / "hear.py"), "--input", handle.name, "--cache", str(cache)])
    os.unlink(handle.name)
    if run.returncode != 0:
        sys.exit("hear.py failed (is the speech engine installed? make speech)")
    heard = {path: json.loads((cache / f"{items[path]['key']}.json").read_text()) for path in chosen}
    return {path: h["segments"] for path, h in heard.items()}, {path: h["language"] for path, h in heard.items()}


def make_programme(rng, count):
    per_room_day = max(1, count // (len(DAYS) * len(ROOMS)))
    sessions = []
    n = 0
    for day in DAYS:
        for room in ROOMS:
            t = dt.datetime.combine(day, dt.time(8, 0), ZONE) + dt.timedelta(minutes=rng.choice([0, 15, 30]))
            for _ in range(per_room_day):
                if n >= count:
                    break
                length = rng.choice([20, 30, 30, 45, 45, 45, 60])
                s1, s2 = rng.sample(SUBJECTS, 2)
                title = rng.choice(FORMS).format(place=rng.choice(PLACES), subject=s1, Subject=s1[0].upper() + s1[1:],
                                                 subject2=s2)
                persons = [f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(rng.choice([1, 1, 2]))]
                sessions.append({
                    "guid": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "id": 10000 + n,
                    "slug": f"gen-{10000 + n}", "title": title, "start": t, "end": t + dt.timedelta(minutes=length),
                    "room": room, "persons": persons, "track": s1, "do_not_record": rng.random() < 0.02,
                })
                n += 1
                t += dt.timedelta(minutes=length + rng.choice([0, 5, 10, 15, 15, 30]))
    return sessions


def c3voc(sessions):
    days = []
    for index, day in enumerate(DAYS, start=1):
        rooms = {}
        for s in sessions:
            if s["start"].date() != day:
                continue
            minutes = int((s["end"] - s["start"]).total_seconds() // 60)
            rooms.setdefault(s["room"], []).append({
                "guid": s["guid"], "id": s["id"], "date": iso(s["start"]), "start": s["start"].strftime("%H:%M"),
                "duration": f"{minutes // 60:02d}:{minutes % 60:02d}", "room": s["room"], "slug": s["slug"],
                "title": s["title"], "subtitle": "", "track": s["track"], "type": "lecture", "language": s.get("language", "sv"),
                "abstract": s.get("abstract", ""), "description": "", "persons": [{"name": p} for p in s["persons"]], "links": [],
                "do_not_record": s["do_not_record"],
            })
        days.append({"index": index, "date": day.isoformat(), "day_start": f"{day}T06:00:00+02:00",
                     "day_end": f"{day + dt.timedelta(days=1)}T03:00:00+02:00", "rooms": rooms})
    return {"schedule": {"version": "gen", "conference": {
        "acronym": "gen", "title": "Generated week", "start": DAYS[0].isoformat(), "end": DAYS[-1].isoformat(),
        "daysCount": len(DAYS), "timeslot_duration": "00:15", "time_zone_name": "Europe/Stockholm", "days": days}}}


def room_folder(rng, room):
    variants = [room.lower().replace(" ", "-"), room.upper().replace(" ", "_"), room, room.lower().replace(" ", "")]
    return rng.choice(variants)


def probe(path, duration, tags=None, chapters=None):
    return {"path": path, "size_bytes": int(duration * 3000), "container": "mov,mp4,m4a,3gp,3g2,mj2",
            "duration_seconds": round(duration, 3), "duration_source": "container", "start_seconds": 0.0,
            "bit_rate": 24000, "tags": tags or {}, "streams": [],
            "chapters": [{"index": i, "start_seconds": a, "end_seconds": b, "title": t} for i, (a, b, t) in enumerate(chapters or [])],
            "error": None}


def recording_signals(rng, start, duration, room, number, title=None, guid=None):
    """Tags and path for a recording that began at `start`, with the usual clues and noise."""
    tags = {}
    folder = room_folder(rng, room) + "/" if room and rng.random() < 0.95 else ""
    clock = rng.random()
    name = f"video_{number:04d}.mp4"
    modified = None
    if clock < 0.60:
        if rng.random() < 0.05:
            # A camera that writes local time as if it were UTC.
            tags["creation_time"] = start.replace(tzinfo=dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000000Z")
        else:
            tags["creation_time"] = utc(start)
    elif clock < 0.95:
        style = rng.random()
        local = start.astimezone(ZONE)
        if style < 0.5:
            name = local.strftime("%Y-%m-%d %H-%M-%S") + ".mkv"
        elif style < 0.8:
            name = local.strftime("%Y-%m-%d_%H%M") + f"_{number:04d}.mp4"
        else:
            name = local.strftime("%Y%m%dT%H%M%S") + ".mp4"
    else:
        # Renamed and without tags: only the file's modification time is left, and a copy
        # that did not keep it (30%) leaves not even that.
        modified = start + dt.timedelta(seconds=duration + rng.uniform(0, 5)) if rng.random() < 0.7 else dt.datetime(2021, 11, 2, 9, 0, tzinfo=ZONE)
    if title and rng.random() < 0.4:
        tags["title"] = typo(rng, title) if rng.random() < 0.3 else title
    if guid and rng.random() < 0.1:
        tags["comment"] = f"talk {guid}"
    return tags, f"rec/{folder}{name}", modified


def make_recordings(rng, sessions, count):
    recordings, truth, mtimes = [], {}, {}
    by_room = {}
    for s in sessions:
        by_room.setdefault((s["room"], s["start"].date()), []).append(s)
    pool = list(sessions)
    rng.shuffle(pool)
    number = 0

    def add(path, duration, tags, chapters, links, modified=None):
        nonlocal number
        while any(r["path"] == path for r in recordings[-50:]):
            path = path.replace(".m", f"-{number}.m", 1)
        recordings.append(probe(path, duration, tags, chapters))
        if modified:
            mtimes[path] = modified.timestamp()
        truth[path] = links
        number += 1

    while len(recordings) < count and pool:
        roll = rng.random()
        s = pool.pop()
        drift = dt.timedelta(seconds=rng.gauss(0, 90))
        if roll < 0.05:
            # A room's stream over several consecutive talks, with chapters at the changeovers.
            row = sorted(by_room[(s["room"], s["start"].date())], key=lambda x: x["start"])
            i = row.index(s)
            # Only talks not recorded otherwise, so that the truth has one recording per talk.
            group = [s]
            for g in row[i + 1:i + rng.choice([2, 3, 4])]:
                if g not in pool:
                    break
                pool.remove(g)
                group.append(g)
            begin = group[0]["start"] - dt.timedelta(minutes=rng.uniform(1, 6))
            end = group[-1]["end"] + dt.timedelta(minutes=rng.uniform(0, 6))
            duration = (end - begin).total_seconds()
            chapters, links = [], []
            for g in group:
                a = (g["start"] - begin).total_seconds() + rng.uniform(-20, 60)
                b = (g["end"] - begin).total_seconds() + rng.uniform(-60, 60)
                chapters.append((round(a, 3), round(min(b, duration), 3), g["title"] if rng.random() < 0.5 else f"Del {len(chapters) + 1}"))
                links.append({"guid": g["guid"], "in": (g["start"] - begin).total_seconds(), "out": (g["end"] - begin).total_seconds()})
            tags, path, modified = recording_signals(rng, begin + drift, duration, s["room"], number)
            add(path, duration, tags, chapters if rng.random() < 0.7 else [], links, modified)
        elif roll < 0.08:
            # A talk recorded in two parts after a technical problem.
            cut = s["start"] + (s["end"] - s["start"]) * rng.uniform(0.3, 0.7)
            begin = s["start"] - dt.timedelta(minutes=rng.uniform(0, 3))
            resume = cut + dt.timedelta(minutes=rng.uniform(1, 4))
            end = s["end"] + dt.timedelta(minutes=rng.uniform(0, 4))
            for a, b in [(begin, cut), (resume, end)]:
                tags, path, modified = recording_signals(rng, a + drift, (b - a).total_seconds(), s["room"], number, s["title"], s["guid"])
                add(path, (b - a).total_seconds(), tags, [], [{"guid": s["guid"], "in": max(0, (s["start"] - a).total_seconds()),
                                                               "out": min((b - a).total_seconds(), (s["end"] - a).total_seconds())}], modified)
        elif roll < 0.13:
            # A decoy: an unscheduled event (an evening mingle, a rehearsal) in a room.
            day = rng.choice(DAYS)
            begin = dt.datetime.combine(day, dt.time(rng.choice([19, 20, 21]), rng.choice([0, 15, 30])), ZONE)
            duration = rng.uniform(20, 60) * 60
            tags, path, modified = recording_signals(rng, begin, duration, rng.choice(ROOMS), number, "Mingel och nätverkande")
            add(path, duration, tags, [], [], modified)
            pool.append(s)
        elif roll < 0.15:
            # Renamed, tags stripped: nothing to go on.
            duration = (s["end"] - s["start"]).total_seconds() + rng.uniform(0, 300)
            add(f"rec/export/{rng.getrandbits(40):010x}.mp4", duration, {}, [], [{"guid": s["guid"], "in": 0, "out": duration}])
        else:
            begin = s["start"] - dt.timedelta(minutes=rng.uniform(-2, 5))
            end = s["end"] + dt.timedelta(minutes=rng.uniform(-1, 8))
            duration = (end - begin).total_seconds()
            tags, path, modified = recording_signals(rng, begin + drift, duration, s["room"], number, s["title"], s["guid"])
            add(path, duration, tags, [], [{"guid": s["guid"], "in": max(0, (s["start"] - begin).total_seconds()),
                                           "out": min(duration, (s["end"] - begin).total_seconds())}], modified)
    return recordings, truth, mtimes


def evaluate(answer, truth):
    linked_right = linked_wrong = review = unmatched = 0
    links_right = links_wrong = 0
    auto_share_base = sum(1 for links in truth.values() if links)
    auto_right = 0
    decoys_linked = 0
    io_errors = []
    for item in answer:
        expected = {l["guid"]: l for l in truth.get(item["path"], [])}
        if item["status"] == "linked":
            ok = all(l["guid"] in expected for l in item["links"])
            for l in item["links"]:
                if l["guid"] in expected:
                    links_right += 1
                    io_errors.append(abs(l["in_seconds"] - expected[l["guid"]]["in"]))
                else:
                    links_wrong += 1
            if not expected:
                decoys_linked += 1
            if ok:
                linked_right += 1
                if expected:
                    auto_right += 1
            else:
                linked_wrong += 1
        elif item["status"] == "review":
            review += 1
        else:
            unmatched += 1
    io_errors.sort()
    return {
        "recordings": len(answer), "with_a_talk": auto_share_base, "linked": linked_right + linked_wrong,
        "linked_wrong": linked_wrong, "links_right": links_right, "links_wrong": links_wrong,
        "decoys_linked": decoys_linked, "review": review, "unmatched": unmatched,
        "precision": links_right / max(1, links_right + links_wrong),
        "auto_linked_share": auto_right / max(1, auto_share_base),
        "in_error_median_s": io_errors[len(io_errors) // 2] if io_errors else None,
        "in_error_p95_s": io_errors[int(len(io_errors) * 0.95)] if io_errors else None,
    }


def by_kind(answer, truth, kinds):
    """Per kind of recording: how many, linked right, in review, linked wrong."""
    table = {}
    for item in answer:
        kind = kinds.get(item["path"])
        if not kind:
            continue
        row = table.setdefault(kind, {"count": 0, "linked_right": 0, "review": 0, "linked_wrong": 0, "unmatched": 0})
        row["count"] += 1
        expected = {l["guid"] for l in truth.get(item["path"], [])}
        if item["status"] == "linked":
            row["linked_right" if item["links"] and all(l["guid"] in expected for l in item["links"]) else "linked_wrong"] += 1
        elif item["status"] == "review":
            row["review"] += 1
        else:
            row["unmatched"] += 1
    return table


def print_kinds(table):
    for kind, row in sorted(table.items()):
        n = max(1, row["count"])
        print(f"  {kind:12} {row['count']:4d} recordings: linked right {row['linked_right'] / n:.3f}, review {row['review'] / n:.3f}, "
              f"unmatched {row['unmatched'] / n:.3f}, linked wrong {row['linked_wrong']}")


def seed_list(text):
    """`7`, `1-13` or `1,4,9` as a list of seeds."""
    seeds = []
    for part in text.split(","):
        low, _, high = part.partition("-")
        seeds.extend(range(int(low), int(high or low) + 1))
    return seeds


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--recordings", type=int, default=None)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--seeds", type=seed_list, help="several generated weeks (`1-13`): one line each, then the spread")
    parser.add_argument("--bin", default=str(Path(__file__).resolve().parent.parent / ".build/release/efterhand"))
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--keep", help="folder to keep the generated files in")
    parser.add_argument("--typo-titles", type=int, default=0,
                        help="add this many recordings whose only clue is a title tag with one or two wrong letters (issue 19)")
    parser.add_argument("--speaking", type=int, default=0,
                        help="add this many recordings with no metadata whose speaker says who they are and what the talk is (issue 19)")
    parser.add_argument("--speaking-decoys", type=int, default=0,
                        help="add this many recordings with no metadata that speak about something else (lunch, sound check)")
    parser.add_argument("--heard-text", action="store_true",
                        help="give the linker the speakers' script instead of what the speech engine heard (a perfect ear)")
    parser.add_argument("--one-hearing", action="store_true",
                        help="hear each speaking recording once, without the second hearing with the candidates' names and titles as a prompt")
    args = parser.parse_args()
    if args.seeds:
        compare(args)
        return
    figures = run_seed(args, args.seed, args.keep)
    if args.json:
        print(json.dumps(figures, indent=1))
    else:
        f = figures
        print(f"{f['sessions']} sessions, {f['recordings']} recordings ({f['with_a_talk']} of scheduled talks)")
        print(f"linked automatically: {f['linked']} recordings ({f['linked_wrong']} with a wrong link; decoys linked: {f['decoys_linked']})")
        print(f"links: {f['links_right']} right, {f['links_wrong']} wrong -> precision {f['precision']:.4f} "
              f"(target: at most 1 wrong in 200 = 0.995)")
        print(f"share of recordings of talks linked right automatically: {f['auto_linked_share']:.3f} (target 0.95)")
        print(f"review: {f['review']}, unmatched: {f['unmatched']}")
        print(f"in-point error: median {f['in_error_median_s']:.0f} s, p95 {f['in_error_p95_s']:.0f} s")
        print(f"timing: {f['link_stats']}")
        if f.get("kinds"):
            print("by kind:")
            print_kinds(f["kinds"])
            print_speaking(f)


def compare(args):
    """One line per generated week, then the spread of each figure over them."""
    rows = []
    print("seed  talks  linked  wrong  precision  share   review  unmatched  link time")
    for seed in args.seeds:
        f = run_seed(args, seed, None)
        seconds = f["link_stats"].rsplit(" in ", 1)[-1] if f["link_stats"] else "?"
        print(f"{seed:4d}  {f['with_a_talk']:5d}  {f['linked']:6d}  {f['links_wrong']:5d}  {f['precision']:9.4f}  {f['auto_linked_share']:.3f}  "
              f"{f['review']:6d}  {f['unmatched']:9d}  {seconds}")
        rows.append(f)
    shares = [f["auto_linked_share"] for f in rows]
    print(f"share linked automatically: min {min(shares):.3f}, mean {sum(shares) / len(shares):.3f}, max {max(shares):.3f}; "
          f"at least 0.95 in {sum(s >= 0.95 for s in shares)} of {len(rows)} weeks")
    print(f"precision: min {min(f['precision'] for f in rows):.4f}; wrong automatic links per week: at most {max(f['links_wrong'] for f in rows)}")
    if any(f.get("kinds") for f in rows):
        print(f"by kind, over the {len(rows)} weeks:")
        print_kinds(add_up(rows, "kinds"))
        if all("kinds_once" in f for f in rows):
            print_speaking({key: add_up(rows, key) for key in ("kinds", "kinds_once", "kinds_ear", "engine")})


def link(command, folder):
    """`efterhand link`'s JSON answer."""
    run = subprocess.run(command, capture_output=True, text=True, cwd=folder)
    if run.returncode != 0:
        sys.exit(f"efterhand link failed: {run.stderr}")
    return json.loads(run.stdout) if "--json" in command else None


def engine_floor(said, heard, again, languages, truth, sessions):
    """What the engine heard of the speaking recordings, per language of the script: word
    errors against the script, and how many speakers' whole names were heard letter for letter,
    the first time and (raw, before efterhand's check) with the prompt."""
    sys.path.insert(0, str(Path(__file__).resolve().parent / "speech"))
    import wer
    persons = {s["guid"]: s["persons"] for s in sessions}
    floor = {}
    for path, (text, voice) in said.items():
        row = floor.setdefault(voice, {"words": 0, "errors": 0, "talks": 0, "names": 0, "prompted": 0, "names_prompted": 0})
        errors, count = wer.word_errors(text, " ".join(x["text"] for x in heard[path]))
        row["words"] += count
        row["errors"] += errors
        if not truth.get(path):
            continue
        names = [" ".join(wer.words(name)) for name in persons[truth[path][0]["guid"]]]
        said_names = [name for name in names if name in " ".join(wer.words(text))]
        if not said_names:
            continue
        row["talks"] += 1
        row["names"] += any(name in " ".join(wer.words(" ".join(x["text"] for x in heard[path]))) for name in said_names)
        if path in again:
            row["prompted"] += 1
            row["names_prompted"] += any(name in " ".join(wer.words(" ".join(x["text"] for x in again[path]))) for name in said_names)
    return floor


def print_speaking(f):
    """The speaking recordings heard once, heard again with a prompt (efterhand), and by a
    perfect ear, side by side; then what the engine heard of them."""
    kinds = sorted(k for k in f["kinds"] if k.startswith("speak") or k.startswith("decoy"))
    if not kinds or "kinds_once" not in f:
        return
    print("speaking recordings, linked right (linked wrong): heard once | heard again with a prompt (efterhand) | perfect ear")
    for kind in kinds:
        cells = []
        for name in ("kinds_once", "kinds", "kinds_ear"):
            row = f[name].get(kind, {"count": 0, "linked_right": 0, "linked_wrong": 0})
            cells.append(f"{row['linked_right'] / max(1, row['count']):.3f} ({row['linked_wrong']})")
        print(f"  {kind:12} {f['kinds'][kind]['count']:4d}: " + " | ".join(cells))
    for voice, row in sorted(f.get("engine", {}).items()):
        prompted = (f"; with the prompt {row['names_prompted']} of {row['prompted']} heard again"
                    if row["prompted"] else "")
        print(f"  engine on espeak-ng {voice}: {1 - row['errors'] / max(1, row['words']):.3f} of the script's words heard right; "
              f"speaker's whole name heard in {row['names']} of {row['talks']} talks that say it{prompted}")


def add_up(rows, key):
    """A per-kind (or per-language) table summed over weeks."""
    total = {}
    for f in rows:
        for kind, row in f.get(key, {}).items():
            for name, value in row.items():
                total.setdefault(kind, {}).setdefault(name, 0)
                total[kind][name] += value
    return total


def run_seed(args, seed, keep):
    """Generates one week from `seed`, links it and scores the answer."""
    rng = random.Random(seed)
    sessions = make_programme(rng, args.sessions)
    recordings, truth, mtimes = make_recordings(rng, sessions, args.recordings or args.sessions)
    add_abstracts(random.Random(seed * 104729 + 3), sessions)
    kinds = add_title_only(random.Random(seed * 7919 + 19), sessions, recordings, truth, args.typo_titles)
    said = {}
    if args.speaking or args.speaking_decoys:
        spoken, said = add_speaking(random.Random(seed * 6151 + 7), sessions, recordings, truth, args.speaking, args.speaking_decoys)
        kinds.update(spoken)
    folder = Path(keep or tempfile.mkdtemp(prefix="efterhand-linkeval-"))
    folder.mkdir(parents=True, exist_ok=True)
    # Empty stand-ins for the files, so that the linker can read their modification times.
    for item in recordings:
        stand_in = folder / item["path"]
        stand_in.parent.mkdir(parents=True, exist_ok=True)
        stand_in.touch()
        when = mtimes.get(item["path"], dt.datetime(2021, 11, 2, 9, 0, tzinfo=ZONE).timestamp())
        os.utime(stand_in, (when, when))
    (folder / "schedule.json").write_text(json.dumps(c3voc(sessions), ensure_ascii=False, indent=1))
    (folder / "probe.json").write_text(json.dumps(recordings, ensure_ascii=False))
    (folder / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1))
    command = [str(Path(args.bin).resolve()), "link", "--schedule", str(folder / "schedule.json"), "--probe-results", str(folder / "probe.json"),
               "--json", "--stats"]
    answers = {}
    if said:
        heard, languages = hear(said, args.heard_text)
        (folder / "heard.json").write_text(json.dumps(heard, ensure_ascii=False, indent=1))
        command += ["--heard", str(folder / "heard.json")]
        if not args.heard_text:
            # In the same run: the recordings heard once, and heard by a perfect ear (the
            # speakers' script: the ceiling of the method).
            answers["once"] = link(command, folder)
            exact, _ = hear(said, True)
            (folder / "heard-exact.json").write_text(json.dumps(exact, ensure_ascii=False, indent=1))
            answers["ear"] = link(command[:-1] + [str(folder / "heard-exact.json")], folder)
        again = {}
        if not args.heard_text and not args.one_hearing:
            # The listening step's second hearing: what the linker would prompt the engine with
            # for each recording what was heard leaves in doubt, heard again with it.
            link(command + ["--heard-prompts", str(folder / "prompts.json")], folder)
            prompts = {path: prompt for path, prompt in json.loads((folder / "prompts.json").read_text()).items() if path in said}
            if prompts:
                again, _ = hear(said, False, prompts, languages)
                (folder / "heard-prompted.json").write_text(json.dumps(again, ensure_ascii=False, indent=1))
                command += ["--heard-prompted", str(folder / "heard-prompted.json")]
        if not args.heard_text:
            answers["engine"] = engine_floor(said, heard, again, languages, truth, sessions)
    run = subprocess.run(command, capture_output=True, text=True, cwd=folder)
    if run.returncode != 0:
        sys.exit(f"efterhand link failed: {run.stderr}")
    answer = json.loads(run.stdout)
    figures = evaluate(answer, truth)
    figures["kinds"] = by_kind(answer, truth, kinds)
    for name in ("once", "ear"):
        if name in answers:
            figures[f"kinds_{name}"] = by_kind(answers[name], truth, kinds)
    if "engine" in answers:
        figures["engine"] = answers["engine"]
    figures["sessions"] = len(sessions)
    figures["link_stats"] = run.stderr.strip().splitlines()[-1] if run.stderr.strip() else ""
    if not keep:
        shutil.rmtree(folder, ignore_errors=True)
    return figures


if __name__ == "__main__":
    main()
