"""The rules engine: reversal dictionary + language model + document consistency, no torch.

It decodes every sentence twice: the first pass uses only the
dictionary, the rules and the language model; between passes the engine learns what
the document (or the whole batch) says about its spinner — how often it swaps words,
whether it turned "the" into "a", and which swaps it keeps making — and the second
pass decodes with that knowledge. The model engine adds the seq2seq model's proposals
to the same lattice, so every edit still comes from one noisy-channel search and
points at a span of the input.
"""

from __future__ import annotations

import math
import statistics
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import NamedTuple

from .candidates import (
    CLEAN_P_FIELD,
    FUNCTION_WORDS,
    MIN_ENGLISH,
    NUMBER_WORDS,
    OPENING_MARKS,
    RULE_SOURCES,
    Arc,
    CandidateGenerator,
    DocumentEvidence,
    Proposals,
    body_log_odds,
    foreign_neighbourhoods,
    no_restoration,
    number_log_lr,
    numbers_p_field,
    probability,
)
from .casing import transfer_casing
from .config import RestoreConfig
from .cooccurrence import similar_forms
from .decoder import Decision, DecodeMemo, Decoder, Gains
from .dictionary import ReversalDictionary, load_dictionary
from .edits import Edit, RestoredText, apply_edits
from .lm import load_gap_filler, load_language_model, query_forms
from .spin_score import spin_score
from .text import (
    Token,
    bare_list_lines,
    has_markup_between,
    list_items,
    lm_sentence,
    may_hold_markup,
    sentences,
    without_markup,
)
from .verifier import Verifier, features, not_field_spun, shipped_verifier

__all__ = ["RulesEngine", "ArcProposer", "SwapEvidence", "document_sentences"]

# log10 odds added to an arc the seq2seq model also proposes (see service.model_engine).
MODEL_AGREEMENT_BONUS = 0.75
# A decision the verifier doubts (confidence below this) gives way to a rival it trusts more.
RIVAL_CHECK_BELOW = 0.5
# A list item of this many words or fewer is an entry, no prose (a bulleted paragraph of news is prose): its lack of
# "the" says nothing, its "a"s weigh by their count, and its digits are the rule, as in a headline
# (candidates.DocumentEvidence.from_tokens, candidates.number_log_lr; model_cards/language_model.md).
LIST_ENTRY_MAX_WORDS = 20
# Pass 2 decodes a sentence again, without them, while the verifier refuses (p < RIVAL_CHECK_BELOW) gap-filler
# arcs on its best path: the gap filler proposes 8 words at every word the language model finds out of place,
# most of them refused, and one on the path had steered its neighbours ("while a round collateral condition in
# equity" decoded "which" for "equity", then "another" for "collateral", then no "the" for "a"). At most this
# many times. On 200 field-spun dev articles, alone: "the" restored 88.2 -> 89.6 %, content recall and precision
# unchanged, clean false edits 0.61 -> 0.52 per 1,000 words (model_cards/language_model.md). The verifier's fit
# (verifier=None) never re-decodes, so its samples are unchanged.
MAX_REDECODES = 3
# A document without field evidence of its own takes its batch's when at least this many documents have some.
FIELD_EVIDENCE_MIN_DOCS = 3
# Sentences with a lower-case "the" at the start and end of a document may be a header or footer its site added to
# a field-spun article, unspun, when they hold at most this share of its words (_added_sentences).
ADDED_MAX_SHARE = 0.15
_Verdict = tuple[Decision, list[float], float]  # a decision (or the rival the verifier trusts more), features, confidence
# Consistency evidence (see _learn_table): occurrences, mean LM gain (log10) and agreement required.
CIPHER_MIN_OCCURRENCES = 3
CIPHER_MIN_GAIN = 1.0
CIPHER_MIN_AGREEMENT = 0.75
# The cipher's candidates for a spun form: of the CIPHER_POOL batch words whose contexts are most
# like its own, the CIPHER_NEIGHBOURS most similar, those the dictionary lists for the form first.
CIPHER_NEIGHBOURS = 3
CIPHER_POOL = 20
# A form the cipher deciphers is lower case at least this often where case is free (not sentence-initial).
CIPHER_MIN_LOWER = 0.5
# A form seen more often is tested at this many of its places, evenly spread.
CIPHER_MAX_PLACES = 24
# A form is deciphered unless the confident restorations learnt for it explain this share of its places; where they
# explain less, the cipher only confirms one of their originals: a few confident "pronounced" -> "said" among 585
# places (a learnt weight of 0.009) no longer keep the cipher from finding "said" at all of them, and a word they do
# not name ("held" for "underneath") is not learnt (model_cards/reversal_dictionary.md, 2026-12-06). A number they
# name, no cipher candidate ("two" for "dual"), is tried beside the neighbours, so that it can be confirmed too (until
# 2026-12-07 only a neighbour could be: real swaps held out, one batch of 200 dev articles, 554 -> 582 of 1,032
# restored). Not a function word: confirmed, "then" for "yesterday" entered a table learnt from 6,400 articles.
CIPHER_UNLESS_EXPLAINED = 0.5
# A form seen in one document only has that document's contexts alone, too few to name the word it stands for among
# the batch's words: where the language model finds it out of place at one of its places at least (as the gap filler
# asks), the cipher also tries the first CIPHER_LISTED words the dictionary lists for it (cipher words: no phrase,
# compound, function word or number). Field fingerprints held out (scripts/evaluate_held_out.py), one article a call:
# 52 -> 109 of 1,032 real swaps restored. Tried for every form of a batch of 200 dev articles, they made wrong entries
# (content precision 97.1 -> 96.3 %: "fresh" -> "new", "one-time" -> "former"), so a form spread over several
# documents is left to its neighbours; tried for forms that fit everywhere too, they restored 135 real swaps but
# turned a genuine, repeated "billion" into "million" (model_cards/reversal_dictionary.md, 2026-12-07).
CIPHER_LISTED = 3
# Agreement after pass 2 (see _pool_table_swaps): a table swap the decoder makes at this share of
# the spun form's places, at least this often, with at least this median confidence, is trusted
# at every one of them with TABLE_AGREEMENT_CONFIDENCE (the precision measured there).
TABLE_AGREEMENT_SHARE = 0.7
TABLE_AGREEMENT_MIN_PLACES = 8
TABLE_AGREEMENT_MIN_MEDIAN = 0.2
TABLE_AGREEMENT_CONFIDENCE = 0.9
_NUMBER_NAMES = frozenset(NUMBER_WORDS.values())
# Sources whose decisions teach the document table (rules are document-wide already).
_LEARNABLE = {"thesaurus", "inflection", "fingerprint", "context", "document", "model"}
# Hook for the model engine: sentence texts -> extra arcs per sentence.
ArcProposer = Callable[[list[str], list[list[Token]], list[list[str]]], list[list[Arc]]]


