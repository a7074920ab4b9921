"""The rules engine on real artefacts: known restorations, loss-free output, edge cases."""

from __future__ import annotations

import gc
import re
import threading
import time
import unicodedata
from html import unescape

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from service import Edit, apply_edits, restore, restore_and_explain, restore_many
from service import engine as engine_module
from service.config import make_config
from service.edits import EDIT_SOURCES
from service.engine import _engine

IRAN_SPUN = (
    "A revisit by a commander of Iran's chosen Quds Force to Baghdad has led to a postponement "
    "in attacks on US infantry"
)
IRAN_ORIGINAL = (
    "A visit by the commander of Iran's elite Quds Force to Baghdad has led to a pause "
    "in attacks on US troops"
)
CLEAN_REUTERS = (
    "Showers continued throughout the week in the Bahia cocoa zone, alleviating the drought since "
    "early January and improving prospects for the coming temporao, although normal humidity levels "
    "have not been restored, Comissaria Smith said in its weekly review."
)


def assert_loss_free(text: str, result) -> None:
    """Outside edit spans the output equals the input, and replaying the edits gives the output."""
    assert apply_edits(text, result.edits) == result.text
    pos = out = 0
    for e in sorted(result.edits, key=lambda e: e.start):
        assert text[pos : e.start] == result.text[out : out + e.start - pos]
        out += e.start - pos + len(e.original)
        pos = e.end
    assert text[pos:] == result.text[out:]


def assert_read_as_clean(text: str) -> None:
    """``text``, restored alone by the rules engine, gets no edit and a spin score under 0.5."""
    result = restore_and_explain(text, engine="rules")
    assert result.edits == [] and result.spin_score < 0.5, (result.spin_score, result.edits)


def assert_no_edit_in(text: str, result, parts: list[str]) -> None:
    """No edit of ``result`` touches any of ``parts`` (each found in ``text``), and the prose around them is restored."""
    assert_loss_free(text, result)
    for part in parts:
        start = text.index(part)
        assert not [e for e in result.edits if e.start < start + len(part) and start < e.end], part
    assert ("infantry", "troops") in [(e.spun, e.original) for e in result.edits]


# -- known restorations -----------------------------------------------------------


def test_iran_sentence_is_restored() -> None:
    result = restore_and_explain(IRAN_SPUN, engine="rules")
    assert result.text == IRAN_ORIGINAL
    assert result.engine == "rules"
    assert_loss_free(IRAN_SPUN, result)
    assert {e.spun for e in result.edits} >= {"revisit", "chosen", "postponement", "infantry"}


def test_edits_carry_spans_confidence_and_source() -> None:
    result = restore_and_explain(IRAN_SPUN, engine="rules")
    for edit in result.edits:
        assert isinstance(edit, Edit)
        assert IRAN_SPUN[edit.start : edit.end] == edit.spun
        assert 0.0 <= edit.confidence <= 1.0
        assert edit.source in EDIT_SOURCES


def test_case_pattern_of_spun_word_is_kept() -> None:
    assert restore("INFANTRY were sent to a border.", engine="rules") == "TROOPS were sent to the border."
    assert restore("Police pronounced a SUPERVISION building was hit.", engine="rules") == (
        "Police said the GOVERNMENT building was hit."
    )


def test_a_few_arrests_stays() -> None:
    text = "Police pronounced a few arrests were made after a protest outside a supervision building."
    result = restore_and_explain(text, engine="rules")
    assert "a few arrests" in result.text
    assert "the government building" in result.text


def test_min_confidence_trades_recall_for_precision() -> None:
    loose = restore_and_explain(IRAN_SPUN, engine="rules", min_confidence=0.0)
    strict = restore_and_explain(IRAN_SPUN, engine="rules", min_confidence=0.999)
    assert len(strict.edits) <= len(loose.edits)
    assert all(e.confidence >= 0.999 for e in strict.edits)


def test_explain_false_gives_no_edits() -> None:
    result = restore_and_explain(IRAN_SPUN, engine="rules", explain=False)
    assert result.edits is None
    assert result.text == restore(IRAN_SPUN, engine="rules")


def test_disable_stage() -> None:
    result = restore_and_explain(IRAN_SPUN, engine="rules", disable=["article"])
    assert all(e.source != "article" for e in result.edits)
    assert "by a commander" in result.text


# -- clean text, odd input ----------------------------------------------------------


def test_clean_reuters_paragraph_gets_no_edits() -> None:
    result = restore_and_explain(CLEAN_REUTERS, engine="rules")
    assert result.edits == []
    assert result.text == CLEAN_REUTERS
    assert result.spin_score < 0.3


def test_spin_score_separates_spun_from_clean() -> None:
    spun = " ".join([IRAN_SPUN + "."] * 3)
    assert restore_and_explain(spun, engine="rules").spin_score > restore_and_explain(CLEAN_REUTERS, engine="rules").spin_score


def test_spin_score_does_not_depend_on_min_confidence() -> None:
    # a lower-case "the" (no sign of the field spinner): the score rests on the content restorations,
    # which count whether or not they are sure enough to be made
    spun = IRAN_SPUN.replace("by a commander", "by the commander") + ", the officials said."
    results = [restore_and_explain(spun, engine="rules", min_confidence=m) for m in (0.5, 0.95, 1.0)]
    assert [len(r.edits) for r in results] == [3, 2, 0]
    assert {r.spin_score for r in results} == {results[0].spin_score}
    assert results[0].spin_score >= 0.5


@pytest.mark.parametrize("text", ["", " ", "\n\n\t  \r\n", "...", "— “ ” ‘ ’ —"])
def test_empty_and_blank_input(text: str) -> None:
    result = restore_and_explain(text, engine="rules")
    assert result.text == text
    assert result.edits == []
    assert 0.0 <= result.spin_score <= 1.0


@pytest.mark.parametrize(
    "text",
    [
        "Der Bundestag hat am Donnerstag ein neues Gesetz beschlossen, das die Mieten begrenzen soll.",
        "Le gouvernement a annoncé une réforme des retraites.",
        "東京都は新しい条例を発表した。",
        "Москва объявила о новых мерах.",
    ],
)
def test_non_english_text_is_left_alone(text: str) -> None:
    assert restore_and_explain(text, engine="rules").edits == []


def test_an_earnings_report_in_newswire_shorthand_is_english() -> None:
    """Until 2026-12-07 "mln", "cts", "mths" and "qtr" counted as foreign words, and a report written in them fell
    below the English share (0.66 here): 20 of the 200 field-spun dev articles got no edit at all."""
    text = (
        "Qtr ended Sept 30\n    Shr loss 18 cts vs loss 56 cts\n    Net loss 1.2 mln vs loss 3.4 mln\n"
        "    Revs 26.4 mln vs 27.1 mln\n    9 mths\n    Shr loss 40 cts vs loss 80 cts\n"
        "    Net loss 2.6 mln vs loss 4.9 mln\n"
        "    NOTE: A company pronounced 9 mths net includes a loss of 2 mln dlrs on a sale of its unit.\n"
    )
    result = restore_and_explain(text, engine="rules")
    assert_loss_free(text, result)
    made = {(e.spun, e.original) for e in result.edits}
    assert {("9", "Nine"), ("pronounced", "said"), ("9", "nine"), ("2", "two")} <= made


