"""The verifier artefacts: they load, match the feature list, and score sensibly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.verifier import FEATURES, load_verifier, verifier_path


@pytest.mark.parametrize("engine", ["rules", "model"])
def test_shipped_verifier_loads_and_says_how_it_was_fitted(engine: str) -> None:
    verifier = load_verifier(engine)
    assert len(verifier.weights) == len(FEATURES)
    assert verifier.info["engine"] == engine
    assert verifier.info["held_out"]["samples"] > 1000
    assert "train_verifier" in verifier.info["command"]


@pytest.mark.parametrize("engine", ["rules", "model"])
def test_more_language_model_gain_means_more_confidence(engine: str) -> None:
    verifier = load_verifier(engine)
    x = list(verifier.mean)
    low, high = x.copy(), x.copy()
    low[FEATURES.index("gain")] = -1.0
    high[FEATURES.index("gain")] = 4.0
    assert 0.0 < verifier.probability(low) < verifier.probability(high) < 1.0


def test_a_verifier_fitted_on_other_features_is_refused(tmp_path: Path) -> None:
    data = json.loads(verifier_path("rules").read_text(encoding="utf-8"))
    data["features"] = data["features"][:-1]
    bad = tmp_path / "verifier_rules_v1.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match="train_verifier"):
        load_verifier("rules", bad)


def test_missing_verifier_file_raises(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_verifier("rules", tmp_path / "nope.json")


def _shipped_with(**changes: object) -> str:
    data = json.loads(verifier_path("rules").read_text(encoding="utf-8"))
    data.update(changes)
    return json.dumps({k: v for k, v in data.items() if v is not None})


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("{not json", "not a verifier file"),
        ("[1, 2]", "other features or format"),
        (_shipped_with(weights=None), "without 'weights'"),
        (_shipped_with(weights=[0.5]), "1 weights for"),
    ],
)
def test_a_damaged_verifier_file_is_refused_with_its_path(tmp_path: Path, text: str, says: str) -> None:
    bad = tmp_path / "verifier_rules_v1.json"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match="train_verifier") as err:
        load_verifier("rules", bad)
    assert str(bad) in str(err.value) and says in str(err.value)
