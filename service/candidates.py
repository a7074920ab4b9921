"""The candidate lattice: for each spun token (or phrase), the originals it may stand for.

An :class:`Arc` covers tokens ``start..end`` of a sentence and proposes the words
``words`` (LM forms) in their place, at a channel cost ``logp`` (log10, relative to
leaving the span alone). Sources:

- ``article``: lower-case "a" for "the" (the field spinner's rule), weighted by how
  sure we are that the document went through such a spinner (:class:`DocumentEvidence`);
- ``number``: digits for a number word;
- ``fingerprint`` / ``tortured_phrase`` / ``thesaurus`` / ``inflection``: the reversal dictionary;
- ``context``: the language model's gap filler, for words in no thesaurus that do not fit;
- ``document``: a swap learnt from the rest of the document or batch.
"""

from __future__ import annotations

import math
import re
from collections.abc import Container, Iterable
from functools import lru_cache
from itertools import accumulate
from pathlib import Path
from typing import NamedTuple

from wordfreq import get_frequency_dict, zipf_frequency

from .dictionary import Candidate, ReversalDictionary
from .lm import NEWSWIRE_WORDS, GapFiller
from .text import Token

__all__ = [
    "Arc", "DocumentEvidence", "CandidateGenerator", "Proposals", "FUNCTION_WORDS", "NUMBER_WORDS", "OPENING_MARKS",
    "QUANTITY_WORDS", "RULE_SOURCES", "no_restoration", "same_word",
    "article_log_lr", "body_log_odds", "foreign_neighbourhoods", "probability", "zipf",
]

# Words the dictionary is not asked about (only fingerprints may change them).
FUNCTION_WORDS = frozenset(
    """a an the and or but nor so yet if then than as of in on at to for with by from into onto upon
    about over under after before since until while during through between among against without within
    i me my mine we us our ours you your yours he him his she her hers it its they them their theirs
    this that these those who whom whose which what where when why how there here
    is are was were be been being am has have had having do does did doing will would shall should
    can could may might must not no n't 's 're 've 'll 'd 'm
    all any both each few many much most other some such own same only very just also too""".split()
)

NUMBER_WORDS: dict[str, str] = {
    str(n): w
    for n, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen twenty".split()
    )
} | {str(n * 10): w for n, w in zip(range(3, 10), "thirty forty fifty sixty seventy eighty ninety".split(), strict=True)}
# Words of quantity. One is never proposed for another: "3.16 billion crowns" -> "million" (a thesaurus sister term)
# changes the figure a thousandfold, and neither the field fingerprints nor the emulator's tables swap them (on 1,000
# clean Reuters articles of reut2-018/019, 5 of the 116 false edits were "billion" -> "million" or "trillion").
QUANTITY_WORDS = frozenset(NUMBER_WORDS.values()) | {
    w + s for w in ("hundred", "thousand", "million", "billion", "trillion") for s in ("", "s")
}
# British and American spellings of one word ("privatisation" / "privatization", "colour" / "color", "centre" /
# "center"), with or without a hyphen ("on-line" / "online"): the thesauri list them as synonyms, but writing one for
# the other restores nothing and changes a publication's spelling. Each rule rewrites the British pattern; two words
# with the same rewriting are one word.
_SPELLING_RULES = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        # words of their own first ("sulphur", "tyre", "fulfilment", "learnt"), then the patterns
        *((rf"^{british}", american) for british, american in (
            ("sulph", "sulf"), ("aluminium", "aluminum"), ("tyre", "tire"), ("grey", "gray"), ("plough", "plow"),
            ("mould", "mold"), ("draught", "draft"), ("aeroplane", "airplane"), ("jewellery", "jewelry"),
            ("ageing", "aging"), ("cheque", "check"), ("kerb", "curb"), ("moustache", "mustache"),
            ("artefact", "artifact"), ("sceptic", "skeptic"),
        )),
        (r"^(fulfil|enrol|instal|distil)(s|ment|ments)?$", r"\1l\2"),
        (r"^(skil|wil)ful(ly|ness)?$", r"\1lful\2"),
        (r"^(acknowle|ju)dgement(s)?$", r"\1dgment\2"),
        (r"^(learn|burn|spel|spoil|dream|leap)t$", r"\1ed"),
        (r"is(e|ed|es|ing|ation|ations|er|ers)$", r"iz\1"),
        (r"ys(e|ed|es|ing)$", r"yz\1"),
        (r"our(s|ed|ing|ite|ites|able|er|ers|al|ally)?$", r"or\1"),
        (r"([^aeiou])re(s|d)?$", r"\1er\2"),
        (r"ence(s)?$", r"ense\1"),
        (r"ogue(s)?$", r"og\1"),
        (r"amme(s)?$", r"am\1"),
        (r"ll(ed|ing|er|ers)$", r"l\1"),
        (r"(?<=[a-z])(ae|oe)(?=[a-z])", "e"),
    )
)