@pytest.mark.parametrize(
    ("text", "quote"),
    [
        (
            "Officials pronounced a infantry left a city. The minister said: « Il y a une semaine, la situation a "
            "changé et il a dit non. » A supervision orator pronounced on Monday.",
            "Il y a une semaine, la situation a changé et il a dit non.",
        ),
        (
            "A supervision orator pronounced: \"Vamos a ganar, y el pueblo va a votar por nosotros en las elecciones.\" "
            "Officials pronounced a infantry left a city.",
            "Vamos a ganar, y el pueblo va a votar por nosotros en las elecciones.",
        ),
    ],
)
def test_a_quote_in_another_language_is_left_alone(text: str, quote: str) -> None:
    """Until 2026-12-06 the English article's evidence reached its French quote: "il y a" became "il y the" (0.66),
    "la situation a changé" "la situation the changé" (0.89); and "va a votar" "va the votar". Now words that common
    foreign words surround are not restored (service/data/foreign_words_v1.txt), and the English around them is."""
    assert_no_edit_in(text, restore_and_explain(text, engine="rules"), [quote])


def test_the_models_words_leave_a_foreign_quote_alone_too() -> None:
    """The model engine's hook (``propose``) adds arcs of its own: at a spared position they are dropped as well."""
    from service.candidates import Arc
    from service.config import make_config

    text = "The minister said: « Il y a une semaine, la situation a changé et il a dit non. » A infantry left a city."
    quote = "Il y a une semaine, la situation a changé et il a dit non."

    def propose(texts: list[str], tokens: list[list], forms: list[list[str]]) -> list[list[Arc]]:  # "the" for every "a"
        return [[Arc(i, i + 1, ("the",), 0.5, "model", 1.0) for i, f in enumerate(fs) if f == "a"] for fs in forms]

    engine = engine_module._engine("rules")
    (result,) = engine.restore_many([text], make_config(None, engine="rules", min_confidence=0.0), propose=propose)
    assert_loss_free(text, result)
    start = text.index(quote)
    assert not [e for e in result.edits if e.start < start + len(quote) and start < e.end]
    assert [e.original for e in result.edits if e.start > start + len(quote) and e.spun == "a"] == ["the"]


def test_the_models_words_restore_no_spelling_and_no_figure() -> None:
    """The model engine's arcs obey ``candidates.no_restoration`` like the dictionary's: until 2026-12-07 they were
    not filtered, so a model proposing "sulfur" for "sulphur" or "million" for "billion" would have been heard."""
    from service.candidates import Arc
    from service.config import make_config

    text = "Sulphur output rose to 1.2 billion tonnes, a infantry pronounced."
    swaps = {"Sulphur": "sulfur", "billion": "million", "infantry": "troops"}

    def propose(texts: list[str], tokens: list[list], forms: list[list[str]]) -> list[list[Arc]]:
        return [[Arc(i, i + 1, (swaps[f],), 0.0, "model", 1.0) for i, f in enumerate(fs) if f in swaps] for fs in forms]

    engine = engine_module._engine("rules")
    (result,) = engine.restore_many([text], make_config(None, engine="rules", min_confidence=0.0), propose=propose)
    assert_loss_free(text, result)
    changed = {e.spun for e in result.edits}
    assert "infantry" in changed and not changed & {"Sulphur", "billion"}


def test_names_of_foreign_origin_do_not_stop_restoration() -> None:
    """A capitalised foreign word counts only where a sentence or a quote opens with it: with every one counted, the
    200 field-spun dev articles lost "the Punta del Este takeout" and "the Banco de Lima"."""
    text = "A Los Angeles Times reporter pronounced a Des Moines firm and a Las Vegas casino left a city."
    assert restore(text, engine="rules") == "A Los Angeles Times reporter said the Des Moines firm and the Las Vegas casino left the city."
    text = "We will consider a relation to a Punta del Este takeout, and a stock of a Banco de Lima unit."
    assert restore(text, engine="rules").count("the Punta del Este") == 1


def test_the_foreign_word_list_is_what_its_script_builds() -> None:
    from scripts.build_foreign_words import OUT, foreign_words

    lines = OUT.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# unspin foreign words v1") and lines[1:] == foreign_words()


def test_markup_and_line_breaks_survive() -> None:
    text = "<p>A <b>infantry</b> pronounced:\r\n\r\n  “We will stay.”</p>\n"
    result = restore_and_explain(text, engine="rules", min_confidence=0.0)
    assert_loss_free(text, result)
    assert result.text.startswith("<p>A <b>")
    assert result.text.endswith("“We will stay.”</p>\n")


@pytest.mark.parametrize(
    ("html", "plain", "swap"),
    [
        (  # inline tags around the spun words
            "<p>The supervision pronounced on Tuesday that <b>a infantry</b> would leave.</p>",
            "The supervision pronounced on Tuesday that a infantry would leave.",
            ("infantry", "troops"),
        ),
        (  # a link, a non-breaking space, a comment
            '<p>Officials pronounced <a href="https://example.com/a">a infantry</a> had left&nbsp;a city.<!-- x --></p>',
            "Officials pronounced a infantry had left a city.",
            ("infantry", "troops"),
        ),
        (  # a block tag ends a sentence without a full stop (a heading); the first word of a block is sentence-initial
            "<h1>Infantry leave</h1><p>Supervision pronounced a army left.</p>",
            "Infantry leave\n\nSupervision pronounced a army left.",
            ("Supervision", "Government"),
        ),
        (  # apostrophes and quotes as WordPress writes them (until 2026-12-06 "wouldn&#8217;t" was three tokens)
            "&#8220;A supervision&#8217;s spokesman pronounced a infantry wouldn&#8217;t leave,&#8221; he said.",
            "“A supervision’s spokesman pronounced a infantry wouldn’t leave,” he said.",
            ("infantry", "troops"),
        ),
    ],
)
def test_markup_is_transparent_to_restoration(html: str, plain: str, swap: tuple[str, str]) -> None:
    """Markup is left out of the sentences the engine reads, so it restores what the plain text restores (until
    2026-12-06 a tag was a token: "that <b> a infantry" kept "infantry", and a block's first word counted as a name)."""
    result = restore_and_explain(html, engine="rules")
    assert_loss_free(html, result)
    expected = restore_and_explain(plain, engine="rules")
    assert [(e.spun, e.original) for e in result.edits] == [(e.spun, e.original) for e in expected.edits]
    assert swap in [(e.spun, e.original) for e in result.edits]
    assert re.findall(r"<[^>]*>|&#?\w+;", result.text) == re.findall(r"<[^>]*>|&#?\w+;", html)


