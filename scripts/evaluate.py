"""Spin Reuters dev articles with the emulator, restore them with the engine and score the edits.

Alignment (all spans are code points in the spun text):

- Swaps and engine edits that overlap are grouped into connected regions. A region is
  solved when the engine's edits turn its spun text into the original text (case- and
  whitespace-insensitive): then all its swaps are restored and all its edits are correct.
- Otherwise an edit is correct if it overlaps a swap and its ``original`` equals that
  swap's original (case-insensitively), and a swap is restored if an edit covering exactly
  that swap restores its original.
- An edit that overlaps no swap is a *false edit*; one that overlaps a swap but is not
  correct is a *wrong edit*. Edits that change nothing (same text up to case) are ignored.

Reuters-21578 is for evaluation only (never for building an artefact).

Usage::

    python -m scripts.evaluate --style field,thesaurus,tortured --docs 200 --engine rules
    python -m scripts.evaluate --style field --sweep 0.3,0.5,0.7,0.9 --json
    python -m scripts.evaluate --style field --reliability  # what a confidence means: share right per bin and kind
    python -m scripts.evaluate --style field --write-benchmarks
    python -m scripts.evaluate --style field --markup        # the texts as inline HTML (scripts/markup.py)
    python -m scripts.evaluate --style field --markup markdown  # the texts as Markdown
"""

from __future__ import annotations

import argparse
import html
import json
import lzma
import re
import sys
import time
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scripts.markup import FORMS, Marked
from scripts.spinner import Spinner, SpunText, Swap, read_fingerprints
from service.text import tokenize

__all__ = [
    "EditLike", "EngineRestorer", "Metrics", "align", "edit_kind", "evaluate", "load_reuters", "main", "pair_key", "reliability",
]

REUTERS = ROOT.parent / "shared" / "corpora" / "reuters-21578"
DEV_FILES = ("reut2-020.sgm.xz", "reut2-021.sgm.xz")
# Articles a spinner table is learnt from (--table-docs): never the dev files.
TABLE_FILES = tuple(f"reut2-{i:03d}.sgm.xz" for i in range(20))
MIN_WORDS = 80
DEFAULT_DOCS = 200
SPIN_FLAG = 0.5  # a pipeline routing on the spin score would flag a text at this score
#: Confidence bins of the reliability table (``--reliability``): [lo, hi), the last one with 1.0.
RELIABILITY_BINS = (0.0, 0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0)
EDIT_KINDS = ("article", "number", "content")
_BODY_RE = re.compile(r"<BODY>(.*?)</BODY>", re.DOTALL)
_SIGNOFF_RE = re.compile(r"\s*\b(?:Reuter|REUTER)\s*$")


class EditLike(Protocol):
    """What the evaluator needs of an edit (``service.Edit`` fits)."""

    start: int
    end: int
    spun: str
    original: str


RestoreFn = Callable[[str], Sequence[EditLike]]
ScoreFn = Callable[[str], float]


