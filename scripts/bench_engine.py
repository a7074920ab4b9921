"""Engine speed benchmark: throughput, time per 1,000-word article, cold start, resident memory.

    python -m scripts.bench_engine [--engine rules] [--cores 1] [--words 20000] [--repeats 5] [--write]
    python -m scripts.bench_engine --engine model --cores 2 --words 1000 --write

Throughput runs in this process on ``--cores`` cores (``os.sched_setaffinity``; torch
gets as many threads) over spun Reuters articles (the dev set of ``scripts.evaluate``),
restored as one text; cold start and memory are measured in fresh subprocesses, so they
include importing the package and loading the dictionary, the language model and (model
engine) the seq2seq model. Medians are reported.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

from scripts.benchmarks_md import write_section

_COLD = """
import json, resource, sys, time
t0 = time.perf_counter()
import service
engine = service.engine.warm_up(sys.argv[1])
t1 = time.perf_counter()
service.restore_and_explain(sys.argv[2], engine=sys.argv[1])
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"cold_start_s": t1 - t0, "engine": engine, "max_rss_mb": rss}))
"""

# The issues' targets, per engine: (throughput words/s or None, s per 1,000 words or None, cold start s, RSS MB).
TARGETS = {"rules": (20_000, None, 2.0, 400), "model": (None, 3.0, None, 1536)}


def _dev_text(n_words: int) -> str:
    """Field-spun Reuters dev articles joined by blank lines, cut at the article that reaches ``n_words``."""
    from scripts.evaluate import load_reuters
    from scripts.spinner import Spinner

    spinner = Spinner("field", seed=0)
    parts, words = [], 0
    for article in load_reuters(400):
        spun = spinner.spin(article).spun
        parts.append(spun)
        words += len(spun.split())
        if words >= n_words:
            break
    return "\n\n".join(parts)


def _target(value: float | None, unit: str, better: str) -> str:
    return f"{better} {value:,g} {unit}" if value is not None else "–"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", default="rules", choices=sorted(TARGETS))
    parser.add_argument("--cores", type=int, default=1, help="cores the throughput run may use")
    parser.add_argument("--words", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--write", action="store_true", help="write the figures to BENCHMARKS.md")
    args = parser.parse_args()

    text = _dev_text(args.words)
    n_words = len(text.split())
    colds = [json.loads(subprocess.check_output([sys.executable, "-c", _COLD, args.engine, text[:6000]])) for _ in range(3)]

    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[: args.cores])
    os.environ["UNSPIN_TORCH_THREADS"] = str(args.cores)
    import service

    service.restore_and_explain(text[:2000], engine=args.engine)
    seconds = []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        result = service.restore_and_explain(text, engine=args.engine)
        seconds.append(time.perf_counter() - t0)
    if result.engine != args.engine:
        sys.exit(f"the {args.engine} engine did not run (got {result.engine}); see the warning above")

    rate = n_words / statistics.median(seconds)
    per_1k = 1000 / rate
    cold = statistics.median(c["cold_start_s"] for c in colds)
    rss = statistics.median(c["max_rss_mb"] for c in colds)
    t_rate, t_1k, t_cold, t_rss = TARGETS[args.engine]
    body = (
        f"Engine `{colds[0]['engine']}`, {n_words:,} words of field-spun Reuters dev articles restored as one text, "
        f"{args.cores} core(s).\n\n"
        "| figure | median | target |\n|---|---|---|\n"
        f"| throughput | {rate:,.0f} words/s (runs: {', '.join(f'{n_words / s:,.0f}' for s in seconds)}) "
        f"| {_target(t_rate, 'words/s', '≥')} |\n"
        f"| time per 1,000 words | {per_1k:.2f} s | {_target(t_1k, 's', '≤')} |\n"
        f"| cold start (import + load every artefact) | {cold:.2f} s | {_target(t_cold, 's', '≤')} |\n"
        f"| resident memory after one restore (max RSS) | {rss:.0f} MB | {_target(t_rss, 'MB', '≤')} |\n"
    )
    print(body)
    if args.write:
        write_section(f"Engine speed ({args.engine})", body)


if __name__ == "__main__":
    main()