def same_word(a: str, b: str) -> bool:
    """Whether ``b`` is ``a`` in another spelling, British or American (:data:`_SPELLING_RULES`).

    >>> same_word("privatisation", "privatization"), same_word("travelled", "traveled"), same_word("on-line", "online")
    (True, True, True)
    >>> same_word("Sulphur", "sulfur"), same_word("fulfilment", "fulfillment"), same_word("learnt", "learned")
    (True, True, True)
    >>> same_word("stimulation", "stimulus"), same_word("realised", "accomplished")
    (False, False)
    """
    return a != b and _spelling_key(a) == _spelling_key(b)


# Any rule's pattern: a word that matches none is its own key (3 % of the dictionary's words match one).
_ANY_SPELLING_RULE = re.compile("|".join(f"(?:{pattern.pattern})" for pattern, _ in _SPELLING_RULES))


@lru_cache(maxsize=65536)
def _spelling_key(word: str) -> str:
    word = word.lower().replace("-", "")
    if _ANY_SPELLING_RULE.search(word) is None:  # no rule applies (a rule only fires where its pattern matches)
        return word
    for pattern, replacement in _SPELLING_RULES:
        word = pattern.sub(replacement, word)
    return word


def no_restoration(form: str, original: str) -> bool:
    """Candidates that restore nothing whatever the context: a word of quantity for another (:data:`QUANTITY_WORDS`),
    the same word in another spelling (:func:`same_word`). Neither the dictionary, the gap filler nor the batch's
    cipher (``rules_engine._learn_table``) proposes one."""
    return (form in QUANTITY_WORDS and original in QUANTITY_WORDS) or same_word(form, original)


# Share of occurrences the field spinner rewrites with a field fingerprint (as scripts/spinner.py assumes):
# in a document that went through it, "pronounced" stands for "said" about this often.
FINGERPRINT_RATE = 0.85
# Share of the words of a field-spun document that the spinner would have swapped (table rate x coverage).
KEEP_COST = 0.35
# Least spin rate (times ``p_field``) that prices a learnt swap (the batch's table or a caller's) in a field-spun
# document. The spin rate counts what pass 1 changed, about a quarter of the field spinner's content swaps (200
# field-spun Reuters dev articles: median 0.053 against a true 0.208), so it under-prices what was learnt; 0.05, about
# that median, lifts the documents below it (model_cards/reversal_dictionary.md). Other arcs keep the spin rate.
FIELD_TABLE_SPIN_RATE = 0.05
# What the language model says of a lower-case "a" in a document without a lower-case "the": the natural log of
# the likelihood ratio, field-spun over clean, is ARTICLE_LLR_BIAS + ARTICLE_LLR_SLOPE * gain, where gain is the
# windowed log10 gain of "the" over "a" clipped to ARTICLE_GAIN_RANGE ("a army" says spun, "a few" says clean).
# Fitted on field-spun and clean Wikipedia documents by `python -m scripts.fit_article_evidence`
# (model_cards/language_model.md).
ARTICLE_LLR_BIAS = -0.13
ARTICLE_LLR_SLOPE = 1.10
ARTICLE_GAIN_RANGE = (-2.0, 3.0)
# Lower-case "a" per word in field-spun text, and in the sentences of clean text that have no lower-case "the"
# (Wikipedia, the same script): what the "a"s of a document's sentences without "the" say when its other sentences
# have one (:func:`body_log_odds`), and those of list items (:func:`a_count_log_lr`).
FIELD_A_RATE = 0.0876
CLEAN_A_RATE = 0.0249
# Log odds for the field spinner of each word of a text without a lower-case "the": plain English has one every ~20
# words (:meth:`DocumentEvidence.from_tokens`).
THE_ABSENCE_LOG_ODDS = 0.05
# A site adds a header or a footer to a spun article, unspun ("Read the full story on our website."): the odds of
# each such sentence with a lower-case "the" in a field-spun document (:func:`body_log_odds`).
UNSPUN_SENTENCE_ODDS = 0.1
# p_field of a text with a lower-case "the": the field spinner leaves none.
CLEAN_P_FIELD = 0.02
# A document is English enough to restore when this share of its lower-case words (those that start with a letter:
# not "3rd") have a wordfreq Zipf frequency of at least COMMON_ZIPF or are newswire shorthand (lm.NEWSWIRE_WORDS:
# "mln", "cts", "mths"; until 2026-12-07 an earnings report written in them fell below it). Clean news: ~0.95;
# French or German: < 0.5.
MIN_ENGLISH = 0.7
COMMON_ZIPF = 3.0
# A quote in another language inside an English article ("Il y a une semaine, la situation a changé") is no spun
# English: a word with FOREIGN_NEIGHBOURS words of service/data/foreign_words_v1.txt (common French,
# German, Spanish, Italian, Portuguese or Dutch words that English lacks; scripts/build_foreign_words.py) within
# FOREIGN_REACH words on either side gets no candidates.
FOREIGN_WORDS = frozenset(
    line.strip()
    for line in (Path(__file__).parent / "data" / "foreign_words_v1.txt").read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("#")
)
FOREIGN_NEIGHBOURS = 2
FOREIGN_REACH = 3
# log10 odds that the number rule's arc gets from the style of prose (see _number_style_odds): it spells
# one to nine out and writes larger numbers in digits (news style guides; Wikipedia's manual of style), but
# the language model, trained on Wikipedia, knows digits before units ("$9 million") where newswire writes
# "nine mln dlrs". Lone 1-9 are words at 84 % of such places in Wikipedia (enwiki-major-00) and 98 % in
# Reuters originals (files 000-017); 1.5 was chosen on field-spun reut2-018, not the dev files
# (model_cards/language_model.md).
NUMBER_STYLE_ODDS = 1.5
# Numbers say whether the field spinner was at work where no lower-case "the" says it was not: prose spells one to
# nine out (84 % of such places in Wikipedia, 98 % in Reuters originals) and the field spinner writes them as digits.
# Each lone digit 1-9 adds the natural log of 0.9 / 0.16 to the log odds (the spinner's rate against Wikipedia's, the
# lower of the two clean rates), each number word one to nine that of 0.1 / 0.84 (:func:`number_log_lr`), in prose
# with a lower-case "a" of at least PROSE_NUMBERS_MIN_WORDS words, and in a text without "a" either (an earnings table)
# of at least TABLE_NUMBERS_MIN_WORDS, which starts from NUMBER_EVIDENCE_PRIOR: a headline has no articles and writes
# digits.
NUMBER_EVIDENCE_PRIOR = -3.0
PROSE_NUMBERS_MIN_WORDS = 10
TABLE_NUMBERS_MIN_WORDS = 40
LONE_DIGIT_LLR = math.log(0.9 / 0.16)
NUMBER_WORD_LLR = math.log(0.1 / 0.84)
_ONE_TO_NINE = frozenset(NUMBER_WORDS[str(n)] for n in range(1, 10))
# Channel weight of a gap-filler proposal (a word in no thesaurus entry of the spun one).
CONTEXT_WEIGHT = 0.01
# The field spinner's rules ("the" -> "a", number words -> digits): their channel score needs no swap
# prior (they carry their own), and they are no evidence of content-word swaps.
RULE_SOURCES = frozenset({"article", "number"})