@dataclass
class Metrics:
    """Scores of one run (one style, one engine). Ratios are None when undefined (0/0)."""

    docs: int = 0
    words: int = 0
    swaps: int = 0
    restored: int = 0
    recall: float | None = None
    edits: int = 0
    correct_edits: int = 0
    false_edits: int = 0  # overlap no swap
    wrong_edits: int = 0  # overlap a swap, wrong restoration
    precision: float | None = None
    the_swaps: int = 0
    the_restored: int = 0
    the_accuracy: float | None = None
    genuine_a: int = 0  # "a" in the spun text that was "a" in the original too
    genuine_a_changed: int = 0
    content_swaps: int = 0
    content_restored: int = 0
    content_recall: float | None = None
    content_edits: int = 0
    content_correct: int = 0
    content_precision: float | None = None
    fingerprint_swaps: int = 0  # content swaps whose (spun, original) is in field-fingerprints.tsv
    fingerprint_restored: int = 0
    fingerprint_recall: float | None = None
    non_fingerprint_swaps: int = 0
    non_fingerprint_restored: int = 0
    non_fingerprint_recall: float | None = None
    recall_by_kind: dict[str, float | None] = field(default_factory=dict)
    swaps_by_kind: dict[str, int] = field(default_factory=dict)
    clean_words: int = 0
    clean_false_edits: int = 0
    clean_false_per_1k: float | None = None
    # the document spin score (see :func:`evaluate`'s ``score_fn``): spun texts with at least one swap against the clean ones
    spin_auc: float | None = None  # P(a spun text scores higher than a clean one), ties count half
    spin_flagged: float | None = None  # share of spun texts scoring >= SPIN_FLAG
    clean_flagged: float | None = None  # share of clean texts scoring >= SPIN_FLAG
    seconds: float = 0.0
    words_per_s: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (JSON-ready)."""
        return asdict(self)


def _ratio(a: int, b: int) -> float | None:
    return a / b if b else None


def _norm(s: str) -> str:
    return " ".join(s.replace("’", "'").split()).casefold()


def _n_words(text: str) -> int:
    return sum(1 for t in tokenize(text) if t.is_word)


def _overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    if a_start == a_end:  # an insertion overlaps a span it lies strictly inside
        return b_start < a_start < b_end
    return a_start < b_end and b_start < a_end


def _effective(edits: Iterable[EditLike]) -> list[EditLike]:
    """Edits that change something, by start."""
    return sorted((e for e in edits if _norm(e.original) != _norm(e.spun)), key=lambda e: (e.start, e.end))


def _replace(text: str, offset: int, items: Iterable[tuple[int, int, str]]) -> str:
    out, pos = [], offset
    for start, end, new in sorted(items):
        out += [text[pos - offset : start - offset], new]
        pos = end
    out.append(text[pos - offset :])
    return "".join(out)


def align(spun: str, swaps: Sequence[Swap], edits: Sequence[EditLike]) -> tuple[set[int], set[int], set[int]]:
    """Align one document: (restored swap indices, correct edit indices, false edit indices).

    ``edits`` must already be the effective edits (see module docstring for the rules).
    """
    n_s = len(swaps)
    # union-find over swaps (0..n_s-1) and edits (n_s..)
    parent = list(range(n_s + len(edits)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    overlapping: dict[int, list[int]] = defaultdict(list)  # edit -> swaps
    for ei, e in enumerate(edits):
        for si, s in enumerate(swaps):
            if _overlaps(e.start, e.end, s.start, s.end):
                overlapping[ei].append(si)
                parent[find(n_s + ei)] = find(si)
    groups: dict[int, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    for si in range(n_s):
        groups[find(si)][0].append(si)
    for ei in range(len(edits)):
        groups[find(n_s + ei)][1].append(ei)

    restored: set[int] = set()
    correct: set[int] = set()
    false: set[int] = {ei for ei in range(len(edits)) if not overlapping[ei]}
    for g_swaps, g_edits in groups.values():
        if not g_swaps or not g_edits:
            continue
        lo = min([swaps[i].start for i in g_swaps] + [edits[i].start for i in g_edits])
        hi = max([swaps[i].end for i in g_swaps] + [edits[i].end for i in g_edits])
        segment = spun[lo:hi]
        expected = _replace(segment, lo, ((swaps[i].start, swaps[i].end, swaps[i].original) for i in g_swaps))
        got = _replace(segment, lo, ((edits[i].start, edits[i].end, edits[i].original) for i in g_edits))
        if _norm(expected) == _norm(got):
            restored.update(g_swaps)
            correct.update(g_edits)
            continue
        for ei in g_edits:
            e = edits[ei]
            for si in overlapping[ei]:
                s = swaps[si]
                if _norm(e.original) == _norm(s.original):
                    correct.add(ei)
                    if (e.start, e.end) == (s.start, s.end):
                        restored.add(si)
    return restored, correct, false


def pair_key(swap: Swap) -> tuple[str, str]:
    """``(spun, original)`` of ``swap`` as field-fingerprints.tsv writes pairs (tokens, lower case)."""
    return _norm(" ".join(t.text for t in tokenize(swap.spun))), _norm(" ".join(t.text for t in tokenize(swap.original)))


def evaluate(
    pairs: Sequence[SpunText],
    restore_fn: RestoreFn,
    clean_texts: Sequence[str] | None = None,
    score_fn: ScoreFn | None = None,
    fingerprints: frozenset[tuple[str, str]] | None = None,
) -> Metrics:
    """Score ``restore_fn`` on spun/original ``pairs``.

    Args:
        pairs: Spun texts with their swaps (from :class:`scripts.spinner.Spinner`).
        restore_fn: Text -> edits (spans into that text), e.g.
            ``lambda t: service.restore_and_explain(t, engine="rules").edits``.
        clean_texts: Unspun texts for the false-positive rate; default: the distinct
            originals of ``pairs``. Pass ``[]`` to skip.
        score_fn: Text -> its document spin score; when given, the spin figures say how
            well it tells the spun texts (those with a swap) from the clean ones.
        fingerprints: The ``(spun, original)`` pairs counted as fingerprints (:func:`pair_key`);
            default: field-fingerprints.tsv.

    Returns:
        The :class:`Metrics`.
    """
    m = Metrics(docs=len(pairs))
    known = read_fingerprints() if fingerprints is None else fingerprints
    kind_total: dict[str, int] = defaultdict(int)
    kind_restored: dict[str, int] = defaultdict(int)
    for pair in pairs:
        m.words += _n_words(pair.spun)
        t0 = time.perf_counter()
        edits = _effective(restore_fn(pair.spun) or [])
        m.seconds += time.perf_counter() - t0
        swaps = sorted(pair.swaps, key=lambda s: s.start)
        restored, correct, false = align(pair.spun, swaps, edits)
        m.swaps += len(swaps)
        m.restored += len(restored)
        m.edits += len(edits)
        m.correct_edits += len(correct)
        m.false_edits += len(false)
        m.wrong_edits += len(edits) - len(correct) - len(false)
        article_spans = [(s.start, s.end) for s in swaps if s.kind in ("the", "number")]
        for si, s in enumerate(swaps):
            ok = si in restored
            kind_total[s.kind] += 1
            kind_restored[s.kind] += ok
            if s.kind == "the":
                m.the_swaps += 1
                m.the_restored += ok
            elif s.kind != "number":
                m.content_swaps += 1
                m.content_restored += ok
                if pair_key(s) in known:  # content swaps only: "a" <- "the" has its own figure
                    m.fingerprint_swaps += 1
                    m.fingerprint_restored += ok
                else:
                    m.non_fingerprint_swaps += 1
                    m.non_fingerprint_restored += ok
        for ei, e in enumerate(edits):
            if any(_overlaps(e.start, e.end, a, b) for a, b in article_spans):
                continue
            if edit_kind(e) != "content":
                continue  # article / number edits are scored by the "the" and number figures
            m.content_edits += 1
            m.content_correct += ei in correct
        # genuine "a": word tokens "a"/"A" in the spun text that no swap produced
        for tok in tokenize(pair.spun):
            if tok.text.lower() != "a" or any(s.start < tok.end and tok.start < s.end for s in swaps):
                continue
            m.genuine_a += 1
            if any(_overlaps(e.start, e.end, tok.start, tok.end) for e in edits):
                m.genuine_a_changed += 1
    if clean_texts is None:
        clean_texts = list(dict.fromkeys(p.original for p in pairs))
    for text in clean_texts:
        m.clean_words += _n_words(text)
        m.clean_false_edits += len(_effective(restore_fn(text) or []))
    m.recall = _ratio(m.restored, m.swaps)
    m.precision = _ratio(m.correct_edits, m.edits)
    m.the_accuracy = _ratio(m.the_restored, m.the_swaps)
    m.content_recall = _ratio(m.content_restored, m.content_swaps)
    m.content_precision = _ratio(m.content_correct, m.content_edits)
    m.fingerprint_recall = _ratio(m.fingerprint_restored, m.fingerprint_swaps)
    m.non_fingerprint_recall = _ratio(m.non_fingerprint_restored, m.non_fingerprint_swaps)
    m.swaps_by_kind = dict(sorted(kind_total.items()))
    m.recall_by_kind = {k: _ratio(kind_restored[k], n) for k, n in sorted(kind_total.items())}
    m.clean_false_per_1k = 1000 * m.clean_false_edits / m.clean_words if m.clean_words else None
    if score_fn is not None:
        m.spin_auc, m.spin_flagged, m.clean_flagged = spin_separation(
            [score_fn(p.spun) for p in pairs if p.swaps], [score_fn(t) for t in clean_texts]
        )
    m.words_per_s = m.words / m.seconds if m.seconds > 0 else None
    return m


def edit_kind(edit: EditLike) -> str:
    """"article" ("a" -> "the"), "number" (a digit written out) or "content" (any other edit), as
    :func:`evaluate` scores them.

    >>> from service import Edit
    >>> [edit_kind(Edit(0, 1, s, o, 0.9, "x")) for s, o in (("A", "The"), ("9", "nine"), ("infantry", "troops"))]
    ['article', 'number', 'content']
    """
    if _norm(edit.spun) in ("a", "an"):
        return "article"
    return "number" if edit.spun.strip().isdigit() else "content"


def reliability(
    pairs: Sequence[SpunText], restore_fn: RestoreFn, bins: Sequence[float] = RELIABILITY_BINS
) -> dict[str, list[tuple[int, int]]]:
    """What an edit's confidence means: per :func:`edit_kind` and confidence bin (``bins``: [lo, hi), the last
    one closed), (edits, right edits) over the edits ``restore_fn`` makes on the spun texts of ``pairs``.
    ``restore_fn`` should keep every edit (``min_confidence`` 0); an edit without a confidence counts as 1.0."""
    table = {kind: [(0, 0)] * (len(bins) - 1) for kind in EDIT_KINDS}
    for pair in pairs:
        edits = _effective(restore_fn(pair.spun) or [])
        _, correct, _ = align(pair.spun, sorted(pair.swaps, key=lambda s: s.start), edits)
        for k, e in enumerate(edits):
            p = getattr(e, "confidence", 1.0)
            b = next((j for j in range(len(bins) - 1) if p < bins[j + 1]), len(bins) - 2)
            row = table[edit_kind(e)]
            n, right = row[b]
            row[b] = (n + 1, right + (k in correct))
    return table


def spin_separation(spun: Sequence[float], clean: Sequence[float]) -> tuple[float | None, float | None, float | None]:
    """(AUC, share of ``spun`` flagged, share of ``clean`` flagged) of document spin scores.

    The AUC is the probability that a spun text scores higher than a clean one (ties
    count half); a text is flagged at a score of :data:`SPIN_FLAG` or more.

    >>> spin_separation([0.9, 0.6, 0.2], [0.1, 0.2])
    (0.9166666666666666, 0.6666666666666666, 0.0)
    >>> spin_separation([], [0.1])
    (None, None, 0.0)
    """
    pairs = len(spun) * len(clean)
    auc = sum((s > c) + 0.5 * (s == c) for s in spun for c in clean) / pairs if pairs else None
    return auc, _ratio(sum(s >= SPIN_FLAG for s in spun), len(spun)), _ratio(sum(c >= SPIN_FLAG for c in clean), len(clean))


# ---------------------------------------------------------------- data


def load_reuters(n_docs: int = DEFAULT_DOCS, files: Sequence[str] = DEV_FILES, root: Path = REUTERS) -> list[str]:
    """The fixed dev subset: the first ``n_docs`` bodies of >= MIN_WORDS words from ``files``."""
    docs: list[str] = []
    for name in files:
        with lzma.open(root / name, "rt", encoding="latin-1") as f:
            raw = f.read()
        for m in _BODY_RE.finditer(raw):
            body = html.unescape(m.group(1)).replace("\x03", "")
            body = _SIGNOFF_RE.sub("", body.rstrip()).strip()
            if _n_words(body) >= MIN_WORDS:
                docs.append(body)
                if len(docs) >= n_docs:
                    return docs
    return docs


def first_words(text: str, n: int) -> str:
    """``text`` up to the end of its ``n``-th word (whitespace-separated), its layout kept: a headline or
    teaser-sized text (``--first-words``).

    >>> first_words("Officials said\\non Monday that", 3)
    'Officials said\\non'
    """
    for k, m in enumerate(re.finditer(r"\S+", text), 1):
        if k == n:
            return text[: m.end()]
    return text


#: Lines a site adds to an article it publishes, never spun (each has a lower-case "the"): ``--footer``.
FOOTERS = (
    "Read the full story on our website.",
    "Sign up for the morning newsletter to get the day's top stories.",
    "Follow us on social media for the latest updates.",
    "Copyright 2026. All rights reserved by the publisher.",
)


def _footed(text: str, footer: str) -> str:
    """``text`` with ``footer`` as its last paragraph (``--footer``)."""
    return f"{text}\n\n{footer}"


def with_footer(pair: SpunText, footer: str) -> SpunText:
    """``pair`` with ``footer`` as a last paragraph of both its texts, unspun (``--footer``).

    >>> with_footer(SpunText("A army left.", "The forces left.", []), FOOTERS[0]).spun
    'A army left.\\n\\nRead the full story on our website.'
    """
    return pair._replace(spun=_footed(pair.spun, footer), original=_footed(pair.original, footer))


# ---------------------------------------------------------------- report


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.1f}%"


def _fraction(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def format_metrics(style: str, m: Metrics) -> str:
    """A short human-readable block for one style."""
    kinds = ", ".join(f"{k} {_pct(v)} (n={m.swaps_by_kind[k]})" for k, v in m.recall_by_kind.items())
    rate = "n/a" if m.words_per_s is None else f"{m.words_per_s:.0f}"
    clean = "n/a" if m.clean_false_per_1k is None else f"{m.clean_false_per_1k:.2f}"
    return "\n".join(
        [
            f"style {style}: {m.docs} docs, {m.words} words, {m.swaps} swaps, {m.edits} edits",
            (
                f"  recall (all swaps)        {_pct(m.recall)}   precision (edits) {_pct(m.precision)}"
                f"   false edits {m.false_edits}, wrong edits {m.wrong_edits}"
            ),
            (
                f"  'the' restored            {_pct(m.the_accuracy)} of {m.the_swaps};"
                f" genuine 'a' wrongly changed {m.genuine_a_changed} of {m.genuine_a}"
            ),
            (
                f"  content words             recall {_pct(m.content_recall)} (n={m.content_swaps}),"
                f" precision {_pct(m.content_precision)} (n={m.content_edits})"
            ),
            (
                f"  fingerprint pairs         recall {_pct(m.fingerprint_recall)} (n={m.fingerprint_swaps});"
                f" not fingerprints {_pct(m.non_fingerprint_recall)} (n={m.non_fingerprint_swaps})"
            ),
            f"  by kind                   {kinds}",
            f"  clean articles            {clean} false edits / 1,000 words ({m.clean_false_edits} in {m.clean_words})",
            (
                f"  spin score                AUC {_fraction(m.spin_auc)} spun vs clean; flagged (>= {SPIN_FLAG}):"
                f" spun {_pct(m.spin_flagged)}, clean {_pct(m.clean_flagged)}"
            ),
            f"  speed                     {rate} words/s",
        ]
    )


def sweep_table(rows: Sequence[dict[str, Any]]) -> str:
    """Markdown table of a ``min_confidence`` sweep (the rows ``main`` collects)."""
    lines = ["| min_confidence | recall | precision | content R | content P | clean false/1k words |", "|---|---|---|---|---|---|"]
    for r in rows:
        clean = "n/a" if r["clean_false_per_1k"] is None else f"{r['clean_false_per_1k']:.2f}"
        lines.append(f"| {r['min_confidence']:.2f} | {_pct(r['recall'])} | {_pct(r['precision'])} | "
                     f"{_pct(r['content_recall'])} | {_pct(r['content_precision'])} | {clean} |")
    return "\n".join(lines)


def reliability_table(table: dict[str, list[tuple[int, int]]], bins: Sequence[float] = RELIABILITY_BINS) -> str:
    """Markdown table of :func:`reliability`: per confidence bin and edit kind, the edits and the share right."""
    lines = [
        "| confidence | " + " | ".join(f"{kind} edits | right" for kind in EDIT_KINDS) + " |",
        "|---" + "|---:|---:" * len(EDIT_KINDS) + "|",
    ]
    for j in range(len(bins) - 1):
        closing = "]" if j == len(bins) - 2 else ")"
        cells = [f"{n} | {_pct(_ratio(right, n))}" for n, right in (table[kind][j] for kind in EDIT_KINDS)]
        lines.append(f"| [{bins[j]:.2f}, {bins[j + 1]:.2f}{closing} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def markdown_table(results: dict[str, Metrics]) -> str:
    """One row per style, for BENCHMARKS.md."""
    head = (
        "| style | docs | words | swaps | recall | precision | 'the' acc. | genuine 'a' changed | content R | "
        "content P | fingerprint R | non-fingerprint R | 'other' R | clean false/1k words | spin AUC | "
        "spun flagged | clean flagged | words/s |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n"
    )
    rows = []
    for style, m in results.items():
        clean = "n/a" if m.clean_false_per_1k is None else f"{m.clean_false_per_1k:.2f}"
        rate = "n/a" if m.words_per_s is None else f"{m.words_per_s:.0f}"
        rows.append(
            f"| {style} | {m.docs} | {m.words} | {m.swaps} | {_pct(m.recall)} | {_pct(m.precision)} | "
            f"{_pct(m.the_accuracy)} | {m.genuine_a_changed}/{m.genuine_a} | {_pct(m.content_recall)} | "
            f"{_pct(m.content_precision)} | {_pct(m.fingerprint_recall)} | {_pct(m.non_fingerprint_recall)} | "
            f"{_pct(m.recall_by_kind.get('other'))} | {clean} | {_fraction(m.spin_auc)} | {_pct(m.spin_flagged)} | "
            f"{_pct(m.clean_flagged)} | {rate} |"
        )
    return head + "\n".join(rows) + "\n"


# ---------------------------------------------------------------- CLI


class EngineRestorer:
    """``text -> edits`` through the service, memoised by text (with each text's spin score).

    ``engine="none"`` makes no edits (a baseline, and a smoke test of the pipeline).
    :meth:`restore_batches` restores texts ``batch`` at a time with ``service.restore_many``,
    so the engine pools the spinner's table over each batch as a pipeline sending batches would.
    With ``markup`` ("html" or "markdown"), the engine gets each text as inline HTML
    (:func:`scripts.markup.add_markup`) or Markdown (:func:`scripts.markup.add_markdown`) and its edits
    are mapped back to the text; an engine that loses a tag or a mark raises ``AssertionError``.
    """

    def __init__(self, engine: str, min_confidence: float, batch: int = 1, spinner_table: Any = None, markup: str | None = None) -> None:
        self.engine, self.min_confidence, self.batch, self.markup = engine, min_confidence, batch, markup
        self.options = {"engine": engine, "min_confidence": min_confidence, "spinner_table": spinner_table}
        self.marked: dict[str, Marked] = {}
        self.memo: dict[str, list[Any]] = {}
        self.scores: dict[str, float] = {}
        self.seconds = 0.0

    def restore_batches(self, texts: Sequence[str]) -> None:
        """Restore ``texts`` in batches (only when ``batch`` > 1) and remember the edits."""
        if self.engine == "none" or self.batch <= 1:
            return
        import service

        todo = [t for t in dict.fromkeys(texts) if t not in self.memo]
        for k in range(0, len(todo), self.batch):
            chunk = todo[k : k + self.batch]
            t0 = time.perf_counter()
            results = service.restore_many([self._sent(t) for t in chunk], **self.options)
            self.seconds += time.perf_counter() - t0
            for text, result in zip(chunk, results, strict=True):
                self._remember(text, result)

    def __call__(self, text: str) -> list[Any]:
        if self.engine == "none":
            return []
        if text not in self.memo:
            import service

            t0 = time.perf_counter()
            result = service.restore_and_explain(self._sent(text), **self.options)
            self.seconds += time.perf_counter() - t0
            self._remember(text, result)
        return self.memo[text]

    def spin_score(self, text: str) -> float:
        """The document spin score the engine gave ``text`` (restoring it if not done yet)."""
        if self.engine == "none":
            return 0.0
        self(text)
        return self.scores[text]

    def _sent(self, text: str) -> str:
        """What the engine gets for ``text``: the text, or its HTML or Markdown form."""
        if not self.markup:
            return text
        if text not in self.marked:  # the markup drawn from the text itself: the same whatever else is evaluated
            self.marked[text] = FORMS[self.markup].add(text, zlib.crc32(text.encode("utf-8")))
        return self.marked[text].html

    def _remember(self, text: str, result: Any) -> None:
        edits = list(result.edits or [])
        if self.markup:
            marked = self.marked[text]
            marks = FORMS[self.markup].marks
            if marks(result.text) != marks(marked.html):
                raise AssertionError(f"the engine changed the markup of {marked.html[:80]!r}")
            edits = [
                e._replace(start=(a := marked.to_plain(e.start)), end=(b := marked.to_plain(e.end)), spun=text[a:b]) for e in edits
            ]
        self.memo[text] = edits
        self.scores[text] = result.spin_score


def _learn_table(texts: list[str], chunk: int) -> Any:
    """The spinner table ``texts`` teach: :func:`service.learn_spinner_table`, or in chunks of ``chunk``."""
    import service

    if not chunk:
        return service.learn_spinner_table(texts)
    learner = service.SpinnerTableLearner()
    for k in range(0, len(texts), chunk):
        learner.read(texts[k : k + chunk])
    return learner.table()


def _filtered(fn: Callable[[str], list[Any]], threshold: float) -> RestoreFn:
    return lambda text: [e for e in fn(text) if getattr(e, "confidence", 1.0) >= threshold]


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation from the command line."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--style", default="field,thesaurus,tortured", help="comma-separated spinner styles")
    ap.add_argument("--docs", type=int, default=DEFAULT_DOCS, help="number of Reuters dev articles")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--engine", default="rules", help="engine passed to service.restore_and_explain ('none': no edits, a baseline)")
    ap.add_argument("--min-confidence", type=float, default=0.5)
    ap.add_argument(
        "--sweep",
        default="",
        help="comma-separated min_confidence values: the engine runs once at the lowest one and "
        "its edits are filtered by confidence for the others",
    )
    ap.add_argument("--batch", type=int, default=1, help="documents per restore_many call (the engine pools over a batch)")
    ap.add_argument(
        "--table-docs",
        type=int,
        default=0,
        help="learn the spinner's table (service.learn_spinner_table) from this many other Reuters articles "
        f"({TABLE_FILES[0]} on), spun by the same spinner, and restore with it",
    )
    ap.add_argument(
        "--table-chunk",
        type=int,
        default=0,
        help="with --table-docs: learn from chunks of this many articles (service.SpinnerTableLearner), as a server "
        "feed does with UNSPIN_FEED_LEARN_EVERY; default: learn_spinner_table's chunks",
    )
    ap.add_argument(
        "--markup",
        nargs="?",
        const="html",
        choices=tuple(FORMS),
        help="send every text as inline HTML with WordPress's entities, or as Markdown (scripts/markup.py); edits are mapped back",
    )
    ap.add_argument(
        "--first-words",
        type=int,
        default=0,
        help="cut every article (spun and clean) to its first N words: headlines, teasers and short posts",
    )
    ap.add_argument(
        "--footer",
        action="store_true",
        help="end every article (spun and clean) with a line its site adds, unspun and with a lower-case \"the\" (FOOTERS)",
    )
    ap.add_argument(
        "--reliability",
        action="store_true",
        help="also restore at min_confidence 0 and report, per edit kind and confidence bin, the share of edits that are right",
    )
    ap.add_argument("--json", action="store_true", help="print the metrics as JSON")
    ap.add_argument("--write-benchmarks", action="store_true", help="replace this engine's section of BENCHMARKS.md")
    args = ap.parse_args(argv)

    styles = [s.strip() for s in args.style.split(",") if s.strip()]
    docs = load_reuters(args.docs)
    if args.first_words:
        docs = [first_words(d, args.first_words) for d in docs]
    bodies = docs
    footers = [FOOTERS[k % len(FOOTERS)] for k in range(len(docs))] if args.footer else []
    if footers:
        docs = [_footed(d, f) for d, f in zip(bodies, footers, strict=True)]
    sweep = sorted({float(x) for x in args.sweep.split(",") if x.strip()})
    base = 0.0 if args.reliability else min([args.min_confidence, *sweep])
    raw_fn = EngineRestorer(args.engine, base, args.batch, markup=args.markup)
    table_docs = load_reuters(args.table_docs, files=TABLE_FILES) if args.table_docs else []
    if not table_docs:
        raw_fn.restore_batches(docs)

    results: dict[str, Metrics] = {}
    sweeps: dict[str, list[dict[str, Any]]] = {}
    reliabilities: dict[str, dict[str, list[tuple[int, int]]]] = {}
    tables: dict[str, Any] = {}
    for style in styles:
        spinner = Spinner(style, args.seed)
        pairs = [spinner.spin(d) for d in bodies]
        if footers:
            pairs = [with_footer(p, f) for p, f in zip(pairs, footers, strict=True)]
        if table_docs:  # a table per spinner: clean texts are restored again with it
            tables[style] = _learn_table([spinner.spin(d).spun for d in table_docs], args.table_chunk)
            raw_fn = EngineRestorer(args.engine, base, args.batch, tables[style], markup=args.markup)
            raw_fn.restore_batches(docs)
        fn = _filtered(raw_fn, args.min_confidence)
        before = raw_fn.seconds
        raw_fn.restore_batches([p.spun for p in pairs])
        results[style] = m = evaluate(pairs, fn, clean_texts=docs, score_fn=raw_fn.spin_score)
        if args.batch > 1 and raw_fn.seconds > before:  # restored ahead of evaluate(): time the batches
            m.seconds = raw_fn.seconds - before
            m.words_per_s = m.words / m.seconds
        if sweep:
            rows = []
            for th in sweep:
                m = evaluate(pairs, _filtered(raw_fn, th), clean_texts=docs)
                rows.append(
                {
                    "min_confidence": th,
                    "recall": m.recall,
                    "precision": m.precision,
                    "content_recall": m.content_recall,
                    "content_precision": m.content_precision,
                    "clean_false_per_1k": m.clean_false_per_1k,
                }
            )
            sweeps[style] = rows
        if args.reliability:
            reliabilities[style] = reliability(pairs, raw_fn)

    if args.json:
        print(json.dumps({"engine": args.engine, "min_confidence": args.min_confidence, "docs": len(docs),
                          "results": {s: m.to_dict() for s, m in results.items()}, "sweep": sweeps,
                          "reliability": reliabilities}, indent=2))
    else:
        for style, m in results.items():
            if style in tables:
                t = tables[style]
                print(f"{style}: spinner table of {len(t.swaps)} swaps learnt from {t.documents} articles ({t.words:,} words)")
            print(format_metrics(style, m))
            if style in sweeps:
                print("  min_conf  recall  precision  content R  content P  clean false/1k")
                for r in sweeps[style]:
                    clean = r["clean_false_per_1k"]
                    print(f"  {r['min_confidence']:8.2f}  {_pct(r['recall']):>6}  {_pct(r['precision']):>9}  "
                          f"{_pct(r['content_recall']):>9}  {_pct(r['content_precision']):>9}  "
                          f"{'n/a' if clean is None else f'{clean:.2f}':>14}")
            if style in reliabilities:
                print(f"  reliability, {style} style: edits at min_confidence 0 and the share right, per confidence bin")
                print("\n".join("  " + line for line in reliability_table(reliabilities[style]).splitlines()))
    if args.write_benchmarks:
        from scripts.benchmarks_md import invocation, write_section

        body = (f"Reuters-21578 dev subset ({len(docs)} articles of >= {MIN_WORDS} words from "
                f"{', '.join(DEV_FILES)}), spinner seed {args.seed}, min_confidence {args.min_confidence}, "
                f"{args.batch} document(s) per call.\n\n")
        if args.first_words:
            body += f"Every article was cut to its first {args.first_words} words (spun and clean).\n\n"
        if args.footer:
            body += ("Every article (spun and clean) ends with a line its site adds, unspun: one of "
                     + ", ".join(f'"{f}"' for f in FOOTERS) + " in turn.\n\n")
        if args.markup:
            body += FORMS[args.markup].description + "\n\n"
        learnt_by = (f"in chunks of {args.table_chunk} by `service.SpinnerTableLearner` (as a server feed learns)"
                     if args.table_chunk else "by `service.learn_spinner_table`")
        for style, t in tables.items():
            body += (f"With the {style} spinner's table learnt {learnt_by} from {t.documents} "
                     f"other Reuters articles ({t.words:,} words, from {TABLE_FILES[0]} on) spun by the same spinner: "
                     f"{len(t.swaps)} swaps.\n\n")
        body += markdown_table(results)
        for style, rows in sweeps.items():
            body += f"\n\n`min_confidence` sweep, {style} style:\n\n" + sweep_table(rows)
        for style, table in reliabilities.items():
            body += (f"\n\nReliability, {style} style: every edit the engine makes at min_confidence 0 on the spun "
                     "articles, by kind and confidence, and the share that is right:\n\n" + reliability_table(table))
        command = invocation([__file__, *(argv if argv is not None else sys.argv[1:])])
        batching = f", first {args.first_words} words" if args.first_words else ""
        batching += f", batches of {args.batch}" if args.batch > 1 else ""
        batching += f", spinner table from {args.table_docs} articles" if args.table_docs else ""
        batching += f" in chunks of {args.table_chunk}" if args.table_docs and args.table_chunk else ""
        batching += f", spinner seed {args.seed}" if args.seed else ""
        batching += f", as {FORMS[args.markup].label}" if args.markup else ""
        batching += ", with a footer" if args.footer else ""
        write_section(f"Restoration quality: {args.engine} engine, {len(docs)} articles{batching}", body, command)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
