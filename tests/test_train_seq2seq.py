"""The seq2seq training script's warm start (``--init-from``) and dev report, on the real model."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("safetensors")

from safetensors.torch import load_file  # noqa: E402
from transformers import T5ForConditionalGeneration  # noqa: E402

from scripts.train_seq2seq import build_config, dev_report, init_weights  # noqa: E402
from service.seq2seq import load_seq2seq  # noqa: E402

MODEL_DIR = Path(__file__).resolve().parent.parent / "models" / "seq2seq"
SETTINGS = json.loads((MODEL_DIR / "unspin_model.json").read_text(encoding="utf-8"))["settings"]
CONFIG = {k: SETTINGS[k] for k in ("vocab_size", "d_model", "d_ff", "enc", "dec", "heads", "dropout")}


@pytest.fixture(scope="module")
def committed() -> Any:
    """The committed model as the service loads it (header, checksum and tensors checked)."""
    return load_seq2seq(MODEL_DIR).model


def test_init_weights_loads_every_tensor_of_the_committed_model(committed: Any) -> None:
    model = T5ForConditionalGeneration(build_config(**CONFIG))
    init_weights(model, committed)
    state = model.state_dict()
    stored = load_file(str(MODEL_DIR / "model.safetensors"))
    assert all(torch.equal(state[k], v.float()) for k, v in stored.items())
    assert torch.equal(state["lm_head.weight"], state["shared.weight"])  # left out of the file, tied


@pytest.mark.parametrize("change", [{"d_ff": 512}, {"enc": 3}, {"dec": 4}])
def test_init_weights_refuses_a_model_of_another_size(committed: Any, change: dict[str, int]) -> None:
    model = T5ForConditionalGeneration(build_config(**{**CONFIG, **change}))
    with pytest.raises(ValueError, match="does not fit this config"):
        init_weights(model, committed)


def test_dev_report_counts_restored_and_kept_words(tmp_path: Path) -> None:
    pairs = [
        # the committed model restores this one exactly (tests/test_seq2seq.py)
        ("field", "Officials pronounced on Monday that a infantry had left a city.", "Officials said on Monday that the troops had left the city."),
        ("clean", "The city council met on Tuesday to discuss the new budget.", "The city council met on Tuesday to discuss the new budget."),
    ]
    for style, src, tgt in pairs:
        rec = {"src": src, "tgt": tgt, "style": style, "seed": 901, "rate": 0.5, "swaps": 0}
        (tmp_path / f"dev-{style}-s901-r0.5.jsonl").write_text(json.dumps(rec) + "\n", encoding="utf-8")
    report = dev_report(argparse.Namespace(model_dir=MODEL_DIR, pairs=tmp_path))
    assert report["field"] == {"pairs": 1, "exact": 1.0, "exact_if_copied": 0.0, "spun_restored": 1.0, "unspun_kept": 1.0}
    clean = report["clean"]
    assert (clean["exact"], clean["exact_if_copied"], clean["unspun_kept"]) == (1.0, 1.0, 1.0)
    assert clean["spun_restored"] != clean["spun_restored"]  # NaN: nothing was spun


def test_pick_device_refuses_cuda_without_a_gpu() -> None:
    from scripts.train_seq2seq import pick_device

    assert pick_device("cpu") == torch.device("cpu")
    if torch.cuda.is_available():
        assert pick_device("auto").type == pick_device("cuda").type == "cuda"
    else:
        assert pick_device("auto") == torch.device("cpu")
        with pytest.raises(ValueError, match="sees no GPU"):
            pick_device("cuda")


def test_training_run_exports_a_folder_the_service_loads(tmp_path: Path) -> None:
    """A few seconds of training of a tiny model on tiny pairs, then ``--export``: the folder
    passes every check of ``service.seq2seq.load_seq2seq`` and restores text."""
    from scripts.train_seq2seq import main

    pairs = tmp_path / "pairs"
    pairs.mkdir()
    rows = [
        {"src": "He pronounced a supervision would send dual some-more infantry.", "tgt": "He said the government would send two more troops."},
        {"src": "The city council met on Tuesday.", "tgt": "The city council met on Tuesday."},
    ]
    for name in ("train-field-s5-r0.5.jsonl", "dev-field-s901-r0.5.jsonl"):
        (pairs / name).write_text("".join(json.dumps(r) + "\n" for r in rows * 4), encoding="utf-8")
    run, model_dir = tmp_path / "run", tmp_path / "model"
    common = ["--pairs", str(pairs), "--tokenizer", str(MODEL_DIR / "spiece.model"), "--out", str(run), "--threads", "1", "--device", "cpu"]
    tiny = ["--d-model", "32", "--d-ff", "64", "--enc", "1", "--dec", "1", "--heads", "2", "--warmup", "1", "--minutes", "0.02"]
    assert main([*common, *tiny]) == 0
    curve = [json.loads(x) for x in (run / "curve.jsonl").read_text(encoding="utf-8").splitlines()]
    assert curve and curve[-1]["step"] >= 1 and curve[-1]["dev_loss"] > 0
    assert main([*common, "--export", "--model-dir", str(model_dir)]) == 0
    restorer = load_seq2seq(model_dir)
    assert restorer.header["settings"]["d_model"] == 32 and restorer.header["settings"]["steps"] == curve[-1]["step"]
    assert isinstance(restorer.model, T5ForConditionalGeneration)
