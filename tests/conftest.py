"""Shared fixtures: real unspin servers (uvicorn in a subprocess) and the example articles."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


# ---------------------------------------------------------------------------------
# Example articles
# ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def spun_article() -> str:
    return (EXAMPLES / "spun_article.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def paragraphs(spun_article: str) -> list[str]:
    """The example's paragraphs: small, distinct, realistic documents."""
    return [p for p in spun_article.split("\n\n") if p.strip()]


def big_article(spun: str, n_chars: int) -> str:
    """``spun`` repeated (paragraph breaks kept) to at least ``n_chars`` characters."""
    return "\n\n".join([spun.strip()] * (n_chars // len(spun) + 1))


# ---------------------------------------------------------------------------------
# The installed command
# ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def unspin_cmd() -> list[str]:
    """The installed ``unspin`` console script (``pip install -e .`` puts it on PATH)."""
    exe = shutil.which("unspin") or str(Path(sys.executable).parent / "unspin")
    if not Path(exe).exists():
        pytest.fail("the `unspin` command is not installed: run `pip install -e '.[dev]'`")
    return [exe]


def child_env(**overrides: str | None) -> dict[str, str]:
    """The test process's environment without UNSPIN_* server settings, plus ``overrides``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("UNSPIN_") or k in _ARTEFACT_VARS}
    for key, value in overrides.items():
        if value is not None:
            env[key] = value
    return env


# Paths to artefacts are kept: a server must load the same engine as the test process.
_ARTEFACT_VARS = {"UNSPIN_LM_PATH", "UNSPIN_GAP_FILLER_PATH", "UNSPIN_MODEL_DIR", "UNSPIN_DICTIONARY_PATH", "UNSPIN_ENGINE"}


# ---------------------------------------------------------------------------------
# Servers
# ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``unspin serve`` on a free port, started the way the Docker image starts it."""

    def __init__(self, cmd: list[str], log_path: Path, env: dict[str, str]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self._log = open(log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [*cmd, "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=env,
        )

    def wait(self, path: str = "/healthz", timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"unspin serve exited with {self.proc.returncode}: {self.log()}")
            try:
                r = httpx.get(self.url + path, timeout=2)
                if r.status_code == 200:
                    return
                if "failed" in r.json().get("reason", ""):  # /readyz: the engine cannot load, waiting won't help
                    raise RuntimeError(f"unspin serve is not ready: {r.json()['reason']}")
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"unspin serve did not answer {path} within {timeout:g} s: {self.log()}")

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")[-4000:]

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self._log.close()


def start_server(cmd: list[str], tmp: Path, name: str, **env: str) -> Server:
    server = Server(cmd, tmp / f"{name}.log", child_env(**env))
    try:
        server.wait("/healthz")
        server.wait("/readyz")  # the engine is loaded: timings below are the engine's, not the warm-up's
    except BaseException:
        server.stop()
        raise
    return server


@pytest.fixture(scope="session")
def server(unspin_cmd: list[str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Default settings (1 MB bodies, 200-document batches, 30 s time limit), no API key."""
    s = start_server(unspin_cmd, tmp_path_factory.mktemp("server"), "default", UNSPIN_WORKERS="2")
    yield s
    s.stop()


SMALL_LIMITS: dict[str, Any] = {"max_bytes": 4096, "max_chars": 1000, "max_batch": 4}
API_KEY = "test-key-0123456789"


@pytest.fixture(scope="session")
def strict_server(unspin_cmd: list[str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Low limits (SMALL_LIMITS) and an API key."""
    s = start_server(
        unspin_cmd,
        tmp_path_factory.mktemp("strict"),
        "strict",
        UNSPIN_MAX_BYTES=str(SMALL_LIMITS["max_bytes"]),
        UNSPIN_MAX_CHARS=str(SMALL_LIMITS["max_chars"]),
        UNSPIN_MAX_BATCH=str(SMALL_LIMITS["max_batch"]),
        UNSPIN_API_KEY=API_KEY,
    )
    yield s
    s.stop()


@pytest.fixture(scope="session")
def slow_server(unspin_cmd: list[str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One engine thread and a 0.05 s time limit: a large article runs out of time."""
    s = start_server(unspin_cmd, tmp_path_factory.mktemp("slow"), "slow", UNSPIN_WORKERS="1", UNSPIN_REQUEST_TIMEOUT_S="0.05")
    yield s
    s.stop()


@pytest.fixture
def client(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=60) as c:
        yield c
