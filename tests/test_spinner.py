"""The spinner emulator: loss-free swaps, the field "the" rule, determinism, case transfer.

The field style builds (once) and caches its table under ``$UNSPIN_CACHE_DIR`` or
``~/.cache/unspin`` (about 20-40 s the first time).
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scripts.spinner import (
    SWAP_KINDS,
    Spinner,
    SpunText,
    Swap,
    match_case,
    table_composition,
    unspin_swaps,
)
from service.text import tokenize

TEXT = (
    "The troops said the visit by the elite commander would pause.\n\n"
    "  Two soldiers and three officials were killed at the  border;\tthe government has more forces\n"
    "than expected, and less money. “The company’s shares rose 5%,” said the president. TROOPS LEFT.\n"
)

# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def field() -> Spinner:
    return Spinner("field", seed=0)


@pytest.fixture(scope="module")
def thesaurus() -> Spinner:
    return Spinner("thesaurus", seed=0)


def check_swaps(result: SpunText, text: str) -> None:
    """Spans point at the spun words, and undoing the swaps gives back the input exactly."""
    assert result.original == text
    for sw in result.swaps:
        assert result.spun[sw.start : sw.end] == sw.spun
        assert sw.kind in SWAP_KINDS
        assert sw.spun != sw.original
    assert unspin_swaps(result.spun, result.swaps) == text


# ---------------------------------------------------------------- loss-free output


@pytest.mark.parametrize("style", ["field", "thesaurus", "tortured", "clean"])
def test_text_outside_swaps_is_kept(style: str) -> None:
    result = Spinner(style, seed=0).spin(TEXT)
    check_swaps(result, TEXT)


def test_clean_changes_nothing() -> None:
    assert Spinner("clean", seed=3).spin(TEXT) == SpunText(TEXT, TEXT, [])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(["the", "The", "troops", "said", "at", "three", "visit", "Government", "MORE",
                                 "forces", " ", "  ", "\n", ",", ".", "’s", "“", "-", "twenty-five", "x"]), max_size=40))
def test_reconstruction_property(parts: list[str]) -> None:
    text = " ".join(parts)
    check_swaps(Spinner("field", seed=0).spin(text), text)


# ---------------------------------------------------------------- the field style


def test_field_turns_every_lower_case_the_into_a(field: Spinner) -> None:
    result = field.spin(TEXT * 3)
    spun_words = [t.text for t in tokenize(result.spun)]
    assert "the" not in spun_words
    assert spun_words.count("The") == [t.text for t in tokenize(TEXT * 3)].count("The")
    assert any(sw.kind == "the" and sw.spun == "a" and sw.original == "the" for sw in result.swaps)


def test_the_becomes_a_also_where_a_phrase_fingerprint_is_left_alone(field: Spinner) -> None:
    """The fingerprint "at the" -> "during a" is applied per occurrence; where it is not, "the" still becomes "a"."""
    results = [field.spin(f"Report {i}: they met at the border.") for i in range(40)]
    kinds = {sw.kind for r in results for sw in r.swaps if sw.original.lower() in {"the", "at the"}}
    assert kinds == {"fingerprint", "the"}  # both happened
    assert all("the" not in [t.text for t in tokenize(r.spun)] for r in results)


def test_field_number_words_become_digits(field: Spinner) -> None:
    swaps = [sw for i in range(5) for sw in field.spin(f"Report {i}: three men and twenty-five women.").swaps]
    assert ("3", "three", "number") in {(s.spun, s.original, s.kind) for s in swaps}
    assert ("25", "twenty-five", "number") in {(s.spun, s.original, s.kind) for s in swaps}


def test_hyphenated_words_with_a_number_part_are_not_numbers(field: Spinner) -> None:
    text = "A twenty-one-year-old and a forty-something were seen."
    spun = field.spin(text)
    assert all(s.kind != "number" for s in spun.swaps)
    assert unspin_swaps(spun.spun, spun.swaps) == text


def test_field_fingerprints_and_multi_word_pairs(field: Spinner) -> None:
    swaps = [sw for i in range(10) for sw in field.spin(f"Item {i}: the troops said they were at the base.").swaps]
    pairs = {(s.spun, s.original, s.kind) for s in swaps}
    assert ("pronounced", "said", "fingerprint") in pairs
    assert ("during a", "at the", "fingerprint") in pairs


def test_field_table_is_fixed_and_mixed(field: Spinner) -> None:
    comp = table_composition(field.table)
    assert len(field.table) > 3000
    assert 0.45 < comp["moby"] < 0.65 and 0.08 < comp["wordnet"] < 0.25 and 0.2 < comp["other"] < 0.4
    # a word's swaps always use its one table entry
    word = next(w for w in sorted(field.table) if w.isalpha() and len(w) > 4)
    spuns = {sw.spun for i in range(30) for sw in field.spin(f"Note {i}: {word}.").swaps if sw.original == word}
    assert spuns <= {field.table[word][0]}


def test_field_rate_changes_a_fraction_of_content_words(field: Spinner) -> None:
    text = " ".join(["The market expected prices to increase because demand was strong."] * 40)
    result = field.spin(text)
    content = [s for s in result.swaps if s.kind not in ("the", "number")]
    assert 0.05 < len(content) / len(tokenize(text)) < 0.6


# ---------------------------------------------------------------- determinism and case


@pytest.mark.parametrize("style", ["field", "thesaurus", "tortured"])
def test_same_seed_same_output(style: str) -> None:
    assert Spinner(style, seed=0).spin(TEXT) == Spinner(style, seed=0).spin(TEXT)


def test_spinner_state_does_not_leak_between_calls(thesaurus: Spinner) -> None:
    first = thesaurus.spin(TEXT)
    thesaurus.spin("Something else entirely, with words to swap.")
    assert thesaurus.spin(TEXT) == first


def test_swapped_words_keep_the_original_case(field: Spinner) -> None:
    text = " ".join(f"Troops said. TROOPS SAID. Government forces said the details of {i}." for i in range(20))
    swaps = field.spin(text).swaps
    assert swaps
    for sw in swaps:
        if sw.original.isupper() and len(sw.original) > 1 and not sw.spun.isdigit():
            assert sw.spun.isupper(), sw
        elif sw.original[:1].isupper():
            assert sw.spun[:1].isupper(), sw
        else:
            assert sw.spun == sw.spun.lower(), sw


def test_match_case() -> None:
    assert match_case("Troops", "infantry") == "Infantry"
    assert match_case("TROOPS", "infantry") == "INFANTRY"
    assert match_case("troops", "infantry") == "infantry"
    assert match_case("At the", "during a") == "During a"


def test_tortured_style_replaces_technical_phrases() -> None:
    text = "We use artificial intelligence and machine learning. " * 5
    swaps = Spinner("tortured", seed=0).spin(text).swaps
    assert any(sw.kind == "tortured" and sw.original.lower() == "artificial intelligence" for sw in swaps)


def test_unknown_style_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown style"):
        Spinner("bogus", seed=0)


def test_unspin_swaps_rejects_bad_spans() -> None:
    with pytest.raises(ValueError):
        unspin_swaps("a man", [Swap(0, 1, "b", "the", "the")])
