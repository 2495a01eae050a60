#!/usr/bin/env python3
"""Tests for the speech scripts' pure parts; none loads the model (importing faster-whisper still takes a few seconds).

    .venv-speech/bin/python -m unittest discover -s scripts/speech -p 'test_*.py'
"""

from __future__ import annotations

import os
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import measure  # noqa: E402
import openai_server  # noqa: E402
import speech_engine  # noqa: E402


class WordErrorRateTests(unittest.TestCase):
    def test_identical_after_case_and_punctuation_is_zero(self):
        self.assertEqual(measure.word_error_rate("Hej, världen!", "hej världen"), 0.0)

    def test_substitution_deletion_and_insertion_each_count_one(self):
        self.assertAlmostEqual(measure.word_error_rate("a b c d", "a x c"), 2 / 4)
        self.assertAlmostEqual(measure.word_error_rate("a b", "a b c"), 1 / 2)

    def test_empty_hypothesis_is_all_deletions(self):
        self.assertEqual(measure.word_error_rate("tack för att du tittade", ""), 1.0)


class LanguageTests(unittest.TestCase):
    def test_detection_for_auto_and_empty(self):
        for value in (None, "", "auto", " AUTO "):
            self.assertIsNone(speech_engine.normalize_language(value))

    def test_tags_and_three_letter_codes_map_to_whisper_codes(self):
        for value, code in (("sv", "sv"), ("sv-SE", "sv"), ("swe", "sv"), ("eng", "en"),
                            ("en_GB", "en"), ("haw", "haw")):
            self.assertEqual(speech_engine.normalize_language(value), code)

    def test_unknown_language_names_the_value(self):
        with self.assertRaisesRegex(speech_engine.EngineError, "'klingon'"):
            speech_engine.normalize_language("klingon")


class OutputTests(unittest.TestCase):
    segments = [{"start": 0.0, "end": 3661.5, "text": " A <b> & --> c "}]

    def test_timestamps(self):
        self.assertEqual(speech_engine.timestamp(3661.5), "01:01:01.500")
        self.assertEqual(speech_engine.timestamp(1.0004, ","), "00:00:01,000")

    def test_vtt_escapes_markup_and_arrows(self):
        self.assertEqual(speech_engine.to_vtt(self.segments),
                         "WEBVTT\n\n00:00:00.000 --> 01:01:01.500\nA &lt;b&gt; &amp; --&gt; c\n\n")


class AdaptorArgumentTests(unittest.TestCase):
    def test_prompt_is_optional_and_may_begin_with_a_dash(self):
        import faster_whisper_adaptor
        base = ["--input", "a.wav", "--output", "a.json"]
        self.assertEqual(faster_whisper_adaptor.parse_arguments(base).prompt, "")
        self.assertEqual(faster_whisper_adaptor.parse_arguments(base + ["--prompt="]).prompt, "")
        prompt = "-Julia Olander: Digitala Görel – en robot."
        self.assertEqual(faster_whisper_adaptor.parse_arguments(base + [f"--prompt={prompt}"]).prompt, prompt)


class MultipartTests(unittest.TestCase):
    def test_binary_file_and_repeated_fields_survive_parsing(self):
        audio = bytes(range(256)) * 4 + b"\r\n--not-the-boundary\r\n" + os.urandom(4096)
        boundary = "----efterhand7MA4YWxkTrZu0gW"
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="model"\r\n\r\nwhisper-1\r\n'.encode(),
            f'--{boundary}\r\nContent-Disposition: form-data; name="timestamp_granularities[]"\r\n\r\nword\r\n'.encode(),
            f'--{boundary}\r\nContent-Disposition: form-data; name="timestamp_granularities[]"\r\n\r\nsegment\r\n'.encode(),
            f'--{boundary}\r\nContent-Disposition: form-data; name="language"\r\n\r\nsv\r\n'.encode(),
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="föredrag.wav"\r\n'
            f'Content-Type: audio/wav\r\n\r\n'.encode() + audio + b"\r\n",
            f"--{boundary}--\r\n".encode(),
        ]
        fields, files = openai_server.parse_form(f"multipart/form-data; boundary={boundary}", b"".join(parts))
        self.assertEqual(fields["model"], ["whisper-1"])
        self.assertEqual(fields["timestamp_granularities[]"], ["word", "segment"])
        self.assertEqual(files["file"][0], "föredrag.wav")
        self.assertEqual(files["file"][1], audio)

    def test_body_without_boundary_is_a_400(self):
        with self.assertRaises(openai_server.RequestError) as caught:
            openai_server.parse_form("multipart/form-data; boundary=x", b"garbage")
        self.assertEqual(caught.exception.status, 400)


if __name__ == "__main__":
    unittest.main()
