"""The HTTP service: a thin FastAPI layer over :func:`service.restore_many` (and
:func:`service.learn_spinner_table`).

It maps JSON (or text/plain) to engine calls and engine results to JSON, and nothing more:
all restoration logic stays in the engine. The CPU-bound engine runs in a bounded thread
pool (``UNSPIN_WORKERS``), so ``/healthz`` answers while a long article is restored, and
each restoration has a time limit (``UNSPIN_REQUEST_TIMEOUT_S``) past which the answer is
503 with ``Retry-After``. Every error is a JSON body ``{"error": {"code", "message"}}``
whose code is one of :class:`service.errors.Errors`.

Run it with ``unspin serve`` (or ``uvicorn service.api:app``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import re
import secrets
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from . import __version__
from .api_models import (
    API_VERSION,
    BatchItem,
    BatchRequest,
    BatchResponse,
    EditOut,
    ErrorBody,
    ErrorResponse,
    FeedOut,
    LearnRequest,
    RestoreOptions,
    RestoreRequest,
    RestoreResponse,
    Software,
    Warnings,
)
from .config import ENGINE_NAMES, STAGE_NAMES, make_config
from .edits import EDIT_SOURCES, RestoredText
from .engine import check_text, engine_status, learn_spinner_table, restore_many, warm_up
from .errors import Errors
from .feeds import Feeds
from .files import codec_label, text_codec
from .metrics import CONTENT_TYPE, Metrics
from .settings import Settings
from .spinner_table import SpinnerTable

__all__ = ["create_app", "app", "ApiError", "JsonLogFormatter", "logging_config"]

log = logging.getLogger("unspin.api")
T = TypeVar("T")

_CODED = re.compile(r"^\[(U\d{3})\]\s*(.*)$", re.DOTALL)
_STAGE_HELP = {
    "article": "the spinner's function-word rules, such as 'the' written as 'a'",
    "number": "digits the spinner wrote for a number word",
    "dictionary": "the reversal dictionary: fingerprints, tortured phrases, inverted thesauri",
    "context": "the language model's gap filler, for swaps in no thesaurus",
    "document": "the spinner's table learnt over the document or batch (plus options.spinner_table), then a second decoding",
    "seq2seq": "the seq2seq model's proposals (model engine only)",
}


# -- errors -------------------------------------------------------------------------


class ApiError(Exception):
    """An error answer: HTTP status, code (U0xx) and a message that says what to fix."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        code, text = _split_coded(message)
        super().__init__(text)
        self.status = status
        self.code = code
        self.message = text
        self.headers = headers or {}


def _split_coded(message: str) -> tuple[str, str]:
    """``"[U002] Unknown engine"`` -> ``("U002", "Unknown engine")``.

    >>> _split_coded("[U002] Unknown engine 'x'.")
    ('U002', "Unknown engine 'x'.")
    """
    m = _CODED.match(message)
    return (m.group(1), m.group(2)) if m else ("U051", message)


def _validation_detail(errors: Sequence[Any]) -> str:
    parts = []
    for err in list(errors)[:5]:
        loc = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body"
        parts.append(f"{loc}: {err.get('msg', 'invalid')}")
    return "; ".join(parts)


# -- logging ------------------------------------------------------------------------


class JsonLogFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, msg and any ``extra={"fields": {...}}``."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        entry.update(getattr(record, "fields", {}) or {})
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def logging_config(level: str = "INFO") -> dict[str, Any]:
    """A ``logging.config.dictConfig`` dict: JSON lines on stderr for unspin and uvicorn."""
    handler = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonLogFormatter}},
        "handlers": {"stderr": handler},
        "loggers": {
            "unspin": {"handlers": ["stderr"], "level": level, "propagate": False},
            "uvicorn": {"handlers": ["stderr"], "level": level, "propagate": False},
            "uvicorn.error": {"level": level},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
        },
    }


# -- the engine runner ----------------------------------------------------------------


