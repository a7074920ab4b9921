"""Batch context vectors (service.cooccurrence) and the cipher step that uses them."""

from __future__ import annotations

from service import restore_many
from service.cooccurrence import MAX_CONTEXT_WORDS, similar_forms
from service.dictionary import load_dictionary
from service.rules_engine import _cipher_form

BATCH = [
    "shares rose in stock trading on monday".split(),
    "shares fell in plenty trading on friday".split(),
    "the stock market closed".split(),
    "the plenty market closed".split(),
    "a cat sat on a mat".split(),
    "a dog sat on a mat".split(),
    "a dog sat on a rug".split(),
]


def test_a_spun_form_is_most_like_the_word_whose_places_it_takes() -> None:
    found = similar_forms(BATCH, ["plenty", "cat"], 3, str.isalpha)
    assert found["plenty"][0][0] == "stock"
    assert found["cat"][0][0] == "dog"
    assert all(0.0 < sim <= 1.0 + 1e-9 for pairs in found.values() for _, sim in pairs)
    sims = [sim for _, sim in found["plenty"]]
    assert sims == sorted(sims, reverse=True)


def test_neighbours_are_eligible_words_seen_twice() -> None:
    found = similar_forms(BATCH, ["plenty"], 50, lambda w: w != "stock")
    words = {w for w, _ in found["plenty"]}
    assert "stock" not in words  # not eligible
    assert "monday" not in words and "friday" not in words  # seen once each
    assert "plenty" not in words  # never its own neighbour


def test_forms_absent_from_the_batch_and_an_empty_batch() -> None:
    assert "absent" not in similar_forms(BATCH, ["absent"], 3, str.isalpha)
    assert similar_forms([], ["plenty"], 3, str.isalpha) == {}
    assert similar_forms([[]], ["plenty"], 3, str.isalpha) == {}


def test_a_context_shared_by_too_many_words_says_nothing() -> None:
    # every word follows "x": the only context the two forms share is left out
    many = [["x", f"w{i}"] for i in range(MAX_CONTEXT_WORDS + 1) for _ in range(2)]
    batch = [*many, ["x", "alpha"], ["x", "alpha"], ["x", "beta"], ["x", "beta"]]
    assert similar_forms(batch, ["alpha"], 3, str.isalpha).get("alpha", []) == []


def test_the_cipher_learns_no_original_the_batch_never_uses() -> None:
    # "plenty" stands where "stock" would, at every place, but "stock" itself is nowhere in
    # the batch: no context evidence, so no table entry (the language model alone, which
    # prefers common words, decided this before 2026-12-04)
    batch = [
        "Plenty prices fell sharply in Tokyo on Monday.",
        "Dealers said plenty prices would recover.",
        "The plenty market closed lower.",
        "Investors sold plenty after a report.",
        "Plenty exchanges in Asia were closed.",
    ]
    results = restore_many(batch, engine="rules")
    assert not [e for r in results for e in r.edits if e.source == "document"]


def test_the_cipher_leaves_names_and_abbreviations_alone() -> None:
    # _cipher_form(form, [lower-case places, places past each sentence's first word], dictionary)
    dictionary = load_dictionary()
    assert _cipher_form("infantry", [4, 5], dictionary)
    assert not _cipher_form("mark", [1, 6], dictionary)  # mostly "Mark" mid-sentence: a name
    assert not _cipher_form("mln", [9, 9], dictionary)  # no thesaurus lists it: newswire shorthand


def _cipher_table(texts: list[str], form: str, confident: str = "", n_confident: int = 0) -> tuple[dict[str, float] | None, int | None]:
    """The batch cipher on ``texts`` (one document each), after pass 1 restored the first ``n_confident`` places
    of ``form`` confidently to ``confident`` and nothing else: the learnt table's entry for ``form`` and its places."""
    from service.candidates import Arc
    from service.decoder import Decision
    from service.engine import _rules
    from service.rules_engine import _learn_table, _Sentence
    from service.text import sentences

    engine = _rules()
    flat = [_Sentence(d, tokens) for d, text in enumerate(texts) for tokens in sentences(text)]
    places = [(s, i) for s in flat for i, f in enumerate(s.forms) if f == form]
    for s in flat:
        s.decisions, s.confidences = [], []
        s.unfit = engine.decoder.unfit_positions(s.lm_forms)
    for s, i in places[:n_confident]:
        s.decisions.append(Decision(Arc(i, i + 1, (confident,), 0.0, "thesaurus", 0.5), 0.9, ()))
        s.confidences.append(0.95)
    table, counts = _learn_table(flat, engine.decoder, engine.dictionary)
    return table.get(form), counts.get(form)


