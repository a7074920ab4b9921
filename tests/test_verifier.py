"""The verifier artefacts: they load, match the feature list, and score sensibly."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from service.candidates import Arc, DocumentEvidence, zipf
from service.decoder import Decision
from service.verifier import FEATURES, features, load_verifier, verifier_path


@pytest.mark.parametrize("engine", ["rules", "model"])
def test_shipped_verifier_loads_and_says_how_it_was_fitted(engine: str) -> None:
    verifier = load_verifier(engine)
    assert len(verifier.weights) == len(FEATURES)
    assert verifier.info["engine"] == engine
    assert verifier.info["held_out"]["samples"] > 1000
    assert "train_verifier" in verifier.info["command"]


def test_a_fit_names_its_language_model_and_warns_when_it_saw_the_documents(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from scripts.train_verifier import WIKI_FILE, language_model_info
    from service.lm import default_lm_path

    shipped = default_lm_path()
    sidecar = json.loads(shipped.with_suffix(".json").read_text(encoding="utf-8"))
    # the shipped binary under two names: with a sidecar that says the documents' file was left out, and with its own
    for name, info in (("held.binary", {**sidecar, "held_out": [WIKI_FILE]}), ("lm.binary", sidecar)):
        (tmp_path / name).symlink_to(shipped)
        (tmp_path / name).with_suffix(".json").write_text(json.dumps(info), encoding="utf-8")
    monkeypatch.setenv("UNSPIN_LM_PATH", str(tmp_path / "held.binary"))
    with caplog.at_level("WARNING", logger="train_verifier"):
        assert language_model_info() == {"file": "held.binary", "held_out": [WIKI_FILE]}
    assert caplog.records == []
    monkeypatch.setenv("UNSPIN_LM_PATH", str(tmp_path / "lm.binary"))  # as the shipped model
    with caplog.at_level("WARNING", logger="train_verifier"):
        assert language_model_info()["held_out"] == []
    assert f"was trained on {WIKI_FILE}" in caplog.text and "--exclude" in caplog.text


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
        (_shipped_with(weights=5), "malformed field"),
        (_shipped_with(weights=[0.5]), "1 weights for"),
    ],
)
def test_a_damaged_verifier_file_is_refused_with_its_path(tmp_path: Path, text: str, says: str) -> None:
    bad = tmp_path / "verifier_rules_v1.json"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match="train_verifier") as err:
        load_verifier("rules", bad)
    assert str(bad) in str(err.value) and says in str(err.value)


def test_each_feature_lands_under_its_name() -> None:
    # features() builds its vector by position; every value here is distinct, so a value
    # written under the wrong name fails.
    arc = Arc(1, 2, ("troops",), -0.3, "fingerprint", 0.5)
    decision = Decision(arc, 0.625, (), lm_gain=2.5, margin=1.25)
    evidence = DocumentEvidence(0.875, 0.125, {"infantry": {"troops": 0.75}}, {"infantry": 3}, {"infantry": 6}, 1.0)
    forms = ["the", "infantry", "left"]
    x = dict(zip(FEATURES, features(decision, forms, evidence, frozenset({1}), frozenset({(1, 2, ("troops",))})), strict=True))
    assert {k: v for k, v in x.items() if k.startswith(("is_", "gain_")) and v} == {"is_fingerprint": 1.0, "gain_fingerprint": 2.5}
    assert (x["gain"], x["margin"], x["log_weight"], x["posterior"]) == (2.5, 1.25, math.log10(0.5), 0.625)
    assert (x["zipf_spun"], x["zipf_original"]) == (zipf("infantry"), zipf("troops"))
    assert x["zipf_gain"] == zipf("troops") - zipf("infantry")
    assert (x["p_field"], x["spin_rate"], x["learnt"]) == (0.875, 0.125, 0.75)
    assert (x["table_support"], x["log_occurrences"]) == (math.log1p(0.75 * 6), math.log1p(3))
    assert (x["unfit"], x["model_agrees"], x["article_model_agrees"], x["multiword"]) == (1.0, 1.0, 0.0, 0.0)
    # a text with no "a" or "the" of its own (a headline, a table) may take its batch's p_field for the rules, but the
    # verifier reads its own evidence, none: an earnings table's swaps stay doubted, whatever its batch
    borrowed = evidence._replace(field_evidence=False)
    y = dict(zip(FEATURES, features(decision, forms, borrowed, frozenset({1}), frozenset()), strict=True))
    assert y["p_field"] == 0.0
