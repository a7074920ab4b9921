"""Train the rules engine's kenlm language model and the gap-filler index on English Wikipedia.

Steps (each is skipped when its outputs exist, unless ``--force``):

1. ``sentences``: read ``../shared/corpora/wikipedia-en/*.xml.xz`` (WikiExtractor format), split every
   paragraph line into sentences with :func:`service.text.sentences` and write each one as
   ``" ".join(lm_sentence(tokens))`` to ``<work-dir>/sentences/<file>.txt`` (two worker processes over the
   files); token counts go to ``<work-dir>/unigrams.tsv`` and ``<work-dir>/stats.json``.
2. ``lmplz``: estimate a pruned modified-Kneser-Ney n-gram model (ARPA) over a closed vocabulary
   (the ``--lm-vocab`` most frequent tokens; rarer words fall to ``<unk>``).
3. ``binary``: ``build_binary`` trie with quantisation and pointer compression into
   ``models/lm/wiki_en_<order>gram_v1.binary`` plus its JSON sidecar.
4. ``gapfill``: the gap-filler index ``models/lm/gap_fillers_v1.npz`` (+ ``.json`` header): for every context
   token, the ``K`` most frequent following and preceding words among the ``V`` most frequent alphabetic words.
5. ``eval``: perplexity on 2,000 Reuters-21578 sentences (evaluation only), kenlm ``BaseScore`` speed, cold and
   warm load times, sizes -> ``<work-dir>/eval.json``.

The kenlm tools come from ``scripts/build_kenlm_tools.sh`` (default ``/opt/kenlm/bin``).

Usage::

    python scripts/train_lm.py                      # all steps
    python scripts/train_lm.py --steps gapfill --force
    # a model without the file the verifier's documents come from (model_cards/verifier.md)
    python scripts/train_lm.py --exclude enwiki-major-15 --work-dir /work/lmwork-no15 --out-dir /work/lm-no15 \
        --steps sentences lmplz binary
"""

from __future__ import annotations

import argparse
import html
import json
import lzma
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from service.text import lm_sentence, sentences  # noqa: E402

FORMAT = 1
VERSION = "v1"
GAP_FORMAT = 1
SOURCE = "English Wikipedia (../shared/corpora/wikipedia-en), CC BY-SA"
STEPS = ("sentences", "lmplz", "binary", "gapfill", "eval")
DEFAULT_REUTERS = REPO.parent / "shared" / "corpora" / "reuters-21578" / "reut2-000.sgm.xz"
DEFAULT_CORPUS = REPO.parent / "shared" / "corpora" / "wikipedia-en"
BOUNDARY = ("<s>", "</s>")


def log(msg: str) -> None:
    """Print a time-stamped progress line to stderr."""
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------- step 1


def corpus_paragraphs(path: Path) -> Iterator[str]:
    """Yield the paragraph lines of a WikiExtractor file (no doc tags, no title lines, no blank lines)."""
    title_next = False
    with lzma.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line.startswith("<doc "):
                title_next = True
                continue
            if line == "</doc>" or not line:
                continue
            if title_next:  # the article title, repeated as the first line
                title_next = False
                continue
            yield line


def _sentences_of_file(args: tuple[Path, Path]) -> tuple[str, int, int, Counter[str]]:
    """Worker: write one corpus file's LM sentences; return (name, sentences, tokens, token counts)."""
    src, out = args
    counts: Counter[str] = Counter()
    n_sent = n_tok = 0
    tmp = out.with_suffix(".txt.tmp")
    with tmp.open("w", encoding="utf-8") as f:
        for para in corpus_paragraphs(src):
            for toks in sentences(para):
                forms = lm_sentence(toks)
                f.write(" ".join(forms))
                f.write("\n")
                counts.update(forms)
                n_sent += 1
                n_tok += len(forms)
    tmp.replace(out)
    return src.name, n_sent, n_tok, counts


def corpus_files(corpus: Path, limit_files: int | None = None, exclude: Sequence[str] = ()) -> list[Path]:
    """The corpus files step 1 reads: every ``*.xml.xz`` but those named in ``exclude`` (without the suffix),
    in name order, the first ``limit_files`` of them if given."""
    files = [f for f in sorted(corpus.glob("*.xml.xz")) if f.name.removesuffix(".xml.xz") not in exclude]
    if not files:
        raise SystemExit(f"No *.xml.xz files in {corpus}" + (f" but {', '.join(exclude)}." if exclude else "."))
    return files[:limit_files] if limit_files else files


