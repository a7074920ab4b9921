"""Spinner tables learnt from a server's traffic, one per named feed.

A pipeline that sends the articles of one source with ``"feed": "<name>"`` gets the table of
that source's spinner learnt from the articles it has sent, as :func:`service.learn_spinner_table`
learns one from an archive: every :data:`DEFAULT_LEARN_EVERY` documents (``UNSPIN_FEED_LEARN_EVERY``)
are restored again as one batch, in the server's pool after the answers went out, and the evidence
is added up (:class:`service.engine.SpinnerTableLearner`). Each later request of the feed restores
with the table learnt so far. The texts wait in memory only until their chunk is read.

Each process of ``UNSPIN_PROCESSES`` reads the chunks of the requests it serves. With a folder
(``UNSPIN_FEED_DIR``) each process writes the evidence it has read to a file of its own after every
chunk (``<name>~<process>.json``), and its table is learnt from the evidence of every file of the
feed: the processes share what they learn, and a restarted server goes on from the files of the
processes before it. Without a folder a feed's evidence lives as long as the process that read it.
``GET /v1/feeds/{name}`` gives a feed's table, to keep or to pass on (``UNSPIN_SPINNER_TABLE``).
"""

from __future__ import annotations

import json
import logging
import re
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .engine import SpinnerTableLearner
from .errors import Errors
from .files import write_atomic
from .spinner_table import SpinnerTable

__all__ = ["DEFAULT_LEARN_EVERY", "DEFAULT_MAX_FEEDS", "FEED_NAME", "Feeds", "add_to_feed_folder", "check_feed_name"]

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
    learner: SpinnerTableLearner = field(default_factory=SpinnerTableLearner)  # the chunks this process read
    others: SpinnerTableLearner = field(default_factory=SpinnerTableLearner)  # the feed folder's other files
    waiting: list[str] = field(default_factory=list)  # documents not read yet
    table: SpinnerTable | None = None  # what the chunks read so far teach
    reading: bool = False  # a chunk is being read
    skipped: int = 0  # documents that found two chunks waiting (not learnt from)


class Feeds:
    """The feeds of one server process (thread-safe)."""

    def __init__(self, learn_every: int = DEFAULT_LEARN_EVERY, max_feeds: int = DEFAULT_MAX_FEEDS, directory: Path | None = None) -> None:
        """Args:
        directory: Where the feeds' evidence is kept, a file per feed and process
            (``<name>~<process>.json``); the feeds found there go on learning. A file that cannot
            be read is logged as an error and left out.
        """
        self.learn_every = learn_every
        self.max_feeds = max_feeds
        self.directory = directory
        self._process = uuid.uuid4().hex[:12]  # this process's files
        self._feeds: dict[str, _Feed] = {}
        self._lock = threading.Lock()
        if directory is not None:
            for name in sorted({path.name.partition("~")[0] for path in directory.glob("*~*.json")}):
                if not FEED_NAME.fullmatch(name) or len(self._feeds) >= self.max_feeds:
                    log.error("feed files not read", extra={"fields": {"event": "feed", "feed": name[:80], "error": "not a feed name, or over UNSPIN_MAX_FEEDS"}})
                    continue
                feed = self._feeds[name] = _Feed(others=self._others(name))
                feed.table = self._table(feed)

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
                self._save(name, feed)
                others = self._others(name)  # what the other processes have read meanwhile
            except Exception as exc:  # noqa: BLE001 - learning must never take the server down
                log.error("feed learning failed", extra={"fields": {"event": "feed", "feed": name, "error": f"{type(exc).__name__}: {exc}"}})
                others = feed.others
            table = self._table(feed, others)
            with self._lock:
                feed.others, feed.table = others, table
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
            "documents": feed.learner.documents + feed.others.documents,
            "waiting": len(feed.waiting),
            "skipped": feed.skipped,
            "reading": feed.reading,
            "swaps": len(feed.table.swaps) if feed.table is not None else 0,
        }

    @staticmethod
    def _table(feed: _Feed, others: SpinnerTableLearner | None = None) -> SpinnerTable:
        """The table of this process's evidence and ``others`` (default: the feed's)."""
        others = feed.others if others is None else others
        return SpinnerTableLearner().merge(feed.learner.state()).merge(others.state()).table()

    def _others(self, name: str) -> SpinnerTableLearner:
        """The evidence in the feed folder's files of ``name`` but this process's own."""
        others = SpinnerTableLearner()
        if self.directory is None:
            return others
        for path in sorted(self.directory.glob(f"{name}~*.json")):
            if path.name == f"{name}~{self._process}.json":
                continue
            try:
                others.merge(json.loads(path.read_text(encoding="utf-8")))
            except (OSError, ValueError) as exc:  # json.JSONDecodeError and UnicodeDecodeError are ValueErrors
                log.error("feed file not read", extra={"fields": {"event": "feed", "path": str(path), "error": f"{type(exc).__name__}: {exc}"}})
        return others

    def _save(self, name: str, feed: _Feed) -> None:
        """Write the evidence this process has read to its own file of the feed; a failure is logged."""
        if self.directory is None:
            return
        path = self.directory / f"{name}~{self._process}.json"
        try:
            write_atomic(path, json.dumps(feed.learner.state(), ensure_ascii=False))
        except OSError as exc:
            log.error("feed file not written", extra={"fields": {"event": "feed", "path": str(path), "error": f"{type(exc).__name__}: {exc}"}})

    def _get(self, name: str) -> _Feed:
        check_feed_name(name)
        feed = self._feeds.get(name)
        if feed is None:
            if len(self._feeds) >= self.max_feeds:
                raise ValueError(Errors.U054.format(limit=self.max_feeds))
            feed = self._feeds[name] = _Feed()
        return feed


def add_to_feed_folder(directory: Path, name: str, learner: SpinnerTableLearner) -> Path:
    """Put ``learner``'s evidence into a feed folder (``UNSPIN_FEED_DIR``) as one more file of feed
    ``name``: a server started on the folder restores that feed's requests with the table at once,
    and goes on learning (``unspin learn --feed``, from a spinner's archive). Returns the file.

    Raises:
        ValueError: ``name`` is not a feed name.
        OSError: the file cannot be written.
    """
    check_feed_name(name)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}~{uuid.uuid4().hex[:12]}.json"
    write_atomic(path, json.dumps(learner.state(), ensure_ascii=False))
    return path


def check_feed_name(name: str) -> None:
    """Raise ``ValueError`` (U053) unless ``name`` may name a feed (:data:`FEED_NAME`)."""
    if not FEED_NAME.fullmatch(name):
        raise ValueError(Errors.U053.format(name=name[:80]))
