"""The evaluator: alignment of engine edits with spinner swaps, on hand-made examples."""

from __future__ import annotations

import html
import json
import lzma
import re
from pathlib import Path

import pytest

from scripts.evaluate import align, evaluate, load_reuters, markdown_table, reliability, reliability_table
from scripts.spinner import SpunText, Swap, unspin_swaps
from service.edits import Edit

ORIGINAL = "The troops said the visit was over. A man came."
SPUN = "The infantry pronounced a journey was over. A man came."
SWAPS = [
    Swap(4, 12, "infantry", "troops", "fingerprint"),
    Swap(13, 23, "pronounced", "said", "fingerprint"),
    Swap(24, 25, "a", "the", "the"),
    Swap(26, 33, "journey", "visit", "thesaurus"),
]
CLEAN = "The man came home."
EDITS = {
    SPUN: [
        Edit(4, 12, "infantry", "troops", 0.9, "fingerprint"),  # correct
        Edit(13, 23, "pronounced", "Pronounced", 0.9, "fingerprint"),  # no-op: ignored
        Edit(24, 25, "a", "the", 0.8, "article"),  # correct
        Edit(26, 33, "journey", "trip", 0.4, "thesaurus"),  # wrong
        Edit(44, 45, "A", "The", 0.3, "article"),  # false: a genuine "A"
    ],
    CLEAN: [Edit(4, 7, "man", "person", 0.5, "thesaurus")],  # false edit on a clean text
}


def fake_restore(text: str) -> list[Edit]:
    return EDITS.get(text, [])


def test_example_is_consistent() -> None:
    assert unspin_swaps(SPUN, SWAPS) == ORIGINAL
    for e in EDITS[SPUN]:
        assert SPUN[e.start : e.end] == e.spun


def test_metrics_on_a_tiny_example() -> None:
    m = evaluate([SpunText(SPUN, ORIGINAL, SWAPS)], fake_restore, clean_texts=[CLEAN])
    assert (m.docs, m.words, m.swaps, m.restored, m.edits) == (1, 10, 4, 2, 4)
    assert (m.correct_edits, m.false_edits, m.wrong_edits) == (2, 1, 1)
    assert m.recall == 0.5 and m.precision == 0.5
    assert (m.the_swaps, m.the_restored, m.the_accuracy) == (1, 1, 1.0)
    assert (m.genuine_a, m.genuine_a_changed) == (1, 1)
    assert (m.content_swaps, m.content_restored) == (3, 1)
    assert m.content_recall == pytest.approx(1 / 3)
    assert (m.content_edits, m.content_correct, m.content_precision) == (2, 1, 0.5)
    assert (m.fingerprint_swaps, m.fingerprint_restored, m.fingerprint_recall) == (2, 1, 0.5)
    assert (m.non_fingerprint_swaps, m.non_fingerprint_restored, m.non_fingerprint_recall) == (1, 0, 0.0)
    assert m.recall_by_kind == {"fingerprint": 0.5, "the": 1.0, "thesaurus": 0.0}
    assert m.swaps_by_kind == {"fingerprint": 2, "the": 1, "thesaurus": 1}
    assert (m.clean_words, m.clean_false_edits, m.clean_false_per_1k) == (4, 1, 250.0)
    assert m.words_per_s is None or m.words_per_s > 0
    assert "| x | 1 | 10 | 4 | 50.0% | 50.0% |" in markdown_table({"x": m})


def test_reliability_counts_each_kind_of_edit_in_its_confidence_bin() -> None:
    table = reliability([SpunText(SPUN, ORIGINAL, SWAPS)], fake_restore, bins=(0.0, 0.5, 0.85, 1.0))
    # "a" -> "the" (0.8, right) and "A" -> "The" (0.3, a genuine "A"); "infantry" (0.9, right), "journey" (0.4, wrong);
    # the no-op edit is not one
    assert table == {"article": [(1, 0), (1, 1), (0, 0)], "number": [(0, 0)] * 3, "content": [(1, 0), (0, 0), (1, 1)]}
    lines = reliability_table(table, bins=(0.0, 0.5, 0.85, 1.0)).splitlines()
    assert lines[0] == "| confidence | article edits | right | number edits | right | content edits | right |"
    assert lines[2:] == [
        "| [0.00, 0.50) | 1 | 0.0% | 0 | n/a | 1 | 0.0% |",
        "| [0.50, 0.85) | 1 | 100.0% | 0 | n/a | 0 | n/a |",
        "| [0.85, 1.00] | 0 | n/a | 0 | n/a | 1 | 100.0% |",
    ]


