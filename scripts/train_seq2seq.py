"""Train the T5-style seq2seq un-spinning model from scratch (CPU, or a GPU where one is lent), and export it.

Four modes:

- ``--bench``: tokens/s of a few model configs on random batches (pick a size first);
- training (default): reads the JSONL shards of :mod:`scripts.make_pairs`, trains a
  :class:`transformers.T5ForConditionalGeneration` built from a :class:`T5Config` (no
  pretrained weights) with AdamW, warm-up and a time-based linear decay; evaluates the dev
  loss and writes a checkpoint every few minutes (``last.pt``, ``best.pt``), stops early
  when the dev loss stops improving or the time budget is spent. ``--resume`` continues
  from ``last.pt`` (weights, optimiser, step, elapsed time, data order); ``--init-from
  DIR`` starts instead from the weights of an exported model folder (same tokenizer),
  to train a shipped model further on new pairs;
- ``--dev-report``: the exported model alone on the first 60 pairs of each dev shard
  (exact sentences, spun words restored, unspun words kept, per style);
- ``--export``: writes ``best.pt`` as fp16 safetensors plus ``config.json``,
  ``spiece.model`` and the ``unspin_model.json`` header into ``models/seq2seq/``, after
  checking that the dev loss does not suffer from the cast.

The model reads and writes cased text: source = spun sentence, target = original sentence,
both sentencepiece ids followed by ``</s>``. Everything is logged to ``<out>/train.log``;
the dev loss curve goes to ``<out>/curve.jsonl``. ``--device`` picks where the model trains
(``auto``: CUDA when torch sees a GPU, else the CPU); checkpoints are device-independent, so a
run trained on a lent GPU is resumed, exported and reported on here (model_cards/seq2seq.md,
"Training on a lent GPU").

Usage::

    python scripts/train_seq2seq.py --bench
    nohup nice -n 5 python scripts/train_seq2seq.py --minutes 50 &
    python scripts/train_seq2seq.py --resume --minutes 55 &
    python scripts/train_seq2seq.py --export
    python scripts/train_seq2seq.py --dev-report --model-dir models/seq2seq
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import random
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from service.seq2seq import HEADER_FORMAT, HEADER_VERSION, TIED_KEYS, load_seq2seq

BUILD = ROOT / "build" / "seq2seq"
MODEL_DIR = ROOT / "models" / "seq2seq"
PAD, EOS = 0, 1

log = logging.getLogger("train_seq2seq")

__all__ = ["bench", "build_config", "dev_loss", "export", "load_pairs", "main", "make_batches", "pick_device", "train"]


# ---------------------------------------------------------------- model and data


def build_config(vocab_size: int, d_model: int, d_ff: int, enc: int, dec: int, heads: int, dropout: float = 0.0) -> Any:
    """A T5 v1.0-style config (ReLU feed-forward, tied embeddings, relative positions)."""
    from transformers import T5Config

    return T5Config(
        vocab_size=vocab_size,
        d_model=d_model,
        d_kv=d_model // heads,
        d_ff=d_ff,
        num_layers=enc,
        num_decoder_layers=dec,
        num_heads=heads,
        relative_attention_num_buckets=32,
        relative_attention_max_distance=128,
        dropout_rate=dropout,
        feed_forward_proj="relu",
        tie_word_embeddings=True,
        pad_token_id=PAD,
        eos_token_id=EOS,
        decoder_start_token_id=PAD,
        is_encoder_decoder=True,
        use_cache=True,
    )


def encode(sp: Any, texts: list[str]) -> list[list[int]]:
    """Sentencepiece ids of each text, plus ``</s>``."""
    return [ids + [EOS] for ids in sp.encode(texts)]


def load_pairs(pairs_dir: Path, split: str, sp: Any, max_len: int, cache: Path) -> tuple[list[np.ndarray], list[np.ndarray], dict[str, int]]:
    """Tokenised (source, target) id arrays of a split; pairs longer than ``max_len`` are dropped.

    The tokenised split is cached in ``cache`` (``.npz``) so a resumed run starts at once.
    """
    if cache.exists():
        z = np.load(cache, allow_pickle=True)
        return list(z["src"]), list(z["tgt"]), json.loads(str(z["stats"]))
    src_txt: list[str] = []
    tgt_txt: list[str] = []
    shards = sorted(pairs_dir.glob(f"{split}-*.jsonl"))
    if not shards:
        raise FileNotFoundError(f"no {split}-*.jsonl shards in {pairs_dir}; run scripts/make_pairs.py first")
    for shard in shards:
        for line in shard.read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            src_txt.append(rec["src"])
            tgt_txt.append(rec["tgt"])
    src_ids, tgt_ids = encode(sp, src_txt), encode(sp, tgt_txt)
    src: list[np.ndarray] = []
    tgt: list[np.ndarray] = []
    for s, t in zip(src_ids, tgt_ids, strict=True):
        if len(s) <= max_len and len(t) <= max_len:
            src.append(np.asarray(s, dtype=np.int16))
            tgt.append(np.asarray(t, dtype=np.int16))
    stats = {"shards": len(shards), "pairs": len(src_txt), "kept": len(src), "max_len": max_len}
    arr_s, arr_t = np.empty(len(src), dtype=object), np.empty(len(tgt), dtype=object)
    arr_s[:], arr_t[:] = src, tgt
    np.savez(cache, src=arr_s, tgt=arr_t, stats=json.dumps(stats))
    return src, tgt, stats


def init_weights(model: Any, source: Any) -> None:
    """Copy the weights of ``source`` (a model read by :func:`service.seq2seq.load_seq2seq`,
    which checks the folder's header, checksum and tensors) into ``model``.

    Raises:
        ValueError: ``source`` has other layers or sizes than ``model``.
    """
    try:
        model.load_state_dict(source.state_dict())
    except RuntimeError as exc:  # missing, unexpected or differently shaped tensors
        raise ValueError(f"the model to start from does not fit this config: {exc}") from exc


def make_batches(lengths: list[int], batch_tokens: int, seed: int, max_batch: int = 512) -> list[list[int]]:
    """Length-bucketed batches of about ``batch_tokens`` padded tokens, in random order."""
    rng = random.Random(seed)
    order = list(range(len(lengths)))
    rng.shuffle(order)
    batches: list[list[int]] = []
    chunk = 50 * max(1, batch_tokens // 40)
    for c in range(0, len(order), chunk):
        part = sorted(order[c : c + chunk], key=lambda i: lengths[i])
        cur: list[int] = []
        longest = 0
        for i in part:
            longest2 = max(longest, lengths[i])
            if cur and (longest2 * (len(cur) + 1) > batch_tokens or len(cur) >= max_batch):
                batches.append(cur)
                cur, longest2 = [], lengths[i]
            cur.append(i)
            longest = longest2
        if cur:
            batches.append(cur)
    rng.shuffle(batches)
    return batches


def collate(src: list[np.ndarray], tgt: list[np.ndarray], idx: list[int], device: torch.device | None = None) -> dict[str, torch.Tensor]:
    """Padded input_ids / attention_mask / labels (-100 on padding) for the pairs ``idx``, on ``device``."""
    ls, lt = max(len(src[i]) for i in idx), max(len(tgt[i]) for i in idx)
    input_ids = torch.full((len(idx), ls), PAD, dtype=torch.long)
    labels = torch.full((len(idx), lt), -100, dtype=torch.long)
    for row, i in enumerate(idx):
        input_ids[row, : len(src[i])] = torch.from_numpy(src[i].astype(np.int64))
        labels[row, : len(tgt[i])] = torch.from_numpy(tgt[i].astype(np.int64))
    batch = {"input_ids": input_ids, "attention_mask": (input_ids != PAD).long(), "labels": labels}
    if device is not None and device.type != "cpu":
        batch = {k: v.pin_memory().to(device, non_blocking=True) for k, v in batch.items()}
    return batch


def pick_device(name: str) -> torch.device:
    """``auto`` (CUDA when torch sees a GPU, else the CPU), ``cpu`` or ``cuda``.

    Raises:
        ValueError: ``cuda`` was asked for and torch sees no GPU.
    """
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    if name == "cuda" and not torch.cuda.is_available():
        raise ValueError("--device cuda: torch sees no GPU (torch.cuda.is_available() is False)")
    return torch.device(name)


@torch.inference_mode()
def dev_loss(model: Any, src: list[np.ndarray], tgt: list[np.ndarray], batch_tokens: int = 8192, dtype: torch.dtype | None = None) -> float:
    """Token-mean cross-entropy of the targets (nats per target token), on the model's device."""
    model.eval()
    device = next(model.parameters()).device
    total, count = 0.0, 0
    lengths = [len(s) + len(t) for s, t in zip(src, tgt, strict=True)]
    for idx in make_batches(lengths, batch_tokens, seed=0):
        batch = collate(src, tgt, idx, device)
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=dtype == torch.bfloat16):
            logits = model(**batch).logits
        n = int((batch["labels"] != -100).sum())
        total += float(torch.nn.functional.cross_entropy(logits.float().flatten(0, 1), batch["labels"].flatten(), ignore_index=-100, reduction="sum"))
        count += n
    model.train()
    return total / max(count, 1)


