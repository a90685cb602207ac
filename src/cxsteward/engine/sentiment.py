"""Sentiment scored at load from a free-text column, with VADER.

VADER (``vaderSentiment``, MIT) is a lexicon and a few rules: its lexicon files ship inside
the package, nothing is downloaded, and the same text always gets the same score. Its
``compound`` score (-1 to 1) is what the store keeps; the text itself is never stored.

Each distinct text is scored once and the score spread to its rows (exports repeat stock
phrases). A blank text has no score (null), never 0. VADER's handling of "but" is quadratic
in the number of words, so a text is scored on its first ``MAX_TEXT_CHARS`` characters: a
hostile cell of megabytes costs milliseconds, not minutes.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

# Survey verbatims and ticket texts are far shorter; at this length the worst case found
# ("bad but good" repeated) takes about 0.05 s.
MAX_TEXT_CHARS = 5_000


@cache
def _analyzer() -> SentimentIntensityAnalyzer:
    # Reads the two lexicon files inside the package once (about 10 ms).
    return SentimentIntensityAnalyzer()


def compound(text: str) -> float:
    """VADER's compound score of one text, on its first ``MAX_TEXT_CHARS`` characters."""
    return float(_analyzer().polarity_scores(text[:MAX_TEXT_CHARS])["compound"])


def score_texts(texts: pa.Array) -> tuple[pa.Array, int]:
    """The compound score of every text (float64; null where the text is null or blank),
    and how many non-blank texts were longer than ``MAX_TEXT_CHARS`` characters."""
    if pa.types.is_dictionary(texts.type):
        texts = texts.dictionary_decode()
    if not pa.types.is_string(texts.type):
        texts = texts.cast(pa.string())
    trimmed = pc.utf8_trim_whitespace(texts)
    blank = pc.fill_null(pc.equal(pc.utf8_length(trimmed), 0), True)
    coded = pc.dictionary_encode(pc.if_else(blank, pa.scalar(None, pa.string()), trimmed))
    values = coded.dictionary.to_pylist()
    scores = np.fromiter((compound(v) for v in values), dtype=np.float64, count=len(values))
    lengths = pc.utf8_length(coded.dictionary).to_numpy(zero_copy_only=False)
    index = coded.indices
    out = pa.array(scores, pa.float64()).take(index)  # a null index gives a null score
    long = np.asarray(lengths > MAX_TEXT_CHARS)
    truncated = 0
    if long.any():
        per_value = np.bincount(index.drop_null().to_numpy(), minlength=len(values))
        truncated = int(per_value[long].sum())
    return out, truncated