def step_sentences(files: list[Path], work: Path, workers: int) -> dict:
    """Step 1: corpus ``files`` -> one LM sentence per line, plus token counts."""
    out_dir = work / "sentences"
    out_dir.mkdir(parents=True, exist_ok=True)
    jobs = [(f, out_dir / (f.name.removesuffix(".xml.xz") + ".txt")) for f in files]
    # biggest files first so the two workers finish together
    jobs.sort(key=lambda j: -j[0].stat().st_size)
    totals: Counter[str] = Counter()
    per_file: dict[str, dict[str, int]] = {}
    t0 = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for name, n_sent, n_tok, counts in pool.map(_sentences_of_file, jobs):
            totals.update(counts)
            per_file[name] = {"sentences": n_sent, "tokens": n_tok}
            log(f"  {name}: {n_sent:,} sentences, {n_tok:,} tokens")
    stats = {
        "files": [f.name for f in files],
        "sentences": sum(v["sentences"] for v in per_file.values()),
        "tokens": sum(v["tokens"] for v in per_file.values()),
        "types": len(totals),
        "seconds": round(time.perf_counter() - t0, 1),
        "per_file": per_file,
    }
    with (work / "unigrams.tsv.tmp").open("w", encoding="utf-8") as f:
        for word, count in totals.most_common():
            f.write(f"{word}\t{count}\n")
    (work / "unigrams.tsv.tmp").replace(work / "unigrams.tsv")
    (work / "stats.json").write_text(json.dumps(stats, indent=1), encoding="utf-8")
    log(f"sentences: {stats['sentences']:,} sentences, {stats['tokens']:,} tokens, {stats['types']:,} types "
        f"in {stats['seconds']} s")
    return stats


def sentence_files(work: Path) -> list[Path]:
    """The sentence files of step 1, in a stable order."""
    return sorted((work / "sentences").glob("*.txt"))


def read_unigrams(work: Path) -> list[tuple[str, int]]:
    """Token counts of step 1, most frequent first."""
    out = []
    with (work / "unigrams.tsv").open(encoding="utf-8") as f:
        for line in f:
            word, count = line.rstrip("\n").split("\t")
            out.append((word, int(count)))
    return out


# ---------------------------------------------------------------------------------------------- steps 2-3


def run_timed(cmd: Sequence[str], stdin_files: Sequence[Path] | None = None) -> float:
    """Run ``cmd`` (niced), feeding ``stdin_files`` concatenated on stdin; return the wall time in seconds."""
    log("$ " + shlex.join(cmd))
    t0 = time.perf_counter()
    full = ["nice", "-n", "10", *cmd]
    if stdin_files is None:
        subprocess.run(full, check=True)
    else:
        with subprocess.Popen(full, stdin=subprocess.PIPE) as proc:
            assert proc.stdin is not None
            try:
                for path in stdin_files:
                    with path.open("rb") as f:
                        shutil.copyfileobj(f, proc.stdin, 1 << 20)
            finally:
                proc.stdin.close()
        if proc.returncode:
            raise subprocess.CalledProcessError(proc.returncode, cmd)
    seconds = time.perf_counter() - t0
    log(f"  done in {seconds:.0f} s")
    return seconds


def lmplz_args(order: int, prune: list[int], memory: str, vocab_file: Path, tmp: Path) -> list[str]:
    """The lmplz options (without the binary path and the output redirection)."""
    args = ["-o", str(order), "-S", memory, "-T", str(tmp), "--discount_fallback"]
    if any(prune):
        args += ["--prune", *map(str, prune)]
    args += ["--limit_vocab_file", str(vocab_file)]
    return args


