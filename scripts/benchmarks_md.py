"""Write one named section of BENCHMARKS.md, leaving the other sections as they are.

Each benchmark script owns a section that starts with ``## <title>`` and runs to the
next ``## `` heading. Every section records the command, the date and the machine.
"""

from __future__ import annotations

import datetime as _dt
import os
import platform
import re
import shlex
import sys
from pathlib import Path

__all__ = ["invocation", "machine_description", "write_section", "BENCHMARKS_PATH"]

BENCHMARKS_PATH = Path(__file__).resolve().parent.parent / "BENCHMARKS.md"
_HEADER = "# unspin benchmarks\n\nEvery figure below was produced by the command quoted in its section; rerun it to refresh.\n"


def machine_description() -> str:
    """CPU model, core count, memory and Python version, in one line."""
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 2**20:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{cpu}, {os.cpu_count()} cores{mem}, Python {platform.python_version()}, {platform.system()}"


def invocation(argv: list[str]) -> str:
    """The command line as typed: ``python -m scripts.x ...`` for a script of this folder.

    >>> invocation([str(Path(__file__).with_name("bench_engine.py")), "--write"])
    'python -m scripts.bench_engine --write'
    """
    script = Path(argv[0])
    head = f"-m scripts.{script.stem}" if script.resolve().parent == Path(__file__).resolve().parent else shlex.quote(argv[0])
    return " ".join(["python", head, *(shlex.quote(a) for a in argv[1:])])


def write_section(title: str, body: str, command: str | None = None) -> None:
    """Replace (or append) the section ``## title`` of BENCHMARKS.md."""
    command = command or invocation(sys.argv)
    stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    section = f"## {title}\n\nCommand: `{command}`  \nDate: {stamp}  \nMachine: {machine_description()}\n\n{body.strip()}\n"
    text = BENCHMARKS_PATH.read_text(encoding="utf-8") if BENCHMARKS_PATH.exists() else _HEADER
    pattern = re.compile(rf"^## {re.escape(title)}\n.*?(?=^## |\Z)", re.DOTALL | re.MULTILINE)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    BENCHMARKS_PATH.write_text(text.rstrip("\n") + "\n", encoding="utf-8")
