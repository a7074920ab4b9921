"""Real spinner swaps the engine does not know: the field fingerprints, held out fold by fold.

``scripts/evaluate.py`` measures generalisation on swaps of its emulator's random tables. The field
fingerprints (``../shared/data/field-fingerprints.tsv``) are the one sample of a real spinner's
table, so this measures it on real swaps: the fingerprint pairs are split into ``--folds`` folds,
and for each fold the reversal dictionary is rebuilt without that fold's pairs
(``scripts/build_dictionary.py --fingerprints``: no fingerprint entry, no inflection of one, so
only the thesauri, the language model and the batch can propose them), the Reuters dev articles
are spun by the field spinner with its real swaps only ("the" -> "a", number words and every
fingerprint, no emulated table: ``Spinner("field", rate=0)``), and the engine restores them with
the fold's dictionary (``UNSPIN_DICTIONARY_PATH``, in a process of its own). Recall on the held-out
fold's swaps is recall on real swaps that no source of the engine lists as such.

With ``--list tortured`` the same is done for the tortured phrases of scientific papers
(``../shared/data/tortured-phrases.tsv``; ``scripts/build_dictionary.py --tortured``): Reuters holds few of them
(32 distinct phrases in the 200 dev articles), so the text is Wikipedia paragraphs (``--wiki-file``, by default
``enwiki-major-15``, the verifier's file; 40-250 words) in which ``Spinner("tortured", rate=0)`` writes at least one
tortured phrase and nothing else. The shipped language model was trained on that file too; ``--lm`` restores with
another one (``scripts/train_lm.py --exclude enwiki-major-15`` builds one that never saw it), and the report says
which model read the paragraphs.

Usage::

    python -m scripts.evaluate_held_out [--folds 5] [--docs 200] [--batch 1] [--min-confidence 0.5] [--write-benchmarks]
    python -m scripts.evaluate_held_out --list tortured --docs 1000 [--lm PATH] [--write-benchmarks]

The dictionaries are built once per fold into ``--work-dir`` (about 2 minutes each) and reused.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scripts.spinner import FINGERPRINTS, TORTURED, SpunText, read_pairs  # noqa: E402
from scripts.train_tokenizer import WIKI_DIR  # noqa: E402

__all__ = ["LISTS", "folds", "main", "wiki_paragraphs"]

_ARTICLE_PAIRS = {("a", "the"), ("a", "its")}  # the article rule's business, not the dictionary's


class _List(NamedTuple):
    """A list of real swaps: its file, its header, the build_dictionary option that replaces it, its folders' prefix."""

    path: Path
    header: tuple[str, str]
    option: str
    prefix: str


LISTS = {
    "fingerprints": _List(FINGERPRINTS, ("spun", "original"), "--fingerprints", "fold"),
    "tortured": _List(TORTURED, ("tortured", "expected"), "--tortured", "tortured-fold"),
}


def folds(k: int, kind: str = "fingerprints") -> list[list[tuple[str, str]]]:
    """The pairs (spun, original) of list ``kind`` (the fingerprints but the article ones), dealt into ``k`` folds in
    file order."""
    pairs = [p for p in read_pairs(LISTS[kind].path, LISTS[kind].header) if p not in _ARTICLE_PAIRS]
    return [pairs[i::k] for i in range(k)]


def _dictionary(work: Path, fold: int, held: list[tuple[str, str]], kind: str = "fingerprints") -> Path:
    """The reversal dictionary built without the ``held`` pairs of list ``kind`` (built once, then reused while the
    list it was built from is the same)."""
    source = LISTS[kind]
    out = work / f"{source.prefix}{fold}"
    kept = work / f"{source.prefix}{fold}-{kind}.tsv"
    kept_pairs = [p for p in read_pairs(source.path, source.header) if p not in set(held)]
    wanted = "\t".join(source.header) + "\n" + "".join(f"{spun}\t{original}\n" for spun, original in kept_pairs)
    found = sorted(out.glob("reverse_synonyms_*.tsv.gz"))
    if found and kept.is_file() and kept.read_text(encoding="utf-8") == wanted:
        return found[-1]
    for old in found:
        old.unlink()
    out.mkdir(parents=True, exist_ok=True)
    kept.write_text(wanted, encoding="utf-8")
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_dictionary.py"), "--out-dir", str(out), source.option, str(kept)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return sorted(out.glob("reverse_synonyms_*.tsv.gz"))[-1]


