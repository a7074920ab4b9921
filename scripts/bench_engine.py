"""Engine speed benchmark: throughput, time per 1,000-word article, cold start, resident memory.

    python -m scripts.bench_engine [--engine rules] [--cores 1] [--words 20000] [--repeats 5] [--write]
    python -m scripts.bench_engine --engine model --cores 2 --words 1000 --write

Throughput runs in this process on ``--cores`` cores (``os.sched_setaffinity``; torch
gets as many threads) over field-spun Reuters articles (the dev files of ``scripts.evaluate``, then reut2-019),
``--words`` at a time restored as one text. The engine first restores one such text untimed
(a running service has warm caches), then every timed run gets text it has not seen: the
per-word caches do not flatter it (until 2026-12-06 the same text was restored again, and
from the second run on most lookups were cached). Cold start and memory are measured in
fresh subprocesses, so they include importing the package and loading the dictionary, the
language model and (model engine) the seq2seq model. Medians are reported.
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


def _dev_texts(n_words: int, n_texts: int) -> list[str]:
    """``n_texts`` texts of different field-spun Reuters articles (the dev files, then
    reut2-019) joined by blank lines, each cut at the article that reaches ``n_words``."""
    from scripts.evaluate import DEV_FILES, load_reuters
    from scripts.spinner import Spinner

    spinner = Spinner("field", seed=0)
    texts: list[str] = []
    parts, words = [], 0
    for article in load_reuters(100_000, (*DEV_FILES, "reut2-019.sgm.xz")):
        spun = spinner.spin(article).spun
        parts.append(spun)
        words += len(spun.split())
        if words >= n_words:
            texts.append("\n\n".join(parts))
            parts, words = [], 0
            if len(texts) == n_texts:
                return texts
    sys.exit(f"the dev articles hold only {len(texts)} texts of {n_words:,} words; ask for fewer --repeats or --words")


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

    warm_text, *texts = _dev_texts(args.words, args.repeats + 1)
    colds = [json.loads(subprocess.check_output([sys.executable, "-c", _COLD, args.engine, warm_text[:6000]])) for _ in range(3)]

    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[: args.cores])
    os.environ["UNSPIN_TORCH_THREADS"] = str(args.cores)
    import service

    service.restore_and_explain(warm_text, engine=args.engine)
    rates = []
    for text in texts:
        t0 = time.perf_counter()
        result = service.restore_and_explain(text, engine=args.engine)
        rates.append(len(text.split()) / (time.perf_counter() - t0))
        if result.engine != args.engine:
            sys.exit(f"the {args.engine} engine did not run (got {result.engine}); see the warning above")

    rate = statistics.median(rates)
    n_words = round(statistics.median(len(t.split()) for t in texts))
    per_1k = 1000 / rate
    cold = statistics.median(c["cold_start_s"] for c in colds)
    rss = statistics.median(c["max_rss_mb"] for c in colds)
    t_rate, t_1k, t_cold, t_rss = TARGETS[args.engine]
    body = (
        f"Engine `{colds[0]['engine']}`, {len(texts)} texts of about {n_words:,} words of field-spun Reuters articles, "
        f"each restored as one text, after one such text to warm up; each run's text is new to the engine. "
        f"{args.cores} core(s).\n\n"
        "| figure | median | target |\n|---|---|---|\n"
        f"| throughput | {rate:,.0f} words/s (runs: {', '.join(f'{r:,.0f}' for r in rates)}) "
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
