"""Prometheus metrics of one app, in a registry of its own (two apps in one process, as in
tests, never share counters).

With several server processes (``unspin serve --processes N``), the CLI points
``PROMETHEUS_MULTIPROC_DIR`` at a fresh folder before the processes start: each process
then writes its values there (prometheus_client's multiprocess mode) and ``/metrics``
answers for all of them, whichever process takes the request. A process that shuts down
removes its live gauges; one killed outright (SIGKILL, out of memory) leaves them until the
next ``unspin serve`` empties the folder.

>>> m = Metrics()
>>> m.words.inc(3)
>>> b"unspin_words_processed_total 3.0" in m.render()
True
"""

from __future__ import annotations

import os

from prometheus_client import CONTENT_TYPE_LATEST as CONTENT_TYPE
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest, multiprocess

__all__ = ["Metrics", "CONTENT_TYPE", "MULTIPROCESS_ENV"]

#: prometheus_client's switch to multiprocess mode (read when it is first imported).
MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


class Metrics:
    """The service's counters and histograms."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.requests = Counter("unspin_requests", "HTTP requests by route and status.", ["route", "status"], registry=r)
        self.latency = Histogram(
            "unspin_request_duration_seconds", "HTTP request latency by route.", ["route"], buckets=_LATENCY_BUCKETS, registry=r
        )
        self.words = Counter("unspin_words_processed", "Words of input text restored.", registry=r)
        self.documents = Counter("unspin_documents_processed", "Documents restored.", registry=r)
        self.edits = Counter("unspin_edits_made", "Edits made, by edit source.", ["source"], registry=r)
        self.errors = Counter("unspin_errors", "Error answers by error code.", ["code"], registry=r)
        # several processes: restorations in flight add up; the service is ready when every process is
        self.in_flight = Gauge(
            "unspin_restorations_in_flight", "Restorations queued or running.", registry=r, multiprocess_mode="livesum"
        )
        self.ready = Gauge("unspin_engine_ready", "1 once the engine is loaded.", registry=r, multiprocess_mode="livemin")

    def render(self) -> bytes:
        """The text exposition format for ``GET /metrics`` (every server process's values in multiprocess mode)."""
        path = os.environ.get(MULTIPROCESS_ENV)
        if not path:
            return generate_latest(self.registry)
        merged = CollectorRegistry()
        multiprocess.MultiProcessCollector(merged, path)
        return generate_latest(merged)

    @staticmethod
    def process_exits() -> None:
        """Drop this process's live gauges from the shared values (multiprocess mode only)."""
        path = os.environ.get(MULTIPROCESS_ENV)
        if path:
            multiprocess.mark_process_dead(os.getpid(), path)