def test_fingerprints_to_count_can_be_given() -> None:
    """A held-out evaluation counts the held pairs as unknown: "infantry" -> "troops" moves to non-fingerprint."""
    m = evaluate([SpunText(SPUN, ORIGINAL, SWAPS)], fake_restore, clean_texts=[], fingerprints=frozenset({("pronounced", "said")}))
    assert (m.fingerprint_swaps, m.fingerprint_restored) == (1, 0)
    assert (m.non_fingerprint_swaps, m.non_fingerprint_restored) == (2, 1)


def test_held_out_folds_deal_every_fingerprint_once() -> None:
    """Every fingerprint row but the article ones ("a" <- "the", "a" <- "its") is in exactly one fold."""
    from scripts.evaluate_held_out import FINGERPRINTS, folds

    dealt = folds(5)
    rows = [tuple(line.split("\t")) for line in FINGERPRINTS.read_text(encoding="utf-8").splitlines()[1:] if line.strip()]
    assert sorted(p for fold in dealt for p in fold) == sorted(r for r in rows if r not in {("a", "the"), ("a", "its")})
    assert len(rows) - 2 == sum(map(len, dealt)) and max(map(len, dealt)) - min(map(len, dealt)) <= 1


def test_spin_figures_compare_spun_with_clean_texts() -> None:
    scores = {SPUN: 0.8, CLEAN: 0.6, "Nothing was swapped here.": 0.1}
    pairs = [SpunText(SPUN, ORIGINAL, SWAPS), SpunText("Nothing was swapped here.", "Nothing was swapped here.", [])]
    m = evaluate(pairs, fake_restore, clean_texts=[CLEAN, "Nothing was swapped here."], score_fn=scores.__getitem__)
    # the unswapped pair is not a spun text: one spun score (0.8) against the two clean ones
    assert (m.spin_auc, m.spin_flagged, m.clean_flagged) == (1.0, 1.0, 0.5)
    assert evaluate(pairs, fake_restore, clean_texts=[CLEAN]).spin_auc is None


def test_default_clean_texts_are_the_originals() -> None:
    m = evaluate([SpunText(SPUN, ORIGINAL, SWAPS)], lambda t: [])
    assert (m.recall, m.precision, m.clean_words, m.clean_false_edits) == (0.0, None, 10, 0)


def test_split_edits_restoring_a_multi_word_swap_count() -> None:
    spun, swaps = "They met during a summit.", [Swap(9, 17, "during a", "at the", "fingerprint")]
    edits = [Edit(9, 15, "during", "at", 0.9, "fingerprint"), Edit(16, 17, "a", "the", 0.9, "article")]
    assert align(spun, swaps, edits) == ({0}, {0, 1}, set())


def test_one_edit_spanning_two_swaps_counts() -> None:
    spun = "A revisit ended."
    swaps = [Swap(0, 1, "A", "The", "the"), Swap(2, 9, "revisit", "visit", "fingerprint")]
    edits = [Edit(0, 9, "A revisit", "The visit", 0.9, "fingerprint")]
    assert align(spun, swaps, edits) == ({0, 1}, {0}, set())


def test_partly_right_edit() -> None:
    spun = "A revisit ended."
    swaps = [Swap(0, 1, "A", "The", "the"), Swap(2, 9, "revisit", "visit", "fingerprint")]
    edits = [Edit(0, 1, "A", "The", 0.9, "article"), Edit(2, 9, "revisit", "trip", 0.9, "thesaurus")]
    assert align(spun, swaps, edits) == ({0}, {0}, set())


