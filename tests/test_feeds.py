"""service.feeds: chunking a feed's documents, its limits, and learning with the real engine."""

from __future__ import annotations

import pytest

from service.feeds import Feeds

SPUN = "The supervision pronounced on Tuesday that a infantry would leave a city. Officials pronounced a army left."


def test_a_full_chunk_is_handed_out_once_and_the_rest_waits() -> None:
    feeds = Feeds(learn_every=3)
    assert feeds.table("wire") is None and feeds.status("wire") == {"documents": 0, "waiting": 0, "skipped": 0, "reading": False, "swaps": 0}
    assert feeds.add("wire", ["a", "b"]) is None
    assert feeds.add("wire", ["c", "d"]) == ["a", "b", "c"]
    assert feeds.status("wire")["waiting"] == 1 and feeds.status("wire")["reading"]
    assert feeds.add("wire", ["e", "f", "g"]) is None  # one chunk is read at a time: the next ones wait
    assert feeds.add("wire", ["h", "i", "j", "k"]) is None  # two chunks wait ("d" to "i"): "j" and "k" find no room
    assert feeds.status("wire") == {"documents": 0, "waiting": 6, "skipped": 2, "reading": True, "swaps": 0}
    assert feeds.status("other") is None


@pytest.mark.parametrize("name", ["", "no spaces", "-leading", "x" * 65, "a/b"])
def test_a_bad_feed_name_is_refused(name: str) -> None:
    with pytest.raises(ValueError, match="U053"):
        Feeds().table(name)


def test_the_number_of_feeds_is_limited() -> None:
    feeds = Feeds(max_feeds=2)
    feeds.table("a")
    feeds.add("b", [])
    with pytest.raises(ValueError, match=r"U054.*2 feeds"):
        feeds.table("c")
    assert feeds.table("a") is None  # known feeds go on


def test_reading_learns_every_full_chunk_and_publishes_the_table() -> None:
    feeds = Feeds(learn_every=2)
    chunk = feeds.add("wire", [SPUN, SPUN])
    assert chunk == [SPUN, SPUN]
    assert feeds.add("wire", [SPUN, SPUN, SPUN]) is None  # a second chunk waits while the first is read
    feeds.read("wire", chunk)  # reads the waiting chunk too
    status = feeds.status("wire")
    assert status is not None and status["documents"] == 4 and status["waiting"] == 1 and not status["reading"]
    table = feeds.table("wire")
    assert table is not None and table.documents == 4 and table.words == 4 * len(SPUN.split())
