"""Sentiment labels: a score in [-1, 1] (negative to positive) read as negative, neutral or positive.

The scoring itself (VADER and SnowNLP, offline) lives in the addon crm_feedback_sentiment, which overrides
``crm.feedback.ticket._sentiment_score``; without it nothing is analysed.
"""

NEGATIVE, POSITIVE = -0.25, 0.25
# a list, not a tuple: Odoo records (and translates) the labels of a selection given as a list only
LABELS = [("negative", "Negative"), ("neutral", "Neutral"), ("positive", "Positive")]


def label(value):
    """The label of a score; ``None`` (not analysed) has none."""
    if value is None:
        return False
    if value <= NEGATIVE:
        return "negative"
    if value >= POSITIVE:
        return "positive"
    return "neutral"