def greedy(model: Any, sp: Any, texts: list[str], max_new: int = 80) -> list[str]:
    """Greedy restorations of ``texts`` (for the log)."""
    model.eval()
    ids = encode(sp, texts)
    width = max(map(len, ids))
    input_ids = torch.tensor([x + [PAD] * (width - len(x)) for x in ids], device=next(model.parameters()).device)
    with torch.inference_mode():
        out = model.generate(input_ids=input_ids, attention_mask=(input_ids != PAD).long(), max_new_tokens=max_new, num_beams=1, do_sample=False)
    model.train()
    return [sp.decode([t for t in row.tolist() if t > EOS]) for row in out.cpu()]


# ---------------------------------------------------------------- benchmark


def bench(configs: list[tuple[int, int, int, int, int]], threads: int, batch_tokens: int, steps: int, bf16: bool, device: torch.device) -> None:
    """Log training tokens/s (source + target) of each config ``(d_model, d_ff, enc, dec, heads)`` on ``device``."""
    from transformers import T5ForConditionalGeneration

    torch.set_num_threads(threads)
    rng = np.random.default_rng(0)
    for d_model, d_ff, enc, dec, heads in configs:
        torch.manual_seed(0)
        model = T5ForConditionalGeneration(build_config(8000, d_model, d_ff, enc, dec, heads)).to(device)
        n_params = sum(p.numel() for p in model.parameters())
        opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
        src = [rng.integers(3, 8000, size=int(n), dtype=np.int16) for n in rng.integers(20, 60, size=4000)]
        batches = make_batches([2 * len(s) for s in src], batch_tokens, seed=1)
        done = 0
        t0 = 0.0
        for k, idx in enumerate(batches[: steps + 2]):
            if k == 2:
                t0, done = time.perf_counter(), 0  # the first steps warm up the allocator
            batch = collate(src, src, idx, device)
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=bf16):
                loss = model(**batch).loss
            loss.backward()
            opt.step()
            opt.zero_grad(set_to_none=True)
            if device.type == "cuda":
                torch.cuda.synchronize()
            done += int(batch["attention_mask"].sum()) * 2
        secs = time.perf_counter() - t0
        log.info(
            "bench d_model=%d d_ff=%d enc=%d dec=%d heads=%d params=%.1fM device=%s threads=%d bf16=%s batch_tokens=%d: %.0f tokens/s",
            d_model, d_ff, enc, dec, heads, n_params / 1e6, device, threads, bf16, batch_tokens, done / secs,
        )


