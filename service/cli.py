"""The ``unspin`` command: restore files, folders or stdin, and run the HTTP server.

    unspin restore article.txt              # restored text on stdout
    unspin restore - --json < article.txt   # text, edits, spin score as JSON
    unspin restore article.txt --diff       # edits highlighted in the terminal
    unspin restore --in-dir spun/ --out-dir restored/   # 200 files at a time, the spinner's table pooled over them
    unspin restore article.txt --url http://localhost:8000   # ask a running server
    unspin restore --in-dir spun/ --out-dir restored/ --url http://localhost:8000 --feed acme   # it learns acme's spinner
    unspin learn --in-dir spun/ --out table.json   # learn the spinner's table from its articles
    unspin learn --in-dir spun/ --out table.json --feed acme --feed-dir feeds/   # and start a server's feed with it
    unspin restore article.txt --spinner-table table.json
    unspin serve --port 8000

Thin on purpose: every restoration goes through :func:`service.restore_many` (or, with
``--url``, through the server, which calls the same function). Errors print one line to
stderr and exit 1 (2 for usage errors), never a traceback.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from .edits import RestoredText
from .errors import Errors
from .files import codec_label, text_codec, write_atomic
from .settings import Settings
from .spinner_table import SpinnerTable, from_json

__all__ = ["app", "result_json", "render_diff"]

app = typer.Typer(
    name="unspin",
    help="Restore articles garbled by an article spinner.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
_err = Console(stderr=True, highlight=False)
#: Files of a folder restored together by default: the server's default UNSPIN_MAX_BATCH, so that a folder restored
#: here and through a server (``--url``) with its default limits is restored in the same batches.
DIR_BATCH: int = Settings._field_defaults["max_batch"]
DIR_BATCH_BYTES: int = Settings._field_defaults["max_bytes"]  # and at most this much JSON text, as a server takes
DIR_GLOB = "*.txt"  # the files of a folder read by default
_UNENCODABLE = "a restored word has no code in {}; --json writes UTF-8"


class _Fail(Exception):
    """A one-line error and its exit status."""

    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.status = status


def _die(exc: _Fail) -> NoReturn:
    _err.print(f"unspin: error: {exc}", markup=False, soft_wrap=True)
    raise typer.Exit(exc.status)


def _print_version(value: bool) -> None:
    """``--version``: print the package version and stop before any command runs."""
    if value:
        from . import __version__

        typer.echo(f"unspin {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Restore articles garbled by an article spinner."""


# -- output -------------------------------------------------------------------------


def result_json(result: RestoredText) -> dict[str, Any]:
    """The ``--json`` output: the same fields as the HTTP answer, minus timing and versions.

    >>> from service import Edit
    >>> result_json(RestoredText("a", [Edit(0, 1, "b", "a", 0.9, "thesaurus")], 0.5, "rules"))["edits"][0]["source"]
    'thesaurus'
    """
    return {
        "text": result.text,
        "edits": [
            {
                "start": e.start,
                "end": e.end,
                "spun": e.spun,
                "original": e.original,
                "confidence": e.confidence,
                "source": e.source,
                "alternatives": list(e.alternatives),
            }
            for e in result.edits or ()
        ],
        "spin_score": result.spin_score,
        "engine": result.engine,
    }


def render_diff(spun: str, result: RestoredText) -> Text:
    """The input with each edit shown as struck-out spun words and the restored words.

    >>> from service import Edit
    >>> render_diff("a cat", RestoredText("the cat", [Edit(0, 1, "a", "the", 0.9, "article")], 0.5, "rules")).plain
    'a→the cat'
    """
    out = Text()
    pos = 0
    for e in sorted(result.edits or (), key=lambda e: e.start):
        out.append(spun[pos : e.start])
        out.append(e.spun, style="red strike")
        out.append("→", style="dim")
        out.append(e.original, style="bold green")
        pos = e.end
    out.append(spun[pos:])
    return out


# -- reading and restoring ------------------------------------------------------------


def _codec(encoding: str, command: str) -> str:
    """The Python codec of ``--encoding`` (a usage error if there is none)."""
    name = text_codec(encoding)
    if name is None:
        raise _Fail(Errors.U065.format(detail=f"--encoding {encoding!r} is no text encoding Python knows", command=command), 2)
    return name


