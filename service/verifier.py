"""The verifier: how likely an edit on the decoder's best path is a true restoration.

The decoder's posterior compares the chosen words with their rivals under the language
model, but says nothing about how often such a swap is right: a 4-gram model happily
turns a clean "fall" into "drop". The verifier is a logistic regression over a few
features of each decision (its source, the language-model gain, the margin over its
rivals, the channel weight, word frequencies, what the document says about its spinner)
fitted by ``scripts/train_verifier.py`` on spun and clean Wikipedia documents made by the
spinner emulator. Its probability is the edit's confidence, so ``min_confidence`` is a
calibrated precision knob.

Each engine has its own fit, ``service/data/verifier_<engine>_v1.json`` (a few kB, with
the feature names it was fitted on; loading raises when they differ from :data:`FEATURES`):
the model engine's decisions carry the model's agreement, the rules engine's do not.
"""

from __future__ import annotations

import json
import logging
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from operator import mul
from pathlib import Path

from .candidates import CLEAN_P_FIELD, Arc, DocumentEvidence, probability, zipf
from .decoder import Decision

__all__ = [
    "FEATURES", "SOURCE_GROUPS", "Verifier", "features", "load_verifier", "not_field_spun", "shipped_verifier", "verifier_path",
]

ENV_VAR = "UNSPIN_VERIFIER_DIR"
FORMAT = 1
DATA_DIR = Path(__file__).parent / "data"
log = logging.getLogger("unspin.engine")

#: Sources pooled into one group each (their own bias and own LM-gain slope).
SOURCE_GROUPS: dict[str, str] = {
    "article": "article",
    "number": "number",
    "fingerprint": "fingerprint",
    "tortured_phrase": "phrase",
    "thesaurus": "thesaurus",
    "inflection": "thesaurus",
    "context": "context",
    "document": "document",
    "model": "model",
}
_GROUPS = tuple(dict.fromkeys(SOURCE_GROUPS.values()))
#: Share of its content words a text's first pass must change for its field fingerprints to count as such when a
#: lower-case "the" says the field spinner did not write it: the spin rate (``rules_engine._spin_rate``) of clean
#: Reuters articles stays at or under 0.02 in 99 % of them (300 of reut2-018); the issue's example sentence with a
#: "the" in it has 0.078.
FINGERPRINT_TRUST_RATE = 0.05

_SCALARS: tuple[str, ...] = (
    "gain",
    "margin",
    "log_weight",
    "posterior",
    "zipf_spun",
    "zipf_original",
    "zipf_gain",
    "p_field",
    "spin_rate",
    "learnt",
    "table_support",
    "log_occurrences",
    "unfit",
    "model_agrees",
    "article_model_agrees",
    "multiword",
)
FEATURES: tuple[str, ...] = (*(f"is_{g}" for g in _GROUPS), *(f"gain_{g}" for g in _GROUPS), *_SCALARS)
_ONE_HOT: dict[str, tuple[float, ...]] = {g: tuple(float(g == h) for h in _GROUPS) for g in _GROUPS}


def not_field_spun(evidence: DocumentEvidence) -> bool:
    """Whether a text shows no sign of the field spinner, whose table the field fingerprints are: a lower-case "the"
    (``p_field`` at :data:`~service.candidates.CLEAN_P_FIELD`) and under :data:`FINGERPRINT_TRUST_RATE` of its content
    words changed by the first pass. There a fingerprint is the thesaurus pair it is anywhere else: in 1,000 clean
    Reuters articles "organisation" -> "group", "trigger" -> "launch" had been made at 0.7-0.98. Nor does the batch's
    own spinner table make arcs there (``rules_engine._swap_tables``)."""
    return evidence.field_evidence and evidence.p_field <= CLEAN_P_FIELD and evidence.spin_rate < FINGERPRINT_TRUST_RATE


