"""The model engine: the seq2seq model proposes, the noisy-channel decoder disposes.

The model rewrites each sentence; the rewrite is aligned to the input tokens and every
replaced span (word by word where the lengths agree, else up to three tokens each side)
becomes an arc of source "model" in the same lattice as the dictionary's candidates. A
model arc that repeats a dictionary candidate or a rule raises that arc's score instead
(``rules_engine.MODEL_AGREEMENT_BONUS``), so agreement is rewarded. Insertions and
deletions are ignored, so the model can never invent or drop text, and every change is
still a reported edit on an input span. The decisions are scored by the model engine's
own verifier (``service/data/verifier_model_v1.json``).
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Sequence
from typing import Any

from .candidates import Arc
from .config import RestoreConfig
from .edits import RestoredText
from .errors import Errors
from .rules_engine import RulesEngine
from .text import Token, lm_sentence, tokenize
from .verifier import shipped_verifier

__all__ = ["ModelEngine", "load_model_engine", "MODEL_ARC_LOGP"]

# Channel score (log10) of a swap only the model proposes: neutral, the language model decides.
MODEL_ARC_LOGP = 0.0
log = logging.getLogger("unspin.engine")
_MAX_SPAN = 3


class ModelEngine:
    """Rules engine plus seq2seq proposals."""

    name = "model"

    def __init__(self, rules: RulesEngine, restorer: Any) -> None:
        self.rules = rules
        self.restorer = restorer
        self.info: dict[str, Any] = dict(getattr(restorer, "info", {}))
        self.verifier = shipped_verifier(self.name)
        self._warned = False

    def restore_many(self, texts: Sequence[str], cfg: RestoreConfig) -> list[RestoredText]:
        """Restore ``texts`` with model proposals added to the rules engine's lattice."""
        if "seq2seq" in cfg.disable:
            return [r._replace(engine=self.name) for r in self.rules.restore_many(texts, cfg)]
        try:
            results = self.rules.restore_many(texts, cfg, propose=self.propose, verifier=self.verifier)
        except Exception as exc:  # noqa: BLE001 - a failing model must not fail the request
            if not self._warned:
                log.warning(Errors.U030.format(reason=f"inference failed: {type(exc).__name__}: {exc}"))
                self._warned = True
            return self.rules.restore_many(texts, cfg)
        return [r._replace(engine=self.name) for r in results]

    def propose(self, sentence_texts: list[str], tokens: list[list[Token]], forms: list[list[str]]) -> list[list[Arc]]:
        """Arcs for each sentence from the model's rewrite of it."""
        rewrites = self.restorer.restore_sentences(sentence_texts)
        return [_aligned_arcs(f, lm_sentence(tokenize(out)), MODEL_ARC_LOGP) for f, out in zip(forms, rewrites, strict=True)]


def _aligned_arcs(source: list[str], target: list[str], logp: float) -> list[Arc]:
    """Replaced spans of ``source`` that the model rewrote as ``target`` spans.

    A replacement of as many words as it replaces is split into one-word arcs (the
    spinner swaps word by word); other replacements of up to three words stay whole.

    >>> [(a.start, a.words) for a in _aligned_arcs("he pronounced a supervision left".split(),
    ...                                             "he said the government left".split(), -1.0)]
    [(1, ('said',)), (2, ('the',)), (3, ('government',))]
    """
    arcs = []
    matcher = difflib.SequenceMatcher(a=source, b=target, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op != "replace":
            continue
        if i2 - i1 == j2 - j1:
            pairs = [(i, i + 1, (target[j1 + i - i1],)) for i in range(i1, i2)]
        elif i2 - i1 <= _MAX_SPAN and j2 - j1 <= _MAX_SPAN:
            pairs = [(i1, i2, tuple(target[j1:j2]))]
        else:
            continue
        for start, end, words in pairs:
            if words != tuple(source[start:end]) and all(w[0].isalnum() for w in (*words, *source[start:end])):
                arcs.append(Arc(start, end, words, logp, "model"))
    return arcs


def load_model_engine(rules: RulesEngine) -> ModelEngine:
    """Load the seq2seq model (``UNSPIN_MODEL_DIR`` or the committed one) beside ``rules``.

    Raises:
        ImportError: torch or transformers is not installed.
        FileNotFoundError, ValueError: the model folder is missing or corrupt.
    """
    from .seq2seq import load_seq2seq

    return ModelEngine(rules, load_seq2seq())
