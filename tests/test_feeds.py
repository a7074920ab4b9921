"""service.feeds: chunking a feed's documents, its limits, learning with the real engine, and keeping it in a folder."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from service import SpinnerTableLearner
from service.feeds import Feeds
from service.settings import Settings
from tests.conftest import start_server

SPUN = "The supervision pronounced on Tuesday that a infantry would leave a city. Officials pronounced a army left."
DAYS = ("Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
TOWNS = ("Mosul", "Basra", "Kirkuk", "Najaf", "Erbil")


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


def test_a_feed_folder_keeps_the_evidence_across_restarts(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    feeds = Feeds(learn_every=2, directory=tmp_path)
    chunk = feeds.add("wire", [SPUN, SPUN])
    assert chunk is not None
    feeds.read("wire", chunk)
    (own,) = tmp_path.iterdir()  # one file of this process, no temporary file left
    assert own.name.startswith("wire~") and own.suffix == ".json"
    learnt = feeds.table("wire")
    (tmp_path / "broken~x.json").write_text("{", encoding="utf-8")
    again = Feeds(learn_every=2, directory=tmp_path)  # a restart
    assert again.table("wire") == learnt and again.status("wire") == {**feeds.status("wire"), "waiting": 0}
    assert again.status("broken") == {"documents": 0, "waiting": 0, "skipped": 0, "reading": False, "swaps": 0}
    assert [r.fields["path"] for r in caplog.records if r.levelname == "ERROR"] == [str(tmp_path / "broken~x.json")]
    again.read("wire", [SPUN, SPUN])  # learning goes on from the kept evidence, in a file of its own
    assert again.status("wire")["documents"] == 4 and Feeds(directory=tmp_path).status("wire")["documents"] == 4
    assert len(list(tmp_path.glob("wire~*.json"))) == 2


def test_processes_that_share_a_feed_folder_learn_one_table(tmp_path: Path) -> None:
    """Each process writes what it reads to its own file and learns from all of them: the table of both chunks."""
    first, second = Feeds(learn_every=2, directory=tmp_path), Feeds(learn_every=2, directory=tmp_path)
    # "pronounced" at 10 places a document, in sentences that differ (a repeated one counts once): a chunk teaches a swap
    long = " ".join(SPUN.replace("Tuesday", day).replace("left.", f"left {town}.") for day, town in zip(DAYS, TOWNS, strict=True))
    one, two = [long, long.replace("Tuesday", "Monday")], [long.replace("city", "town"), long]
    first.read("wire", first.add("wire", one))
    second.read("wire", second.add("wire", two))
    both = SpinnerTableLearner()
    both.read(one)
    both.read(two)
    assert both.table().swaps and second.table("wire") == both.table() and second.status("wire")["documents"] == 4
    assert first.status("wire")["documents"] == 2  # it sees the other's chunk when it reads its next one
    assert Feeds(directory=tmp_path).table("wire") == both.table()  # a restart reads both files


def test_the_learners_state_reads_back_to_the_same_table() -> None:
    learner = SpinnerTableLearner()
    learner.read([SPUN, SPUN, SPUN])
    state = json.loads(json.dumps(learner.state()))
    back = SpinnerTableLearner().merge(state)
    assert back.table() == learner.table() and back.state() == learner.state()
    assert SpinnerTableLearner().merge(state).merge(state).documents == 6
    with pytest.raises(ValueError, match="not a spinner table learner's state"):
        SpinnerTableLearner().merge({"format": 1, "swaps": [["a", "b"]]})


def test_the_feed_folder_setting(tmp_path: Path) -> None:
    assert Settings.from_env({"UNSPIN_FEED_DIR": str(tmp_path / "new" / "feeds")}).feed_dir == str(tmp_path / "new" / "feeds")
    assert (tmp_path / "new" / "feeds").is_dir()
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(ValueError, match=r"\[U052\] Setting UNSPIN_FEED_DIR=.*a folder this server may write to"):
        Settings.from_env({"UNSPIN_FEED_DIR": str(tmp_path / "file" / "feeds")})


def test_a_server_goes_on_with_the_feeds_of_its_folder(unspin_cmd: list[str], tmp_path: Path) -> None:
    learner = SpinnerTableLearner()
    learner.read([SPUN] * 3)
    (tmp_path / "feeds").mkdir()
    (tmp_path / "feeds" / "wire~earlier.json").write_text(json.dumps(learner.state()), encoding="utf-8")
    server = start_server(unspin_cmd, tmp_path, "kept", UNSPIN_FEED_DIR=str(tmp_path / "feeds"))
    try:
        state = httpx.get(server.url + "/v1/feeds/wire", timeout=30).json()
        assert state["documents"] == 3 and state["table"] == learner.table().to_json()
        assert httpx.get(server.url + "/v1/info", timeout=30).json()["limits"]["feeds_kept"] is True
    finally:
        server.stop()
