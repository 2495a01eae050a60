#!/usr/bin/env python3
"""Transcribes one recording with faster-whisper, for efterhand's `command` speech engine.

Template (run with the venv that scripts/speech/install.sh makes):

    .venv-speech/bin/python scripts/speech/faster_whisper_adaptor.py \
        --input {input} --output {output} --language {language} --model {model} --prompt={prompt}

The input is a WAV (16 kHz mono s16; anything FFmpeg decodes also works). The output is JSON
{"language": "sv", "duration": s, "segments": [{"start", "end", "text", "avg_logprob",
"no_speech_prob", "compression_ratio"}]}, or WebVTT when its name ends with .vtt. It is
written to a temporary file beside the output and renamed, so a reader never sees half of it.

Exit status: 0 on success, 1 with one line on stderr for any failure input can cause
(missing model, unreadable input, unknown language, unwritable output), 2 for bad arguments.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import speech_engine  # noqa: E402  (needs the path above)
from speech_engine import EngineError  # noqa: E402


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Transcribe one recording with faster-whisper.")
    parser.add_argument("--input", required=True, help="Recording to transcribe (16 kHz mono WAV).")
    parser.add_argument("--output", required=True,
                        help="File to write: JSON, or WebVTT when the name ends with .vtt.")
    parser.add_argument("--language", default="auto",
                        help="Language spoken, such as sv or en; auto or empty lets Whisper detect it.")
    parser.add_argument("--model", default="",
                        help=f"CTranslate2 Whisper folder; empty means {speech_engine.DEFAULT_MODEL_DIR}.")
    parser.add_argument("--prompt", default="",
                        help="Words to expect (Whisper's initial prompt), such as speakers' names and talk titles; empty for none.")
    return parser.parse_args(argv)


def write_atomically(path: Path, text: str) -> None:
    folder = path.parent if str(path.parent) else Path(".")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
    except OSError as error:
        raise EngineError(f"Unable to write '{path}': {error.strerror or error}") from error
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except OSError as error:
        os.unlink(temporary)
        raise EngineError(f"Unable to write '{path}': {error.strerror or error}") from error


def run(arguments: argparse.Namespace) -> None:
    source = Path(arguments.input)
    # Checked up front so the message names the path instead of an FFmpeg error code.
    if not source.is_file():
        raise EngineError(f"Unable to open '{source}': no such file")
    if not os.access(source, os.R_OK):
        raise EngineError(f"Unable to open '{source}': permission denied")
    output = Path(arguments.output)
    # Checked before decoding, so a typo in the output path does not cost a whole transcription.
    folder = output.parent if str(output.parent) else Path(".")
    if not folder.is_dir() or not os.access(folder, os.W_OK):
        raise EngineError(f"Unable to write '{output}': no writable folder '{folder}'")
    language = speech_engine.normalize_language(arguments.language)
    model = speech_engine.load_model(arguments.model or speech_engine.DEFAULT_MODEL_DIR)
    transcript = speech_engine.transcribe(model, str(source), language, name=str(source), prompt=arguments.prompt or None)
    if output.suffix.lower() == ".vtt":
        write_atomically(output, speech_engine.to_vtt(transcript.segments))
    else:
        write_atomically(output, json.dumps(transcript.as_json(), ensure_ascii=False, indent=1) + "\n")


def main(argv: list[str]) -> int:
    arguments = parse_arguments(argv)
    try:
        run(arguments)
    except EngineError as error:
        print(f"faster_whisper_adaptor: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
