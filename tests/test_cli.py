"""The installed `unspin` command, run as a subprocess (what editors and scripts run)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import httpx
import pytest

import service
from service.cli import DIR_BATCH_BYTES, _read_batches, _Restorer, render_diff, result_json
from service.feeds import Feeds
from tests.conftest import API_KEY, EXAMPLES, child_env, free_port
from tests.test_restore import PLENTY_BATCH


def run(cmd: list[str], *args: str, stdin: bytes | None = None, **env: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([*cmd, *args], input=stdin, capture_output=True, env=child_env(**env), timeout=300)


def assert_one_line_error(p: subprocess.CompletedProcess[bytes], status: int, code: str) -> None:
    err = p.stderr.decode()
    assert p.returncode == status, err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    assert code in err
    assert p.stdout == b""


SPUN = EXAMPLES / "spun_article.txt"


def test_restore_file(unspin_cmd, spun_article):
    p = run(unspin_cmd, "restore", str(SPUN))
    assert p.returncode == 0, p.stderr.decode()
    assert p.stdout.decode() == service.restore(spun_article)


def test_version(unspin_cmd):
    p = run(unspin_cmd, "--version")
    assert p.returncode == 0, p.stderr.decode()
    assert p.stdout.decode() == f"unspin {service.__version__}\n"


def test_restore_stdin(unspin_cmd, spun_article):
    p = run(unspin_cmd, "restore", "-", "--engine", "rules", "--min-confidence", "0.8", stdin=spun_article.encode())
    assert p.returncode == 0, p.stderr.decode()
    assert p.stdout.decode() == service.restore(spun_article, engine="rules", min_confidence=0.8)
    p = run(unspin_cmd, "restore", stdin=spun_article.encode())
    assert p.stdout.decode() == service.restore(spun_article)


def test_restore_json(unspin_cmd, spun_article):
    p = run(unspin_cmd, "restore", str(SPUN), "--json")
    assert p.returncode == 0, p.stderr.decode()
    assert json.loads(p.stdout) == result_json(service.restore_and_explain(spun_article))


def test_restore_diff(unspin_cmd, spun_article):
    p = run(unspin_cmd, "restore", str(SPUN), "--diff")
    assert p.returncode == 0, p.stderr.decode()
    result = service.restore_and_explain(spun_article)
    assert p.stdout.decode() == render_diff(spun_article, result).plain + "\n"


def test_url_gives_the_same_output_as_local(unspin_cmd, server):
    local = run(unspin_cmd, "restore", str(SPUN), "--json")
    remote = run(unspin_cmd, "restore", str(SPUN), "--json", "--url", server.url)
    assert remote.returncode == 0, remote.stderr.decode()
    assert json.loads(remote.stdout) == json.loads(local.stdout)
    plain_local = run(unspin_cmd, "restore", str(SPUN))
    plain_remote = run(unspin_cmd, "restore", str(SPUN), "--url", server.url)
    assert plain_remote.stdout == plain_local.stdout


def test_url_sends_the_spinner_table(unspin_cmd, server, tmp_path: Path):
    (tmp_path / "t.json").write_text('{"swaps": [{"spun": "plenty", "original": "stock"}]}', encoding="utf-8")
    text = "Shares of plenty rose on the plenty exchange in Tokyo."
    p = run(unspin_cmd, "restore", "-", "--url", server.url, "--spinner-table", str(tmp_path / "t.json"), stdin=text.encode())
    assert p.returncode == 0, p.stderr.decode()
    assert p.stdout.decode() == service.restore(text, spinner_table={"plenty": "stock"}) != service.restore(text)


def test_url_sends_the_feed(unspin_cmd, server, paragraphs):
    p = run(unspin_cmd, "restore", "-", "--url", server.url, "--feed", "cli-test", stdin=paragraphs[0].encode())
    assert p.returncode == 0, p.stderr.decode()
    assert p.stdout.decode() == service.restore(paragraphs[0])  # nothing learnt yet
    state = httpx.get(server.url + "/v1/feeds/cli-test", timeout=10).json()
    assert (state["documents"], state["waiting"]) == (0, 1)
    assert_one_line_error(run(unspin_cmd, "restore", "-", "--feed", "cli-test", stdin=b"x"), 2, "U065")


def test_in_dir_out_dir_is_resumable(unspin_cmd, paragraphs, tmp_path: Path):
    in_dir, out_dir = tmp_path / "spun", tmp_path / "restored"
    in_dir.mkdir()
    for i, text in enumerate(paragraphs[:3]):
        (in_dir / f"doc{i}.txt").write_text(text, encoding="utf-8")
    (in_dir / "notes.md").write_text("not an article", encoding="utf-8")
    p = run(unspin_cmd, "restore", "--in-dir", str(in_dir), "--out-dir", str(out_dir))
    assert p.returncode == 0, p.stderr.decode()
    assert sorted(f.name for f in out_dir.iterdir()) == ["doc0.txt", "doc1.txt", "doc2.txt"]
    for i, (text, result) in enumerate(zip(paragraphs[:3], service.restore_many(paragraphs[:3]), strict=True)):
        assert (out_dir / f"doc{i}.txt").read_text(encoding="utf-8") == result.text  # restored together
        assert (in_dir / f"doc{i}.txt").read_text(encoding="utf-8") == text  # input untouched
    assert "3 restored" in p.stderr.decode()

    # resume: finished files are skipped (kept as they are), missing ones are redone
    (out_dir / "doc0.txt").write_text("kept", encoding="utf-8")
    (out_dir / "doc1.txt").unlink()
    p = run(unspin_cmd, "restore", "--in-dir", str(in_dir), "--out-dir", str(out_dir))
    assert p.returncode == 0, p.stderr.decode()
    assert (out_dir / "doc0.txt").read_text(encoding="utf-8") == "kept"
    assert (out_dir / "doc1.txt").read_text(encoding="utf-8") == service.restore(paragraphs[1])
    assert "1 restored, 2 already done" in p.stderr.decode()
    assert not [f for f in out_dir.iterdir() if f.name.startswith(".")]  # no temp files left


def test_a_folder_is_restored_in_batches_that_pool_the_spinners_table(unspin_cmd, server, tmp_path: Path):
    """Until 2026-12-06 --in-dir restored each file alone, so a folder of one spinner's articles taught nothing."""
    in_dir = tmp_path / "spun"
    in_dir.mkdir()
    for i, text in enumerate(PLENTY_BATCH):
        (in_dir / f"doc{i}.txt").write_text(text, encoding="utf-8")
    (in_dir / "not-utf8.txt").write_bytes(b"\xff plenty")
    together = [r.text for r in service.restore_many(PLENTY_BATCH)]
    alone = [service.restore(t) for t in PLENTY_BATCH]
    assert together != alone  # "plenty" -> "stock" is learnt from the batch only
    for args, expected in [([], together), (["--batch", "1"], alone), (["--url", server.url], together)]:
        out_dir = tmp_path / f"out{len(args)}{'-'.join(args).replace('/', '').replace(':', '')}"
        p = run(unspin_cmd, "restore", "--in-dir", str(in_dir), "--out-dir", str(out_dir), *args)
        assert p.returncode == 1, p.stderr.decode()  # the file that is not UTF-8 fails on its own
        assert "U061" in p.stderr.decode() and f"{len(PLENTY_BATCH)} restored" in p.stderr.decode(), args
        assert [(out_dir / f"doc{i}.txt").read_text(encoding="utf-8") for i in range(len(PLENTY_BATCH))] == expected, args
    # batches of 3: the first three files are restored together, apart from the rest
    out_dir = tmp_path / "by3"
    run(unspin_cmd, "restore", "--in-dir", str(in_dir), "--out-dir", str(out_dir), "--batch", "3")
    by3 = [r.text for k in range(0, len(PLENTY_BATCH), 3) for r in service.restore_many(PLENTY_BATCH[k : k + 3])]
    assert [(out_dir / f"doc{i}.txt").read_text(encoding="utf-8") for i in range(len(PLENTY_BATCH))] == by3
    assert_one_line_error(run(unspin_cmd, "restore", str(SPUN), "--batch", "2"), 2, "U065")


