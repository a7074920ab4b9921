"""Fit what the language model says of a lower-case "a" about the field spinner (``service.candidates``'
``ARTICLE_LLR_BIAS``, ``ARTICLE_LLR_SLOPE``, ``ARTICLE_GAIN_RANGE``).

The field spinner turns every lower-case "the" into "a", so in a document without a lower-case "the" each "a" is
either a genuine one or a spun "the". Where "the" fits better (the language model's windowed gain of "the" over
"a", log10, as the decoder scores it), the document is likelier field-spun. Each "a" of Wikipedia documents (runs
of 6-14 sentences of a file the seq2seq model never trained on, as ``scripts/train_verifier.py`` reads them) is a
sample, field-spun (seed 11, one of the verifier's) or clean; a logistic regression on the clipped gain, less the
log of the classes' sizes, gives the log likelihood ratio, spun over clean, of one "a". A table of the ratio per
gain bucket shows how well a line fits it.

Usage::

    python -m scripts.fit_article_evidence [--docs 3000]
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scripts.spinner import Spinner
from scripts.train_verifier import fit_logistic, wiki_documents
from service.candidates import ARTICLE_GAIN_RANGE
from service.rules_engine import RulesEngine, document_sentences

__all__ = ["article_gains", "fit", "main"]

SPINNER_SEED = 11
BUCKETS = (-math.inf, -2, -1, -0.5, 0, 0.5, 1, 1.5, 2, 3, math.inf)


def article_gains(n_docs: int) -> tuple[np.ndarray, np.ndarray]:
    """The gains of "the" over every lower-case "a" of ``n_docs`` Wikipedia documents, field-spun and clean."""
    engine = RulesEngine()
    spinner = Spinner("field", SPINNER_SEED)
    spun: list[float] = []
    clean: list[float] = []
    for doc in wiki_documents(n_docs):
        spun.extend(engine.article_gains(document_sentences(spinner.spin(doc).spun)))
        clean.extend(engine.article_gains(document_sentences(doc)))
    return np.array(spun), np.array(clean)


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
    spun, clean = article_gains(args.docs)
    bias, slope = fit(spun, clean)
    lo, hi = ARTICLE_GAIN_RANGE
    print(f'{args.docs} documents: {len(spun)} lower-case "a" field-spun, {len(clean)} clean')
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
