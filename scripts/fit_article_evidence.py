"""Fit what a lower-case "a" says about the field spinner (``service.candidates``' ``ARTICLE_LLR_BIAS``,
``ARTICLE_LLR_SLOPE``, ``ARTICLE_GAIN_RANGE``, ``FIELD_A_RATE``, ``CLEAN_A_RATE``).

The field spinner turns every lower-case "the" into "a", so in a document without a lower-case "the" each "a" is
either a genuine one or a spun "the". Where "the" fits better (the language model's windowed gain of "the" over
"a", log10, as the decoder scores it), the document is likelier field-spun. Each "a" of Wikipedia documents (runs
of 6-14 sentences of a file the seq2seq model never trained on, as ``scripts/train_verifier.py`` reads them) is a
sample, field-spun (seed 11, one of the verifier's) or clean; a logistic regression on the clipped gain, less the
log of the classes' sizes, gives the log likelihood ratio, spun over clean, of one "a". A table of the ratio per
gain bucket shows how well a line fits it. The same documents give the rates of "a" per word in spun text and in
the clean sentences without a lower-case "the" (``candidates.body_log_odds``).

Usage::

    python -m scripts.fit_article_evidence [--docs 3000]
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import NamedTuple

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scripts.spinner import Spinner
from scripts.train_verifier import fit_logistic, wiki_documents
from service.candidates import ARTICLE_GAIN_RANGE
from service.rules_engine import RulesEngine, document_sentences

__all__ = ["Sample", "fit", "main", "sample"]

SPINNER_SEED = 11
BUCKETS = (-math.inf, -2, -1, -0.5, 0, 0.5, 1, 1.5, 2, 3, math.inf)


class Sample(NamedTuple):
    """The lower-case "a"s of Wikipedia documents, field-spun and clean."""

    spun_gains: np.ndarray  # gain of "the" over each "a" of the spun documents (log10)
    clean_gains: np.ndarray  # the same in the clean documents
    field_a_rate: float  # "a"s per word of the spun documents
    clean_a_rate: float  # "a"s per word of the clean documents' sentences without a lower-case "the"


def sample(n_docs: int) -> Sample:
    """The "a"s of ``n_docs`` Wikipedia documents, each field-spun and clean."""
    engine = RulesEngine()
    spinner = Spinner("field", SPINNER_SEED)
    spun: list[float] = []
    clean: list[float] = []
    spun_words = clean_a = clean_words = 0
    for doc in wiki_documents(n_docs):
        for sent in document_sentences(spinner.spin(doc).spun):
            spun.extend(engine.article_gains(sent))
            spun_words += sent.n_words
        for sent in document_sentences(doc):
            gains = engine.article_gains(sent)
            clean.extend(gains)
            if not any(t.text == "the" for t in sent.tokens):
                clean_a += len(gains)
                clean_words += sent.n_words
    return Sample(np.array(spun), np.array(clean), len(spun) / spun_words, clean_a / clean_words)


def fit(spun: np.ndarray, clean: np.ndarray) -> tuple[float, float]:
    """(bias, slope) of the log likelihood ratio of one "a", spun over clean, in its clipped gain."""
    lo, hi = ARTICLE_GAIN_RANGE
    x = np.clip(np.concatenate([spun, clean]), lo, hi)[:, None]
    y = np.concatenate([np.ones(len(spun)), np.zeros(len(clean))])
    w, b, mean, scale = fit_logistic(x, y, l2=0.0)
    slope = float(w[0] / scale[0])
    return float(b - w[0] * mean[0] / scale[0]) + math.log(len(clean) / len(spun)), slope


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=3000, help="Wikipedia documents, each field-spun and clean")
    args = parser.parse_args(argv)
    found = sample(args.docs)
    spun, clean = found.spun_gains, found.clean_gains
    bias, slope = fit(spun, clean)
    lo, hi = ARTICLE_GAIN_RANGE
    print(f'{args.docs} documents: {len(spun)} lower-case "a" field-spun, {len(clean)} clean')
    print(f'"a" per word: {found.field_a_rate:.4f} field-spun, {found.clean_a_rate:.4f} in clean sentences without "the"')
    print(f"log LR (natural log, spun over clean) = {bias:.3f} + {slope:.3f} * gain, gain clipped to [{lo}, {hi}]")
    print("| gain (log10) | spun share | clean share | LR seen | LR fitted |")
    print("|---|---:|---:|---:|---:|")
    for low, high in zip(BUCKETS, BUCKETS[1:]):
        s = float(((spun >= low) & (spun < high)).mean())
        c = float(((clean >= low) & (clean < high)).mean())
        mid = min(max((max(low, -3.0) + min(high, 4.0)) / 2, lo), hi)
        seen = f"{s / c:.2f}" if c else "–"
        print(f"| {low} … {high} | {s:.3f} | {c:.3f} | {seen} | {math.exp(bias + slope * mid):.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
