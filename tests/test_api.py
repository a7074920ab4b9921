"""The HTTP service, over real HTTP against `unspin serve` subprocesses (see conftest.py).

Expected answers come from the library itself (`service.restore_and_explain`), so these
tests hold whatever the engine restores; only status codes and error codes are literal.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

import service
from service.cli import result_json
from service.errors import Errors
from service.settings import Settings
from tests.conftest import API_KEY, SMALL_LIMITS, big_article, start_server


def expected(text: str, **kwargs) -> dict:
    return result_json(service.restore_and_explain(text, **kwargs))


def assert_error(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert len(body["error"]["message"]) > 10


def metric(url: str, name: str, **labels: str) -> float:
    """Current value of one sample of ``/metrics`` (0 when absent)."""
    text = httpx.get(url + "/metrics", timeout=10).text
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return sample.value
    return 0.0


# -- restoring ------------------------------------------------------------------------


def test_restore_json_matches_library(client, spun_article):
    r = client.post("/v1/restore", json={"text": spun_article, "options": {"engine": "rules"}})
    assert r.status_code == 200
    body = r.json()
    assert {k: body[k] for k in ("text", "edits", "spin_score", "engine")} == expected(spun_article, engine="rules")
    assert body["software"] == {"name": "unspin", "version": service.__version__, "api_version": "1"}
    assert body["warnings"] == {"incomplete": False, "reason": None}
    assert body["elapsed_ms"] >= 0
    assert service.apply_edits(spun_article, [service.Edit(**{**e, "alternatives": tuple(e["alternatives"])}) for e in body["edits"]]) == body["text"]


def test_restore_min_confidence_option(client, spun_article):
    r = client.post("/v1/restore", json={"text": spun_article, "options": {"engine": "rules", "min_confidence": 0.95}})
    assert r.status_code == 200
    assert r.json()["text"] == service.restore(spun_article, engine="rules", min_confidence=0.95)


TABLE = {"swaps": [{"spun": "plenty", "original": "stock", "places": 112, "restored": 104, "median_confidence": 0.6}]}


def test_spinner_table_option(client, paragraphs):
    text = "Shares of plenty rose on the plenty exchange in Tokyo."
    for path, body in (
        ("/v1/restore", {"text": text, "options": {"engine": "rules", "spinner_table": TABLE}}),
        ("/v1/restore/batch", {"documents": [{"text": text}, {"text": paragraphs[0]}], "options": {"engine": "rules", "spinner_table": TABLE}}),
    ):
        r = client.post(path, json=body)
        assert r.status_code == 200, r.text
        got = r.json() if path == "/v1/restore" else r.json()["results"][0]
        assert got["text"] == "Shares of stock rose on the stock exchange in Tokyo."
        assert got["text"] == service.restore(text, engine="rules", spinner_table=TABLE)


def test_learn_a_spinner_table_over_http(client):
    """POST /v1/spinner-table gives the library's table, which options.spinner_table takes back as it is."""
    from scripts.spinner import Spinner
    from scripts.train_verifier import wiki_documents

    spinner = Spinner("field", seed=0)
    texts = [spinner.spin(d).spun for d in wiki_documents(200)]
    r = client.post("/v1/spinner-table", json={"documents": [{"id": k, "text": t} for k, t in enumerate(texts)]})
    assert r.status_code == 200, r.text
    table = r.json()
    assert table == service.learn_spinner_table(texts).to_json() and len(table["swaps"]) >= 15
    r = client.post("/v1/restore", json={"text": texts[0], "options": {"engine": "rules", "spinner_table": table}})
    assert r.json()["text"] == service.restore(texts[0], engine="rules", spinner_table=table)


