"""The reversal dictionary: spun phrase -> candidate originals, with channel weights.

The artefact is built by ``scripts/build_dictionary.py`` into
``service/data/reverse_synonyms_en_v1_<keys>.tsv.gz``: a header line
``# unspin reversal-dictionary format=1 version=v1 sources=... settings={...} counts={...}``
then one line per spun key, ``key<TAB>original|weight|source|zipf<TAB>...``, best
candidate first. Keys and originals are space-joined LM forms
(:func:`service.text.lm_form` of the tokens :func:`service.text.tokenize` gives).

Loading keeps each line's raw tail in a dict and parses a key's candidates only when
it is looked up, so opening the ~130,000-key file takes well under a second.

>>> d = ReversalDictionary.from_lines(
...     ["# unspin reversal-dictionary format=1 version=v1 sources=demo",
...      "infantry\\ttroops|1|fingerprint|4.6\\tfoot|0.73|thesaurus|4.9",
...      "during a\\tat the|1|fingerprint|6.7"])
>>> d.lookup("infantry")[0]
Candidate(original='troops', weight=1.0, source='fingerprint', zipf=4.6)
>>> d.max_key_tokens, sorted(d.phrase_first_tokens), len(d), "during a" in d
(2, ['during'], 2, True)
>>> d.lookup("cavalry")
()
"""

from __future__ import annotations

import gzip
import os
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

__all__ = ["SOURCES", "Candidate", "ReversalDictionary", "default_dictionary_path", "load_dictionary"]

FORMAT = "1"
VERSION = "v1"
HEADER_PREFIX = "# unspin reversal-dictionary "
FILE_GLOB = f"reverse_synonyms_en_{VERSION}_*.tsv.gz"
ENV_VAR = "UNSPIN_DICTIONARY_PATH"
#: The closed vocabulary of candidate sources, strongest evidence first.
SOURCES = ("fingerprint", "tortured_phrase", "thesaurus", "inflection")
_FIELD_RE = re.compile(r"(\w+)=(\S+)")


class Candidate(NamedTuple):
    """One original a spun key may stand for.

    Attributes:
        original: The original wording (space-joined LM forms, e.g. "at the").
        weight: Channel weight in (0, 1], a P(spun | original)-like strength.
        source: One of :data:`SOURCES`.
        zipf: wordfreq Zipf frequency of the original (a prior for the decoder).
    """

    original: str
    weight: float
    source: str
    zipf: float


def _parse_header(line: str, path: str) -> dict[str, object]:
    """Parse and check the header line; raise ValueError on another kind, format or version."""
    import json

    if not line.startswith(HEADER_PREFIX):
        raise ValueError(f"{path}: not an unspin reversal dictionary (header {line[:60]!r})")
    info: dict[str, object] = {}
    for name, value in _FIELD_RE.findall(line[len(HEADER_PREFIX) :]):
        if value.startswith("{"):
            try:
                info[name] = json.loads(value)
            except json.JSONDecodeError:
                info[name] = value
        else:
            info[name] = value
    if info.get("format") != FORMAT or info.get("version") != VERSION:
        raise ValueError(
            f"{path}: reversal dictionary format={info.get('format')} version={info.get('version')}, "
            f"this code reads format={FORMAT} version={VERSION}. Rebuild it with "
            "`python scripts/build_dictionary.py` or point UNSPIN_DICTIONARY_PATH at a matching file."
        )
    return info


