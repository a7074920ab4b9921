"""Inline HTML or Markdown for the evaluation: a text as a content pipeline might send it.

``python -m scripts.evaluate --markup [html|markdown]`` restores the HTML (or Markdown) form of
every spun and clean text and maps the edits back to the plain text, so the same figures say
what markup costs. The HTML form is what WordPress serves: paragraphs in ``<p>``, some words in
inline tags, apostrophes and quotes as numeric entities (``&#8217;``, ``&#8220;``, ``&#8221;``)
and ``&`` as ``&amp;``. The Markdown form has some paragraphs as list items (``* ``) and some
words in links, bold or italics (:func:`add_markdown`).

>>> marked = add_markup("Troops left a city.\\n\\nThey came back.", seed=3)
>>> marked.html
'<p>Troops left a city.</p>\\n\\n<p>They <em>came</em> back.</p>'
>>> marked.to_plain(marked.html.index("back")), "Troops left a city.\\n\\nThey came back.".index("back")
(31, 31)
>>> marked = add_markup('Iran\\'s "elite" force', seed=1)
>>> marked.html
'<p>Iran&#8217;s &#8220;elite&#8221; force</p>'
>>> marked.to_plain(marked.html.index("force"))
15
>>> add_markdown("Troops left a city.\\n\\nThey came back.", seed=3).html
'* Troops left a city.\\n\\nThey **came** back.'
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from typing import NamedTuple

from service.text import tokenize

__all__ = ["FORMS", "INLINE_TAGS", "MARKDOWN_INLINE", "Marked", "MarkupForm", "add_markdown", "add_markup", "markdown_marks", "tags"]

#: Inline tags wrapped around runs of words, as articles carry links and emphasis.
INLINE_TAGS = (('<a href="https://example.com/story">', "</a>"), ("<b>", "</b>"), ("<i>", "</i>"), ("<em>", "</em>"))
#: Markdown's marks around runs of words: a link, bold, italics.
MARKDOWN_INLINE = (("[", "](https://example.com/story)"), ("**", "**"), ("*", "*"))
#: The share of words that start a run of 1 to 3 words in an inline tag (or Markdown's marks).
RUN_SHARE = 0.08
#: The share of paragraphs that are Markdown list items.
BULLET_SHARE = 0.3
# A paragraph ends at a blank line or at a line that starts indented (newswire).
_PARAGRAPH_BREAK = re.compile(r"\n(?:[ \t]*\n)+|\n(?=[ \t])")
_TAG = re.compile(r"<[^<>]*>|&#?\w+;")
_MARKDOWN_MARK = re.compile(r"\*+|\[|\]\(https://example\.com/story\)")
# Characters WordPress writes as entities (what it does to "<" and ">" is left out: the Reuters articles'
# "<Company Name>" annotations stay tags).
_ENTITY_CHARS = re.compile("[&'’\"“”]")


class Marked(NamedTuple):
    """The HTML form of a text and where its markup went."""

    html: str
    # (position in the plain text, length of the markup put there, length of the plain text it stands for:
    # 0 for a tag, 1 for an entity), in order
    inserts: tuple[tuple[int, int, int], ...]

    def to_plain(self, pos: int) -> int:
        """The plain-text position of ``pos`` in :attr:`html` (a position inside markup: where it was put)."""
        shift = 0
        for at, length, replaced in self.inserts:
            start = at + shift
            if pos < start:
                break
            if pos < start + length:
                return at
            shift += length - replaced
        return pos - shift


def add_markup(text: str, seed: int = 0) -> Marked:
    """``text`` with each paragraph in ``<p>`` and runs of 1-3 words in inline tags (about :data:`RUN_SHARE` of
    its words start one), at word boundaries, the same for the same ``seed``."""
    rng = random.Random(seed)
    inserts = _runs(text, rng, INLINE_TAGS)
    for start, end in _paragraphs(text):
        inserts += [(start, "<p>"), (end, "</p>")]
    # at one position: closing tags first, then paragraph marks, then opening tags, so that tags nest;
    # the entity that replaces the character there comes last
    rank = {"</p>": 1, "<p>": 2}
    inserts.sort(key=lambda x: (x[0], rank.get(x[1], 0 if x[1].startswith("</") else 3)))
    return _marked(text, [(at, markup, 0) for at, markup in inserts] + [(m.start(), _entity(text, m.start()), 1) for m in _ENTITY_CHARS.finditer(text)])


def add_markdown(text: str, seed: int = 0) -> Marked:
    """``text`` with about :data:`BULLET_SHARE` of its paragraphs as list items ("* ") and runs of 1-3 words in a
    link, bold or italics (about :data:`RUN_SHARE` of its words start one), the same for the same ``seed``."""
    rng = random.Random(seed)
    inserts = _runs(text, rng, MARKDOWN_INLINE)
    inserts += [(start, "* ") for start, _ in _paragraphs(text) if rng.random() < BULLET_SHARE]
    inserts.sort(key=lambda x: (x[0], x[1] != "* "))  # a paragraph's bullet before the mark that opens a run there
    return _marked(text, [(at, markup, 0) for at, markup in inserts])


def markdown_marks(text: str) -> list[str]:
    """The Markdown marks of :func:`add_markdown` in ``text``, in order (what a restoration must keep)."""
    return _MARKDOWN_MARK.findall(text)


def _runs(text: str, rng: random.Random, pairs: tuple[tuple[str, str], ...]) -> list[tuple[int, str]]:
    """Opening and closing marks (one of ``pairs`` a run) around runs of 1-3 words of one line, at word boundaries."""
    inserts: list[tuple[int, str]] = []
    words = [t for t in tokenize(text) if t.is_word]
    k = 0
    while k < len(words):
        if rng.random() < RUN_SHARE:
            run = words[k : k + rng.randint(1, 3)]
            run = run[: next((j for j in range(1, len(run)) if "\n" in text[run[j - 1].end : run[j].start]), len(run))]
            opening, closing = rng.choice(pairs)
            inserts += [(run[0].start, opening), (run[-1].end, closing)]
            k += len(run)
        else:
            k += 1
    return inserts


def _paragraphs(text: str) -> list[tuple[int, int]]:
    """Where each paragraph's text starts and ends (blank lines and indentation left out)."""
    out, start = [], 0
    for m in [*_PARAGRAPH_BREAK.finditer(text), None]:
        end = m.start() if m else len(text)
        body = text[start:end]
        if body.strip():
            out.append((start + len(body) - len(body.lstrip()), start + len(body.rstrip())))
        start = m.end() if m else len(text)
    return out