@pytest.mark.parametrize(
    "markdown",
    [
        "Officials pronounced that **a infantry** had left a city.",
        "* Officials pronounced that a infantry had left a city.\n* A supervision pronounced *a* army left.",
        "Officials pronounced that [a infantry](https://example.com/story) had left a city.",
    ],
)
def test_markdown_is_transparent_to_restoration(markdown: str) -> None:
    """Markdown's emphasis, bullets and links are left out of the sentences like tags (until 2026-12-07 an asterisk
    or a link's brackets were words of the language model's context: "that * * the infantry * * had" kept "infantry",
    "* a army" kept "a")."""
    result = restore_and_explain(markdown, engine="rules")
    assert_loss_free(markdown, result)
    plain = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", re.sub(r"(?m)^\* ", "", markdown)).replace("*", "")
    expected = restore_and_explain(plain, engine="rules")
    assert [(e.spun, e.original) for e in result.edits] == [(e.spun, e.original) for e in expected.edits]
    assert ("infantry", "troops") in [(e.spun, e.original) for e in result.edits]
    assert re.findall(r"[*\[\]]|\(http[^)]*\)", result.text) == re.findall(r"[*\[\]]|\(http[^)]*\)", markdown)


def test_a_phrase_restored_word_for_word_keeps_its_line_break() -> None:
    """Hard-wrapped text keeps its lines: until 2026-12-07 "during\na" became "at the" on one line."""
    text = "Officials pronounced a infantry would stay during\na winter months."
    result = restore_and_explain(text, engine="rules")
    assert_loss_free(text, result)
    assert ("during\na", "at\nthe") in [(e.spun, e.original) for e in result.edits]
    assert result.text.count("\n") == 1


def test_no_edit_touches_a_url_an_address_a_handle_a_path_or_code() -> None:
    """Until 2026-12-06 the words of a URL, a path, a handle or Markdown code were read as prose: "…/a/infantry/pronounced"
    became "…/a/infantry/said", "C:\\a\\…" became "C:\\the\\…", "@a_infantry" became "@the_troops"."""
    literals = [
        "https://example.com/a/infantry/pronounced",
        "www.a-supervision.org/a/infantry",
        "a.infantry@example.com",
        "@a_infantry",
        "#a_supervision",
        "C:\\a\\infantry\\pronounced.doc",
        "/srv/a/infantry/pronounced",
        "`a infantry pronounced`",
    ]
    text = "".join(f"A supervision orator pronounced a infantry left {lit} on Monday.\n" for lit in literals)
    assert_no_edit_in(text, restore_and_explain(text, engine="rules", min_confidence=0.0), literals)


@pytest.mark.parametrize("mark", ["\u00ad", "&shy;"])
def test_a_word_with_a_soft_hyphen_is_restored_as_the_word(mark: str) -> None:
    """Until 2026-12-06 a soft hyphen (a CMS's hyphenation point) cut "infan&shy;try" in three, and it stayed."""
    text = f"Officials pronounced on Monday that a infan{mark}try had left a\u200bcity."
    result = restore_and_explain(text, engine="rules")
    assert_loss_free(text, result)
    assert (f"infan{mark}try", "troops") in [(e.spun, e.original) for e in result.edits]
    assert result.text == "Officials said on Monday that the troops had left the\u200bcity."


def test_decomposed_letters_and_letter_entities_are_read_as_their_word() -> None:
    """Until 2026-12-06 a combining mark (NFD text: "cafe" + U+0301) cut its word in two, so "a café" read as "a cafe"
    and an accent, and an edit of "cafe" would have left the accent on its replacement; an entity ("caf&eacute;")
    cut it likewise."""
    composed = "A supervision pronounced dual infantry were hurt in a café on Monday, a naïve attack."
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed
    want = restore_and_explain(composed, engine="rules")
    got = restore_and_explain(decomposed, engine="rules")
    assert_loss_free(decomposed, got)
    assert unicodedata.normalize("NFC", got.text) == want.text
    assert [(e.original, round(e.confidence, 6)) for e in got.edits] == [(e.original, round(e.confidence, 6)) for e in want.edits]
    assert "the café" in want.text  # the article before the accented word is restored in both
    as_entities = composed.replace("é", "&eacute;").replace("ï", "&#239;")
    got = restore_and_explain(as_entities, engine="rules")
    assert_loss_free(as_entities, got)
    assert unescape(got.text) == want.text
    assert [(e.original, round(e.confidence, 6)) for e in got.edits] == [(e.original, round(e.confidence, 6)) for e in want.edits]


def test_format_characters_change_no_restoration() -> None:
    plain = "Officials pronounced that a infantry left Baghdad on Monday, a orator pronounced."
    marked = plain.replace("Baghdad", "\u2066Baghdad\u2069").replace("a infantry", "a\u200e infantry")
    want, got = restore_and_explain(plain, engine="rules"), restore_and_explain(marked, engine="rules")
    assert_loss_free(marked, got)
    assert [(e.spun, e.original, e.confidence) for e in got.edits] == [(e.spun, e.original, e.confidence) for e in want.edits]
    assert got.text.replace("\u2066", "").replace("\u2069", "").replace("\u200e", "") == want.text


def test_no_edit_touches_a_long_tag_a_script_a_style_code_or_a_shortcode() -> None:
    """Until 2026-12-06 a tag of over 500 characters was read as words ("a infantry pronounced" in its alt text became
    "the troops said"), and so was the content of a script, a style or HTML code, and a WordPress shortcode."""
    protected = [
        '<img alt="a infantry pronounced" src="data:image/png;base64,' + "QUJD" * 200 + '">',
        '<script>var s = "a infantry pronounced"; if (a < b) { s = "a supervision"; }</script>',
        "<style>p.a-infantry { color: red } /* a supervision */</style>",
        "<code>a infantry pronounced</code>",
        '[gallery ids="1,2,3" size="large"]',  # "size" became "width" (0.87)
        "[embed]https://youtube.com/watch?v=a[/embed]",  # "embed" became "found"
    ]
    html = "".join(f"<p>Officials pronounced a infantry left {p} on Monday.</p>\n" for p in protected)
    assert_no_edit_in(html, restore_and_explain(html, engine="rules", min_confidence=0.0), protected)


def test_a_phrase_across_markup_is_cut_at_the_markup_or_not_made() -> None:
    """No edit spans markup: a word-for-word phrase becomes one edit a word, another one is cut at the markup, its
    words dealt to the runs of tokens between it ("acknowledgement <i>of characters</i>" -> "character
    <i>recognition</i>"; until 2026-12-07 it was not made), and one with fewer words than runs is not made."""
    plain = "The network was trained with counterfeit consciousness methods."
    assert [e.original for e in restore_and_explain(plain, engine="rules").edits] == ["artificial intelligence"]
    html = "The network was trained with counterfeit <em>consciousness</em> methods."
    result = restore_and_explain(html, engine="rules")
    assert_loss_free(html, result)
    assert result.text == "The network was trained with artificial <em>intelligence</em> methods."
    assert [(e.spun, e.original, e.source) for e in result.edits] == [
        ("counterfeit", "artificial", "tortured_phrase"),
        ("consciousness", "intelligence", "tortured_phrase"),
    ]
    plain = "The authors describe the acknowledgement of characters in this paper."
    assert [e.original for e in restore_and_explain(plain, engine="rules").edits] == ["character recognition"]
    html = "The authors describe the acknowledgement <i>of characters</i> in this paper."
    result = restore_and_explain(html, engine="rules")
    assert_loss_free(html, result)
    assert result.text == "The authors describe the character <i>recognition</i> in this paper."
    assert [(e.spun, e.original) for e in result.edits] == [("acknowledgement", "character"), ("of characters", "recognition")]
    plain = "We used the ancient rarities in this study."
    assert [e.original for e in restore_and_explain(plain, engine="rules").edits] == ["artifacts"]
    html = "We used the ancient <i>rarities</i> in this study."
    result = restore_and_explain(html, engine="rules", min_confidence=0.0)
    assert_loss_free(html, result)
    assert all("<" not in e.spun and e.original != "artifacts" for e in result.edits)
    assert re.findall(r"<[^>]*>", result.text) == ["<i>", "</i>"]


