"""Train the seq2seq model's sentencepiece tokenizer on a sample of English Wikipedia.

Unigram model, ~8k pieces, ``byte_fallback`` (no character is ever lost: anything outside
the vocabulary is spelt as UTF-8 bytes) and ``split_digits`` (numbers are spelt digit by
digit, which the spinner's "three" -> "3" swaps make common). The model sees cased text.

The step is resumable: the sampled sentences (``sample.txt``) and the model are only
rebuilt when missing or with ``--force``. Progress goes to ``<out>/train_tokenizer.log``.

Usage::

    python scripts/train_tokenizer.py --out build/seq2seq/tokenizer
"""

from __future__ import annotations

import argparse
import logging
import lzma
import random
import re
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from service.text import sentences

__all__ = ["WIKI_DIR", "main", "train_tokenizer", "wiki_files", "wiki_sentences"]

WIKI_DIR = ROOT.parent / "shared" / "corpora" / "wikipedia-en"
VOCAB_SIZE = 8000
MIN_WORDS, MAX_WORDS, MAX_CHARS = 6, 40, 280
_DOC_RE = re.compile(r"^</?doc[ >]")
_BAD_CHARS = re.compile(r"[<>\[\]{}|=]")

log = logging.getLogger("train_tokenizer")


def wiki_files(names: Sequence[str] | None = None) -> list[Path]:
    """The Wikipedia extract files, or those whose names are given (e.g. ``enwiki-major-03``)."""
    files = sorted(WIKI_DIR.glob("*.xml.xz"))
    if names:
        files = [p for p in files if p.name.split(".")[0] in set(names)]
    if not files:
        raise FileNotFoundError(f"no Wikipedia extract found in {WIKI_DIR}")
    return files


def wiki_sentences(path: Path) -> Iterator[str]:
    """Yield the prose sentences of one WikiExtractor file, in order.

    Titles, section headings and list-like lines are skipped; a sentence must have
    :data:`MIN_WORDS`-:data:`MAX_WORDS` words, at most :data:`MAX_CHARS` characters and
    no markup characters.
    """
    with lzma.open(path, "rt", encoding="utf-8") as fh:
        title_next = False
        for line in fh:
            line = line.strip()
            if _DOC_RE.match(line):
                title_next = line.startswith("<doc")
                continue
            if title_next or not line:
                title_next = False
                continue
            if len(line) < 40 or line.count(" ") < MIN_WORDS - 1:
                continue  # heading ("Professional career.") or fragment
            for toks in sentences(line):
                n_words = sum(t.is_word for t in toks)
                if not MIN_WORDS <= n_words <= MAX_WORDS:
                    continue
                text = line[toks[0].start : toks[-1].end]
                if len(text) > MAX_CHARS or _BAD_CHARS.search(text) or text.count("(") != text.count(")"):
                    continue
                if text[0].isalnum() or text[0] in "\"“'‘(":
                    yield text


def sample_sentences(files: Sequence[Path], per_file: int, seed: int = 1) -> list[str]:
    """A reservoir sample of ``per_file`` sentences from each file."""
    rng = random.Random(seed)
    out: list[str] = []
    for path in files:
        t0 = time.perf_counter()
        reservoir: list[str] = []
        for n, sent in enumerate(wiki_sentences(path)):
            if len(reservoir) < per_file:
                reservoir.append(sent)
            else:
                j = rng.randrange(n + 1)
                if j < per_file:
                    reservoir[j] = sent
        out.extend(reservoir)
        log.info("%s: %d sentences sampled in %.0fs", path.name, len(reservoir), time.perf_counter() - t0)
    return out


def train_tokenizer(sample: Path, prefix: Path, vocab_size: int = VOCAB_SIZE, threads: int = 1) -> Path:
    """Train a unigram sentencepiece model on ``sample`` (one sentence a line).

    Returns:
        The path of the ``.model`` file.
    """
    import sentencepiece as spm

    spm.SentencePieceTrainer.train(
        input=str(sample),
        model_prefix=str(prefix),
        model_type="unigram",
        vocab_size=vocab_size,
        character_coverage=0.9995,
        byte_fallback=True,
        split_digits=True,
        normalization_rule_name="identity",  # keep curly quotes, dashes, NBSP as they are
        remove_extra_whitespaces=False,
        pad_id=0,
        eos_id=1,
        unk_id=2,
        bos_id=-1,  # T5 convention: pad=0, eos=1, unk=2
        input_sentence_size=2_000_000,
        shuffle_input_sentence=True,
        num_threads=threads,
        train_extremely_large_corpus=False,
        minloglevel=1,
    )
    return prefix.with_suffix(".model")


def main(argv: list[str] | None = None) -> int:
    """Sample sentences, train the tokenizer, print a round-trip check."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=ROOT / "build" / "seq2seq" / "tokenizer")
    ap.add_argument("--files", nargs="*", default=["enwiki-major-00", "enwiki-major-05", "enwiki-major-10", "enwiki-extract-0"])
    ap.add_argument("--per-file", type=int, default=60_000)
    ap.add_argument("--vocab-size", type=int, default=VOCAB_SIZE)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--force", action="store_true", help="rebuild the sample and the model")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(name)s %(message)s",
        handlers=[logging.FileHandler(args.out / "train_tokenizer.log"), logging.StreamHandler()],
    )
    sample = args.out / "sample.txt"
    if args.force or not sample.exists():
        sents = sample_sentences(wiki_files(args.files), args.per_file)
        tmp = sample.with_suffix(".tmp")
        tmp.write_text("\n".join(sents) + "\n", encoding="utf-8")
        tmp.replace(sample)
        log.info("wrote %d sentences to %s", len(sents), sample)
    prefix = args.out / "spiece"
    model = prefix.with_suffix(".model")
    if args.force or not model.exists():
        t0 = time.perf_counter()
        train_tokenizer(sample, prefix, args.vocab_size, args.threads)
        log.info("trained %s in %.0fs", model, time.perf_counter() - t0)
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_file=str(model))
    probe = "The troops said the 3 soldiers’ “visit” to Ḫattuša was over — 1,250 km away."
    ids = sp.encode(probe)
    assert sp.decode(ids) == probe, "tokenizer round trip failed"
    lines = sample.read_text(encoding="utf-8").splitlines()[:2000]
    n_tok = sum(len(sp.encode(s)) for s in lines)
    n_words = sum(len(s.split()) for s in lines)
    log.info("vocab %d; %.2f pieces per word on the sample; round trip ok: %s", sp.get_piece_size(), n_tok / n_words, sp.encode(probe, out_type=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
