"""Offline sentiment for Chinese and English text: SnowNLP (Chinese, model shipped in the package) and
VADER (English, lexicon shipped in the package). Nothing is downloaded at run time.

Mixed text is split into Chinese and non-Chinese runs; each run is scored by its analyser and the
scores are averaged weighted by length. Empty text is neutral (0.0).
"""

import re
from functools import lru_cache

from markupsafe import Markup

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+[\u3000-\u303f\uff00-\uffef\u4e00-\u9fff\s\d]*")
TAGS = re.compile(r"<[^>]+>")


@lru_cache(maxsize=1)
def _vader():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def _score_chinese(text):
    from snownlp import SnowNLP

    return 2.0 * SnowNLP(text).sentiments - 1.0


def _score_english(text):
    return _vader().polarity_scores(text)["compound"]


def plain_text(value):
    text = str(value or "")
    if isinstance(value, Markup) or "<" in text:
        text = TAGS.sub(" ", text)
    return " ".join(text.split())


def score(value):
    """Sentiment of ``value`` (text or HTML) in [-1, 1]."""
    text = plain_text(value)
    if not text:
        return 0.0
    parts, weights = [], []
    pos = 0
    for match in CJK.finditer(text):
        before = text[pos : match.start()].strip()
        if re.search(r"[A-Za-z]", before):
            parts.append(_score_english(before))
            weights.append(len(before))
        chunk = match.group().strip()
        parts.append(_score_chinese(chunk))
        weights.append(len(chunk) * 3)  # a Chinese character carries about a word
        pos = match.end()
    rest = text[pos:].strip()
    if re.search(r"[A-Za-z]", rest):
        parts.append(_score_english(rest))
        weights.append(len(rest))
    if not parts:
        return 0.0
    value = sum(p * w for p, w in zip(parts, weights, strict=False)) / sum(weights)
    return max(-1.0, min(1.0, value))
