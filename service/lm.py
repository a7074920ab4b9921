"""The rules engine's language model (kenlm) and the gap-filler index.

Both artefacts are built by ``scripts/train_lm.py`` from English Wikipedia into ``models/lm``:

- ``wiki_en_4gram_v1.binary``: a pruned, quantised kenlm trie over :func:`service.text.lm_form` tokens, with a
  JSON sidecar ``wiki_en_4gram_v1.json`` (``format``, ``kind``, ``version``, ``order``, ``settings``...).
- ``gap_fillers_v1.npz``: for every context token, the K most frequent following and preceding words among the
  V most frequent alphabetic words, as CSR arrays (uint16 ids, float16 log10 probabilities) with a JSON header.

Queries must use LM forms (lower case, ASCII quotes), as the training text does, with newswire
shorthand written out (:func:`query_forms`):

>>> from service.text import lm_sentence, tokenize
>>> lm_sentence(tokenize("The troops’ base"))
['the', 'troops', "'", 'base']
>>> query_forms(lm_sentence(tokenize("a 9 mln dlr loss")))
['a', '9', 'million', 'dollar', 'loss']
"""

from __future__ import annotations

import json
import math
import os
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import Any

import kenlm
import numpy as np

from .errors import Errors

__all__ = [
    "FORMAT",
    "VERSION",
    "GapFiller",
    "LanguageModel",
    "default_gap_filler_path",
    "default_lm_path",
    "load_gap_filler",
    "load_language_model",
    "NEWSWIRE_WORDS",
    "query_forms",
]

FORMAT = 1
VERSION = "v1"
GAP_FORMAT = 1
LM_ENV_VAR = "UNSPIN_LM_PATH"
GAP_ENV_VAR = "UNSPIN_GAP_FILLER_PATH"
MODEL_DIR = Path(__file__).resolve().parent.parent / "models" / "lm"
LM_FILE = f"wiki_en_4gram_{VERSION}.binary"
GAP_FILE = f"gap_fillers_{VERSION}.npz"
_BUILD = "`python scripts/train_lm.py`"

#: Newswire shorthand -> the word Wikipedia writes. The model is trained on Wikipedia, which
#: writes "nine million dollars" and "$33 a barrel", never "nine mln dlrs" or "33 dlrs a barrel",
#: so it judged the words around such shorthand with no context at all. None of these is a word
#: the engine may edit (``candidates._is_content_candidate``): the mapping changes what the model
#: reads, never the text.
NEWSWIRE_WORDS: dict[str, str] = {
    "dlr": "dollar",
    "dlrs": "dollars",
    "mln": "million",
    "bln": "billion",
    "pct": "percent",
    "cts": "cents",
    "stg": "sterling",
    "mth": "month",
    "mths": "months",
    "qtr": "quarter",
    "shr": "share",
    "shrs": "shares",
    "yr": "year",
    "yrs": "years",
}


def query_forms(forms: list[str]) -> list[str]:
    """A sentence's LM forms as the language model reads them: newswire shorthand written out
    (:data:`NEWSWIRE_WORDS`)."""
    get = NEWSWIRE_WORDS.get
    return [get(f, f) for f in forms]


def default_lm_path() -> Path:
    """``$UNSPIN_LM_PATH`` if set, else ``<repo>/models/lm/wiki_en_4gram_v1.binary``."""
    env = os.environ.get(LM_ENV_VAR)
    return Path(env) if env else MODEL_DIR / LM_FILE


def default_gap_filler_path() -> Path:
    """``$UNSPIN_GAP_FILLER_PATH`` if set, else ``<repo>/models/lm/gap_fillers_v1.npz``."""
    env = os.environ.get(GAP_ENV_VAR)
    return Path(env) if env else MODEL_DIR / GAP_FILE


def _check_header(header: Any, what: str, path: Path, kind: str, fmt: int) -> dict[str, Any]:
    if not isinstance(header, dict):
        raise ValueError(f"{what} header at {path} must be a JSON object. Rebuild it with {_BUILD}.")
    found = (header.get("kind"), header.get("format"), header.get("version"))
    if found != (kind, fmt, VERSION):
        raise ValueError(
            Errors.U022.format(
                what=what, path=path, found=f"kind={found[0]} format={found[1]} version={found[2]}",
                expected=f"kind={kind} format={fmt} version={VERSION}", script=_BUILD,
            )
        )
    return header