def wiki_paragraphs(path: Path, n: int, seed: int = 0, min_words: int = 40, max_words: int = 250) -> list[SpunText]:
    """The first ``n`` paragraphs of the Wikipedia extract ``path`` (``min_words`` to ``max_words`` words) in which
    ``Spinner("tortured", seed, rate=0)`` writes a tortured phrase, spun by it."""
    from scripts.spinner import Spinner
    from scripts.train_lm import corpus_paragraphs

    spinner = Spinner("tortured", seed, rate=0.0)
    out = []
    for paragraph in corpus_paragraphs(path):
        if min_words <= len(paragraph.split()) <= max_words:
            spun = spinner.spin(paragraph)
            if spun.swaps:
                out.append(spun)
                if len(out) == n:
                    break
    return out


def _worker(args: argparse.Namespace) -> int:
    """One fold, in this process (its dictionary is ``UNSPIN_DICTIONARY_PATH``): print the figures as JSON."""
    from scripts.evaluate import EngineRestorer, _filtered, align, evaluate, load_reuters, pair_key
    from scripts.spinner import Spinner, fingerprint_key, read_fingerprints

    held = {fingerprint_key(s, o) for s, o in json.loads(args.held)}
    if args.list == "tortured":
        spun = wiki_paragraphs(args.wiki_file, args.docs, args.seed)
        docs = [p.original for p in spun]
        known = frozenset()  # no field fingerprint in these texts
    else:
        docs = load_reuters(args.docs)
        spun = [Spinner("field", args.seed, rate=0.0).spin(d) for d in docs]
        known = read_fingerprints() - held
    restorer = EngineRestorer("rules", args.min_confidence, args.batch)
    restorer.restore_batches(docs)
    restorer.restore_batches([p.spun for p in spun])
    fn = _filtered(restorer, args.min_confidence)
    m = evaluate(spun, fn, clean_texts=docs, fingerprints=known)
    by_pair: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # "spun -> original": [places, restored]
    for pair in spun:
        swaps = sorted(pair.swaps, key=lambda s: s.start)
        restored, _, _ = align(pair.spun, swaps, fn(pair.spun))
        for k, swap in enumerate(swaps):
            key = pair_key(swap)
            if key in held:
                counts = by_pair[f"{key[0]} -> {key[1]}"]
                counts[0] += 1
                counts[1] += k in restored
    print(json.dumps({"metrics": m.to_dict(), "by_pair": by_pair}))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run every fold (each in a process of its own) and print the held-out figures."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--docs", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--batch", type=int, default=1, help="documents per restore_many call")
    ap.add_argument("--min-confidence", type=float, default=0.5)
    ap.add_argument("--list", choices=sorted(LISTS), default="fingerprints", help="the real swaps held out")
    ap.add_argument("--wiki-file", type=Path, default=WIKI_DIR / "enwiki-major-15.xml.xz", help="--list tortured: the paragraphs' file")
    ap.add_argument("--lm", type=Path, help="the language model to restore with (default: the shipped one)")
    ap.add_argument("--list-pairs", type=int, default=60, help="held-out pairs listed in the report, most frequent first")
    ap.add_argument("--work-dir", type=Path, default=ROOT / "build" / "held_out", help="where the fold dictionaries are built")
    ap.add_argument("--write-benchmarks", action="store_true", help="replace this section of BENCHMARKS.md")
    ap.add_argument("--held", help=argparse.SUPPRESS)  # worker mode: the fold's held-out pairs as JSON
    args = ap.parse_args(argv)
    if args.held is not None:
        return _worker(args)

    t0 = time.perf_counter()
    results = []
    lm = _language_model(args.lm)
    for i, held in enumerate(folds(args.folds, args.list)):
        path = _dictionary(args.work_dir, i, held, args.list)
        cmd = [sys.executable, "-m", "scripts.evaluate_held_out", "--held", json.dumps(held), "--docs", str(args.docs),
               "--seed", str(args.seed), "--batch", str(args.batch), "--min-confidence", str(args.min_confidence),
               "--list", args.list, "--wiki-file", str(args.wiki_file)]
        env = {**os.environ, "UNSPIN_DICTIONARY_PATH": str(path), **({"UNSPIN_LM_PATH": str(args.lm)} if args.lm else {})}
        out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT, env=env).stdout
        results.append(json.loads(out.strip().splitlines()[-1]))
        m = results[-1]["metrics"]
        places, restored = _held_totals([results[-1]])
        print(f"fold {i}: {len(held)} pairs held out, {restored} of {places} of their places restored; "
              f"content precision {_pct(m['content_precision'])}", flush=True)
    text = report(results, args, sum(map(len, folds(args.folds, args.list))), lm)
    print(text)
    print(f"({time.perf_counter() - t0:.0f} s)")
    if args.write_benchmarks:
        from scripts.benchmarks_md import invocation, write_section

        command = invocation([__file__, *(argv if argv is not None else sys.argv[1:])])
        batching = f", batches of {args.batch}" if args.batch > 1 else ""
        what = "field fingerprints" if args.list == "fingerprints" else "tortured phrases, Wikipedia paragraphs"
        write_section(f"Real swaps held out: {what}, {args.folds} folds{batching}", text, command)
    return 0


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.1f} %"


