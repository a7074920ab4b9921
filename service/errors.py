"""Coded, user-facing error messages. The code travels in HTTP error bodies too.

>>> Errors.U003.format(value=2)
'[U003] min_confidence must lie in [0, 1], got 2.'
"""

from __future__ import annotations

__all__ = ["Errors"]


class _Coded(type):
    """Prefix every message attribute with its code, as spaCy's ``Errors`` does."""

    def __getattribute__(cls, code: str) -> str:
        msg = super().__getattribute__(code)
        if code.startswith("__") or not isinstance(msg, str):
            return msg
        return f"[{code}] {msg}"


class Errors(metaclass=_Coded):
    """Messages say what went wrong and what to do next."""

    U001 = "Unknown option {name!r}: the options are {fields}."
    U002 = "Unknown engine {engine!r}: use one of {choices}."
    U003 = "min_confidence must lie in [0, 1], got {value}."
    U004 = "Unknown stage {stage!r} in disable: the stages are {choices}."
    U005 = "{name} cannot be negative."
    U006 = "{name} must be at least 1."
    U007 = (
        "spinner_table: {detail}. A spinner table is what `unspin learn` writes: "
        '{{"swaps": [{{"spun": "infantry", "original": "troops"}}, ...]}}.'
    )
    U010 = "Text must be a string, got {type}."
    U011 = "Text is {size} characters long; the limit is {limit}. Split it into smaller documents."
    U012 = (
        "Text holds a lone surrogate (U+{code:04X}) at character {index}, which is not valid Unicode. "
        "Decode the input as UTF-8 (not with errors='surrogateescape') or remove that character."
    )
    U020 = "Language model not found at {path}. Build it with `python scripts/train_lm.py` or set UNSPIN_LM_PATH."
    U021 = "Reversal dictionary not found at {path}. Build it with `python scripts/build_dictionary.py` or set UNSPIN_DICTIONARY_PATH."
    U022 = "{what} at {path} has format/version {found}; this unspin needs {expected}. Rebuild it with {script}."
    U030 = "The model engine is unavailable ({reason}); using the rules engine."
    U031 = "Model folder {path} is missing {missing}. Train one with `python scripts/train_seq2seq.py` or set UNSPIN_MODEL_DIR to a valid folder."
    # HTTP service (service.api) and settings (service.settings)
    U040 = "The request body is {size} bytes; the limit is {limit} (UNSPIN_MAX_BYTES). Send a smaller article or split it into several requests."
    U041 = "The request body is not valid {encoding} (bad byte at offset {offset}). Encode the text as UTF-8, or declare its charset."
    U042 = "Unsupported Content-Type {found!r}: send {accepted}."
    U043 = "The body is not valid JSON ({detail}). Send an object like {{\"text\": \"...\"}}."
    U044 = "The request does not match the schema: {detail}. See /docs for the request format."
    U045 = "Ambiguous input: {detail}."
    U046 = "The batch has {count} documents; the limit is {limit} (UNSPIN_MAX_BATCH). Split it into smaller batches."
    U047 = "The restoration did not finish within {seconds:g} s (UNSPIN_REQUEST_TIMEOUT_S). Retry later or send a shorter text."
    U048 = "Missing or wrong API key: send the header 'Authorization: Bearer <key>' with the key set in UNSPIN_API_KEY."
    U049 = "The engine is not ready ({reason}). Retry in a few seconds; if this persists, check the server log and the artefacts."
    U050 = "{method} {path} is not served here ({detail}). See /docs for the endpoints."
    U051 = "Internal error ({kind}); the server log has the details. Please report it."
    U052 = "Setting {name}={value!r} is invalid: {expected}."
    U053 = "Feed name {name!r} is invalid: use 1-64 letters, digits, '_', '.' or '-', starting with a letter or digit."
    U054 = "This server already learns {limit} feeds (UNSPIN_MAX_FEEDS); reuse one of their names or raise the limit."
    U055 = "No feed {name!r} on this server process yet: send articles with options.feed first."
    # Command line (service.cli, service.client)
    U060 = "No such file: {path}."
    U061 = "{path} is not {encoding} text ({detail}). Convert it to UTF-8 first, or name its encoding with --encoding."
    U062 = "Cannot reach the unspin server at {url} ({detail}). Start it with `unspin serve` or check --url."
    U063 = "The server at {url} answered HTTP {status}: {message}"
    U064 = "--out-dir must differ from --in-dir (both are {path}); unspin never overwrites its input."
    U065 = "{detail}. See `unspin {command} --help`."
    U066 = "Cannot write {path} ({detail})."