# ---------------------------------------------------------------- training


def train(args: argparse.Namespace) -> None:
    """The training loop (see the module docstring)."""
    import sentencepiece as spm
    from transformers import T5ForConditionalGeneration

    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    device = args.device
    out: Path = args.out
    sp = spm.SentencePieceProcessor(model_file=str(args.tokenizer))
    t_load = time.perf_counter()
    src, tgt, stats = load_pairs(args.pairs, "train", sp, args.max_len, out / "train.npz")
    dsrc, dtgt, dstats = load_pairs(args.pairs, "dev", sp, args.max_len, out / "dev.npz")
    log.info("train %s; dev %s; loaded in %.0fs", stats, dstats, time.perf_counter() - t_load)
    dev_texts = [json.loads(x)["src"] for shard in sorted(args.pairs.glob("dev-field-*.jsonl"))[:1] for x in shard.read_text(encoding="utf-8").splitlines()[:4]]

    ckpt_path, best_path = out / "last.pt", out / "best.pt"
    state: dict[str, Any] = {}
    start_from = None
    if args.resume and ckpt_path.exists():
        state = torch.load(ckpt_path, map_location="cpu", weights_only=False)
        cfg_args = state["model_args"]
        log.info("resuming from %s: step %d, %.1f min trained", ckpt_path, state["step"], state["elapsed"] / 60)
    elif args.init_from:
        start_from = load_seq2seq(args.init_from)
        settings = start_from.header["settings"]
        cfg_args = {k: settings[k] for k in ("vocab_size", "d_model", "d_ff", "enc", "dec", "heads", "dropout")}
    else:
        cfg_args = {"vocab_size": sp.get_piece_size(), "d_model": args.d_model, "d_ff": args.d_ff, "enc": args.enc, "dec": args.dec, "heads": args.heads, "dropout": args.dropout}
    if cfg_args["vocab_size"] != sp.get_piece_size():
        raise ValueError(f"{args.tokenizer} has {sp.get_piece_size()} pieces, the model {cfg_args['vocab_size']}: use the model's own tokenizer")
    torch.manual_seed(args.seed)
    model = T5ForConditionalGeneration(build_config(**cfg_args))
    if start_from is not None:
        init_weights(model, start_from.model)
        log.info("initialised from %s", args.init_from)
    if state:
        model.load_state_dict(state["model"])
    model.to(device)  # before the optimiser, whose state then follows the parameters to the device
    n_params = sum(p.numel() for p in model.parameters())
    log.info("model %s: %.2fM parameters, on %s", cfg_args, n_params / 1e6, device)
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}], lr=args.lr, betas=(0.9, 0.98), eps=1e-8)
    step, epoch, pos, elapsed = 0, 0, 0, 0.0
    best, bad_evals = math.inf, 0
    if state:
        opt.load_state_dict(state["opt"])
        step, epoch, pos, elapsed = state["step"], state["epoch"], state["pos"], state["elapsed"]
        best, bad_evals = state["best"], state["bad_evals"]
    budget = args.minutes * 60.0
    lengths = [len(s) + len(t) for s, t in zip(src, tgt, strict=True)]
    batches = make_batches(lengths, args.batch_tokens, seed=args.seed + epoch, max_batch=args.max_batch)
    bf16 = torch.bfloat16 if args.bf16 else None

    def lr_at(step: int, elapsed: float) -> float:
        warm = min(1.0, (step + 1) / args.warmup)
        frac = min(1.0, elapsed / budget)
        return args.lr * warm * (1.0 - 0.9 * frac)  # linear decay to 10% over the time budget

    def save(path: Path) -> None:
        tmp = path.with_suffix(".tmp")
        torch.save(
            {"model": model.state_dict(), "opt": opt.state_dict(), "model_args": cfg_args, "step": step, "epoch": epoch, "pos": pos,
             "elapsed": elapsed, "best": best, "bad_evals": bad_evals, "args": {k: str(v) for k, v in vars(args).items()}},
            tmp,
        )
        tmp.replace(path)

    def evaluate() -> float:
        nonlocal best, bad_evals
        t0 = time.perf_counter()
        loss = dev_loss(model, dsrc, dtgt, dtype=bf16)
        improved = loss < best * (1 - args.min_delta)
        if loss < best:
            best = loss
            save(best_path)
        bad_evals = 0 if improved else bad_evals + 1
        with (out / "curve.jsonl").open("a", encoding="utf-8") as fh:
            fh.write(json.dumps({"step": step, "minutes": round(elapsed / 60, 2), "train_loss": round(run_loss, 4), "dev_loss": round(loss, 4), "tokens": seen}) + "\n")
        samples = greedy(model, sp, dev_texts[:2])
        log.info("eval step %d (%.1f min): dev loss %.4f (best %.4f, bad evals %d) [%.0fs]; e.g. %s -> %s", step, elapsed / 60, loss, best, bad_evals, time.perf_counter() - t0, dev_texts[0], samples[0])
        return loss

    model.train()
    run_loss, seen = 0.0, 0
    t_last = time.perf_counter()
    last_eval = elapsed
    log.info("training: %d batches an epoch, budget %.0f min, eval/checkpoint every %.1f min", len(batches), args.minutes, args.eval_minutes)
    while elapsed < budget:
        if pos >= len(batches):
            epoch, pos = epoch + 1, 0
            batches = make_batches(lengths, args.batch_tokens, seed=args.seed + epoch, max_batch=args.max_batch)
            log.info("epoch %d", epoch)
        batch = collate(src, tgt, batches[pos], device)
        for group in opt.param_groups:
            group["lr"] = lr_at(step, elapsed)
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=args.bf16):
            loss = model(**batch).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        step, pos = step + 1, pos + 1
        seen += int(batch["attention_mask"].sum()) + int((batch["labels"] != -100).sum())
        value = float(loss.detach())
        run_loss = value if step == 1 else 0.98 * run_loss + 0.02 * value
        now = time.perf_counter()
        elapsed += now - t_last
        t_last = now
        if step % 50 == 0:
            log.info("step %d epoch %d: loss %.4f lr %.2e, %.1f min", step, epoch, run_loss, lr_at(step, elapsed), elapsed / 60)
        if elapsed - last_eval >= args.eval_minutes * 60:
            evaluate()
            save(ckpt_path)
            last_eval = elapsed
            t_last = time.perf_counter()  # evaluation time does not count against the budget
            if bad_evals >= args.patience:
                log.info("early stop: no dev improvement in %d evaluations", bad_evals)
                break
    evaluate()
    save(ckpt_path)
    log.info("done: %d steps, %.1f min, best dev loss %.4f", step, elapsed / 60, best)


