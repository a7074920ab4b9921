"""False edits on clean news beyond the dev articles: every edit the engine makes to unspun Reuters articles is false.

``scripts/evaluate.py`` counts false edits on the clean originals of its 200 dev articles (about 36,000 words, a
dozen edits). This restores many more clean articles (by default the first 1,000 of reut2-018 and reut2-019, not dev
files), ``--batch`` at a time as a pipeline would send them, and lists what it changed, by source and by pair, so a
class of false edits shows (a thesaurus sister term changing a fact, a batch's table learnt from one article).

``--paragraphs-from DIR`` restores clean English of another register instead: paragraphs of the README, NEWS and
changelog files under ``DIR`` (``/usr/share/doc`` on Debian: release notes, changelogs, manuals; what a machine holds
there depends on its packages, so the report says how many files gave paragraphs).

Usage::

    python -m scripts.evaluate_clean [--docs 1000] [--batch 50] [--min-confidence 0.5] [--list 20] [--write-benchmarks]
    python -m scripts.evaluate_clean --paragraphs-from /usr/share/doc --docs 800 --batch 1
"""

from __future__ import annotations

import argparse
import gzip
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from scripts.evaluate import load_reuters

__all__ = ["CLEAN_FILES", "CleanReport", "doc_paragraphs", "false_edits", "main"]

CLEAN_FILES = ("reut2-018.sgm.xz", "reut2-019.sgm.xz")
# --paragraphs-from: the files read, and the paragraphs taken from each (the first few, mostly letters, of 30-400 words)
DOC_FILE_RE = re.compile(r"(README|NEWS|changelog|CHANGES|TODO|AUTHORS|FAQ)", re.IGNORECASE)
DOC_PARAGRAPHS_PER_FILE = 3


class CleanReport(NamedTuple):
    """What the engine changed in clean articles (every change is a false edit)."""

    docs: int
    words: int
    edits: list[tuple[str, str, str, float]]  # (spun text, replacement, source, confidence)
    flagged: int  # articles with a spin score of 0.5 or more
    seconds: float

    @property
    def per_1k(self) -> float:
        return 1000 * len(self.edits) / self.words if self.words else 0.0


def false_edits(texts: Sequence[str], batch: int = 50, min_confidence: float = 0.5) -> CleanReport:
    """Restore clean ``texts``, ``batch`` per ``service.restore_many`` call, and collect every edit."""
    import service

    edits: list[tuple[str, str, str, float]] = []
    flagged = 0
    t0 = time.perf_counter()
    for k in range(0, len(texts), batch):
        for result in service.restore_many(list(texts[k : k + batch]), engine="rules", min_confidence=min_confidence):
            edits += [(e.spun, e.original, e.source, e.confidence) for e in result.edits]
            flagged += result.spin_score >= 0.5
    return CleanReport(len(texts), sum(len(t.split()) for t in texts), edits, flagged, time.perf_counter() - t0)


def doc_paragraphs(root: Path, n: int, seed: int = 0) -> tuple[list[str], int]:
    """Clean English of other registers: the first :data:`DOC_PARAGRAPHS_PER_FILE` paragraphs (30-400 words, over 60 %
    letters) of each README, NEWS, changelog... file under ``root`` (plain or gzipped, UTF-8), shuffled (``seed``),
    each text once; the first ``n``, and how many files gave any."""
    found: list[str] = []
    files = 0
    for path in sorted(p for p in root.rglob("*") if p.is_file() and DOC_FILE_RE.match(p.name)):
        try:
            raw = gzip.open(path, "rt", encoding="utf-8").read() if path.suffix == ".gz" else path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError, EOFError):
            continue
        taken = [
            p
            for p in [p for p in re.split(r"\n\s*\n", raw) if 30 <= len(p.split()) <= 400][:DOC_PARAGRAPHS_PER_FILE]
            if sum(c.isalpha() for c in p) > 0.6 * len(p)
        ]
        files += bool(taken)
        found += taken
    random.Random(seed).shuffle(found)
    seen: set[str] = set()
    unique: list[str] = []
    for p in found:
        if p.strip() not in seen:
            seen.add(p.strip())
            unique.append(p)
    return unique[:n], files


def report(r: CleanReport, n_list: int, what: str = "") -> str:
    """Markdown: the totals, the edits by source, the most frequent pairs (``what``: the texts, if not the Reuters
    articles)."""
    sources = Counter(source for _, _, source, _ in r.edits)
    pairs = Counter((spun, original) for spun, original, _, _ in r.edits)
    what = what or f"Clean Reuters articles ({', '.join(CLEAN_FILES)}, the first {r.docs} of >= 80 words)"
    lines = [
        f"{what}, restored by the rules engine; every edit is false.",
        "",
        "| texts | words | false edits | per 1,000 words | flagged as spun (score >= 0.5) |",
        "|--:|--:|--:|--:|--:|",
        f"| {r.docs} | {r.words} | {len(r.edits)} | {r.per_1k:.2f} | {r.flagged} ({100 * r.flagged / max(r.docs, 1):.1f} %) |",
        "",
        "By source: " + (", ".join(f"{source} {n}" for source, n in sources.most_common()) or "none") + ".",
    ]
    if n_list and pairs:
        lines += ["", "| spun | restored as | times |", "|---|---|--:|"]
        lines += [f"| {spun} | {original} | {n} |" for (spun, original), n in pairs.most_common(n_list)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--batch", type=int, default=50, help="documents per restore_many call")
    ap.add_argument("--min-confidence", type=float, default=0.5)
    ap.add_argument("--list", type=int, default=20, help="most frequent false pairs to list")
    ap.add_argument("--paragraphs-from", type=Path, metavar="DIR", help="paragraphs of the README, NEWS and changelog files under DIR instead")
    ap.add_argument("--write-benchmarks", action="store_true", help="replace this section of BENCHMARKS.md")
    args = ap.parse_args(argv)
    if args.paragraphs_from:
        texts, files = doc_paragraphs(args.paragraphs_from, args.docs)
        if not texts:
            ap.error(f"no README, NEWS or changelog paragraphs of 30-400 words under {args.paragraphs_from}")
        what = f"Paragraphs of README, NEWS and changelog files under `{args.paragraphs_from}` ({len(texts)} from {files} files)"
        title = f"Clean text of other registers: {len(texts)} paragraphs, batches of {args.batch}"
    else:
        texts, what, title = load_reuters(args.docs, files=CLEAN_FILES), "", f"Clean articles: {args.docs} of reut2-018/019, batches of {args.batch}"
    r = false_edits(texts, args.batch, args.min_confidence)
    text = report(r, args.list, what)
    print(text)
    print(f"({r.seconds:.0f} s)")
    if args.write_benchmarks:
        from scripts.benchmarks_md import invocation, write_section

        command = invocation([__file__, *(argv if argv is not None else sys.argv[1:])])
        write_section(title, text, command)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