def test_a_folder_sent_to_a_server_keeps_to_its_limits(unspin_cmd, strict_server, tmp_path: Path):
    """Batches of at most the server's UNSPIN_MAX_BATCH (4 here) and UNSPIN_MAX_BYTES; a document over its
    UNSPIN_MAX_CHARS fails alone, and its batch-mates are restored together."""
    in_dir, out_dir = tmp_path / "spun", tmp_path / "restored"
    in_dir.mkdir()
    for i, text in enumerate(PLENTY_BATCH):
        (in_dir / f"doc{i}.txt").write_text(text, encoding="utf-8")
    (in_dir / "long.txt").write_text("A plenty rose. " * 100, encoding="utf-8")  # 1,500 characters
    p = run(unspin_cmd, "restore", "--in-dir", str(in_dir), "--out-dir", str(out_dir), "--url", strict_server.url, UNSPIN_API_KEY=API_KEY)
    err = p.stderr.decode()
    assert p.returncode == 1, err
    assert "long.txt: [U011]" in err and f"{len(PLENTY_BATCH)} restored, 0 already done (skipped), 1 failed" in err, err
    expected = [r.text for k in range(0, len(PLENTY_BATCH), 4) for r in service.restore_many(PLENTY_BATCH[k : k + 4])]
    assert [(out_dir / f"doc{i}.txt").read_text(encoding="utf-8") for i in range(len(PLENTY_BATCH))] == expected


