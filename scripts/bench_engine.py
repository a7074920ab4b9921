"""Engine speed benchmark: words per second on one core, cold start, resident memory.

    python -m scripts.bench_engine [--engine rules] [--words 20000] [--repeats 5] [--write]

Throughput runs in this process pinned to one core (``os.sched_setaffinity``) on
spun Reuters articles (the dev set of ``scripts.evaluate``); cold start and memory are
measured in fresh subprocesses, so they include importing the package and loading the
dictionary and the language model. Medians are reported.
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


def _dev_text(n_words: int) -> str:
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", default="rules")
    parser.add_argument("--words", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--write", action="store_true", help="write the figures to BENCHMARKS.md")
    args = parser.parse_args()

    text = _dev_text(args.words)
    n_words = len(text.split())
    colds = [json.loads(subprocess.check_output([sys.executable, "-c", _COLD, args.engine, text[:6000]])) for _ in range(3)]

    import service

    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    service.restore_and_explain(text[:2000], engine=args.engine)
    rates = []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        service.restore_and_explain(text, engine=args.engine)
        rates.append(n_words / (time.perf_counter() - t0))

    cold = statistics.median(c["cold_start_s"] for c in colds)
    rss = statistics.median(c["max_rss_mb"] for c in colds)
    body = (
        f"Engine `{colds[0]['engine']}`, {n_words:,} words of field-spun Reuters dev articles, one core.\n\n"
        "| figure | median | target |\n|---|---|---|\n"
        f"| throughput | {statistics.median(rates):,.0f} words/s (runs: {', '.join(f'{r:,.0f}' for r in rates)}) | ≥ 20,000 words/s |\n"
        f"| cold start (import + load dictionary and LM) | {cold:.2f} s | ≤ 2 s |\n"
        f"| resident memory after one restore (max RSS) | {rss:.0f} MB | ≤ 400 MB |\n"
    )
    print(body)
    if args.write:
        write_section(f"Engine speed ({args.engine})", body)


if __name__ == "__main__":
    main()
