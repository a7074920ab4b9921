"""The committed seq2seq model: it loads, un-spins, scores, and refuses broken folders.

These tests load the REAL model under ``models/seq2seq`` (no mocks). They are skipped
only when torch/transformers are not installed (the rules-only install).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("sentencepiece")
pytest.importorskip("safetensors")

from service.seq2seq import (
    FILES,
    HEADER_FILE,
    WEIGHTS_FILE,
    Seq2SeqRestorer,
    default_model_dir,
    load_seq2seq,
)

MODEL_DIR = Path(__file__).resolve().parent.parent / "models" / "seq2seq"


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def restorer() -> Seq2SeqRestorer:
    return load_seq2seq(MODEL_DIR)


@pytest.fixture
def model_copy(tmp_path: Path) -> Path:
    """A writable copy of the committed model folder."""
    dst = tmp_path / "model"
    shutil.copytree(MODEL_DIR, dst)
    return dst


# ---------------------------------------------------------------- loading


def test_default_dir_is_the_committed_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("UNSPIN_MODEL_DIR", raising=False)
    assert default_model_dir() == MODEL_DIR
    monkeypatch.setenv("UNSPIN_MODEL_DIR", "/somewhere/else")
    assert default_model_dir() == Path("/somewhere/else")


def test_committed_model_is_small_and_complete() -> None:
    assert all((MODEL_DIR / name).is_file() for name in FILES)
    assert sum((MODEL_DIR / name).stat().st_size for name in FILES) <= 50_000_000
    header = json.loads((MODEL_DIR / HEADER_FILE).read_text(encoding="utf-8"))
    assert header["format"] == 1 and header["kind"] == "seq2seq" and header["version"] == "v1"
    assert "CC BY-SA" in header["source"]


def test_user_folder_of_the_same_format_loads(model_copy: Path) -> None:
    r = load_seq2seq(model_copy)
    assert r.model_dir == model_copy
    assert r.restore_sentences(["The troops said on Monday that the visit was over."])[0]


def test_missing_weights_raise_file_not_found(model_copy: Path) -> None:
    (model_copy / WEIGHTS_FILE).unlink()
    with pytest.raises(FileNotFoundError, match=WEIGHTS_FILE):
        load_seq2seq(model_copy)


def test_missing_folder_raises_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_seq2seq(tmp_path / "nothing-here")


def test_corrupt_weights_raise_value_error(model_copy: Path) -> None:
    weights = model_copy / WEIGHTS_FILE
    weights.write_bytes(b"this is not a safetensors file" * 1000)
    with pytest.raises(ValueError, match="corrupt"):
        load_seq2seq(model_copy)


def test_corrupt_weights_without_checksum_raise_value_error(model_copy: Path) -> None:
    header = json.loads((model_copy / HEADER_FILE).read_text(encoding="utf-8"))
    del header["settings"]["sha256"]
    (model_copy / HEADER_FILE).write_text(json.dumps(header), encoding="utf-8")
    (model_copy / WEIGHTS_FILE).write_bytes(b"\x00garbage" * 5000)
    with pytest.raises(ValueError, match="corrupt"):
        load_seq2seq(model_copy)


def test_header_version_mismatch_raises_value_error(model_copy: Path) -> None:
    header = json.loads((model_copy / HEADER_FILE).read_text(encoding="utf-8"))
    header["version"] = "v0"
    (model_copy / HEADER_FILE).write_text(json.dumps(header), encoding="utf-8")
    with pytest.raises(ValueError, match="version=v0"):
        load_seq2seq(model_copy)


def test_header_of_another_kind_raises_value_error(model_copy: Path) -> None:
    (model_copy / HEADER_FILE).write_text('{"format": 1, "kind": "lm", "version": "v1"}', encoding="utf-8")
    with pytest.raises(ValueError, match="kind=lm"):
        load_seq2seq(model_copy)


def test_bad_thread_setting_raises_value_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UNSPIN_TORCH_THREADS", "two")
    with pytest.raises(ValueError, match="UNSPIN_TORCH_THREADS"):
        load_seq2seq(MODEL_DIR)


# ---------------------------------------------------------------- restoring


def test_restores_the_field_spinner_article_rule(restorer: Seq2SeqRestorer) -> None:
    # The field spinner always turns lower-case "the" into "a"; a random model would not
    # give back "the", "said" and "troops" and keep the rest of the sentence.
    out = restorer.restore_sentences(["Officials pronounced on Monday that a infantry had left a city."])[0]
    assert out == "Officials said on Monday that the troops had left the city."


def test_sentence_initial_lower_case_a_is_a_known_gap(restorer: Seq2SeqRestorer) -> None:
    # Training sentences start with a capital, so a lower-case sentence-initial "a"
    # (a fragment) is left alone while the rest is restored.
    out = restorer.restore_sentences(["a infantry pronounced on Monday that a attack was over."])[0]
    assert out.startswith("a ") and "said on Monday that the attack was over." in out


def test_restores_known_swaps(restorer: Seq2SeqRestorer) -> None:
    out = restorer.restore_sentences(["He pronounced that a government would announce a plan in a spring."])[0]
    assert out.count("the ") >= 2, out
    assert "said" in out, out


def test_clean_sentences_come_back_unchanged(restorer: Seq2SeqRestorer) -> None:
    clean = [
        "The city council met on Tuesday to discuss the new budget.",
        "She was born in Paris and studied music at the conservatory.",
    ]
    assert restorer.restore_sentences(clean) == clean


def test_batching_keeps_order_whitespace_and_blanks(restorer: Seq2SeqRestorer) -> None:
    sents = ["  The war ended in 1945. ", "", "He was born in London.", "\n"]
    out = restorer.restore_sentences(sents, max_batch=2)
    assert len(out) == 4
    assert out[0].startswith("  ") and out[0].endswith(". ")
    assert out[1] == "" and out[3] == "\n"
    assert out == restorer.restore_sentences(sents, max_batch=32)


def test_long_sentences_are_restored_in_pieces(restorer: Seq2SeqRestorer) -> None:
    long = ", ".join(["The army moved north in the spring"] * 8) + "."
    out = restorer.restore_sentences([long])[0]
    assert 0.8 * len(long) <= len(out) <= 1.2 * len(long)


def test_score_prefers_the_original(restorer: Seq2SeqRestorer) -> None:
    src = "a infantry pronounced on Monday that a attack was over."
    good, bad = "the troops said on Monday that the attack was over.", "a infantry pronounced on Monday that a attack was over."
    scores = restorer.score(src, [good, bad, "bananas"])
    assert len(scores) == 3 and all(s < 0 for s in scores)
    assert scores[0] > scores[1]
    assert restorer.score(src, []) == []
