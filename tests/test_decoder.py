"""The decoder's windowed language-model gains against whole-sentence scores (real kenlm model)."""

from __future__ import annotations

import itertools

import pytest

from service.candidates import Arc
from service.decoder import DecodeMemo, Decoder, _clusters, _realise
from service.lm import LanguageModel, load_language_model
from service.text import lm_sentence, tokenize

SENTENCE = "a revisit by a commander of iran's chosen quds force has led to a postponement in attacks on us infantry"


@pytest.fixture(scope="module")
def lm() -> LanguageModel:
    return load_language_model()


@pytest.mark.parametrize(
    ("start", "end", "words"),
    [
        (0, 1, ("the",)),  # sentence start: the window reaches <s>
        (1, 2, ("visit",)),
        (3, 4, ("the",)),
        (8, 9, ("elite",)),
        (15, 16, ("break", "in")),  # one token -> two words
        (13, 15, ("the",)),  # two tokens -> one word
        (14, 16, ("the", "pause")),
        (20, 21, ("troops",)),  # last token: the window reaches </s>
        (19, 21, ("the", "us", "troops")),
    ],
)
def test_window_gain_is_the_whole_sentence_difference(lm: LanguageModel, start: int, end: int, words: tuple[str, ...]) -> None:
    forms = lm_sentence(tokenize(SENTENCE))
    assert len(forms) == 21
    replaced = forms[:start] + list(words) + forms[end:]
    expected = lm.score(replaced) - lm.score(forms)
    (gain,) = Decoder(lm.model).window_gains(forms, [(start, end, words)])
    assert gain == pytest.approx(expected, abs=1e-3)
    assert gain != 0.0


def test_window_gains_of_a_short_sentence(lm: LanguageModel) -> None:
    forms = ["a", "troops"]  # shorter than the model's context on both sides
    queries = [(0, 1, ("the",)), (1, 2, ("infantry",)), (0, 2, ("troops",))]
    gains = Decoder(lm.model).window_gains(forms, queries)
    for (start, end, words), gain in zip(queries, gains, strict=True):
        assert gain == pytest.approx(lm.score(forms[:start] + list(words) + forms[end:]) - lm.score(forms), abs=1e-3)


def _brute_force_best(lm: LanguageModel, forms: list[str], arcs: list[Arc]) -> tuple[Arc, ...]:
    """The best path by scoring every set of non-overlapping arcs on the whole sentence."""
    best, best_score = (), lm.score(forms)
    for k in range(1, len(arcs) + 1):
        for chosen in itertools.combinations(sorted(arcs, key=lambda a: a.start), k):
            if any(b.start < a.end for a, b in itertools.pairwise(chosen)):
                continue
            words, pos = [], 0
            for a in chosen:
                words += forms[pos : a.start] + list(a.words)
                pos = a.end
            score = lm.score(words + forms[pos:]) + sum(a.logp for a in chosen)
            if score > best_score:
                best, best_score = chosen, score
    return best


LATTICES = [
    [(1, 2, ("visit",), -1.0), (3, 4, ("the",), 0.0), (20, 21, ("troops",), -1.0)],  # first arc early, last at the end
    [(8, 9, ("elite",), -1.0), (8, 9, ("selected",), -1.5), (14, 16, ("the", "pause"), -1.0)],  # the middle only
    [(0, 1, ("the",), -0.3), (13, 15, ("the",), -2.0), (14, 15, ("the",), 0.0), (15, 16, ("pause",), -1.0)],
]


def _lattice(spec: list[tuple[int, int, tuple[str, ...], float]]) -> dict[int, list[Arc]]:
    lattice: dict[int, list[Arc]] = {}
    for s, e, w, logp in spec:
        lattice.setdefault(s, []).append(Arc(s, e, w, logp, "thesaurus", 1.0))
    return lattice


@pytest.mark.parametrize("spec", LATTICES)
def test_beam_finds_the_best_path(lm: LanguageModel, spec: list[tuple[int, int, tuple[str, ...], float]]) -> None:
    forms = lm_sentence(tokenize(SENTENCE))
    lattice = _lattice(spec)
    path = Decoder(lm.model)._beam(forms, lattice, beam_width=64)
    assert tuple(path) == _brute_force_best(lm, forms, [a for arcs in lattice.values() for a in arcs])
    assert path  # each lattice holds at least one swap the language model wants


@pytest.mark.parametrize("spec", LATTICES)
def test_decode_by_parts_is_the_whole_beam(lm: LanguageModel, spec: list[tuple[int, int, tuple[str, ...], float]]) -> None:
    """``decode`` splits the lattice where paths merge and explains a lone edit from the screening's
    gains: the same path, confidences and gains as one beam over the sentence, explained in the path."""
    forms = lm_sentence(tokenize(SENTENCE))
    decoder = Decoder(lm.model, screen_margin=10.0)
    decisions = decoder.decode(forms, _lattice(spec), beam_width=64)
    screened = decoder._screen(forms, _lattice(spec), {})
    assert len(_clusters(screened, lm.model.order - 1)) > 1  # each lattice has parts that do not interact
    path = decoder._beam(forms, screened, beam_width=64)
    assert [d.arc for d in decisions] == path
    realised, starts = _realise(forms, path)
    for k, decision in enumerate(decisions):
        whole = decoder._explain(forms, path[k], starts[k], realised, screened, None)
        assert decision.confidence == pytest.approx(whole.confidence, abs=1e-6)
        assert decision.lm_gain == pytest.approx(whole.lm_gain, abs=1e-4)
        assert decision.alternatives == whole.alternatives


@pytest.mark.parametrize("spec", LATTICES)
def test_decoding_again_with_a_memo_decides_as_without(lm: LanguageModel, spec: list[tuple[int, int, tuple[str, ...], float]]) -> None:
    """The engine decodes a sentence again with an arc less (pass 2), keeping a memo of the paths and the
    explanations of the stretches that did not change: it decides exactly as a decode without one."""
    forms = lm_sentence(tokenize(SENTENCE))
    decoder = Decoder(lm.model, screen_margin=10.0)
    lattice = _lattice(spec)
    memo, gains = DecodeMemo(), {}
    first = decoder.decode(forms, lattice, 64, gains, memo)
    assert first == decoder.decode(forms, lattice, 64)
    reused = 0
    for drop in [a for arcs in lattice.values() for a in arcs]:
        fewer = {i: kept for i, arcs in lattice.items() if (kept := [a for a in arcs if a != drop])}
        again = decoder.decode(forms, fewer, 64, gains, memo)
        assert again == decoder.decode(forms, fewer, 64)
        reused += sum(any(d is f for f in first) for d in again)
    assert reused  # the unchanged stretches' explanations came from the memo