class Arc(NamedTuple):
    """A proposed restoration of tokens ``start..end`` (exclusive) of a sentence."""

    start: int
    end: int
    words: tuple[str, ...]
    logp: float
    source: str
    weight: float = 1.0  # the channel weight before the swap prior (dictionary strength)


class DocumentEvidence(NamedTuple):
    """What the whole document (or batch) says about the spinner that produced it.

    Attributes:
        p_field: Probability that a field-style spinner ("the" -> "a") was at work.
        spin_rate: Prior probability that a content word was swapped.
        table: Learnt swaps, ``spun form -> {original: weight}``.
        counts: Occurrences of each LM form in the document.
        batch_counts: Occurrences of each spun form of ``table`` in the whole batch.
        english: Share of its lower-case words that are common English words; a
            document below :data:`MIN_ENGLISH` gets no edits at all.
        field_evidence: Whether the document's own words say anything of the field spinner
            by their articles (a lower-case "a" or "the"); ``p_field`` of one without is what its
            numbers say (:func:`number_log_lr`; 0 where they say nothing), or its batch's
            (``rules_engine._share_field_evidence``), which the rules' arcs read; the verifier
            and the spin score read :attr:`own_p_field`.
        number_p_field: ``p_field`` from the numbers of a document without articles (0 for one with some).
    """

    p_field: float
    spin_rate: float
    table: dict[str, dict[str, float]]
    counts: dict[str, int]
    batch_counts: dict[str, int]
    english: float = 1.0
    field_evidence: bool = True
    number_p_field: float = 0.0

    @property
    def own_p_field(self) -> float:
        """``p_field`` as the document's own words give it: without an "a" or "the", what its numbers say, whatever
        its batch's is."""
        return self.p_field if self.field_evidence else self.number_p_field

    @staticmethod
    def from_tokens(
        words: Iterable[str],
        spin_rate: float = 0.15,
        article_gains: Iterable[float] = (),
        number_lr: float | None = None,
        listed_words: int = 0,
        listed_a: int = 0,
    ) -> DocumentEvidence:
        """Estimate ``p_field`` from how the document uses "the" and "a".

        Plain English has a lower-case "the" every ~20 words; the field spinner leaves
        none (it keeps capitalised "The"), so a long text without one and with several
        lower-case "a" is almost surely spun. Words, not numbers, count for its length: an
        earnings table is mostly numbers. ``words`` are token texts, case kept.
        ``article_gains``: where there is no lower-case "the", the language model's gain of
        "the" over each lower-case "a" (log10); each adds its log likelihood ratio
        (:data:`ARTICLE_LLR_SLOPE`), which tells a headline's genuine "a" from a spun "the". ``number_lr``: what
        its numbers say where there is no lower-case "the" (:func:`number_log_lr`); with no "a" either, they alone
        give ``p_field`` (and ``number_p_field``), though a batch with field evidence gives it its own.
        ``listed_words``, ``listed_a``: the words of ``words`` in list entries (short list items: release notes, a
        changelog, a digest of headlines; ``rules_engine.document_sentences``) and the lower-case "a"s among them. A
        list is no prose, so its lack of "the" says nothing; its "a"s say what they say beside a site's header or
        footer (:func:`a_count_log_lr`), a list without "the" being no rarer than such sentences
        (model_cards/language_model.md).

        >>> DocumentEvidence.from_tokens("He saw the cat .".split()).p_field
        0.02
        >>> DocumentEvidence.from_tokens(("The man saw a cat and a dog in a car " * 3).split()).p_field > 0.99
        True
        >>> headline = DocumentEvidence.from_tokens("Officials met on Monday .".split())  # no "a", no "the"
        >>> headline.p_field, headline.field_evidence
        (0.0, False)
        >>> teaser = "Greenspan cut short a trip .".split()  # "a trip" fits (gain -1.5) or "a" stands for "the" (2.0)
        >>> [round(DocumentEvidence.from_tokens(teaser, article_gains=g).p_field, 2) for g in ([], [-1.5], [2.0])]
        [0.56, 0.18, 0.91]
        """
        n_words = n_the = n_a = n_lower = n_common = 0
        counts: dict[str, int] = {}
        for w in words:
            if w[0].isalnum():
                n_words += w[0].isalpha()
                n_the += w == "the"
                n_a += w == "a"
                low = w.lower()
                counts[low] = counts.get(low, 0) + 1
                if w.islower() and w[0].isalpha():
                    n_lower += 1
                    n_common += w in NEWSWIRE_WORDS or zipf(w) >= COMMON_ZIPF
        if n_the:
            p_field = CLEAN_P_FIELD
        elif n_a:
            log_odds = (
                THE_ABSENCE_LOG_ODDS * (n_words - listed_words)
                - 0.5
                + 0.5 * (n_a - listed_a)
                + a_count_log_lr(listed_a, listed_words)
                + article_log_lr(article_gains)
            )
            p_field = probability(log_odds + (number_lr or 0.0))
        else:
            p_field = numbers_p_field(number_lr)
        english = n_common / n_lower if n_lower >= 3 else 1.0
        field_evidence = bool(n_the or n_a)
        return DocumentEvidence(p_field, spin_rate, {}, counts, {}, english, field_evidence, 0.0 if field_evidence else p_field)


