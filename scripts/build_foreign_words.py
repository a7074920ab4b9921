"""Build ``service/data/foreign_words_v1.txt``: common words of other languages that English lacks.

An English article may quote French, Spanish or German ("Il y a une semaine, la situation a changé").
Such a quote is no spun English: its "a" is a verb or a preposition, not the spinner's "the". The
engine leaves alone the words that two or more of these words surround (``service.candidates``).

The list: the :data:`TOP` most frequent words of each language of :data:`LANGUAGES` in wordfreq
(``top_n_list``), alphabetic, at least :data:`MIN_MARGIN` Zipf units more frequent there than in
English and below :data:`MAX_ENGLISH_ZIPF` in English (so "la", "a" and "die" stay out). One
word a line, sorted, after a header that names the wordfreq version and credits its data (CC BY-SA 4.0).
Reproducible: the same wordfreq version gives the same file.

Usage::

    python scripts/build_foreign_words.py            # writes service/data/foreign_words_v1.txt
"""

from __future__ import annotations

import argparse
from importlib.metadata import version
from pathlib import Path

from wordfreq import top_n_list, zipf_frequency

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "service" / "data" / "foreign_words_v1.txt"
LANGUAGES = ("fr", "de", "es", "it", "pt", "nl")
TOP = 1000
MIN_MARGIN = 2.0
MAX_ENGLISH_ZIPF = 5.0


def foreign_words() -> list[str]:
    """The sorted list (see the module docstring)."""
    words: set[str] = set()
    for lang in LANGUAGES:
        for w in top_n_list(lang, TOP):
            english = zipf_frequency(w, "en")
            if w.isalpha() and english < MAX_ENGLISH_ZIPF and zipf_frequency(w, lang) - english >= MIN_MARGIN:
                words.add(w)
    return sorted(words)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    words = foreign_words()
    header = (
        f"# unspin foreign words v1: wordfreq {version('wordfreq')} top_n_list(lang, {TOP}) for {', '.join(LANGUAGES)};"
        f" alphabetic, Zipf there - Zipf in English >= {MIN_MARGIN}, Zipf in English < {MAX_ENGLISH_ZIPF};"
        " built by scripts/build_foreign_words.py; wordfreq data by Robyn Speer et al., CC BY-SA 4.0\n"
    )
    args.out.write_text(header + "".join(w + "\n" for w in words), encoding="utf-8")
    print(f"wrote {args.out} ({len(words)} words)")


if __name__ == "__main__":
    main()
