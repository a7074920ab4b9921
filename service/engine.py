"""Engine selection and the public restore functions.

"rules" is the dictionary + language-model engine (:mod:`service.rules_engine`), which
never imports torch. "model" adds the seq2seq model (:mod:`service.model_engine`); when
it cannot run (no torch, no or corrupt model folder, inference failure) the rules
engine answers instead, the result says ``engine="rules"``, and one warning is logged.
"""

from __future__ import annotations

import gc
import logging
import os
import re
import statistics
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .config import RestoreConfig, make_config
from .edits import RestoredText
from .errors import Errors
from .spinner_table import LearntSwap, SpinnerTable

if TYPE_CHECKING:
    from .rules_engine import RulesEngine

__all__ = [
    "SpinnerTableLearner", "check_text", "engine_status", "learn_spinner_table", "restore", "restore_and_explain", "restore_many", "warm_up"
]

log = logging.getLogger("unspin.engine")

# -- engine selection ------------------------------------------------------------

_lock = threading.Lock()
_model_error: str | None = None


@lru_cache(maxsize=1)
def _rules() -> RulesEngine:
    from .rules_engine import RulesEngine

    return RulesEngine()


def _model() -> Any | None:
    """The model engine, or None (with one logged warning) when it cannot run."""
    global _model_error
    with _lock:
        if _model_error is not None:
            return None
        try:
            from .model_engine import load_model_engine

            return load_model_engine(_rules())
        except Exception as exc:  # noqa: BLE001 - any failure means: fall back to rules
            _model_error = f"{type(exc).__name__}: {exc}"
            log.warning(Errors.U030.format(reason=_model_error))
            return None


def _wants_model(name: str) -> bool:
    if name == "auto":
        name = os.environ.get("UNSPIN_ENGINE", "auto").strip().lower() or "auto"
    if name == "model":
        return True
    if name == "rules":
        return False
    try:
        import torch

        return bool(torch.cuda.is_available())
    except ImportError:
        return False


def _engine(name: str) -> Any:
    if _wants_model(name):
        model = _model()
        if model is not None:
            return model
    return _rules()


_SURROGATE = re.compile("[\ud800-\udfff]")


def check_text(text: object) -> None:
    """Refuse what no engine can restore, with a message that says what to fix.

    Raises:
        TypeError: ``text`` is not a string (U010).
        ValueError: ``text`` holds a lone surrogate, which is not Unicode text (U012).
    """
    if not isinstance(text, str):
        raise TypeError(Errors.U010.format(type=type(text).__name__))
    m = _SURROGATE.search(text)
    if m:
        raise ValueError(Errors.U012.format(code=ord(m.group()), index=m.start()))


