"""How spun a document looks, in [0, 1], so pipelines can route articles unread.

Two kinds of evidence: the field spinner's fingerprint (no lower-case "the" at all in
a text long enough to expect several), and the share of content words the engine would
restore, weighted by confidence: every content-word decision on the decoder's path counts,
also those under ``min_confidence`` (so the score does not depend on that knob, and the many
doubted restorations of a thesaurus-spun text add up). A clean article scores near 0, a spun
one near 1.

>>> spin_score(0.0, [], 200)
0.0
>>> spin_score(0.99, [], 200)
0.99
>>> round(spin_score(0.0, [0.9] * 3, 200), 2)
0.45
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["spin_score"]

# Restored words a word (confidences summed over every content decision) at which a document counts as fully
# spun: about the median field-spun dev article's rate (0.032; clean articles 0.0009). It was 0.15 while only edits
# at min_confidence counted (model_cards/language_model.md).
_FULL_RATE = 0.03


def spin_score(p_field: float, content_confidences: Sequence[float], n_words: int) -> float:
    """Combine the article fingerprint with the restored-word rate.

    Args:
        p_field: Probability that the field spinner's "the" -> "a" rule was at work.
        content_confidences: Confidence of each content-word decision (any confidence).
        n_words: Words in the document.
    """
    rate = sum(content_confidences) / max(n_words, 1)
    by_edits = min(1.0, rate / _FULL_RATE)
    return round(1.0 - (1.0 - p_field) * (1.0 - by_edits), 4)
