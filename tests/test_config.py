"""RestoreConfig validation: every bad option gets a coded message that names it."""

from __future__ import annotations

import pytest

from service import RestoreConfig
from service.config import make_config


def test_defaults_favour_precision() -> None:
    cfg = make_config()
    assert cfg == RestoreConfig()
    assert cfg.min_confidence >= 0.5


def test_kwargs_override_config() -> None:
    base = RestoreConfig(min_confidence=0.2)
    assert make_config(base, engine="rules") == RestoreConfig(min_confidence=0.2, engine="rules")


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"engine": "gpt"}, "U002"),
        ({"min_confidence": 1.5}, "U003"),
        ({"min_confidence": -0.1}, "U003"),
        ({"disable": ["nonsense"]}, "U004"),
        ({"max_candidates": -1}, "U005"),
        ({"beam_width": 0}, "U006"),
    ],
)
def test_bad_values_raise(kwargs: dict, code: str) -> None:
    with pytest.raises(ValueError, match=code):
        make_config(**kwargs)


def test_unknown_option_raises_type_error() -> None:
    with pytest.raises(TypeError, match="U001"):
        make_config(colour="blue")


def test_renamed_option_warns() -> None:
    with pytest.warns(DeprecationWarning, match="min_confidence"):
        assert make_config(threshold=0.7).min_confidence == 0.7
