"""Prometheus metrics of one app, in a registry of its own (two apps in one process, as in
tests, never share counters).

>>> m = Metrics()
>>> m.words.inc(3)
>>> b"unspin_words_processed_total 3.0" in m.render()
True
"""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST as CONTENT_TYPE
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

__all__ = ["Metrics", "CONTENT_TYPE"]

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
        self.in_flight = Gauge("unspin_restorations_in_flight", "Restorations queued or running.", registry=r)
        self.ready = Gauge("unspin_engine_ready", "1 once the engine is loaded.", registry=r)

    def render(self) -> bytes:
        """The text exposition format for ``GET /metrics``."""
        return generate_latest(self.registry)