def _read(path: str, encoding: str = "utf-8") -> str:
    try:
        data = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except FileNotFoundError:
        raise _Fail(Errors.U060.format(path=path)) from None
    except IsADirectoryError:
        raise _Fail(Errors.U065.format(detail=f"{path} is a folder: use --in-dir {path} --out-dir DIR", command="restore"), 2) from None
    except OSError as exc:
        raise _Fail(Errors.U066.format(path=path, detail=exc.strerror or exc).replace("write", "read", 1)) from None
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        where = "stdin" if path == "-" else path
        if encoding != "utf-8":
            detail = f"bad byte 0x{data[exc.start]:02x} at offset {exc.start}"
        elif data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            detail = "it starts with a UTF-16 byte-order mark: --encoding utf-16"
        else:
            detail = f"bad byte 0x{data[exc.start]:02x} at offset {exc.start}; Windows or Latin-1 text: --encoding cp1252"
        raise _Fail(Errors.U061.format(path=where, encoding=codec_label(encoding), detail=detail)) from None


class _Restorer:
    """Local engine or a server (``--url``): the same call, the same result type."""

    def __init__(
        self,
        engine: str | None,
        min_confidence: float | None,
        url: str | None,
        api_key: str | None,
        table: Path | None = None,
        feed: str | None = None,
    ) -> None:
        self.url = url
        self.api_key = api_key
        self.kwargs: dict[str, Any] = {}
        if feed is not None:
            if url is None:
                raise _Fail(Errors.U065.format(detail="--feed names a feed of a server: it needs --url", command="restore"), 2)
            self.kwargs["feed"] = feed
        if engine is not None:
            self.kwargs["engine"] = engine
        if min_confidence is not None:
            self.kwargs["min_confidence"] = min_confidence
        if table is not None:
            self.kwargs["spinner_table"] = _read_table(table)
        if url is None:
            from .config import make_config

            try:
                make_config(None, **self.kwargs)
            except ValueError as exc:
                raise _Fail(str(exc), 2) from None

    def batches(self, requested: int) -> tuple[int, int]:
        """Documents and JSON bytes one batch may hold: ``requested`` documents and a server's default body size
        (``UNSPIN_MAX_BYTES``: the engine's memory grows with a batch's words, ~2 kB a word); with ``--url``, no more
        than that server's limits (``GET /v1/info``). Less the options sent with each batch."""
        max_docs, max_bytes = requested, DIR_BATCH_BYTES
        if self.url is not None:
            from .client import ClientError, server_limits

            try:
                limits = server_limits(self.url, self.api_key)
            except ClientError as exc:
                raise _Fail(str(exc)) from None
            max_docs, max_bytes = min(requested, int(limits.get("max_batch", requested))), int(limits.get("max_bytes", max_bytes))
        table = self.kwargs.get("spinner_table")
        options = len(json.dumps(table.to_json())) if table is not None else 0
        return max_docs, max_bytes - options - 1_000

    def many(self, texts: list[str]) -> list[RestoredText | str]:
        """Restore ``texts`` together (the spinner's table is pooled over them): each a result or its one-line error."""
        if self.url is not None:
            from .client import ClientError, restore_remote_batch

            try:
                return restore_remote_batch(self.url, texts, api_key=self.api_key, **self.kwargs)
            except ClientError as exc:
                return [str(exc)] * len(texts)
        from . import restore_many
        from .engine import check_text

        results: list[RestoredText | str] = []
        good: list[int] = []
        for i, text in enumerate(texts):
            try:
                check_text(text)
                good.append(i)
                results.append("")
            except (ValueError, TypeError) as exc:
                results.append(str(exc))
        try:
            for i, result in zip(good, restore_many([texts[i] for i in good], **self.kwargs), strict=True):
                results[i] = result
        except (ValueError, TypeError) as exc:
            return [str(exc)] * len(texts)
        except Exception as exc:  # noqa: BLE001 - one line, never a traceback
            return [f"the engine failed: {type(exc).__name__}: {exc}"] * len(texts)
        return results

    def __call__(self, text: str) -> RestoredText:
        if self.url is not None:
            from .client import ClientError, restore_remote

            try:
                return restore_remote(self.url, text, api_key=self.api_key, **self.kwargs)
            except ClientError as exc:
                raise _Fail(str(exc)) from None
        (result,) = self.many([text])
        if isinstance(result, str):
            raise _Fail(result)
        return result