class _Engine:
    """The thread pool, the warm-up and the per-request time limit."""

    def __init__(self, settings: Settings, metrics: Metrics) -> None:
        self.settings = settings
        self.metrics = metrics
        self.feeds = Feeds(settings.feed_learn_every, settings.max_feeds, Path(settings.feed_dir) if settings.feed_dir else None)
        self.pool: ThreadPoolExecutor | None = None
        self.warm: asyncio.Future[dict[str, Any]] | None = None

    def start(self) -> None:
        self.pool = ThreadPoolExecutor(max_workers=self.settings.workers, thread_name_prefix="unspin-engine")
        self.warm = asyncio.get_running_loop().run_in_executor(self.pool, self._warm_up)

    def stop(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)

    def _warm_up(self) -> dict[str, Any]:
        t0 = time.perf_counter()
        try:
            name = warm_up(self.settings.engine)
            status = engine_status()
        except Exception as exc:
            log.error("engine warm-up failed", extra={"fields": {"event": "warm_up", "error": f"{type(exc).__name__}: {exc}"}})
            raise
        status = {**status, "serving_engine": name, "warm_up_s": round(time.perf_counter() - t0, 3)}
        self.metrics.ready.set(1)
        log.info("engine ready", extra={"fields": {"event": "warm_up", "engine": name, "seconds": status["warm_up_s"]}})
        return status

    def status(self) -> tuple[bool, dict[str, Any]]:
        """(ready, what /readyz shows)."""
        if self.warm is None or not self.warm.done():
            return False, {"reason": "the engine is loading"}
        exc = self.warm.exception()
        if exc is not None:
            return False, {"reason": f"engine failed to load: {type(exc).__name__}: {exc}"}
        return True, self.warm.result()

    async def run(self, texts: list[str], kwargs: dict[str, Any]) -> list[RestoredText]:
        """``restore_many(texts, **kwargs)`` in the pool, within the time limit.

        Raises:
            ApiError: 422 for bad options, 503 when not ready or out of time.
        """
        try:
            make_config(None, **kwargs)  # cheap: bad options answer 422 before any queueing
        except (ValueError, TypeError) as exc:
            raise ApiError(422, str(exc)) from None
        return await self._in_pool(partial(restore_many, texts, **kwargs))

    def feed_table(self, options: RestoreOptions, kwargs: dict[str, Any]) -> None:
        """Restore with the table ``options.feed`` has taught where the request sends none.

        Raises:
            ApiError: 422 for a bad feed name or a feed over UNSPIN_MAX_FEEDS.
        """
        if options.feed is None:
            return
        try:
            table = self.feeds.table(options.feed)
        except ValueError as exc:
            raise ApiError(422, str(exc)) from None
        if table is not None and table.swaps and options.spinner_table is None:
            kwargs["spinner_table"] = table

    def feed_learns(self, options: RestoreOptions, texts: list[str]) -> FeedOut | None:
        """Queue restored ``texts`` to teach ``options.feed``'s table; read a full chunk in the pool
        (after the answer goes out: the request does not wait for it). The feed's state."""
        if options.feed is None:
            return None
        chunk = self.feeds.add(options.feed, texts)
        if chunk is not None:
            assert self.pool is not None
            self.pool.submit(self.feeds.read, options.feed, chunk)
        status = self.feeds.status(options.feed)
        assert status is not None
        return FeedOut(name=options.feed, **status)

    async def learn(self, texts: list[str]) -> SpinnerTable:
        """``learn_spinner_table(texts)`` in the pool, within the time limit (errors as :meth:`run`)."""
        return await self._in_pool(partial(learn_spinner_table, texts))

    async def _in_pool(self, call: Callable[[], T]) -> T:
        assert self.warm is not None and self.pool is not None
        limit = self.settings.request_timeout_s
        retry = {"Retry-After": str(max(1, math.ceil(limit)))}
        deadline = time.monotonic() + limit
        try:
            await asyncio.wait_for(asyncio.shield(self.warm), timeout=limit)
        except TimeoutError:
            raise ApiError(503, Errors.U049.format(reason="the engine is still loading"), retry) from None
        except Exception as exc:  # noqa: BLE001 - a failed warm-up is reported as not ready
            raise ApiError(503, Errors.U049.format(reason=f"{type(exc).__name__}: {exc}"), retry) from None
        loop = asyncio.get_running_loop()
        self.metrics.in_flight.inc()
        try:
            job = loop.run_in_executor(self.pool, call)
            return await asyncio.wait_for(job, timeout=max(deadline - time.monotonic(), 1e-6))
        except TimeoutError:
            raise ApiError(503, Errors.U047.format(seconds=limit), retry) from None
        except (ValueError, TypeError) as exc:
            if not _CODED.match(str(exc)):
                raise  # not a refusal of the input but a bug: answered 500 (U051) and logged
            raise ApiError(422, str(exc)) from None
        finally:
            self.metrics.in_flight.dec()


