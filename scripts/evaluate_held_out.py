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

Usage::

    python -m scripts.evaluate_held_out [--folds 5] [--docs 200] [--batch 1] [--min-confidence 0.5] [--write-benchmarks]

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

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scripts.spinner import FINGERPRINTS, read_pairs  # noqa: E402

__all__ = ["folds", "main"]

_ARTICLE_PAIRS = {("a", "the"), ("a", "its")}  # the article rule's business, not the dictionary's


def folds(k: int) -> list[list[tuple[str, str]]]:
    """The fingerprint pairs (spun, original) but the article ones, dealt into ``k`` folds in file order."""
    pairs = [p for p in read_pairs(FINGERPRINTS, ("spun", "original")) if p not in _ARTICLE_PAIRS]
    return [pairs[i::k] for i in range(k)]


def _dictionary(work: Path, fold: int, held: list[tuple[str, str]]) -> Path:
    """The reversal dictionary built without the ``held`` fingerprints (built once, then reused while the
    fingerprints it was built from are the same)."""
    out = work / f"fold{fold}"
    kept = work / f"fold{fold}-fingerprints.tsv"
    kept_pairs = [p for p in read_pairs(FINGERPRINTS, ("spun", "original")) if p not in set(held)]
    wanted = "spun\toriginal\n" + "".join(f"{spun}\t{original}\n" for spun, original in kept_pairs)
    found = sorted(out.glob("reverse_synonyms_*.tsv.gz"))
    if found and kept.is_file() and kept.read_text(encoding="utf-8") == wanted:
        return found[-1]
    for old in found:
        old.unlink()
    out.mkdir(parents=True, exist_ok=True)
    kept.write_text(wanted, encoding="utf-8")
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_dictionary.py"), "--out-dir", str(out), "--fingerprints", str(kept)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return sorted(out.glob("reverse_synonyms_*.tsv.gz"))[-1]


def _worker(args: argparse.Namespace) -> int:
    """One fold, in this process (its dictionary is ``UNSPIN_DICTIONARY_PATH``): print the figures as JSON."""
    from scripts.evaluate import EngineRestorer, _filtered, align, evaluate, load_reuters, pair_key
    from scripts.spinner import Spinner, fingerprint_key, read_fingerprints

    held = {fingerprint_key(s, o) for s, o in json.loads(args.held)}
    docs = load_reuters(args.docs)
    spun = [Spinner("field", args.seed, rate=0.0).spin(d) for d in docs]
    restorer = EngineRestorer("rules", args.min_confidence, args.batch)
    restorer.restore_batches(docs)
    restorer.restore_batches([p.spun for p in spun])
    fn = _filtered(restorer, args.min_confidence)
    m = evaluate(spun, fn, clean_texts=docs, fingerprints=read_fingerprints() - held)
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
    ap.add_argument("--work-dir", type=Path, default=ROOT / "build" / "held_out", help="where the fold dictionaries are built")
    ap.add_argument("--write-benchmarks", action="store_true", help="replace this section of BENCHMARKS.md")
    ap.add_argument("--held", help=argparse.SUPPRESS)  # worker mode: the fold's held-out pairs as JSON
    args = ap.parse_args(argv)
    if args.held is not None:
        return _worker(args)

    t0 = time.perf_counter()
    results = []
    for i, held in enumerate(folds(args.folds)):
        path = _dictionary(args.work_dir, i, held)
        cmd = [sys.executable, "-m", "scripts.evaluate_held_out", "--held", json.dumps(held), "--docs", str(args.docs),
               "--seed", str(args.seed), "--batch", str(args.batch), "--min-confidence", str(args.min_confidence)]
        env = {**os.environ, "UNSPIN_DICTIONARY_PATH": str(path)}
        out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT, env=env).stdout
        results.append(json.loads(out.strip().splitlines()[-1]))
        m = results[-1]["metrics"]
        print(f"fold {i}: {len(held)} pairs held out, {m['non_fingerprint_restored']} of {m['non_fingerprint_swaps']} "
              f"of their places restored; content precision {_pct(m['content_precision'])}", flush=True)
    text = report(results, args, sum(map(len, folds(args.folds))))
    print(text)
    print(f"({time.perf_counter() - t0:.0f} s)")
    if args.write_benchmarks:
        from scripts.benchmarks_md import invocation, write_section

        command = invocation([__file__, *(argv if argv is not None else sys.argv[1:])])
        batching = f", batches of {args.batch}" if args.batch > 1 else ""
        write_section(f"Real swaps held out: field fingerprints, {args.folds} folds{batching}", text, command)
    return 0


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.1f} %"


def report(results: list[dict], args: argparse.Namespace, n_pairs: int) -> str:
    """The figures of all folds as Markdown: totals, then each held-out pair that occurs (of ``n_pairs``)."""
    total = defaultdict(int)
    for r in results:
        for name in ("non_fingerprint_swaps", "non_fingerprint_restored", "content_edits", "content_correct",
                     "clean_false_edits", "clean_words"):
            total[name] += r["metrics"][name]
    pairs = {p: c for r in results for p, c in r["by_pair"].items()}
    seen = {p: c for p, c in pairs.items() if c[0]}
    lines = [
        f"Reuters-21578 dev subset ({args.docs} articles), field spinner seed {args.seed} with its real swaps only "
        f"(rate 0: \"the\" -> \"a\", number words, fingerprints), min_confidence {args.min_confidence}, "
        f"{args.batch} document(s) per call; {n_pairs} fingerprint pairs in {args.folds} folds ({len(seen)} of them occur "
        "in the articles), each fold's dictionary built without that fold's pairs.",
        "",
        "| held-out swaps | restored | recall | pairs seen | pairs restored at least once | content precision (all folds) | clean false edits / 1,000 words |",
        "|---:|---:|---:|---:|---:|---:|---:|",
        f"| {total['non_fingerprint_swaps']} | {total['non_fingerprint_restored']} | "
        f"{_pct(total['non_fingerprint_restored'] / max(1, total['non_fingerprint_swaps']))} | {len(seen)} | "
        f"{sum(1 for c in seen.values() if c[1])} | {_pct(total['content_correct'] / max(1, total['content_edits']))} | "
        f"{1000 * total['clean_false_edits'] / max(1, total['clean_words']):.2f} |",
        "",
        "| held-out pair (spun -> original) | places | restored |",
        "|---|---:|---:|",
        *(f"| {p} | {c[0]} | {c[1]} |" for p, c in sorted(seen.items(), key=lambda kv: (-kv[1][0], kv[0]))),
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