def _plenty_batch(confident: str) -> tuple[dict[str, float] | None, int | None]:
    """The batch cipher on eight "plenty" that stand where the batch's "stock" does, after pass 1 restored two of
    them confidently to ``confident``."""
    texts = [
        "Tokyo plenty prices fell sharply on Monday as the plenty market closed lower.",
        "Dealers said plenty prices would recover after the plenty exchange reopened.",
        "London stock prices fell sharply on Monday as the stock market closed lower.",
        "Dealers said stock prices would recover after the stock exchange reopened.",
        "New York plenty prices rose as the plenty market gained.",
        "Paris stock prices rose as the stock market gained.",
        "Frankfurt plenty prices were steady and the plenty exchange was calm.",
        "Milan stock prices were steady and the stock exchange was calm.",
    ]
    return _cipher_table(texts, "plenty", confident, 2)


def test_a_few_confident_restorations_do_not_keep_the_cipher_away() -> None:
    """Two confident "plenty" -> "stock" of eight places (a learnt weight of 0.24, under 0.5) no longer stop the
    cipher, which finds "stock" at every place and raises it to 1.0 (it stayed at 0.24 until 2026-12-06)."""
    assert _plenty_batch("stock") == ({"stock": 1.0}, 8)


def test_the_cipher_only_confirms_what_confident_restorations_name() -> None:
    """Where two confident restorations say "lots", the cipher's "stock" is not learnt beside it."""
    assert _plenty_batch("lots") == ({"lots": 2 * 0.95 / 8}, 8)


_DUAL = [
    "The company said dual directors resigned on Monday.",
    "Dual men were arrested after the attack, police said.",
    "The talks lasted dual days and ended without a deal.",
    "Prices rose for the dual weeks to March, the bank said.",
    "The dual sides agreed to meet again next month.",
    "He said dual ships had been damaged in the gulf.",
    "Shares fell dual pct in early trading.",
    "The plan would cut jobs at dual plants in Ohio.",
]
_REALLY = [
    "The market was really quiet on Monday, dealers said.",
    "Analysts said the results were really good for the quarter.",
    "It has been a really difficult year for farmers.",
    "The company said demand remained really strong in Europe.",
    "Trading was really thin ahead of the holiday.",
    "Officials said the talks were really close to a deal.",
    "Oil prices were really weak in early trading.",
    "The outlook is really uncertain, the minister said.",
]


def test_the_cipher_confirms_a_number_that_confident_restorations_name() -> None:
    """A number is no cipher candidate (it fits anywhere, so it is nobody's neighbour), but where two confident
    restorations of eight places name it, the cipher tries it and confirms it at every place (it stayed at
    2 x 0.95 / 8 until 2026-12-07: held-out "dual" -> "two" was restored at 10 of 43 places in a batch of 200)."""
    assert _cipher_table(_DUAL, "dual", "two", 2) == ({"two": 1.0}, 8)
    table, _ = _cipher_table(_DUAL, "dual")  # never learnt from the neighbours alone
    assert table is None or "two" not in table


def test_the_cipher_does_not_confirm_a_function_word() -> None:
    """A function word fits anywhere: confirmed, it made wrong entries of tables learnt from 6,400 articles
    ("yesterday" -> "then"), so two confident "really" -> "very" keep their own weight."""
    assert _cipher_table(_REALLY, "really", "very", 2) == ({"very": 2 * 0.95 / 8}, 8)


_THIRDLY = [
    "The company said thirdly quarter profit rose 12 pct.",
    "Its thirdly quarter sales were flat.",
    "Analysts expect the thirdly quarter dividend to be paid in November.",
    "Shares rose after the report.",
]


def test_a_form_of_one_document_is_also_tried_against_the_words_the_dictionary_lists() -> None:
    """One article's contexts are too few to name the word a form stands for ("third" is nowhere in it, and its
    nearest word is "rose"): the cipher also tries the dictionary's first words for a form seen in one document
    that the language model finds out of place."""
    assert _cipher_table([" ".join(_THIRDLY)], "thirdly") == ({"third": 1.0}, 3)


def test_a_form_that_fits_everywhere_is_not_tried_against_the_words_the_dictionary_lists() -> None:
    """A genuine word repeated in one article fits its places: "billion" is not tried against "million", the first
    word the dictionary lists for it, which the language model prefers nearly everywhere (it was, in a clean dev
    article, before the out-of-place test)."""
    text = (  # the results table of a Reuters dev article
        "Shr 86 cts vs 96 cts\n    Net 297 mln vs 325 mln\n    Revs 2.95 billion vs 2.86 billion\n    Nine mths\n"
        "    Shr 2.30 dlrs vs 2.74 dlrs\n    Net 785 mln vs 916 mln\n    Revs 11.3 billion vs 11.1 billion"
    )
    table, places = _cipher_table([text], "billion")
    assert places is None or "million" not in table


def test_a_form_spread_over_documents_is_left_to_its_neighbours() -> None:
    """The same sentences as four documents: the dictionary's words are not tried (in a batch of 200 dev articles
    they made wrong entries), so "third" is not learnt."""
    table, places = _cipher_table(_THIRDLY, "thirdly")
    assert places is None or "third" not in table
