"""Text encodings by name, and writing files so that a reader never sees half of one."""

from __future__ import annotations

import codecs
import os
import tempfile
from pathlib import Path

__all__ = ["codec_label", "text_codec", "write_atomic"]


def text_codec(label: str) -> str | None:
    """Python's name of the text encoding ``label`` ("ISO-8859-1" -> "iso8859-1"), or None if there is none
    ("klingon"; "base64" and "rot13" are codecs but no text encodings)."""
    try:
        name = codecs.lookup(label).name
        "".encode(name)
    except LookupError:
        return None
    return name


def codec_label(codec: str) -> str:
    """How a message names the codec ``codec``: "UTF-8" for Python's "utf-8", else Python's name ("cp1252")."""
    return "UTF-8" if codec == "utf-8" else codec


def write_atomic(path: Path, text: str, encoding: str = "utf-8") -> None:
    """Write ``text`` (in ``encoding``) to ``path`` through a temporary file in the same folder and a rename:
    ``path`` holds the old text or the new, never part of it; the temporary file goes on failure."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline="") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