def test_batch_is_in_order_and_pools() -> None:
    texts = [IRAN_SPUN, CLEAN_REUTERS, ""]
    results = restore_many(texts, engine="rules")
    assert [r.text for r in results][1:] == [CLEAN_REUTERS, ""]
    for text, result in zip(texts, results, strict=True):
        assert_loss_free(text, result)


def test_non_string_input_raises_type_error() -> None:
    with pytest.raises(TypeError, match="U010"):
        restore_many([b"bytes"], engine="rules")  # type: ignore[list-item]


def test_lone_surrogate_raises_value_error_that_says_where() -> None:
    # json.loads("\"\\ud800\"") and errors="surrogateescape" make such strings; kenlm cannot encode them
    with pytest.raises(ValueError, match=r"U012.*U\+D800\) at character 3"):
        restore_many(["ab \ud800 cd"], engine="rules")


def test_long_input_runs_in_linear_time() -> None:
    paragraph = (IRAN_SPUN + ". " + CLEAN_REUTERS + "\n\n")
    words = len(paragraph.split())
    small = paragraph * max(1, 2_000 // words)
    big = paragraph * (200_000 // words + 1)
    t0 = time.perf_counter()
    restore_and_explain(small, engine="rules")
    t_small = time.perf_counter() - t0
    t0 = time.perf_counter()
    result = restore_and_explain(big, engine="rules")
    t_big = time.perf_counter() - t0
    assert len(big.split()) >= 200_000
    assert_loss_free(big, result)
    # 100x the words may take at most ~3x the per-word time of the small run (no quadratic blow-up).
    assert t_big / t_small < 300


def test_a_refused_gap_filler_word_does_not_steer_its_neighbours() -> None:
    """Pass 2 decodes a sentence again without the gap-filler words the verifier refuses on its best path. Here
    "which" for "equity" (refused) had made the path keep "collateral" and "a" (until 2026-12-06: no edit)."""
    text = (
        "The round condition in cash will be reduced to 50 pct from 70 pct while a round collateral condition in "
        "equity will show to 70 pct from 60 pct, moving on Wednesday."
    )
    result = restore_and_explain(text, engine="rules")
    assert_loss_free(text, result)
    assert [(e.spun, e.original, e.source) for e in result.edits] == [("a", "the", "article")]


@pytest.mark.parametrize(
    "line",
    [
        # arcs at nearly every word: one long stretch of the lattice, searched at once (until 2026-12-06 each
        # hypothesis copied the arcs it had taken: 27,200 such words took 40 s, 200 times the time of 1,700)
        "a supervision pronounced dual infantry were hurt in a attack on a city and some-more army arrived ",
        # arcs here and there: thousands of short stretches (until 2026-12-06 each allocated a beam as long as the
        # sentence: 27,200 such words took 14 s, 72 times the time of 1,700)
        "officials pronounced a infantry had left the city and the people of the region were calm yesterday ",
    ],
)
def test_one_long_sentence_runs_in_linear_time(line: str) -> None:
    """Text without a full stop is one sentence: its time must still grow with its length, not its square."""
    times, results = [], []
    for n in (100, 1_600):
        text = line * n
        t0 = time.perf_counter()
        results.append(restore_and_explain(text, engine="rules"))
        times.append(time.perf_counter() - t0)
        assert_loss_free(text, results[-1])
    assert all(r.edits for r in results)
    assert times[1] / times[0] < 16 * 3  # 16x the words, at most ~3x the time per word


# -- the loss-free property -----------------------------------------------------------

_ALPHABET = st.sampled_from(
    list("aaaeeetns ") + ["a ", "the ", "infantry ", "pronounced ", "A ", "\n", "\t", "  ", ",", ".", "’", "“", "”", "'s", "<b>", "é", "中", "2 ", "&#8217;", "&quot;", "&amp;", "<!--", "-->", "https://", "/", "@", "#", "_", "`", ".com", "\u00ad", "&shy;", "\u200b", "<script>", "</script>", '<a title="', "'", ">", "[", "]", "[/", '="x"', "\u0301", "\u2011", "&eacute;", "&#252;", "\u200e", "\u2066",
     # line and page breaks of every kind, a NUL, emoji sequences, right-to-left script, ligatures, case-folding
     # letters, upper-case text, Markdown fences and links (46,000 calls on noisy Reuters text found no loss, 2026-12-07)
     "\r\n", "\r", "\u2028", "\x0c", "\x00", "\U0001F600", "\U0001F469\u200d\U0001F467", "\U0001F1EC\U0001F1E7",
     "\u0627\u0644\u0639\u0631\u0628\u064a\u0629 ", "\ufb01", "\u0130", "\u00df", "THE ", "INFANTRY ", "```\n",
     "[a](http://x.org/the) "]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_ALPHABET, max_size=60).map("".join))
@example(text="aaA a'sa\u0301's")  # found by hypothesis: an edit of "a'sa" left its accent behind
def test_output_differs_from_input_only_at_edits(text: str) -> None:
    result = restore_and_explain(text, engine="rules", min_confidence=0.0)
    assert_loss_free(text, result)
    for e in result.edits:
        assert e.source in EDIT_SOURCES
        assert not unicodedata.combining(text[e.end : e.end + 1] or " "), "an edit left a combining mark behind"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_ALPHABET, max_size=60).map("".join))
def test_a_spinner_table_keeps_the_output_loss_free(text: str) -> None:
    table = {"infantry": "troops", "pronounced": "said", "tea": "coffee", "s": "is"}
    assert_loss_free(text, restore_and_explain(text, engine="rules", min_confidence=0.0, spinner_table=table))


# -- pooling over a batch (the spinner's table learnt from the text) ------------------

PLENTY_BATCH = [
    "Plenty prices fell sharply in Tokyo on Monday.",
    "Dealers said plenty prices would recover.",
    "The plenty market closed lower.",
    "Investors sold plenty after a report.",
    "Plenty exchanges in Asia were closed.",
    # the spinner left "stock" alone here, as it does at some places of every word it swaps
    "Stock prices rose in London on Tuesday.",
    "Brokers said the stock market would open higher.",
]


