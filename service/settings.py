"""Server settings, read once from ``UNSPIN_*`` environment variables.

Every field has a default that suits one small container; a bad value stops the server at
start-up with a coded message instead of failing on the first request.

>>> s = Settings.from_env({"UNSPIN_MAX_BATCH": "8", "UNSPIN_API_KEY": ""})
>>> s.max_batch, s.api_key, s.max_bytes
(8, None, 1000000)
>>> Settings.from_env({"UNSPIN_WORKERS": "zero"})
Traceback (most recent call last):
...
ValueError: [U052] Setting UNSPIN_WORKERS='zero' is invalid: an integer >= 1.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from .config import ENGINE_NAMES
from .errors import Errors
from .spinner_table import from_json

__all__ = ["Settings", "ENV_VARS"]


class Settings(NamedTuple):
    """What the HTTP service needs to know; the engine reads its own artefact paths.

    Attributes:
        engine: Default engine for requests that name none (``UNSPIN_ENGINE``): auto, rules
            or model. Default "auto".
        model_dir: Seq2seq model folder (``UNSPIN_MODEL_DIR``), read by the engine itself;
            reported by ``/v1/info``. Default: the engine's own default.
        max_bytes: Largest request body in bytes (``UNSPIN_MAX_BYTES``). Default 1 MB.
        max_chars: Largest document in characters (``UNSPIN_MAX_CHARS``); a longer one is
            refused (413, or an error item in a batch). Default 1,000,000.
        workers: Engine threads (``UNSPIN_WORKERS``) of each server process; more requests
            wait in a queue. Default 2.
        processes: Server processes (``UNSPIN_PROCESSES``), read by ``unspin serve``; each
            loads its own engine (memory x N) and restores in parallel with the others (the
            engine holds the GIL, so threads alone use about one core). Default 1.
        request_timeout_s: Time limit of one restoration, queueing included
            (``UNSPIN_REQUEST_TIMEOUT_S``); past it the answer is 503 with Retry-After.
            Default 30.
        max_batch: Most documents in one ``/v1/restore/batch`` call (``UNSPIN_MAX_BATCH``).
            Default 200: bigger batches restore more (BENCHMARKS.md); ``max_bytes`` bounds the work.
        api_key: When set (``UNSPIN_API_KEY``), ``/v1/*`` requires ``Authorization: Bearer
            <key>``. Default none (open).
        log_text: Log article text (``UNSPIN_LOG_TEXT=1``); off by default, as articles may be
            private.
        spinner_table: ``(spun, original)`` pairs read from the file ``UNSPIN_SPINNER_TABLE``
            names (JSON, as ``unspin learn`` writes it): the table a request that sends no
            ``options.spinner_table`` is restored with. Default none.
        feed_learn_every: Documents of a feed (``options.feed``) read as one chunk to learn its
            spinner's table (``UNSPIN_FEED_LEARN_EVERY``, :mod:`service.feeds`). Default 400.
        max_feeds: Most feeds one server process learns (``UNSPIN_MAX_FEEDS``). Default 16.
        feed_dir: Folder where the feeds' evidence is kept (``UNSPIN_FEED_DIR``; created if
            missing): a file per feed and process, so the processes share it and it outlives them
            (:mod:`service.feeds`). Default none (in memory, per process).
    """

    engine: str = "auto"
    model_dir: str | None = None
    max_bytes: int = 1_000_000
    max_chars: int = 1_000_000
    workers: int = 2
    processes: int = 1
    request_timeout_s: float = 30.0
    max_batch: int = 200
    api_key: str | None = None
    log_text: bool = False
    spinner_table: tuple[tuple[str, str], ...] = ()
    feed_learn_every: int = 400
    max_feeds: int = 16
    feed_dir: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Build settings from ``env`` (default ``os.environ``); unset or empty means default.

        Raises:
            ValueError: with code U052 naming the variable and what it should hold.
        """
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for field, (var, parse, expected) in ENV_VARS.items():
            raw = env.get(var, "").strip()
            if not raw:
                continue
            try:
                values[field] = parse(raw)
            except _Unreadable as exc:
                raise ValueError(Errors.U052.format(name=var, value=raw, expected=f"{expected}; {exc}")) from None
            except ValueError:
                raise ValueError(Errors.U052.format(name=var, value=raw, expected=expected)) from None
        return cls(**values)


class _Unreadable(ValueError):
    """A setting that names a file which cannot be used; the message says why."""


def _spinner_table(raw: str) -> tuple[tuple[str, str], ...]:
    try:
        return from_json(json.loads(Path(raw).read_text(encoding="utf-8"))).pairs()
    except OSError as exc:
        raise _Unreadable(exc.strerror or str(exc)) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _Unreadable(f"not JSON: {exc}") from None
    except ValueError as exc:
        raise _Unreadable(str(exc)) from None


def _positive_int(raw: str) -> int:
    value = int(raw)
    if value < 1:
        raise ValueError(raw)
    return value


def _positive_float(raw: str) -> float:
    value = float(raw)
    if not value > 0:
        raise ValueError(raw)
    return value


def _engine(raw: str) -> str:
    value = raw.lower()
    if value not in ENGINE_NAMES:
        raise ValueError(raw)
    return value


def _folder(raw: str) -> str:
    """A folder that exists or can be made, and can be written to."""
    path = Path(raw)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _Unreadable(exc.strerror or str(exc)) from None
    if not os.access(path, os.W_OK):
        raise _Unreadable("not writable")
    return str(path)


def _flag(raw: str) -> bool:
    value = raw.lower()
    if value not in {"1", "0", "true", "false", "yes", "no", "on", "off"}:
        raise ValueError(raw)
    return value in {"1", "true", "yes", "on"}


# field -> (environment variable, parser, what a valid value looks like)
ENV_VARS: dict[str, tuple[str, Callable[[str], Any], str]] = {
    "engine": ("UNSPIN_ENGINE", _engine, "one of " + ", ".join(ENGINE_NAMES)),
    "model_dir": ("UNSPIN_MODEL_DIR", str, "a folder"),
    "max_bytes": ("UNSPIN_MAX_BYTES", _positive_int, "an integer >= 1"),
    "max_chars": ("UNSPIN_MAX_CHARS", _positive_int, "an integer >= 1"),
    "workers": ("UNSPIN_WORKERS", _positive_int, "an integer >= 1"),
    "processes": ("UNSPIN_PROCESSES", _positive_int, "an integer >= 1"),
    "request_timeout_s": ("UNSPIN_REQUEST_TIMEOUT_S", _positive_float, "a number of seconds > 0"),
    "max_batch": ("UNSPIN_MAX_BATCH", _positive_int, "an integer >= 1"),
    "api_key": ("UNSPIN_API_KEY", str, "a string"),
    "log_text": ("UNSPIN_LOG_TEXT", _flag, "1 or 0"),
    "spinner_table": ("UNSPIN_SPINNER_TABLE", _spinner_table, "a spinner table file (JSON, from `unspin learn`)"),
    "feed_learn_every": ("UNSPIN_FEED_LEARN_EVERY", _positive_int, "an integer >= 1"),
    "max_feeds": ("UNSPIN_MAX_FEEDS", _positive_int, "an integer >= 1"),
    "feed_dir": ("UNSPIN_FEED_DIR", _folder, "a folder this server may write to"),
}
