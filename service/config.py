"""RestoreConfig: every option of a restoration, immutable, validated once.

>>> make_config(None, min_confidence=0.9).min_confidence
0.9
>>> make_config(None, engine="gpt")
Traceback (most recent call last):
...
ValueError: [U002] Unknown engine 'gpt': use one of auto, rules, model.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from typing import Any, Literal, NamedTuple, get_args

from .errors import Errors
from .spinner_table import SpinnerTable, from_json, normalise_pairs

__all__ = ["RestoreConfig", "EngineName", "ENGINE_NAMES", "STAGE_NAMES", "make_config"]

EngineName = Literal["auto", "rules", "model"]
ENGINE_NAMES: tuple[str, ...] = get_args(EngineName)
# Stages a caller may switch off with ``disable=[...]`` (see service.registry).
STAGE_NAMES: tuple[str, ...] = ("article", "number", "dictionary", "context", "document", "seq2seq")

_RENAMED: dict[str, str] = {"threshold": "min_confidence"}


class RestoreConfig(NamedTuple):
    """Options for :func:`service.restore_and_explain`.

    Attributes:
        engine: "rules" (dictionary + language model, no torch), "model" (adds the
            seq2seq model) or "auto" (model when torch and a GPU are present, else
            rules; the environment variable ``UNSPIN_ENGINE`` overrides "auto").
            Default "auto".
        min_confidence: Edits below this confidence are dropped. Higher means fewer,
            surer edits. Default 0.5, which favours precision.
        explain: Return the list of edits. With False, ``edits`` is None. Default True.
        disable: Stage names to switch off (see ``STAGE_NAMES``). Default none.
        max_candidates: Dictionary candidates tried per spun word. Default 6 (12 gave the
            same recall on the dev evaluation, more false edits and 14% less speed).
        beam_width: Hypotheses kept per position by the decoder. Default 6.
        pool_document: Learn the spinner's table from the whole document (or batch)
            and decode again with it. Default True.
        spinner_table: Swaps the spinner is known to make, ``(spun, original)`` pairs —
            e.g. learnt from a corpus of its articles by :func:`service.learn_spinner_table`.
            They join the table the batch teaches, and a swap of this table that the decoder
            makes is trusted (confidence at least 0.9). ``make_config`` also takes a
            :class:`service.SpinnerTable`, its JSON form (``{"swaps": [...]}``) or a mapping
            ``{spun: original}``. Default none.
    """

    engine: EngineName = "auto"
    min_confidence: float = 0.5
    explain: bool = True
    disable: tuple[str, ...] = ()
    max_candidates: int = 6
    beam_width: int = 6
    pool_document: bool = True
    spinner_table: tuple[tuple[str, str], ...] = ()


def make_config(config: RestoreConfig | None = None, **kwargs: Any) -> RestoreConfig:
    """Merge ``kwargs`` into ``config`` (or the defaults) and validate the result.

    Raises:
        ValueError: with a coded message naming the bad option.
        TypeError: for an option that does not exist.
    """
    for old, new in _RENAMED.items():
        if old in kwargs:
            warnings.warn(f"option {old!r} is now called {new!r}", DeprecationWarning, stacklevel=3)
            kwargs[new] = kwargs.pop(old)
    unknown = set(kwargs) - set(RestoreConfig._fields)
    if unknown:
        raise TypeError(Errors.U001.format(name=sorted(unknown)[0], fields=", ".join(RestoreConfig._fields)))
    if "disable" in kwargs:
        kwargs["disable"] = tuple(kwargs["disable"] or ())
    if "spinner_table" in kwargs:
        kwargs["spinner_table"] = _table_pairs(kwargs["spinner_table"])
    cfg = (config or RestoreConfig())._replace(**kwargs)
    if cfg.engine not in ENGINE_NAMES:
        raise ValueError(Errors.U002.format(engine=cfg.engine, choices=", ".join(ENGINE_NAMES)))
    if not 0.0 <= cfg.min_confidence <= 1.0:
        raise ValueError(Errors.U003.format(value=cfg.min_confidence))
    bad = [s for s in cfg.disable if s not in STAGE_NAMES]
    if bad:
        raise ValueError(Errors.U004.format(stage=bad[0], choices=", ".join(STAGE_NAMES)))
    if cfg.max_candidates < 0:
        raise ValueError(Errors.U005.format(name="max_candidates"))
    if cfg.beam_width < 1:
        raise ValueError(Errors.U006.format(name="beam_width"))
    return cfg


def _table_pairs(table: object) -> tuple[tuple[str, str], ...]:
    """The ``spinner_table`` option as validated pairs (see :class:`RestoreConfig`)."""
    if table is None:
        return ()
    if isinstance(table, SpinnerTable):
        return table.pairs()
    if isinstance(table, Mapping):
        if "swaps" in table:  # the JSON form (service.spinner_table)
            return from_json(table).pairs()
        return normalise_pairs(table.items())
    if isinstance(table, Iterable) and not isinstance(table, str | bytes):
        items = list(table)
        if all(isinstance(p, tuple | list) and len(p) == 2 for p in items):
            return normalise_pairs((p[0], p[1]) for p in items)
    raise ValueError(Errors.U007.format(detail=f"expected a SpinnerTable, a mapping or (spun, original) pairs, got {type(table).__name__}"))