def step_lmplz(args: argparse.Namespace, work: Path) -> dict:
    """Step 2: lmplz over the sentence files -> ARPA in the work dir."""
    unigrams = read_unigrams(work)
    vocab_file = work / f"lm_vocab_{args.lm_vocab}.txt"
    vocab_file.write_text("\n".join(w for w, _ in unigrams[: args.lm_vocab]) + "\n", encoding="utf-8")
    tmp = work / "tmp"
    tmp.mkdir(exist_ok=True)
    arpa = work / f"wiki_en_{args.order}gram.arpa"
    lm_args = lmplz_args(args.order, args.prune, args.memory, vocab_file, tmp)
    cmd = [str(args.kenlm_bin / "lmplz"), *lm_args, "--arpa", str(arpa) + ".tmp"]
    seconds = run_timed(cmd, sentence_files(work))
    Path(str(arpa) + ".tmp").replace(arpa)
    info = {"args": lm_args, "command": shlex.join(["lmplz", *lm_args]) + " < sentences > arpa",
            "seconds": round(seconds, 1), "arpa_bytes": arpa.stat().st_size, "ngrams": arpa_counts(arpa)}
    (work / "lmplz.json").write_text(json.dumps(info, indent=1), encoding="utf-8")
    return info


def arpa_counts(arpa: Path) -> dict[str, int]:
    """The ``ngram N=count`` lines of an ARPA file's header."""
    counts = {}
    with arpa.open(encoding="utf-8") as f:
        for line in f:
            if line.startswith("ngram "):
                n, c = line[6:].strip().split("=")
                counts[n] = int(c)
            elif line.startswith("\\1-grams"):
                break
    return counts


def binary_args(args: argparse.Namespace) -> list[str]:
    """The build_binary options, e.g. ``-q 8 -b 8 -a 22 trie``."""
    return ["-q", str(args.quant_prob), "-b", str(args.quant_backoff), "-a", str(args.pointer_bits), "trie"]


def model_paths(out_dir: Path, order: int) -> tuple[Path, Path]:
    """Binary and sidecar paths for a model of ``order``."""
    stem = f"wiki_en_{order}gram_{VERSION}"
    return out_dir / f"{stem}.binary", out_dir / f"{stem}.json"


