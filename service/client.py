"""A small client for a running unspin server (``unspin restore --url``), standard library only.

It returns the engine's own types, so the CLI prints the same thing whether the engine
ran here or on the server.

>>> _to_result({"text": "t", "edits": [], "spin_score": 0.0, "engine": "rules"})
RestoredText(text='t', edits=[], spin_score=0.0, engine='rules')
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from .edits import Edit, RestoredText
from .errors import Errors
from .spinner_table import SpinnerTable

__all__ = ["ClientError", "restore_remote", "restore_remote_batch", "server_limits"]


class ClientError(Exception):
    """The server could not be reached or answered with an error (message is one line)."""


def _to_result(body: dict[str, Any]) -> RestoredText:
    edits = [
        Edit(e["start"], e["end"], e["spun"], e["original"], e["confidence"], e["source"], tuple(e["alternatives"]))
        for e in body["edits"]
    ]
    return RestoredText(body["text"], edits, body["spin_score"], body["engine"])


def restore_remote(
    url: str,
    text: str,
    *,
    engine: str | None = None,
    min_confidence: float | None = None,
    spinner_table: SpinnerTable | None = None,
    feed: str | None = None,
    api_key: str | None = None,
    timeout: float = 60.0,
) -> RestoredText:
    """``POST {url}/v1/restore`` and return the result as a :class:`RestoredText`.

    ``feed``: the source's name, so that the server learns its spinner's table (``options.feed``).

    Raises:
        ClientError: with code U062 (unreachable) or U063 (an HTTP error, with the server's message).
    """
    options = _options(engine, min_confidence, spinner_table, feed)
    body = _call(url, "/v1/restore", {"text": text, "options": options}, api_key, timeout)
    try:
        return _to_result(body)
    except (KeyError, TypeError) as exc:
        raise _unexpected(url, exc) from None


def restore_remote_batch(
    url: str,
    texts: list[str],
    *,
    engine: str | None = None,
    min_confidence: float | None = None,
    spinner_table: SpinnerTable | None = None,
    feed: str | None = None,
    api_key: str | None = None,
    timeout: float = 300.0,
) -> list[RestoredText | str]:
    """``POST {url}/v1/restore/batch``: the documents restored together (the server pools the spinner's table over
    them), each a :class:`RestoredText` or, where the server refused that document, its one-line error.

    Raises:
        ClientError: the whole request failed: U062 (unreachable) or U063 (an HTTP error, with the server's message).
    """
    options = _options(engine, min_confidence, spinner_table, feed)
    payload = {"documents": [{"text": t} for t in texts], "options": options}
    body = _call(url, "/v1/restore/batch", payload, api_key, timeout)
    try:
        items = sorted(body["results"], key=lambda item: item["index"])
        if [item["index"] for item in items] != list(range(len(texts))):
            raise KeyError("results")
        return [
            _to_result(item) if item.get("error") is None else f"[{item['error']['code']}] {item['error']['message']}"
            for item in items
        ]
    except (KeyError, TypeError) as exc:
        raise _unexpected(url, exc) from None


def server_limits(url: str, api_key: str | None = None, timeout: float = 10.0) -> dict[str, Any]:
    """The server's limits (``GET {url}/v1/info``): ``max_batch``, ``max_bytes``, ``max_chars``…"""
    body = _call(url, "/v1/info", None, api_key, timeout)
    limits = body.get("limits") if isinstance(body, dict) else None
    if not isinstance(limits, dict):
        raise _unexpected(url, "limits")
    return limits


def _options(
    engine: str | None, min_confidence: float | None, spinner_table: SpinnerTable | None, feed: str | None
) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if engine is not None:
        options["engine"] = engine
    if min_confidence is not None:
        options["min_confidence"] = min_confidence
    if spinner_table is not None:
        options["spinner_table"] = spinner_table.to_json()
    if feed is not None:
        options["feed"] = feed
    return options


def _call(url: str, path: str, payload: dict[str, Any] | None, api_key: str | None, timeout: float) -> Any:
    """GET (no ``payload``) or POST JSON to ``url + path``; the decoded JSON answer."""
    headers = {"Accept": "application/json"}
    data = None
    if payload is not None:
        data = json.dumps(payload).encode("utf-8")
        headers["Content-Type"] = "application/json"
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    request = urllib.request.Request(url.rstrip("/") + path, data=data, headers=headers, method="GET" if data is None else "POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - the user's URL
            return json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        raise ClientError(Errors.U063.format(url=url, status=exc.code, message=_error_message(exc))) from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise ClientError(Errors.U062.format(url=url, detail=str(reason))) from None


def _unexpected(url: str, missing: object) -> ClientError:
    """The error for a 200 answer that lacks ``missing`` (not an unspin server, or another version)."""
    return ClientError(Errors.U063.format(url=url, status=200, message=f"unexpected answer (missing {missing})"))


def _error_message(exc: urllib.error.HTTPError) -> str:
    try:
        err = json.loads(exc.read().decode("utf-8"))["error"]
        return f"[{err['code']}] {err['message']}"
    except Exception:  # noqa: BLE001 - not an unspin error body
        return str(exc.reason)
