#!/usr/bin/python3
"""The web pages in a real browser: headless Chromium (Debian's chromium and chromium-driver,
driven by Debian's python3-selenium) against `efterhand serve` on a fresh ingest of a copy of
Media/, on a free loopback port. Screenshots go to artifacts/; axe-core (PyPI's
axe-selenium-python, which carries it, so nothing is fetched) checks accessibility.

Run by `make browser-test`; EFTERHAND_BIN names the binary (default .build/debug/efterhand).
Prints `N passed, N failed` last and exits non-zero when something failed."""

import json
import math
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.parse
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.abspath(os.path.join(ROOT, os.environ.get("EFTERHAND_BIN", ".build/debug/efterhand")))
ARTIFACTS = os.path.join(ROOT, "artifacts")
ADMIN_TOKEN = "browser-test-token"

results = []


def check(name):
    def wrap(function):
        def run(*args):
            try:
                function(*args)
                results.append((name, None))
                print(f"PASS {name}", flush=True)
            except Exception as error:  # noqa: BLE001 - every failure is reported
                results.append((name, error))
                print(f"FAIL {name}: {error!r}", flush=True)
                traceback.print_exc()
        return run
    return wrap


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, dict(response.headers), response.read().decode("utf-8")


def wait_for(driver, condition, message, timeout=15):
    return WebDriverWait(driver, timeout).until(lambda d: condition(d), message)


def screenshot(driver, name):
    os.makedirs(ARTIFACTS, exist_ok=True)
    height = driver.execute_script("return Math.min(document.documentElement.scrollHeight, 6000)")
    size = driver.get_window_size()
    driver.set_window_size(size["width"], max(800, height))
    path = os.path.join(ARTIFACTS, name)
    driver.save_screenshot(path)
    driver.set_window_size(size["width"], size["height"])
    print(f"  screenshot {path}")


def axe_check(driver, page):
    from axe_selenium_python import Axe
    axe = Axe(driver)
    axe.inject()
    driver.set_script_timeout(120)
    # axe.run through our own callback, so that a rejected run reports its error instead of a timeout.
    report = driver.execute_async_script(
        "var done = arguments[arguments.length - 1];"
        "axe.run(document, {})"
        ".then(function (r) { done({violations: r.violations, version: axe.version}); })"
        ".catch(function (e) { done({error: String(e)}); });")
    assert "error" not in report, f"axe failed on {page}: {report.get('error')}"
    print(f"  axe-core {report.get('version')} on {page}")
    os.makedirs(ARTIFACTS, exist_ok=True)
    with open(os.path.join(ARTIFACTS, f"axe-{page}.json"), "w") as f:
        json.dump(report.get("violations", []), f, indent=1)
    bad = [v for v in report.get("violations", []) if v.get("impact") in ("serious", "critical")]
    for v in report.get("violations", []):
        print(f"  axe {page}: {v['impact']} {v['id']}: {v['help']} ({len(v['nodes'])} nodes)")
    assert not bad, f"serious/critical axe violations on {page}: " + ", ".join(v["id"] for v in bad)


def assert_fits_a_phone(driver, url, ready, shot, what):
    """Opens `url` at a phone's width (390 px), waits for the CSS selector `ready`, saves a
    screenshot, and fails when the page scrolls sideways; the window is wide again after."""
    driver.set_window_size(390, 844)
    try:
        driver.get(url)
        wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, ready), f"{what}: nothing matches {ready}")
        wide = driver.execute_script("return document.documentElement.scrollWidth > window.innerWidth + 1")
        screenshot(driver, shot)
    finally:
        driver.set_window_size(1280, 900)
    assert not wide, f"{what} scrolls sideways on a phone"


def video_time(driver):
    return driver.execute_script("return document.getElementById('video').currentTime")


