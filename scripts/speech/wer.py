"""Word error rate, for measuring a speech engine against a script (measure.py, linkeval.py).
Pure Python with no imports beyond the standard library, so any interpreter can use it."""

from __future__ import annotations

import re


def words(text: str) -> list[str]:
    """Lowercased words with punctuation stripped ("Föredrag," -> "föredrag")."""
    return re.sub(r"[^\w\s]", " ", text.lower()).split()


def word_errors(reference: str, hypothesis: str) -> tuple[int, int]:
    """The word-level Levenshtein distance and the number of reference words."""
    ref, hyp = words(reference), words(hypothesis)
    previous = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, start=1):
        current = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, start=1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (r != h))
        previous = current
    return previous[-1], len(ref)


def word_error_rate(reference: str, hypothesis: str) -> float:
    """Word-level Levenshtein distance divided by the number of reference words."""
    errors, count = word_errors(reference, hypothesis)
    return errors / max(1, count)