class SwapEvidence(NamedTuple):
    """What one batch says of a swap of its table (:meth:`RulesEngine.table_evidence`)."""

    places: int  # of the spun form in the batch
    confidences: list[float]  # where the decoder made the swap, before pooling
    nearest: bool  # the original is the batch word whose contexts are most like the spun form's


class _Sentence:
    """A sentence being restored: its tokens, LM forms and current decisions."""

    __slots__ = (
        "doc", "tokens", "joins", "forms", "lm_forms", "spared", "unfit", "proposals", "decisions", "confidences", "features",
        "extra", "model_arcs", "gains", "unspun", "repeat", "n_words", "in_list", "in_headlines",
    )

    def __init__(self, doc: int, tokens: list[Token], text: str = "") -> None:
        """``text``: the document, if it may hold markup (which the sentence leaves out; see ``joins``)."""
        self.doc = doc
        self.tokens = tokens
        # token indices k with markup between tokens k - 1 and k: no edit may span one, or it would drop the markup
        self.joins = frozenset(k for k in range(1, len(tokens)) if has_markup_between(text, tokens[k - 1], tokens[k])) if text else frozenset()
        self.forms = lm_sentence(tokens)
        self.lm_forms = query_forms(self.forms)  # what the language model reads (the decoder's input)
        self.n_words = sum(1 for f in self.forms if f[0].isalnum())
        self.spared = foreign_neighbourhoods(tokens, self.forms)  # in a quote in another language: no candidates
        self.unfit: frozenset[int] = frozenset()
        self.proposals: Proposals | None = None  # the candidate arcs, proposed once, priced per pass
        self.decisions: list[Decision] = []
        self.confidences: list[float] = []
        self.features: list[list[float]] = []
        self.extra: list[Arc] = []
        self.model_arcs: frozenset[tuple[int, int, tuple[str, ...]]] = frozenset()
        self.gains: Gains = {}
        self.unspun = False  # added to a field-spun document unspun (a header or footer): read with CLEAN_P_FIELD
        self.repeat = False  # the same words as an earlier sentence of the batch: no new evidence of the spinner's table
        self.in_list: frozenset[int] = frozenset()  # its tokens in list entries (document_sentences): no prose
        self.in_headlines: frozenset[int] = frozenset()  # those in a list without bullets: digits are the rule there