# ---------------------------------------------------------------- export


def export(args: argparse.Namespace) -> None:
    """Write best.pt as fp16 safetensors + config + tokenizer + header into ``args.model_dir``."""
    import hashlib
    import shutil

    import sentencepiece as spm
    from safetensors.torch import save_file
    from transformers import T5ForConditionalGeneration

    torch.set_num_threads(args.threads)
    device = args.device
    state = torch.load(args.out / "best.pt", map_location="cpu", weights_only=False)
    config = build_config(**state["model_args"])
    model = T5ForConditionalGeneration(config)
    model.load_state_dict(state["model"])
    model.eval()
    sp = spm.SentencePieceProcessor(model_file=str(args.tokenizer))
    dsrc, dtgt, _ = load_pairs(args.pairs, "dev", sp, args.max_len, args.out / "dev.npz")
    loss32 = dev_loss(model.to(device), dsrc, dtgt)
    model.cpu()
    half = T5ForConditionalGeneration(config)
    half.load_state_dict({k: v.half().float() for k, v in state["model"].items()})
    loss16 = dev_loss(half.to(device), dsrc, dtgt)
    use16 = loss16 <= loss32 * 1.002
    log.info("dev loss fp32 %.4f, after an fp16 round trip %.4f: storing %s", loss32, loss16, "fp16" if use16 else "fp32")
    dtype = torch.float16 if use16 else torch.float32
    tensors = {k: v.to(dtype).contiguous() for k, v in model.state_dict().items() if k not in TIED_KEYS}
    init_from = state["args"].get("init_from", "None")
    earlier = None  # read before the export may overwrite that folder
    if init_from != "None":
        s = json.loads((Path(init_from) / "unspin_model.json").read_text(encoding="utf-8"))["settings"]
        earlier = {"folder": init_from, "sha256": s["sha256"], "steps": s["steps"], "train_minutes": s["train_minutes"], "dev_loss": s["dev_loss"], "data": s["data"]}
    seeds = sorted(int(p.name.split("-")[2][1:]) for p in args.pairs.glob("train-field-s*-r*.jsonl"))
    out = args.model_dir
    out.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(out / "model.safetensors"), metadata={"format": "pt"})
    (out / "model.safetensors").chmod(0o644)
    config.dtype = "float16" if use16 else "float32"
    config.save_pretrained(out)  # config.json
    if args.tokenizer.resolve() != (out / "spiece.model").resolve():
        shutil.copyfile(args.tokenizer, out / "spiece.model")
    curve = [json.loads(x) for x in (args.out / "curve.jsonl").read_text(encoding="utf-8").splitlines()]
    header = {
        "format": HEADER_FORMAT,
        "kind": "seq2seq",
        "version": HEADER_VERSION,
        "source": "English Wikipedia, CC BY-SA",
        "settings": {
            **state["model_args"],
            "parameters": sum(p.numel() for p in model.parameters()),
            "dtype": "float16" if use16 else "float32",
            "cased": True,
            "max_len": args.max_len,
            "tokenizer": "spiece.model (sentencepiece unigram, byte_fallback, split_digits)",
            "steps": state["step"],
            "train_minutes": round(state["elapsed"] / 60, 1),
            "dev_loss": round(loss16 if use16 else loss32, 4),
            "dev_loss_first_eval": curve[0]["dev_loss"] if curve else None,
            "data": f"scripts/make_pairs.py: Wikipedia sentences spun by scripts/spinner.py (field seeds {seeds[0]}-{seeds[-1]}, thesaurus, 15% clean)",
            "trained_further_from": earlier,
            "sha256": hashlib.sha256((out / "model.safetensors").read_bytes()).hexdigest(),
        },
    }
    (out / "unspin_model.json").write_text(json.dumps(header, indent=2) + "\n", encoding="utf-8")
    size = sum(p.stat().st_size for p in out.iterdir())
    log.info("exported to %s: %.1f MB", out, size / 1e6)