@pytest.mark.parametrize(
    "documents, status, code, where",
    [
        ([{"text": "Plenty."}, {"text": 42}], 422, "U010", "documents.1: "),
        ([{"text": "Plenty."}, "text"], 422, "U044", "documents.1 must be an object"),
        ([{"text": "x \ud800"}], 422, "U012", "documents.0: "),
    ],
)
def test_learning_refuses_a_bad_document_by_its_index(client, documents, status, code, where):
    body = json.dumps({"documents": documents})  # "\ud800": valid JSON, not valid Unicode
    r = client.post("/v1/spinner-table", content=body, headers={"Content-Type": "application/json"})
    assert_error(r, status, code)
    assert where in r.json()["error"]["message"]


def test_learning_checks_the_limits(strict_server):
    with httpx.Client(base_url=strict_server.url, timeout=60, headers={"Authorization": f"Bearer {API_KEY}"}) as c:
        assert_error(c.post("/v1/spinner-table", json={"documents": [{"text": "x" * 2000}]}), 413, "U011")
        assert_error(c.post("/v1/spinner-table", json={"documents": [{"text": "x" * 3000}] * 2}), 413, "U040")
        assert_error(c.post("/v1/spinner-table", content=b"a", headers={"Content-Type": "text/plain"}), 415, "U042")
        r = httpx.post(strict_server.url + "/v1/spinner-table", json={"documents": []}, timeout=60)
        assert_error(r, 401, "U048")


def test_the_servers_spinner_table_is_the_default(unspin_cmd, tmp_path: Path):
    """UNSPIN_SPINNER_TABLE: every request without its own table is restored with the server's."""
    (tmp_path / "table.json").write_text(json.dumps(TABLE), encoding="utf-8")
    server = start_server(unspin_cmd, tmp_path, "table", UNSPIN_SPINNER_TABLE=str(tmp_path / "table.json"))
    text = "Shares of plenty rose on the plenty exchange in Tokyo."
    try:
        with httpx.Client(base_url=server.url, timeout=60) as c:
            assert c.get("/v1/info").json()["engines"]["spinner_table_swaps"] == 1
            assert c.post("/v1/restore", json={"text": text}).json()["text"] == service.restore(text, spinner_table=TABLE)
            own = {"swaps": [{"spun": "plenty", "original": "shares"}]}
            r = c.post("/v1/restore", json={"text": text, "options": {"spinner_table": own}})
            assert r.json()["text"] == service.restore(text, spinner_table=own) != service.restore(text, spinner_table=TABLE)
    finally:
        server.stop()


def test_a_restored_word_the_charset_lacks_answers_in_utf8(unspin_cmd, tmp_path: Path):
    """Latin-1 in, but the server's table restores a word Latin-1 cannot write: the answer is UTF-8, and says so."""
    (tmp_path / "table.json").write_text(json.dumps({"swaps": [{"spun": "plenty", "original": "Łódź"}]}), encoding="utf-8")
    server = start_server(unspin_cmd, tmp_path, "lodz", UNSPIN_SPINNER_TABLE=str(tmp_path / "table.json"))
    text = "Caf\u00e9 shares of plenty rose on the plenty exchange in Tokyo."
    try:
        r = httpx.post(
            server.url + "/v1/restore", content=text.encode("latin-1"), headers={"Content-Type": "text/plain; charset=latin-1"}, timeout=60
        )
        assert r.status_code == 200, r.text
        assert r.headers["content-type"] == "text/plain; charset=utf-8"
        assert "łódź" in r.content.decode("utf-8") and r.content.decode("utf-8").startswith("Caf\u00e9 ")
    finally:
        server.stop()