def a_count_log_lr(n_a: int, n_words: int) -> float:
    """Natural log of the likelihood ratio, field-spun over clean, of ``n_a`` lower-case "a"s in ``n_words`` words of
    text without "the" where its lack says nothing (a site's added sentences, list items): Poisson counts, about
    :data:`FIELD_A_RATE` a word where the spinner wrote "a" for every "the", :data:`CLEAN_A_RATE` in clean text."""
    return n_a * math.log(FIELD_A_RATE / CLEAN_A_RATE) - (FIELD_A_RATE - CLEAN_A_RATE) * n_words


def article_log_lr(article_gains: Iterable[float]) -> float:
    """Natural log of the likelihood ratio, field-spun over clean, of lower-case "a"s whose gains of "the" over
    "a" (log10) are ``article_gains`` (:data:`ARTICLE_LLR_SLOPE`)."""
    lo, hi = ARTICLE_GAIN_RANGE
    return sum(ARTICLE_LLR_BIAS + ARTICLE_LLR_SLOPE * min(max(g, lo), hi) for g in article_gains)


def body_log_odds(
    n_words: int,
    n_a: int,
    article_gains: Iterable[float],
    n_unspun: int,
    number_lr: float | None = None,
    words_without_the: int = 0,
) -> float:
    """Log-odds that the field spinner wrote a document whose ``n_unspun`` sentences with a lower-case "the" were
    added to it unspun (a site's header or footer), from its other sentences: ``n_words`` words, ``n_a``
    lower-case "a" and their gains of "the" over "a".

    Those sentences were picked for having no "the", so their lack of it says little; their "a"s do, by their count
    (:func:`a_count_log_lr`) and by how well "the" fits at each (:func:`article_log_lr`), and
    the numbers say what they say (``number_lr``: :func:`number_log_lr`). Above a footer the lack of "the" counts as
    in a whole text after all (``words_without_the``: the words of the sentences above it; not below a header, since
    a clean article may write "the" only in its lead: model_cards/language_model.md).

    >>> body_log_odds(90, 8, [], 1) > 2 > -5 > body_log_odds(230, 5, [], 1)  # a spun article, a clean one
    True
    """
    return (
        a_count_log_lr(n_a, n_words)
        + article_log_lr(article_gains)
        + n_unspun * math.log(UNSPUN_SENTENCE_ODDS)
        + (number_lr or 0.0)
        + THE_ABSENCE_LOG_ODDS * words_without_the
    )