def _marked(text: str, marks: list[tuple[int, str, int]]) -> Marked:
    """``text`` with each ``(position, markup, characters it replaces)`` of ``marks`` put in."""
    marks.sort(key=lambda x: (x[0], x[2]))  # stable: the tags keep their order
    parts, last = [], 0
    for at, markup, replaced in marks:
        parts += [text[last:at], markup]
        last = at + replaced
    parts.append(text[last:])
    return Marked("".join(parts), tuple((at, len(markup), replaced) for at, markup, replaced in marks))


def _entity(text: str, at: int) -> str:
    """The entity WordPress writes for the character at ``at``: a double quote opens after a space,
    a bracket or the start, and closes elsewhere."""
    char = text[at]
    if char == "&":
        return "&amp;"
    if char in "'’":
        return "&#8217;"
    if char == "“" or (char == '"' and (at == 0 or text[at - 1].isspace() or text[at - 1] in "([")):
        return "&#8220;"
    return "&#8221;"


def tags(text: str) -> list[str]:
    """The tags and entities of ``text``, in order (what a restoration must keep)."""
    return _TAG.findall(text)


class MarkupForm(NamedTuple):
    """How a text is sent in one markup language: its marked form, the marks a restoration must keep, and
    how a BENCHMARKS.md section names and describes it."""

    add: Callable[[str, int], Marked]
    marks: Callable[[str], list[str]]
    label: str
    description: str


#: The markup languages of ``scripts.evaluate --markup``.
FORMS = {
    "html": MarkupForm(
        add_markup,
        tags,
        "HTML",
        "Every spun and clean text was sent as inline HTML (`scripts/markup.py`: paragraphs in `<p>`, runs of "
        "1-3 words in `<a href>`, `<b>`, `<i>` or `<em>` starting at about 8 % of the words, apostrophes and "
        "quotes as `&#8217;`, `&#8220;` and `&#8221;` and `&` as `&amp;`, as WordPress serves articles); the "
        "edits were mapped back to the plain text and scored as usual.",
    ),
    "markdown": MarkupForm(
        add_markdown,
        markdown_marks,
        "Markdown",
        "Every spun and clean text was sent as Markdown (`scripts/markup.py`: about 30 % of the paragraphs as "
        "list items, `* `, and runs of 1-3 words in a link, `**bold**` or `*italics*` starting at about 8 % of "
        "the words); the edits were mapped back to the plain text and scored as usual.",
    ),
}