class RulesEngine:
    """Dictionary + language model + document consistency, no torch."""

    name = "rules"

    def __init__(self) -> None:
        self.lm = load_language_model()
        self.dictionary = load_dictionary()
        self.gap_filler = load_gap_filler()
        self.verifier: Verifier | None = shipped_verifier(self.name)
        self.decoder = Decoder(self.lm.model)
        self.generator = CandidateGenerator(self.dictionary, self.gap_filler)

    def restore_many(
        self, texts: Sequence[str], cfg: RestoreConfig, propose: ArcProposer | None = None, verifier: Verifier | None = None
    ) -> list[RestoredText]:
        """Restore ``texts`` as one batch (the spinner's table is pooled over it).

        Args:
            propose: Extra arcs per sentence (the model engine's hook).
            verifier: Scores the decisions; default: this engine's own.
        """
        docs, evidence = self.decide(texts, cfg, propose, verifier=verifier or self.verifier)
        results = []
        for text, doc, ev in zip(texts, docs, evidence, strict=True):
            edits = [
                edit
                for s in doc
                for d, p in zip(s.decisions, s.confidences, strict=True)
                if p >= cfg.min_confidence
                for edit in _to_edits(text, s.tokens, d, p, s.joins)
            ]
            restored = apply_edits(text, edits)
            n_words = sum(s.n_words for s in doc)
            # the document's own field evidence (a headline is not called spun for the company it keeps) and every
            # content decision, also those under min_confidence: how spun a text looks does not depend on how sure
            # an edit must be to be made (model_cards/language_model.md)
            score = spin_score(ev.own_p_field, _content_confidences(doc), n_words)
            results.append(RestoredText(restored, edits if cfg.explain else None, score, self.name))
        return results

    def decide(
        self,
        texts: Sequence[str],
        cfg: RestoreConfig,
        propose: ArcProposer | None = None,
        *,
        verifier: Verifier | None,
        pool_table: bool = True,
    ) -> tuple[list[list[_Sentence]], list[DocumentEvidence]]:
        """Decode every sentence of ``texts``: the decisions, their confidences and features.

        Pass 1 decodes with the dictionary, the rules and the language model; the batch's
        spinner table and each document's spin rate are learnt from its confident
        decisions; pass 2 decodes again with them (and a sentence again without the gap
        filler's arcs that the verifier refuses on its best path, :data:`MAX_REDECODES`).
        With ``verifier=None`` the confidences are the decoder's posteriors (how
        ``scripts/train_verifier.py`` collects samples); with ``pool_table=False`` they are
        the verifier's alone, before pooling.
        """
        disabled = frozenset(cfg.disable)
        docs = [document_sentences(text, d) for d, text in enumerate(texts)]
        flat = [s for doc in docs for s in doc]
        _mark_repeats(flat)
        if propose is not None and flat:
            # one line without markup, as the model was trained
            texts_of = [" ".join(without_markup(texts[s.doc][s.tokens[0].start : s.tokens[-1].end]).split()) for s in flat]
            for sent, extra in zip(flat, propose(texts_of, [s.tokens for s in flat], [s.forms for s in flat]), strict=True):
                sent.extra = [  # the model's words too leave markup and a foreign quote alone, and restore no spelling
                    a
                    for a in extra
                    if not _drops_markup(a, sent.joins)
                    and not any(k in sent.spared for k in range(a.start, a.end))
                    and not (a.end == a.start + 1 and len(a.words) == 1 and no_restoration(sent.forms[a.start], a.words[0]))
                ]
                sent.model_arcs = frozenset((a.start, a.end, a.words) for a in extra)
        evidence = [self._document_evidence(doc) for doc in docs]
        if cfg.pool_document and "document" not in disabled:
            evidence = _share_field_evidence(evidence)
        for sent in flat:
            if "context" not in disabled:
                sent.unfit = self.decoder.unfit_positions(sent.lm_forms)
            self._decode(sent, evidence[sent.doc], cfg, disabled, verifier)
        if cfg.pool_document and "document" not in disabled:
            table, batch_counts = _learn_table(flat, self.decoder, self.dictionary)
            known = dict(cfg.spinner_table)
            _add_known_swaps(table, batch_counts, known)
            evidence = [
                ev._replace(spin_rate=_spin_rate(doc), table=table, batch_counts=batch_counts)
                for ev, doc in zip(evidence, docs, strict=True)
            ]
            swaps = _swap_tables(evidence, known)
            for sent in flat:
                self._decode(sent, evidence[sent.doc], cfg, disabled, verifier, final=True, table=swaps[sent.doc])
            if verifier is not None and pool_table:
                _pool_table_swaps(flat, swaps, batch_counts, known)
        return docs, evidence

    def _document_evidence(self, doc: list[_Sentence]) -> DocumentEvidence:
        """What ``doc`` says of its spinner (:meth:`DocumentEvidence.from_tokens`), its lower-case "a"s weighed by
        the language model. A lower-case "the" says the field spinner was not at work, unless it stands only in a
        header or footer a site added to a spun article, unspun (:func:`_added_sentences`): where the rest says
        field-spun (:func:`candidates.body_log_odds`), the document takes that ``p_field`` and those sentences
        are read as clean (``_Sentence.unspun``). Where the rest holds no lower-case "a" either (an earnings table),
        only its numbers say something (:func:`candidates.number_log_lr`), as in a text without articles: a batch
        with field evidence gives it its own for the rules' arcs (:func:`_share_field_evidence`)."""
        gains = [self.article_gains(sent) for sent in doc]
        evidence = DocumentEvidence.from_tokens(
            (t.text for sent in doc for t in sent.tokens),
            article_gains=[g for sent_gains in gains for g in sent_gains],
            number_lr=number_log_lr(((sent.tokens, sent.forms, sent.in_headlines) for sent in doc), prose=any(gains)),
            listed_words=sum(_listed_words(sent) for sent in doc),
            listed_a=sum(1 for sent in doc for k in sent.in_list if sent.tokens[k].text == "a"),
        )
        added = _added_sentences(doc)
        if not added:
            return evidence
        body = [k for k in range(len(doc)) if k not in added]
        n_words = sum(doc[k].n_words for k in body)
        n_a = sum(len(gains[k]) for k in body)
        number_lr = number_log_lr(((doc[k].tokens, doc[k].forms, doc[k].in_headlines) for k in body), prose=n_a > 0)
        if n_a:
            above_footer = max(body) < min(added)  # only a footer was added: the body's lack of "the" counts
            words = sum(1 for k in body for f in doc[k].forms if f[0].isalpha()) - sum(_listed_words(doc[k]) for k in body) if above_footer else 0
            p_field = probability(body_log_odds(n_words, n_a, (g for k in body for g in gains[k]), len(added), number_lr, words))
            if p_field <= evidence.p_field:
                return evidence
            evidence = evidence._replace(p_field=p_field)
        else:  # nor does the rest say anything by its articles (an earnings table): its numbers may
            p_field = numbers_p_field(number_lr)
            evidence = evidence._replace(p_field=p_field, field_evidence=False, number_p_field=p_field)
        for k in added:
            doc[k].unspun = True
        return evidence

    def article_gains(self, sent: _Sentence) -> list[float]:
        """The language model's windowed gain (log10) of "the" over each lower-case "a" of ``sent``, as
        :meth:`DocumentEvidence.from_tokens` weighs them. The gains stay in the sentence's cache, where the
        decoder's screening of the article arcs reads them."""
        queries = [(k, k + 1, ("the",)) for k, t in enumerate(sent.tokens) if t.text == "a"]
        if not queries:
            return []
        gains = self.decoder.window_gains(sent.lm_forms, queries)
        sent.gains.update(zip(queries, gains, strict=True))
        return gains

    def table_evidence(self, texts: Sequence[str], cfg: RestoreConfig) -> dict[tuple[str, str], SwapEvidence]:
        """What ``texts``, restored as one batch, say of each swap of the table they teach
        (:class:`SwapEvidence`: the spun form's places, the verifier's confidences where the
        swap was made, before the batch pools them (:func:`_pool_table_swaps`), and whether the
        original is the word whose batch contexts are most like the spun form's).

        ``cfg.spinner_table`` is not used: the evidence comes from ``texts`` alone
        (:func:`service.learn_spinner_table` judges it).
        """
        docs, evidence = self.decide(texts, cfg._replace(spinner_table=()), verifier=self.verifier, pool_table=False)
        if not evidence:
            return {}
        batch_counts = evidence[0].batch_counts
        flat = [s for doc in docs for s in doc if not s.repeat]
        made = _table_places(flat, _swap_tables(evidence, {}))
        nearest = similar_forms((s.forms for s in flat), sorted({spun for spun, _ in made}), 1, _is_cipher_word)
        return {
            (spun, original): SwapEvidence(
                batch_counts[spun], [sent.confidences[k] for sent, k in places], [w for w, _ in nearest.get(spun, ())] == [original]
            )
            for (spun, original), places in made.items()
        }

    def _decode(
        self,
        sent: _Sentence,
        evidence: DocumentEvidence,
        cfg: RestoreConfig,
        disabled: frozenset[str],
        verifier: Verifier | None,
        final: bool = False,
        table: dict[str, dict[str, float]] | None = None,
    ) -> None:
        """Decide ``sent`` with the current evidence; ``final`` (pass 2): while the verifier refuses gap-filler
        arcs on the best path, decode again without them (at most :data:`MAX_REDECODES` times). ``table``: the
        swaps that may make arcs (:func:`_swap_tables`; default: ``evidence.table``)."""
        if sent.unspun:
            evidence = evidence._replace(p_field=CLEAN_P_FIELD)
        if evidence.english < MIN_ENGLISH:  # not English (enough): no edits from any source
            sent.decisions, sent.features, sent.confidences = [], [], []
            return
        if sent.proposals is None:
            proposals = self.generator.proposals(
                sent.tokens,
                sent.forms,
                evidence.p_field,
                max_candidates=cfg.max_candidates,
                disabled=disabled,
                unfit=sent.unfit,
                spared=sent.spared,
                headlines=sent.in_headlines,
            )
            if sent.joins:
                proposals = proposals._replace(arcs=_kept_arcs(proposals.arcs, lambda a: not _drops_markup(a, sent.joins)))
            sent.proposals = proposals
        arcs = self.generator.price(sent.proposals, sent.forms, evidence, disabled, table)
        for arc in sent.extra:
            _add_model_arc(arcs.setdefault(arc.start, []), arc, MODEL_AGREEMENT_BONUS)
        redecodes = MAX_REDECODES if final and verifier is not None else 0
        memo = DecodeMemo() if redecodes else None  # what a decode again reuses
        judged: dict[Decision, _Verdict] | None = {} if redecodes else None
        for attempt in range(redecodes + 1):
            path = self._decode_once(sent, arcs, evidence, cfg, verifier, memo, judged)
            refused = self._refused_gap_fills(path, sent.confidences, arcs) if attempt < redecodes else None
            if not refused:
                return
            arcs = _kept_arcs(arcs, lambda a: a not in refused)

    def _refused_gap_fills(self, path: list[Arc], confidences: list[float], arcs: dict[int, list[Arc]]) -> set[Arc]:
        """The gap filler's arcs on ``path`` that the verifier refuses and that have neighbours to steer (arcs
        within the language model's context; alone, an arc changes no other decision)."""
        reach = self.decoder.context
        return {
            arc
            for arc, p in zip(path, confidences, strict=True)
            if arc.source == "context"
            and p < RIVAL_CHECK_BELOW
            and any(i != arc.start and i in arcs for i in range(arc.start - reach, arc.end + reach + 1))
        }

    def _decode_once(
        self,
        sent: _Sentence,
        arcs: dict[int, list[Arc]],
        evidence: DocumentEvidence,
        cfg: RestoreConfig,
        verifier: Verifier | None,
        memo: DecodeMemo | None = None,
        judged: dict[Decision, _Verdict] | None = None,
    ) -> list[Arc]:
        """Decode ``arcs`` into ``sent``'s decisions, features and confidences; returns the best path's arcs
        (a decision may be a rival of its arc that the verifier trusts more). ``memo`` and ``judged`` keep the
        decoder's paths and explanations and the verifier's verdicts for decoding the sentence again."""
        decisions = self.decoder.decode(sent.lm_forms, arcs, cfg.beam_width, sent.gains, memo)
        path = [d.arc for d in decisions]
        if verifier is None:
            sent.decisions = decisions
            sent.features = [features(d, sent.forms, evidence, sent.unfit, sent.model_arcs) for d in decisions]
            sent.confidences = [d.confidence for d in decisions]
            return path
        verdicts = []
        for decision in decisions:
            verdict = judged.get(decision) if judged is not None else None
            if verdict is None:
                verdict = self._judge(decision, sent, evidence, verifier)
                if judged is not None:
                    judged[decision] = verdict
            verdicts.append(verdict)
        sent.decisions = [d for d, _, _ in verdicts]
        sent.features = [x for _, x, _ in verdicts]
        sent.confidences = [p for _, _, p in verdicts]
        return path

    @staticmethod
    def _judge(decision: Decision, sent: _Sentence, evidence: DocumentEvidence, verifier: Verifier) -> _Verdict:
        """The verifier's verdict on ``decision``: it, or a rival the verifier trusts more, with features and confidence."""
        x = features(decision, sent.forms, evidence, sent.unfit, sent.model_arcs)
        p = verifier.probability(x)
        if p >= RIVAL_CHECK_BELOW:
            return decision, x, p
        best = (decision, x, p)
        for rival in decision.rivals:  # the verifier may trust a rival the decoder ranked lower
            y = features(rival, sent.forms, evidence, sent.unfit, sent.model_arcs)
            q = verifier.probability(y)
            if q > best[2]:
                best = (rival, y, q)
        return best