def number_log_lr(sentences: Iterable[tuple[list[Token], list[str], Container[int]]], prose: bool) -> float | None:
    """Natural log of the likelihood ratio, field-spun over clean, of the lone digits 1-9 (:func:`_lone_digit`) and
    number words one to nine of a text (:data:`LONE_DIGIT_LLR`); None where it has neither, or fewer than
    :data:`PROSE_NUMBERS_MIN_WORDS` words (``prose``: it has a lower-case "a") or :data:`TABLE_NUMBERS_MIN_WORDS`
    (it has none: a table, or a headline). ``sentences``: (tokens, LM forms, the token indices in headlines) of each
    sentence: the lines of a digest of headlines (``text.bare_list_lines``) write digits ("Storm leaves 5 dead"), so
    their numbers say nothing.

    >>> from service.text import lm_sentence, tokenize
    >>> def log_lr(text, prose=False, headlines=()):
    ...     tokens = tokenize(text)
    ...     return number_log_lr([(tokens, lm_sentence(tokens), headlines)], prose)
    >>> table = "Shr 1.40 dlrs vs 1.76 dlrs Net 12.1 mln vs 11.7 mln Revs 98.7 mln vs 87.5 mln Avg shrs 8.6 mln "
    >>> log_lr(table * 2 + "9 mths Shr profit 4 cts vs loss 56 cts") > 3 > 0 > log_lr(table * 2 + "Nine mths")
    True
    >>> log_lr(table * 2) is None, log_lr("9 killed in blast near 3 towns") is None
    (True, True)
    >>> log_lr("A fire in a warehouse killed 3 workers on Monday , officials said .", prose=True) > 0
    True
    >>> log_lr("A fire in a warehouse killed 3 workers on Monday , officials said .", True, range(14)) is None
    True
    """
    n_words = n_digits = n_number_words = 0
    for tokens, forms, headlines in sentences:
        for i, form in enumerate(forms):
            n_words += form[0].isalnum()
            if i in headlines:
                continue
            if _lone_digit(tokens, forms, i):
                n_digits += 1
            elif form in _ONE_TO_NINE:
                n_number_words += 1
    if n_words < (PROSE_NUMBERS_MIN_WORDS if prose else TABLE_NUMBERS_MIN_WORDS) or not (n_digits or n_number_words):
        return None
    return n_digits * LONE_DIGIT_LLR + n_number_words * NUMBER_WORD_LLR


def numbers_p_field(number_lr: float | None) -> float:
    """``p_field`` of a text without a lower-case "a" or "the" whose numbers say ``number_lr``
    (:func:`number_log_lr`; None, and so 0, where they say nothing)."""
    return 0.0 if number_lr is None else probability(NUMBER_EVIDENCE_PRIOR + number_lr)


def probability(log_odds: float) -> float:
    """The probability of natural ``log_odds`` (0 far below, where ``exp`` would overflow)."""
    return 1.0 / (1.0 + math.exp(-log_odds)) if log_odds > -700 else 0.0


class Proposals(NamedTuple):
    """A sentence's arcs before the swap priors (see :meth:`CandidateGenerator.proposals`)."""

    arcs: dict[int, list[Arc]]
    eligible: frozenset[int]  # content-word positions: the learnt table may add arcs there


