"""Where the engine loses the content swaps it does not restore: a funnel over its own lattice.

Each content swap of the field-spun Reuters dev articles (every swap but "a" <- "the" and numbers) is followed
through the decoding that makes the edits (pass 2):

- ``lattice``: its original is an arc at the swap's tokens (dictionary, rules, gap filler or learnt table) in
  pass 2's first decode (a decode again only drops the gap filler's refused words);
- ``screened``: that arc survives the screening of the last decode, the one whose best path is kept (the screening
  keeps 4 arcs a position, so a dropped gap-filler word can let one in);
- ``path``: it is the decision on the best path (the verifier's choice among rivals included);
- ``kept``: with a confidence >= ``min_confidence``, so restored (the evaluator's content recall, to the swap).

The ``lattice`` share is the ceiling of every re-scoring of the candidates (language model, channel weights,
verifier): a swap whose original is not proposed cannot be restored. Rows by kind of swap: field fingerprints
(``field-fingerprints.tsv``), "thesaurus" (the emulator drew the spun word from a thesaurus entry of the original)
and "other" (in no thesaurus entry: second-order Moby neighbours, WordNet cousins).

Usage::

    python -m scripts.recall_funnel --docs 200 --batch 1,200
    python -m scripts.recall_funnel --seed 1 --json
    python -m scripts.recall_funnel --batch 1,200 --write-benchmarks
    python -m scripts.recall_funnel --engine model --docs 60       # with the seq2seq model's proposals
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import kenlm

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scripts.evaluate import DEFAULT_DOCS, load_reuters, pair_key
from scripts.spinner import Spinner, SpunText, Swap, read_fingerprints
from service.candidates import Arc
from service.config import RestoreConfig
from service.decoder import Decision, DecodeMemo, Decoder, Gains
from service.rules_engine import ArcProposer, RulesEngine, _Sentence
from service.text import lm_sentence, tokenize
from service.verifier import Verifier

__all__ = ["KINDS", "STAGES", "funnel", "main"]

STAGES = ("swaps", "lattice", "screened", "path", "kept")
KINDS = ("content", "fingerprint", "thesaurus", "other")

Lattice = dict[int, list[Arc]]


class _RecordingDecoder(Decoder):
    """A decoder that keeps, per sentence (keyed by its ``lm_forms`` list, alive while the batch's sentences are),
    the lattice and the screened lattice of each decode, in call order."""

    def __init__(self, model: kenlm.Model) -> None:
        super().__init__(model)
        self.calls: dict[int, list[tuple[Lattice, Lattice]]] = {}
        self._screened: Lattice = {}

    def decode(
        self, forms: list[str], arcs: Lattice, beam_width: int = 6, gains: Gains | None = None, memo: DecodeMemo | None = None
    ) -> list[Decision]:
        self._screened = {}
        out = super().decode(forms, arcs, beam_width, gains, memo)
        self.calls.setdefault(id(forms), []).append((arcs, self._screened))
        return out

    def _screen(self, forms: list[str], arcs: Lattice, gains: Gains) -> Lattice:
        self._screened = super()._screen(forms, arcs, gains)
        return self._screened


def _original_words(original: str) -> tuple[str, ...]:
    """A swap's original as the arcs write it: its language-model forms, lower-case."""
    return tuple(lm_sentence(tokenize(original.lower())))


def _kind(swap: Swap, fingerprints: frozenset[tuple[str, str]]) -> str | None:
    """The funnel row of a swap, as the evaluator counts it (None for "a" <- "the" and numbers)."""
    if swap.kind in ("the", "number"):
        return None
    if pair_key(swap) in fingerprints:
        return "fingerprint"
    return "other" if swap.kind == "other" else "thesaurus"


def funnel(
    pairs: Sequence[SpunText],
    batch: int = 1,
    min_confidence: float = 0.5,
    engine: str = "rules",
    fingerprints: frozenset[tuple[str, str]] | None = None,
) -> dict[str, Counter[str]]:
    """Per kind (:data:`KINDS`), how many content swaps of ``pairs`` reach each stage (:data:`STAGES`), the texts
    restored ``batch`` at a time by an engine of their own: ``rules``, or ``model`` (the seq2seq model's proposals
    in the same lattice, judged by the model engine's verifier; needs torch). ``fingerprints``: the pairs counted
    as such (default: field-fingerprints.tsv; a held-out fold's pairs, with that fold's dictionary, make the
    "fingerprint" row the held-out real swaps, as ``scripts/evaluate_held_out.py`` counts them)."""
    if engine not in ("rules", "model"):
        raise ValueError(f"engine must be 'rules' or 'model', not {engine!r}")
    rules, decoder, propose, verifier = _recording_engine(engine)
    fingerprints = read_fingerprints() if fingerprints is None else fingerprints
    counts: dict[str, Counter[str]] = {kind: Counter() for kind in KINDS}
    cfg = RestoreConfig(min_confidence=min_confidence)
    for first in range(0, len(pairs), batch):
        chunk = pairs[first : first + batch]
        decoder.calls.clear()
        docs, _ = rules.decide([p.spun for p in chunk], cfg, propose, verifier=verifier)
        for pair, sentences in zip(chunk, docs, strict=True):
            for swap in pair.swaps:
                kind = _kind(swap, fingerprints)
                if kind is None:
                    continue
                reached = ["swaps"]
                for sent in sentences:
                    inside = [k for k, t in enumerate(sent.tokens) if t.start >= swap.start and t.end <= swap.end]
                    if not inside:
                        continue
                    calls = decoder.calls.get(id(sent.lm_forms), [])
                    if len(calls) >= 2:  # pass 1, then pass 2's decodes
                        lattice, screened = calls[1][0], calls[-1][1]
                        words = _original_words(swap.original)
                        reached += _stages(sent, lattice, screened, inside[0], inside[-1] + 1, words, min_confidence)
                    break
                for stage in reached:
                    counts[kind][stage] += 1
                    counts["content"][stage] += 1
    return counts


@lru_cache(maxsize=2)
def _recording_engine(engine: str) -> tuple[RulesEngine, _RecordingDecoder, ArcProposer | None, Verifier | None]:
    """A rules engine of the funnel's own with a recording decoder, and what ``engine`` decides with: its proposer
    (the seq2seq model's, for ``model``) and its verifier. Built once per engine (the model takes seconds to load)."""
    rules = RulesEngine()
    decoder = rules.decoder = _RecordingDecoder(rules.lm.model)
    if engine == "rules":
        return rules, decoder, None, rules.verifier
    from service.model_engine import load_model_engine

    model = load_model_engine(rules)
    return rules, decoder, model.propose, model.verifier


def _stages(
    sent: _Sentence, lattice: Lattice, screened: Lattice, i: int, j: int, words: tuple[str, ...], min_confidence: float
) -> list[str]:
    """The stages after "swaps" that the original ``words`` of tokens ``i..j`` of ``sent`` reaches."""
    reached: list[str] = []
    for stage, arcs in (("lattice", lattice), ("screened", screened)):
        if not any(a.end == j and a.words == words for a in arcs.get(i, ())):
            return reached
        reached.append(stage)
    for decision, confidence in zip(sent.decisions, sent.confidences, strict=True):
        arc = decision.arc
        if (arc.start, arc.end, arc.words) == (i, j, words):
            reached.append("path")
            if confidence >= min_confidence:
                reached.append("kept")
    return reached


def markdown(results: dict[int, dict[str, Counter[str]]]) -> str:
    """The funnels as one table: a row per batch size and kind, each stage as a count and a share of the swaps."""
    lines = [
        "| batch | kind | swaps | original in the lattice | screened in | on the best path | kept (restored) |",
        "|---|---|---|---|---|---|---|",
    ]
    for batch, counts in results.items():
        for kind in KINDS:
            c = counts[kind]
            cells = [f"{c[s]:,} ({c[s] / c['swaps']:.1%})" if c["swaps"] else "0" for s in STAGES[1:]]
            lines.append(f"| {batch} | {kind} | {c['swaps']:,} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _batch_sizes(value: str) -> list[int]:
    """``--batch``: comma-separated positive integers."""
    try:
        sizes = [int(b) for b in value.split(",") if b.strip()]
    except ValueError:
        sizes = []
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"expected comma-separated batch sizes of 1 or more, such as 1,200; got {value!r}")
    return sizes


def main(argv: list[str] | None = None) -> int:
    """Run the funnel from the command line."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=DEFAULT_DOCS, help="number of Reuters dev articles")
    ap.add_argument("--seed", type=int, default=0, help="field spinner seed")
    ap.add_argument("--batch", type=_batch_sizes, default=[1], help="comma-separated batch sizes (documents per restore call)")
    ap.add_argument("--min-confidence", type=float, default=0.5)
    ap.add_argument("--engine", choices=("rules", "model"), default="rules")
    ap.add_argument("--json", action="store_true", help="print the counts as JSON")
    ap.add_argument("--write-benchmarks", action="store_true", help="replace the funnel's section of BENCHMARKS.md")
    args = ap.parse_args(argv)

    spinner = Spinner("field", args.seed)
    pairs = [spinner.spin(d) for d in load_reuters(args.docs)]
    results = {b: funnel(pairs, b, args.min_confidence, args.engine) for b in args.batch}
    if args.json:
        print(json.dumps({str(b): {k: dict(c) for k, c in counts.items()} for b, counts in results.items()}, indent=2))
    else:
        print(markdown(results))
    if args.write_benchmarks:
        from scripts.benchmarks_md import write_section

        sources = ", the model's rewrites" if args.engine == "model" else ""
        body = (
            f"{len(pairs)} field-spun Reuters dev articles (seed {args.seed}), {args.engine} engine, `min_confidence` "
            f"{args.min_confidence}. Each content swap followed through the decoding that makes the edits: its original "
            f"proposed at its tokens (the lattice: dictionary, rules, gap filler, learnt table{sources}), kept by the decoder's "
            "screening, chosen on the best path, kept at `min_confidence`. The lattice share is the ceiling of any "
            "re-scoring of these candidates; \"other\" swaps are in no thesaurus entry of their original.\n\n"
            + markdown(results)
        )
        write_section(f"Where content swaps are lost: {args.engine} engine, {len(pairs)} articles", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