def _mark_repeats(flat: list[_Sentence]) -> None:
    """Mark each sentence whose words an earlier sentence of the batch has (``_Sentence.repeat``)."""
    seen: set[tuple[str, ...]] = set()
    for sent in flat:
        key = tuple(sent.forms)
        sent.repeat = key in seen
        seen.add(key)


def _added_sentences(doc: list[_Sentence]) -> list[int]:
    """The sentences of ``doc`` that a site may have added to a spun article unspun: those with a lower-case
    "the", if they stand only at its start and end and hold at most :data:`ADDED_MAX_SHARE` of its words (a clean
    article with "the" in one sentence in its middle, or in a lead of a fifth of it, is no spun one). Else none."""
    marked = [any(t.text == "the" for t in sent.tokens) for sent in doc]
    if all(marked) or not any(marked):
        return []
    first, last = marked.index(False), len(marked) - marked[::-1].index(False)
    if any(marked[first:last]):
        return []
    added = [k for k, m in enumerate(marked) if m]
    return added if sum(doc[k].n_words for k in added) <= ADDED_MAX_SHARE * sum(sent.n_words for sent in doc) else []


def document_sentences(text: str, doc: int = 0) -> list[_Sentence]:
    """The sentences of ``text``, document ``doc`` of its batch, ready to decode.

    The list items of :data:`LIST_ENTRY_MAX_WORDS` words or fewer (``text.list_items``: release notes, a recipe's
    ingredients, a digest of headlines) are entries, no prose (``_Sentence.in_list``); the lines of a list without
    bullets are headlines, which write digits (``_Sentence.in_headlines``, ``text.bare_list_lines``); a number that
    opens an item ("1. Faster search") is its marker, never a number to write out."""
    markup = text if may_hold_markup(text) else ""  # only then can a sentence leave markup out
    out = [_Sentence(doc, toks, markup) for toks in sentences(text)]
    headlines = bare_list_lines(text)
    items = list_items(text, headlines)
    if items:
        markers = {_first_visible(text, a) for a, _ in items}
        entries = [len(text[a:b].split()) <= LIST_ENTRY_MAX_WORDS for a, b in items]
        for sent in out:
            in_items = _tokens_in(sent.tokens, items)
            sent.in_list = frozenset(k for k, item in in_items if entries[item])
            sent.spared |= {k for k, _ in in_items if sent.tokens[k].start in markers and sent.tokens[k].text.isdigit()}
            if headlines:
                sent.in_headlines = frozenset(k for k, _ in _tokens_in(sent.tokens, headlines))
    return out


