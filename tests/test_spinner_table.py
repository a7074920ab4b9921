"""A spinner's table learnt from a corpus of its articles and reused (service.spinner_table,
service.learn_spinner_table, the ``spinner_table`` option), with the real engine and emulator."""

from __future__ import annotations

import pytest

import service
from scripts.evaluate import evaluate
from scripts.spinner import Spinner, SpunText
from scripts.train_verifier import wiki_documents
from service.config import make_config
from service.engine import LEARN_MIN_MEDIAN, LEARN_MIN_NEAREST_MEDIAN, LEARN_MIN_PLACES, LEARN_MIN_SHARE
from service.rules_engine import TABLE_AGREEMENT_CONFIDENCE
from service.spinner_table import LearntSwap, SpinnerTable, from_json

N_LEARN = 200  # Wikipedia documents the table is learnt from (~41k words)
N_HELD_OUT = 40


@pytest.fixture(scope="module")
def corpus() -> list[SpunText]:
    """Wikipedia documents spun by one field spinner (the emulator, seed 0)."""
    spinner = Spinner("field", seed=0)
    return [spinner.spin(d) for d in wiki_documents(N_LEARN + N_HELD_OUT)]


@pytest.fixture(scope="module")
def learnt(corpus: list[SpunText]) -> SpinnerTable:
    return service.learn_spinner_table(s.spun for s in corpus[:N_LEARN])


def test_the_table_learnt_from_a_corpus_is_the_spinners(corpus: list[SpunText], learnt: SpinnerTable) -> None:
    made = {(w.spun.lower(), w.original.lower()) for s in corpus[:N_LEARN] for w in s.swaps}
    right = [s for s in learnt.swaps if (s.spun, s.original) in made]
    assert learnt.documents == N_LEARN and learnt.words == sum(len(s.spun.split()) for s in corpus[:N_LEARN])
    assert len(learnt.swaps) >= 15  # 25 when written
    assert len(right) >= 0.9 * len(learnt.swaps), [s[:2] for s in learnt.swaps if s not in right]
    for s in learnt.swaps:  # each passed the pooling test over the corpus
        assert LEARN_MIN_PLACES <= s.restored <= s.places and s.restored >= LEARN_MIN_SHARE * s.places
        assert s.median_confidence >= (LEARN_MIN_NEAREST_MEDIAN if s.nearest else LEARN_MIN_MEDIAN)


def test_the_context_test_admits_swaps_the_verifier_doubts(corpus: list[SpunText], learnt: SpinnerTable) -> None:
    """A swap made at most places of its spun form enters with a low median confidence only when
    its original is the corpus word whose contexts are most like the spun form's."""
    made = {(w.spun.lower(), w.original.lower()) for s in corpus[:N_LEARN] for w in s.swaps}
    by_context = [s for s in learnt.swaps if s.median_confidence < LEARN_MIN_MEDIAN]
    assert by_context and all(s.nearest for s in by_context)  # 4 when written (3 of them the spinner's)
    assert sum(s.nearest for s in learnt.swaps) > len(by_context)  # the test holds for confident swaps too
    assert sum((s.spun, s.original) in made for s in by_context) >= len(by_context) / 2


def test_a_clean_corpus_teaches_no_table() -> None:
    """Unspun text: nothing the engine restores at most places of a word (1,600 clean Reuters articles: 2 swaps)."""
    assert service.learn_spinner_table(wiki_documents(N_LEARN)).swaps == ()


