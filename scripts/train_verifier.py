"""Fit the verifier (``service/data/verifier_v1.json``): P(edit is right | its features).

Wikipedia documents (runs of consecutive sentences from a file the seq2seq model never
trained on) are spun by the emulator in every style, with seeds the Reuters dev
evaluation never uses, plus clean copies, alone or in batches of one style (so the
pooled evidence of a batch is in the data). The engine decodes them without a
verifier; every decision on the best path becomes one sample, labelled by aligning it
with the spinner's swaps (``scripts.evaluate.align``), and so does each of its rivals
(right when a swap has exactly its span and original), since the engine lets the
verifier prefer a rival. A logistic regression with an L2 penalty is fitted by Newton's
method on standardised features; a held-out fifth of the documents reports log loss and
the precision/recall the fitted model gives.

The engine decodes with the language model ``UNSPIN_LM_PATH`` names (default: the shipped one, which saw all of
Wikipedia, the documents' file too: its gains there are surer than on the text the service gets, and the fit warns
of it). The fit records which model it was made with. The shipped fits were made with the shipped model; fits with a
model built without the documents' file were measured on 2026-12-07 and not adopted (model_cards/verifier.md).

Usage::

    python -m scripts.train_verifier --docs 700                  # rules engine, ~1 min
    python -m scripts.train_verifier --docs 700 --engine model   # model engine, 6-12 min on 2 cores
    # with a model that never saw the documents:
    python scripts/train_lm.py --exclude enwiki-major-15 --work-dir /work/lmwork-no15 --out-dir /work/lm-no15 \
        --steps sentences lmplz binary                         # once, ~6 min
    UNSPIN_LM_PATH=/work/lm-no15/wiki_en_4gram_v1.binary python -m scripts.train_verifier --docs 700
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scripts.evaluate import _effective, _norm, align
from scripts.spinner import Spinner
from scripts.train_tokenizer import wiki_files, wiki_sentences
from service.config import make_config
from service.edits import Edit
from service.lm import load_language_model
from service.verifier import ENV_VAR as VERIFIER_DIR_VAR
from service.verifier import FEATURES, Verifier, features, verifier_path

__all__ = ["fit_logistic", "main", "samples", "wiki_documents"]

log = logging.getLogger("train_verifier")

WIKI_FILE = "enwiki-major-15"  # a seq2seq dev file: the model's proposals are not memorised there
SENTENCES_PER_DOC = (6, 14)
# Documents restored together (the engine pools the spinner's table over a batch): single
# articles and batches, as pipelines send them.
BATCH_SIZES = (1, 12, 4, 24)
# (style, seed, rate): seed 0 is the Reuters dev evaluation's and never used here.
STYLE_MIX = (
    ("field", 11, None),
    ("field", 12, 0.5),
    ("thesaurus", 13, 0.15),
    ("thesaurus", 14, 0.3),
    ("tortured", 15, None),
    ("clean", 0, None),
    ("clean", 0, None),
)


def wiki_documents(n_docs: int, seed: int = 7) -> list[str]:
    """``n_docs`` documents of 6-14 consecutive Wikipedia sentences."""
    rng = random.Random(seed)
    docs: list[str] = []
    current: list[str] = []
    want = rng.randint(*SENTENCES_PER_DOC)
    for i, sent in enumerate(wiki_sentences(wiki_files([WIKI_FILE])[0])):
        if i % 3 and not current:
            continue  # start documents at spread-out places
        current.append(sent)
        if len(current) == want:
            docs.append(" ".join(current))
            current, want = [], rng.randint(*SENTENCES_PER_DOC)
            if len(docs) == n_docs:
                break
    return docs


def samples(engine_name: str, docs: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Features, labels and document ids of every decision on the given documents."""
    from service import engine as engine_module

    # Decode with no verifier at all (the one being fitted may not exist or match yet).
    os.environ[VERIFIER_DIR_VAR] = tempfile.mkdtemp(prefix="unspin-no-verifier-")
    engine = engine_module._engine(engine_name)
    if engine.name != engine_name:
        raise RuntimeError(f"the {engine_name} engine did not load (see the warning above)")
    rules = getattr(engine, "rules", engine)
    propose = getattr(engine, "propose", None)
    if propose is not None:
        _cache_rewrites(engine.restorer)
    cfg = make_config(engine=engine_name, min_confidence=0.0)
    xs: list[list[float]] = []
    ys: list[int] = []
    ids: list[int] = []
    t0 = time.perf_counter()
    batches = _batches(len(docs))
    for b, ks in enumerate(batches):
        style, seed, rate = STYLE_MIX[b % len(STYLE_MIX)]
        spinner = Spinner(style, seed, rate)
        pairs = [spinner.spin(docs[k]) for k in ks]
        # raw posteriors (verifier=None): the verifier is what we fit
        decided, evidence = rules.decide([p.spun for p in pairs], cfg, propose, verifier=None)
        for k, pair, sents, ev in zip(ks, pairs, decided, evidence, strict=True):
            rows: list[tuple[Edit, list[float]]] = []
            swapped = {(w.start, w.end): _norm(w.original) for w in pair.swaps}
            for s in sents:
                for d, x in zip(s.decisions, s.features, strict=True):
                    start, end = s.tokens[d.arc.start].start, s.tokens[d.arc.end - 1].end
                    rows.append((Edit(start, end, pair.spun[start:end], " ".join(d.arc.words), 0.0, "thesaurus"), x))
                    kept = _norm(pair.spun[start:end])
                    for rival in d.rivals:  # the engine asks the verifier about these too
                        words = _norm(" ".join(rival.arc.words))
                        if words != kept:
                            xs.append(features(rival, s.forms, ev, s.unfit, s.model_arcs))
                            ys.append(int(swapped.get((start, end)) == words))
                            ids.append(k)
            effective = _effective(e for e, _ in rows)
            _, correct, _ = align(pair.spun, sorted(pair.swaps, key=lambda s: s.start), effective)
            index = {(e.start, e.end): i for i, e in enumerate(effective)}
            for e, x in rows:
                i = index.get((e.start, e.end))
                if i is not None:
                    xs.append(x)
                    ys.append(int(i in correct))
                    ids.append(k)
        if (b + 1) % 20 == 0:
            log.info("%d/%d batches, %d samples, %.0f s", b + 1, len(batches), len(ys), time.perf_counter() - t0)
    return np.array(xs, dtype=float), np.array(ys, dtype=float), np.array(ids)