class ReversalDictionary:
    """Spun key -> candidate originals, parsed lazily.

    Attributes:
        info: The header fields (``format``, ``version``, ``sources``, ``settings``, ``counts``)
            plus ``path``.
        max_key_tokens: Length in tokens of the longest key (multi-word keys included).
        phrase_first_tokens: First tokens of the multi-word keys: a phrase lookup is only worth
            trying where one of these starts.
        phrase_prefixes: The first two or more tokens (space-joined) of the keys that are longer
            than that: a phrase lookup can stop at a key that is not one of these.
    """

    def __init__(self, entries: dict[str, str], info: dict[str, object]) -> None:
        """Wrap raw entries (key -> the rest of its line, unparsed) and the header ``info``."""
        self._entries = entries
        self.info = info
        firsts: set[str] = set()
        prefixes: set[str] = set()
        longest = 1 if entries else 0
        for key in entries:
            if " " in key:
                parts = key.split(" ")
                firsts.add(parts[0])
                prefixes.update(" ".join(parts[:k]) for k in range(2, len(parts)))
                longest = max(longest, len(parts))
        self.max_key_tokens: int = longest
        self.phrase_first_tokens: frozenset[str] = frozenset(firsts)
        self.phrase_prefixes: frozenset[str] = frozenset(prefixes)
        self._parse = lru_cache(maxsize=65536)(self._parse_uncached)

    @classmethod
    def from_lines(cls, lines: Iterable[str], path: str = "<lines>") -> ReversalDictionary:
        """Build a dictionary from the lines of a dictionary file (header first).

        Raises:
            ValueError: The header is missing or has another format/version.
        """
        it = iter(lines)
        header = next(it, "")
        info = _parse_header(header.rstrip("\n"), path)
        info["path"] = path
        entries: dict[str, str] = {}
        for line in it:
            key, sep, rest = line.rstrip("\n").partition("\t")
            if sep and key:
                entries[key] = rest
        return cls(entries, info)

    def _parse_uncached(self, key: str, limit: int = -1) -> tuple[Candidate, ...]:
        rest = self._entries.get(key)
        if not rest:
            return ()
        out = []
        cells = rest.split("\t", limit)
        for cell in cells[:limit] if limit >= 0 else cells:
            original, weight, source, zipf = cell.split("|")
            out.append(Candidate(original, float(weight), source, float(zipf)))
        return tuple(out)

    def lookup(self, key: str, limit: int | None = None) -> tuple[Candidate, ...]:
        """Candidate originals of a spun key, best first.

        Args:
            key: Space-joined LM forms of the spun tokens ("infantry", "iran 's", "during a").
            limit: Only the first ``limit`` candidates: the rest of the entry is not read, and
                the answer is not cached (for a caller that caches what it makes of it).

        Returns:
            The candidates, or an empty tuple when the key is unknown.
        """
        return self._parse(key) if limit is None else self._parse_uncached(key, limit)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def __repr__(self) -> str:
        return f"ReversalDictionary({self.info.get('path')!r}, {len(self)} keys)"


def default_dictionary_path() -> Path:
    """The dictionary to load: ``$UNSPIN_DICTIONARY_PATH`` or the newest shipped file.

    Raises:
        FileNotFoundError: No dictionary file is shipped in ``service/data``.
    """
    override = os.environ.get(ENV_VAR)
    if override:
        return Path(override)
    try:
        from importlib.resources import files

        data_dir = Path(str(files(__package__ or "service") / "data"))
    except (ModuleNotFoundError, TypeError):  # pragma: no cover - not imported as a package
        data_dir = Path(__file__).parent / "data"
    found = sorted(data_dir.glob(FILE_GLOB), key=lambda p: (p.stat().st_mtime, p.name))
    if not found:
        raise FileNotFoundError(_missing_message(data_dir / FILE_GLOB))
    return found[-1]


def _missing_message(path: Path) -> str:
    return (
        f"Reversal dictionary not found at {path}. Build it with `python scripts/build_dictionary.py` "
        f"or set {ENV_VAR}."
    )


@lru_cache(maxsize=4)
def _load(path: Path) -> ReversalDictionary:
    if not path.is_file():
        raise FileNotFoundError(_missing_message(path))
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:  # type: ignore[operator]
        return ReversalDictionary.from_lines(f, str(path))


def load_dictionary(path: Path | None = None) -> ReversalDictionary:
    """Load (once, cached) the reversal dictionary.

    Args:
        path: The file to read (``.tsv.gz`` or plain ``.tsv``). Default: ``$UNSPIN_DICTIONARY_PATH``
            if set, else the newest ``reverse_synonyms_en_v1_*.tsv.gz`` in ``service/data``.

    Returns:
        The dictionary; candidates are parsed on first lookup.

    Raises:
        FileNotFoundError: The file does not exist (the message says how to build it).
        ValueError: The file is not a reversal dictionary of this format and version.
    """
    return _load(Path(path) if path is not None else default_dictionary_path())