# -- request parsing ----------------------------------------------------------------


async def _read_body(request: Request, limit: int) -> bytes:
    """The body, refusing more than ``limit`` bytes by Content-Length and by the bytes received."""
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            size = int(declared)
        except ValueError:
            raise ApiError(400, Errors.U044.format(detail=f"Content-Length {declared!r} is not a number")) from None
        if size > limit:
            raise ApiError(413, Errors.U040.format(size=size, limit=limit))
    chunks: list[bytes] = []
    received = 0
    async for chunk in request.stream():
        received += len(chunk)
        if received > limit:
            raise ApiError(413, Errors.U040.format(size=f"more than {limit}", limit=limit))
        chunks.append(chunk)
    return b"".join(chunks)


def _decode(body: bytes, encoding: str = "utf-8") -> str:
    try:
        return body.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ApiError(400, Errors.U041.format(encoding=codec_label(encoding), offset=exc.start)) from None


#: Media types whose body is the article itself, answered with the restored article in the same type.
_RAW_TEXT = ("text/plain", "text/html", "text/markdown")
_RESTORE_TYPES = "application/json (UTF-8), or text/plain, text/html or text/markdown (UTF-8, or a charset Python knows, declared)"
_UTF8 = (None, "utf-8", "utf8", "us-ascii", "ascii")


def _raw_text_encoding(charset: str | None) -> str | None:
    """The codec of a raw-text body's declared ``charset`` ("utf-8" when none), or None if Python knows no such one."""
    return "utf-8" if charset in _UTF8 else text_codec(charset)  # type: ignore[arg-type]


def _require_json(request: Request) -> None:
    """Refuse (415) a body that is not JSON in UTF-8, the only type the batch and learning endpoints take."""
    media, charset = _media_type(request)
    if media != "application/json" or charset not in _UTF8:
        raise ApiError(415, Errors.U042.format(found=request.headers.get("content-type", ""), accepted="application/json (UTF-8)"))


def _encoded_like(text: str, encoding: str, charset: str | None) -> tuple[bytes, str]:
    """``text`` in the request's ``encoding`` (so that every byte outside the edits comes back as sent), or in UTF-8
    where a restored word has no code in it; and the charset to declare (the request's name for it)."""
    if encoding != "utf-8" and charset:
        try:
            return text.encode(encoding), charset
        except UnicodeEncodeError:
            pass
    return text.encode("utf-8"), "utf-8"


def _media_type(request: Request) -> tuple[str, str | None]:
    """(media type, charset): "application/json" for any JSON type, else the type as sent, lower case."""
    raw = request.headers.get("content-type", "")
    parts = [p.strip() for p in raw.split(";")]
    media = parts[0].lower()
    charset = None
    for p in parts[1:]:
        key, _, value = p.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    if media == "application/json" or (media.startswith("application/") and media.endswith("+json")):
        return "application/json", charset
    return media, charset


def _parse_json(body: bytes, model: type[Any]) -> Any:
    text = _decode(body)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ApiError(422, Errors.U043.format(detail=f"{exc.msg} at line {exc.lineno} column {exc.colno}")) from None
    if not isinstance(data, dict):
        raise ApiError(422, Errors.U044.format(detail=f"the body must be a JSON object, got {type(data).__name__}"))
    if "text" in data and "documents" in data:
        raise ApiError(
            400,
            Errors.U045.format(
                detail="the body has both 'text' and 'documents'; send one 'text' to /v1/restore "
                "or a 'documents' list to /v1/restore/batch"
            ),
        )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ApiError(422, Errors.U044.format(detail=_validation_detail(exc.errors()))) from None