def step_binary(args: argparse.Namespace, work: Path) -> dict:
    """Step 3: ARPA -> quantised trie binary + JSON sidecar."""
    arpa = work / f"wiki_en_{args.order}gram.arpa"
    binary, sidecar = model_paths(args.out_dir, args.order)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    b_args = binary_args(args)
    tmp_bin = work / binary.name
    cmd = [str(args.kenlm_bin / "build_binary"), "-T", str(work / "tmp"), "-S", args.memory, *b_args, str(arpa),
           str(tmp_bin)]
    seconds = run_timed(cmd)
    size = tmp_bin.stat().st_size
    if size > args.max_mb * 1e6:
        log(f"WARNING: {binary.name} is {size / 1e6:.1f} MB > {args.max_mb} MB; prune harder (--prune) or lower "
            "--lm-vocab.")
    shutil.copyfile(tmp_bin, binary)
    stats = json.loads((work / "stats.json").read_text(encoding="utf-8"))
    lmplz = json.loads((work / "lmplz.json").read_text(encoding="utf-8"))
    info = {
        "format": FORMAT,
        "kind": "kenlm",
        "version": VERSION,
        "order": args.order,
        "source": SOURCE,
        "tokens": stats["tokens"],
        "sentences": stats["sentences"],
        "vocabulary": args.lm_vocab,
        "ngrams": lmplz["ngrams"],
        "settings": {
            "lmplz": " ".join(["lmplz", *_portable(lmplz["args"])]),
            "build_binary": " ".join(["build_binary", *b_args]),
        },
        "normalisation": "service.text.lm_form",
        "bytes": size,
        "built": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    if args.exclude:  # the corpus files this model never saw (the shipped model saw them all)
        info["held_out"] = sorted(args.exclude)
    sidecar.write_text(json.dumps(info, indent=1) + "\n", encoding="utf-8")
    (work / "build_binary.json").write_text(json.dumps({"command": shlex.join(["build_binary", *b_args]),
                                                        "seconds": round(seconds, 1), "bytes": size}, indent=1))
    log(f"binary: {binary} ({size / 1e6:.1f} MB)")
    return info


def _portable(lm_args: list[str]) -> list[str]:
    """lmplz args with work-dir paths replaced by placeholders (the sidecar is committed)."""
    out, skip = [], None
    for a in lm_args:
        if skip:
            out.append(skip)
            skip = None
            continue
        out.append(a)
        if a == "-T":
            skip = "<tmp>"
        elif a == "--limit_vocab_file":
            skip = "<top-N tokens>"
    return out


# ---------------------------------------------------------------------------------------------- step 4


def gap_vocabularies(unigrams: list[tuple[str, int]], size: int, extra_contexts: int) -> tuple[list[str], list[str]]:
    """(targets, contexts): the ``size`` most frequent alphabetic tokens; contexts add <s>, </s> and the
    ``extra_contexts`` most frequent non-alphabetic tokens (punctuation, numbers, clitics)."""
    targets = [w for w, _ in unigrams if w.isalpha()][:size]
    others = [w for w, _ in unigrams if not w.isalpha()][:extra_contexts]
    return targets, targets + list(BOUNDARY) + others


def _pair_counts(args: tuple[Path, dict[str, int], int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Worker: unique (left, right) id pairs of one sentence file with their counts.

    Pair code = left * n_contexts + right; ids < n_targets are target words; pairs where neither side is a
    target are dropped. Unknown tokens get id -1 and no pair.
    """
    path, ids, n_targets, n_ctx = args
    bos, eos = ids["<s>"], ids["</s>"]
    get = ids.get
    codes: list[np.ndarray] = []
    buf: list[int] = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            buf.append(bos)
            buf.extend([get(w, -1) for w in line.split()])
            buf.append(eos)
            buf.append(-1)  # sentence separator: no pair across sentences
            if len(buf) > 4_000_000:
                codes.append(_codes(np.array(buf, dtype=np.int64), n_targets, n_ctx))
                buf = []
    if buf:
        codes.append(_codes(np.array(buf, dtype=np.int64), n_targets, n_ctx))
    uniq, counts = np.unique(np.concatenate(codes), return_counts=True)
    return uniq, counts.astype(np.int64)


def _codes(seq: np.ndarray, n_targets: int, n_ctx: int) -> np.ndarray:
    left, right = seq[:-1], seq[1:]
    keep = (left >= 0) & (right >= 0) & ((left < n_targets) | (right < n_targets))
    return left[keep] * n_ctx + right[keep]


def _top_k(ctx: np.ndarray, word: np.ndarray, count: np.ndarray, n_ctx: int, k: int, min_count: int
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CSR lists: for each context id, its ``k`` most frequent words (ids, counts), most frequent first."""
    keep = count >= min_count
    ctx, word, count = ctx[keep], word[keep], count[keep]
    order = np.lexsort((-count, ctx))  # by context, then by count descending
    ctx, word, count = ctx[order], word[order], count[order]
    starts = np.searchsorted(ctx, np.arange(n_ctx + 1))
    rank = np.arange(len(ctx)) - starts[ctx]
    top = rank < k
    ctx, word, count = ctx[top], word[top], count[top]
    offsets = np.searchsorted(ctx, np.arange(n_ctx + 1)).astype(np.int32)
    return offsets, word.astype(np.uint16), count


def step_gapfill(args: argparse.Namespace, work: Path) -> dict:
    """Step 4: the gap-filler index (CSR arrays in an npz + JSON header)."""
    t0 = time.perf_counter()
    unigrams = read_unigrams(work)
    targets, contexts = gap_vocabularies(unigrams, args.gap_vocab, args.gap_extra_contexts)
    n_t, n_c = len(targets), len(contexts)
    assert n_t <= 65535
    ids = {w: i for i, w in enumerate(contexts)}
    files = sentence_files(work)
    jobs = [(p, ids, n_t, n_c) for p in files]
    all_codes, all_counts = [], []
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        for path, (codes, counts) in zip(files, pool.map(_pair_counts, jobs), strict=True):
            all_codes.append(codes)
            all_counts.append(counts)
            log(f"  pairs of {path.name}: {len(codes):,}")
    codes, inverse = np.unique(np.concatenate(all_codes), return_inverse=True)
    counts = np.bincount(inverse, weights=np.concatenate(all_counts)).astype(np.int64)
    del all_codes, all_counts, inverse
    left, right = codes // n_c, codes % n_c
    log(f"  {len(codes):,} distinct pairs")
    # next[c] = words w (targets) following context c; prev[c] = words w (targets) preceding context c
    is_t = right < n_t
    next_off, next_ids, next_cnt = _top_k(left[is_t], right[is_t], counts[is_t], n_c, args.k, args.min_pair_count)
    is_t = left < n_t
    prev_off, prev_ids, prev_cnt = _top_k(right[is_t], left[is_t], counts[is_t], n_c, args.k, args.min_pair_count)
    uni = dict(unigrams)
    # sentences count as occurrences of <s> and </s>
    n_sent = json.loads((work / "stats.json").read_text(encoding="utf-8"))["sentences"]
    ctx_counts = np.array([uni.get(w, n_sent) for w in contexts], dtype=np.float64)
    # next: log10 P(w | c) = c(c w) / c(c); prev: log10 P(c | w) = c(w c) / c(w)
    next_lp = np.log10(next_cnt / np.repeat(ctx_counts, np.diff(next_off)))
    prev_lp = np.log10(prev_cnt / ctx_counts[prev_ids.astype(np.int64)])
    header = {
        "format": GAP_FORMAT,
        "kind": "gap-filler",
        "version": VERSION,
        "source": SOURCE,
        "K": args.k,
        "V": n_t,
        "contexts": n_c,
        "min_pair_count": args.min_pair_count,
        "tokens": sum(c for _, c in unigrams),
        "normalisation": "service.text.lm_form",
        "arrays": {
            "vocab": "newline-joined contexts (UTF-8); ids < V are the target words",
            "log10_count": "float32 log10 corpus count of each context token",
            "next_offsets/next_ids/next_logp": "CSR: for context c, the K most frequent following targets w, "
                                               "log10 P(w | c) as float16",
            "prev_offsets/prev_ids/prev_logp": "CSR: for context c, the K most frequent preceding targets w, "
                                               "log10 P(c | w) as float16",
        },
    }
    args.out_dir.mkdir(parents=True, exist_ok=True)
    out = args.out_dir / f"gap_fillers_{VERSION}.npz"
    tmp = work / out.name
    np.savez_compressed(
        tmp,
        header=np.frombuffer(json.dumps(header).encode("utf-8"), dtype=np.uint8),
        vocab=np.frombuffer("\n".join(contexts).encode("utf-8"), dtype=np.uint8),
        log10_count=np.log10(ctx_counts).astype(np.float32),
        next_offsets=next_off,
        next_ids=next_ids,
        next_logp=next_lp.astype(np.float16),
        prev_offsets=prev_off,
        prev_ids=prev_ids,
        prev_logp=prev_lp.astype(np.float16),
    )
    shutil.copyfile(tmp, out)
    header["bytes"] = out.stat().st_size
    header["entries"] = int(len(next_ids) + len(prev_ids))
    out.with_suffix(".json").write_text(json.dumps(header, indent=1) + "\n", encoding="utf-8")
    log(f"gap filler: {out} ({header['bytes'] / 1e6:.1f} MB, {header['entries']:,} entries) "
        f"in {time.perf_counter() - t0:.0f} s")
    return header


# ---------------------------------------------------------------------------------------------- step 5


def reuters_sentences(path: Path, limit: int) -> list[list[str]]:
    """The first ``limit`` sentences (3+ tokens) of the ``<BODY>`` elements of a Reuters SGML file, as LM forms."""
    with lzma.open(path, "rt", encoding="latin-1") as f:
        sgml = f.read()
    out: list[list[str]] = []
    for body in re.findall(r"<BODY>(.*?)</BODY>", sgml, flags=re.S):
        text = " ".join(html.unescape(body).replace("\x03", " ").split())
        text = re.sub(r"\s*Reuter$", "", text)
        for toks in sentences(text):
            if len(toks) >= 3:
                out.append(lm_sentence(toks))
                if len(out) == limit:
                    return out
    return out


_COLD_LOAD = """
import sys, time
t0 = time.perf_counter()
import kenlm
c = kenlm.Config()
c.load_method = getattr(kenlm.LoadMethod, sys.argv[2])
m = kenlm.Model(sys.argv[1], c)
t1 = time.perf_counter()
m.score("the troops said on monday that the attack was over .")
t2 = time.perf_counter()
print(t1 - t0, t2 - t0)
"""


def _evict(path: Path) -> None:
    """Drop one file's pages from the page cache (a cold start for that file only)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def step_eval(args: argparse.Namespace, work: Path) -> dict:
    """Step 5: perplexity on Reuters sentences, BaseScore speed, load times, sizes -> ``<work>/eval.json``."""
    import kenlm

    sys.path.insert(0, str(REPO))
    from service.lm import load_gap_filler, load_language_model

    binary, _ = model_paths(args.out_dir, args.order)
    gap_path = args.out_dir / f"gap_fillers_{VERSION}.npz"
    result: dict = {"binary": binary.name, "binary_bytes": binary.stat().st_size,
                    "gap_filler_bytes": gap_path.stat().st_size}
    # load times: cold (file evicted from the page cache) and warm, in fresh interpreters
    loads = {}
    for method in ("LAZY", "POPULATE_OR_READ", "READ"):
        cold, warm = [], []
        for _ in range(3):
            _evict(binary)
            out = subprocess.run([sys.executable, "-c", _COLD_LOAD, str(binary), method], check=True,
                                 capture_output=True, text=True).stdout.split()
            cold.append([float(x) for x in out])
            out = subprocess.run([sys.executable, "-c", _COLD_LOAD, str(binary), method], check=True,
                                 capture_output=True, text=True).stdout.split()
            warm.append([float(x) for x in out])
        loads[method] = {"cold_load_s": min(c[0] for c in cold), "cold_load_and_first_score_s": min(c[1] for c in cold),
                         "warm_load_s": min(w[0] for w in warm)}
    result["load"] = loads
    t0 = time.perf_counter()
    lm = load_language_model(binary)
    result["load_language_model_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    gaps = load_gap_filler(gap_path)
    result["gap_filler_load_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    for _ in range(10_000):
        gaps.candidates("the", "said", k=8)
    result["gap_filler_candidates_us"] = (time.perf_counter() - t0) / 10_000 * 1e6
    # perplexity on Reuters (evaluation only)
    sents = reuters_sentences(args.reuters, args.eval_sentences)
    n_tok = sum(len(s) + 1 for s in sents)
    oov = sum(1 for s in sents for w in s if not lm.contains(w))
    result["reuters"] = {"file": args.reuters.name, "sentences": len(sents), "tokens_with_eos": n_tok,
                         "oov_rate": oov / max(1, n_tok - len(sents)), "perplexity": lm.perplexity(sents)}
    no_oov = [[w for w in s if lm.contains(w)] for s in sents]  # kenlm's usual "excluding OOVs" figure
    logp = sum(sc for s in sents for sc, w in zip(lm.word_scores(s), [*s, "</s>"], strict=True) if lm.contains(w))
    result["reuters"]["perplexity_excluding_oov"] = 10 ** (-logp / (sum(len(s) for s in no_oov) + len(sents)))
    # BaseScore speed with the State API
    model = lm.model
    words = [w for s in sents for w in s]
    calls = 1_000_000
    stream = (words * (calls // len(words) + 1))[:calls]
    a, b = kenlm.State(), kenlm.State()
    model.BeginSentenceWrite(a)
    t0 = time.perf_counter()
    for w in stream:
        model.BaseScore(a, w, b)
        a, b = b, a
    result["base_score_ns"] = (time.perf_counter() - t0) / calls * 1e9
    result["base_score_calls"] = calls
    (work / "eval.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    log(json.dumps(result, indent=1))
    return result


# ---------------------------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="folder with the WikiExtractor *.xml.xz files")
    p.add_argument("--work-dir", type=Path, default=Path(os.environ.get("UNSPIN_LM_WORK", "/work/lmwork")),
                   help="scratch folder (sentences, ARPA, temp files); not in the repository")
    p.add_argument("--out-dir", type=Path, default=REPO / "models" / "lm", help="where the artefacts go")
    p.add_argument("--kenlm-bin", type=Path, default=Path("/opt/kenlm/bin"), help="folder with lmplz and build_binary")
    p.add_argument("--steps", nargs="+", choices=STEPS, default=list(STEPS), help="steps to run (default: all)")
    p.add_argument("--force", action="store_true", help="redo the chosen steps even when their outputs exist")
    p.add_argument("--workers", type=int, default=2, help="worker processes for steps 1 and 4")
    p.add_argument("--limit-files", type=int, default=None, help="use only the first N corpus files (tests)")
    p.add_argument("--exclude", nargs="+", default=[], metavar="FILE",
                   help="corpus files to leave out, without .xml.xz (the verifier's documents: model_cards/verifier.md)")
    p.add_argument("--order", type=int, default=4, help="n-gram order")
    p.add_argument("--prune", type=int, nargs="+", default=[0, 1, 3, 4],  # the shipped model's (model_cards/language_model.md)
                   help="lmplz --prune thresholds per order (count <= threshold is dropped; first must be 0)")
    p.add_argument("--lm-vocab", type=int, default=250_000, help="closed LM vocabulary: most frequent N tokens")
    p.add_argument("--memory", default="30%", help="lmplz/build_binary -S")
    p.add_argument("--quant-prob", type=int, default=8, help="build_binary -q")
    p.add_argument("--quant-backoff", type=int, default=8, help="build_binary -b")
    p.add_argument("--pointer-bits", type=int, default=22, help="build_binary -a")
    p.add_argument("--max-mb", type=float, default=45.0, help="warn when the binary is bigger")
    p.add_argument("--gap-vocab", type=int, default=40_000, help="gap-filler target words V")
    p.add_argument("--gap-extra-contexts", type=int, default=2_000,
                   help="non-alphabetic context tokens (punctuation, numbers, clitics)")
    p.add_argument("--reuters", type=Path, default=DEFAULT_REUTERS, help="evaluation text (Reuters SGML, xz)")
    p.add_argument("--eval-sentences", type=int, default=2_000, help="Reuters sentences for the perplexity")
    p.add_argument("-k", "--k", type=int, default=48, help="gap-filler list length K")
    p.add_argument("--min-pair-count", type=int, default=2, help="gap-filler: drop pairs seen fewer times")
    args = p.parse_args(argv)
    if len(args.prune) > args.order or args.prune[0] != 0:
        p.error("--prune takes at most --order thresholds and the first must be 0")
    args.prune = (args.prune + [args.prune[-1]] * args.order)[: args.order]
    return args


def main(argv: Sequence[str] | None = None) -> None:
    """Run the chosen steps, skipping those whose outputs already exist."""
    args = parse_args(argv)
    work: Path = args.work_dir
    work.mkdir(parents=True, exist_ok=True)
    binary, sidecar = model_paths(args.out_dir, args.order)
    redo_sentences = "sentences" in args.steps and args.force
    stats = work / "stats.json"
    if stats.exists() and not redo_sentences:  # the sentences there must be those of the files asked for
        read = json.loads(stats.read_text(encoding="utf-8"))["files"]
        if read != [f.name for f in corpus_files(args.corpus, args.limit_files, args.exclude)]:
            raise SystemExit(f"{work} holds the sentences of other corpus files ({len(read)}); use another --work-dir "
                             "or redo step 1 (--steps sentences ... --force)")
    done = {
        "sentences": stats.exists() and (work / "unigrams.tsv").exists(),
        "lmplz": (work / f"wiki_en_{args.order}gram.arpa").exists() and (work / "lmplz.json").exists(),
        "binary": binary.exists() and sidecar.exists(),
        "gapfill": (args.out_dir / f"gap_fillers_{VERSION}.npz").exists(),
        "eval": (work / "eval.json").exists(),
    }
    for step in STEPS:
        if step not in args.steps:
            continue
        if done[step] and not args.force:
            log(f"{step}: outputs exist, skipped (--force redoes it)")
            continue
        log(f"{step}: start")
        if step == "sentences":
            step_sentences(corpus_files(args.corpus, args.limit_files, args.exclude), work, args.workers)
        elif step == "lmplz":
            step_lmplz(args, work)
        elif step == "binary":
            step_binary(args, work)
        elif step == "gapfill":
            step_gapfill(args, work)
        else:
            step_eval(args, work)


if __name__ == "__main__":
    main()