def test_glob_picks_a_folders_files_and_the_results_keep_their_names(unspin_cmd, tmp_path: Path):
    in_dir = tmp_path / "spun"
    in_dir.mkdir()
    html = "<p>Officials pronounced <b>a infantry</b> had left a city.</p>\n"
    (in_dir / "a.html").write_text(html, encoding="utf-8")
    (in_dir / "a.txt").write_text("A supervision orator pronounced.", encoding="utf-8")
    p = run(unspin_cmd, "restore", "--in-dir", str(in_dir), "--out-dir", str(tmp_path / "out"), "--glob", "*.html")
    assert p.returncode == 0, p.stderr.decode()
    assert [f.name for f in (tmp_path / "out").iterdir()] == ["a.html"]
    assert (tmp_path / "out" / "a.html").read_text(encoding="utf-8") == service.restore(html) != html
    # both would be written to a.json: refused before anything is written
    p = run(unspin_cmd, "restore", "--in-dir", str(in_dir), "--out-dir", str(tmp_path / "json"), "--glob", "a.*", "--json")
    assert_one_line_error(p, 2, "U065")
    assert "a.html and a.txt" in p.stderr.decode() and not (tmp_path / "json").exists()
    assert_one_line_error(run(unspin_cmd, "restore", "--in-dir", str(in_dir), "--out-dir", str(tmp_path / "x"), "--glob", "../*"), 2, "U065")
    p = run(unspin_cmd, "learn", "--in-dir", str(in_dir), "--glob", "*.html")
    assert p.returncode == 0 and json.loads(p.stdout)["documents"] == 1, p.stderr.decode()


def test_folder_batches_hold_to_a_count_and_a_size(tmp_path: Path):
    sizes = [10, 10, 80, 10, 200, 10, 10]  # characters; each costs its JSON string + 20 bytes
    todo = []
    for i, n in enumerate(sizes):
        (tmp_path / f"{i}.txt").write_text("x" * n, encoding="utf-8")
        todo.append((tmp_path / f"{i}.txt", tmp_path / f"{i}.out"))
    (tmp_path / "bad.txt").write_bytes(b"\xff")
    todo.insert(3, (tmp_path / "bad.txt", tmp_path / "bad.out"))
    failed: list[str] = []
    skipped = []
    chunks = list(_read_batches(todo, 3, 170, failed, lambda: skipped.append(1)))
    assert [[len(text) for _, _, text in chunk] for chunk in chunks] == [[10, 10, 80], [10], [200], [10, 10]]
    assert len(failed) == len(skipped) == 1 and failed[0].startswith("bad.txt: [U061]")
    # here too a batch holds at most what a server with the default limits takes (memory grows with its words)
    assert _Restorer(None, None, None, None).batches(200) == (200, DIR_BATCH_BYTES - 1_000)


def test_out_dir_must_differ_from_in_dir(unspin_cmd, tmp_path: Path):
    (tmp_path / "a.txt").write_text("a", encoding="utf-8")
    assert_one_line_error(run(unspin_cmd, "restore", "--in-dir", str(tmp_path), "--out-dir", str(tmp_path)), 2, "U064")
    assert (tmp_path / "a.txt").read_text(encoding="utf-8") == "a"


def test_missing_file(unspin_cmd, tmp_path: Path):
    assert_one_line_error(run(unspin_cmd, "restore", str(tmp_path / "missing.txt")), 1, "U060")