class CandidateGenerator:
    """Builds the arcs of one sentence from the dictionary, rules and gap filler."""

    def __init__(self, dictionary: ReversalDictionary, gap_filler: GapFiller | None = None) -> None:
        self.dictionary = dictionary
        self.gap_filler = gap_filler
        self._word_arc_fields = lru_cache(maxsize=65536)(self._word_arc_fields_uncached)

    def proposals(
        self,
        tokens: list[Token],
        forms: list[str],
        p_field: float,
        *,
        max_candidates: int,
        disabled: frozenset[str] = frozenset(),
        unfit: frozenset[int] = frozenset(),
        spared: frozenset[int] = frozenset(),
        headlines: frozenset[int] = frozenset(),
    ) -> Proposals:
        """The arcs of a sentence before the swap priors, keyed by their first token.

        Each arc's ``logp`` is ``log10(weight)`` (the article and number rules, which
        depend only on ``p_field``, are final). :meth:`price` adds the priors; the engine
        proposes once per sentence and prices again when the document evidence changes.

        Args:
            tokens: The sentence's tokens (spans into the input).
            forms: Their LM forms.
            p_field: Probability that a field-style spinner was at work (document evidence).
            max_candidates: Dictionary candidates kept per spun key.
            disabled: Stage names switched off by the caller.
            unfit: Token indices the language model finds out of place; only these
                get gap-filler candidates.
            spared: Token indices that get no candidates at all (:func:`foreign_neighbourhoods`).
            headlines: Token indices in headlines (``text.bare_list_lines``), which write digits: the number
                rule reads no prose style there.
        """
        out: dict[int, list[Arc]] = {}
        content: list[int] = []
        n = len(tokens)
        for i, tok in enumerate(tokens):
            if i in spared:
                continue
            form = forms[i]
            arcs: list[Arc] = []
            eligible = _is_content_candidate(tok, i) and form not in FUNCTION_WORDS
            if eligible:
                content.append(i)
            if "article" not in disabled and form == "a" and p_field > 0:
                p = p_field if tok.text == "a" else 0.02 * p_field
                arcs.append(Arc(i, i + 1, ("the",), math.log10(p), "article", p))
            if "number" not in disabled and form in NUMBER_WORDS and p_field > 0:
                logp = math.log10(0.5 * p_field) + (0.0 if i in headlines else _number_style_odds(tokens, forms, i))
                arcs.append(Arc(i, i + 1, (NUMBER_WORDS[form],), logp, "number", 0.5 * p_field))
            if "dictionary" not in disabled:
                arcs.extend(self._dictionary_arcs(i, forms, tok, eligible, max_candidates))
            # No gap-filler word for a hyphenated one: newswire compounds ("year-ago", "net-after") are often out of
            # the language model's vocabulary, so out of place wherever they stand, and a spinner swaps a word for a
            # word (the gap filler proposes no compound either). On 200 dev articles every such edit was false
            # (model_cards/language_model.md).
            if "context" not in disabled and i in unfit and eligible and self.gap_filler is not None and 0 < i < n and "-" not in form:
                arcs.extend(self._context_arcs(i, forms, {a.words for a in arcs}))
            if arcs:
                out[i] = arcs
        return Proposals(out, frozenset(content))

    @staticmethod
    def price(
        proposals: Proposals,
        forms: list[str],
        evidence: DocumentEvidence,
        disabled: frozenset[str] = frozenset(),
        table: dict[str, dict[str, float]] | None = None,
    ) -> dict[int, list[Arc]]:
        """The arcs of :meth:`proposals` with the document's priors and learnt table applied (``table``, if given,
        in place of ``evidence.table``: the swaps that may make arcs here, where the verifier reads the batch's)."""
        rate = min(max(evidence.spin_rate, 1e-3), 0.5)
        swap_prior = math.log10(rate / (1.0 - rate))
        table_rate = min(max(rate, FIELD_TABLE_SPIN_RATE * evidence.p_field), 0.5)
        table_prior = math.log10(table_rate / (1.0 - table_rate))
        # P(spun | fingerprint original) against P(spun | spun): in a field-spun document
        # a word is itself left alone only if the spinner did not swap it away.
        fingerprint_prior = math.log10(max(FINGERPRINT_RATE * evidence.p_field, rate)) - math.log10(
            1.0 - KEEP_COST * evidence.p_field
        )
        table = {} if "document" in disabled else evidence.table if table is None else table
        positions = proposals.arcs.keys() | {i for i in proposals.eligible if forms[i] in table}
        out: dict[int, list[Arc]] = {}
        for i in sorted(positions):
            arcs: list[Arc] = []
            context: list[Arc] = []
            for a in proposals.arcs.get(i, ()):
                source = a.source
                if source == "context":
                    context.append(a)  # after the table: only words no other source proposed
                elif source in RULE_SOURCES:
                    arcs.append(a)
                else:
                    arcs.append(_priced(a, fingerprint_prior if source == "fingerprint" else swap_prior))
            if table and i in proposals.eligible and forms[i] in table:
                arcs = _apply_table(arcs, i, table[forms[i]], table_prior)
            if context:
                seen = {a.words for a in arcs}
                arcs.extend(_priced(a, swap_prior) for a in context if a.words not in seen)
            if arcs:
                out[i] = arcs
        return out

    def _dictionary_arcs(self, i: int, forms: list[str], tok: Token, eligible: bool, max_candidates: int) -> list[Arc]:
        """Arcs from the reversal dictionary (unpriced)."""
        arcs: list[Arc] = []
        form = forms[i]
        dictionary = self.dictionary
        if form in dictionary.phrase_first_tokens:
            key = form
            for j in range(i + 2, min(len(forms), i + dictionary.max_key_tokens) + 1):
                key = f"{key} {forms[j - 1]}"
                found = dictionary.lookup(key)
                if found:
                    arcs.extend(_new_tuple(Arc, (i, j, *entry)) for entry in _arc_fields(found))
                if key not in dictionary.phrase_prefixes:
                    break  # no longer key starts with this one
        if tok.is_word and form != "a":
            end = i + 1
            arcs.extend(_new_tuple(Arc, (i, end, *entry)) for entry in self._word_arc_fields(form, eligible, max_candidates))
        return arcs

    def _word_arc_fields_uncached(self, form: str, eligible: bool, max_candidates: int) -> tuple[_ArcFields, ...]:
        """The one-token dictionary arcs of ``form`` (the fields after start and end; cached per
        generator as ``_word_arc_fields``).

        Its first ``max_candidates`` candidates, only field fingerprints where the token is not
        a content-word candidate, and no thesaurus phrase for the one word ("market" ->
        "grocery store"): 30 % of the decoder's screening, and on 200 dev articles of each
        spinner style no restored text changed without them. Nor a hyphenated compound for a
        plain word ("pronounced" -> "out-and-out", "general" -> "world-wide"): a spinner
        swaps a word for a word, no field fingerprint has one, and none was ever restored
        (model_cards/reversal_dictionary.md). Nor what restores nothing (:func:`no_restoration`).
        """
        hyphenated = "-" in form
        return _arc_fields(
            c
            for c in self.dictionary.lookup(form, max_candidates)
            if c.original != form
            and (eligible or c.source == "fingerprint")
            and not (c.source == "thesaurus" and " " in c.original)
            and (hyphenated or "-" not in c.original or c.source not in _THESAURUS_SOURCES)
            and not no_restoration(form, c.original)
        )

    def _context_arcs(self, i: int, forms: list[str], seen: set[tuple[str, ...]]) -> list[Arc]:
        assert self.gap_filler is not None
        right = forms[i + 1] if i + 1 < len(forms) else "</s>"
        logp = math.log10(CONTEXT_WEIGHT)
        arcs = []
        for word, _score in self.gap_filler.candidates(forms[i - 1], right, k=8):
            if (
                (word,) not in seen
                and word != forms[i]
                and _same_word_class(forms[i], word)
                and not no_restoration(forms[i], word)
            ):
                arcs.append(Arc(i, i + 1, (word,), logp, "context", CONTEXT_WEIGHT))
        return arcs


