"""The recall funnel follows the real engine: its last stage is the evaluator's content recall, swap for swap."""

from __future__ import annotations

import json

import pytest

from scripts.evaluate import REUTERS, EngineRestorer, evaluate, load_reuters
from scripts.recall_funnel import KINDS, STAGES, funnel, main
from scripts.spinner import Spinner

pytestmark = pytest.mark.skipif(not (REUTERS / "reut2-020.sgm.xz").exists(), reason="shared Reuters corpus not available")


@pytest.mark.parametrize(("engine", "docs", "batch"), [("rules", 6, 1), ("rules", 6, 3), ("model", 3, 1)])
def test_kept_swaps_are_the_ones_the_evaluator_counts_restored(engine: str, docs: int, batch: int) -> None:
    if engine == "model":
        pytest.importorskip("torch")
    pairs = [Spinner("field", 0).spin(d) for d in load_reuters(docs)]
    counts = funnel(pairs, batch, engine=engine)
    restorer = EngineRestorer(engine, 0.5, batch)
    restorer.restore_batches([p.spun for p in pairs])
    m = evaluate(pairs, restorer, clean_texts=[])  # one text at a time, through the service, when batch is 1
    content = counts["content"]
    assert content["swaps"] == m.content_swaps > 0
    assert content["kept"] == m.content_restored > 0
    assert counts["fingerprint"]["kept"] == m.fingerprint_restored
    for stage in STAGES:  # the kinds split the content swaps
        assert content[stage] == sum(counts[kind][stage] for kind in KINDS[1:])
    for kind in KINDS:  # each stage holds a subset of the one before
        reached = [counts[kind][stage] for stage in STAGES]
        assert reached == sorted(reached, reverse=True)
    assert content["lattice"] > content["kept"]  # some proposed originals are not restored


def test_cli_prints_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--docs", "2", "--batch", "1,2", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"1", "2"}
    assert out["1"]["content"]["swaps"] == out["2"]["content"]["swaps"] > 0


def test_an_unknown_engine_is_refused() -> None:
    with pytest.raises(ValueError, match="'rules' or 'model'"):
        funnel([], engine="seq2seq")


@pytest.mark.parametrize("batch", ["0", "1,x", ""])
def test_cli_refuses_a_bad_batch_list(batch: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--docs", "1", "--batch", batch])
    assert exit_info.value.code == 2
    assert "batch sizes of 1 or more" in capsys.readouterr().err