def _read_table(path: Path) -> SpinnerTable:
    """A spinner table file (what ``unspin learn`` writes)."""
    try:
        return from_json(json.loads(_read(str(path))))
    except json.JSONDecodeError as exc:
        raise _Fail(Errors.U007.format(detail=f"{path} is not JSON ({exc.msg}, line {exc.lineno})"), 2) from None
    except ValueError as exc:
        raise _Fail(f"{path}: {exc}", 2) from None


def _folder_files(in_dir: Path, pattern: str, command: str) -> list[Path]:
    """The files of ``in_dir`` (not of its subfolders) that ``pattern`` matches, by name."""
    if not in_dir.is_dir():
        raise _Fail(Errors.U060.format(path=in_dir))
    if "/" in pattern or "\\" in pattern or pattern in ("", ".", ".."):
        raise _Fail(Errors.U065.format(detail=f"--glob {pattern!r} must match file names, like '*.html'", command=command), 2)
    return sorted(p for p in in_dir.glob(pattern) if p.is_file())


def _texts(files: list[str], in_dir: Path | None, pattern: str) -> list[Path]:
    """The files ``unspin learn`` reads: those named, or those of ``in_dir`` that ``pattern`` matches."""
    if in_dir is not None:
        if files:
            raise _Fail(Errors.U065.format(detail="give either FILE... or --in-dir, not both", command="learn"), 2)
        return _folder_files(in_dir, pattern, "learn")
    if not files:
        raise _Fail(Errors.U065.format(detail="name the spun articles (FILE...) or a folder (--in-dir)", command="learn"), 2)
    for f in files:
        if Path(f).is_dir():
            raise _Fail(Errors.U065.format(detail=f"{f} is a folder: use --in-dir {f}", command="learn"), 2)
        if not Path(f).is_file():
            raise _Fail(Errors.U060.format(path=f))
    return [Path(f) for f in files]


def _restore_dir(
    in_dir: Path, out_dir: Path, restorer: _Restorer, as_json: bool, batch: int, pattern: str, encoding: str = "utf-8"
) -> int:
    """Restore the files of ``in_dir`` that ``pattern`` matches into ``out_dir`` (same names, in ``encoding``;
    ``<stem>.json`` in UTF-8 with ``as_json``), ``batch`` files at a time (restored together, so the spinner's table
    is pooled over them), skipping the files already done."""
    sources = _folder_files(in_dir, pattern, "restore")
    files = [(src, out_dir / (src.stem + ".json" if as_json else src.name)) for src in sources]
    names: dict[str, str] = {}
    for src, dst in files:
        if names.setdefault(dst.name, src.name) != src.name:
            detail = f"{names[dst.name]} and {src.name} would both be written to {dst.name}; narrow --glob"
            raise _Fail(Errors.U065.format(detail=detail, command="restore"), 2)
    if out_dir.resolve() == in_dir.resolve():
        raise _Fail(Errors.U064.format(path=in_dir), 2)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _Fail(Errors.U066.format(path=out_dir, detail=exc.strerror or exc)) from None
    todo = [(src, dst) for src, dst in files if not dst.exists()]
    skipped = len(files) - len(todo)
    max_docs, max_bytes = restorer.batches(batch) if todo else (batch, DIR_BATCH_BYTES)
    done = edits = 0
    failed: list[str] = []
    progress = Progress(
        TextColumn("[bold]restoring"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[name]}"),
        TimeRemainingColumn(), console=_err, transient=False,
    )
    with progress:
        task = progress.add_task("restore", total=len(files), completed=skipped, name="")
        for chunk in _read_batches(todo, max_docs, max_bytes, failed, lambda: progress.advance(task), encoding):
            progress.update(task, name=chunk[0][0].name if len(chunk) == 1 else f"{chunk[0][0].name} .. {chunk[-1][0].name}")
            for (src, dst, _), result in zip(chunk, restorer.many([text for _, _, text in chunk]), strict=True):
                if isinstance(result, str):
                    failed.append(f"{src.name}: {result}")
                else:
                    try:
                        if as_json:
                            write_atomic(dst, json.dumps(result_json(result), ensure_ascii=False, indent=2) + "\n")
                        else:
                            write_atomic(dst, result.text, encoding)
                        done += 1
                        edits += len(result.edits or ())
                    except OSError as exc:
                        failed.append(f"{src.name}: {Errors.U066.format(path=dst, detail=exc.strerror or exc)}")
                    except UnicodeEncodeError:
                        failed.append(f"{src.name}: {Errors.U066.format(path=dst, detail=_UNENCODABLE.format(encoding))}")
                progress.advance(task)
    for line in failed:
        _err.print(f"unspin: error: {line}", markup=False, soft_wrap=True)
    _err.print(
        f"{done} restored, {skipped} already done (skipped), {len(failed)} failed, {edits} edits; output in {out_dir}",
        markup=False,
    )
    return 1 if failed else 0


