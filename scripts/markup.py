"""Inline HTML for the evaluation: a text as a content pipeline might send it.

``python -m scripts.evaluate --markup`` restores the HTML form of every spun and clean text
and maps the edits back to the plain text, so the same figures say what markup costs.

>>> marked = add_markup("Troops left a city.\\n\\nThey came back.", seed=3)
>>> marked.html
'<p>Troops left a city.</p>\\n\\n<p>They <em>came</em> back.</p>'
>>> marked.to_plain(marked.html.index("back")), "Troops left a city.\\n\\nThey came back.".index("back")
(31, 31)
"""

from __future__ import annotations

import random
import re
from typing import NamedTuple

from service.text import tokenize

__all__ = ["INLINE_TAGS", "Marked", "add_markup", "tags"]

#: Inline tags wrapped around runs of words, as articles carry links and emphasis.
INLINE_TAGS = (('<a href="https://example.com/story">', "</a>"), ("<b>", "</b>"), ("<i>", "</i>"), ("<em>", "</em>"))
#: The share of words that start a run of 1 to 3 words in an inline tag.
RUN_SHARE = 0.08
# A paragraph ends at a blank line or at a line that starts indented (newswire).
_PARAGRAPH_BREAK = re.compile(r"\n(?:[ \t]*\n)+|\n(?=[ \t])")
_TAG = re.compile(r"<[^<>]*>")


class Marked(NamedTuple):
    """The HTML form of a text and where its markup went."""

    html: str
    inserts: tuple[tuple[int, int], ...]  # (position in the plain text, length of the markup put there), in order

    def to_plain(self, pos: int) -> int:
        """The plain-text position of ``pos`` in :attr:`html` (a position inside markup: where it was put)."""
        shift = 0
        for at, length in self.inserts:
            start = at + shift
            if pos < start:
                break
            if pos < start + length:
                return at
            shift += length
        return pos - shift


def add_markup(text: str, seed: int = 0) -> Marked:
    """``text`` with each paragraph in ``<p>`` and runs of 1-3 words in inline tags (about :data:`RUN_SHARE` of
    its words start one), at word boundaries, the same for the same ``seed``."""
    rng = random.Random(seed)
    inserts: list[tuple[int, str]] = []
    words = [t for t in tokenize(text) if t.is_word]
    k = 0
    while k < len(words):
        if rng.random() < RUN_SHARE:
            run = words[k : k + rng.randint(1, 3)]
            opening, closing = rng.choice(INLINE_TAGS)
            inserts += [(run[0].start, opening), (run[-1].end, closing)]
            k += len(run)
        else:
            k += 1
    start = 0
    for m in [*_PARAGRAPH_BREAK.finditer(text), None]:
        end = m.start() if m else len(text)
        body = text[start:end]
        if body.strip():
            lead = len(body) - len(body.lstrip())
            inserts += [(start + lead, "<p>"), (start + len(body.rstrip()), "</p>")]
        start = m.end() if m else len(text)
    # at one position: closing tags first, then paragraph marks, then opening tags, so that tags nest
    rank = {"</p>": 1, "<p>": 2}
    inserts.sort(key=lambda x: (x[0], rank.get(x[1], 0 if x[1].startswith("</") else 3)))
    parts, last = [], 0
    for at, markup in inserts:
        parts += [text[last:at], markup]
        last = at
    parts.append(text[last:])
    return Marked("".join(parts), tuple((at, len(markup)) for at, markup in inserts))


def tags(text: str) -> list[str]:
    """The tags of ``text``, in order (what a restoration must keep)."""
    return _TAG.findall(text)