def _cache_rewrites(restorer: Any) -> None:
    """Memoise the seq2seq model's sentence rewrites in ``build/`` (refits need no inference).

    The file is named after the weights' SHA-256, so another model never reads them.
    """
    path = ROOT / "build" / f"verifier_rewrites-{restorer.header['settings']['sha256'][:12]}.json"
    memo: dict[str, str] = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    generate = restorer.restore_sentences

    def restore_sentences(sentences: list[str]) -> list[str]:
        todo = [s for s in dict.fromkeys(sentences) if s not in memo]
        if todo:
            memo.update(zip(todo, generate(todo), strict=True))
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(memo), encoding="utf-8")
        return [memo[s] for s in sentences]

    restorer.restore_sentences = restore_sentences


def _batches(n_docs: int) -> list[list[int]]:
    """Consecutive document ids in batches of the sizes :data:`BATCH_SIZES` cycles through."""
    out, k = [], 0
    while k < n_docs:
        size = BATCH_SIZES[len(out) % len(BATCH_SIZES)]
        out.append(list(range(k, min(n_docs, k + size))))
        k += size
    return out


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1.0, iterations: int = 50) -> tuple[np.ndarray, float, np.ndarray, np.ndarray]:
    """L2-penalised logistic regression by Newton's method; returns (w, b, mean, scale)."""
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    w = np.zeros(z.shape[1])
    penalty = np.full(z.shape[1], l2)
    penalty[-1] = 0.0
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(z @ w, -40, 40)))
        grad = z.T @ (p - y) + penalty * w
        hess = (z * (p * (1 - p))[:, None]).T @ z + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w[:-1], float(w[-1]), mean, scale


