"""HTTP service benchmark: latency p50/p99 and throughput of ``POST /v1/restore``.

    python -m scripts.bench_http [--engine rules] [--words 1000] [--per-client 10] [--no-write]

Starts ``unspin serve`` on a free port (as the Docker image does), waits for ``/readyz``,
then sends a spun article of ``--words`` words (the bundled example repeated) from 1, 8
and 32 concurrent clients. Prints a table and replaces the "HTTP service" section of
BENCHMARKS.md (other sections are kept). Target: p99 <= 150 ms at 8 clients, rules engine.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.benchmarks_md import invocation, write_section  # noqa: E402

TITLE = "HTTP service"
CONCURRENCY = (1, 8, 32)
TARGET_P99_MS = 150.0


def article(words: int) -> str:
    """The bundled spun example, repeated paragraph by paragraph, cut to ``words`` words."""
    paragraphs = [p for p in (ROOT / "examples" / "spun_article.txt").read_text(encoding="utf-8").split("\n\n") if p.strip()]
    out: list[str] = []
    count = 0
    i = 0
    while count < words:
        para = paragraphs[i % len(paragraphs)].split()
        take = para[: words - count]
        out.append(" ".join(take))
        count += len(take)
        i += 1
    return "\n\n".join(out)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


async def load(url: str, text: str, engine: str, clients: int, per_client: int) -> dict[str, float]:
    latencies: list[float] = []
    failures = 0
    payload = {"text": text, "options": {"engine": engine}}
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=httpx.Limits(max_connections=clients)) as ac:
        await ac.post("/v1/restore", json=payload)  # warm the connection pool and caches

        async def client() -> None:
            nonlocal failures
            for _ in range(per_client):
                t0 = time.perf_counter()
                r = await ac.post("/v1/restore", json=payload)
                latencies.append((time.perf_counter() - t0) * 1000)
                failures += r.status_code != 200

        t0 = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(clients)))
        wall = time.perf_counter() - t0
    return {
        "clients": clients,
        "requests": len(latencies),
        "failures": failures,
        "p50": statistics.median(latencies),
        "p99": percentile(latencies, 99),
        "rps": len(latencies) / wall,
        "wps": len(latencies) * len(text.split()) / wall,
    }


def start_server(engine: str, workers: int, processes: int, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    exe = shutil.which("unspin") or str(Path(sys.executable).parent / "unspin")
    env = {**os.environ, "UNSPIN_ENGINE": engine, "UNSPIN_WORKERS": str(workers), "UNSPIN_PROCESSES": str(processes)}
    proc = subprocess.Popen([exe, "serve", "--port", str(port)], stdout=log.open("wb"), stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"unspin serve exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(url + "/readyz", timeout=2).status_code == 200:
                return proc, url
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    proc.terminate()
    raise SystemExit(f"unspin serve was not ready within 120 s: {log.read_text()[-2000:]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", default="rules", choices=["rules", "model", "auto"])
    parser.add_argument("--words", type=int, default=1000)
    parser.add_argument("--per-client", type=int, default=10, help="requests per client (32 clients send 32x this)")
    parser.add_argument("--workers", type=int, default=2, help="UNSPIN_WORKERS of the server")
    parser.add_argument("--processes", type=int, default=1, help="UNSPIN_PROCESSES of the server")
    parser.add_argument("--no-write", action="store_true", help="print only; leave BENCHMARKS.md alone")
    args = parser.parse_args(argv)

    text = article(args.words)
    log = Path(tempfile.mkdtemp(prefix="unspin-bench-")) / "server.log"
    proc, url = start_server(args.engine, args.workers, args.processes, log)
    try:
        for _ in range(2 * args.processes):  # each process warms up on its own
            served_by = httpx.post(url + "/v1/restore", json={"text": text, "options": {"engine": args.engine}}, timeout=120).json()
        rows = [asyncio.run(load(url, text, args.engine, c, args.per_client)) for c in CONCURRENCY]
    finally:
        proc.terminate()
        proc.wait(timeout=30)

    lines = [
        "| clients | requests | failures | p50 ms | p99 ms | requests/s | words/s |",
        "|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['clients']} | {r['requests']} | {r['failures']} | {r['p50']:.1f} | {r['p99']:.1f} "
            f"| {r['rps']:.1f} | {r['wps']:.0f} |"
        )
    at8 = next(r for r in rows if r["clients"] == 8)
    verdict = "met" if at8["p99"] <= TARGET_P99_MS else "NOT met"
    body = "\n".join(
        [
            f"`POST /v1/restore` (JSON) with a {len(text.split())}-word spun article, engine `{served_by.get('engine')}`, "
            f"server `unspin serve` with UNSPIN_WORKERS={args.workers} and UNSPIN_PROCESSES={args.processes}, client and server on the same machine "
            f"(nproc {os.cpu_count()}). Latency is measured at the client and includes queueing.",
            "",
            *lines,
            "",
            f"Target p99 <= {TARGET_P99_MS:.0f} ms at 8 clients (rules engine): {verdict} ({at8['p99']:.1f} ms).",
        ]
    )
    print(body)
    if not args.no_write:
        title = TITLE if args.processes == 1 else f"{TITLE}, {args.processes} processes"
        write_section(title, body, command=invocation([__file__, *(argv if argv is not None else sys.argv[1:])]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