def test_batch_pooling_learns_a_swap_no_dictionary_lists() -> None:
    # "stock" -> "plenty" is in no thesaurus; alone, the sentence is not conclusive ...
    alone = restore_and_explain(PLENTY_BATCH[2], engine="rules")
    assert alone.text == PLENTY_BATCH[2]
    # ... but in the batch "plenty" stands where "stock" does, and the language model
    # prefers "stock" wherever "plenty" occurs.
    results = restore_many(PLENTY_BATCH, engine="rules")
    learnt = [e for r in results for e in r.edits if e.source == "document"]
    assert {(e.spun.lower(), e.original.lower()) for e in learnt} == {("plenty", "stock")}
    # (since 2026-12-06 "The plenty market closed lower." gets it at 0.496, just under the default 0.5: it was 0.572
    # judged beside "is" for "closed", a gap-filler word the verifier refused (0.04), which the path no longer holds)
    assert results[4].text == "Stock exchanges in Asia were closed."
    for text, result in zip(PLENTY_BATCH, results, strict=True):
        assert_loss_free(text, result)


def test_pooling_can_be_switched_off() -> None:
    results = restore_many(PLENTY_BATCH, engine="rules", pool_document=False)
    assert all(e.source != "document" for r in results for e in r.edits)


def test_abbreviations_are_not_expanded() -> None:
    text = "Output rose 7.3 pct to 2.18 mln tonnes, the ministry said."
    assert restore_and_explain(text, engine="rules", min_confidence=0.0).text == text


def test_lone_digits_of_a_field_spun_text_are_written_out() -> None:
    """The field spinner writes number words as digits; prose spells one to nine out, while digits stay
    in decimals, dates and ranges. The language model alone prefers "9 mln" (Wikipedia's "$9 million")."""
    spun = (
        "A company pronounced it lost 9 mln dlrs in a first quarter and expects a loss of 2.5 mln dlrs "
        "in a second, while a supervision pronounced 3 banks would close on April 9."
    )
    result = restore_and_explain(spun, engine="rules")
    assert_loss_free(spun, result)
    assert "lost nine mln dlrs" in result.text and "three banks" in result.text
    assert "2.5 mln" in result.text and "April 9." in result.text
    assert {e.source for e in result.edits if e.spun in ("9", "3")} == {"number"}


@pytest.mark.parametrize(
    "text",
    [
        "Norway's central bank special drawing right holdings were 3.16 billion crowns, compared with 3.06 billion.",
        "Revenues of financial institutions are forecast to rise 4.2 pct to 1.73 billion dinars in 1987/88.",
        "Asahan reported total losses of 97.6 billion rupiah between 1982 and 1985.",
    ],
)
def test_a_figure_is_never_rescaled(text: str) -> None:
    """Clean Reuters sentences: until 2026-12-07 their "billion" became "million" (0.66, 0.69) or "trillion" (0.62),
    thesaurus sister terms; no word of quantity is proposed for another now (``candidates.QUANTITY_WORDS``)."""
    assert restore_and_explain(text, engine="rules").edits == []


def test_a_british_spelling_is_no_spun_word() -> None:
    """A clean Reuters article (reut2-018): until 2026-12-07 both its "privatisation" became "privatization" (0.62,
    0.57), the thesauri's synonym; the same word in another spelling restores nothing (``candidates.same_word``)."""
    text = (
        "The French government's privatisation\nprogram, which began late last year, has earned the French\nState about "
        "52 billion francs to date, the Finance Ministry\nsaid.\n    Sources close to Finance Minister Edouard Balladur "
        "said the\nrevenues raised from the privatisation program would be used in\npriority to pay off public debt, "
        "which stood at 398.2 billion\nat the end of 1986.\n"
    )
    assert restore_and_explain(text, engine="rules").edits == []


@pytest.mark.parametrize(
    "text",
    [
        (  # reut2-018, a clean article: "Sulphur" became "Sulfur" (0.66) until 2026-12-07
            "The country's other five, smaller refineries -- owned by\nanother state-owned oil organisation, Petromin -- "
            "produced\naround 750,000 bpd last year.\n\n    Sulphur production rose to 1.23 mln tonnes in 1986 from\n"
            "998,707 tonnes in 1985. During the year the company began\noperating a sulphur granule plant with capacity "
            "of 4,000 tonnes\nper day, the report said.\n"
        ),
        "The company makes tyres and aluminium wheels, and its jewellery unit had a record year.",  # "aluminum" 0.38
    ],
)
def test_a_british_word_of_its_own_is_no_spun_word(text: str) -> None:
    """Words whose British spelling no pattern rewrites ("sulphur", "aluminium", "tyre", "fulfilment", "learnt") are
    listed one by one (``candidates._SPELLING_RULES``); the thesauri give the American spelling first for most."""
    assert restore_and_explain(text, engine="rules", min_confidence=0.3).edits == []


def test_a_batch_learns_no_spelling_of_a_word_for_another() -> None:
    """Eight Reuters articles (reut2-000 to 019), four with "stabilise" and four with "stabilize": the two share their
    contexts, so until 2026-12-07 the batch's cipher learnt "stabilise" -> "stabilize" (and ``unspin learn`` would have
    kept it); the same word in another spelling is no restoration there either."""
    from scripts.evaluate import REUTERS, load_reuters
    from service.candidates import same_word

    if not (REUTERS / "reut2-000.sgm.xz").exists():
        pytest.skip("shared Reuters corpus not available")
    articles = load_reuters(3000, files=tuple(f"reut2-{i:03d}.sgm.xz" for i in range(20)))
    batch: list[str] = []
    for spelling in ("stabilise", "stabilize"):
        batch += [a for a in articles if re.search(rf"\b{spelling}\b", a)][:4]
    assert len(batch) == 8
    engine = _engine("rules")
    _, evidence = engine.decide(batch, make_config(None, engine="rules"), verifier=engine.verifier)
    assert [(spun, learnt) for spun, learnt in evidence[0].table.items() if any(same_word(spun, o) for o in learnt)] == []


TRIGGER_DATE = (  # reut2-018: a clean article with three "trigger", a field fingerprint's spun form
    "Illinois Governor James Thompson will\nlikely sign a bill setting December 1, 1990, as the trigger\ndate opening "
    "the state to wider interstate banking, a\ngubernatorial spokesman said.\n    The bill passed both chambers of the "
    "Illinois legislature\nthis week by wide margins.\n    The bill provides that Illinois banks and bank holding\n"
    "companies can be acquired by similar institutions from any\nstate with a reciprocal law. Current Illinois law "
    "limits\ninterstate banking to six Midwestern states.\n    The governor had supported a July 1, 1988, date for "
    "full\ninterstate banking. Large banking firms, particularly Citicorp\n<CCI>, have lobbied for the earlier date.\n"
    "    But legislation with the later date was approved in the\nstate's house and senate. The governor has the "
    "authority to use\nan amendatory veto and pencil in an earlier trigger date.\n    \"I'm sure the bill will get his "
    "approval,\" the spokesman\nsaid. \"The only question is whether he will use his authority\nto change the trigger "
    "date. He will hear from people who want\nthe different dates. I don't think he'll take action before\nlate "
    "summer.\""
)