_gc_lock = threading.Lock()
_gc_pauses = 0  # restores running now (any thread)
_gc_resume = False  # whether the collector was on when the first of them began
_gc_paused_since = 0.0
#: Under unbroken overlapping load the collector would never be back on: a restore that ends
#: after the collector has been paused this long runs one collection itself.
GC_MAX_PAUSE_S = 10.0


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while restores run (it is back on once none runs).

    A restore allocates hundreds of thousands of short-lived tuples and makes no reference
    cycles (reference counting frees all of it), yet the collector kept sweeping the loaded
    artefacts: a quarter of the rules engine's time (scripts/bench_engine.py, BENCHMARKS.md).
    Cycles made elsewhere in the process meanwhile are collected once no restore runs, or
    every :data:`GC_MAX_PAUSE_S` seconds (one full collection, ~25 ms) while restores overlap.
    """
    global _gc_pauses, _gc_resume, _gc_paused_since
    with _gc_lock:
        if _gc_pauses == 0:
            _gc_resume = gc.isenabled()
            _gc_paused_since = time.monotonic()
            gc.disable()
        _gc_pauses += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses -= 1
            if _gc_resume:
                if _gc_pauses == 0:
                    gc.enable()
                elif time.monotonic() - _gc_paused_since > GC_MAX_PAUSE_S:
                    gc.collect()
                    _gc_paused_since = time.monotonic()


def restore_many(texts: Sequence[str], config: RestoreConfig | None = None, **kwargs: Any) -> list[RestoredText]:
    """Restore a batch of documents, pooling the spinner's table over all of them.

    Raises:
        TypeError, ValueError: an item of ``texts`` cannot be restored (:func:`check_text`).
    """
    cfg = make_config(config, **kwargs)
    for t in texts:
        check_text(t)
    if not texts:
        return []
    engine = _engine(cfg.engine)
    with _gc_paused():
        return engine.restore_many(list(texts), cfg)


def restore_and_explain(text: str, config: RestoreConfig | None = None, **kwargs: Any) -> RestoredText:
    """Restore one document and list every edit (spans into ``text``)."""
    return restore_many([text], config, **kwargs)[0]


def restore(text: str, config: RestoreConfig | None = None, **kwargs: Any) -> str:
    """Restore one document and return only the text."""
    return restore_and_explain(text, config, **{**kwargs, "explain": False}).text


#: Documents restored together while learning a table; the evidence of the chunks is added up.
LEARN_CHUNK = 2000
#: A learnt swap was made at this many places at least, at this share of its spun form's places
#: at least, with at least this median confidence (the verifier's, before pooling). Chosen on
#: reut2-018 (200 field-spun articles, spinner seeds 0 and 1): places and share with tables learnt
#: from 1,600 articles, re-checked and the medians chosen with 2,000 and 6,400 (reut2-000..012);
#: measured on the dev files with tables from 1,600 and 6,400 articles (BENCHMARKS.md,
#: model_cards/reversal_dictionary.md). Looser in share than a batch's own pooling (0.7): a spun
#: form that is also a genuine word ("plenty", "worth") is restored at fewer of its places. A bigger archive teaches more of the spinner's swaps but also more near misses,
#: which a median of 0.4 let in ("accidental" -> "current" for "new", "yesterday" -> "today" where
#: the spinner made none). A share of 0.45 restored a little more, with more false edits on clean text.
#: A lower median confidence, down to LEARN_MIN_NEAREST_MEDIAN, is enough when the original is the
#: word whose contexts in the corpus are most like the spun form's, in at least half the chunks that
#: taught the swap: the spinner left the word alone at some places, so a swap the language model
#: doubts at each place ("flatulence" -> "inflation", median 0.24) still shows where the original
#: stands. Below that floor the context evidence of one chunk admitted genuine words of the corpus
#: ("bourse" -> "menu" 0.04, "callable" -> "mature" 0.08).
LEARN_MIN_PLACES = 8
LEARN_MIN_SHARE = 0.5
LEARN_MIN_MEDIAN = 0.55
LEARN_MIN_NEAREST_MEDIAN = 0.15


#: The version of :meth:`SpinnerTableLearner.state`'s data.
LEARNER_STATE_FORMAT = 1


class SpinnerTableLearner:
    """The evidence for a spinner's table, added up over chunks of its articles as they come.

    Each :meth:`read` restores a chunk of the spinner's articles (spun text only) with the rules
    engine as one batch and adds what it says of each swap of the batch's table; :meth:`table`
    is the table that the evidence so far admits (:func:`learn_spinner_table` reads a whole
    corpus so; ``service.feeds`` reads a server's traffic). Not thread-safe: one :meth:`read`
    at a time.
    """

    def __init__(self, config: RestoreConfig | None = None, **kwargs: Any) -> None:
        self.config = make_config(config, **{**kwargs, "engine": "rules"})
        self.documents = 0
        self.words = 0
        self._made: dict[tuple[str, str], list[float]] = defaultdict(list)
        self._places: Counter[tuple[str, str]] = Counter()  # a swap's spun form's places in the chunks that taught it
        self._chunks: Counter[tuple[str, str]] = Counter()  # chunks that taught it ...
        self._nearest: Counter[tuple[str, str]] = Counter()  # ... and those where its original was the nearest word

    def read(self, texts: Sequence[str]) -> None:
        """Restore ``texts`` as one batch and add what it says of each swap.

        Raises:
            TypeError, ValueError: an item of ``texts`` cannot be restored (:func:`check_text`).
        """
        for text in texts:
            check_text(text)
        with _gc_paused():
            found = _rules().table_evidence(list(texts), self.config)
        for pair, evidence in found.items():
            self._add(pair, evidence.confidences, evidence.places, 1, int(evidence.nearest))
        self.documents += len(texts)
        self.words += sum(len(text.split()) for text in texts)

    def state(self) -> dict[str, Any]:
        """The evidence as JSON-able data (:meth:`merge` reads it back)."""
        return {
            "format": LEARNER_STATE_FORMAT,
            "documents": self.documents,
            "words": self.words,
            "swaps": [
                [*pair, confidences, self._places[pair], self._chunks[pair], self._nearest[pair]]
                for pair, confidences in sorted(self._made.items())
            ],
        }

    def merge(self, state: dict[str, Any]) -> SpinnerTableLearner:
        """Add the evidence of :meth:`state` (this or another learner's) to this learner's; return it.

        Raises:
            ValueError: ``state`` is not what :meth:`state` writes (then nothing was added).
        """
        try:
            if state["format"] != LEARNER_STATE_FORMAT:
                raise ValueError(f"format {state['format']!r}, expected {LEARNER_STATE_FORMAT}")
            documents, words = int(state["documents"]), int(state["words"])
            swaps = [
                ((str(spun), str(original)), [float(c) for c in confidences], int(places), int(chunks), int(nearest))
                for spun, original, confidences, places, chunks, nearest in state["swaps"]
            ]
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"not a spinner table learner's state ({type(exc).__name__}: {exc})") from None
        for swap in swaps:
            self._add(*swap)
        self.documents += documents
        self.words += words
        return self

    def _add(self, pair: tuple[str, str], confidences: list[float], places: int, chunks: int, nearest: int) -> None:
        """Add one swap's evidence: confidences where it was made, its spun form's places, the
        chunks that taught it and those where its original was the spun form's nearest word."""
        self._made[pair].extend(confidences)
        self._places[pair] += places
        self._chunks[pair] += chunks
        self._nearest[pair] += nearest

    def table(self) -> SpinnerTable:
        """The swaps the evidence so far admits (:func:`_admitted`); of two originals for one spun
        form, the one made more often."""
        best: dict[str, LearntSwap] = {}
        for pair, confidences in sorted(self._made.items()):
            swap = LearntSwap(
                *pair, self._places[pair], len(confidences), round(statistics.median(confidences), 4),
                2 * self._nearest[pair] >= self._chunks[pair],
            )
            if _admitted(swap) and (swap.spun not in best or swap.restored > best[swap.spun].restored):
                best[swap.spun] = swap
        return SpinnerTable(tuple(best[s] for s in sorted(best)), self.documents, self.words)


def learn_spinner_table(
    texts: Iterable[str],
    config: RestoreConfig | None = None,
    *,
    progress: Callable[[int], None] | None = None,
    learner: SpinnerTableLearner | None = None,
    **kwargs: Any,
) -> SpinnerTable:
    """Learn a spinner's table from a corpus of its articles (spun text only).

    The corpus is restored by the rules engine, :data:`LEARN_CHUNK` documents at a time as
    one batch; a swap enters the table when, over the chunks whose batch table holds it,
    the engine made it at :data:`LEARN_MIN_PLACES` places or more, at a share of at least
    :data:`LEARN_MIN_SHARE` of its spun form's places, with a median confidence of at least
    :data:`LEARN_MIN_MEDIAN` — or of at least :data:`LEARN_MIN_NEAREST_MEDIAN` with the original
    as the word whose contexts are most like the spun form's; of two originals for one spun form,
    the one made more often (:class:`SpinnerTableLearner`).
    Pass the table to later restorations as ``spinner_table=``.

    Args:
        progress: Called with the number of documents read after each chunk.
        learner: Add the evidence to this learner (its own config is used) instead of a new one,
            e.g. to keep it (:meth:`SpinnerTableLearner.state`) or to go on from earlier evidence.

    Raises:
        TypeError, ValueError: an item of ``texts`` cannot be restored (:func:`check_text`).
    """
    if learner is None:
        learner = SpinnerTableLearner(config, **kwargs)
    chunk: list[str] = []
    for text in texts:
        check_text(text)  # a bad document is refused before its chunk is restored
        chunk.append(text)
        if len(chunk) == LEARN_CHUNK:
            learner.read(chunk)
            chunk = []
            if progress is not None:
                progress(learner.documents)
    if chunk:
        learner.read(chunk)
        if progress is not None:
            progress(learner.documents)
    return learner.table()


def _admitted(swap: LearntSwap) -> bool:
    """Whether a swap's evidence over a corpus lets it into a learnt table (:func:`learn_spinner_table`)."""
    if swap.restored < max(LEARN_MIN_PLACES, LEARN_MIN_SHARE * swap.places):
        return False
    floor = LEARN_MIN_NEAREST_MEDIAN if swap.nearest else LEARN_MIN_MEDIAN
    return swap.median_confidence >= floor


def warm_up(engine: str = "auto") -> str:
    """Load the resources of ``engine`` now; return the name of the engine that will run."""
    return _engine(make_config(engine=engine).engine).name


def engine_status() -> dict[str, Any]:
    """What /readyz reports: the engine "auto" resolves to, and the loaded artefacts (each one's header: its
    source, settings and size; the verifier's, its data and held-out figures; None for an artefact not loaded)."""
    rules = _rules()
    live = _engine("auto")
    gap_filler = rules.gap_filler
    return {
        "engine": live.name,
        "model_error": _model_error,
        "resources": {
            "language_model": rules.lm.info,
            "dictionary": rules.dictionary.info,
            # the header without its description of the arrays
            "gap_filler": {k: v for k, v in gap_filler.header.items() if k != "arrays"} if gap_filler is not None else None,
            "verifier": live.verifier.info if live.verifier is not None else None,  # the live engine's own
            **({"seq2seq": live.info} if live.name == "model" else {}),
        },
    }
