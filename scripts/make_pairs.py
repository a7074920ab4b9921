"""Make synthetic (spun, original) sentence pairs from Wikipedia for the seq2seq model.

Wikipedia sentences (never Reuters: Reuters is the dev evaluation set) are spun with the
spinner emulator (:mod:`scripts.spinner`) in a mix of styles:

- ``field`` (~70%): many different seeds (each seed is a different fixed swap table) and
  several swap rates, so the model learns to un-spin in general instead of memorising one
  table. Seed 0 is never used: the dev evaluation on Reuters uses it.
- ``thesaurus`` (~15%): random WordNet/Moby synonyms at several rates.
- ``clean`` (~15%): unchanged sentences the model must copy as they are.

The dev split uses other Wikipedia files and seeds that no training shard uses, so its loss
measures un-spinning with an unseen table.

Output: JSONL shards ``<out>/{train,dev}-<style>-s<seed>-r<rate>.jsonl``, one
``{"src", "tgt", "style", "seed", "rate", "swaps"}`` object a line. A shard is written
atomically, so an interrupted run resumes by skipping the shards that exist. Progress
goes to ``<out>/make_pairs.log``.

Usage::

    python scripts/make_pairs.py --out build/seq2seq/pairs --workers 2
"""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing as mp
import random
import sys
import time
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scripts.train_tokenizer import wiki_files, wiki_sentences

__all__ = ["Group", "main", "plan_groups", "spin_group", "spin_groups"]

TRAIN_FILES = (
    "enwiki-major-01",
    "enwiki-major-02",
    "enwiki-major-03",
    "enwiki-major-04",
    "enwiki-major-06",
    "enwiki-extract-1",
    "enwiki-extract-2",
    "enwiki-extract-3",
)
DEV_FILES = ("enwiki-major-15", "enwiki-extract-7")
FIELD_RATES = (0.5, 0.7, 0.9)
THESAURUS_RATES = (0.15, 0.3, 0.45)
DEV_SEEDS = (901, 902)
EVAL_SEED = 0  # used by the Reuters dev evaluation: never train on it

log = logging.getLogger("make_pairs")


class Group(NamedTuple):
    """One shard: a slice of sentences spun with one style, seed and rate."""

    split: str
    style: str
    seed: int
    rate: float
    start: int
    stop: int

    @property
    def name(self) -> str:
        """Shard file name."""
        return f"{self.split}-{self.style}-s{self.seed}-r{self.rate:g}.jsonl"


def plan_groups(split: str, n: int, field_seeds: list[int], thesaurus_seeds: list[int], clean: float = 0.15, thesaurus: float = 0.15) -> list[Group]:
    """Cut ``n`` sentences into shards: field (per seed and rate), thesaurus, clean."""
    if EVAL_SEED in field_seeds or EVAL_SEED in thesaurus_seeds:
        raise ValueError("seed 0 is reserved for the dev evaluation")
    n_clean, n_thes = int(n * clean), int(n * thesaurus)
    n_field = n - n_clean - n_thes
    groups: list[Group] = []
    pos = 0

    def add(style: str, seed: int, rate: float, size: int) -> None:
        nonlocal pos
        groups.append(Group(split, style, seed, rate, pos, pos + size))
        pos += size

    per_field = n_field // (len(field_seeds) * len(FIELD_RATES))
    for seed in field_seeds:
        for rate in FIELD_RATES:
            add("field", seed, rate, per_field)
    per_thes = n_thes // (len(thesaurus_seeds) * len(THESAURUS_RATES))
    for seed in thesaurus_seeds:
        for rate in THESAURUS_RATES:
            add("thesaurus", seed, rate, per_thes)
    add("clean", 1, 0.0, n - pos)
    return groups


def spin_groups(jobs: list[tuple[Group, list[str], Path]]) -> list[tuple[str, int, int, float]]:
    """Spin several shards in one process (shards of one seed share its table)."""
    return [spin_group(*job) for job in jobs]