def test_a_feed_learns_its_spinners_table_from_the_articles_it_sends(unspin_cmd, tmp_path: Path):
    """options.feed: every UNSPIN_FEED_LEARN_EVERY documents are read as one chunk after the answers went out,
    and later requests of the feed are restored with the table they teach: the library's table of the same texts."""
    from scripts.spinner import Spinner
    from scripts.train_verifier import wiki_documents

    spinner = Spinner("field", seed=0)
    texts = [spinner.spin(d).spun for d in wiki_documents(201)]
    sent, held_out = texts[:200], texts[200]
    server = start_server(unspin_cmd, tmp_path, "feeds", UNSPIN_FEED_LEARN_EVERY="200", UNSPIN_MAX_FEEDS="2")
    try:
        with httpx.Client(base_url=server.url, timeout=60) as c:
            assert_error(c.get("/v1/feeds/wiki"), 404, "U055")
            for k in range(0, 200, 50):
                body = {"documents": [{"text": t} for t in sent[k : k + 50]], "options": {"engine": "rules", "feed": "wiki"}}
                r = c.post("/v1/restore/batch", json=body)
                assert r.status_code == 200, r.text
                feed = r.json()["feed"]
                assert feed["name"] == "wiki" and feed["swaps"] == 0 and feed["skipped"] == 0
                assert feed["waiting"] == (k + 50 if k < 150 else 0)  # the fourth batch fills the chunk: it is read
            deadline = time.monotonic() + 120
            while (state := c.get("/v1/feeds/wiki").json())["reading"] and time.monotonic() < deadline:
                time.sleep(0.5)
            table = service.learn_spinner_table(sent).to_json()
            assert state["documents"] == 200 and not state["reading"] and state["table"] == table
            assert state["swaps"] == len(table["swaps"]) >= 15
            r = c.post("/v1/restore", json={"text": held_out, "options": {"engine": "rules", "feed": "wiki"}})
            assert r.json()["text"] == service.restore(held_out, engine="rules", spinner_table=table)
            assert r.json()["text"] != service.restore(held_out, engine="rules")  # the table changed something
            assert r.json()["feed"] == {"name": "wiki", "swaps": len(table["swaps"]), "documents": 200, "waiting": 1, "skipped": 0, "reading": False}
            r = c.post("/v1/restore?feed=wiki", content=held_out.encode(), headers={"Content-Type": "text/plain"})
            assert r.text == service.restore(held_out, spinner_table=table) and r.headers["X-Unspin-Feed-Swaps"] == str(len(table["swaps"]))
            assert_error(c.post("/v1/restore", json={"text": "x", "options": {"feed": "no spaces"}}), 422, "U053")
            assert c.post("/v1/restore", json={"text": "x", "options": {"feed": "second"}}).status_code == 200
            assert_error(c.post("/v1/restore", json={"text": "x", "options": {"feed": "third"}}), 422, "U054")
            assert c.get("/v1/feeds/second").json()["table"] is None
            assert [f["name"] for f in c.get("/v1/feeds").json()["feeds"]] == ["second", "wiki"]
            assert c.get("/v1/feeds").json()["feeds"][1]["documents"] == 200
    finally:
        server.stop()


def test_a_bad_server_spinner_table_stops_the_start(unspin_cmd, tmp_path: Path):
    (tmp_path / "table.json").write_text('{"swaps": [{"spun": "plenty"}]}', encoding="utf-8")
    with pytest.raises(ValueError, match=r"\[U052\] Setting UNSPIN_SPINNER_TABLE=.*\[U007\]"):
        Settings.from_env({"UNSPIN_SPINNER_TABLE": str(tmp_path / "table.json")})
    with pytest.raises(ValueError, match="No such file"):
        Settings.from_env({"UNSPIN_SPINNER_TABLE": str(tmp_path / "missing.json")})


@pytest.mark.parametrize("table", [{"swaps": [{"spun": "two words", "original": "x"}]}, {"swaps": "plenty"}, {"plenty": 3}])
def test_a_bad_spinner_table_is_422(client, table):
    assert_error(client.post("/v1/restore", json={"text": "Plenty.", "options": {"spinner_table": table}}), 422, "U007")


