"""The one place that drives faster-whisper for efterhand's speech-to-text scripts.

Both the command adaptor (faster_whisper_adaptor.py) and the OpenAI-compatible test server
(openai_server.py) load the model and shape its output through this module, so the two
cannot drift in their decoding options or in the JSON and WebVTT they write.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Optional, Union

# No hub exists on these machines; without this, a missing file would turn into a network
# timeout instead of an error that names the folder.
os.environ.setdefault("HF_HUB_OFFLINE", "1")

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_MODEL_DIR = REPO_ROOT / ".speech-model" / "whisper-base"
MODEL_FILES = ("model.bin", "config.json", "tokenizer.json", "vocabulary.json")

# Both values suit the project's 2-core machines: int8 is the fastest CPU compute type for
# CTranslate2, and more threads than cores only adds contention with other jobs.
DEVICE = "cpu"
COMPUTE_TYPE = "int8"
CPU_THREADS = 2

# Whisper's own ISO 639-1 codes; schedules and players often carry ISO 639-2/3 or BCP 47
# tags instead ("swe", "sv-SE"), which Whisper rejects (Opencast #5945). This maps the ones
# a conference is likely to meet; anything else must already be a Whisper code.
ISO639_3_TO_1 = {
    "swe": "sv", "eng": "en", "deu": "de", "ger": "de", "fra": "fr", "fre": "fr",
    "nor": "no", "nob": "no", "nno": "nn", "dan": "da", "fin": "fi", "isl": "is",
    "ice": "is", "nld": "nl", "dut": "nl", "spa": "es", "ita": "it", "por": "pt",
    "pol": "pl", "rus": "ru", "ukr": "uk", "est": "et", "lav": "lv", "lit": "lt",
    "ces": "cs", "cze": "cs", "jpn": "ja", "zho": "zh", "chi": "zh", "kor": "ko",
    "ara": "ar", "tur": "tr", "ell": "el", "gre": "el", "hun": "hu", "ron": "ro",
    "rum": "ro",
}


class EngineError(Exception):
    """A failure that input can cause (missing model, unreadable audio, unknown language),
    with a message that names what it concerns and fits on one line."""


@dataclass(frozen=True)
class Transcript:
    """What one transcription produced, in the shape both scripts write out."""

    language: str
    language_probability: float
    duration: float
    segments: list[dict]
    seconds: float  # wall-clock time spent decoding, for the real-time factor

    def as_json(self) -> dict:
        """The adaptor's output: language and segments, as the Swift side reads them."""
        return {"language": self.language, "duration": round(self.duration, 3),
                "segments": self.segments}

    def text(self) -> str:
        """All segment texts joined with spaces."""
        return " ".join(s["text"] for s in self.segments).strip()


def normalize_language(value: Optional[str]) -> Optional[str]:
    """Returns a Whisper language code, or None to let the engine detect it.

    Accepts "auto" or empty for detection, BCP 47 tags ("sv-SE"), and common ISO 639-2/3
    codes ("swe"). Raises EngineError for anything Whisper would not understand.
    """
    from faster_whisper.tokenizer import _LANGUAGE_CODES

    if value is None:
        return None
    code = value.strip().lower().replace("_", "-")
    if code in ("", "auto"):
        return None
    if code not in _LANGUAGE_CODES:
        code = code.split("-")[0]
        code = ISO639_3_TO_1.get(code, code)
    if code not in _LANGUAGE_CODES:
        raise EngineError(f"Unknown language '{value}': use a Whisper code such as sv or en, or auto")
    return code


def load_model(model_dir: Union[str, Path] = DEFAULT_MODEL_DIR):
    """Loads Whisper from a CTranslate2 folder; raises EngineError naming the folder if a file is missing."""
    folder = Path(model_dir)
    missing = [name for name in MODEL_FILES if not (folder / name).is_file()]
    if missing:
        raise EngineError(
            f"No Whisper model in '{folder}': missing {', '.join(missing)} "
            "(run scripts/speech/install.sh)")
    from faster_whisper import WhisperModel

    try:
        return WhisperModel(str(folder), device=DEVICE, compute_type=COMPUTE_TYPE,
                            cpu_threads=CPU_THREADS)
    except Exception as error:  # CTranslate2 raises RuntimeError/ValueError for a bad model
        raise EngineError(f"Unable to load the Whisper model in '{folder}': {one_line(error)}") from error