def _held_totals(results: list[dict]) -> tuple[int, int]:
    """(places, restored) of the held-out pairs, over ``results``."""
    counts = [c for r in results for c in r["by_pair"].values()]
    return sum(c[0] for c in counts), sum(c[1] for c in counts)


def _language_model(path: Path | None) -> str:
    """What the report says of the language model that restores: which one, and whether it saw the Wikipedia file."""
    from service.lm import load_language_model

    info = load_language_model(path).info
    name = f"`{path}`" if path else "the shipped language model"
    held_out = info.get("held_out") or []
    return f"{name} (trained without {', '.join(held_out)})" if held_out else f"{name} (trained on every Wikipedia file)"


def report(results: list[dict], args: argparse.Namespace, n_pairs: int, lm: str = "") -> str:
    """The figures of all folds as Markdown: totals, then each held-out pair that occurs (of ``n_pairs``)."""
    total = defaultdict(int)
    for r in results:
        for name in ("content_edits", "content_correct", "clean_false_edits", "clean_words"):
            total[name] += r["metrics"][name]
    places, restored = _held_totals(results)
    pairs = {p: c for r in results for p, c in r["by_pair"].items()}
    seen = {p: c for p, c in pairs.items() if c[0]}
    setting = f"min_confidence {args.min_confidence}, {args.batch} document(s) per call"
    if args.list == "tortured":
        what = (
            f"{args.docs} paragraphs of `{args.wiki_file.name}` (40-250 words) spun with tortured phrases only "
            f"(`Spinner(\"tortured\", seed={args.seed}, rate=0)`), restored with {lm}, {setting}; "
            f"{n_pairs} tortured-phrase pairs in {args.folds} folds ({len(seen)} of them occur in the paragraphs), "
            "each fold's dictionary built without that fold's pairs (the other folds' stay). Clean false edits: "
            "on the same paragraphs unspun."
        )
    else:
        what = (
            f"Reuters-21578 dev subset ({args.docs} articles), field spinner seed {args.seed} with its real swaps only "
            f"(rate 0: \"the\" -> \"a\", number words, fingerprints), {setting}; {n_pairs} fingerprint pairs in "
            f"{args.folds} folds ({len(seen)} of them occur in the articles), each fold's dictionary built without that "
            "fold's pairs."
        )
    lines = [
        what,
        "",
        "| held-out swaps | restored | recall | pairs seen | pairs restored at least once | content precision (all folds) | clean false edits / 1,000 words |",
        "|---:|---:|---:|---:|---:|---:|---:|",
        f"| {places} | {restored} | {_pct(restored / max(1, places))} | {len(seen)} | "
        f"{sum(1 for c in seen.values() if c[1])} | {_pct(total['content_correct'] / max(1, total['content_edits']))} | "
        f"{1000 * total['clean_false_edits'] / max(1, total['clean_words']):.2f} |",
        "",
        "| held-out pair (spun -> original) | places | restored |",
        "|---|---:|---:|",
        *(f"| {p} | {c[0]} | {c[1]} |" for p, c in sorted(seen.items(), key=lambda kv: (-kv[1][0], kv[0]))[: args.list_pairs]),
    ]
    if len(seen) > args.list_pairs:
        lines.append(f"\n... and {len(seen) - args.list_pairs} more pairs ({sum(1 for c in seen.values() if c[1])} restored at least once in all).")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