def features(
    decision: Decision,
    forms: Sequence[str],
    evidence: DocumentEvidence,
    unfit: frozenset[int],
    model_arcs: frozenset[tuple[int, int, tuple[str, ...]]],
) -> list[float]:
    """The feature vector of one decision, in the order of :data:`FEATURES`.

    ``model_arcs`` are the seq2seq model's proposals for the sentence (empty for the rules engine). A field
    fingerprint in a text with no sign of the field spinner (:func:`not_field_spun`) is judged as a thesaurus pair.
    """
    arc: Arc = decision.arc
    start, end, words = arc.start, arc.end, arc.words
    group = SOURCE_GROUPS.get(arc.source, "thesaurus")
    if group == "fingerprint" and not_field_spun(evidence):
        group = "thesaurus"
    one_hot = _ONE_HOT[group]
    gain = max(-5.0, min(10.0, decision.lm_gain))
    one_token = end == start + 1
    spun = forms[start] if one_token else " ".join(forms[start:end])
    original = " ".join(words)
    z_spun, z_orig = zipf(spun), zipf(original)
    learnt = evidence.table.get(spun, {}).get(original, 0.0) if one_token else 0.0
    agrees = float((start, end, words) in model_arcs)
    x = [*one_hot]
    x += [gain * h for h in one_hot]
    x += (  # in the order of _SCALARS
        gain,
        max(-5.0, min(5.0, decision.margin)),
        math.log10(max(arc.weight, 1e-4)),
        decision.confidence,
        z_spun,
        z_orig,
        z_orig - z_spun,
        evidence.own_p_field,  # not its batch's: an earnings table is judged by its own numbers
        evidence.spin_rate,
        learnt,
        math.log1p(learnt * evidence.batch_counts.get(spun, 0)) if learnt else 0.0,
        math.log1p(evidence.counts.get(spun, 1)),
        float(start in unfit if one_token else any(i in unfit for i in range(start, end))),
        agrees,
        agrees if group == "article" else 0.0,
        float(end - start > 1 or len(words) > 1),
    )
    return x


@dataclass(frozen=True)
class Verifier:
    """Logistic regression over standardised :data:`FEATURES`."""

    weights: tuple[float, ...]
    bias: float
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    info: dict
    # the standardisation folded into the weights: z = _intercept + sum(_coef * x)
    _coef: tuple[float, ...] = field(init=False, repr=False, compare=False)
    _intercept: float = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        coef = tuple(w / s for w, s in zip(self.weights, self.scale, strict=False))  # lengths: checked on load
        object.__setattr__(self, "_coef", coef)
        object.__setattr__(self, "_intercept", self.bias - sum(c * m for c, m in zip(coef, self.mean, strict=False)))

    def probability(self, x: Sequence[float]) -> float:
        """P(the edit is a true restoration) for the feature vector ``x`` (as long as :data:`FEATURES`)."""
        z = sum(map(mul, self._coef, x), self._intercept)  # the intercept first, then each term in order
        return probability(z)

    def to_json(self) -> str:
        """The artefact's text (see :func:`load_verifier`)."""
        return json.dumps(
            {
                "format": FORMAT,
                "features": list(FEATURES),
                "weights": list(self.weights),
                "bias": self.bias,
                "mean": list(self.mean),
                "scale": list(self.scale),
                "info": self.info,
            },
            indent=1,
        )


def verifier_path(engine: str) -> Path:
    """``verifier_<engine>_v1.json`` in ``$UNSPIN_VERIFIER_DIR`` or ``service/data``."""
    return Path(os.environ.get(ENV_VAR) or DATA_DIR) / f"verifier_{engine}_v1.json"


def load_verifier(engine: str, path: str | os.PathLike[str] | None = None) -> Verifier:
    """Load the verifier fitted on ``engine``'s decisions (or the file at ``path``).

    Raises:
        FileNotFoundError: the file does not exist.
        ValueError: the file's format or feature names do not match this code.
    """
    p = Path(path) if path else verifier_path(engine)
    rebuild = "rebuild it with scripts/train_verifier.py"
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{p}: not a verifier file ({exc}); {rebuild}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT or tuple(data.get("features", ())) != FEATURES:
        raise ValueError(f"{p}: verifier fitted on other features or format; {rebuild}")
    try:
        verifier = Verifier(tuple(data["weights"]), data["bias"], tuple(data["mean"]), tuple(data["scale"]), data.get("info", {}))
    except KeyError as exc:
        raise ValueError(f"{p}: verifier without {exc}; {rebuild}") from None
    except TypeError as exc:
        raise ValueError(f"{p}: verifier with a malformed field ({exc}); {rebuild}") from None
    if not len(verifier.weights) == len(verifier.mean) == len(verifier.scale) == len(FEATURES):
        raise ValueError(f"{p}: verifier with {len(verifier.weights)} weights for {len(FEATURES)} features; {rebuild}")
    return verifier


def shipped_verifier(engine: str) -> Verifier | None:
    """``engine``'s verifier, or None (confidences are then the decoder's posteriors) when
    its file is absent, as while ``scripts/train_verifier.py`` bootstraps it."""
    try:
        return load_verifier(engine)
    except FileNotFoundError as exc:
        log.warning("no verifier for the %s engine (%s): edit confidences are the decoder's posteriors", engine, exc)
        return None