def test_a_field_fingerprint_in_a_text_the_field_spinner_did_not_write_is_a_thesaurus_pair() -> None:
    """The fingerprints are the field spinner's table. Until 2026-12-07 the verifier trusted them in any text: this
    clean article lost its three "trigger" to "launch" (0.94-0.98). With a lower-case "the" and little else changed, a
    fingerprint is judged as a thesaurus pair; the issue's example with a "the" in it keeps its restorations."""
    result = restore_and_explain(TRIGGER_DATE, engine="rules")
    assert [e for e in result.edits if e.spun == "trigger"] == []
    spun = IRAN_SPUN.replace("by a commander", "by the commander")
    assert ("revisit", "visit") in {(e.spun, e.original) for e in restore_and_explain(spun, engine="rules").edits}


def test_a_clean_article_takes_no_swap_from_its_own_table() -> None:
    """A clean Reuters article (reut2-018) with "spot gas" at 9 places and "natural gas" at others: the batch's cipher
    learns "spot" -> "natural" from it (the two share their contexts), and until 2026-12-07 the agreement of its places
    raised all 9 to 0.9. A document with a lower-case "the" and little else changed takes the caller's swaps only."""
    from scripts.evaluate import REUTERS, load_reuters

    if not (REUTERS / "reut2-018.sgm.xz").exists():
        pytest.skip("shared Reuters corpus not available")
    (article,) = [a for a in load_reuters(1000, files=("reut2-018.sgm.xz",)) if a.startswith("Brooklyn Union Gas Co, a New York")]
    assert article.count("spot gas") >= 5
    assert [(e.spun, e.original) for e in restore_and_explain(article, engine="rules").edits if e.spun == "spot"] == []
    # the caller's own table still applies there
    table_cfg = restore_and_explain(article, engine="rules", spinner_table={"spot": "natural"})
    assert {(e.spun, e.original) for e in table_cfg.edits} >= {("spot", "natural")}


def test_a_number_written_out_at_the_start_of_a_sentence_takes_a_capital() -> None:
    """A digit has no case for the number word to take: until 2026-12-07 "Shares rose. 9 people died" came back as
    "Shares rose. nine people died"."""
    spun = "Shares rose. 9 people died in a crash, a police pronounced. “3 men left,” he pronounced. It left 4 cars."
    result = restore_and_explain(spun, engine="rules")
    assert_loss_free(spun, result)
    numbers = [(e.spun, e.original) for e in result.edits if e.source == "number"]
    assert numbers == [("9", "Nine"), ("3", "Three"), ("4", "four")]


def test_a_digit_after_a_year_is_written_out() -> None:
    """Reuters writes a number after a year as a word ("1987 nine mths": 63 times in its 22 files, never a digit); the
    field spinner writes the digit. Until 2026-12-07 a year before the digit kept it from counting as a lone digit."""
    spun = "A company pronounced its 1987 9 mths net includes a gain of 3 mln dlrs from a sale of a unit."
    result = restore_and_explain(spun, engine="rules")
    assert_loss_free(spun, result)
    assert [(e.spun, e.original) for e in result.edits if e.source == "number"] == [("9", "nine"), ("3", "three")]
    assert [e for e in restore_and_explain("The company said its 1987 9.5 mln dlr loss was cut.", engine="rules").edits] == []


# Three field-spun articles and their originals: a batch that says what a text without evidence of its own is.
BATCH_SPUN = [
    "Officials pronounced on Monday that a infantry had left a city.",
    "A supervision pronounced a army would send some-more infantry to a border.",
    "A company pronounced a net profit rose 12 pct in a quarter.",
]
BATCH_CLEAN = [
    "Officials said on Monday that the troops had left the city.",
    "The government said the army would send more troops to the border.",
    "The company said its net profit rose 12 pct in the quarter.",
]


def test_a_text_without_articles_takes_its_batchs_field_evidence() -> None:
    """A headline has no "a" or "the" to tell whether the field spinner wrote it; in a batch, the other
    documents tell: among field-spun articles its lone digit is written out, among clean ones it is not."""
    headline = "Officials pronounced on Monday that 3 ships had left."
    spun, clean = BATCH_SPUN, BATCH_CLEAN
    kept, written_out = "Officials said on Monday that 3 ships had left.", "Officials said on Monday that three ships had left."
    assert restore_and_explain(headline, engine="rules").text == kept
    among_spun = restore_many([headline, *spun], engine="rules")[0]
    assert among_spun.text == written_out
    assert_loss_free(headline, among_spun)
    assert restore_many([headline, *clean], engine="rules")[0].text == kept
    assert restore_many([headline, *spun[:2]], engine="rules")[0].text == kept  # too few documents to tell
    assert restore_many([headline, *spun], engine="rules", pool_document=False)[0].text == kept
    french = [  # their "a" is a verb: no evidence of the field spinner
        "Le gouvernement a dit lundi que le navire a quitté le port et il a plu toute la journée.",
        "Il a vendu sa maison et elle a acheté une voiture, a-t-il dit à la presse locale.",
        "La société a annoncé un bénéfice net qui a augmenté de 12 pour cent au trimestre.",
    ]
    assert restore_many([headline, *french], engine="rules")[0].text == kept
    # its spin score reads its own evidence: nothing in "met ... to discuss 3 ships" looks spun, wherever it is sent
    quiet = "Officials met on Monday to discuss 3 ships."
    assert restore_and_explain(quiet, engine="rules").spin_score == restore_many([quiet, *spun], engine="rules")[0].spin_score == 0.0


def test_a_table_under_a_sites_footer_takes_its_batchs_field_evidence() -> None:
    """An earnings table has no "a" to tell whether the field spinner wrote it, and a site's footer adds a
    lower-case "the". Until 2026-12-07 the footer made it a clean text, whatever its batch; now, where the rest holds
    no "a" either, the batch tells, as for a headline: among field-spun articles its numbers are written out, among
    clean ones they are not. Alone, its lone digits tell (since 2026-12-07, thirteenth session; no edit before)."""
    table = (
        "Shr welfare 4 cts vs loss 56 cts\n    Net welfare 2,043,000 vs loss 25.7 mln\n    Revs 111.3 mln vs 64.7 mln\n"
        "    Avg shrs 48.3 mln vs 45.8 mln\n    9 mths\n    Shr loss 18 cts vs loss 63 cts\n"
        "    Net loss 8,695,000 vs loss 28.4 mln\n    Revs 308.4 mln vs 228.4 mln\n    Avg shrs 48.0 mln vs 44.8 mln\n"
        "\nRead the full story on our website.\n"
    )
    spun, clean = BATCH_SPUN, BATCH_CLEAN
    among_spun = restore_many([table, *spun], engine="rules")[0]
    assert_loss_free(table, among_spun)
    assert [(e.spun, e.original) for e in among_spun.edits] == [("4", "four"), ("9", "Nine")]  # as Reuters writes them
    assert restore_many([table, *clean], engine="rules")[0].edits == []
    alone = restore_and_explain(table, engine="rules")
    assert [(e.spun, e.original) for e in alone.edits] == [("4", "four"), ("9", "Nine")]


