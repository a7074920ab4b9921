"""Value types for restorations: one :class:`Edit` per changed span, and the result.

Offsets are Python code points into the *input* text (LanguageTool reports Java
UTF-16 indices; we do not).

>>> e = Edit(2, 9, "revisit", "visit", 0.9, "thesaurus")
>>> apply_edits("A revisit by", [e])
'A visit by'
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal, NamedTuple, get_args

__all__ = ["Edit", "EditSource", "EDIT_SOURCES", "RestoredText", "apply_edits"]

EditSource = Literal[
    "fingerprint",  # a swap seen in real spun articles (field-fingerprints.tsv)
    "tortured_phrase",  # a phrase from the Problematic Paper Screener list
    "thesaurus",  # an inverted thesaurus relation (WordNet, Moby, MyThes)
    "inflection",  # an inflected form of a thesaurus or fingerprint pair ("infantrymen" -> "troops")
    "article",  # the spinner's "the" -> "a" and similar function-word rules
    "number",  # digits the spinner wrote for a number word
    "context",  # proposed by the language model's gap filler, in no thesaurus
    "document",  # learnt from the spinner's consistency over a document or batch
    "model",  # proposed or confirmed by the seq2seq model
]
EDIT_SOURCES: tuple[str, ...] = get_args(EditSource)


class Edit(NamedTuple):
    """One restored span of the input.

    Attributes:
        start: First code point of the span in the input text.
        end: One past the last code point of the span.
        spun: The input text of the span (``text[start:end]``).
        original: The restored wording that replaces it.
        confidence: How sure the engine is, in [0, 1].
        source: Where the winning candidate came from (see :data:`EditSource`).
        alternatives: Other restorations considered, best first.
    """

    start: int
    end: int
    spun: str
    original: str
    confidence: float
    source: EditSource
    alternatives: tuple[str, ...] = ()


class RestoredText(NamedTuple):
    """The result of a restoration: ``text, edits, spin_score, engine = result``.

    ``edits`` is ``None`` when the caller asked for no explanation.
    """

    text: str
    edits: list[Edit] | None
    spin_score: float
    engine: str


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """Apply ``edits`` to ``text`` and return the restored text.

    Raises:
        ValueError: if an edit lies outside the text, does not match the text it
            claims to replace, or overlaps another edit.
    """
    out: list[str] = []
    pos = 0
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        if not 0 <= edit.start <= edit.end <= len(text):
            raise ValueError(f"edit {edit.start}-{edit.end} lies outside a text of {len(text)} characters")
        if edit.start < pos:
            raise ValueError(f"edit at {edit.start}-{edit.end} overlaps the edit before it (ends at {pos})")
        if text[edit.start : edit.end] != edit.spun:
            raise ValueError(f"edit at {edit.start}-{edit.end} expects {edit.spun!r} but the text has {text[edit.start:edit.end]!r}")
        out.append(text[pos : edit.start])
        out.append(edit.original)
        pos = edit.end
    out.append(text[pos:])
    return "".join(out)
