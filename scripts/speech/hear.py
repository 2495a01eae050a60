#!/usr/bin/env python3
"""Speaks texts with espeak-ng and transcribes them with the project's speech engine, as the
listening step would hear a recording's first minutes: for linkeval's speaking recordings.

    .venv-speech/bin/python scripts/speech/hear.py --input items.json --cache DIR [--model DIR]

`items.json` is a list of {"key", "text", "voice"} (voice: an espeak-ng voice, `sv` or `en`),
each with an optional "prompt" and "language" for the second hearing.
For each item not yet in DIR, writes DIR/KEY.json: {"language", "segments": [{"start", "end",
"text"}]}. The language is chosen as the listening step chooses it for a recording with no
clue (`Listener`): transcribed in each of the programme's languages (--languages), the one the
engine is surest of (the highest mean avg_logprob) kept. An item with a prompt is heard as the
listening step hears a recording again: in the language given, with the prompt. Whisper's own detection is not used:
on espeak-ng's Swedish it answers Latin, Thai or English.
The model is loaded once; a cached item is not spoken again.
"""
import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import speech_engine  # noqa: E402


def sureness(transcript):
    """The mean avg_logprob over the segments, by their length (as the Swift side weighs it)."""
    total = sum(max(0.01, s["end"] - s["start"]) for s in transcript.segments)
    if not total:
        return -99.0
    return sum(s["avg_logprob"] * max(0.01, s["end"] - s["start"]) for s in transcript.segments) / total


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--input", required=True)
    parser.add_argument("--cache", required=True)
    parser.add_argument("--model", default=str(speech_engine.DEFAULT_MODEL_DIR))
    parser.add_argument("--languages", default="sv,en", help="the programme's languages, most common first")
    args = parser.parse_args()
    items = json.loads(Path(args.input).read_text())
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    todo = [item for item in items if not (cache / f"{item['key']}.json").exists()]
    if not todo:
        return
    model = speech_engine.load_model(args.model)
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as work:
        wav = Path(work) / "speech.wav"
        for n, item in enumerate(todo, 1):
            subprocess.run(["espeak-ng", "-v", item["voice"], "-s", "150", "-w", str(wav), item["text"]], check=True)
            languages = [item["language"]] if item.get("language") else args.languages.split(",")
            heard = [speech_engine.transcribe(model, str(wav), language, name=item["key"], prompt=item.get("prompt"))
                     for language in languages]
            transcript = max(heard, key=sureness)
            rows = [{"start": s["start"], "end": s["end"], "text": s["text"]} for s in transcript.segments]
            out = cache / f"{item['key']}.json"
            out.with_suffix(".tmp").write_text(json.dumps({"language": transcript.language, "segments": rows}, ensure_ascii=False))
            out.with_suffix(".tmp").rename(out)
            if n % 10 == 0 or n == len(todo):
                print(f"hear: {n}/{len(todo)} in {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