def test_load_reuters_cleans_bodies(tmp_path: Path) -> None:
    long_body = " ".join(["word"] * 85)
    sgm = (
        "<REUTERS><TEXT><BODY>Too short.\n Reuter\n\x03</BODY></TEXT></REUTERS>\n"
        f"<REUTERS><TEXT><BODY>Profit &lt;up&gt; &amp; {long_body}\n REUTER\n\x03</BODY></TEXT></REUTERS>\n"
    )
    with lzma.open(tmp_path / "reut2-020.sgm.xz", "wt", encoding="latin-1") as f:
        f.write(sgm)
    docs = load_reuters(5, files=("reut2-020.sgm.xz",), root=tmp_path)
    assert docs == [f"Profit <up> & {long_body}"]


def test_cli_json_and_benchmarks_section(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    import scripts.benchmarks_md as bm
    from scripts.evaluate import REUTERS, main

    if not (REUTERS / "reut2-020.sgm.xz").exists():
        pytest.skip("shared Reuters corpus not available")
    monkeypatch.setattr(bm, "BENCHMARKS_PATH", tmp_path / "BENCHMARKS.md")
    argv = ["--style", "clean", "--docs", "2", "--engine", "none", "--sweep", "0.5,0.9", "--json", "--write-benchmarks"]
    assert main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["docs"] == 2 and out["results"]["clean"]["swaps"] == 0
    assert [r["min_confidence"] for r in out["sweep"]["clean"]] == [0.5, 0.9]
    text = (tmp_path / "BENCHMARKS.md").read_text(encoding="utf-8")
    assert "## Restoration quality: none engine" in text and "python -m scripts.evaluate --style clean" in text
    assert "| clean | 2 |" in text


def test_cli_reliability_keeps_every_edit_of_the_engine(capsys: pytest.CaptureFixture[str]) -> None:
    """``--reliability`` restores at min_confidence 0: the table holds the edits under 0.5 too, while the main
    figures stay those at 0.5."""
    from scripts.evaluate import REUTERS, main

    if not (REUTERS / "reut2-020.sgm.xz").exists():
        pytest.skip("shared Reuters corpus not available")
    assert main(["--style", "field", "--docs", "3", "--reliability", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    table = out["reliability"]["field"]
    edits = sum(n for kind in table.values() for n, _ in kind)
    below = sum(n for kind in table.values() for n, _ in kind[:2])  # under 0.5
    assert below > 0 and edits - below == out["results"]["field"]["edits"]
    assert all(0 <= right <= n for kind in table.values() for n, right in kind)


def test_cli_learns_a_spinner_table_from_other_articles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import scripts.benchmarks_md as bm
    from scripts.evaluate import REUTERS, TABLE_FILES, main

    assert not set(TABLE_FILES) & {"reut2-020.sgm.xz", "reut2-021.sgm.xz"}  # never the dev files
    if not (REUTERS / "reut2-000.sgm.xz").exists():
        pytest.skip("shared Reuters corpus not available")
    monkeypatch.setattr(bm, "BENCHMARKS_PATH", tmp_path / "BENCHMARKS.md")
    assert main(["--style", "field", "--docs", "3", "--table-docs", "20", "--seed", "1", "--write-benchmarks"]) == 0
    assert "field: spinner table of " in capsys.readouterr().out
    text = (tmp_path / "BENCHMARKS.md").read_text(encoding="utf-8")
    assert "## Restoration quality: rules engine, 3 articles, spinner table from 20 articles, spinner seed 1" in text
    assert "learnt by `service.learn_spinner_table` from 20 other Reuters articles" in text


def test_markup_wraps_words_and_maps_positions_back() -> None:
    from scripts.markup import add_markup, tags

    text = 'The infantry pronounced a journey was over.\n    A man\'s "big" car came back\nto AT&T’s city.\n\nIt rained.'
    marked = add_markup(text, seed=5)
    straight = str.maketrans("’“”", "'\"\"")
    assert html.unescape(re.sub(r"<[^>]*>", "", marked.html)).translate(straight) == text.translate(straight)
    found = tags(marked.html)
    assert found.count("<p>") == 3 and len(found) > 6  # three paragraphs, inline tags too
    assert [m for m in found if m[0] == "&"] == ["&#8217;", "&#8220;", "&#8221;", "&amp;", "&#8217;"]  # as WordPress writes them
    markup = list(re.finditer(r"<[^>]*>|&#?\w+;", marked.html))
    inside = {i for m in markup for i in range(*m.span())}
    assert all(text[marked.to_plain(i)] == c for i, c in enumerate(marked.html) if i not in inside)
    for m in markup:
        if m.group()[0] == "&":  # an entity maps to the character it stands for, and the next position past it
            at = marked.to_plain(m.start())
            assert html.unescape(m.group()).translate(straight) == text[at].translate(straight)
            assert marked.to_plain(m.end()) == at + 1


def test_markdown_wraps_words_and_maps_positions_back() -> None:
    from scripts.markup import add_markdown, markdown_marks

    text = "The infantry pronounced a journey was over.\n\nA man's car came back to the big city at last.\n\nIt rained."
    marked = [add_markdown(text, seed=k) for k in range(20)]
    for m in marked:
        bare = re.sub(r"\]\(https://example\.com/story\)", "", m.html).replace("[", "").replace("*", "")
        assert re.sub(r"(?m)^ ", "", bare) == text
        inside = {i for x in re.finditer(r"\*+ ?|\[|\]\([^)]*\)", m.html) for i in range(*x.span())}
        assert all(text[m.to_plain(i)] == c for i, c in enumerate(m.html) if i not in inside)
    found = [x for m in marked for x in markdown_marks(m.html)]
    assert {"*", "**", "[", "](https://example.com/story)"} <= set(found)  # italics, bold, links
    assert any(m.html.startswith("* ") or "\n* " in m.html for m in marked)  # list items


@pytest.mark.parametrize("markup", ["html", "markdown"])
def test_markup_evaluation_scores_the_marked_text_like_the_plain_text(markup: str, capsys: pytest.CaptureFixture[str]) -> None:
    """--markup sends every text as HTML (or Markdown) and maps the edits back: the engine restores both the same."""
    from scripts.evaluate import REUTERS, main

    if not (REUTERS / "reut2-020.sgm.xz").exists():
        pytest.skip("shared Reuters corpus not available")
    assert main(["--style", "field", "--docs", "5", "--json"]) == 0
    plain = json.loads(capsys.readouterr().out)["results"]["field"]
    assert main(["--style", "field", "--docs", "5", "--json", "--markup", markup]) == 0
    marked = json.loads(capsys.readouterr().out)["results"]["field"]
    figures = ("swaps", "restored", "edits", "correct_edits", "false_edits", "clean_false_edits")
    assert plain["restored"] > 50 and {k: marked[k] for k in figures} == {k: plain[k] for k in figures}


def test_held_out_report_adds_up_the_folds() -> None:
    """The held-out table sums the folds' places, edits and clean words, and lists each pair seen."""
    import argparse

    from scripts.evaluate_held_out import report

    def fold(swaps: int, restored: int, edits: int, correct: int, pairs: dict[str, list[int]]) -> dict:
        names = ("non_fingerprint_swaps", "non_fingerprint_restored", "content_edits", "content_correct", "clean_false_edits",
                 "clean_words", "the_swaps", "the_restored")
        return {"metrics": dict(zip(names, (swaps, restored, edits, correct, 1, 1000, 0, 0), strict=True)), "by_pair": pairs}

    args = argparse.Namespace(docs=10, seed=0, min_confidence=0.5, batch=1, folds=2, list="fingerprints", list_pairs=60)
    folds = [fold(30, 3, 20, 19, {"dual -> two": [30, 3], "unseen -> gone": [0, 0]}), fold(10, 0, 20, 19, {"x -> y": [10, 0]})]
    text = report(folds, args, 5)
    assert "| 40 | 3 | 7.5 % | 2 | 1 | 95.0 % | 1.00 |" in text and "5 fingerprint pairs in 2 folds (2 of them occur" in text
    assert "| dual -> two | 30 | 3 |" in text and "| x -> y | 10 | 0 |" in text and "unseen" not in text
    # the tortured phrases: Wikipedia paragraphs, the language model named, the pair list cut at --list-pairs
    args = argparse.Namespace(**{**vars(args), "list": "tortured", "list_pairs": 1, "wiki_file": Path("enwiki-major-15.xml.xz")})
    text = report(folds, args, 5, "the shipped language model (trained on every Wikipedia file)")
    assert "| 40 | 3 | 7.5 % | 2 | 1 | 95.0 % | 1.00 |" in text and "10 paragraphs of `enwiki-major-15.xml.xz`" in text
    assert "restored with the shipped language model (trained on every Wikipedia file)" in text
    assert "| dual -> two | 30 | 3 |" in text and "x -> y" not in text and "... and 1 more pairs (1 restored at least once in all)." in text


def test_held_out_folds_deal_every_tortured_phrase_once() -> None:
    """Every tortured-phrase pair of the list is in exactly one fold."""
    from scripts.evaluate_held_out import TORTURED, folds, read_pairs

    dealt = folds(5, "tortured")
    pairs = read_pairs(TORTURED, ("tortured", "expected"))
    assert len(pairs) > 4000 and sorted(p for fold in dealt for p in fold) == sorted(pairs)


def test_wiki_paragraphs_are_the_ones_a_tortured_phrase_spins(tmp_path: Path) -> None:
    """Paragraphs of 40-250 words in which the tortured spinner writes a phrase, and only tortured phrases."""
    import lzma

    from scripts.evaluate_held_out import wiki_paragraphs

    filler = " ".join(["The committee met again in the spring and agreed on a further review of its work."] * 4)
    paragraphs = [
        f"Research on artificial intelligence grew quickly. {filler}",  # spun
        "Artificial intelligence is short here.",  # too short
        f"Nothing technical is said in this paragraph. {filler}",  # no phrase to spin
        f"Another paragraph on artificial intelligence and its uses. {filler}",  # spun
    ]
    path = tmp_path / "wiki.xml.xz"
    with lzma.open(path, "wt", encoding="utf-8") as f:
        f.write('<doc id="1" title="T">\nT\n\n' + "\n\n".join(paragraphs) + "\n</doc>\n")
    found = wiki_paragraphs(path, 5)
    assert [p.original for p in found] == [paragraphs[0], paragraphs[3]]
    for p in found:
        assert p.swaps and {s.kind for s in p.swaps} == {"tortured"} and "intelligence" not in p.spun.lower()
    assert len(wiki_paragraphs(path, 1)) == 1


def test_first_words_cuts_every_article(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """--first-words N evaluates headline-sized texts: every article, spun and clean, cut to its first N words."""
    import scripts.benchmarks_md as bm
    from scripts.evaluate import REUTERS, main

    if not (REUTERS / "reut2-020.sgm.xz").exists():
        pytest.skip("shared Reuters corpus not available")
    monkeypatch.setattr(bm, "BENCHMARKS_PATH", tmp_path / "BENCHMARKS.md")
    assert main(["--style", "field", "--docs", "4", "--first-words", "12", "--batch", "4", "--json", "--write-benchmarks"]) == 0
    result = json.loads(capsys.readouterr().out)["results"]["field"]
    assert 4 * 10 <= result["clean_words"] <= 4 * 12 and 4 * 10 <= result["words"] <= 4 * 13
    text = (tmp_path / "BENCHMARKS.md").read_text(encoding="utf-8")
    assert "## Restoration quality: rules engine, 4 articles, first 12 words, batches of 4" in text
    assert "Every article was cut to its first 12 words (spun and clean)." in text


def test_footer_ends_every_article_unspun(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """--footer ends every article, spun and clean, with a line its site adds: the swaps are the article's
    alone, and the footer's words count in the clean text."""
    import scripts.benchmarks_md as bm
    from scripts.evaluate import FOOTERS, REUTERS, main

    if not (REUTERS / "reut2-020.sgm.xz").exists():
        pytest.skip("shared Reuters corpus not available")
    monkeypatch.setattr(bm, "BENCHMARKS_PATH", tmp_path / "BENCHMARKS.md")
    assert main(["--style", "field", "--docs", "4", "--json"]) == 0
    plain = json.loads(capsys.readouterr().out)["results"]["field"]
    assert main(["--style", "field", "--docs", "4", "--footer", "--json", "--write-benchmarks"]) == 0
    footed = json.loads(capsys.readouterr().out)["results"]["field"]
    assert footed["swaps"] == plain["swaps"]
    assert footed["clean_words"] - plain["clean_words"] == sum(len(f.split()) for f in FOOTERS)
    text = (tmp_path / "BENCHMARKS.md").read_text(encoding="utf-8")
    assert "## Restoration quality: rules engine, 4 articles, with a footer" in text and FOOTERS[0] in text


def test_a_footer_under_every_article_teaches_the_batch_nothing() -> None:
    """A site's footer under 50 clean articles sent as one batch is one sentence 12 or 13 times: its places agree
    with each other whatever a spinner did, so they count once when the batch learns its spinner's table (before,
    "newsletter" became "try" in all 13 of its footers)."""
    from scripts.evaluate import FOOTERS, REUTERS, load_reuters
    from service import restore_many

    if not (REUTERS / "reut2-020.sgm.xz").exists():
        pytest.skip("shared Reuters corpus not available")
    docs = [f"{article}\n\n{FOOTERS[k % len(FOOTERS)]}" for k, article in enumerate(load_reuters(50))]
    results = restore_many(docs, engine="rules")
    assert [(e.spun, e.original) for doc, r in zip(docs, results, strict=True) for e in r.edits if e.end > doc.rindex("\n\n")] == []
    assert sum(len(r.edits) for r in results) < 20  # clean articles


def test_evaluate_clean_counts_and_lists_every_edit() -> None:
    """``scripts.evaluate_clean`` counts every edit as false and lists them by source and pair; a spun text among the
    clean ones shows that it counts what the engine changed (the real engine, pooled as a batch)."""
    from scripts.evaluate_clean import false_edits, report

    spun = "A supervision pronounced a infantry would leave a city, and a army pronounced it would follow."
    texts = ["The government said the troops would leave the city.", spun]
    r = false_edits(texts, batch=2)
    assert (r.docs, r.words) == (2, sum(len(t.split()) for t in texts))
    assert ("pronounced", "said", "fingerprint") in {e[:3] for e in r.edits}
    assert all(e[3] >= 0.5 for e in r.edits) and r.flagged == 1
    text = report(r, 5)
    assert f"| 2 | {r.words} | {len(r.edits)} | {r.per_1k:.2f} |" in text
    assert "| pronounced | said | 2 |" in text and "fingerprint" in text


def test_paragraphs_of_other_registers_come_from_readme_news_and_changelog_files(tmp_path: Path) -> None:
    """``--paragraphs-from`` reads README, NEWS and changelog files (plain or gzipped), takes the first paragraphs of
    30-400 words that are mostly letters, each text once, and skips a file it cannot read as UTF-8."""
    import gzip

    from scripts.evaluate_clean import doc_paragraphs, main

    item = "  * Fix a crash when a config file is empty and add a command to export settings as JSON for later use."
    long_item = " ".join([item] * 3)
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "README").write_text(f"Title\n\n{long_item}\n\n{'0.1 ' * 40}\n\n{long_item}\n", encoding="utf-8")
    with gzip.open(tmp_path / "pkg" / "changelog.Debian.gz", "wt", encoding="utf-8") as f:
        f.write(f"{long_item} Thanks.\n")
    (tmp_path / "pkg" / "NEWS").write_bytes(b"\xff\xfe not utf-8 " * 40)
    (tmp_path / "pkg" / "copyright").write_text(long_item, encoding="utf-8")
    texts, files = doc_paragraphs(tmp_path, 10)
    assert sorted(texts) == sorted([long_item, f"{long_item} Thanks.\n"]) and files == 2
    assert doc_paragraphs(tmp_path, 1)[0] in ([long_item], [f"{long_item} Thanks.\n"])
    with pytest.raises(SystemExit):
        main(["--paragraphs-from", str(tmp_path / "empty")])