def test_an_earnings_tables_lone_digits_say_whether_the_field_spinner_wrote_it() -> None:
    """A table has no "a" or "the" to tell, but prose spells one to nine out and the field spinner writes digits: a
    lone digit says spun, a number word says clean (``candidates.number_log_lr``). Until 2026-12-07 (thirteenth
    session) a table alone got no edit: 25 of the 38 number swaps the 200 field-spun dev articles kept. Its clean twin
    keeps its words, and a headline, which writes digits, is too short to tell. The spin score reads the same
    evidence (it was 0 for any table)."""
    lines = "Net 12.1 mln vs 11.7 mln\n    Revs 98.7 mln vs 87.5 mln\n    Avg shrs 8.6 mln vs 8.1 mln\n"
    spun = f"Qtr ended Sept 30\n    Shr 4 cts vs 56 cts\n    {lines}    9 mths\n    Shr 1.40 dlrs vs 1.76 dlrs\n    {lines}"
    result = restore_and_explain(spun, engine="rules")
    assert_loss_free(spun, result)
    assert [(e.spun, e.original) for e in result.edits] == [("4", "four"), ("9", "Nine")]
    clean = spun.replace("4 cts", "four cts").replace("9 mths", "Nine mths")
    clean_result = restore_and_explain(clean, engine="rules")
    assert clean_result.edits == [] and clean_result.spin_score < 0.01 < 0.5 < result.spin_score
    headline = restore_and_explain("9 killed as storm hits coast near 3 towns", engine="rules")
    assert headline.edits == [] and headline.spin_score == 0.0


def test_a_short_texts_numbers_tell_along_with_its_a() -> None:
    """Prose spells one to nine out: in a teaser with a lower-case "a" (a headline has none, and writes digits) its
    number words say clean, its lone digits spun (since 2026-12-07, thirteenth session; this clean one scored 0.83
    and "a hospital" became "the hospital" before), and its field-spun twin is restored."""
    clean = "A fire in a warehouse killed three workers on Monday, and four others were taken to a hospital, officials in Ohio said."
    spun = "A fire in a warehouse killed 3 workers on Monday, and 4 others were taken to a hospital, officials in Ohio pronounced."
    clean_result, spun_result = restore_and_explain(clean, engine="rules"), restore_and_explain(spun, engine="rules")
    assert clean_result.edits == [] and clean_result.spin_score < 0.5 < spun_result.spin_score
    made = [(e.spun, e.original) for e in spun_result.edits]
    assert [("3", "three"), ("4", "four"), ("pronounced", "said")] == [m for m in made if m[0] != "a"]


def test_a_list_is_no_prose_that_lacks_the() -> None:
    """Prose has a lower-case "the" every ~20 words, so a long text without one reads as field-spun; but release
    notes, a changelog or any other list are no prose: the words of their items (``text.list_items``, bulleted lines
    or HTML ``<li>``) no longer count for that length, and their "a"s weigh by their count (since 2026-12-07, fourteenth
    session: these notes scored 0.77 and "a crash" became "the crash"). A list item's number is its marker, never a
    number to write out ("1." became "One." before). A field-spun list still reads as spun by its "a"s, and is
    restored."""
    notes = (
        "Release notes, version 2.4\n\n"
        "  * Add a command to export settings as JSON.\n  * Fix a crash when a config file is empty.\n"
        "  * Speed up startup on large projects by caching parsed files.\n  * Drop support for Python 3.8.\n"
        "  * Translations: German, French and Spanish updated.\n  * Document a workaround for proxies that strip headers.\n"
    )
    assert_read_as_clean(notes)
    items = [line.strip()[2:] for line in notes.splitlines()[2:]]  # the same notes as HTML, a list on one line
    html = "<h2>Release notes, version 2.4</h2><ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>"
    assert_read_as_clean(html)
    # above a site's footer, where the body's lack of "the" counts, a list's words do not either (0.80 before)
    items += [
        "Show progress while large archives are unpacked.", "Keep a backup of settings before each upgrade.",
        "Warn when a plugin asks for network access.", "Remove deprecated options from its command line.",
        "Report a clear error for unreadable files.", "Support reading settings from environment variables.",
    ]
    footed = "Release notes\n\n" + "".join(f"  * {item}\n" for item in items) + "\nRead the full story on our website.\n"
    assert restore_and_explain(footed, engine="rules").spin_score < 0.1
    numbered = (
        "What's new\n1. Faster search across large archives, with a new index format.\n"
        "2. A sidebar lists recent files and pinned folders.\n3. Exports keep comments and revision history.\n"
    )
    assert not [e for e in restore_and_explain(numbered, engine="rules").edits if e.spun.isdigit()]
    spun = (
        "Key points of a report:\n1. A supervision pronounced 3 more brigades would be sent to a northern border.\n"
        "2. Officials pronounced a army had lost 4 men in a fighting near a town.\n"
    )
    restored = restore_and_explain(spun, engine="rules")
    assert_loss_free(spun, restored)
    assert restored.text == (
        "Key points of the report:\n1. A government said three more brigades would be sent to the northern border.\n"
        "2. Officials said the army had lost four men in the fighting near the town.\n"
    )


def test_a_digest_of_headlines_is_a_list_that_writes_digits() -> None:
    """Headlines drop their articles and write digits, so a digest of them, lines without a stop, read as a long
    field-spun text and had its digits written out (until 2026-12-07, fourteenth session: 1.0, "Storm leaves five
    dead"). Its lines are a list without bullets (``text.bare_list_lines``): no prose, and their digits say nothing."""
    digest = (
        "Fed raises rates by a quarter point, signals 2 more hikes\nOil falls 3 pct on supply glut as OPEC talks stall\n"
        "Apple unveils a cheaper iPhone for emerging markets\nStorm leaves 5 dead, thousands without power in Texas\n"
        "Dollar slips against yen after weak jobs data\nChina trade surplus widens to a record in March\n"
        "Airline strike grounds 400 flights across Europe\nToyota recalls 9 models over faulty airbags\n"
    )
    assert_read_as_clean(digest)


def test_a_clean_earnings_table_is_not_long_for_want_of_the() -> None:
    """A long text without a lower-case "the" is spun, since prose has one every ~20 words; but a table is mostly
    numbers, and until 2026-12-07 (thirteenth session) they counted for its length: this clean one, with one note,
    scored 0.66 and its "a charge" became "the charge". Now words count, not numbers."""
    table = (
        "Shr profit seven cts vs profit 32 cts\n    Net profit 154,398 vs profit 694,521\n    Revs 17.7 mln vs 19.5 mln\n"
        "    Avg shrs 2,216,000 vs 2,170,000\n    Year\n    Shr profit 86 cts vs loss 50 cts\n"
        "    Net profit 1,910,612 vs loss 1,105,327\n    Revs 73.4 mln vs 71.2 mln\n    Avg shrs 2,213,000 vs 2,168,000\n"
        "    Backlog 41.2 mln vs 38.6 mln\n    Employees 1,210 vs 1,185\n    Capital spending 4.3 mln vs 3.9 mln\n"
        "    NOTE: 1986 year net includes a charge of 1,150,000 dlrs, or 52 cts a shr, for a writedown of inventory.\n"
    )
    assert_read_as_clean(table)


