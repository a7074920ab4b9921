"""Request and response bodies of the HTTP API (pydantic), and their mapping to engine types.

JSON is snake_case throughout. Offsets in ``edits`` are Python code points into the
submitted text, exactly as in :class:`service.Edit`.

>>> from service import Edit
>>> EditOut.from_edit(Edit(2, 9, "revisit", "visit", 0.9, "thesaurus")).model_dump()["original"]
'visit'
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from .edits import Edit, RestoredText

__all__ = [
    "API_VERSION",
    "RestoreOptions",
    "RestoreRequest",
    "BatchRequest",
    "LearnRequest",
    "EditOut",
    "FeedOut",
    "Software",
    "Warnings",
    "RestoreResponse",
    "BatchItem",
    "BatchResponse",
    "ErrorBody",
    "ErrorResponse",
]

API_VERSION = "1"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RestoreOptions(_Strict):
    """Options of one call; the engine validates them (unknown engine -> 422 U002)."""

    engine: str | None = Field(None, description="auto, rules or model; default: the server's UNSPIN_ENGINE.")
    min_confidence: float | None = Field(None, description="Drop edits below this confidence, in [0, 1]. Default 0.5.")
    disable: list[str] | None = Field(None, description="Stage names to switch off, e.g. [\"seq2seq\"].")
    spinner_table: dict[str, Any] | None = Field(
        None,
        description="Swaps this spinner is known to make, as `unspin learn` writes them: "
        '{"swaps": [{"spun": "infantry", "original": "troops"}, ...]} (only spun and original are required). '
        "They join the table the batch teaches; a swap of it that the decoder makes is trusted. "
        "Default: the server's UNSPIN_SPINNER_TABLE, if set.",
    )
    feed: str | None = Field(
        None,
        description="The source these articles come from (1-64 letters, digits, '_', '.', '-'): the server learns "
        "the table of its spinner from the articles sent with this name, every UNSPIN_FEED_LEARN_EVERY of them, and "
        "restores later ones with it (instead of UNSPIN_SPINNER_TABLE; a request's own spinner_table wins). "
        "GET /v1/feeds/{name} shows it.",
    )

    def engine_kwargs(self, default_engine: str, default_table: tuple[tuple[str, str], ...] = ()) -> dict[str, Any]:
        """The keyword arguments for :func:`service.restore_many` (the server's defaults where the request gives none)."""
        kwargs: dict[str, Any] = {"engine": self.engine or default_engine}
        if default_table:
            kwargs["spinner_table"] = default_table
        if self.min_confidence is not None:
            kwargs["min_confidence"] = self.min_confidence
        if self.disable is not None:
            kwargs["disable"] = tuple(self.disable)
        if self.spinner_table is not None:
            kwargs["spinner_table"] = self.spinner_table
        return kwargs


class RestoreRequest(_Strict):
    """``POST /v1/restore`` with ``Content-Type: application/json``."""

    text: str = Field(..., description="The spun article (UTF-8).")
    options: RestoreOptions = Field(default_factory=RestoreOptions)


class BatchRequest(_Strict):
    """``POST /v1/restore/batch``. Each document is checked on its own, so one bad item
    (a non-string ``text``, a document over the size limit) becomes an error item."""

    documents: list[Any] = Field(..., description='Items like {"id": "a1", "text": "..."}; id is optional.')
    options: RestoreOptions = Field(default_factory=RestoreOptions)


class LearnRequest(_Strict):
    """``POST /v1/spinner-table``: one spinner's articles, items as in a batch."""

    documents: list[Any] = Field(..., description='Items like {"id": "a1", "text": "..."}; id is optional.')


class EditOut(BaseModel):
    """One restored span of the input (code-point offsets)."""

    start: int
    end: int
    spun: str
    original: str
    confidence: float
    source: str
    alternatives: list[str]

    @classmethod
    def from_edit(cls, edit: Edit) -> EditOut:
        return cls(
            start=edit.start,
            end=edit.end,
            spun=edit.spun,
            original=edit.original,
            confidence=edit.confidence,
            source=edit.source,
            alternatives=list(edit.alternatives),
        )


class Software(BaseModel):
    name: str = "unspin"
    version: str
    api_version: str = API_VERSION


class Warnings(BaseModel):
    """``incomplete`` is true when the answer is not what was asked for in full (e.g. the
    model engine was requested but the rules engine answered)."""

    incomplete: bool = False
    reason: str | None = None


class FeedOut(BaseModel):
    """A feed's learning (``options.feed``), after this request's documents joined it."""

    name: str
    swaps: int = Field(..., description="Swaps in the feed's table now (0: none learnt yet); its next requests restore with it.")
    documents: int = Field(..., description="Documents learnt from so far.")
    waiting: int = Field(..., description="Documents waiting to be learnt from (a chunk is read every UNSPIN_FEED_LEARN_EVERY).")
    skipped: int = Field(..., description="Documents not learnt from: they came while two chunks waited.")
    reading: bool = Field(..., description="A chunk is being learnt from now.")


class RestoreResponse(BaseModel):
    text: str
    edits: list[EditOut]
    spin_score: float
    engine: str
    elapsed_ms: float
    software: Software
    warnings: Warnings
    feed: FeedOut | None = None

    @classmethod
    def build(
        cls, result: RestoredText, elapsed_ms: float, software: Software, warnings: Warnings, feed: FeedOut | None = None
    ) -> RestoreResponse:
        return cls(
            text=result.text,
            edits=[EditOut.from_edit(e) for e in result.edits or ()],
            spin_score=result.spin_score,
            engine=result.engine,
            elapsed_ms=round(elapsed_ms, 3),
            software=software,
            warnings=warnings,
            feed=feed,
        )


class ErrorBody(BaseModel):
    code: str = Field(..., description="Stable code, e.g. U040; see service/errors.py.")
    message: str = Field(..., description="What went wrong and what to fix.")


class ErrorResponse(BaseModel):
    error: ErrorBody


class BatchItem(BaseModel):
    """One document's result (``error`` null) or its error (result fields null)."""

    index: int
    id: str | int | None = None
    text: str | None = None
    edits: list[EditOut] | None = None
    spin_score: float | None = None
    engine: str | None = None
    error: ErrorBody | None = None


class BatchResponse(BaseModel):
    results: list[BatchItem]
    engine: str | None
    elapsed_ms: float
    software: Software
    warnings: Warnings
    feed: FeedOut | None = None