# ---------------------------------------------------------------- dev report

DEV_REPORT_PER_SHARD = 60


def dev_report(args: argparse.Namespace) -> dict[str, dict[str, float]]:
    """The exported model alone on dev pairs: the first 60 of each dev shard, greedy.

    Per style: exact sentences, exact when copied, and word by word (only where source,
    target and output have as many words) the spun words restored and the unspun words kept.
    """
    restorer = load_seq2seq(args.model_dir)
    by_style: dict[str, list[dict[str, Any]]] = {}
    for shard in sorted(args.pairs.glob("dev-*.jsonl")):
        recs = [json.loads(x) for x in shard.read_text(encoding="utf-8").splitlines()[:DEV_REPORT_PER_SHARD]]
        by_style.setdefault(recs[0]["style"], []).extend(recs)
    report: dict[str, dict[str, float]] = {}
    for style, recs in by_style.items():
        outs = restorer.restore_sentences([r["src"] for r in recs])
        spun = restored = unspun = kept = 0
        for rec, out in zip(recs, outs, strict=True):
            src, tgt, hyp = rec["src"].split(), rec["tgt"].split(), out.split()
            if not len(src) == len(tgt) == len(hyp):
                continue
            for s_w, t_w, h_w in zip(src, tgt, hyp, strict=True):
                if s_w != t_w:
                    spun += 1
                    restored += h_w == t_w
                else:
                    unspun += 1
                    kept += h_w == t_w
        n = len(recs)
        report[style] = {
            "pairs": n,
            "exact": sum(o == r["tgt"] for o, r in zip(outs, recs, strict=True)) / n,
            "exact_if_copied": sum(r["src"] == r["tgt"] for r in recs) / n,
            "spun_restored": restored / spun if spun else float("nan"),
            "unspun_kept": kept / unspun if unspun else float("nan"),
        }
        log.info("%s: %s", style, {k: round(v, 3) for k, v in report[style].items()})
    return report


