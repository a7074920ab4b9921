"""The model engine on the real committed model: edits on input spans only, fallback to rules."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from service import apply_edits, restore_and_explain, restore_many
from service.edits import EDIT_SOURCES
from service.model_engine import _aligned_arcs

ROOT = Path(__file__).resolve().parent.parent
SPUN = [
    "Officials pronounced on Monday that a infantry had left a city.",
    "A revisit by a commander of Iran's chosen Quds Force to Baghdad has led to a postponement in attacks on US infantry",
    "<p>He pronounced:\r\n\r\n  “Dual some-more brigades will arrive.”</p>\n",
    "",
    "Le gouvernement a annoncé une réforme des retraites.",
]


def test_model_engine_reports_itself_and_keeps_text_outside_edits() -> None:
    results = restore_many(SPUN, engine="model", min_confidence=0.0)
    for text, result in zip(SPUN, results, strict=True):
        assert result.engine == "model"
        assert apply_edits(text, result.edits) == result.text
        for e in result.edits:
            assert text[e.start : e.end] == e.spun
            assert e.source in EDIT_SOURCES
    assert results[0].text == "Officials said on Monday that the troops had left the city."
    assert results[3].edits == [] and results[4].edits == []


def test_model_only_proposals_are_labelled_model() -> None:
    arcs = _aligned_arcs("the plenty market fell".split(), "the stock market fell".split(), 0.0)
    assert [(a.start, a.end, a.words, a.source) for a in arcs] == [(1, 2, ("stock",), "model")]
    # insertions and deletions are never arcs: the model cannot add or drop text
    assert _aligned_arcs("the market fell".split(), "the stock market fell sharply".split(), 0.0) == []


def test_disabling_the_model_stage_gives_the_rules_output() -> None:
    text = SPUN[1]
    assert restore_and_explain(text, engine="model", disable=["seq2seq"]).text == restore_and_explain(text, engine="rules").text


_PROBE = """
import json, logging, sys
logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
import service
r = service.restore_and_explain(sys.argv[1], engine="model")
r2 = service.restore_and_explain(sys.argv[1], engine="model")
print(json.dumps({"engine": r.engine, "text": r.text, "again": r2.engine, "status": service.engine.engine_status()["engine"]}))
"""


def _run_with_model_dir(model_dir: Path) -> tuple[dict, str]:
    env = {**os.environ, "UNSPIN_MODEL_DIR": str(model_dir), "UNSPIN_ENGINE": "model"}
    proc = subprocess.run([sys.executable, "-c", _PROBE, SPUN[0]], env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout), proc.stderr


@pytest.mark.parametrize("damage", ["missing", "corrupt"])
def test_unusable_model_falls_back_to_rules_with_one_warning(tmp_path: Path, damage: str) -> None:
    model_dir = tmp_path / "model"
    if damage == "corrupt":
        shutil.copytree(ROOT / "models" / "seq2seq", model_dir)
        weights = model_dir / "model.safetensors"
        weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])
    out, stderr = _run_with_model_dir(model_dir)
    assert out == {"engine": "rules", "text": restore_and_explain(SPUN[0], engine="rules").text, "again": "rules", "status": "rules"}
    assert stderr.count("U030") == 1