def spin_group(group: Group, sents: list[str], out: Path) -> tuple[str, int, int, float]:
    """Spin one shard's sentences and write the shard; returns (name, pairs, changed, seconds)."""
    from scripts.spinner import Spinner

    t0 = time.perf_counter()
    spinner = Spinner(group.style, seed=group.seed, rate=group.rate if group.style != "clean" else None)
    lines = []
    changed = 0
    failed = 0
    for sent in sents:
        try:
            spun = spinner.spin(sent)
        except ValueError:  # spinner bug on words like "twenty-one-year-old": skip the sentence
            failed += 1
            continue
        changed += spun.spun != sent
        rec = {"src": spun.spun, "tgt": sent, "style": group.style, "seed": group.seed, "rate": group.rate, "swaps": len(spun.swaps)}
        lines.append(json.dumps(rec, ensure_ascii=False))
    if failed:
        log.warning("%s: the spinner failed on %d sentences (skipped)", group.name, failed)
    path = out / group.name
    tmp = path.with_suffix(".tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tmp.replace(path)
    return group.name, len(lines), changed, time.perf_counter() - t0


def read_sentences(names: tuple[str, ...], total: int, stride: int, seed: int) -> list[str]:
    """``total`` sentences, an equal share from each file (every ``stride``-th), shuffled.

    A file that runs short passes the rest of its share on to the files after it.

    Raises:
        ValueError: if the files hold fewer than ``total`` sentences.
    """
    paths = wiki_files(names)
    out: list[str] = []
    for k, path in enumerate(paths):
        per_file = (total - len(out)) // (len(paths) - k) + 1
        got = 0
        for i, sent in enumerate(wiki_sentences(path)):
            if i % stride:
                continue
            out.append(sent)
            got += 1
            if got >= per_file:
                break
        log.info("%s: %d sentences", path.name, got)
    if len(out) < total:
        raise ValueError(f"only {len(out)} sentences in {', '.join(names)}; {total} needed")
    random.Random(seed).shuffle(out)
    return out[:total]


def main(argv: list[str] | None = None) -> int:
    """Plan the shards, spin the missing ones (in parallel), log a summary."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=ROOT / "build" / "seq2seq" / "pairs")
    ap.add_argument("--train", type=int, default=360_000, help="training pairs")
    ap.add_argument("--dev", type=int, default=3_000, help="dev pairs")
    ap.add_argument("--field-seeds", type=int, default=18, help="field seeds 1..N")
    ap.add_argument("--thesaurus-seeds", type=int, default=4, help="thesaurus seeds 1..N")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(name)s %(message)s",
        handlers=[logging.FileHandler(args.out / "make_pairs.log"), logging.StreamHandler()],
    )
    t0 = time.perf_counter()
    train = plan_groups("train", args.train, list(range(1, args.field_seeds + 1)), list(range(1, args.thesaurus_seeds + 1)))
    dev = plan_groups("dev", args.dev, list(DEV_SEEDS), list(DEV_SEEDS))
    jobs: list[tuple[Group, list[str], Path]] = []
    for split, groups, files, n, stride in (("dev", dev, DEV_FILES, args.dev, 7), ("train", train, TRAIN_FILES, args.train, 2)):
        todo = [g for g in groups if not (args.out / g.name).exists()]
        if not todo:
            log.info("%s: all %d shards exist", split, len(groups))
            continue
        sents = read_sentences(files, n, stride, seed=1 if split == "train" else 2)
        jobs += [(g, sents[g.start : g.stop], args.out) for g in todo]
    # shards of one style and seed share a table: one task each, so no table is built twice
    tasks: dict[tuple[str, int], list[tuple[Group, list[str], Path]]] = {}
    for job in jobs:
        tasks.setdefault((job[0].style, job[0].seed), []).append(job)
    with mp.get_context("fork").Pool(args.workers, maxtasksperchild=4) as pool:
        for results in pool.imap_unordered(spin_groups, list(tasks.values())):
            for name, n, changed, secs in results:
                log.info("%s: %d pairs, %d changed, %.0fs", name, n, changed, secs)
    log.info("done in %.0fs", time.perf_counter() - t0)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