def test_restore_text_plain(client, spun_article):
    r = client.post("/v1/restore", content=spun_article.encode(), headers={"Content-Type": "text/plain; charset=utf-8"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    assert r.text == service.restore(spun_article)


def test_html_comes_back_with_every_tag(client, spun_article):
    """An HTML article, as a content pipeline sends it: restored like the plain text, its markup untouched."""
    paragraphs = [p for p in spun_article.split("\n\n") if p.strip()]
    linked = [p.replace("a infantry", 'a <a href="/t">infantry</a>') for p in paragraphs]
    html = "<article>\n" + "\n".join(f"<p>{p}</p>" for p in linked) + "\n</article>"
    assert 'a <a href="/t">infantry</a>' in html
    r = client.post("/v1/restore", json={"text": html, "options": {"engine": "rules"}})
    assert r.status_code == 200
    body = r.json()
    assert {k: body[k] for k in ("text", "edits", "spin_score", "engine")} == expected(html, engine="rules")
    assert 'the <a href="/t">troops</a>' in body["text"]
    tags = re.compile(r"<[^>]*>")
    assert tags.findall(body["text"]) == tags.findall(html)
    plain = {(e["spun"], e["original"]) for e in expected(spun_article, engine="rules")["edits"]}
    assert {(e["spun"], e["original"]) for e in body["edits"]} == plain
    r = client.post("/v1/restore", content=html.encode(), headers={"Content-Type": "text/plain; charset=utf-8"})
    assert r.status_code == 200 and r.text == body["text"]
    r = client.post("/v1/restore?engine=rules", content=html.encode(), headers={"Content-Type": "text/html; charset=utf-8"})
    assert r.status_code == 200 and r.text == body["text"]
    assert r.headers["content-type"] == "text/html; charset=utf-8"  # HTML in, HTML out
    assert r.headers["x-unspin-edits"] == str(len(body["edits"]))


def test_markdown_in_markdown_out(client):
    md = (
        "## A supervision pronounced a infantry left\n\n"
        "Officials pronounced [a infantry](https://example.com/a/infantry/pronounced) left a city; run `a infantry`.\n"
    )
    r = client.post("/v1/restore?engine=rules", content=md.encode(), headers={"Content-Type": "text/markdown"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "text/markdown; charset=utf-8"
    assert r.text == service.restore(md, engine="rules")
    assert "[the troops](https://example.com/a/infantry/pronounced)" in r.text and "`a infantry`" in r.text


def test_text_plain_options_in_query(client, paragraphs):
    r = client.post(
        "/v1/restore?engine=rules&min_confidence=0.7", content=paragraphs[0], headers={"Content-Type": "text/plain"}
    )
    assert r.status_code == 200
    assert r.text == service.restore(paragraphs[0], engine="rules", min_confidence=0.7)


def test_empty_text_has_no_edits(client):
    r = client.post("/v1/restore", json={"text": ""})
    assert r.status_code == 200
    assert r.json()["text"] == "" and r.json()["edits"] == []


def test_batch_with_one_bad_item(client, paragraphs):
    docs = [{"id": "a", "text": paragraphs[0]}, {"id": "b", "text": 42}, {"text": paragraphs[1]}, "not an object"]
    r = client.post("/v1/restore/batch", json={"documents": docs, "options": {"engine": "rules"}})
    assert r.status_code == 200
    results = r.json()["results"]
    assert [item["index"] for item in results] == [0, 1, 2, 3]
    want = [result_json(x) for x in service.restore_many([paragraphs[0], paragraphs[1]], engine="rules")]
    for item, exp in zip((results[0], results[2]), want, strict=True):
        assert item["error"] is None
        assert {k: item[k] for k in exp} == exp
    assert results[0]["id"] == "a"
    assert results[1]["id"] == "b" and results[1]["error"]["code"] == "U010" and results[1]["text"] is None
    assert results[3]["error"]["code"] == "U044"


def test_lone_surrogate_is_refused_with_its_position(client, paragraphs):
    def post(path: str, body: dict) -> httpx.Response:  # json.dumps escapes "\ud800": valid JSON, not valid Unicode
        return client.post(path, content=json.dumps(body), headers={"Content-Type": "application/json"})

    r = post("/v1/restore", {"text": "a infantry \ud800 pronounced."})
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "U012" and "at character 11" in r.json()["error"]["message"]
    docs = [{"text": "x \udc80"}, {"text": paragraphs[0]}]
    r = post("/v1/restore/batch", {"documents": docs, "options": {"engine": "rules"}})
    assert r.status_code == 200, r.text
    bad, good = r.json()["results"]
    assert bad["error"]["code"] == "U012" and bad["text"] is None
    assert good["error"] is None and good["text"] == service.restore(paragraphs[0], engine="rules")


def test_batch_item_over_document_limit(strict_server, paragraphs):
    auth = {"Authorization": f"Bearer {API_KEY}"}
    long_doc = "word " * (SMALL_LIMITS["max_chars"] // 5 + 10)
    docs = [{"text": paragraphs[2][:500]}, {"text": long_doc}]
    r = httpx.post(strict_server.url + "/v1/restore/batch", json={"documents": docs}, headers=auth)
    assert r.status_code == 200, r.text
    first, second = r.json()["results"]
    assert first["text"] == service.restore(paragraphs[2][:500])
    assert second["error"]["code"] == "U011"


def test_batch_too_many_documents(strict_server):
    auth = {"Authorization": f"Bearer {API_KEY}"}
    docs = [{"text": "x"}] * (SMALL_LIMITS["max_batch"] + 1)
    assert_error(httpx.post(strict_server.url + "/v1/restore/batch", json={"documents": docs}, headers=auth), 413, "U046")


# -- bad input: always a coded 4xx ----------------------------------------------------------


def test_413_by_content_length(strict_server):
    auth = {"Authorization": f"Bearer {API_KEY}"}
    body = b'{"text": "' + b"a" * (SMALL_LIMITS["max_bytes"] + 100) + b'"}'
    r = httpx.post(strict_server.url + "/v1/restore", content=body, headers={**auth, "Content-Type": "application/json"})
    assert_error(r, 413, "U040")


def test_413_by_streamed_size(strict_server):
    """A chunked body declares no length: the server counts the bytes it receives."""
    auth = {"Authorization": f"Bearer {API_KEY}"}

    def chunks():
        for _ in range(8):
            yield b"a" * 1024

    r = httpx.post(strict_server.url + "/v1/restore", content=chunks(), headers={**auth, "Content-Type": "text/plain"})
    assert "content-length" not in r.request.headers
    assert_error(r, 413, "U040")


@pytest.mark.parametrize("charset", ["ISO-8859-1", "windows-1252", "utf-16"])
def test_raw_text_in_a_declared_charset_comes_back_in_it(client, charset: str) -> None:
    """Until 2026-12-06 any charset but UTF-8 was refused (415); a CMS's Latin-1 export is now restored, and every byte
    outside the edits comes back as sent."""
    text = "Caf\u00e9 owners pronounced a infantry left a caf\u00e9 in Orl\u00e9ans."
    r = client.post("/v1/restore?engine=rules", content=text.encode(charset), headers={"Content-Type": f"text/plain; charset={charset}"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == f"text/plain; charset={charset.lower()}"
    assert int(r.headers["x-unspin-edits"]) >= 2
    as_utf8 = client.post("/v1/restore?engine=rules", content=text.encode(), headers={"Content-Type": "text/plain"})
    assert as_utf8.headers["content-type"] == "text/plain; charset=utf-8"
    assert r.content == as_utf8.text.encode(charset) and "said the troops" in as_utf8.text


def test_400_invalid_utf8(client):
    assert_error(client.post("/v1/restore", content=b'{"text": "caf\xe9"}', headers={"Content-Type": "application/json"}), 400, "U041")
    assert_error(client.post("/v1/restore", content=b"caf\xe9", headers={"Content-Type": "text/plain"}), 400, "U041")
    r = client.post("/v1/restore", content=b"\x81\x39", headers={"Content-Type": "text/plain; charset=shift_jis"})
    assert_error(r, 400, "U041")
    assert "not valid shift_jis (bad byte at offset 0)" in r.json()["error"]["message"]


@pytest.mark.parametrize(
    "content_type", ["application/xml", "multipart/form-data; boundary=x", "", "text/plain; charset=klingon", "text/plain; charset=base64", "application/json; charset=latin-1"]
)
def test_415_content_type(client, content_type):
    r = client.post("/v1/restore", content=b"text", headers={"Content-Type": content_type})
    assert_error(r, 415, "U042")
    assert "send application/json (UTF-8), or text/plain, text/html or text/markdown (UTF-8, or a charset" in r.json()["error"]["message"]
    for endpoint in ("/v1/restore/batch", "/v1/spinner-table"):
        r = client.post(endpoint, content=b"text", headers={"Content-Type": content_type})
        assert_error(r, 415, "U042")
        assert "send application/json (UTF-8)" in r.json()["error"]["message"]  # says what this endpoint takes


@pytest.mark.parametrize("body", [b'{"text": ', b"[1, 2", b"nan?"])
def test_422_malformed_json(client, body):
    assert_error(client.post("/v1/restore", content=body, headers={"Content-Type": "application/json"}), 422, "U043")


@pytest.mark.parametrize(
    "payload",
    [{}, {"txt": "a"}, {"text": 5}, {"text": "a", "options": {"min_confidence": "high"}}, {"text": "a", "options": {"beam": 3}}, [1]],
)
def test_422_schema(client, payload):
    assert_error(client.post("/v1/restore", json=payload), 422, "U044")


def test_422_unknown_engine_uses_engine_code(client):
    assert_error(client.post("/v1/restore", json={"text": "a", "options": {"engine": "gpt"}}), 422, "U002")
    assert_error(client.post("/v1/restore", json={"text": "a", "options": {"min_confidence": 2}}), 422, "U003")
    assert_error(client.post("/v1/restore?engine=gpt", content="a", headers={"Content-Type": "text/plain"}), 422, "U002")


def test_400_ambiguous(client):
    assert_error(client.post("/v1/restore", json={"text": "a", "documents": [{"text": "b"}]}), 400, "U045")
    assert_error(client.post("/v1/restore?engine=rules", json={"text": "a", "options": {"engine": "rules"}}), 400, "U045")


def test_404_and_405_are_json(client):
    assert_error(client.get("/v1/nothing"), 404, "U050")
    assert_error(client.get("/v1/restore"), 405, "U050")


def test_401_without_or_with_wrong_key(strict_server):
    url = strict_server.url + "/v1/restore"
    assert_error(httpx.post(url, json={"text": "a"}), 401, "U048")
    r = httpx.post(url, json={"text": "a"}, headers={"Authorization": "Bearer wrong"})
    assert_error(r, 401, "U048")
    assert r.headers["www-authenticate"] == "Bearer"
    assert_error(httpx.get(strict_server.url + "/v1/info"), 401, "U048")
    ok = httpx.post(url, json={"text": "US infantry"}, headers={"Authorization": f"Bearer {API_KEY}"})
    assert ok.status_code == 200 and ok.json()["text"] == service.restore("US infantry")
    for open_path in ("/healthz", "/readyz", "/metrics"):
        assert httpx.get(strict_server.url + open_path).status_code == 200


def test_503_on_timeout_with_retry_after(slow_server, spun_article):
    text = big_article(spun_article, 400_000)
    r = httpx.post(slow_server.url + "/v1/restore", json={"text": text}, timeout=120)
    assert_error(r, 503, "U047")
    assert int(r.headers["retry-after"]) >= 1
    assert httpx.get(slow_server.url + "/healthz", timeout=5).status_code == 200


# -- operations ---------------------------------------------------------------------


def test_two_server_processes_each_restore(unspin_cmd, tmp_path, spun_article):
    server = start_server(unspin_cmd, tmp_path, "two-processes", UNSPIN_PROCESSES="2", UNSPIN_WORKERS="1")
    try:
        children = Path(f"/proc/{server.proc.pid}/task/{server.proc.pid}/children").read_text().split()
        assert len(children) >= 2, server.log()  # uvicorn's supervisor and one child per process
        assert httpx.get(server.url + "/v1/info").json()["limits"]["processes"] == 2
        expected = result_json(service.restore_and_explain(spun_article))
        for _ in range(4):  # a new connection each time: the processes share the requests
            body = httpx.post(server.url + "/v1/restore", json={"text": spun_article}, timeout=60).json()
            assert body["text"] == expected["text"] and body["edits"] == expected["edits"]
        # whichever process answers, /metrics counts every process's work
        counts = [metric(server.url, "unspin_documents_processed_total") for _ in range(12)]
        assert counts == [4.0] * 12, counts
        assert metric(server.url, "unspin_requests_total", route="/v1/restore", status="200") == 4.0
        deadline = time.monotonic() + 60
        while metric(server.url, "unspin_engine_ready") != 1.0:  # 1 once every process is
            assert time.monotonic() < deadline, server.log()
            time.sleep(0.2)
    finally:
        server.stop()


def test_a_given_metrics_folder_is_emptied_of_old_values(unspin_cmd, tmp_path):
    folder = tmp_path / "metrics"
    folder.mkdir()
    (folder / "counter_999999.db").write_bytes(b"\0" * 16)  # left by an earlier run
    server = start_server(
        unspin_cmd, tmp_path, "given-folder", UNSPIN_PROCESSES="2", UNSPIN_WORKERS="1", PROMETHEUS_MULTIPROC_DIR=str(folder)
    )
    try:
        assert not (folder / "counter_999999.db").exists()
        assert httpx.post(server.url + "/v1/restore", json={"text": "He pronounced so."}, timeout=60).status_code == 200
        assert metric(server.url, "unspin_documents_processed_total") == 1.0
        assert list(folder.glob("counter_*.db")), "the processes write their values into the given folder"
    finally:
        server.stop()


def test_healthz_readyz_info_stages_docs(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert ready["ready"] is True and ready["engine"] == service.engine.engine_status()["engine"]
    resources = ready["resources"]  # every artefact that shapes a restoration, with its provenance
    assert {"language_model", "dictionary", "gap_filler", "verifier"} <= set(resources)
    assert resources["gap_filler"]["kind"] == "gap-filler" and "Wikipedia" in resources["gap_filler"]["source"]
    assert resources["verifier"]["engine"] == ready["engine"] and resources["verifier"]["held_out"]["samples"] > 0
    info = client.get("/v1/info").json()
    assert info["software"]["version"] == service.__version__
    assert info["limits"]["max_bytes"] == 1_000_000 and info["limits"]["max_batch"] == 200
    assert info["engines"]["available"] == ["auto", "rules", "model"]
    stages = client.get("/v1/stages").json()
    assert [s["name"] for s in stages["stages"]] == list(service.config.STAGE_NAMES)
    assert client.get("/docs").status_code == 200
    spec = client.get("/openapi.json").json()
    assert {"/v1/restore", "/v1/restore/batch", "/healthz", "/readyz", "/metrics", "/v1/info"} <= set(spec["paths"])


def test_metrics_move(server, client, spun_article):
    words = len(spun_article.split())
    n_edits = len(service.restore_and_explain(spun_article).edits)
    before = {
        "ok": metric(server.url, "unspin_requests_total", route="/v1/restore", status="200"),
        "words": metric(server.url, "unspin_words_processed_total"),
        "edits": sum(metric(server.url, "unspin_edits_made_total", source=s) for s in service.edits.EDIT_SOURCES),
        "u043": metric(server.url, "unspin_errors_total", code="U043"),
        "latency": metric(server.url, "unspin_request_duration_seconds_count", route="/v1/restore"),
    }
    assert client.post("/v1/restore", json={"text": spun_article}).status_code == 200
    client.post("/v1/restore", content=b"{", headers={"Content-Type": "application/json"})
    assert metric(server.url, "unspin_requests_total", route="/v1/restore", status="200") == before["ok"] + 1
    assert metric(server.url, "unspin_words_processed_total") == before["words"] + words
    edits = sum(metric(server.url, "unspin_edits_made_total", source=s) for s in service.edits.EDIT_SOURCES)
    assert edits == before["edits"] + n_edits
    assert metric(server.url, "unspin_errors_total", code="U043") == before["u043"] + 1
    assert metric(server.url, "unspin_request_duration_seconds_count", route="/v1/restore") == before["latency"] + 2


def test_healthz_answers_during_big_restore(server, spun_article):
    text = big_article(spun_article, 200_000)
    done: dict[str, httpx.Response] = {}

    def big() -> None:
        done["r"] = httpx.post(server.url + "/v1/restore", json={"text": text}, timeout=300)

    worker = threading.Thread(target=big)
    worker.start()
    time.sleep(0.2)
    health_times = []
    while worker.is_alive() and len(health_times) < 20:
        t0 = time.perf_counter()
        assert httpx.get(server.url + "/healthz", timeout=5).status_code == 200
        health_times.append(time.perf_counter() - t0)
        time.sleep(0.05)
    worker.join(timeout=300)
    assert health_times, "the big restore finished before /healthz was asked: make the article bigger"
    assert max(health_times) < 1.0
    assert done["r"].status_code == 200
    assert done["r"].json()["text"] == service.restore(text)


def test_200_concurrent_requests(server, paragraphs):
    texts = [f"{p}\n\nItem {i}." for i, p in enumerate(paragraphs * 5)]  # 20 distinct documents
    want = {t: expected(t) for t in texts}

    async def run() -> list[httpx.Response]:
        limit = asyncio.Semaphore(32)
        limits = httpx.Limits(max_connections=32)
        async with httpx.AsyncClient(base_url=server.url, timeout=120, limits=limits) as ac:

            async def one(i: int) -> httpx.Response:
                async with limit:
                    return await ac.post("/v1/restore", json={"text": texts[i % len(texts)]})

            return await asyncio.gather(*(one(i) for i in range(200)))

    responses = asyncio.run(run())
    assert all(r.status_code == 200 for r in responses), {r.status_code for r in responses}
    for i, r in enumerate(responses):
        body = r.json()
        assert {k: body[k] for k in ("text", "edits", "spin_score", "engine")} == want[texts[i % len(texts)]]


@pytest.mark.parametrize(
    ("raised", "status", "code"),
    [(ValueError("index out of range in the decoder"), 500, "U051"), (ValueError(Errors.U012.format(code=0xD800, index=3)), 422, "U012")],
)
def test_engine_errors_are_the_clients_only_when_coded(monkeypatch, raised, status, code):
    # The engine cannot be made to fail on demand, so its entry point is replaced: an
    # uncoded ValueError is a bug (500, logged), not a refusal of the request (422).
    from fastapi.testclient import TestClient

    import service.api

    def failing(*_args, **_kwargs):
        raise raised

    monkeypatch.setattr(service.api, "restore_many", failing)
    with TestClient(service.api.create_app(Settings(engine="rules")), raise_server_exceptions=False) as c:
        r = c.post("/v1/restore", json={"text": "a infantry pronounced."})
    assert r.status_code == status, r.text
    assert r.json()["error"]["code"] == code