def test_not_utf8(unspin_cmd, tmp_path: Path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("caf\xe9 infantry".encode("latin-1"))
    p = run(unspin_cmd, "restore", str(path))
    assert_one_line_error(p, 1, "U061")
    assert "bad byte 0xe9 at offset 3" in p.stderr.decode() and "--encoding cp1252" in p.stderr.decode()
    path.write_bytes("a infantry".encode("utf-16"))  # with a byte-order mark, as Windows tools write it
    p = run(unspin_cmd, "restore", str(path))
    assert_one_line_error(p, 1, "U061")
    assert "UTF-16 byte-order mark: --encoding utf-16" in p.stderr.decode()
    p = run(unspin_cmd, "restore", str(path), "--encoding", "shift_jis")
    assert_one_line_error(p, 1, "U061")
    assert "is not shift_jis text (bad byte 0xff at offset 0)" in p.stderr.decode()
    for command in ("restore", "learn"):
        assert_one_line_error(run(unspin_cmd, command, str(path), "--encoding", "base64"), 2, "U065")


def test_encoding_reads_and_writes_a_file_in_it(unspin_cmd, server, spun_article, tmp_path: Path):
    """A Windows-1252 article is read and restored in its encoding: every byte outside the edits as it came."""
    text = spun_article + "\nCaf\u00e9 owners in Orl\u00e9ans pronounced a infantry\u2019s convoy left.\n"
    want = service.restore(text)
    assert want != text and "\u00e9" in want and "\u2019" in want
    (tmp_path / "in").mkdir()
    path = tmp_path / "in" / "cp1252.txt"
    path.write_bytes(text.encode("cp1252"))
    for remote in ([], ["--url", server.url]):  # a server gets UTF-8 JSON; the file is decoded and encoded here
        p = run(unspin_cmd, "restore", str(path), "--encoding", "cp1252", *remote)
        assert p.returncode == 0, p.stderr.decode()
        assert p.stdout == want.encode("cp1252")
    p = run(unspin_cmd, "restore", "--in-dir", str(tmp_path / "in"), "--out-dir", str(tmp_path / "out"), "--encoding", "cp1252")
    assert p.returncode == 0, p.stderr.decode()
    assert (tmp_path / "out" / "cp1252.txt").read_bytes() == want.encode("cp1252")
    p = run(unspin_cmd, "learn", str(path), "--encoding", "windows-1252")
    assert p.returncode == 0 and json.loads(p.stdout)["documents"] == 1, p.stderr.decode()


def test_a_restored_word_the_encoding_lacks_fails_that_file(unspin_cmd, tmp_path: Path):
    """A caller's table may restore a word that Windows-1252 cannot write ("Łódź"): no half-converted output."""
    table = tmp_path / "table.json"
    table.write_text(json.dumps({"swaps": [{"spun": "plenty", "original": "Łódź"}]}), encoding="utf-8")
    text = "Shares of plenty rose on the plenty exchange in Tokyo."
    assert "łódź" in service.restore(text, spinner_table=json.loads(table.read_text(encoding="utf-8")))
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_bytes(text.encode("cp1252"))
    (tmp_path / "in" / "b.txt").write_bytes(b"No swap here.")
    args = ["--encoding", "cp1252", "--spinner-table", str(table)]
    p = run(unspin_cmd, "restore", str(tmp_path / "in" / "a.txt"), *args)
    assert_one_line_error(p, 1, "U066")
    assert "a restored word has no code in cp1252; --json writes UTF-8" in p.stderr.decode()
    p = run(unspin_cmd, "restore", "--in-dir", str(tmp_path / "in"), "--out-dir", str(tmp_path / "out"), *args)
    assert p.returncode == 1 and "a.txt: [U066]" in p.stderr.decode() and "1 restored" in p.stderr.decode()
    assert sorted(f.name for f in (tmp_path / "out").iterdir()) == ["b.txt"]  # no file, nor a temporary one, for a.txt


def test_server_unreachable(unspin_cmd):
    url = f"http://127.0.0.1:{free_port()}"
    assert_one_line_error(run(unspin_cmd, "restore", str(SPUN), "--url", url), 1, "U062")


def test_http_error_from_server(unspin_cmd, strict_server):
    assert_one_line_error(run(unspin_cmd, "restore", str(SPUN), "--url", strict_server.url), 1, "U048")


@pytest.mark.parametrize("args", [["--engine", "gpt"], ["--json", "--diff"], ["--in-dir", "."]])
def test_usage_errors_exit_2(unspin_cmd, args):
    p = run(unspin_cmd, "restore", str(SPUN), *args)
    assert p.returncode == 2 and "Traceback" not in p.stderr.decode()


@pytest.mark.parametrize("flag", ["--workers", "--processes"])
def test_serve_refuses_a_bad_count(unspin_cmd, flag):
    assert_one_line_error(run(unspin_cmd, "serve", "--port", str(free_port()), flag, "0"), 2, "U052")


def test_learn_then_restore_with_the_table(unspin_cmd, tmp_path: Path):
    """`unspin learn` on a folder of one spinner's articles, then `restore --spinner-table`: the library's results."""
    from scripts.spinner import Spinner
    from scripts.train_verifier import wiki_documents

    spinner = Spinner("field", seed=0)
    texts = [spinner.spin(d).spun for d in wiki_documents(200)]
    (tmp_path / "spun").mkdir()
    for k, text in enumerate(texts):
        (tmp_path / "spun" / f"{k:03d}.txt").write_text(text, encoding="utf-8")
    feeds = tmp_path / "feeds"
    p = run(unspin_cmd, "learn", "--in-dir", str(tmp_path / "spun"), "--out", str(tmp_path / "table.json"), "--feed", "acme", "--feed-dir", str(feeds))
    assert p.returncode == 0, p.stderr.decode()
    table = json.loads((tmp_path / "table.json").read_text(encoding="utf-8"))
    assert table == service.learn_spinner_table(texts).to_json()
    learnt = Feeds(directory=feeds).table("acme")  # a server on that folder starts the feed with the table
    assert learnt is not None and learnt.to_json() == table and "feed acme: evidence in " in p.stderr.decode()
    assert len(table["swaps"]) >= 15 and f"learnt {len(table['swaps'])} swaps from 200 articles" in p.stderr.decode()
    most = max(table["swaps"], key=lambda s: s["places"])
    assert "learnt swaps (review them)" in p.stderr.decode() and f"{most['spun']} " in p.stderr.decode()
    article = tmp_path / "spun" / "000.txt"
    p = run(unspin_cmd, "restore", str(article), "--spinner-table", str(tmp_path / "table.json"))
    assert p.returncode == 0, p.stderr.decode()
    assert p.stdout.decode() == service.restore(texts[0], spinner_table=table)


def test_learn_writes_to_stdout(unspin_cmd, paragraphs, tmp_path: Path):
    (tmp_path / "a.txt").write_text(paragraphs[0], encoding="utf-8")
    p = run(unspin_cmd, "learn", str(tmp_path / "a.txt"))
    assert p.returncode == 0, p.stderr.decode()
    assert json.loads(p.stdout) == service.learn_spinner_table([paragraphs[0]]).to_json()


@pytest.mark.parametrize(
    "args, status, code",
    [
        (["learn"], 2, "U065"),  # nothing to learn from
        (["learn", str(EXAMPLES)], 2, "U065"),  # a folder: --in-dir
        (["learn", str(SPUN), "--in-dir", str(EXAMPLES)], 2, "U065"),
        (["learn", "missing.txt"], 1, "U060"),
        (["restore", str(SPUN), "--spinner-table", "missing.json"], 1, "U060"),
        (["learn", str(SPUN), "--feed", "acme"], 2, "U065"),  # --feed goes with --feed-dir
        (["learn", str(SPUN), "--feed", "a b", "--feed-dir", "feeds"], 2, "U053"),
        (["learn", str(SPUN), "--glob", "*.md"], 2, "U065"),  # --glob goes with --in-dir
        (["learn", "--in-dir", str(EXAMPLES), "--glob", "../*.txt"], 2, "U065"),  # a name pattern, not a path
        (["restore", str(SPUN), "--glob", "*.md"], 2, "U065"),
    ],
)
def test_learn_and_table_errors(unspin_cmd, args, status, code):
    assert_one_line_error(run(unspin_cmd, *args), status, code)


@pytest.mark.parametrize("content", ["not json", '{"swaps": [{"spun": "two words", "original": "x"}]}'])
def test_a_bad_table_file_is_a_usage_error(unspin_cmd, tmp_path: Path, content: str):
    (tmp_path / "t.json").write_text(content, encoding="utf-8")
    assert_one_line_error(run(unspin_cmd, "restore", str(SPUN), "--spinner-table", str(tmp_path / "t.json")), 2, "U007")