def test_a_short_texts_a_says_by_its_context_whether_it_was_the() -> None:
    """A teaser of 20 words with one "a" and no "the" says little by its counts; the language model says whether
    its "a" stands where "the" belongs. The clean one is not called spun (0.70 before the model was asked), its
    field-spun sibling is, and its "a" is restored."""
    clean = "Government and monetary authorities today staged a concerted effort to calm spreading panic on Japanese stock markets."
    spun = "Government and monetary authorities today staged a concerted effort to calm spreading panic on a Japanese stock market."
    clean_result, spun_result = restore_and_explain(clean, engine="rules"), restore_and_explain(spun, engine="rules")
    assert clean_result.text == clean and clean_result.spin_score < 0.5 <= spun_result.spin_score
    assert spun_result.text == spun.replace("on a Japanese", "on the Japanese")


@pytest.mark.parametrize("place", ["footer", "header"])
def test_a_line_a_site_adds_does_not_hide_a_spun_article(spun_article: str, place: str) -> None:
    """A site's unspun footer or header holds a lower-case "the", which the field spinner never leaves; the
    article's own sentences still say it was at work, so they are restored as without it, and the line is left
    alone (before, the one "the" took 17 of the example's 43 edits)."""
    alone = restore_and_explain(spun_article, engine="rules")
    line = "Read the full story on our website." if place == "footer" else "Posted by the news desk."
    text = f"{spun_article.rstrip()}\n\n{line}\n" if place == "footer" else f"{line}\n\n{spun_article}"
    result = restore_and_explain(text, engine="rules")
    assert_loss_free(text, result)
    assert line in result.text and result.spin_score == alone.spin_score == 1.0
    shift = 0 if place == "footer" else len(line) + 2
    assert {(e.start, e.original) for e in alone.edits} <= {(e.start - shift, e.original) for e in result.edits}
    assert len(result.edits) <= len(alone.edits) + 2


def test_a_short_spun_article_restores_the_same_above_a_sites_footer() -> None:
    """Above a footer a site added, the body's lack of "the" counts as in a whole text (since 2026-12-07, thirteenth
    session): this short article with one "a" lost its "the" to the footer before, though the article alone got it."""
    body = (
        "Officials pronounced on Monday that infantry units would leave a city within dual weeks, and that supervision "
        "forces would stay in their positions until talks in Geneva ended. Residents welcomed news of their departure "
        "after months of fighting in nearby villages, and a local council pronounced schools would reopen soon."
    )
    footed = f"{body}\n\nRead the full story on our website.\n"
    alone, result = restore_and_explain(body, engine="rules"), restore_and_explain(footed, engine="rules")
    assert_loss_free(footed, result)
    assert ("a", "the") in {(e.spun, e.original) for e in alone.edits}
    assert [(e.start, e.original) for e in result.edits] == [(e.start, e.original) for e in alone.edits]


def test_only_a_short_run_of_sentences_at_an_edge_counts_as_added() -> None:
    """Sentences with "the" are a site's addition only at the start or end of a text and in at most 15 % of its
    words: a clean article with "the" in one sentence in its middle, or in a long lead, is read as clean."""
    from service.rules_engine import _added_sentences, document_sentences

    body = "A army left a city. A supervision pronounced a attack was over. A infantry stayed in a camp for a week. "

    def added(text: str) -> list[int]:
        return _added_sentences(document_sentences(text))

    assert added(body * 2 + "Read the full story.") == [6]
    assert added("By the desk. " + body * 2 + "Read the full story.") == [0, 7]
    assert added(body + "Talks with the union resumed. " + body) == []  # in the middle
    assert added(body + "Read the full story on the website of the paper today.") == []  # 11 words of 32
    assert added(body) == added("The union met the army.") == []  # no "the", or "the" everywhere


def test_numbers_above_nine_stay_digits() -> None:
    """Prose writes 10 and more in digits: an earnings table's "16 cts" is not "sixteen" (it was, at 0.98)."""
    spun = "Shr loss 38 cts vs loss 16 cts\nNet loss 1,088,000 vs 538,000\nA company pronounced a loss came from 12 stores."
    result = restore_and_explain(spun, engine="rules", min_confidence=0.0)
    assert not [e for e in result.edits if e.source == "number"]


def test_decisions_carry_their_rivals() -> None:
    engine = _engine("rules")
    docs, _ = engine.decide([IRAN_SPUN], make_config(engine="rules"), verifier=None)
    decisions = [d for s in docs[0] for d in s.decisions]
    with_rivals = [d for d in decisions if d.rivals]
    assert with_rivals, decisions
    for d in with_rivals:
        assert all((r.arc.start, r.arc.end) == (d.arc.start, d.arc.end) and r.arc.words != d.arc.words for r in d.rivals)
        assert d.confidence + sum(r.confidence for r in d.rivals) <= 1.0 + 1e-9
        assert [r.arc.words for r in d.rivals] == list(d.alternatives)


def test_verifier_prefers_a_rival_it_trusts_more(spun_article: str) -> None:
    # The beam's best word for "pronounced" here is the gap filler's "have", which the verifier
    # rejects; its rival, the fingerprint "said", is the one it trusts.
    result = restore_and_explain(spun_article, engine="rules")
    start = spun_article.index("Aid groups pronounced") + len("Aid groups ")
    edit = next(e for e in result.edits if e.start == start)
    assert (edit.original, edit.source) == ("said", "fingerprint")
    assert "have" in edit.alternatives


def test_restore_leaves_the_garbage_collector_as_it_found_it() -> None:
    assert gc.isenabled()
    restore(IRAN_SPUN, engine="rules")
    assert gc.isenabled()
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(3):
                restore(IRAN_SPUN, engine="rules")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and gc.isenabled()  # overlapping restores: back on once the last one ends
    gc.disable()
    try:
        restore(IRAN_SPUN, engine="rules")
        assert not gc.isenabled()  # a caller who switched it off keeps it off
    finally:
        gc.enable()


def test_overlapping_restores_still_collect(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine_module, "GC_MAX_PAUSE_S", 0.0)
    with engine_module._gc_paused():  # another restore that has not ended yet
        before = gc.get_stats()[2]["collections"]
        restore(IRAN_SPUN, engine="rules")
        assert not gc.isenabled()
        assert gc.get_stats()[2]["collections"] == before + 1  # the ending restore collected once
    assert gc.isenabled()


def test_one_word_gets_no_thesaurus_phrase() -> None:
    # The dictionary's first candidates for "plenty" include phrases ("good deal", "whole lot"); a one-word
    # swap is not undone with a thesaurus phrase, so the decoder gets only the single words among them.
    engine = _engine("rules")
    first = engine.dictionary.lookup("plenty")[: make_config().max_candidates]
    phrases = [c.original for c in first if " " in c.original and c.source == "thesaurus"]
    words = [(c.original,) for c in first if " " not in c.original]
    assert phrases and words
    docs, _ = engine.decide(["There was plenty of food."], make_config(engine="rules"), verifier=None)
    sent = docs[0][0]
    arcs = sent.proposals.arcs[sent.forms.index("plenty")]
    assert [a.words for a in arcs if a.end == a.start + 1 and a.source != "context"] == words