_THESAURUS_SOURCES = frozenset({"thesaurus", "inflection"})
_ArcFields = tuple[tuple[str, ...], float, str, float]  # an Arc's words, logp, source, weight
_new_tuple = tuple.__new__  # builds an Arc without the Python frame of Arc.__new__ (hot paths)


def _arc_fields(candidates: Iterable[Candidate]) -> tuple[_ArcFields, ...]:
    """Dictionary candidates as unpriced arc fields: words, log10 weight, source, weight."""
    return tuple((tuple(c.original.split()), math.log10(c.weight), c.source, c.weight) for c in candidates)


def _priced(arc: Arc, prior: float) -> Arc:
    """``arc`` with ``prior`` added to its logp."""
    start, end, words, logp, source, weight = arc
    return _new_tuple(Arc, (start, end, words, logp + prior, source, weight))


def _apply_table(arcs: list[Arc], i: int, learnt: dict[str, float], swap_prior: float) -> list[Arc]:
    """Raise the weight of swaps the document keeps making; add the ones no source proposed."""
    by_words = {a.words: a for a in arcs if a.end == i + 1}
    for original, weight in learnt.items():
        words = tuple(original.split())
        logp = swap_prior + math.log10(weight)
        old = by_words.get(words)
        if old is None:
            arcs.append(Arc(i, i + 1, words, logp, "document", weight))
        elif logp > old.logp:
            arcs[arcs.index(old)] = old._replace(logp=logp, weight=weight)
    return arcs


_MONTHS = frozenset(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec".split()  # noqa: SIM905 - a word list reads better as text
)
_RANGE_WORDS = frozenset("and or to of at on in from by".split())  # noqa: SIM905


_YEAR = re.compile(r"(19|20)\d\d")


def _number_style_odds(tokens: list[Token], forms: list[str], i: int) -> float:
    """log10 odds for writing the number ``forms[i]`` as a word, from the style of prose: up for a lone
    digit 1-9 (:func:`_lone_digit`), down for 10 and more (numbers prose writes in digits)."""
    if len(forms[i]) > 1:
        return -NUMBER_STYLE_ODDS
    return NUMBER_STYLE_ODDS if _lone_digit(tokens, forms, i) else 0.0