def _read_batches(
    todo: list[tuple[Path, Path]],
    max_docs: int,
    max_bytes: int,
    failed: list[str],
    skip: Callable[[], None],
    encoding: str = "utf-8",
) -> Iterator[list[tuple[Path, Path, str]]]:
    """``todo`` read into batches of at most ``max_docs`` files and ``max_bytes`` of JSON text (a longer file goes
    alone); a file that cannot be read goes to ``failed`` (and ``skip()`` is called for it)."""
    chunk: list[tuple[Path, Path, str]] = []
    size = 0
    for src, dst in todo:
        try:
            text = _read(str(src), encoding)
        except _Fail as exc:
            failed.append(f"{src.name}: {exc}")
            skip()
            continue
        n_bytes = len(json.dumps(text).encode("utf-8")) + 20
        if chunk and (len(chunk) == max_docs or size + n_bytes > max_bytes):
            yield chunk
            chunk, size = [], 0
        chunk.append((src, dst, text))
        size += n_bytes
    if chunk:
        yield chunk


# -- commands -----------------------------------------------------------------------


@app.command()
def restore(
    file: Annotated[str, typer.Argument(help="Spun article (UTF-8, or --encoding); '-' reads stdin.")] = "-",
    engine: Annotated[str | None, typer.Option(help="auto, rules or model (default: auto / UNSPIN_ENGINE).")] = None,
    min_confidence: Annotated[float | None, typer.Option(help="Drop edits below this confidence, in [0, 1].")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print text, edits, spin score and engine as JSON.")] = False,
    diff: Annotated[bool, typer.Option("--diff", help="Show the edits highlighted in the input.")] = False,
    in_dir: Annotated[Path | None, typer.Option(help="Restore every file of this folder that --glob matches.")] = None,
    out_dir: Annotated[Path | None, typer.Option(help="Where --in-dir results go (never the input folder).")] = None,
    url: Annotated[str | None, typer.Option(help="Use a running unspin server, e.g. http://localhost:8000.")] = None,
    api_key: Annotated[str | None, typer.Option(envvar="UNSPIN_API_KEY", help="Bearer key for --url.")] = None,
    spinner_table: Annotated[
        Path | None, typer.Option(help="A spinner table (JSON, from `unspin learn`): swaps this spinner is known to make.")
    ] = None,
    feed: Annotated[
        str | None, typer.Option(help="With --url: the source's name; the server learns its spinner's table from what it sends.")
    ] = None,
    glob: Annotated[str, typer.Option(help="With --in-dir: the files to read, e.g. '*.html' (results keep their names).")] = DIR_GLOB,
    batch: Annotated[
        int | None,
        typer.Option(
            min=1,
            help=f"With --in-dir: files restored together, the spinner's table pooled over them (default {DIR_BATCH}; "
            "with --url at most the server's UNSPIN_MAX_BATCH); 1 restores each file alone.",
        ),
    ] = None,
    encoding: Annotated[
        str, typer.Option(help="The input's text encoding, e.g. cp1252; the restored text is written in it (JSON in UTF-8).")
    ] = "utf-8",
) -> None:
    """Restore a spun article (a file, stdin, or a folder of them)."""
    try:
        if as_json and diff:
            raise _Fail(Errors.U065.format(detail="choose one of --json and --diff", command="restore"), 2)
        if (in_dir is None) != (out_dir is None):
            raise _Fail(Errors.U065.format(detail="--in-dir and --out-dir go together", command="restore"), 2)
        if in_dir is not None and file != "-":
            raise _Fail(Errors.U065.format(detail="give either FILE or --in-dir, not both", command="restore"), 2)
        if (batch is not None or glob != DIR_GLOB) and in_dir is None:
            raise _Fail(Errors.U065.format(detail="--batch and --glob go with --in-dir", command="restore"), 2)
        codec = _codec(encoding, "restore")
        restorer = _Restorer(engine, min_confidence, url, api_key, spinner_table, feed)
        if in_dir is not None and out_dir is not None:
            raise typer.Exit(_restore_dir(in_dir, out_dir, restorer, as_json, batch or DIR_BATCH, glob, codec))
        text = _read(file, codec)
        result = restorer(text)
        if as_json:
            sys.stdout.write(json.dumps(result_json(result), ensure_ascii=False, indent=2) + "\n")
        elif diff:
            Console(highlight=False).print(render_diff(text, result), soft_wrap=True)
        elif codec == "utf-8":
            sys.stdout.write(result.text)
        else:
            try:
                out = result.text.encode(codec)
            except UnicodeEncodeError:
                raise _Fail(Errors.U066.format(path="stdout", detail=_UNENCODABLE.format(encoding))) from None
            sys.stdout.flush()
            sys.stdout.buffer.write(out)
    except _Fail as exc:
        _die(exc)
    sys.stdout.flush()


@app.command()
def learn(
    files: Annotated[
        list[str] | None, typer.Argument(help="Spun articles (UTF-8, or --encoding) of one spinner.", show_default=False)
    ] = None,
    in_dir: Annotated[Path | None, typer.Option(help="Read every file of this folder that --glob matches instead.")] = None,
    glob: Annotated[str, typer.Option(help="With --in-dir: the files to read, e.g. '*.html'.")] = DIR_GLOB,
    out: Annotated[str, typer.Option(help="Where the table goes (JSON); '-' is stdout.")] = "-",
    feed: Annotated[
        str | None, typer.Option(help="Also put the evidence in --feed-dir as this feed's: a server on that folder goes on from it.")
    ] = None,
    feed_dir: Annotated[Path | None, typer.Option(help="The server's UNSPIN_FEED_DIR, for --feed.")] = None,
    encoding: Annotated[str, typer.Option(help="The articles' text encoding, e.g. cp1252.")] = "utf-8",
) -> None:
    """Learn a spinner's table from a corpus of its articles, for `restore --spinner-table`.

    Spun text only: the swaps the engine makes at most places of their spun form over the
    whole corpus. The more articles, the more swaps (Reuters: 1,600 articles ~120 swaps, 6,400 ~220).
    With --feed and --feed-dir, a server whose UNSPIN_FEED_DIR is that folder restores the
    feed's requests with this table from the start, and goes on learning from them.
    """
    from . import SpinnerTableLearner, learn_spinner_table
    from .feeds import add_to_feed_folder, check_feed_name

    try:
        if (feed is None) != (feed_dir is None):
            raise _Fail(Errors.U065.format(detail="--feed and --feed-dir go together", command="learn"), 2)
        if feed is not None:
            try:
                check_feed_name(feed)  # before the corpus is read, not after
            except ValueError as exc:
                raise _Fail(str(exc), 2) from None
        if glob != DIR_GLOB and in_dir is None:
            raise _Fail(Errors.U065.format(detail="--glob goes with --in-dir", command="learn"), 2)
        codec = _codec(encoding, "learn")
        paths = _texts(files or [], in_dir, glob)
        texts = (_read(str(p), codec) for p in paths)
        progress = Progress(
            TextColumn("[bold]learning"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=_err, transient=True
        )
        with progress:
            task = progress.add_task("learn", total=len(paths))
            try:
                learner = SpinnerTableLearner()
                table = learn_spinner_table(texts, progress=lambda n: progress.update(task, completed=n), learner=learner)
            except (ValueError, TypeError) as exc:
                raise _Fail(str(exc)) from None
        body = json.dumps(table.to_json(), ensure_ascii=False, indent=1) + "\n"
        if out == "-":
            sys.stdout.write(body)
            sys.stdout.flush()
        else:
            try:
                write_atomic(Path(out), body)
            except OSError as exc:
                raise _Fail(Errors.U066.format(path=out, detail=exc.strerror or exc)) from None
        if feed is not None and feed_dir is not None:
            try:
                kept = add_to_feed_folder(feed_dir, feed, learner)
            except OSError as exc:
                raise _Fail(Errors.U066.format(path=feed_dir, detail=exc.strerror or exc)) from None
            _err.print(f"feed {feed}: evidence in {kept}", markup=False)
    except _Fail as exc:
        _die(exc)
    if out != "-" and table.swaps:
        _err.print(_table_view(table))
    _err.print(f"learnt {len(table.swaps)} swaps from {table.documents} articles ({table.words:,} words)", markup=False)


def _table_view(table: SpinnerTable, limit: int = 30) -> Table:
    """The learnt swaps, most frequent first, for a person to review before trusting them.

    >>> from service.spinner_table import LearntSwap
    >>> _table_view(SpinnerTable((LearntSwap("plenty", "stock", 329, 228, 0.69),))).row_count
    1
    """
    view = Table("spun", "original", "places", "restored", "median confidence", "nearest in context", title="learnt swaps (review them)")
    swaps = sorted(table.swaps, key=lambda s: (-s.places, s.spun))
    for s in swaps[:limit]:
        view.add_row(s.spun, s.original, f"{s.places:,}", f"{s.restored / max(s.places, 1):.0%}", f"{s.median_confidence:.2f}", "yes" if s.nearest else "")
    if len(swaps) > limit:
        view.caption = f"... and {len(swaps) - limit} more in the file"
    return view


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    workers: Annotated[int | None, typer.Option(help="Engine threads per process (default: UNSPIN_WORKERS or 2).")] = None,
    processes: Annotated[
        int | None, typer.Option(help="Server processes, each with its own engine (default: UNSPIN_PROCESSES or 1); use one per core.")
    ] = None,
    log_level: Annotated[str, typer.Option(help="debug, info, warning or error.")] = "info",
) -> None:
    """Run the HTTP service (settings from UNSPIN_* environment variables)."""
    import uvicorn

    from .api import logging_config

    for flag, value, variable in (("--workers", workers, "UNSPIN_WORKERS"), ("--processes", processes, "UNSPIN_PROCESSES")):
        if value is not None:
            if value < 1:
                _die(_Fail(Errors.U052.format(name=flag, value=str(value), expected="an integer >= 1"), 2))
            os.environ[variable] = str(value)  # the server processes read their settings from the environment
    try:
        settings = Settings.from_env()
    except ValueError as exc:
        _die(_Fail(str(exc), 2))
    with _shared_metrics(settings.processes):
        uvicorn.run(
            "service.api:app",
            host=host,
            port=port,
            workers=settings.processes,
            log_config=logging_config(log_level.upper()),
            access_log=False,
            timeout_graceful_shutdown=10,
        )


@contextmanager
def _shared_metrics(processes: int) -> Iterator[None]:
    """With several server processes, a folder where each writes its metrics (see
    ``service.metrics``): ``$PROMETHEUS_MULTIPROC_DIR`` emptied of old values, or a new
    temporary folder removed at exit."""
    from .metrics import MULTIPROCESS_ENV

    if processes < 2:
        yield
        return
    given = os.environ.get(MULTIPROCESS_ENV)
    if given:
        Path(given).mkdir(parents=True, exist_ok=True)
        for old in Path(given).glob("*.db"):
            old.unlink()
        yield
        return
    with tempfile.TemporaryDirectory(prefix="unspin-metrics-") as folder:
        os.environ[MULTIPROCESS_ENV] = folder  # inherited by the server processes
        try:
            yield
        finally:
            del os.environ[MULTIPROCESS_ENV]


def main() -> None:
    """Entry point for ``python -m service.cli``."""
    app()


if __name__ == "__main__":
    main()