# ---------------------------------------------------------------- CLI


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the benchmark, training or export."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pairs", type=Path, default=BUILD / "pairs")
    ap.add_argument("--tokenizer", type=Path, default=BUILD / "tokenizer" / "spiece.model")
    ap.add_argument("--out", type=Path, default=BUILD / "run")
    ap.add_argument("--model-dir", type=Path, default=MODEL_DIR)
    ap.add_argument("--bench", action="store_true")
    ap.add_argument("--export", action="store_true")
    ap.add_argument("--dev-report", action="store_true", help="the exported model (--model-dir) alone on the dev pairs")
    ap.add_argument("--resume", action="store_true")
    ap.add_argument("--init-from", type=Path, default=None, help="start from this exported model folder's weights")
    ap.add_argument("--d-model", type=int, default=256)
    ap.add_argument("--d-ff", type=int, default=1024)
    ap.add_argument("--enc", type=int, default=4)
    ap.add_argument("--dec", type=int, default=2)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--dropout", type=float, default=0.0)
    ap.add_argument("--max-len", type=int, default=64)
    ap.add_argument("--batch-tokens", type=int, default=6000, help="padded source+target tokens a batch")
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--warmup", type=int, default=300)
    ap.add_argument("--minutes", type=float, default=50.0, help="training time budget (evaluations excluded)")
    ap.add_argument("--eval-minutes", type=float, default=4.0)
    ap.add_argument("--patience", type=int, default=3)
    ap.add_argument("--min-delta", type=float, default=0.005, help="relative dev loss gain that counts as improvement")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--bf16", action="store_true", help="bfloat16 autocast (a GPU, or an AVX512-BF16 CPU)")
    ap.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"), help="auto: CUDA when torch sees a GPU")
    ap.add_argument("--max-batch", type=int, default=512, help="most pairs a batch (raise it with --batch-tokens on a GPU)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--bench-configs", default="256,1024,4,2,4;256,1024,4,3,4;256,768,3,2,4;192,768,4,2,4")
    ap.add_argument("--bench-steps", type=int, default=6)
    args = ap.parse_args(argv)
    try:
        args.device = pick_device(args.device)  # resolved once: train, export and bench read the torch.device
    except ValueError as exc:
        ap.error(str(exc))
    args.out.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(message)s",
        handlers=[logging.FileHandler(args.out / ("bench.log" if args.bench else "train.log")), logging.StreamHandler()],
    )
    if args.bench:
        configs = [tuple(int(x) for x in c.split(",")) for c in args.bench_configs.split(";")]
        bench(configs, args.threads, args.batch_tokens, args.bench_steps, args.bf16, args.device)  # type: ignore[arg-type]
    elif args.export:
        export(args)
    elif args.dev_report:
        dev_report(args)
    else:
        train(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