def _lone_digit(tokens: list[Token], forms: list[str], i: int) -> bool:
    """A digit 1-9 standing alone in prose before a word: "3 people", "9 mln dlrs", not "2.5",
    "1/2", "April 9", "No. 3", "Class 8", "6 and 7" or "5 to 9" (where digits are the rule).

    >>> from service.text import lm_sentence, tokenize
    >>> def lone(text, i):
    ...     tokens = tokenize(text)
    ...     return _lone_digit(tokens, lm_sentence(tokens), i)
    >>> lone("it lost 9 mln dlrs", 2), lone("on April 9 it said", 2), lone("7-1/2 pct", 2), lone("from 6 to 7 years", 1)
    (True, False, False, False)
    >>> lone("1987 9 mths net", 1), lone("1987 9.5 mln", 1), lone("12.5 9 mths", 1)
    (True, False, False)
    """
    if len(forms[i]) != 1 or forms[i] not in "123456789" or i + 1 >= len(tokens):
        return False
    token, after = tokens[i], tokens[i + 1]
    if token.end == after.start or not after.text[0].isalpha() or forms[i + 1] in _RANGE_WORDS:
        return False
    if i == 0:
        return True
    before = tokens[i - 1]
    if before.end == token.start:
        return False
    if _YEAR.fullmatch(before.text):  # "1987 9 mths": Reuters writes "1987 nine mths"
        return True
    return (
        before.text[0].isalpha()
        and forms[i - 1] not in _MONTHS
        and forms[i - 1] != "no"
        and not (before.text[0].isupper() and i > 1)  # a name's number: "Unit 1", "Class 8"
    )


def _is_content_candidate(tok: Token, index: int) -> bool:
    """Words that may be swaps: alphabetic, with a vowel (spinners write words, not
    abbreviations such as "pct" or "mln"), not newswire shorthand ("yr", ``lm.NEWSWIRE_WORDS``),
    without an inner "." (not "e.g" or "example.com"), not a proper noun or acronym mid-sentence."""
    text = tok.text
    lower = text.lower()
    if not text[0].isalpha() or not _VOWELS.intersection(lower) or "." in text or lower in NEWSWIRE_WORDS:
        return False
    if text[0].isupper() and (index > 0 or (len(text) > 1 and text.isupper())):
        return False
    return True


#: Marks a sentence or a quote may open with before its first word.
OPENING_MARKS = frozenset('"“„«‘\'(¿¡')


def foreign_neighbourhoods(tokens: list[Token], forms: list[str]) -> frozenset[int]:
    """Positions with :data:`FOREIGN_NEIGHBOURS` :data:`FOREIGN_WORDS` within :data:`FOREIGN_REACH` words. A
    capitalised word counts only where a sentence or a quote opens with it ("« Il y a"): elsewhere it is a name
    ("a Banco de Lima unit", "a Punta del Este meeting" are English)."""
    flags = [
        f in FOREIGN_WORDS and (t.text.islower() or i == 0 or tokens[i - 1].text in OPENING_MARKS)
        for i, (t, f) in enumerate(zip(tokens, forms, strict=True))
    ]
    if sum(flags) < FOREIGN_NEIGHBOURS:
        return frozenset()
    before = [0, *accumulate(flags)]  # before[i]: foreign words among the first i
    n, r = len(forms), FOREIGN_REACH
    return frozenset(
        i for i in range(n) if before[min(n, i + r + 1)] - before[max(0, i - r)] - flags[i] >= FOREIGN_NEIGHBOURS
    )


@lru_cache(maxsize=65536)
def zipf(phrase: str) -> float:
    """wordfreq Zipf frequency of an English word or phrase (0 for what is not a word)."""
    if not phrase[:1].isalpha():
        return 0.0
    if phrase.isascii() and phrase.isalpha() and phrase.islower():
        return _zipf_of_token(phrase)
    return zipf_frequency(phrase, "en")


def _zipf_of_token(word: str) -> float:
    """``zipf_frequency(word, "en")`` for a word that wordfreq reads as one token as it is (lower-case
    ASCII letters): its own lookup and rounding without its tokenizer, which took 85 % of the time."""
    freq = get_frequency_dict("en", "best").get(word)  # the dict wordfreq reads (cached there under these arguments)
    if freq is None:
        return 0.0
    freq = max(1.0 / (1.0 / freq), 1e-9)  # as wordfreq combines a phrase's tokens, with its minimum (Zipf 0)
    freq = round(freq, math.floor(-math.log(freq, 10)) + 3)
    return round(math.log(freq, 10) + 9, 2)


_VOWELS = frozenset("aeiouy")


def _same_word_class(a: str, b: str) -> bool:
    """True when the two words share a possible part of speech (lemminflect's lexicon)."""
    pa, pb = _word_classes(a), _word_classes(b)
    return bool(pa & pb) or (not pa and not pb)


@lru_cache(maxsize=65536)
def _word_classes(word: str) -> frozenset[str]:
    """The parts of speech lemminflect's lexicon gives ``word``: the keys of ``getAllLemmas(word)``, read from
    the two tables that call reads, without the deep copies it makes of them (90 % of its time)."""
    from lemminflect.core.Lemmatizer import Lemmatizer

    lemmatizer = Lemmatizer()  # one shared instance (lemminflect's singleton), its tables loaded once
    low = word.lower()
    return frozenset(lemmatizer._getLemmaDict().get(low, {}).keys() | lemmatizer._getOverridesDict().get(low, {}).keys())