def main():
    assert os.path.exists(BIN), f"no binary at {BIN}: build first"
    work = tempfile.mkdtemp(prefix="efterhand-browser-")
    server = None
    driver = None
    try:
        media = os.path.join(work, "Media")
        shutil.copytree(os.path.join(ROOT, "Media"), media)
        schedule = os.path.join(work, "schedule.json")
        shutil.move(os.path.join(media, "schedule.json"), schedule)
        for name in ("schedule.ics", "schedule.csv", "README.md"):
            if os.path.exists(os.path.join(media, name)):
                os.remove(os.path.join(media, name))
        index = os.path.join(work, "Index")
        subprocess.run([BIN, "ingest", "--media", media, "--schedule", schedule, "--index", index] + INGEST_EXTRA,
                       check=True, stdout=subprocess.DEVNULL)
        state["ingest"] = [BIN, "ingest", "--media", media, "--schedule", schedule, "--index", index] + INGEST_EXTRA
        # A speech engine of the test's own drafts inspelning-01.mp4 (talk 101): it hears the
        # same sentence 5 s into each window it is given.
        engine = os.path.join(work, "engine.sh")
        with open(engine, "w") as script:
            script.write("#!/bin/sh\nprintf '{\"segments\":[{\"start\":5,\"end\":9,\"text\":\"Vi pratar om snöröjning med drönare\"}]}' > \"$2\"\n")
        os.chmod(engine, 0o755)
        subprocess.run([BIN, "transcribe", os.path.join(media, "inspelning-01.mp4"), "--index", index, "--speech-command", engine + " {input} {output}",
                        "--model", "/models/echo"], check=True, stdout=subprocess.DEVNULL)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = dict(os.environ, EFTERHAND_ADMIN_TOKEN=ADMIN_TOKEN)
        server = subprocess.Popen([BIN, "serve", "--index", index, "--host", "127.0.0.1", "--port", str(port)],
                                  env=env, stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "serve.log"), "w"))
        wait_until_answers(base + "/healthz", "the server did not start")

        options = Options()
        options.binary_location = "/usr/bin/chromium"
        options.add_experimental_option("prefs", {"intl.accept_languages": "sv-SE,sv"})
        for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900",
                         "--lang=sv-SE", "--autoplay-policy=no-user-gesture-required", "--mute-audio"):
            options.add_argument(argument)
        driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        driver.set_page_load_timeout(30)
        run_checks(driver, base)
        # The server's answers to the golden query table, for the static search to match.
        state["api"] = {q: json.loads(get(base + "/api/search?" + urllib.parse.urlencode({"q": q, "limit": "30"}))[2]) for q in GOLDEN_QUERIES}
        # The static publish of the same index, served by nginx with no efterhand process running.
        server.terminate()
        server.wait(timeout=10)
        server = None
        nginx = published_site(work, index)
        try:
            run_static_checks(driver, nginx[0])
        finally:
            nginx[1].terminate()
            nginx[1].wait(timeout=10)
    finally:
        if driver is not None:
            driver.quit()
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
        shutil.rmtree(work, ignore_errors=True)