def _report(name: str, p: np.ndarray, y: np.ndarray) -> dict[str, float]:
    eps = 1e-9
    out = {"samples": int(len(y)), "positives": int(y.sum()),
           "log_loss": float(-np.mean(y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps)))}
    for th in (0.5, 0.7, 0.9):
        kept = p >= th
        out[f"precision@{th}"] = float(y[kept].mean()) if kept.any() else float("nan")
        out[f"recall@{th}"] = float(y[kept].sum() / max(y.sum(), 1))
    log.info("%s: %s", name, json.dumps({k: round(v, 4) for k, v in out.items()}))
    return out


def language_model_info() -> dict[str, Any]:
    """The language model the fit decodes with (``$UNSPIN_LM_PATH``, else the shipped one): its file and the corpus
    files it never saw (its sidecar's ``held_out``). Warns when it saw :data:`WIKI_FILE`, the documents' file."""
    lm = load_language_model()  # the engine's, loaded once
    path, held_out = lm.path, list(lm.info.get("held_out", []))
    if WIKI_FILE not in held_out:
        log.warning(
            "the language model %s was trained on %s, where the documents come from: its gains there are surer than "
            "on new text (a model without it: scripts/train_lm.py --exclude %s; model_cards/verifier.md)",
            path, WIKI_FILE, WIKI_FILE,
        )
    return {"file": path.name, "held_out": held_out}


def main(argv: list[str] | None = None) -> int:
    """Build the samples, fit, report on held-out documents, write the artefact."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=600, help="Wikipedia documents (each spun in one style)")
    ap.add_argument("--engine", default="rules", choices=("rules", "model"))
    ap.add_argument("--l2", type=float, default=1.0)
    ap.add_argument("--out", type=Path, help="default: service/data/verifier_<engine>_v1.json")
    args = ap.parse_args(argv)
    args.out = args.out or verifier_path(args.engine)  # resolved before samples() points the variable elsewhere
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")

    t0 = time.perf_counter()
    language_model = language_model_info()
    docs = wiki_documents(args.docs)
    x, y, ids = samples(args.engine, docs)
    held = ids % 5 == 4
    w, b, mean, scale = fit_logistic(x[~held], y[~held], args.l2)
    model = Verifier(tuple(w), b, tuple(mean), tuple(scale), {})
    p_held = np.array([model.probability(row) for row in x[held]])
    report = _report("held-out", p_held, y[held])
    w, b, mean, scale = fit_logistic(x, y, args.l2)  # the shipped fit uses every document
    info = {
        "engine": args.engine,
        "data": f"{args.docs} documents of {WIKI_FILE} (Wikipedia, CC BY-SA), spinner emulator styles "
        + ", ".join(f"{s}/seed{sd}/rate{r}" for s, sd, r in STYLE_MIX),
        "language_model": language_model,
        "l2": args.l2,
        "held_out": report,
        "seconds": round(time.perf_counter() - t0, 1),
        # what fits it again (with the language model above in UNSPIN_LM_PATH); --out changes only where it goes
        "command": f"python -m scripts.train_verifier --docs {args.docs} --engine {args.engine} --l2 {args.l2:g}",
    }
    model = Verifier(tuple(float(v) for v in w), b, tuple(float(v) for v in mean), tuple(float(v) for v in scale), info)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(model.to_json() + "\n", encoding="utf-8")
    for name, weight in sorted(zip(FEATURES, w, strict=True), key=lambda t: -abs(t[1])):
        log.info("  %-16s %+.3f", name, weight)
    log.info("wrote %s (%d samples, %.0f s)", args.out, len(y), time.perf_counter() - t0)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
