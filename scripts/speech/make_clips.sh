#!/usr/bin/env bash
# Makes the speech-to-text test clips: 16 kHz mono s16 WAVs, as the engine adaptor expects.
#
#   scripts/speech/make_clips.sh [FOLDER]        (default: artifacts/speech-clips)
#
# - sv-after-12s.wav: Swedish espeak-ng speech starting at exactly 12.0 s, after silence.
# - en-after-5s.wav:  English espeak-ng speech starting at exactly 5.0 s, after silence.
# - silence-20s.wav:  20 s of digital silence.
# - tone-1khz-20s.wav: 20 s of a 1 kHz sine at -6 dBFS.
# - noise-20s.wav:    20 s of quiet pink noise, standing in for an empty room's hiss.
# None of the last three holds speech: any segment Whisper returns for them is invented.
#
# Also writes clips.tsv (file, language, speech start in seconds, spoken text) for measure.py.
# Installs espeak-ng and sox with apt-get when they are missing (run as root on Debian).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="${1:-$root/artifacts/speech-clips}"

sv_text="Välkommen till konferensen. I dag ska vi prata om hur man indexerar inspelade föredrag och gör dem sökbara för alla. Efter lunch visar vi hur sökningen fungerar i praktiken."
en_text="Welcome to the conference. Today we will talk about how to index recorded talks and make them searchable for everyone. After lunch we will show how the search works in practice."

missing=()
command -v espeak-ng >/dev/null || missing+=(espeak-ng)
command -v sox >/dev/null || missing+=(sox)
if (( ${#missing[@]} )); then
    echo "make_clips: installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi

mkdir -p "$out"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
format=(-r 16000 -c 1 -b 16 -e signed-integer)

# speech CLIP VOICE LEAD TEXT: TEXT spoken by VOICE, starting exactly LEAD seconds in.
speech() {
    local clip="$1" voice="$2" lead="$3" text="$4"
    espeak-ng -v "$voice" -s 150 -w "$work/raw.wav" "$text"
    # espeak-ng starts with a few milliseconds of silence; trimming it makes LEAD the true onset.
    sox "$work/raw.wav" "${format[@]}" "$work/speech.wav" silence 1 0.01 0.1% rate -v 16000
    sox -n "${format[@]}" "$work/lead.wav" trim 0 "$lead"
    sox "$work/lead.wav" "$work/speech.wav" "${format[@]}" "$out/$clip" pad 0 2
    printf '%s\t%s\t%s\t%s\n' "$clip" "${voice%%-*}" "$lead" "$text" >> "$work/clips.tsv"
}

: > "$work/clips.tsv"
speech sv-after-12s.wav sv 12.0 "$sv_text"
speech en-after-5s.wav en 5.0 "$en_text"
sox -n "${format[@]}" "$out/silence-20s.wav" trim 0 20
sox -n "${format[@]}" "$out/tone-1khz-20s.wav" synth 20 sine 1000 vol 0.5
sox -n "${format[@]}" "$out/noise-20s.wav" synth 20 pinknoise vol 0.03
for clip in silence-20s.wav tone-1khz-20s.wav noise-20s.wav; do
    printf '%s\t-\t-\t\n' "$clip" >> "$work/clips.tsv"
done
mv "$work/clips.tsv" "$out/clips.tsv"

for clip in "$out"/*.wav; do
    printf 'make_clips: %s  %s s\n' "$clip" "$(soxi -D "$clip")"
done
