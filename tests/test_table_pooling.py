"""A learnt swap in pass 2: its price (candidates.CandidateGenerator.price) and its confidences pooled over every
place (rules_engine._pool_table_swaps)."""

from __future__ import annotations

import math

import pytest

from service.candidates import (
    CLEAN_P_FIELD,
    FIELD_TABLE_SPIN_RATE,
    Arc,
    CandidateGenerator,
    DocumentEvidence,
    Proposals,
)
from service.decoder import Decision
from service.rules_engine import TABLE_AGREEMENT_CONFIDENCE, _mark_repeats, _pool_table_swaps, _Sentence
from service.text import sentences

TABLE = {"plenty": {"stock": 1.0}}


def _batch(confidences: list[float | None]) -> list[_Sentence]:
    """One sentence per place of "plenty"; None: the decoder kept the spun word there."""
    batch = []
    for doc, confidence in enumerate(confidences):
        (tokens,) = sentences("Shares of plenty rose.")
        sent = _Sentence(doc, tokens)
        i = sent.forms.index("plenty")
        if confidence is not None:
            sent.decisions = [Decision(Arc(i, i + 1, ("stock",), -1.0, "document"), 0.5, ())]
            sent.confidences = [confidence]
        batch.append(sent)
    return batch


def _tables(batch: list[_Sentence], clean: frozenset[int] = frozenset()) -> list[dict[str, dict[str, float]]]:
    """Each document's swaps: the batch's table, or none where the document shows no sign of a spinner
    (``rules_engine._swap_tables`` gives those the caller's swaps only)."""
    return [{} if doc in clean else TABLE for doc in range(len(batch))]


def _pooled(confidences: list[float | None], known: dict[str, str] | None = None, clean: frozenset[int] = frozenset()) -> list[float]:
    batch = _batch(confidences)
    _pool_table_swaps(batch, _tables(batch, clean), {"plenty": len(batch)}, known or {})
    return [c for s in batch for c in s.confidences]


DOUBTED = [0.3, 0.25, 0.4, 0.25, 0.35, 0.3, 0.45]  # the verifier's confidences at 7 places


def test_a_swap_made_nearly_everywhere_is_trusted_everywhere() -> None:
    pooled = _pooled([*DOUBTED, 0.95, None])  # made at 8 of its 9 places
    assert pooled == [TABLE_AGREEMENT_CONFIDENCE] * 7 + [0.95]


@pytest.mark.parametrize(
    "confidences",
    [
        [*DOUBTED, 0.95, None, None, None, None],  # made at 8 of 12 places: the spinner's table says otherwise
        DOUBTED,  # 7 places: too few to pool
        [0.05, 0.1, 0.9, 0.02, 0.12, 0.3, 0.1, 0.2],  # median 0.11: the verifier doubts most of them
    ],
)
def test_a_swap_without_agreement_keeps_its_confidences(confidences: list[float | None]) -> None:
    assert _pooled(confidences) == [c for c in confidences if c is not None]


def test_a_swap_of_the_callers_table_is_trusted_wherever_it_is_made() -> None:
    """``RestoreConfig.spinner_table``: learnt from a corpus, or written by a person."""
    assert _pooled([0.3, None, None], known={"plenty": "stock"}) == [TABLE_AGREEMENT_CONFIDENCE]
    assert _pooled([0.3, None, None], known={"plenty": "shares"}) == [0.3]


def test_a_document_without_the_batch_table_neither_counts_nor_is_raised() -> None:
    """A clean document's own word, made by the decoder from another source, is no place of the batch's swap."""
    pooled = _pooled([*DOUBTED, 0.95, 0.3], clean=frozenset({8}))  # 8 places in the spun documents, one in a clean one
    assert pooled == [TABLE_AGREEMENT_CONFIDENCE] * 7 + [0.95, 0.3]
    assert _pooled([*DOUBTED, 0.95], clean=frozenset({0})) == [*DOUBTED, 0.95]  # 7 places left: too few


def test_a_repeated_sentence_counts_once() -> None:
    """The same sentence at every place (a site's footer under each article) agrees with itself whatever the spinner
    did: it is one place, too few to pool."""
    batch = _batch([*DOUBTED, 0.95, None])
    _mark_repeats(batch)
    assert [s.repeat for s in batch] == [False] + [True] * 8
    _pool_table_swaps(batch, _tables(batch), {"plenty": 1}, {})
    assert [c for s in batch for c in s.confidences] == [*DOUBTED, 0.95]


def test_a_learnt_swap_of_a_field_spun_text_is_priced_with_at_least_the_field_spin_rate() -> None:
    """A text's spin rate counts what pass 1 changed, about a quarter of the field spinner's content swaps, so the
    swaps its batch learnt are priced with at least ``FIELD_TABLE_SPIN_RATE`` times ``p_field``; the dictionary's arcs,
    and a clean text's learnt swaps, keep the spin rate (a swap the table adds and one it raises alike)."""
    forms = ["plenty", "prices", "fell"]
    listed = Arc(0, 1, ("stock",), math.log10(0.2), "thesaurus", 0.2)  # the table raises it; "costs" it adds
    proposals = Proposals({0: [listed]}, frozenset({0, 1}))
    table = {"plenty": {"stock": 0.5}, "prices": {"costs": 0.5}}

    def logps(p_field: float, spin_rate: float) -> dict[str, float]:
        evidence = DocumentEvidence(p_field=p_field, spin_rate=spin_rate, table=table, counts={}, batch_counts={})
        return {a.words[0]: a.logp for arcs in CandidateGenerator.price(proposals, forms, evidence).values() for a in arcs}

    def odds(rate: float) -> float:
        return math.log10(rate / (1.0 - rate))

    learnt = math.log10(0.5)
    field = logps(1.0, 0.01)
    assert field == pytest.approx({"stock": odds(FIELD_TABLE_SPIN_RATE) + learnt, "costs": odds(FIELD_TABLE_SPIN_RATE) + learnt})
    assert logps(CLEAN_P_FIELD, 0.01) == pytest.approx({"stock": odds(0.01) + learnt, "costs": odds(0.01) + learnt})
    assert logps(1.0, 0.2) == pytest.approx({"stock": odds(0.2) + learnt, "costs": odds(0.2) + learnt})
    # without a table, the dictionary's arc keeps the spin rate in a field-spun text
    evidence = DocumentEvidence(p_field=1.0, spin_rate=0.01, table={}, counts={}, batch_counts={})
    (only,) = CandidateGenerator.price(proposals, forms, evidence)[0]
    assert only.logp == pytest.approx(odds(0.01) + math.log10(0.2))