class LanguageModel:
    """A kenlm n-gram model with its sidecar.

    Attributes:
        model: The ``kenlm.Model`` (query it with LM forms, see :func:`service.text.lm_form`).
        order: The n-gram order.
        info: The JSON sidecar (source, token count, lmplz/build_binary settings...).
        path: The binary's path.
    """

    def __init__(self, model: kenlm.Model, info: dict[str, Any], path: Path) -> None:
        self.model = model
        self.order: int = int(model.order)
        self.info = info
        self.path = path

    def score(self, tokens: list[str], bos: bool = True, eos: bool = True) -> float:
        """Log10 probability of a token sequence (LM forms).

        Args:
            tokens: The tokens, already in LM form.
            bos: Condition on the sentence start ``<s>``.
            eos: Add the probability of the sentence end ``</s>``.
        """
        return float(self.model.score(" ".join(tokens), bos=bos, eos=eos))

    def word_scores(self, tokens: list[str], bos: bool = True, eos: bool = True) -> list[float]:
        """Log10 probability of each token given its history (plus ``</s>`` last when ``eos``)."""
        return [s for s, _ngram, _oov in self.model.full_scores(" ".join(tokens), bos=bos, eos=eos)]

    def perplexity(self, sentences: list[list[str]]) -> float:
        """Per-token perplexity (``</s>`` counted as a token) over tokenised sentences."""
        total = sum(self.score(s) for s in sentences)
        n = sum(len(s) + 1 for s in sentences)
        return 10.0 ** (-total / max(n, 1))

    def contains(self, word: str) -> bool:
        """True when ``word`` (an LM form) is in the model's vocabulary."""
        return word in self.model

    __contains__ = contains

    def __repr__(self) -> str:
        return f"LanguageModel(path={str(self.path)!r}, order={self.order})"


@lru_cache(maxsize=4)
def _load_lm(path: Path) -> LanguageModel:
    if not path.is_file():
        raise FileNotFoundError(Errors.U020.format(path=path))
    sidecar = path.with_suffix(".json")
    if not sidecar.is_file():
        raise FileNotFoundError(f"Language model sidecar {sidecar} is missing. Rebuild the model with {_BUILD}.")
    try:
        info = json.loads(sidecar.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"Language model sidecar {sidecar} is not valid JSON ({exc}). Rebuild it with {_BUILD}.") from exc
    _check_header(info, "Language model", sidecar, "kenlm", FORMAT)
    config = kenlm.Config()
    config.load_method = kenlm.LoadMethod.LAZY  # mmap: the fastest cold start (pages fault in on use)
    model = kenlm.Model(str(path), config)
    if int(info.get("order", model.order)) != model.order:
        raise ValueError(f"Language model {path} has order {model.order} but its sidecar says {info['order']}. "
                         f"Rebuild it with {_BUILD}.")
    return LanguageModel(model, info, path)


def load_language_model(path: Path | str | None = None) -> LanguageModel:
    """Load (once, cached) the kenlm language model.

    Args:
        path: The ``.binary`` file; its sidecar is the same path with ``.json``. Default:
            :func:`default_lm_path`.

    Returns:
        The model, memory-mapped lazily.

    Raises:
        FileNotFoundError: The binary or its sidecar is missing (the message says how to build it).
        ValueError: The sidecar is not of this kind/format/version, or does not match the binary.
    """
    return _load_lm(Path(path) if path is not None else default_lm_path())