def transcribe(model, audio: Union[str, BinaryIO], language: Optional[str],
               name: str = "input", word_timestamps: bool = False,
               vad_filter: bool = True, prompt: Optional[str] = None) -> Transcript:
    """Transcribes one recording; `name` is what error messages call it (usually its path);
    `prompt` the words to expect (Whisper's initial prompt), or None.

    `vad_filter=False` exists only for measure.py, to show what Whisper invents without VAD.
    """
    started = time.monotonic()
    try:
        segments, info = model.transcribe(
            audio,
            language=language,
            # Silero VAD skips silence before Whisper sees it: Whisper invents text for
            # silence ("Tack för att du tittade"), and skipping it is also faster.
            vad_filter=vad_filter,
            # Each window decoded on its own: a misheard phrase cannot seed a loop that
            # repeats it for minutes.
            condition_on_previous_text=False,
            # Always on: with VAD, a segment that follows a long silence in the same window can
            # come back with the end of the speech before it as its start (seen here: a
            # sentence said at 1200 s reported as 202.5-1202.6 s; faster-whisper issues #110
            # and #1119). The first and last word's times are right, so the segment takes them.
            word_timestamps=True,
            # Names and titles to expect: Whisper spells what it hears like them. It may also
            # repeat them where they were not said, so efterhand checks the prompted text
            # against the plain one (PromptedHearing in Sources/Speech).
            initial_prompt=prompt or None,
        )
        rows = [segment_row(s, word_timestamps) for s in segments]  # decoding happens here
    except EngineError:
        raise
    except Exception as error:  # PyAV's InvalidDataError, OSError, ...
        raise EngineError(f"Unable to transcribe '{name}': {one_line(error)}") from error
    return Transcript(language=info.language, language_probability=info.language_probability,
                      duration=info.duration, segments=rows,
                      seconds=time.monotonic() - started)


def segment_row(segment, with_words: bool = False) -> dict:
    """One segment as JSON: times in seconds, the text, and the scores thresholds need."""
    words = list(segment.words or [])
    start = words[0].start if words else segment.start
    end = words[-1].end if words else segment.end
    row = {
        "start": round(start, 3),
        "end": round(max(start, end), 3),
        "text": segment.text.strip(),
        "avg_logprob": round(segment.avg_logprob, 4),
        "no_speech_prob": round(segment.no_speech_prob, 4),
        "compression_ratio": round(segment.compression_ratio, 3),
    }
    if with_words and words:
        row["words"] = [{"word": w.word, "start": round(w.start, 3), "end": round(w.end, 3),
                         "probability": round(w.probability, 4)} for w in words]
    return row


def timestamp(seconds: float, separator: str = ".") -> str:
    """HH:MM:SS.mmm as WebVTT wants it (SRT wants a comma before the milliseconds)."""
    millis = max(0, int(round(seconds * 1000)))
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"


def cue_text(text: str) -> str:
    # A cue ends at a blank line and "-->" starts a timing line, so neither may appear in text;
    # & and < are WebVTT's only markup characters.
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return " ".join(text.split())


def to_vtt(segments: list[dict]) -> str:
    """The segments as a WebVTT file, one cue per segment."""
    lines = ["WEBVTT", ""]
    for segment in segments:
        lines += [f"{timestamp(segment['start'])} --> {timestamp(segment['end'])}",
                  cue_text(segment["text"]), ""]
    return "\n".join(lines) + "\n"


def to_srt(segments: list[dict]) -> str:
    """The segments as SubRip, numbered from 1."""
    lines = []
    for number, segment in enumerate(segments, start=1):
        lines += [str(number),
                  f"{timestamp(segment['start'], ',')} --> {timestamp(segment['end'], ',')}",
                  " ".join(segment["text"].split()), ""]
    return "\n".join(lines) + "\n"


def one_line(error: BaseException) -> str:
    """An exception's message on one line, for stderr and JSON errors."""
    text = " ".join(str(error).split())
    return text or type(error).__name__
