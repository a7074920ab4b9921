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
from typing import Any, Literal, NamedTuple, get_args

from .errors import Errors

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
    """

    engine: EngineName = "auto"
    min_confidence: float = 0.5
    explain: bool = True
    disable: tuple[str, ...] = ()
    max_candidates: int = 6
    beam_width: int = 6
    pool_document: bool = True


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
