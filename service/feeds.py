"""Spinner tables learnt from a server's traffic, one per named feed.

A pipeline that sends the articles of one source with ``"feed": "<name>"`` gets the table of
that source's spinner learnt from the articles it has sent, as :func:`service.learn_spinner_table`
learns one from an archive: every :data:`DEFAULT_LEARN_EVERY` documents (``UNSPIN_FEED_LEARN_EVERY``)
are restored again as one batch, in the server's pool after the answers went out, and the evidence
is added up (:class:`service.engine.SpinnerTableLearner`). Each later request of the feed restores
with the table learnt so far. The texts wait in memory only until their chunk is read. With a
folder (``UNSPIN_FEED_DIR``) each feed's evidence is written there after every chunk, as
``<name>.json``, and read back at start, so learning goes on across restarts; without one it lives
as long as the server process. Each process of ``UNSPIN_PROCESSES`` learns from the requests it
serves (and, with a folder, the last to write a feed's file is the one read back).
``GET /v1/feeds/{name}`` gives a feed's table, to keep or to pass on (``UNSPIN_SPINNER_TABLE``).
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .engine import SpinnerTableLearner
from .errors import Errors
from .spinner_table import SpinnerTable

__all__ = ["DEFAULT_LEARN_EVERY", "DEFAULT_MAX_FEEDS", "FEED_NAME", "Feeds"]

log = logging.getLogger("unspin.feeds")

#: Documents of a feed read as one chunk. A feed of 400 field-spun Reuters articles teaches a
#: table that lifts content recall on the dev articles from 22.7 to 30.8 % at 95.8 % precision,
#: one of 1,600 (four chunks, the evidence added up) to 34.3 % at 95.7 %
#: (model_cards/reversal_dictionary.md, "Learning from a server's traffic: feeds").
DEFAULT_LEARN_EVERY = 400
DEFAULT_MAX_FEEDS = 16
#: What a feed may be called.
FEED_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


@dataclass
class _Feed:
    learner: SpinnerTableLearner = field(default_factory=SpinnerTableLearner)
    waiting: list[str] = field(default_factory=list)  # documents not read yet
    table: SpinnerTable | None = None  # what the chunks read so far teach
    reading: bool = False  # a chunk is being read
    skipped: int = 0  # documents that found two chunks waiting (not learnt from)


class Feeds:
    """The feeds of one server process (thread-safe)."""

    def __init__(self, learn_every: int = DEFAULT_LEARN_EVERY, max_feeds: int = DEFAULT_MAX_FEEDS, directory: Path | None = None) -> None:
        """Args:
        directory: Where each feed's evidence is kept (``<name>.json``); the feeds found there
            go on learning. A file that cannot be read is logged as an error and left alone.
        """
        self.learn_every = learn_every
        self.max_feeds = max_feeds
        self.directory = directory
        self._feeds: dict[str, _Feed] = {}
        self._lock = threading.Lock()
        if directory is not None:
            for path in sorted(directory.glob("*.json")):
                self._load(path)

    def table(self, name: str) -> SpinnerTable | None:
        """The table feed ``name`` has taught so far (None: none yet, or no such feed).

        Raises:
            ValueError: ``name`` is not a feed name (:data:`FEED_NAME`), or a new feed would be one
                more than ``max_feeds`` (checked here, before the request is restored).
        """
        with self._lock:
            return self._get(name).table

    def add(self, name: str, texts: list[str]) -> list[str] | None:
        """Queue ``texts`` (already restored, so valid) to be learnt from; return the chunk to read
        now with :meth:`read` when one is full and none of this feed is being read, else None."""
        with self._lock:
            feed = self._get(name)
            room = 2 * self.learn_every - len(feed.waiting)  # while a chunk is read, two more may wait
            feed.waiting.extend(texts[: max(room, 0)])
            feed.skipped += max(len(texts) - max(room, 0), 0)
            if feed.reading or len(feed.waiting) < self.learn_every:
                return None
            chunk, feed.waiting = feed.waiting[: self.learn_every], feed.waiting[self.learn_every :]
            feed.reading = True
            return chunk

    def read(self, name: str, chunk: list[str]) -> None:
        """Learn from ``chunk`` (from :meth:`add`) and publish the feed's new table; then read the
        next chunk if a full one is waiting. Runs in a worker thread; never raises (logs)."""
        while chunk:
            feed = self._feeds[name]
            try:
                feed.learner.read(chunk)  # one reader per feed at a time: `reading` guards it
                table = feed.learner.table()
            except Exception as exc:  # noqa: BLE001 - learning must never take the server down
                log.error("feed learning failed", extra={"fields": {"event": "feed", "feed": name, "error": f"{type(exc).__name__}: {exc}"}})
                table = feed.table
            self._save(name, feed)  # still the only reader of this feed: its evidence stands still
            with self._lock:
                feed.table = table
                status = self._status(feed)
                if len(feed.waiting) >= self.learn_every:
                    chunk, feed.waiting = feed.waiting[: self.learn_every], feed.waiting[self.learn_every :]
                else:
                    chunk, feed.reading = [], False
            log.info("feed table learnt", extra={"fields": {"event": "feed", "feed": name, **status}})

    def names(self) -> list[str]:
        """The feeds of this process, sorted."""
        with self._lock:
            return sorted(self._feeds)

    def status(self, name: str) -> dict[str, Any] | None:
        """What feed ``name`` has learnt (None: no such feed): documents read, waiting and skipped, swaps."""
        with self._lock:
            feed = self._feeds.get(name)
            return None if feed is None else self._status(feed)

    def _status(self, feed: _Feed) -> dict[str, Any]:
        return {
            "documents": feed.learner.documents,
            "waiting": len(feed.waiting),
            "skipped": feed.skipped,
            "reading": feed.reading,
            "swaps": len(feed.table.swaps) if feed.table is not None else 0,
        }

    def _load(self, path: Path) -> None:
        name = path.stem
        if not FEED_NAME.fullmatch(name) or len(self._feeds) >= self.max_feeds:
            log.error("feed file not read", extra={"fields": {"event": "feed", "path": str(path), "error": "not a feed name, or over UNSPIN_MAX_FEEDS"}})
            return
        try:
            learner = SpinnerTableLearner.from_state(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError) as exc:  # json.JSONDecodeError and UnicodeDecodeError are ValueErrors
            log.error("feed file not read", extra={"fields": {"event": "feed", "path": str(path), "error": f"{type(exc).__name__}: {exc}"}})
            return
        self._feeds[name] = _Feed(learner=learner, table=learner.table())

    def _save(self, name: str, feed: _Feed) -> None:
        """Write the feed's evidence to its file (atomically); a failure is logged."""
        if self.directory is None:
            return
        path = self.directory / f"{name}.json"
        tmp = path.with_name(f".{name}.json.{os.getpid()}.tmp")
        try:
            tmp.write_text(json.dumps(feed.learner.state(), ensure_ascii=False), encoding="utf-8")
            tmp.replace(path)
        except OSError as exc:
            log.error("feed file not written", extra={"fields": {"event": "feed", "path": str(path), "error": f"{type(exc).__name__}: {exc}"}})

    def _get(self, name: str) -> _Feed:
        if not FEED_NAME.fullmatch(name):
            raise ValueError(Errors.U053.format(name=name[:80]))
        feed = self._feeds.get(name)
        if feed is None:
            if len(self._feeds) >= self.max_feeds:
                raise ValueError(Errors.U054.format(limit=self.max_feeds))
            feed = self._feeds[name] = _Feed()
        return feed
