"""The decoder's windowed language-model gains against whole-sentence scores (real kenlm model)."""

from __future__ import annotations

import pytest

from service.decoder import Decoder
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
    gains = Decoder(lm.model).window_gains(forms, [(0, 1, ("the",)), (1, 2, ("infantry",)), (0, 2, ("troops",))])
    for (start, end, words), gain in zip([(0, 1, ("the",)), (1, 2, ("infantry",)), (0, 2, ("troops",))], gains, strict=True):
        assert gain == pytest.approx(lm.score(forms[:start] + list(words) + forms[end:]) - lm.score(forms), abs=1e-3)
