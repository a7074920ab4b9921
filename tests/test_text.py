"""The tokeniser: exact spans, clitics, sentences."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.text import has_markup_between, list_items, lm_form, may_hold_markup, sentences, tokenize


def test_spans_point_into_the_input() -> None:
    text = "A revisit by Iran’s chosen force—2,000 infantry.\n"
    for tok in tokenize(text):
        assert text[tok.start : tok.end] == tok.text


def test_clitics_split() -> None:
    assert [t.text for t in tokenize("Iran's don't")] == ["Iran", "'s", "do", "n't"]


def test_a_word_after_an_apostrophe_is_never_cut_inside_its_letters() -> None:
    """A word with an apostrophe is one token only if no apostrophe follows it ("O'Brien", not a quote's "'big'"),
    and it never ends inside a run of letters or before an accent: hypothesis found "a'sa" + U+0301 cut before its
    accent (an edit there left the mark behind), and "O'Neill's" came out as "O'Neil", "l", "'s"."""
    assert [t.text for t in tokenize("aaA a'sa\u0301's")] == ["aaA", "a", "'", "sa\u0301", "'s"]
    assert [t.text for t in tokenize("O'Neill's a'bc'")] == ["O", "'", "Neill", "'s", "a", "'", "bc", "'"]
    assert [t.text for t in tokenize("O'Brien's")] == ["O", "'", "Brien", "'s"]


def test_an_apostrophe_may_be_an_html_entity() -> None:
    """WordPress writes "Iran&#8217;s": one word and its clitic, as "Iran's" is (until 2026-12-06 three tokens)."""
    text = "Iran&#8217;s don&rsquo;t O&#8217;Brien it&#39;s"
    assert [t.text for t in tokenize(text)] == ["Iran", "&#8217;s", "do", "n&rsquo;t", "O&#8217;Brien", "it", "&#39;s"]
    assert [lm_form(t.text) for t in tokenize(text)] == ["iran", "'s", "do", "n't", "o'brien", "it", "'s"]


def test_hyphenated_words_stay_whole() -> None:
    assert [t.text for t in tokenize("some-more U.S. troops")] == ["some-more", "U.S", ".", "troops"]


def test_sentences_split_on_stops_and_line_breaks() -> None:
    text = "He left. She stayed.\nA new line"
    assert [[t.text for t in s] for s in sentences(text)] == [["He", "left", "."], ["She", "stayed", "."], ["A", "new", "line"]]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("goes the way of\nWall Street", [["goes", "the", "way", "of", "Wall", "Street"]]),  # hard wrap: one sentence
        ("goes the way of\r\nWall Street", [["goes", "the", "way", "of", "Wall", "Street"]]),
        ("Markets\n\nThe dollar fell", [["Markets"], ["The", "dollar", "fell"]]),  # blank line: a new block
        ("Markets\n \t\nThe dollar fell", [["Markets"], ["The", "dollar", "fell"]]),
        ("Shr 1.20 dlrs\n    Net 5 mln", [["Shr", "1.20", "dlrs"], ["Net", "5", "mln"]]),  # indented line
        ("apples and\n- pears", [["apples", "and"], ["-", "pears"]]),  # a line that starts with a mark
        ("the end of\n<b>May</b>", [["the", "end", "of", "May"]]),  # markup is left out; an inline tag is no block
        ("the end of\n<p>May", [["the", "end", "of"], ["May"]]),  # a block tag is
        ('he said\n"we', [["he", "said", '"', "we"]]),  # a quote opens a wrapped line's sentence too
    ],
)
def test_a_line_break_ends_a_sentence_only_where_a_block_starts(text: str, expected: list[list[str]]) -> None:
    assert [[t.text for t in s] for s in sentences(text)] == expected


def test_sentences_leave_markup_out_but_keep_entities_of_text() -> None:
    text = '<p class="x">A <b>word</b>&nbsp;here &amp; <!-- note --> there.</p><p>Next'
    got = list(sentences(text))
    assert [[t.text for t in s] for s in got] == [["A", "word", "here", "&amp;", "there", "."], ["Next"]]
    assert all(text[t.start : t.end] == t.text for s in got for t in s)


def test_sentences_leave_markdown_out() -> None:
    text = "* A **word** [here](https://example.com/a)*\n* Next [1] ends."
    first, second = sentences(text)
    assert [[t.text for t in s] for s in (first, second)] == [["A", "word", "here"], ["Next", "[", "1", "]", "ends", "."]]
    assert [has_markup_between(text, a, b) for a, b in zip(first, first[1:])] == [True, True]  # "**", "** ["
    assert not any(has_markup_between(text, a, b) for a, b in zip(second, second[1:]))  # "[1]" is a bracket of prose
    wrapped = "He rejected a comparison\n[between a show](https://example.com/a) and a fall."  # a link starts the line
    assert [[t.text for t in s] for s in sentences(wrapped)] == [["He", "rejected", "a", "comparison", "between", "a", "show", "and", "a", "fall", "."]]


def test_lm_form() -> None:
    assert lm_form("“Quds’") == "\"quds'"
    assert [lm_form(t) for t in ("&quot;", "&#8220;", "&#8221;", "&amp;", "&#8217;s")] == ['"', '"', '"', "&", "'s"]


def test_a_quote_written_as_an_entity_closes_a_sentence() -> None:
    text = "He said &#8220;No.&#8221; Then &#8220;Yes&#8221; came."
    assert [[t.text for t in s] for s in sentences(text)] == [
        ["He", "said", "&#8220;", "No", ".", "&#8221;"],
        ["Then", "&#8220;", "Yes", "&#8221;", "came", "."],
    ]


@given(st.text(max_size=200))
def test_tokens_are_ordered_and_cover_no_whitespace(text: str) -> None:
    pos = 0
    for tok in tokenize(text):
        assert tok.start >= pos
        assert text[tok.start : tok.end] == tok.text
        assert not text[tok.start : tok.end].isspace()
        pos = tok.end


def test_markup_is_one_token_and_never_a_word() -> None:
    text = '<p class="x">A <b>word</b> &amp; <!-- note --> 3 < 4</p>'
    tokens = tokenize(text)
    assert [t.text for t in tokens] == ['<p class="x">', "A", "<b>", "word", "</b>", "&amp;", "<!-- note -->", "3", "<", "4", "</p>"]
    assert [t.text for t in tokens if t.is_word] == ["A", "word", "3", "4"]
    assert all(text[t.start : t.end] == t.text for t in tokens)


@pytest.mark.parametrize(
    ("text", "literal"),
    [
        ("see https://example.com/a/infantry?x=a_b&y=2, then", "https://example.com/a/infantry?x=a_b&y=2"),
        ("(www.example.org/a/b).", "www.example.org/a/b"),
        ("at example.com/a/infantry.", "example.com/a/infantry"),
        ("mail a.editor@example.co.uk now", "a.editor@example.co.uk"),
        ("by @a_infantry today", "@a_infantry"),
        ("tag #a_infantry!", "#a_infantry"),
        (r"in C:\a\infantry\pronounced.doc.", r"C:\a\infantry\pronounced.doc"),
        ("in /usr/a/infantry, then", "/usr/a/infantry"),
        ("run `a infantry` now", "`a infantry`"),
        ("x\n```\na infantry\n```\ny", "```\na infantry\n```"),
    ],
)
def test_literals_are_one_token_that_sentences_leave_out(text: str, literal: str) -> None:
    """URLs, addresses, handles, paths and code are copied, not read: no edit may touch a part of one."""
    start = text.index(literal)
    assert (literal, start) in [(t.text, t.start) for t in tokenize(text)]
    assert all(t.end <= start or t.start >= start + len(literal) for s in sentences(text) for t in s)


@pytest.mark.parametrize(
    "text",
    ["the U.S. and e.g. a.m. 3.5 pct", "1/2 and km/h, 1986/87, and/or", "Iran&#8217;s #1 C# and x@y", "_a infantry_ __bold__"],
)
def test_prose_with_literal_marks_stays_prose(text: str) -> None:
    assert [t.text for t in tokenize(text)] == [t.text for s in sentences(text) for t in s]  # none left out


def _seconds(fn: Callable[[], object]) -> float:
    """Time of ``fn()`` without the garbage collector, whose passes over the test session's heap grow with what
    ``fn`` allocates and once made 16x the tokens take 80x the time."""
    gc.collect()
    gc.disable()
    try:
        t0 = time.perf_counter()
        fn()
        return time.perf_counter() - t0
    finally:
        gc.enable()


_LONG_TAG = '<img alt="a infantry" src="data:image/png;base64,' + "QUJD" * 400 + '">'  # 1,651 characters


@pytest.mark.parametrize(
    ("text", "token"),
    [
        (_LONG_TAG + " x", _LONG_TAG),
        ('<a title="x > y" href="/a">a infantry</a>', '<a title="x > y" href="/a">'),
        ('x <script>var s = "a <b>";</script> a infantry', '<script>var s = "a <b>";</script>'),
        ('x <SCRIPT type="t">a infantry</Script > y', '<SCRIPT type="t">a infantry</Script >'),
        ("<p>run <code>a infantry</code> now</p>", "<code>a infantry</code>"),
        ("<style>p.a { color: red } /* a supervision */</style>", "<style>p.a { color: red } /* a supervision */</style>"),
        ("<svg><text>a infantry</text></svg>", "<svg><text>a infantry</text></svg>"),
        ("type <kbd>a infantry</kbd> to see <samp>a infantry pronounced</samp>", "<kbd>a infantry</kbd>"),
        ('x [gallery ids="1,2" size="large"] y', '[gallery ids="1,2" size="large"]'),  # WordPress shortcodes
        ('[caption id="a_1" width="300"]<img src="/a.jpg"> A infantry[/caption]', "[/caption]"),
        ("[embed]https://youtube.com/watch?v=a[/embed] x", "[embed]"),
    ],
)
def test_a_long_tag_an_element_of_code_and_a_shortcode_are_one_token(text: str, token: str) -> None:
    """Until 2026-12-06 a tag of over 500 characters (a data: URI, a tracking link) was read as words, and so was
    the content of a script or a style, and a WordPress shortcode: "a infantry" in an alt text or a JavaScript
    string became "the troops", and '[gallery size="large"]' '[gallery width="large"]'."""
    assert token in [t.text for t in tokenize(text)]
    start = text.index(token)
    assert all(t.end <= start or t.start >= start + len(token) for s in sentences(text) for t in s)


def test_a_bracket_of_prose_is_no_shortcode() -> None:
    text = "He said [sic] that [a infantry] left [1]; [photo] [/ x]"
    assert [t.text for s in sentences(text) for t in s] == [t.text for t in tokenize(text)]  # none left out


def test_a_lone_angle_bracket_is_no_tag_and_a_stray_quote_no_attribute() -> None:
    assert [t.text for t in tokenize("3 < 4 and 5 > 2")] == ["3", "<", "4", "and", "5", ">", "2"]
    assert [t.text for t in tokenize("<McDonald's Corp> said")] == ["<McDonald's Corp>", "said"]  # Reuters' annotations
    assert [t.text for t in tokenize('<a title="x >unclosed <b>y')] == ['<a title="x >', "unclosed", "<b>", "y"]


@pytest.mark.parametrize(
    "unit",
    [
        "a,", "a/", "#a", "x@", "a.a#", "http://a ", "a" * 90 + "/", "C:\\a ", "`a ",
        "<script x ", '<a title="x ', "<a x ", "<code>a ", "</script> ", "a 'b' <b>'c ", '[a x="', "[a ", "[/",
        "a&eacute;", "e\u0301", "a&#252", "a-\u0301",
        "[a](", "[a] (b) ", "[" + "a" * 250, "*a ", "[a](b) ",
    ],
)
def test_literals_markup_and_words_take_linear_time(unit: str) -> None:
    small, big = (_seconds(lambda n=n: list(sentences(unit * n))) for n in (2_000, 32_000))
    assert big / small < 16 * 4  # quadratic: ~256


def test_a_soft_hyphen_is_inside_its_word_and_a_zero_width_space_between_words() -> None:
    text = "a infan\u00adtry, some&shy;more a\u200bcity\ufeff."
    assert [t.text for t in tokenize(text)] == ["a", "infan\u00adtry", ",", "some&shy;more", "a", "\u200b", "city", "\ufeff", "."]
    assert [t.text for s in sentences(text) for t in s] == ["a", "infan\u00adtry", ",", "some&shy;more", "a", "city", "."]
    assert [lm_form(t) for t in ("Infan\u00adtry", "some&shy;more", "x&#173;y")] == ["infantry", "somemore", "xy"]


def test_combining_marks_and_unicode_hyphens_stay_in_their_word() -> None:
    text = "Zoe\u0308\u2019s cafe\u0301, a US\u2011led nai\u0308ve\u2010looking \u0301x"
    assert [t.text for t in tokenize(text)] == [
        "Zoe\u0308", "\u2019s", "cafe\u0301", ",", "a", "US\u2011led", "nai\u0308ve\u2010looking", "\u0301", "x"
    ]
    assert [lm_form(t) for t in ("Zoe\u0308", "cafe\u0301", "US\u2011led", "nai\u0308ve\u2010looking")] == [
        "zo\u00eb", "caf\u00e9", "us-led", "na\u00efve-looking"
    ]


def test_the_entity_of_a_letter_stays_in_its_word() -> None:
    """Until 2026-12-06 "caf&eacute;s" was three tokens ("caf", the entity, "s"), so the word was lost to the LM."""
    text = "caf&eacute;s, M&#252;ller, M&#xFC;ller, na&iuml;ve, AT&amp;T, a&nbsp;b, 3&#215;4, x&sdot;y, &Eacute;cole"
    assert [t.text for t in tokenize(text) if t.text != ","] == [
        "caf&eacute;s", "M&#252;ller", "M&#xFC;ller", "na&iuml;ve",
        "AT", "&amp;", "T", "a", "&nbsp;", "b", "3", "&#215;", "4", "x", "&sdot;", "y", "&Eacute;", "cole",
    ]
    assert [lm_form(t) for t in ("caf&eacute;s", "M&#252;ller", "M&#xFC;ller")] == ["cafés", "müller", "müller"]


def test_format_characters_are_left_out_like_a_zero_width_space() -> None:
    """Until 2026-12-06 a direction mark, a bidi isolate, a joiner or a word joiner was a token of its sentence (the
    language model read it as an unknown word between its neighbours)."""
    marks = ["\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u202a", "\u202e", "\u2060", "\u2066", "\u2069", "\ufeff"]
    text = "".join(f"a{m} b " for m in marks)
    assert [t.text for s in sentences(text) for t in s] == ["a", "b"] * len(marks)
    assert all(may_hold_markup(m) for m in marks) and not may_hold_markup("a b. c, d")


def test_unclosed_comments_take_linear_time() -> None:
    """An unclosed "<!--" is read up to the next one only (HTML comments hold none): until 2026-12-06 each of them
    was tried up to the end of the text, so 8,000 of them took 6 s and a 1 MB request could hold a worker for minutes."""

    def seconds(n: int) -> float:
        text = "word <!-- x " * n
        t0 = time.perf_counter()
        tokens = tokenize(text)
        list(sentences(text))
        assert len(tokens) == 6 * n and "".join(t.text for t in tokens) == text.replace(" ", "")
        return time.perf_counter() - t0

    small, big = seconds(2_000), seconds(32_000)
    assert big / small < 16 * 4  # quadratic: ~256


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a <!-- c --> b", ["a", "<!-- c -->", "b"]),
        ("<!--[if !IE]><!--> x <!--<![endif]-->", ["<!--[if !IE]><!-->", "x", "<!--<![endif]-->"]),  # "<!-->" ends one
        ("a <!-- <!-- x --> b", ["a", "<", "!", "-", "-", "<!-- x -->", "b"]),  # a comment holds no "<!--"
    ],
)
def test_comments(text: str, expected: list[str]) -> None:
    assert [t.text for t in tokenize(text)] == expected


@pytest.mark.parametrize(
    ("text", "items"),
    [
        ("Changes:\n  * Fix a crash\n    in the parser.\n  * Drop Python 3.8.\nThanks.", ["  * Fix a crash\n    in the parser.", "  * Drop Python 3.8."]),
        ("- Add a toggle.\r\n- Fix a leak.\r\nDone.", ["- Add a toggle.", "- Fix a leak."]),  # a CRLF stays out of the span
        ("* The firm said it would buy\na stake.\nThe rest.", ["* The firm said it would buy\na stake."]),  # lazy
        ("1. Faster search.\n2) A sidebar.\n\n    continued after a blank line", ["1. Faster search.", "2) A sidebar."]),
        ("<ul>\n<li>2 cups flour</li>\n<li>3 eggs</li>\n</ul>", ["<li>2 cups flour", "<li>3 eggs"]),
        ("<p>New:</p><ul><li class='x'>a dark mode<li>a search</ol> after", ["<li class='x'>a dark mode", "<li>a search"]),
        (" -- A. Maintainer <a@b.org>  Sat, 09 Nov 2024\n-1 is no bullet\n*emphasis* is none", []),
        ("A paragraph of prose, with no list in it.", []),
        (  # four lines without a stop, each opening with a capital: a digest of headlines
            "Fed raises rates by a quarter point\nOil falls 3 pct as talks stall\nApple unveils a cheaper iPhone\n"
            "Storm leaves 5 dead in Texas\n\nMore at 6.",
            ["Fed raises rates by a quarter point", "Oil falls 3 pct as talks stall", "Apple unveils a cheaper iPhone",
             "Storm leaves 5 dead in Texas"],
        ),
        (  # but not hard-wrapped prose (a line ends with a comma), nor a table's lines (two numbers)
            "The firm said the\nOffer would lapse\nUnless Smith agreed,\nSources said\n\nShr 4 cts vs 5 cts\nNet 1.2 mln vs\n"
            "Revs 3 mln vs 2 mln\nAvg shrs 5 mln vs 4 mln",
            [],
        ),
    ],
)
def test_list_items_are_lines_that_open_with_a_bullet_and_the_lines_that_continue_them(text: str, items: list[str]) -> None:
    assert [text[a:b] for a, b in list_items(text)] == items


@pytest.mark.parametrize("unit", ["* an item\n  continued\n", "<li>an item ", "<li", "<li>a</li>\n- b\n"])
def test_list_items_take_linear_time(unit: str) -> None:
    text = unit * 100_000
    t0 = time.perf_counter()
    list_items(text)
    assert time.perf_counter() - t0 < 5
