"""The committed kenlm model and gap-filler index (real artefacts, no mocks)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from service.lm import (
    FORMAT,
    NEWSWIRE_WORDS,
    VERSION,
    GapFiller,
    LanguageModel,
    default_gap_filler_path,
    default_lm_path,
    load_gap_filler,
    load_language_model,
    query_forms,
)
from service.text import lm_sentence, tokenize


@pytest.fixture(scope="module")
def lm() -> LanguageModel:
    return load_language_model()


@pytest.fixture(scope="module")
def gaps() -> GapFiller:
    return load_gap_filler()


def forms(text: str) -> list[str]:
    return lm_sentence(tokenize(text))


def test_sidecar_matches(lm: LanguageModel) -> None:
    assert lm.info["kind"] == "kenlm"
    assert (lm.info["format"], lm.info["version"]) == (FORMAT, VERSION)
    assert lm.order == lm.info["order"] >= 3
    assert lm.info["normalisation"] == "service.text.lm_form"
    assert load_language_model() is lm  # cached


def test_natural_sentence_beats_spun_one(lm: LanguageModel) -> None:
    natural = forms("the troops said on monday")
    spun = forms("a infantry pronounced on monday")
    assert lm.score(natural) > lm.score(spun) + 2.0


@pytest.mark.parametrize(
    ("original", "spun"),
    [
        ("He was born in the United States .", "He was conceived in a United States ."),
        ("The government said it would raise taxes .", "A administration pronounced it would lift taxes ."),
    ],
)
def test_original_beats_spun(lm: LanguageModel, original: str, spun: str) -> None:
    assert lm.score(forms(original)) > lm.score(forms(spun))


def test_word_scores_add_up(lm: LanguageModel) -> None:
    toks = forms("the troops said on monday")
    scores = lm.word_scores(toks)
    assert len(scores) == len(toks) + 1  # + </s>
    assert sum(scores) == pytest.approx(lm.score(toks), abs=1e-3)
    assert all(s < 0 for s in scores)


def test_contains(lm: LanguageModel) -> None:
    assert lm.contains("troops") and "the" in lm
    assert not lm.contains("Troops")  # the model only knows LM forms (lower case)
    assert not lm.contains("qzxqzxqzx")


def test_sidecar_version_mismatch_raises(lm: LanguageModel, tmp_path: Path) -> None:
    binary = tmp_path / "wrong.binary"
    binary.symlink_to(lm.path)
    info = dict(lm.info, version="v0")
    binary.with_suffix(".json").write_text(json.dumps(info), encoding="utf-8")
    with pytest.raises(ValueError, match="version=v0"):
        load_language_model(binary)


def test_missing_model_says_how_to_build(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"python scripts/train_lm\.py.*UNSPIN_LM_PATH"):
        load_language_model(tmp_path / "nope.binary")


def test_env_var_picks_the_model(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("UNSPIN_LM_PATH", str(tmp_path / "elsewhere.binary"))
    assert default_lm_path() == tmp_path / "elsewhere.binary"
    with pytest.raises(FileNotFoundError, match="elsewhere.binary"):
        load_language_model()


def test_gap_filler_header(gaps: GapFiller) -> None:
    assert (gaps.header["kind"], gaps.header["format"], gaps.header["version"]) == ("gap-filler", 1, VERSION)
    assert gaps.n_targets == gaps.header["V"] == 40_000
    assert default_gap_filler_path().stat().st_size < 16_000_000


def test_gap_filler_proposes_troops(gaps: GapFiller) -> None:
    assert "troops" in [w for w, _ in gaps.candidates("american", "withdrew", k=3)]
    words = [w for w, _ in gaps.candidates("us", "withdrew", k=10)]
    assert words[0] in {"troops", "forces", "army"} and "forces" in words[:3]  # "us army withdrew"


def test_gap_filler_candidates(gaps: GapFiller) -> None:
    said = [w for w, _ in gaps.candidates("the", "said", k=20)]
    assert {"spokesman", "officials"} <= set(said[:5])
    scores = [s for _, s in gaps.candidates("the", "of", k=20)]
    assert len(scores) == 20 and all(s <= 0 for s in scores)
    assert [w for w, _ in gaps.candidates("<s>", "was", k=3)][0] in {"he", "it", "she", "this", "there"}
    assert gaps.candidates("qzxqzxqzx", "qzxqzxqzx") == []
    assert gaps.candidates("qzxqzxqzx", "of", k=5)  # one side known: falls back to it


def test_gap_filler_vocabulary(gaps: GapFiller) -> None:
    assert gaps.is_known("troops") and gaps.is_known("the")
    assert not gaps.is_known(",") and not gaps.is_known("1990")  # contexts only, never proposed
    assert not gaps.is_known("qzxqzxqzx")


def test_gap_filler_version_mismatch_and_missing(gaps: GapFiller, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"python scripts/train_lm\.py"):
        load_gap_filler(tmp_path / "nope.npz")
    import numpy as np

    with np.load(default_gap_filler_path()) as npz:
        arrays = {k: npz[k] for k in npz.files}
    header = json.loads(bytes(arrays["header"]).decode("utf-8"))
    arrays["header"] = np.frombuffer(json.dumps(dict(header, version="v0")).encode("utf-8"), dtype=np.uint8)
    np.savez(tmp_path / "old.npz", **arrays)
    with pytest.raises(ValueError, match="version=v0"):
        load_gap_filler(tmp_path / "old.npz")


def test_sidecar_copy_loads(lm: LanguageModel, tmp_path: Path) -> None:
    copy = tmp_path / "copy.binary"
    copy.symlink_to(lm.path)
    shutil.copyfile(lm.path.with_suffix(".json"), copy.with_suffix(".json"))
    other = load_language_model(copy)
    assert other.score(["the"]) == pytest.approx(lm.score(["the"]))


def test_newswire_shorthand_is_read_as_the_words_wikipedia_writes(lm: LanguageModel) -> None:
    assert query_forms(forms("Shr 9 cts vs 1.2 dlrs , up 5 pct from 3 mln")) == (
        "share 9 cents vs 1.2 dollars , up 5 percent from 3 million".split()
    )
    assert query_forms(forms("The pact was signed")) == forms("The pact was signed")  # whole forms only
    # the model has context around the written-out words and none around the shorthand
    assert lm.model.score("33 dollars a barrel", bos=False, eos=False) > lm.model.score("33 dlrs a barrel", bos=False, eos=False)


def test_newswire_shorthand_is_never_a_word_the_engine_edits() -> None:
    """The mapping changes what the model reads, never the text: no shorthand is a content candidate."""
    from service.candidates import _is_content_candidate

    for short in NEWSWIRE_WORDS:
        token = tokenize(f"up {short}")[1]
        assert not _is_content_candidate(token, 1), short


def test_rebuild_defaults_are_the_shipped_models_settings(tmp_path: Path) -> None:
    """``python scripts/train_lm.py`` without options rebuilds the shipped model: its lmplz and build_binary
    settings are those the committed sidecar records (until 2026-12-07 the default pruning was another)."""
    from scripts.train_lm import _portable, binary_args, lmplz_args, model_paths, parse_args

    args = parse_args([])
    sidecar = json.loads(model_paths(args.out_dir, args.order)[1].read_text(encoding="utf-8"))
    lmplz = " ".join(["lmplz", *_portable(lmplz_args(args.order, args.prune, args.memory, tmp_path / "v.txt", tmp_path))])
    assert sidecar["order"] == args.order and sidecar["vocabulary"] == args.lm_vocab
    assert sidecar["settings"] == {"lmplz": lmplz, "build_binary": " ".join(["build_binary", *binary_args(args)])}


def test_sentences_step_leaves_out_the_excluded_files_and_keeps_to_them(tmp_path: Path) -> None:
    """``--exclude`` keeps a corpus file out of the model (the verifier's documents); a work folder holding the
    sentences of other files is refused rather than silently built on."""
    import lzma

    from scripts.train_lm import main

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in (("wiki-a", "The troops left the city."), ("wiki-b", "A visit was paused.")):
        with lzma.open(corpus / f"{name}.xml.xz", "wt", encoding="utf-8") as f:
            f.write(f'<doc id="1" title="T">\nT\n\n{text}\n</doc>\n')
    work = tmp_path / "work"
    main(["--corpus", str(corpus), "--work-dir", str(work), "--exclude", "wiki-b", "--steps", "sentences", "--workers", "1"])
    stats = json.loads((work / "stats.json").read_text(encoding="utf-8"))
    assert stats["files"] == ["wiki-a.xml.xz"] and stats["sentences"] == 1
    assert (work / "sentences" / "wiki-a.txt").read_text(encoding="utf-8") == "the troops left the city .\n"
    with pytest.raises(SystemExit, match="other corpus files"):
        main(["--corpus", str(corpus), "--work-dir", str(work), "--steps", "sentences", "--workers", "1"])
    main(["--corpus", str(corpus), "--work-dir", str(work), "--steps", "sentences", "--force", "--workers", "1"])
    assert json.loads((work / "stats.json").read_text(encoding="utf-8"))["files"] == ["wiki-a.xml.xz", "wiki-b.xml.xz"]