class GapFiller:
    """Words that fit between two context tokens, from Wikipedia bigram counts.

    ``candidates(left, right)`` scores a word ``w`` by ``log10 P(w | left) + log10 P(right | w)``. Words found
    in both of the stored lists (``left``'s followers and ``right``'s predecessors) rank first; a word found in one
    list only gets an upper bound for the missing side (it was rarer than that list's rarest entry); an unknown
    context falls back to the one known side (with the unigram prior for an unknown ``left``).

    Attributes:
        header: The JSON header stored in the index (format, version, source, K, V...).
        vocab: The context tokens; the first ``V`` are the target words.
    """

    def __init__(self, arrays: dict[str, np.ndarray], header: dict[str, Any]) -> None:
        self.header = header
        self.vocab: list[str] = bytes(arrays["vocab"]).decode("utf-8").split("\n")
        self.n_targets = int(header["V"])
        self._ids = {w: i for i, w in enumerate(self.vocab)}
        self._log10_count: list[float] = arrays["log10_count"].astype(np.float64).tolist()
        self._log10_total = math.log10(float(header["tokens"]))
        self._next = (arrays["next_offsets"], arrays["next_ids"], arrays["next_logp"])
        self._prev = (arrays["prev_offsets"], arrays["prev_ids"], arrays["prev_logp"])
        self._cache: dict[tuple[str, int], tuple[dict[int, float], float]] = {}

    def is_known(self, word: str) -> bool:
        """True when ``word`` (an LM form) is one of the ``V`` target words."""
        i = self._ids.get(word)
        return i is not None and i < self.n_targets

    def _list(self, side: str, ctx: int) -> tuple[dict[int, float], float]:
        """The stored list of context ``ctx`` (word id -> log10 probability, most frequent
        first) and its floor: the lowest log10 P(w | left) of a "next" list, the log10 count
        of the rarest word of a "prev" list. Cached."""
        key = (side, ctx)
        hit = self._cache.get(key)
        if hit is None:
            offsets, ids, logp = self._next if side == "next" else self._prev
            a, b = int(offsets[ctx]), int(offsets[ctx + 1])
            entries = dict(zip(ids[a:b].tolist(), logp[a:b].astype(np.float64).tolist(), strict=True))
            if side == "next":
                floor = min(entries.values(), default=-self._log10_count[ctx])  # log10 P(w | left) < 1 / c(left)
            else:
                counts = self._log10_count
                floor = min((lp + counts[w] for w, lp in entries.items()), default=0.0)
            if len(self._cache) > 100_000:
                self._cache.clear()
            hit = self._cache[key] = (entries, floor)
        return hit

    def followers(self, left: str) -> list[tuple[str, float]]:
        """The stored words after ``left`` with log10 P(w | left), most frequent first."""
        i = self._ids.get(left)
        if i is None:
            return []
        return [(self.vocab[w], lp) for w, lp in self._list("next", i)[0].items()]

    def predecessors(self, right: str) -> list[tuple[str, float]]:
        """The stored words before ``right`` with log10 P(right | w), most frequent first."""
        i = self._ids.get(right)
        if i is None:
            return []
        return [(self.vocab[w], lp) for w, lp in self._list("prev", i)[0].items()]

    def candidates(self, left: str, right: str, k: int = 20) -> list[tuple[str, float]]:
        """Words that fit between ``left`` and ``right`` (LM forms; ``<s>``/``</s>`` at sentence edges).

        Args:
            left: The token before the gap.
            right: The token after the gap.
            k: How many candidates to return.

        Returns:
            Up to ``k`` (word, score) pairs, best first; the score approximates
            ``log10 P(w | left) + log10 P(right | w)``. Words seen on both sides come first.
        """
        li, ri = self._ids.get(left), self._ids.get(right)
        nxt, miss_next = self._list("next", li) if li is not None else ({}, 0.0)
        prv, floor_prev = self._list("prev", ri) if ri is not None else ({}, 0.0)
        if not nxt and not prv:
            return []
        counts = self._log10_count
        both: list[tuple[float, int]] = []
        if li is not None and ri is not None:
            both = [(lp + other, w) for w, lp in nxt.items() if (other := prv.get(w)) is not None]
            both.sort(key=itemgetter(0), reverse=True)  # stable: ties keep the list's order
            if len(both) >= k:
                return [(self.vocab[w], round(s, 4)) for s, w in both[:k]]
        if li is None:  # unknown left context: P(w | left) ~ P(w)
            one = [(lp + counts[w] - self._log10_total, w) for w, lp in prv.items()]
        elif ri is None:  # unknown right context: P(right | w) is the same unknown constant for every w
            one = [(lp, w) for w, lp in nxt.items()]
        else:
            # upper bounds for a side where w is missing: w was rarer there than the list's rarest entry;
            # log10 P(right | w) < rarest c(. right) / c(w): frequent words absent from the list sink
            one = [(lp + min(floor_prev - counts[w], 0.0), w) for w, lp in nxt.items() if w not in prv]
            one.extend((miss_next + lp, w) for w, lp in prv.items() if w not in nxt)
        one.sort(key=itemgetter(0), reverse=True)
        return [(self.vocab[w], round(s, 4)) for s, w in (both + one)[:k]]

    def __repr__(self) -> str:
        return f"GapFiller(V={self.n_targets}, K={self.header.get('K')}, contexts={len(self.vocab)})"


@lru_cache(maxsize=4)
def _load_gap_filler(path: Path) -> GapFiller:
    if not path.is_file():
        raise FileNotFoundError(
            f"Gap-filler index not found at {path}. Build it with {_BUILD} or set {GAP_ENV_VAR}."
        )
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
        header = json.loads(bytes(arrays.pop("header")).decode("utf-8"))
    except (KeyError, ValueError, OSError) as exc:
        raise ValueError(f"Gap-filler index {path} cannot be read ({exc}). Rebuild it with {_BUILD}.") from exc
    _check_header(header, "Gap-filler index", path, "gap-filler", GAP_FORMAT)
    return GapFiller(arrays, header)


def load_gap_filler(path: Path | str | None = None) -> GapFiller:
    """Load (once, cached) the gap-filler index.

    Args:
        path: The ``.npz`` file. Default: :func:`default_gap_filler_path`.

    Raises:
        FileNotFoundError: The file is missing (the message says how to build it).
        ValueError: The file is unreadable or not of this kind/format/version.
    """
    return _load_gap_filler(Path(path) if path is not None else default_gap_filler_path())