def test_single_articles_restore_more_with_the_learnt_table(corpus: list[SpunText], learnt: SpinnerTable) -> None:
    held_out = corpus[N_LEARN:]
    without = evaluate(held_out, lambda t: service.restore_and_explain(t, engine="rules").edits)
    results = {}

    def restore(text: str) -> list[service.Edit]:
        results[text] = service.restore_and_explain(text, engine="rules", spinner_table=learnt)
        return results[text].edits

    with_table = evaluate(held_out, restore)
    # 12.8 -> 15.8 % when written (16.6 % with the looser median test of 2026-12-05, 29 swaps instead of 25)
    assert with_table.content_recall >= without.content_recall + 0.02, (without.content_recall, with_table.content_recall)
    assert with_table.content_precision >= 0.9
    table = dict(learnt.pairs())
    for text, result in results.items():
        assert service.apply_edits(text, result.edits) == result.text
        for e in result.edits:  # a table swap the decoder makes is trusted
            if table.get(e.spun.lower()) == e.original.lower():
                assert e.confidence >= TABLE_AGREEMENT_CONFIDENCE


def test_a_hand_written_table_is_used_and_trusted() -> None:
    text = "Shares of plenty rose on the plenty exchange in Tokyo."
    assert service.restore_and_explain(text, engine="rules").edits == []
    result = service.restore_and_explain(text, engine="rules", spinner_table={"Plenty": "stock"})
    assert result.text == "Shares of stock rose on the stock exchange in Tokyo."
    assert [(e.spun, e.original, e.source) for e in result.edits] == [("plenty", "stock", "document")] * 2
    assert all(e.confidence >= TABLE_AGREEMENT_CONFIDENCE for e in result.edits)


def test_the_decoder_still_decides() -> None:
    """A table swap is a candidate, not a rule: where the language model prefers another, it loses."""
    text = "The supervision pronounced dual infantry were hurt."
    result = service.restore_and_explain(text, engine="rules", spinner_table={"pronounced": "announced"})
    assert "said" in result.text and "announced" not in result.text


def test_learning_from_nothing_gives_an_empty_table() -> None:
    assert service.learn_spinner_table([]) == SpinnerTable((), 0, 0)


def test_the_json_form_round_trips(learnt: SpinnerTable) -> None:
    assert from_json(learnt.to_json()) == learnt
    assert make_config(spinner_table=learnt.to_json()).spinner_table == learnt.pairs()


@pytest.mark.parametrize(
    "table, pairs",
    [
        ({"Infantry": "troops", "pronounced": "said"}, (("infantry", "troops"), ("pronounced", "said"))),
        ([("sum", "details")], (("sum", "details"),)),
        (SpinnerTable((LearntSwap("dual", "two"),)), (("dual", "two"),)),
        ({"swaps": [{"spun": "arise", "original": "wake up"}]}, (("arise", "wake up"),)),
        ({"same": "same"}, ()),  # no swap
        (None, ()),
    ],
)
def test_make_config_takes_every_form(table: object, pairs: tuple[tuple[str, str], ...]) -> None:
    assert make_config(spinner_table=table).spinner_table == pairs


@pytest.mark.parametrize(
    "table, detail",
    [
        (5, "expected a SpinnerTable"),
        ("plenty=stock", "expected a SpinnerTable"),
        ({"two words": "x"}, "must be one word"),
        ({"plenty": ""}, "must be 1 to 3 words"),
        ({"plenty": "a b c d"}, "must be 1 to 3 words"),
        ({"plenty": 3}, "must be a string"),
        ({"12": "twelve"}, "must be one word"),
        ([("plenty", "stock"), ("Plenty", "shares")], "second original"),
        ({"swaps": [{"spun": "plenty"}]}, 'with "spun" and "original"'),
        ({"swaps": [{"spun": "plenty", "original": "stock", "places": -1}]}, "non-negative"),
        ({"swaps": [{"spun": "plenty", "original": "stock", "nearest": "yes"}]}, "nearest of 'plenty' must be true or false"),
        ({"format": "unspin-spinner-table", "version": 2, "swaps": []}, "format/version"),
    ],
)
def test_a_bad_table_is_refused_with_what_to_fix(table: object, detail: str) -> None:
    with pytest.raises(ValueError, match=r"\[U007\] spinner_table: .*" + detail.replace("(", r"\(")) as err:
        make_config(spinner_table=table)
    assert "unspin learn" in str(err.value)