def _tokens_in(tokens: list[Token], spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``(token index, span index)`` of each of ``tokens`` that starts inside one of ``spans`` (sorted, disjoint)."""
    found = []
    for k, t in enumerate(tokens):
        span = bisect_right(spans, (t.start, math.inf)) - 1  # the last span that starts at or before it
        if span >= 0 and t.start < spans[span][1]:
            found.append((k, span))
    return found


def _listed_words(sent: _Sentence) -> int:
    """The words of ``sent`` in list entries."""
    return sum(1 for k in sent.in_list if sent.tokens[k].text[0].isalpha())


def _first_visible(text: str, k: int) -> int:
    """Where the first character of ``text`` from ``k`` on that is no space or tab stands."""
    while k < len(text) and text[k] in " \t":
        k += 1
    return k


def _kept_arcs(arcs: dict[int, list[Arc]], keep: Callable[[Arc], bool]) -> dict[int, list[Arc]]:
    """The lattice ``arcs`` with only the arcs ``keep`` accepts (positions left with none are dropped)."""
    return {i: kept for i, position_arcs in arcs.items() if (kept := [a for a in position_arcs if keep(a)])}


def _drops_markup(arc: Arc, joins: frozenset[int]) -> bool:
    """Whether the edit of ``arc`` would replace markup: it spans some and cannot be cut at it (:func:`_pieces`)."""
    return _pieces(arc, joins) is None


_Piece = tuple[int, int, tuple[str, ...]]  # tokens start..end of a sentence and the words that replace them


def _pieces(arc: Arc, joins: frozenset[int]) -> list[_Piece] | None:
    """``arc`` cut at the markup it spans (``_Sentence.joins``), one edit a piece, so the markup between them stays.

    A word-for-word phrase gives a piece a token. Otherwise the words are dealt to the runs of tokens between markup
    in proportion to their lengths, at least one each: "Joined together <a>states</a>" -> "United <a>States</a>",
    "monetary <b>loan costs</b>" -> "interest <b>rates</b>". None when there are fewer words than runs.

    >>> _pieces(Arc(0, 3, ("united", "states"), 0.0, "tortured_phrase"), frozenset({2}))
    [(0, 2, ('united',)), (2, 3, ('states',))]
    >>> _pieces(Arc(0, 2, ("abroad",), 0.0, "tortured_phrase"), frozenset({1})) is None
    True
    """
    cuts = [k for k in sorted(joins) if arc.start < k < arc.end]
    words, n, m = arc.words, len(arc.words), arc.end - arc.start
    if not cuts:
        return [(arc.start, arc.end, words)]
    if n == m:
        return [(k, k + 1, (w,)) for k, w in zip(range(arc.start, arc.end), words, strict=True)]
    if n <= len(cuts):
        return None
    bounds = [arc.start, *cuts, arc.end]
    pieces: list[_Piece] = []
    taken = 0
    for r in range(len(bounds) - 1):
        later = len(bounds) - 2 - r  # runs after this one, each needing a word
        share = round(n * (bounds[r + 1] - arc.start) / m)
        upto = max(taken + 1, min(share, n - later))
        pieces.append((bounds[r], bounds[r + 1], words[taken:upto]))
        taken = upto
    return pieces


def _add_model_arc(position_arcs: list[Arc], arc: Arc, bonus: float) -> None:
    """Add a model proposal; where another arc already proposes the same words, the
    model's agreement raises that arc's channel score by ``bonus`` instead (its source is kept)."""
    for k, old in enumerate(position_arcs):
        if old.end == arc.end and old.words == arc.words:
            position_arcs[k] = old._replace(logp=max(old.logp + bonus, arc.logp))
            return
    position_arcs.append(arc)


def _learn_table(
    flat: list[_Sentence], decoder: Decoder, dictionary: ReversalDictionary
) -> tuple[dict[str, dict[str, float]], dict[str, int]]:
    """The spinner's table as the batch shows it: spun form -> {original: weight}, and
    how often each of its spun forms occurs in the batch.

    Two kinds of evidence, both pooled over every occurrence of a spun form:

    - confident restorations: a swap enters when they outweigh one occurrence;
    - consistency, as in deciphering a substitution cipher: a spinner leaves a word alone
      at some of its places, so its spun form stands in the same contexts as the word itself
      does elsewhere in the batch. Of the :data:`CIPHER_POOL` words of the batch whose
      contexts are most like a spun form's (:func:`service.cooccurrence.similar_forms`;
      function words and numbers, which fit anywhere, are not candidates), the
      :data:`CIPHER_NEIGHBOURS` most similar, those the dictionary lists for the form
      first (and, for a form seen in one document only and out of place at one of its
      places, the first :data:`CIPHER_LISTED` words the dictionary lists for it), are
      scored at its occurrences (at most :data:`CIPHER_MAX_PLACES` of them,
      evenly spread); the one that the language model prefers to the spun word nearly
      everywhere (positive windowed gain in a share >= :data:`CIPHER_MIN_AGREEMENT` of at
      least :data:`CIPHER_MIN_OCCURRENCES` occurrences) with the highest total gain, if its
      mean gain is >= :data:`CIPHER_MIN_GAIN`, is what the spinner's table maps to that
      form, even where no single sentence is conclusive (:func:`_decipher`). Only forms whose
      confident restorations explain less than :data:`CIPHER_UNLESS_EXPLAINED` of their places
      (until 2026-12-06: none at all), and only words a spinner writes (:func:`_cipher_form`), are
      deciphered; where confident restorations exist, the cipher only confirms one of their
      originals (raising its share), and tries one that is a number (no cipher candidate)
      beside the neighbours. (Until 2026-12-04 the candidates were every word proposed for the form
      anywhere in the batch; the language model then preferred common words to genuine
      ones, and 236 of 282 entries learnt on 200 dev articles were wrong:
      model_cards/reversal_dictionary.md.)

    A swap's weight is the share of the spun form's occurrences that it explains. A sentence repeated in the batch
    (a site's footer under every article) counts once: its places agree with each other whatever the spinner did.
    """
    flat = [sent for sent in flat if not sent.repeat]
    support: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    occurrences: dict[str, list[tuple[_Sentence, int]]] = defaultdict(list)
    lower: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # form -> [lower-case places, places] past each first word
    for sent in flat:
        for i, f in enumerate(sent.forms):
            if f[0].isalpha() and f not in FUNCTION_WORDS:
                occurrences[f].append((sent, i))
                if i:
                    counts = lower[f]
                    counts[0] += sent.tokens[i].text.islower()
                    counts[1] += 1
        for d, p in zip(sent.decisions, sent.confidences, strict=True):
            arc = d.arc
            if arc.source in _LEARNABLE and arc.end == arc.start + 1 and p >= 0.5:
                support[sent.forms[arc.start]][" ".join(arc.words)] += p
    table: dict[str, dict[str, float]] = {}
    for spun, originals in support.items():
        n = len(occurrences[spun])
        learnt = {o: min(1.0, w / n) for o, w in originals.items() if n >= 2 and w >= 0.9}
        if learnt:
            table[spun] = learnt
    todo = [  # a form whose confident restorations explain most of its places keeps what they say
        spun
        for spun, places in occurrences.items()
        if len(places) >= CIPHER_MIN_OCCURRENCES
        and sum(table.get(spun, {}).values()) < CIPHER_UNLESS_EXPLAINED
        and _cipher_form(spun, lower[spun], dictionary)
    ]
    similar_of = similar_forms((s.forms for s in flat), todo, CIPHER_POOL, _is_cipher_word)
    for spun in todo:
        places = occurrences[spun]
        listed = [c.original for c in dictionary.lookup(spun)]
        ranked = sorted((w for w, _ in similar_of.get(spun, ())), key=lambda w: w not in listed)  # stable: by similarity
        tried = ranked[:CIPHER_NEIGHBOURS]
        if len({sent.doc for sent, _ in places}) == 1 and any(i in sent.unfit for sent, i in places):
            tried += [w for w in listed if w != spun and w not in tried and _is_cipher_word(w)][:CIPHER_LISTED]
        tried += [w for w in table.get(spun, ()) if w in _NUMBER_NAMES]  # see CIPHER_UNLESS_EXPLAINED
        tried = [w for w in tried if not no_restoration(spun, w)]  # "stabilise" shares its contexts with "stabilize"
        if not tried:
            continue
        every = math.ceil(len(places) / CIPHER_MAX_PLACES)  # at most CIPHER_MAX_PLACES of them, evenly spread
        deciphered = _decipher(places[::every], [(w,) for w in tried], decoder)
        if deciphered is not None:
            original, share = " ".join(deciphered[0]), deciphered[1]
            if spun not in table:
                table[spun] = {original: share}
            elif original in table[spun]:  # partly explained: the cipher confirms an original, and raises its share
                table[spun][original] = max(table[spun][original], share)
    return table, {spun: len(occurrences[spun]) for spun in table}


def _share_field_evidence(evidence: list[DocumentEvidence]) -> list[DocumentEvidence]:
    """Give a document with no field evidence of its own (no lower-case "a" or "the": a headline, a
    table) its batch's: the mean ``p_field`` of the English documents that have some, if at least
    :data:`FIELD_EVIDENCE_MIN_DOCS` do (a French "il a dit" is no "a"). A batch mostly comes from one source,
    so a title among field-spun articles gets the number rule and the fingerprints' prior they get, and one
    among clean ones stays at about 0; the verifier and the spin score still read the document's own evidence
    (``DocumentEvidence.own_p_field``: what a table's numbers say, 0 for a headline's words). Short texts of the 200
    dev articles in batches of 50, field-spun and clean (model_cards/language_model.md): more restorations, no more
    false edits."""
    known = [ev.p_field for ev in evidence if ev.field_evidence and ev.english >= MIN_ENGLISH]
    if len(known) < FIELD_EVIDENCE_MIN_DOCS:
        return evidence
    shared = sum(known) / len(known)
    return [ev if ev.field_evidence else ev._replace(p_field=shared) for ev in evidence]


def _add_known_swaps(table: dict[str, dict[str, float]], batch_counts: dict[str, int], known: dict[str, str]) -> None:
    """Join the caller's spinner table (``RestoreConfig.spinner_table``) to the batch's own:
    each known swap counts as made at every place, and at least as often as the pooling
    test asks (:data:`TABLE_AGREEMENT_MIN_PLACES`), however few places this batch has."""
    for spun, original in known.items():
        table.setdefault(spun, {})[original] = 1.0
        batch_counts[spun] = max(batch_counts.get(spun, 0), TABLE_AGREEMENT_MIN_PLACES)


def _swap_tables(evidence: Sequence[DocumentEvidence], known: dict[str, str]) -> list[dict[str, dict[str, float]]]:
    """Each document's swaps that may make arcs in pass 2: the batch's table, or only the caller's swaps (``known``)
    in a document with no sign of a spinner (``verifier.not_field_spun``). The batch's table is learnt from what the
    decoder prefers, and a clean article's preferences are consistent too: one clean Reuters article with "spot gas" at
    9 places and "natural gas" at others taught its batch "spot" -> "natural", and the agreement raised all 9 to 0.9
    (model_cards/reversal_dictionary.md). The verifier still reads the batch's table there."""
    if not evidence:
        return []
    table = evidence[0].table
    known_only = {spun: {original: table[spun][original]} for spun, original in known.items() if original in table.get(spun, {})}
    return [known_only if not_field_spun(ev) else ev.table for ev in evidence]


def _table_places(
    flat: Iterable[_Sentence], tables: Sequence[dict[str, dict[str, float]]]
) -> dict[tuple[str, str], list[tuple[_Sentence, int]]]:
    """Where the decisions make a single-word swap of their document's table (``tables``, by document:
    :func:`_swap_tables`): ``(spun, original) -> [(sentence, decision index)]``."""
    made: dict[tuple[str, str], list[tuple[_Sentence, int]]] = defaultdict(list)
    for sent in flat:
        table = tables[sent.doc]
        for k, decision in enumerate(sent.decisions):
            arc = decision.arc
            if arc.end == arc.start + 1 and len(arc.words) == 1 and arc.words[0] in table.get(sent.forms[arc.start], ()):
                made[(sent.forms[arc.start], arc.words[0])].append((sent, k))
    return made


def _pool_table_swaps(
    flat: list[_Sentence], tables: Sequence[dict[str, dict[str, float]]], batch_counts: dict[str, int], known: dict[str, str]
) -> None:
    """Pool pass 2's confidences over every place of each learnt swap.

    A spinner maps a word the same way most of the time, so a table swap is right or wrong
    at all its places together, while the verifier judges each place alone and doubts many
    places of a right one (its language-model gain varies from place to place). A swap the
    decoder makes at a share >= :data:`TABLE_AGREEMENT_SHARE` of the spun form's places in
    the batch, at least :data:`TABLE_AGREEMENT_MIN_PLACES` times, with a median confidence
    >= :data:`TABLE_AGREEMENT_MIN_MEDIAN`, gets at least :data:`TABLE_AGREEMENT_CONFIDENCE`
    at each of them. (Chosen on 200 field-spun Wikipedia documents, seed 21: of the places
    below 0.5 that it raises, 142 of 155 are true restorations in one batch of 200, 120 of
    122 in batches of 50: model_cards/reversal_dictionary.md.) A swap of the caller's
    spinner table (``known``: learnt from a corpus by ``service.learn_spinner_table``, or written by a person) gets
    the same wherever the decoder makes it.
    """
    for (spun, original), places in _table_places(flat, tables).items():
        distinct = [(sent, k) for sent, k in places if not sent.repeat]  # a repeated sentence counts once
        if known.get(spun) == original or (
            len(distinct) >= TABLE_AGREEMENT_MIN_PLACES
            and len(distinct) >= TABLE_AGREEMENT_SHARE * batch_counts[spun]
            and statistics.median(sent.confidences[k] for sent, k in distinct) >= TABLE_AGREEMENT_MIN_MEDIAN
        ):
            for sent, k in places:
                sent.confidences[k] = max(sent.confidences[k], TABLE_AGREEMENT_CONFIDENCE)


def _cipher_form(form: str, lower: list[int], dictionary: ReversalDictionary) -> bool:
    """A form the cipher may decipher: one a spinner can have written — a word some thesaurus
    lists (a key of the dictionary), mostly lower case where case is free (``lower``: lower-case
    places, places; a form only ever seen first in its sentence, as "Revs" in an earnings table, is not). Names and
    newswire abbreviations ("Lyng", "mln", "dlrs") are left alone."""
    return form in dictionary and lower[1] > 0 and lower[0] >= CIPHER_MIN_LOWER * lower[1]


def _is_cipher_word(word: str) -> bool:
    """A word the cipher may learn as an original (see :func:`_decipherable`)."""
    return _decipherable((word,))


@lru_cache(maxsize=65536)
def _decipherable(words: tuple[str, ...]) -> bool:
    """A candidate the cipher may learn: words only, no function word or number (they fit anywhere)."""
    return not any(w in FUNCTION_WORDS or w in _NUMBER_NAMES or not w.isalpha() for w in words)


def _decipher(
    places: list[tuple[_Sentence, int]], candidates: list[tuple[str, ...]], decoder: Decoder
) -> tuple[tuple[str, ...], float] | None:
    """The candidate the language model prefers to the spun form at its ``places``, and the
    share of them where it does, if one passes the cipher's tests.

    Candidates are scored occurrence by occurrence (the gains are kept in ``Sentence.gains``
    for pass 2); one that loses at more places than
    :data:`CIPHER_MIN_AGREEMENT` allows is out of the running and no longer scored. Of the
    rest, the one with the highest total gain passes if its mean gain is at least
    :data:`CIPHER_MIN_GAIN`.
    """
    n = len(places)
    allowed = max(k for k in range(n + 1) if (n - k) / n >= CIPHER_MIN_AGREEMENT)  # places it may lose
    alive: dict[tuple[str, ...], list[float]] = {w: [0.0, 0.0] for w in candidates}  # total gain, places lost
    for sent, i in places:
        gains = sent.gains
        keys = [(i, i + 1, w) for w in alive if (i, i + 1, w) not in gains]
        if keys:
            gains.update(zip(keys, decoder.window_gains(sent.lm_forms, keys), strict=True))
        for w in list(alive):
            gain = gains[(i, i + 1, w)]
            record = alive[w]
            record[0] += gain
            if gain <= 0:
                record[1] += 1
                if record[1] > allowed:
                    del alive[w]
        if not alive:
            return None
    best = max(alive, key=lambda w: alive[w][0])  # ties: the first in ``candidates``
    total, lost = alive[best]
    return (best, (n - lost) / n) if total / n >= CIPHER_MIN_GAIN else None


def _spin_rate(doc: list[_Sentence]) -> float:
    """Share of content words the first pass changed, smoothed towards a low prior."""
    content = sum(1 for s in doc for f in s.forms if f[0].isalpha() and f not in FUNCTION_WORDS)
    changed = sum(_content_confidences(doc))
    return min(0.4, max(0.01, (changed + 0.5) / (content + 10)))


def _content_confidences(doc: list[_Sentence]) -> list[float]:
    """The confidence of each decision of ``doc`` that is not one of the field spinner's rules (any confidence)."""
    return [p for s in doc for d, p in zip(s.decisions, s.confidences, strict=True) if d.arc.source not in RULE_SOURCES]


_NO_SPACE_BEFORE = {",", ".", ";", ":", "!", "?", ")", "'s", "'re", "'ve", "'ll", "'d", "'m", "n't"}


def _detokenize(words: Sequence[str]) -> str:
    out = ""
    for w in words:
        out += w if not out or w in _NO_SPACE_BEFORE else " " + w
    return out


def _to_edits(text: str, tokens: list[Token], decision: Decision, confidence: float, joins: frozenset[int]) -> list[Edit]:
    """The edit of ``decision``; a phrase across markup becomes one edit per piece it changes (:func:`_pieces`),
    so the markup between them stays. A digit has no case to pass on: written out where it opens its sentence (only a
    quote's or a bracket's marks before it, ``candidates.OPENING_MARKS``), a number takes a capital ("9 people died"
    -> "Nine people died")."""
    arc = decision.arc
    pieces = _pieces(arc, joins)
    if pieces is None:  # it would drop markup: the lattice holds no such arc, and no edit is made of one
        return []
    if len(pieces) > 1:  # cut at markup
        edits = []
        for start, end, words in pieces:
            a, b = tokens[start].start, tokens[end - 1].end
            spun, replacement = text[a:b], _replacement(text, tokens[start:end], words)
            if " ".join(spun.split()).lower() != " ".join(replacement.split()).lower():
                edits.append(Edit(a, b, spun, replacement, round(confidence, 4), arc.source, ()))  # type: ignore[arg-type]
        return edits
    span = tokens[arc.start : arc.end]
    start, end = span[0].start, span[-1].end
    spun = text[start:end]
    capital = spun[:1].isdigit() and all(t.text in OPENING_MARKS for t in tokens[: arc.start])

    def written(words: Sequence[str]) -> str:
        replacement = _replacement(text, span, words)
        return replacement[:1].upper() + replacement[1:] if capital else replacement

    alternatives = tuple(written(w) if w else spun for w in decision.alternatives)
    return [Edit(start, end, spun, written(arc.words), round(confidence, 4), arc.source, alternatives)]  # type: ignore[arg-type]


def _replacement(text: str, span: list[Token], words: Sequence[str]) -> str:
    """``words`` written in place of the tokens ``span`` of ``text``, in their case. Word for word (as many words as
    tokens, all words, spaced), each word takes its token's case and the whitespace between them stays: "during\na"
    -> "at\nthe", a line break of hard-wrapped text kept; otherwise the words are joined as prose."""
    if len(words) == len(span) > 1 and all(t.is_word for t in span) and all(w[:1].isalnum() for w in words):
        gaps = [text[a.end : b.start] for a, b in zip(span, span[1:])]
        if all(gaps):
            return "".join(transfer_casing(t.text, w) + gap for t, w, gap in zip(span, words, [*gaps, ""], strict=True))
    spun = text[span[0].start : span[-1].end]
    return transfer_casing(spun, _detokenize(words))
