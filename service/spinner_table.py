"""A spinner's table, learnt from a corpus of its articles and reused for single articles.

A spinner maps a word the same way most of the time, so the more of its text the engine
reads at once, the more of its table it can learn (:mod:`service.rules_engine`). A batch
of one article shows little of it; a feed's archive shows much more. :func:`learn` reads
such a corpus — spun text only, no originals needed — and keeps the swaps the engine made
at most places of their spun form (the same agreement test that pools a batch's table);
passing the table to a later restoration (``spinner_table=...``) lets a single article use
what the corpus taught. A table may also be written by hand: only ``spun`` and
``original`` are required.

The JSON form (``unspin learn`` writes it; ``options.spinner_table`` of the HTTP API takes it)::

    {"format": "unspin-spinner-table", "version": 1, "documents": 1600, "words": 288754,
     "swaps": [{"spun": "plenty", "original": "stock", "places": 112, "restored": 104,
                "median_confidence": 0.9, "nearest": true}, ...]}

>>> table = from_json({"swaps": [{"spun": "Infantry", "original": "troops"}]})
>>> table.swaps[0].spun, table.pairs()
('infantry', (('infantry', 'troops'),))
>>> from_json({"swaps": [{"spun": "two words", "original": "x"}]})  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
ValueError: [U007] spinner_table: swaps[0].spun must be one word, got 'two words'. ...
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from .errors import Errors
from .text import lm_form, tokenize

__all__ = ["FORMAT", "VERSION", "LearntSwap", "SpinnerTable", "from_json", "normalise_pairs"]

FORMAT = "unspin-spinner-table"
VERSION = 1
# An original of more words than this is no single-word swap's original.
MAX_ORIGINAL_WORDS = 3


class LearntSwap(NamedTuple):
    """One entry: the spinner writes ``spun`` for ``original`` (both as the language model reads them).

    ``places``: occurrences of ``spun`` in the corpus; ``restored``: places where the engine
    restored ``original``; ``median_confidence``: their median confidence (0 for hand-written entries);
    ``nearest``: ``original`` is the corpus word whose contexts are most like those of ``spun``.
    """

    spun: str
    original: str
    places: int = 0
    restored: int = 0
    median_confidence: float = 0.0
    nearest: bool = False


class SpinnerTable(NamedTuple):
    """A spinner's table: its swaps, and how much text it was learnt from."""

    swaps: tuple[LearntSwap, ...]
    documents: int = 0
    words: int = 0

    def pairs(self) -> tuple[tuple[str, str], ...]:
        """``(spun, original)`` pairs, the form :class:`service.RestoreConfig` keeps."""
        return tuple((s.spun, s.original) for s in self.swaps)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "documents": self.documents,
            "words": self.words,
            "swaps": [s._asdict() for s in self.swaps],
        }


def _bad(detail: str) -> ValueError:
    return ValueError(Errors.U007.format(detail=detail))


def _word(value: object, where: str, max_words: int) -> str:
    if not isinstance(value, str):
        raise _bad(f"{where} must be a string, got {type(value).__name__}")
    words = [lm_form(t.text) for t in tokenize(value)]
    if not words or len(words) > max_words or not all(w[0].isalpha() for w in words):
        what = "one word" if max_words == 1 else f"1 to {max_words} words"
        raise _bad(f"{where} must be {what}, got {value!r}")
    return " ".join(words)


def normalise_pairs(pairs: Iterable[tuple[object, object]]) -> tuple[tuple[str, str], ...]:
    """Validated ``(spun, original)`` pairs in the language model's forms, sorted, one original per spun word.

    Raises:
        ValueError: a spun form that is not one word, an original of more than
            :data:`MAX_ORIGINAL_WORDS` words, a word that does not start with a letter, or
            two originals for one spun form (U007).
    """
    out: dict[str, str] = {}
    for k, (spun, original) in enumerate(pairs):
        s = _word(spun, f"swaps[{k}].spun", 1)
        o = _word(original, f"swaps[{k}].original", MAX_ORIGINAL_WORDS)
        if out.get(s, o) != o:
            raise _bad(f"swaps[{k}] gives {s!r} a second original ({out[s]!r} and {o!r})")
        if s != o:
            out[s] = o
    return tuple(sorted(out.items()))


def from_json(obj: object) -> SpinnerTable:
    """Read the JSON form (see the module docstring).

    Raises:
        ValueError: the object is not a spinner table, or an entry is malformed (U007).
    """
    if not isinstance(obj, Mapping) or not isinstance(obj.get("swaps"), list):
        raise _bad('expected an object with a list "swaps" of {"spun": ..., "original": ...}')
    if obj.get("format", FORMAT) != FORMAT or obj.get("version", VERSION) != VERSION:
        raise _bad(f"format/version {obj.get('format')}/{obj.get('version')}; this unspin reads {FORMAT}/{VERSION}")
    entries = obj["swaps"]
    for k, e in enumerate(entries):
        if not isinstance(e, Mapping) or "spun" not in e or "original" not in e:
            raise _bad(f'swaps[{k}] must be an object with "spun" and "original"')
    pairs = normalise_pairs((e["spun"], e["original"]) for e in entries)
    stats = {_word(e["spun"], "", 1): e for e in entries}
    swaps = tuple(
        LearntSwap(
            s,
            o,
            int(_count(stats[s].get("places", 0), f"places of {s!r}")),
            int(_count(stats[s].get("restored", 0), f"restored of {s!r}")),
            float(_count(stats[s].get("median_confidence", 0.0), f"median_confidence of {s!r}")),
            _flag(stats[s].get("nearest", False), f"nearest of {s!r}"),
        )
        for s, o in pairs
    )
    return SpinnerTable(swaps, int(_count(obj.get("documents", 0), "documents")), int(_count(obj.get("words", 0), "words")))


def _flag(value: object, where: str) -> bool:
    if not isinstance(value, bool):
        raise _bad(f"{where} must be true or false, got {value!r}")
    return value


def _count(value: object, where: str) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
        raise _bad(f"{where} must be a non-negative number, got {value!r}")
    return value
