#!/usr/bin/env python3
"""Measures the speech engine on the clips from make_clips.sh; the figures in README.md come from here.

    .venv-speech/bin/python scripts/speech/measure.py [CLIPS_FOLDER] [--no-vad-diagnostic]

For each speech clip, with the language forced and then detected: word error rate, real-time
factor (wall and CPU), and how far the first segment's start lies from the true speech onset.
For the clips without speech: how many segments come back, and their scores. With
--no-vad-diagnostic it also decodes those clips with VAD off, to show what Whisper invents
without it (the scores a threshold on the Swift side would have to catch).
Prints a Markdown table and writes measure.json into the clips folder.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import speech_engine  # noqa: E402
from wer import word_error_rate, words  # noqa: E402


def timed_transcribe(model, path: Path, language, vad: bool = True) -> tuple[speech_engine.Transcript, float]:
    cpu = time.process_time()
    transcript = speech_engine.transcribe(model, str(path), language, name=str(path), vad_filter=vad)
    return transcript, time.process_time() - cpu


def main(argv: list[str]) -> int:
    diagnostic = "--no-vad-diagnostic" in argv
    folders = [a for a in argv if not a.startswith("--")]
    folder = Path(folders[0]) if folders else speech_engine.REPO_ROOT / "artifacts" / "speech-clips"
    clips = [line.split("\t") for line in (folder / "clips.tsv").read_text().splitlines() if line]

    started = time.monotonic()
    model = speech_engine.load_model()
    load_seconds = time.monotonic() - started
    print(f"model load: {load_seconds:.2f} s")
    results = {"model_load_seconds": round(load_seconds, 2), "runs": []}

    print("| clip | language asked | detected | WER | RTF wall | RTF CPU | first start (true) | segments |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, language, onset, text in clips:
        path = folder / name
        modes = [(language, True), ("auto", True)] if language != "-" else \
            [("sv", True), ("en", True), ("auto", True)]
        if diagnostic and language == "-":
            modes += [("sv", False)]
        for asked, vad in modes:
            transcript, cpu = timed_transcribe(model, path, speech_engine.normalize_language(asked), vad)
            run = {
                "clip": name, "language_asked": asked, "vad": vad,
                "language_detected": transcript.language,
                "language_probability": round(transcript.language_probability, 3),
                "duration": round(transcript.duration, 2),
                "rtf_wall": round(transcript.seconds / transcript.duration, 3),
                "rtf_cpu": round(cpu / transcript.duration, 3),
                "segments": transcript.segments, "text": transcript.text(),
            }
            if text:
                run["wer"] = round(word_error_rate(text, transcript.text()), 3)
                run["reference_words"] = len(words(text))
                if transcript.segments:
                    run["first_start"] = transcript.segments[0]["start"]
                    run["start_offset"] = round(transcript.segments[0]["start"] - float(onset), 2)
            results["runs"].append(run)
            label = asked + ("" if vad else " (no VAD)")
            wer = f"{run['wer']:.0%}" if "wer" in run else "—"
            first = f"{run.get('first_start', '—')} ({onset})" if text else "—"
            print(f"| {name} | {label} | {transcript.language} {transcript.language_probability:.2f} "
                  f"| {wer} | {run['rtf_wall']:.2f} | {run['rtf_cpu']:.2f} | {first} "
                  f"| {len(transcript.segments)} |")
            for segment in transcript.segments if not text else []:
                print(f"|   invented: {segment['start']}–{segment['end']} s \"{segment['text']}\" "
                      f"| no_speech_prob {segment['no_speech_prob']} | avg_logprob {segment['avg_logprob']} "
                      f"| compression_ratio {segment['compression_ratio']} | | | | |")
            sys.stdout.flush()
    for run in results["runs"]:
        if "wer" in run:
            print(f"{run['clip']} [{run['language_asked']}]: {run['text']}")
    (folder / "measure.json").write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