def _query_options(request: Request) -> RestoreOptions | None:
    q = request.query_params
    if not any(k in q for k in ("engine", "min_confidence", "disable", "feed")):
        return None
    try:
        return RestoreOptions(
            engine=q.get("engine"),
            min_confidence=q.get("min_confidence"),
            disable=q.getlist("disable") or None,
            feed=q.get("feed"),
        )
    except ValidationError as exc:
        raise ApiError(422, Errors.U044.format(detail=_validation_detail(exc.errors()))) from None


def _check_text(text: object, limit: int) -> None:
    """Refuse a text no engine can restore (422) or one over the size limit (413), before any queueing."""
    try:
        check_text(text)
    except (TypeError, ValueError) as exc:
        raise ApiError(422, str(exc)) from None
    if len(text) > limit:
        raise ApiError(413, Errors.U011.format(size=len(text), limit=limit))


def _json_body(schema: str) -> dict[str, Any]:
    """OpenAPI for a route that reads its JSON body itself: the body is the schema ``schema``."""
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}}


# -- the app ------------------------------------------------------------------------


def create_app(settings: Settings | None = None) -> FastAPI:
    """A new app with its own settings, metrics registry, thread pool and warm-up.

    Args:
        settings: Default: read from the ``UNSPIN_*`` environment variables.
    """
    settings = settings or Settings.from_env()
    metrics = Metrics()
    engine = _Engine(settings, metrics)
    software = Software(version=__version__, api_version=API_VERSION)

    @asynccontextmanager
    async def lifespan(_: FastAPI):  # noqa: ANN202
        engine.start()
        limits = settings._replace(api_key="***" if settings.api_key else None)._asdict()
        log.info("unspin starting", extra={"fields": {"event": "start", "version": __version__, "settings": limits}})
        yield
        engine.stop()
        metrics.process_exits()

    app = FastAPI(
        title="unspin",
        version=__version__,
        summary="Restores articles garbled by an article spinner.",
        lifespan=lifespan,
        responses={422: {"model": ErrorResponse}},
    )
    app.state.settings = settings
    app.state.metrics = metrics

    def error_response(err: ApiError) -> JSONResponse:
        metrics.errors.labels(code=err.code).inc()
        body = ErrorResponse(error=ErrorBody(code=err.code, message=err.message))
        return JSONResponse(body.model_dump(), status_code=err.status, headers=err.headers)

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _schema_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(ApiError(422, Errors.U044.format(detail=_validation_detail(exc.errors()))))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        msg = Errors.U050.format(method=request.method, path=request.url.path, detail=exc.detail)
        return error_response(ApiError(exc.status_code, msg, dict(exc.headers or {})))

    @app.exception_handler(Exception)
    async def _internal_error(_: Request, exc: Exception) -> JSONResponse:
        log.error("internal error", exc_info=exc, extra={"fields": {"event": "error"}})
        return error_response(ApiError(500, Errors.U051.format(kind=type(exc).__name__)))

    def route_of(request: Request) -> str:
        """The route's path template (bounded label values), "other" for unknown paths."""
        routed = request.scope.get("route")
        if isinstance(getattr(routed, "path", None), str):
            return routed.path
        for route in app.router.routes:
            match, child = route.matches(request.scope)
            if match != Match.NONE:
                found = getattr(route, "path", None) or getattr(child.get("route"), "path", None)
                return found if isinstance(found, str) else "other"
        return "other"

    @app.middleware("http")
    async def _observe(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        t0 = time.perf_counter()
        request_id = request.headers.get("x-request-id") or uuid.uuid4().hex[:16]
        status = 500
        try:
            response = await call_next(request)
            status = response.status_code
            response.headers["X-Request-Id"] = request_id
            return response
        finally:
            seconds = time.perf_counter() - t0
            route = route_of(request)
            metrics.requests.labels(route=route, status=str(status)).inc()
            metrics.latency.labels(route=route).observe(seconds)
            if route not in ("/healthz", "/metrics", "/readyz"):
                fields = {"event": "request", "method": request.method, "route": route, "status": status}
                fields |= {"ms": round(seconds * 1000, 2), "request_id": request_id}
                log.info("request", extra={"fields": fields})

    # -- operations: open even with an API key ------------------------------------

    @app.get("/healthz", tags=["operations"], summary="Liveness: the process answers.")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["operations"], summary="Readiness: the engine is loaded (503 until then).")
    async def readyz() -> JSONResponse:
        ready, status = engine.status()
        return JSONResponse({"ready": ready, **status}, status_code=200 if ready else 503)

    @app.get("/metrics", tags=["operations"], summary="Prometheus metrics.")
    async def prometheus() -> Response:
        return Response(metrics.render(), media_type=CONTENT_TYPE)

    # -- /v1 ----------------------------------------------------------------------

    async def require_key(request: Request) -> None:
        if settings.api_key is None:
            return
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not secrets.compare_digest(token.strip().encode(), settings.api_key.encode()):
            raise ApiError(401, Errors.U048, {"WWW-Authenticate": "Bearer"})

    v1 = APIRouter(prefix="/v1", dependencies=[Depends(require_key)], tags=["v1"])
    errors_doc: dict[int | str, dict[str, Any]] = {
        s: {"model": ErrorResponse} for s in (400, 401, 413, 415, 422, 503)
    }

    def warnings_for(kwargs: dict[str, Any], engines: list[str]) -> Warnings:
        asked = kwargs["engine"]
        if asked == "model" and any(e != "model" for e in engines):
            return Warnings(incomplete=True, reason="the model engine is unavailable; the rules engine answered")
        return Warnings()

    def count(results: Sequence[RestoredText], texts: Sequence[str]) -> None:
        metrics.documents.inc(len(texts))
        metrics.words.inc(sum(len(t.split()) for t in texts))
        for r in results:
            for e in r.edits or ():
                metrics.edits.labels(source=e.source).inc()

    @v1.post(
        "/restore",
        summary="Restore one article.",
        description="Send JSON `{\"text\": ..., \"options\": {...}}` and get JSON back, or send `text/plain`, "
        "`text/html` or `text/markdown` (options in the query string: `?engine=rules&min_confidence=0.6`) and get the "
        "restored text back in the same type (HTML: every tag and entity as it came; Markdown: code and links as they came) "
        "and in the same charset (UTF-8 unless the Content-Type declares another, e.g. `text/plain; charset=ISO-8859-1`).",
        response_model=RestoreResponse,
        responses=errors_doc,
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/RestoreRequest"}},
                    "text/plain": {"schema": {"type": "string"}},
                    "text/html": {"schema": {"type": "string"}},
                    "text/markdown": {"schema": {"type": "string"}},
                },
            }
        },
    )
    async def restore_one(request: Request) -> Response:
        t0 = time.perf_counter()
        media, charset = _media_type(request)
        if media not in ("application/json", *_RAW_TEXT):
            raise ApiError(415, Errors.U042.format(found=request.headers.get("content-type", ""), accepted=_RESTORE_TYPES))
        encoding = _raw_text_encoding(charset) if media in _RAW_TEXT else "utf-8" if charset in _UTF8 else None
        if encoding is None:  # JSON is UTF-8; a raw text may declare any charset Python knows
            raise ApiError(415, Errors.U042.format(found=request.headers.get("content-type", ""), accepted=_RESTORE_TYPES))
        body = await _read_body(request, settings.max_bytes)
        query = _query_options(request)
        if media in _RAW_TEXT:
            req = RestoreRequest(text=_decode(body, encoding), options=query or RestoreOptions())
        else:
            req = _parse_json(body, RestoreRequest)
            if query is not None:
                raise ApiError(
                    400, Errors.U045.format(detail="options are in the query string and the JSON body; put them in 'options'")
                )
        _check_text(req.text, settings.max_chars)
        if settings.log_text:
            log.info("text", extra={"fields": {"event": "text", "chars": len(req.text), "text": req.text[:2000]}})
        kwargs = req.options.engine_kwargs(settings.engine, settings.spinner_table)
        engine.feed_table(req.options, kwargs)
        (result,) = await engine.run([req.text], kwargs)
        count([result], [req.text])
        feed = engine.feed_learns(req.options, [req.text])
        elapsed = (time.perf_counter() - t0) * 1000
        if media in _RAW_TEXT:
            headers = {"X-Unspin-Engine": result.engine, "X-Unspin-Edits": str(len(result.edits or ()))}
            if feed is not None:
                headers["X-Unspin-Feed-Swaps"] = str(feed.swaps)
            content, declared = _encoded_like(result.text, encoding, charset)
            return Response(content, headers={**headers, "Content-Type": f"{media}; charset={declared}"})
        out = RestoreResponse.build(result, elapsed, software, warnings_for(kwargs, [result.engine]), feed)
        return Response(out.model_dump_json(), media_type="application/json")

    @v1.post(
        "/restore/batch",
        summary="Restore several articles in one call (results in order).",
        description="One bad document (text not a string, over the size limit) becomes an error item; "
        "the others are restored together, so the spinner's table is pooled over the batch.",
        response_model=BatchResponse,
        responses=errors_doc,
        openapi_extra=_json_body("BatchRequest"),
    )
    async def restore_batch(request: Request) -> Response:
        t0 = time.perf_counter()
        _require_json(request)
        body = await _read_body(request, settings.max_bytes)
        req: BatchRequest = _parse_json(body, BatchRequest)
        if len(req.documents) > settings.max_batch:
            raise ApiError(413, Errors.U046.format(count=len(req.documents), limit=settings.max_batch))
        items: list[BatchItem] = []
        good: list[tuple[int, str]] = []
        for i, doc in enumerate(req.documents):
            item, text = _check_document(i, doc, settings.max_chars)
            items.append(item)
            if text is not None:
                good.append((i, text))
        for item in items:
            if item.error is not None:
                metrics.errors.labels(code=item.error.code).inc()
        kwargs = req.options.engine_kwargs(settings.engine, settings.spinner_table)
        engine.feed_table(req.options, kwargs)
        texts = [t for _, t in good]
        results = await engine.run(texts, kwargs) if texts else []
        count(results, texts)
        feed = engine.feed_learns(req.options, texts)
        for (i, _), r in zip(good, results, strict=True):
            items[i] = items[i].model_copy(
                update={
                    "text": r.text,
                    "edits": [EditOut.from_edit(e) for e in r.edits or ()],
                    "spin_score": r.spin_score,
                    "engine": r.engine,
                }
            )
        engines = sorted({r.engine for r in results})
        out = BatchResponse(
            results=items,
            engine=engines[0] if len(engines) == 1 else ("mixed" if engines else None),
            elapsed_ms=round((time.perf_counter() - t0) * 1000, 3),
            software=software,
            warnings=warnings_for(kwargs, [r.engine for r in results]),
            feed=feed,
        )
        return Response(out.model_dump_json(), media_type="application/json")

    @v1.post(
        "/spinner-table",
        summary="Learn a spinner's table from a corpus of its articles (spun text only).",
        description="Send one spinner's articles, as many as the body limit allows (hundreds teach more than a few); "
        "get back the table, which `options.spinner_table` of later requests (or UNSPIN_SPINNER_TABLE) takes as it is. "
        "A bad document refuses the whole request, naming it.",
        responses=errors_doc,
        openapi_extra=_json_body("LearnRequest"),
    )
    async def learn_table(request: Request) -> Response:
        _require_json(request)
        req: LearnRequest = _parse_json(await _read_body(request, settings.max_bytes), LearnRequest)
        texts = []
        for i, doc in enumerate(req.documents):
            item, text = _check_document(i, doc, settings.max_chars)
            if item.error is not None:
                status = 413 if item.error.code == "U011" else 422
                where = "" if f"documents.{i}" in item.error.message else f"documents.{i}: "
                raise ApiError(status, f"[{item.error.code}] {where}{item.error.message}")
            texts.append(text)
        table = await engine.learn(texts)
        return Response(json.dumps(table.to_json(), ensure_ascii=False), media_type="application/json")

    @v1.get("/feeds", summary="The feeds (options.feed) this server process learns, with their state.")
    async def feeds_list() -> dict[str, Any]:
        return {"feeds": [{"name": n, **(engine.feeds.status(n) or {})} for n in engine.feeds.names()]}

    @v1.get(
        "/feeds/{name}",
        summary="What a feed (options.feed) has taught this server process: its state and its spinner table.",
        description="The table is in the form `options.spinner_table` and UNSPIN_SPINNER_TABLE take: keep it to "
        "restore with it after a restart, or on another server.",
        responses={404: {"model": ErrorResponse}, **errors_doc},
    )
    async def feed_state(name: str) -> dict[str, Any]:
        status = engine.feeds.status(name)
        if status is None:
            raise ApiError(404, Errors.U055.format(name=name[:80]))
        table = engine.feeds.table(name)
        return {"name": name, **status, "table": table.to_json() if table is not None else None}

    @v1.get("/info", summary="Versions, limits and engines.")
    async def info() -> dict[str, Any]:
        ready, status = engine.status()
        return {
            "software": software.model_dump(),
            "python": sys.version.split()[0],
            "limits": {
                "max_bytes": settings.max_bytes,
                "max_chars": settings.max_chars,
                "max_batch": settings.max_batch,
                "request_timeout_s": settings.request_timeout_s,
                "workers": settings.workers,
                "processes": settings.processes,
                "feed_learn_every": settings.feed_learn_every,
                "max_feeds": settings.max_feeds,
                "feeds_kept": settings.feed_dir is not None,
            },
            "engines": {
                "available": list(ENGINE_NAMES),
                "default": settings.engine,
                "ready": ready,
                "serving": status.get("serving_engine"),
                "model_dir": settings.model_dir,
                "spinner_table_swaps": len(settings.spinner_table),
            },
            "auth": settings.api_key is not None,
        }

    @v1.get("/stages", summary="The stages a request may switch off with options.disable, and the edit sources.")
    async def stages() -> dict[str, Any]:
        return {
            "stages": [{"name": s, "description": _STAGE_HELP.get(s, "")} for s in STAGE_NAMES],
            "edit_sources": list(EDIT_SOURCES),
        }

    app.include_router(v1)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, summary=app.summary, routes=app.routes)
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            for model in (RestoreRequest, BatchRequest, LearnRequest):
                body = model.model_json_schema(ref_template="#/components/schemas/{model}")
                components.update(body.pop("$defs", {}))
                components[model.__name__] = body
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def _check_document(index: int, doc: Any, max_chars: int) -> tuple[BatchItem, str | None]:
    """A batch item: the text to restore, or an error item for a bad document."""

    def bad(message: str, doc_id: Any = None) -> tuple[BatchItem, None]:
        code, text = _split_coded(message)
        return BatchItem(index=index, id=doc_id, error=ErrorBody(code=code, message=text)), None

    if not isinstance(doc, dict):
        return bad(Errors.U044.format(detail=f"documents.{index} must be an object with 'text', got {type(doc).__name__}"))
    doc_id = doc.get("id")
    if doc_id is not None and (not isinstance(doc_id, str | int) or isinstance(doc_id, bool)):
        return bad(Errors.U044.format(detail=f"documents.{index}.id must be a string or an integer"))
    extra = sorted(set(doc) - {"id", "text"})
    if extra:
        return bad(Errors.U044.format(detail=f"documents.{index} has unknown field {extra[0]!r}"), doc_id)
    if "text" not in doc:
        return bad(Errors.U044.format(detail=f"documents.{index}.text is missing"), doc_id)
    text = doc["text"]
    try:
        _check_text(text, max_chars)
    except ApiError as err:
        return BatchItem(index=index, id=doc_id, error=ErrorBody(code=err.code, message=err.message)), None
    return BatchItem(index=index, id=doc_id), text


def __getattr__(name: str) -> Any:
    """``service.api.app`` is built on first use, so importing this module reads no settings."""
    if name == "app":
        global app
        app = create_app()
        return app
    raise AttributeError(name)