def published_site(work, index):
    """`efterhand publish` of INDEX into WORK/site, served by Debian's nginx with the repo's
    configuration (scripts/publish/nginx.conf) on a free port: its base URL and process."""
    site = os.path.join(work, "site")
    subprocess.run([BIN, "publish", "--index", index, "--to", site, "--check"], check=True, stdout=subprocess.DEVNULL)
    # nginx's workers run as an unprivileged user: let them read the folders and files.
    for folder, _, names in os.walk(work):
        os.chmod(folder, 0o755)
        for name in names:
            path = os.path.join(folder, name)
            if not os.path.islink(path):
                os.chmod(path, 0o644 if not os.access(path, os.X_OK) else 0o755)
    port = free_port()
    with open(os.path.join(ROOT, "scripts/publish/nginx.conf")) as template:
        config = template.read().replace("@ROOT@", site).replace("@PORT@", str(port)).replace("@WORK@", work)
    path = os.path.join(work, "nginx.conf")
    with open(path, "w") as f:
        f.write(config)
    process = subprocess.Popen(["nginx", "-c", path, "-p", work], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    wait_until_answers(base + "/feed.json", "nginx did not serve the publish")
    return base, process


def wait_until_answers(url, failure):
    """Waits up to ten seconds for URL to answer 200; RuntimeError(FAILURE) when it does not."""
    for _ in range(100):
        try:
            if get(url)[0] == 200:
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(failure)


def run_static_checks(driver, base):
    @check("static publish on nginx, no efterhand running: the watch page's JSON-LD, chapter and caption tracks load, and ?t= seeks")
    def static_watch_page():
        driver.get(base + "/sessions/iv21-105-oppna-data?t=90")
        blocks = driver.find_elements(By.CSS_SELECTOR, "script[type='application/ld+json']")
        assert blocks, "no JSON-LD"
        document = json.loads(blocks[0].get_attribute("textContent"))
        assert "VideoObject" in json.dumps(document), document
        video = wait_for(driver, lambda d: d.find_elements(By.ID, "video"), "no video")[0]
        wait_for(driver, lambda d: d.execute_script("return arguments[0].readyState >= 1", video), "the video did not load from nginx")
        # ?t= counts from the session's start: its in point in the recording (data-offset).
        target = float(video.get_attribute("data-offset")) + 90
        wait_for(driver, lambda d: abs(video_time(d) - target) < 1.5, f"?t=90 did not seek to {target} s")
        # A track loads once shown: every track's readyState becomes 2 (loaded).
        driver.execute_script("for (const t of arguments[0].textTracks) t.mode = 'hidden'", video)
        wait_for(driver, lambda d: d.execute_script(
            "return Array.from(arguments[0].querySelectorAll('track')).every(t => t.readyState === 2)", video), "a track did not load")
        cues = wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#transcript li"), "no transcript from the published JSON")
        assert cues, "no transcript"
        screenshot(driver, "static-session.png")
    static_watch_page()

    @check("static publish on nginx: searching 'öppna data' on the lookup page answers in the browser and plays from the second "
           "the server's search lands on; every query of the golden table gives the server's hits, field for field")
    def static_search():
        driver.get(base + "/")
        driver.execute_script("performance.clearResourceTimings()")
        field = driver.find_element(By.ID, "q")
        field.send_keys("öppna data")
        field.send_keys(Keys.ENTER)
        cards = wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#hits li.card"), "no hits from the static search")
        expected = state["api"]["öppna data"]["hits"]
        assert len(cards) == len(expected), (len(cards), len(expected))
        at = float(cards[0].get_attribute("data-at"))
        assert at == expected[0]["at_seconds"], (at, expected[0]["at_seconds"])
        first = driver.execute_script("return performance.getEntriesByType('resource').filter(e => e.name.includes('/search/'))"
                                      ".reduce((n, e) => n + e.transferSize, 0)")
        cards[0].find_element(By.CSS_SELECTOR, "button.play").click()
        wait_for(driver, lambda d: abs(video_time(d) - at) < 1.5, f"currentTime is not near {at}")
        driver.execute_script("document.getElementById('video').pause(); performance.clearResourceTimings()")
        field = driver.find_element(By.ID, "q")
        field.clear()
        field.send_keys("innovationsprogram")
        field.send_keys(Keys.ENTER)
        wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#hits li.card") and "innovationsprogram" in d.current_url, "no second search")
        second = driver.execute_script("return performance.getEntriesByType('resource').filter(e => e.name.includes('/search/'))"
                                       ".reduce((n, e) => n + e.transferSize, 0)")
        print(f"  bytes fetched for the search files: first query {first}, second query {second}")
        differ = []
        for query, answer in state["api"].items():
            static = driver.execute_async_script(
                "const done = arguments[1]; fetch('/search/meta.json').then(r => r.json())"
                ".then(m => window.efterhandStaticSearch.search(m, '/search/', new URLSearchParams({q: arguments[0], limit: '30'})))"
                ".then(done).catch(e => done({error: String(e)}))", query)
            hits = static.get("hits", [])
            if hits != answer["hits"]:
                where = next((i for i, (a, b) in enumerate(zip(answer["hits"], hits)) if a != b), min(len(hits), len(answer["hits"])))
                a = answer["hits"][where] if where < len(answer["hits"]) else {}
                b = hits[where] if where < len(hits) else {}
                differ.append((query, static.get("error"), f"{len(hits)} hits, the server {len(answer['hits'])}; hit {where}:",
                               {k: (a.get(k), b.get(k)) for k in set(a) | set(b) if a.get(k) != b.get(k)}))
        assert not differ, differ[:3]
        assert sum(1 for a in state["api"].values() if a["hits"]) >= 20, "the table should find something for most queries"
    static_search()


INGEST_EXTRA = []
state = {}
# scripts/golden.py's query table: the static search must answer each as /api/search does.
GOLDEN_QUERIES = [
    "öppna data", "oppna", "Görel", "gorel", "innov", "innovationsprogram", "hållbarhet", "trafik", "\"bygga tjänster\"",
    "Gunilla Gudmunds", "Julia Olander", "robot", "sommarjobbare", "Johanneberg", "green city", "electricity", "yesbox",
    "digitalisering", "automatisering", "stadsutveckling", "innovationsmotor", "vad tar vi med oss", "open data", "hoppet",
    "välkommen", "tack", "xyzzy", "ö", "a*", "\"\"", "NEAR(a b)", "data OR robot",
]


def run_checks(driver, base):
    @check("/ is Swedish by default and English for Accept-Language: en")
    def languages():
        _, headers, sv = get(base + "/")
        assert '<html lang="sv">' in sv and "Sökord" in sv, "no Swedish page"
        assert headers.get("Content-Type", "").startswith("text/html"), headers
        _, _, en = get(base + "/", {"Accept-Language": "en-GB,en;q=0.9,sv;q=0.5"})
        assert '<html lang="en">' in en and "Search words" in en, "no English page"
        _, headers, _ = get(base + "/assets/app.js")
        assert headers["Content-Type"].startswith("text/javascript"), headers
    languages()

    @check("search 'öppna data', click the first hit: the video is at the segment's start and its chapter is highlighted")
    def search_and_play():
        driver.get(base + "/")
        box = driver.find_element(By.ID, "q")
        box.send_keys("öppna data")
        box.send_keys(Keys.ENTER)
        wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#hits li.card"), "no hits")
        first = driver.find_element(By.CSS_SELECTOR, "#hits li.card")
        start = float(first.get_attribute("data-start"))
        # Where the words are said (a sidecar cue inside the segment), which playing lands on.
        at = float(first.get_attribute("data-at"))
        assert start <= at, f"lands at {at}, before its segment's start {start}"
        title = first.find_element(By.CSS_SELECTOR, "button.play").text
        state["watch_url"] = first.find_element(By.CSS_SELECTOR, "p.meta a").get_attribute("href")
        state["session_title"] = first.find_element(By.CSS_SELECTOR, "p.meta a").text
        first.find_element(By.CSS_SELECTOR, "button.play").click()
        wait_for(driver, lambda d: d.execute_script("var v=document.getElementById('video'); return v.readyState >= 1 && !v.seeking"),
                 "the video did not load")
        wait_for(driver, lambda d: abs(video_time(d) - at) < 1.5, f"currentTime is not near {at}")
        driver.execute_script("document.getElementById('video').pause()")
        position = video_time(driver)
        assert abs(position - at) < 1.5, f"currentTime {position}, the words are said at {at}"
        highlighted = wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#chapters [aria-current='true']"), "no chapter highlighted")
        li = highlighted[0].find_element(By.XPATH, "..")
        assert abs(float(li.get_attribute("data-start")) - start) < 0.01, f"chapter at {li.get_attribute('data-start')}, hit at {start}"
        assert title in highlighted[0].text, f"highlighted chapter {highlighted[0].text!r} is not {title!r}"
        state["start"] = at
    search_and_play()

    @check("seeking to another chapter moves the highlight (aria-current)")
    def chapter_follows():
        buttons = driver.find_elements(By.CSS_SELECTOR, "#chapters button")
        assert len(buttons) >= 2, "fewer than two chapters"
        target = buttons[-1]
        target.click()
        wait_for(driver, lambda d: target.get_attribute("aria-current") == "true", "the last chapter is not highlighted")
        driver.execute_script("document.getElementById('video').pause()")
    chapter_follows()

    @check("watch later: save the moment, reload, find it there, remove it")
    def watch_later():
        assert "start" in state, "no hit played"
        driver.find_elements(By.CSS_SELECTOR, "#hits li.card button.play")[0].click()
        wait_for(driver, lambda d: abs(video_time(d) - state["start"]) < 1.5, "not back at the hit")
        driver.execute_script("document.getElementById('video').pause()")
        driver.find_element(By.ID, "save").click()
        driver.refresh()
        items = wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#later li"), "nothing in watch later after reload")
        assert state["session_title"] in items[0].text, f"{items[0].text!r} lacks {state['session_title']!r}"
        link = items[0].find_element(By.TAG_NAME, "a").get_attribute("href")
        assert "?t=" in link, link
        # The search survives the reload too (it is in the address), for the screenshot.
        wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#hits li.card"), "no hits after reload")
        screenshot(driver, "home.png")
        items[0].find_element(By.CSS_SELECTOR, "button.remove").click()
        driver.refresh()
        wait_for(driver, lambda d: d.find_element(By.ID, "later-empty").is_displayed(), "the removed item came back")
        assert not driver.find_elements(By.CSS_SELECTOR, "#later li")
        # Save it again so the list is shown in the accessibility check.
        driver.find_elements(By.CSS_SELECTOR, "#hits li.card button.play")[0].click()
        wait_for(driver, lambda d: not d.find_element(By.ID, "player").get_attribute("hidden"), "no player")
        driver.find_element(By.ID, "save").click()
    watch_later()

    @check("axe-core on /: no serious or critical violations")
    def axe_home():
        axe_check(driver, "home")
    axe_home()

    @check("session page with ?t=: the video starts there; JSON-LD lists every segment; tracks, Open Graph, feed link")
    def session_page():
        assert "watch_url" in state, "no session link from the search"
        path = urllib.parse.urlparse(state["watch_url"]).path
        slug = path.rsplit("/", 1)[-1]
        _, _, api = get(base + "/api/sessions/" + slug)
        session = json.loads(api)
        driver.get(base + path)
        ld = json.loads(driver.find_element(By.CSS_SELECTOR, "script[type='application/ld+json']").get_attribute("textContent"))
        assert ld["@type"] == "VideoObject" and ld["name"] == session.get("title", ld["name"]), ld
        for key in ("name", "description", "thumbnailUrl", "uploadDate", "duration", "contentUrl"):
            assert ld.get(key), f"JSON-LD lacks {key}"
        clips = ld["hasPart"]
        chapters = driver.find_elements(By.CSS_SELECTOR, "#chapters li")
        assert len(clips) == len(chapters) and len(clips) >= 2, f"{len(clips)} clips, {len(chapters)} chapters"
        segments = session.get("segments")
        if segments is not None:
            assert [c["name"] for c in clips] == [s.get("title") for s in segments], (clips, segments)
        for clip in clips:
            assert clip["@type"] == "Clip" and "?t=" in clip["url"] and clip["endOffset"] >= clip["startOffset"], clip
        t = clips[1]["startOffset"] + 1
        driver.get(base + path + f"?t={t}")
        offset = float(driver.find_element(By.ID, "video").get_attribute("data-offset"))
        wait_for(driver, lambda d: d.execute_script("return document.getElementById('video').readyState") >= 1, "no metadata")
        wait_for(driver, lambda d: abs(video_time(d) - (offset + t)) < 0.5, f"the video is not at {offset + t}")
        current = wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#chapters [aria-current='true']"), "no chapter highlighted")
        assert clips[1]["name"] in current[0].text, current[0].text
        head = driver.page_source
        for needle in ('property="og:title"', 'property="og:video"', 'property="og:image"', 'type="application/feed+json"',
                       'kind="chapters"'):
            assert needle in head, f"no {needle}"
        state["session_path"] = path
        screenshot(driver, "session.png")
    session_page()

    @check("transcript panel: clicking a cue seeks (oppna-data has captions)")
    def transcript():
        driver.get(base + "/sessions/iv21-105-oppna-data")
        assert driver.find_elements(By.CSS_SELECTOR, "video track[kind='captions']"), "no captions track"
        cues = wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#transcript li"), "no transcript cues")
        cue = cues[min(2, len(cues) - 1)]
        target = float(cue.get_attribute("data-start"))
        cue.find_element(By.TAG_NAME, "button").click()
        wait_for(driver, lambda d: abs(video_time(d) - target) < 1.5, f"the cue did not seek to {target}")
        driver.execute_script("document.getElementById('video').pause()")
    transcript()

    @check("a machine draft says so on the watch page (a note, its cues in italics, the track labelled) and search plays it from its second")
    def machine_draft():
        driver.get(base + "/sessions/iv21-101-digitala-gorel")
        note = driver.find_element(By.ID, "machine-note")
        assert "Automatiskt textad, ej granskad" in note.text and note.is_displayed(), note.text
        labels = [t.get_attribute("label") for t in driver.find_elements(By.CSS_SELECTOR, "video track[kind='captions']")]
        assert "Svenska (automatisk)" in labels, labels
        items = wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#transcript li.machine"), "no machine cue in the transcript")
        style = driver.execute_script("return getComputedStyle(arguments[0]).fontStyle", items[0].find_element(By.TAG_NAME, "button"))
        assert style == "italic", style
        screenshot(driver, "session-machine-draft.png")
        driver.get(base + "/sessions/iv21-105-oppna-data")
        assert not driver.find_elements(By.ID, "machine-note"), "a sidecar's text is called machine-made"
        driver.get(base + "/?q=" + urllib.parse.quote("drönare"))
        card = wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#hits li.card"), "no hit for the machine draft")[0]
        at = float(card.get_attribute("data-at"))
        assert abs(at - 5) < 0.5, f"the hit lands at {at}, the engine heard the words at 5 s"
        card.find_element(By.CSS_SELECTOR, "button.play").click()
        wait_for(driver, lambda d: abs(video_time(d) - at) < 1.5, f"currentTime is not near {at}")
        driver.execute_script("document.getElementById('video').pause()")
    machine_draft()

    @check("axe-core on the session page: no serious or critical violations")
    def axe_session():
        driver.get(base + state.get("session_path", "/sessions/iv21-105-oppna-data"))
        axe_check(driver, "session")
    axe_session()

    @check("/overview: days × rooms with states and counts; details only with the admin token")
    def overview():
        driver.get(base + "/overview")
        assert driver.find_elements(By.CSS_SELECTOR, "table.grid th[scope='row']"), "no day rows"
        counts = driver.find_element(By.ID, "counts").text
        assert "Publicerad" in counts, counts
        assert not driver.find_elements(By.CSS_SELECTOR, "details"), "details without the token"
        screenshot(driver, "overview.png")
        _, _, public = get(base + "/overview")
        _, _, staff = get(base + "/overview", {"Authorization": "Bearer " + ADMIN_TOKEN})
        assert "(titel dold)" in public and "(titel dold)" not in staff, "the opted-out title is not hidden/shown as it should be"
    overview()

    @check("axe-core on /overview: no serious or critical violations")
    def axe_overview():
        axe_check(driver, "overview")
    axe_overview()

    @check("the lookup page is readable on a phone (no horizontal scrolling)")
    def phone():
        assert_fits_a_phone(driver, base + "/?q=" + urllib.parse.quote("öppna data"), "#hits li.card", "home-phone.png", "the lookup page")
    phone()

    @check("a snippet with '&' and '<b>' in the transcript's text (escaped in the WebVTT) shows them as text, and marks the match")
    def snippet_text():
        _, _, found = get(base + "/api/search?q=" + urllib.parse.quote("sommarjobbare"))
        hit = json.loads(found)["hits"][0]
        cue = "WEBVTT\n\n00:00:01.000 --> 00:00:09.000\nForskning &amp; utveckling: &lt;b&gt;blomsterängar&lt;/b&gt; och &lt;script&gt;x()&lt;/script&gt;\n"
        start = hit["start_seconds"]
        clock = "%02d:%02d:%06.3f" % (int(start // 3600), int(start % 3600 // 60), start % 60 + 1)
        cue = cue.replace("00:00:01.000", clock).replace("00:00:09.000", "%02d:%02d:%06.3f" % (int(start // 3600), int(start % 3600 // 60), start % 60 + 9))
        request = urllib.request.Request(f"{base}/api/recordings/{hit['recording_id']}/transcript", data=cue.encode("utf-8"), method="PUT",
                                         headers={"Authorization": "Bearer " + ADMIN_TOKEN, "Content-Type": "text/vtt"})
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200, response.status
        for _ in range(50):
            if json.loads(get(base + "/api/search?q=" + urllib.parse.quote("blomsterängar"))[2])["hits"]:
                break
            time.sleep(0.1)
        driver.get(base + "/?q=" + urllib.parse.quote("blomsterängar"))
        cards = wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#hits li.card p.snippet"), "no hit for the uploaded cue")
        text = cards[0].text
        assert "Forskning & utveckling" in text and "<b>blomsterängar</b>" in text and "<script>" in text, f"snippet shows {text!r}"
        assert "&amp;" not in text and "&lt;" not in text, f"escapes shown literally: {text!r}"
        marks = cards[0].find_elements(By.CSS_SELECTOR, "mark")
        assert [m.text for m in marks] == ["blomsterängar"], [m.text for m in marks]
        assert not cards[0].find_elements(By.CSS_SELECTOR, "b, script"), "transcript text became elements"
    snippet_text()

    @check("staff: /staff/review without a session shows the sign-in page; a token opens the review queue; axe-core finds nothing serious on either")
    def staff_sign_in():
        driver.delete_all_cookies()
        driver.get(base + "/staff/review")
        wait_for(driver, lambda d: d.find_elements(By.ID, "token"), "not sent to the sign-in page")
        assert driver.current_url.endswith("/staff/sign-in"), driver.current_url
        screenshot(driver, "staff-sign-in.png")
        axe_check(driver, "staff-sign-in")
        field = driver.find_element(By.ID, "token")
        field.send_keys(ADMIN_TOKEN)
        field.send_keys(Keys.ENTER)
        wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "section.review"), "no review queue after signing in")
        assert "MVI_0042.MP4" in driver.page_source, "the unmatched recording is not in the queue"
        screenshot(driver, "staff-review.png")
        axe_check(driver, "staff-review")
    staff_sign_in()

    @check("staff: the publishing page lists the sessions, the opted-out one's button off with the reason; axe-core finds nothing serious; no sideways scrolling on a phone")
    def staff_sessions():
        driver.get(base + "/staff/sessions")
        rows = wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "table.sessions tbody tr"), "no sessions")
        assert len(rows) >= 10, len(rows)
        off = driver.find_elements(By.CSS_SELECTOR, "button[disabled][aria-describedby]")
        assert off and "do-not-record" in driver.find_element(By.ID, off[0].get_attribute("aria-describedby")).text, "no reason for the disabled button"
        screenshot(driver, "staff-sessions.png")
        axe_check(driver, "staff-sessions")
        assert_fits_a_phone(driver, base + "/staff/sessions", "table.sessions", "staff-sessions-phone.png", "the publishing page")
    staff_sessions()

    @check("staff: the review queue is readable on a phone (no horizontal scrolling)")
    def staff_phone():
        assert_fits_a_phone(driver, base + "/staff/review", "section.review", "staff-review-phone.png", "the review queue")
    staff_phone()

    @check("staff, keyboard only: link the unmatched recording to the closing talk from the queue, in and out set while watching; "
           "the feed has it from those seconds, and a re-ingest keeps it")
    def staff_keyboard():
        driver.get(base + "/staff/review")
        wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "section.review"), "no review queue")
        video = driver.find_element(By.CSS_SELECTOR, "section.review video")
        wait_for(driver, lambda d: d.execute_script("return arguments[0].readyState >= 1", video), "the video's metadata did not load")

        def seek(seconds):
            # Where a person scrubbed the player to.
            driver.execute_script("arguments[0].pause(); arguments[0].currentTime = arguments[1]", video, seconds)
            wait_for(driver, lambda d: abs(d.execute_script("return arguments[0].currentTime", video) - seconds) < 0.05, "the video did not seek")

        def tab_to(matches, what):
            for _ in range(80):
                active = driver.switch_to.active_element
                if matches(active):
                    return active
                active.send_keys(Keys.TAB)
            raise AssertionError(f"Tab never reached {what}")

        driver.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
        field = tab_to(lambda e: e.get_attribute("list") == "sessions", "the field for another session")
        field.send_keys("iv21-111-vad-tar-vi-med-oss")
        form = field.find_element(By.XPATH, "ancestor::form")
        seek(12)
        tab_to(lambda e: e.get_attribute("data-set") == "in", "'Sätt in här'").send_keys(Keys.ENTER)
        seek(25)
        tab_to(lambda e: e.get_attribute("data-set") == "out", "'Sätt ut här'").send_keys(Keys.ENTER)
        tab_to(lambda e: e.get_attribute("data-nudge") == "out" and e.get_attribute("data-by") == "1", "'+1' of the out point").send_keys(Keys.ENTER)
        values = (form.find_element(By.NAME, "in").get_attribute("value"), form.find_element(By.NAME, "out").get_attribute("value"))
        assert values == ("12", "26"), f"in and out are {values}"
        tab_to(lambda e: e.get_attribute("type") == "submit" and e.get_attribute("value") == "accept", "'Koppla'").send_keys(Keys.ENTER)
        wait_for(driver, lambda d: "done=" in d.current_url, "no answer to the decision")
        assert "Sparat" in driver.page_source, "no notice of the decision"
        queued = [h.text for h in driver.find_elements(By.CSS_SELECTOR, "section.review h2")]
        assert not any("MVI_0042.MP4" in title for title in queued), f"the linked recording is still in the queue: {queued}"

        def closing_talk():
            feed = json.loads(get(base + "/feed.json")[2])
            return next((item for item in feed["items"] if item["id"].endswith("000000000111")), None)
        item = closing_talk()
        assert item is not None, "the closing talk is not in the feed"
        assert item["attachments"][0]["url"].endswith("#t=12,26"), item["attachments"]
        subprocess.run(state["ingest"], check=True, stdout=subprocess.DEVNULL)
        for _ in range(50):
            item = closing_talk()
            if item is not None:
                break
            time.sleep(0.1)
        assert item is not None and item["attachments"][0]["url"].endswith("#t=12,26"), "the decision did not survive a re-ingest"
    staff_keyboard()

    @check("staff: the closing talk's history shows the decision with who made it; axe-core finds nothing serious")
    def staff_history():
        driver.get(base + "/staff/sessions/iv21-111-vad-tar-vi-med-oss/history")
        rows = wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "table.sessions tbody tr"), "no history")
        assert "staff:admin" in rows[0].text and "accept" in rows[0].text, rows[0].text
        screenshot(driver, "staff-history.png")
        axe_check(driver, "staff-history")
    staff_history()

    def editor_video():
        """The session editor's video, once its metadata is loaded."""
        video = wait_for(driver, lambda d: d.find_elements(By.ID, "video"), "no video on the editor")[0]
        wait_for(driver, lambda d: d.execute_script("return arguments[0].readyState >= 1", video), "the video's metadata did not load")
        return video

    @check("staff: on a session's editor, move a chapter's start to where the video is, rename it, and save; the public chapters have it")
    def staff_chapters():
        driver.get(base + "/staff/sessions")
        driver.find_element(By.CSS_SELECTOR, "#session-7f3c2a10-0000-4000-8000-000000000105 a[href$='/edit']").click()
        video = editor_video()
        state["oppna_id"] = video.get_attribute("src").split("/staff/media/")[1].split("#")[0]
        driver.execute_script("arguments[0].pause(); arguments[0].currentTime = 330", video)
        wait_for(driver, lambda d: abs(video_time(d) - 330) < 0.05, "the video did not seek")
        form = driver.find_element(By.CSS_SELECTOR, "form.chapter-form")
        form.find_element(By.CSS_SELECTOR, "button[data-set='start-1']").click()
        assert form.find_element(By.NAME, "start-1").get_attribute("value") == "0:05:30", form.find_element(By.NAME, "start-1").get_attribute("value")
        title = form.find_element(By.NAME, "title-1")
        title.clear()
        title.send_keys("Vad är öppna data?")
        screenshot(driver, "staff-edit-chapters.png")
        form.find_element(By.CSS_SELECTOR, "button[value='save']").click()
        wait_for(driver, lambda d: "done=" in d.current_url, "no answer to saving the chapters")
        assert "Sparat" in driver.page_source and "satta för hand" in driver.page_source, "no notice, or the chapters are not called manual"
        chapters = get(base + f"/api/recordings/{state['oppna_id']}/chapters.vtt")[2]
        assert "00:05:30.000 --> " in chapters and "Vad är öppna data?" in chapters, chapters
    staff_chapters()

    @check("staff: the line being said is highlighted while the video plays; correct it, press Klar; the public watch page shows it")
    def staff_correct():
        driver.get(base + "/staff/sessions/iv21-105-oppna-data/edit?at=0#text")
        video = editor_video()
        rows = driver.find_elements(By.CSS_SELECTOR, "form.cues tr.cue")
        assert rows and rows[0].get_attribute("data-start") == "30", [r.get_attribute("data-start") for r in rows]
        driver.execute_script("arguments[0].currentTime = 31", video)
        wait_for(driver, lambda d: "current" in rows[0].get_attribute("class"), "the line said at 0:31 is not highlighted")
        assert rows[0].get_attribute("aria-current") == "true"
        text = rows[0].find_element(By.TAG_NAME, "textarea")
        text.clear()
        text.send_keys("Välkommen till Innovationsveckan, hos Göteborgs Stad.")
        screenshot(driver, "staff-edit-text.png")
        driver.find_element(By.CSS_SELECTOR, "form.cues button[value='verify']").click()
        wait_for(driver, lambda d: "done=" in d.current_url, "no answer to Klar")
        assert driver.find_elements(By.XPATH, "//form[@class='cues']//strong[text()='kontrollerat']"), "the stretch is not shown as checked"
        # This browser fetched the transcript's JSON earlier, and the API lets browsers keep it
        # for --max-age seconds: the watch page names it with the recording's track revision, so
        # the corrected lines come at once (with the browser's cache on).
        driver.get(base + "/sessions/iv21-105-oppna-data")
        lines = [li.text for li in wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#transcript li"), "no transcript on the watch page")]
        assert any("hos Göteborgs Stad" in line for line in lines), lines[:3]
    staff_correct()

    @check("staff: after a re-ingest the chapter and the corrected line are still there, on the editor and on the public side")
    def staff_edits_survive():
        subprocess.run(state["ingest"], check=True, stdout=subprocess.DEVNULL)
        for _ in range(50):
            chapters = get(base + f"/api/recordings/{state['oppna_id']}/chapters.vtt")[2]
            if "Vad är öppna data?" in chapters:
                break
            time.sleep(0.1)
        assert "00:05:30.000 --> " in chapters and "Vad är öppna data?" in chapters, chapters
        assert "hos Göteborgs Stad" in get(base + f"/api/recordings/{state['oppna_id']}/transcript.vtt?language=sv")[2]
        driver.get(base + "/sessions/iv21-105-oppna-data")
        assert "Vad är öppna data?" in driver.page_source, "the renamed chapter is not on the watch page"
    staff_edits_survive()

    @check("staff: axe-core finds nothing serious on the editor and the caption report; the caption report links to the next segment to check; "
           "the editor fits a phone")
    def staff_edit_pages():
        driver.get(base + "/staff/sessions/iv21-105-oppna-data/edit")
        wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "form.cues"), "no editor")
        axe_check(driver, "staff-edit")
        driver.get(base + "/staff/captions")
        link = wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "a[href*='7f3c2a10-0000-4000-8000-000000000105/edit']"), "no link to the session")[0]
        assert "at=330" in link.get_attribute("href"), link.get_attribute("href")
        screenshot(driver, "staff-captions.png")
        axe_check(driver, "staff-captions")
        assert_fits_a_phone(driver, base + "/staff/sessions/iv21-105-oppna-data/edit", "form.cues", "staff-edit-phone.png", "the editor")
    staff_edit_pages()

    @check("staff: fix a linked talk's in point on its editor while watching; the feed plays it from there")
    def staff_fix_in_point():
        driver.get(base + "/staff/sessions/iv21-105-oppna-data/edit")
        video = editor_video()
        driver.execute_script("arguments[0].pause(); arguments[0].currentTime = 7", video)
        wait_for(driver, lambda d: abs(video_time(d) - 7) < 0.05, "the video did not seek")
        form = driver.find_element(By.CSS_SELECTOR, "form.decide")
        form.find_element(By.CSS_SELECTOR, "button[data-set='in']").click()
        form.find_element(By.CSS_SELECTOR, "button[data-nudge='in'][data-by='-1']").click()
        assert form.find_element(By.NAME, "in").get_attribute("value") == "6", form.find_element(By.NAME, "in").get_attribute("value")
        form.find_element(By.CSS_SELECTOR, "button[value='accept']").click()
        wait_for(driver, lambda d: "/edit?" in d.current_url and "done=" in d.current_url, "not back on the editor after saving in and out")
        assert driver.find_element(By.NAME, "start-0").get_attribute("value") == "0:00:06", "the first chapter does not start at the new in point"
        feed = json.loads(get(base + "/feed.json")[2])
        item = next(item for item in feed["items"] if item["id"].endswith("000000000105"))
        assert "#t=6," in item["attachments"][0]["url"], item["attachments"]
    staff_fix_in_point()


if __name__ == "__main__":
    try:
        main()
    except Exception as error:  # noqa: BLE001
        traceback.print_exc()
        results.append(("setup", error))
    failed = sum(1 for _, error in results if error is not None)
    print(f"{len(results) - failed} passed, {failed} failed")
    sys.exit(1 if failed or not results else 0)
