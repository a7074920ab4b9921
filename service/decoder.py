"""Noisy-channel decoding of one sentence over its candidate lattice.

score(path) = LM log10 P(words) + sum of the channel costs of its arcs, where leaving a
token alone costs nothing and every arc carries ``Arc.logp`` (the swap prior plus the
log channel weight). The search is a beam over token positions with recombination on
the language model's state, so hypotheses that end in the same n-gram context merge
(Viterbi on the LM's own equivalence classes).

Arcs are screened first: each arc is scored in a window of the input sentence and
dropped when it cannot win locally, which keeps the beam small. The screened lattice is
then split where ``order - 1`` untouched tokens separate its arcs (every path has the same
language-model state there): a position alone takes its best arc if that beats keeping the
token, from the screening's gains; only groups of nearby arcs need the beam.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import kenlm

from .candidates import Arc

__all__ = ["Decision", "DecodeMemo", "Decoder", "Gains"]

#: Windowed language-model gains of arcs, keyed by (start, end, words).
Gains = dict[tuple[int, int, tuple[str, ...]], float]

_LN10 = math.log(10.0)
_NO_RIVAL_MARGIN = 5.0


class Decision(NamedTuple):
    """An arc on the best path, with its posterior and the alternatives considered.

    Attributes:
        arc: The chosen arc.
        confidence: Posterior of the arc against its rivals and against keeping the span.
        alternatives: The rivals' words, best first.
        lm_gain: Language-model log10 gain of the arc over keeping the span (no channel cost).
        margin: Score (LM + channel) of the arc minus that of its best rival (keeping excluded).
        rivals: The rivals as decisions of their own (same span, same path around them), best
            first, so that the verifier can prefer one it trusts more; their own ``rivals`` are empty.
    """

    arc: Arc
    confidence: float
    alternatives: tuple[tuple[str, ...], ...]
    lm_gain: float = 0.0
    margin: float = _NO_RIVAL_MARGIN
    rivals: tuple[Decision, ...] = ()


class Decoder:
    """Beam search over a sentence's lattice with a kenlm model."""

    def __init__(self, model: kenlm.Model, screen_margin: float = 1.0, max_arcs_per_position: int = 4) -> None:
        """Args:
        model: The kenlm language model; sentences come as it reads them (``service.lm.query_forms``).
        screen_margin: An arc survives screening when its local score is at most
            this much (log10) below leaving the token alone.
        max_arcs_per_position: Arcs kept per position after screening.
        """
        self.model = model
        self.context = model.order - 1  # tokens of LM context: an edit changes the scores of this many after it
        self.screen_margin = screen_margin
        self.max_arcs = max_arcs_per_position

    # -- public -------------------------------------------------------------------
    def unfit_positions(self, forms: list[str], threshold: float = -4.5) -> frozenset[int]:
        """Positions whose word the language model finds out of place.

        A word is unfit when both its own probability and that of the next word given
        it are low (log10 below ``threshold`` and ``threshold / 2``).
        """
        scores = [s for s, _, _ in self.model.full_scores(" ".join(forms))]
        return frozenset(i for i in range(len(forms)) if scores[i] < threshold and scores[i + 1] < threshold / 2)

    def decode(
        self,
        forms: list[str],
        arcs: dict[int, list[Arc]],
        beam_width: int = 6,
        gains: Gains | None = None,
        memo: DecodeMemo | None = None,
    ) -> list[Decision]:
        """Return the edits on the best path, each with a confidence in [0, 1].

        Args:
            gains: If given, a cache of the arcs' windowed language-model gains (log10,
                no channel cost), keyed by (start, end, words): read when present,
                filled when not. The engine pools these over a batch and reuses them
                in its second pass.
            memo: If given, what decoding the sentence again can reuse (the engine decodes a
                sentence again with a few arcs less): the best path of each stretch of the lattice
                that is searched alone, and the explanation of each edit whose surroundings did not change.
        """
        if not arcs:
            return []
        if gains is None:
            gains = {}
        screened = self._screen(forms, arcs, gains)
        if not screened:
            return []
        c = self.context
        best: list[Arc] = []
        for cluster in _clusters(screened, c):
            if len(cluster) > 1:
                if memo is None:
                    best.extend(self._beam(forms, cluster, beam_width))
                    continue
                key = tuple((i, tuple(position_arcs)) for i, position_arcs in cluster.items())
                found = memo.paths.get(key)
                if found is None:
                    found = memo.paths[key] = self._beam(forms, cluster, beam_width)
                best.extend(found)
                continue
            top = next(iter(cluster.values()))[0]  # one position alone: its best screened arc, if it beats keeping
            if gains[(top.start, top.end, top.words)] + top.logp > 0:
                best.append(top)
        realised, starts = _realise(forms, best)
        out = []
        for k, arc in enumerate(best):
            at, alone = starts[k], _alone(best, k, c)
            key = found = None
            if memo is not None:  # what the explanation reads: the arc's rivals, and the path's words around it unless alone
                key = (arc, tuple(screened[arc.start]), at, None if alone else tuple(realised[max(0, at - c) : at + len(arc.words) + c]))
                found = memo.explanations.get(key)
            if found is None:
                found = self._explain(forms, arc, at, realised, screened, gains if alone else None)
                if memo is not None:
                    memo.explanations[key] = found
            out.append(found)
        return out

    # -- internals ----------------------------------------------------------------
    def window_gains(self, forms: list[str], queries: list[tuple[int, int, tuple[str, ...]]]) -> list[float]:
        """Language-model gain (log10) of putting ``words`` in place of tokens ``start..end``, per query."""
        window = _Window(self.model, forms)
        return [window.gain(start, end, words) for start, end, words in queries]

    def _screen(self, forms: list[str], arcs: dict[int, list[Arc]], gains: Gains) -> dict[int, list[Arc]]:
        """Keep, per position, the arcs whose windowed gain is close enough to win, best first
        (their language-model gains are left in ``gains``)."""
        window = _Window(self.model, forms)
        kept: dict[int, list[Arc]] = {}
        for i, position_arcs in arcs.items():
            scored: list[tuple[float, Arc]] = []
            for arc in position_arcs:
                key = (i, arc.end, arc.words)
                lm_gain = gains.get(key)
                if lm_gain is None:
                    lm_gain = gains[key] = window.gain(i, arc.end, arc.words)
                gain = lm_gain + arc.logp
                if gain > -self.screen_margin:
                    scored.append((gain, arc))
            if scored:
                scored.sort(key=lambda x: -x[0])
                kept[i] = [a for _, a in scored[: self.max_arcs]]
        return kept

    def _beam(self, forms: list[str], arcs: dict[int, list[Arc]], beam_width: int) -> list[Arc]:
        """Best path through the lattice; returns its arcs in order.

        Only the stretch where paths can differ is searched: from the first arc, entered
        with the language model's state after the ``order - 1`` tokens before it, to
        ``order - 1`` tokens past the last arc's end, where every path has the same last
        words and so the same state and the same future. Scores are then the path
        scores less the shared rest, which changes no comparison.
        """
        model = self.model
        n = len(forms)
        c = self.context
        first = min(arcs)
        stop = max(a.end for position_arcs in arcs.values() for a in position_arcs) + c
        start = kenlm.State()
        if first >= c:
            model.NullContextWrite(start)
            context = forms[first - c : first]
        else:
            model.BeginSentenceWrite(start)
            context = forms[:first]
        for w in context:
            out = kenlm.State()
            model.BaseScore(start, w, out)
            start = out
        # beams[i - first]: LM state -> (score, arcs taken); hypotheses that consumed tokens < i, for i in the
        # stretch only (a list as long as the sentence, for each stretch, made a long sentence quadratic). The
        # arcs taken are a linked list, (last arc, the arcs before it) or None: a tuple copied at every arc did too.
        last = min(n, stop)
        beams: list[dict[kenlm.State, tuple[float, _Path]]] = [{} for _ in range(last - first + 1)]
        beams[0][start] = (0.0, None)
        for i in range(first, last):
            hyps = beams[i - first]
            if not hyps:
                continue
            following = beams[i + 1 - first]
            if len(hyps) == 1 and i not in arcs and not following:  # the common case, made cheap
                ((state, (score, taken)),) = hyps.items()
                out = kenlm.State()
                following[out] = (score + model.BaseScore(state, forms[i], out), taken)
                continue
            if len(hyps) > beam_width:
                top = sorted(hyps.items(), key=lambda kv: -kv[1][0])[:beam_width]
            else:
                top = list(hyps.items())
            for state, (score, taken) in top:
                out = kenlm.State()
                _push(following, out, score + model.BaseScore(state, forms[i], out), taken)
                for arc in arcs.get(i, ()):
                    s, st = score + arc.logp, state
                    for w in arc.words:
                        nxt = kenlm.State()
                        s += model.BaseScore(st, w, nxt)
                        st = nxt
                    _push(beams[arc.end - first], st, s, (arc, taken))
        if stop < n:  # the paths have merged: what follows adds the same to each
            return _arcs(max(beams[stop - first].values(), key=lambda hyp: hyp[0])[1])
        best_score, best = -math.inf, None
        for state, (score, taken) in beams[n - first].items():
            final = score + model.BaseScore(state, "</s>", kenlm.State())
            if final > best_score:
                best_score, best = final, taken
        return _arcs(best)

    def _explain(
        self, forms: list[str], chosen: Arc, at: int, realised: list[str], arcs: dict[int, list[Arc]], gains: Gains | None
    ) -> Decision:
        """Posterior of the path's edit ``chosen`` (its words at ``at`` in the ``realised`` path)
        against leaving it alone and against its rivals (each of which is explained the same
        way, in ``Decision.rivals``). ``gains``: the input's windowed gains, given when no other
        edit of the path is within the window, so that the path's window is the input's."""
        options = [chosen, *(a for a in arcs.get(chosen.start, ()) if a is not chosen and a.end == chosen.end)]
        # Scores relative to keeping the span, the rest of the path as decoded: windowed gains
        # in the path's words around the span (the window's edges are the sentence's where it reaches them).
        keep = 0.0
        if gains is not None:
            scores = [gains[(arc.start, arc.end, arc.words)] + arc.logp for arc in options]
        else:
            c = self.context
            after = at + len(chosen.words)
            left = realised[max(0, at - c) : at]
            window = _Window(self.model, left + forms[chosen.start : chosen.end] + realised[after : after + c])
            span = chosen.end - chosen.start
            scores = [window.gain(len(left), len(left) + span, arc.words) + arc.logp for arc in options]
        top = max(*scores, keep)
        weights = [math.exp((s - top) * _LN10) for s in scores]
        total = sum(weights) + math.exp((keep - top) * _LN10)
        order = sorted(range(len(options)), key=lambda j: -weights[j])

        def decision(j: int, rivals: tuple[Decision, ...] = ()) -> Decision:
            others = [o for o in order if o != j]
            best_other = max((scores[o] for o in others), default=scores[j] - _NO_RIVAL_MARGIN)
            return Decision(
                options[j],
                weights[j] / total,
                tuple(options[o].words for o in others),
                scores[j] - options[j].logp - keep,
                min(scores[j] - best_other, _NO_RIVAL_MARGIN),
                rivals,
            )

        return decision(0, tuple(decision(j) for j in order if j != 0))


class _Window:
    """Windowed language-model gains of replacing tokens of one sentence.

    Replacing tokens ``i..end`` changes the scores of the new words and of the next
    ``order - 1`` tokens (``</s>`` included) only, so the gain is the score of the
    window ``order - 1`` tokens of left context + new words + ``order - 1`` tokens of
    right context, minus that of the same window around the input's tokens. Each window
    is one ``kenlm.Model.score`` call (the left context's own scores cancel out).
    """

    __slots__ = ("_context", "_forms", "_score", "_windows")

    def __init__(self, model: kenlm.Model, forms: list[str]) -> None:
        self._score = model.score  # called positionally: (text, bos, eos)
        self._forms = forms
        self._context = model.order - 1
        # (start, end) -> (left context + " ", " " + right context, bos, eos, score of the input's window)
        self._windows: dict[tuple[int, int], tuple[str, str, bool, bool, float]] = {}

    def gain(self, i: int, end: int, words: tuple[str, ...]) -> float:
        """log10 P(sentence with ``words`` for tokens ``i..end``) - log10 P(sentence)."""
        window = self._windows.get((i, end))
        if window is None:
            forms, c = self._forms, self._context
            bos = i < c
            left = " ".join(forms[0 if bos else i - c : i]) + " "
            right = " " + " ".join(forms[end : end + c])
            eos = end + c > len(forms)
            reference = self._score(left + " ".join(forms[i:end]) + right, bos, eos)
            window = self._windows[(i, end)] = (left, right, bos, eos, reference)
        left, right, bos, eos, reference = window
        return self._score(left + " ".join(words) + right, bos, eos) - reference


class DecodeMemo:
    """What decoding one sentence again can reuse (see :meth:`Decoder.decode`)."""

    __slots__ = ("explanations", "paths")

    def __init__(self) -> None:
        # a stretch's arcs by position -> its best path
        self.paths: dict[tuple[tuple[int, tuple[Arc, ...]], ...], list[Arc]] = {}
        # (arc, its position's screened arcs, where the path puts it, the path's words around it or None) -> Decision
        self.explanations: dict[tuple, Decision] = {}


_Path = tuple[Arc, "_Path"] | None  # the arcs a hypothesis took: (the last, the path before it), or None


def _arcs(path: _Path) -> list[Arc]:
    """The arcs of ``path`` in order."""
    out: list[Arc] = []
    while path is not None:
        arc, path = path
        out.append(arc)
    out.reverse()
    return out


def _push(beam: dict[kenlm.State, tuple[float, _Path]], state: kenlm.State, score: float, taken: _Path) -> None:
    old = beam.get(state)
    if old is None or score > old[0]:
        beam[state] = (score, taken)


def _clusters(arcs: dict[int, list[Arc]], context: int) -> list[dict[int, list[Arc]]]:
    """``arcs`` split where ``context`` unchanged tokens separate every path's edits: there all
    paths share the language model's state, so each part's best path is independent of the others'."""
    parts: list[dict[int, list[Arc]]] = []
    reach = -1
    for i in sorted(arcs):
        if i >= reach:
            parts.append({})
        parts[-1][i] = arcs[i]
        reach = max(reach, max(a.end for a in arcs[i]) + context)
    return parts


def _alone(path: list[Arc], k: int, context: int) -> bool:
    """Whether ``path[k]`` has ``context`` unchanged tokens on each side in ``path``."""
    return (k == 0 or path[k - 1].end + context <= path[k].start) and (
        k + 1 == len(path) or path[k].end + context <= path[k + 1].start
    )


def _realise(forms: list[str], path: list[Arc]) -> tuple[list[str], list[int]]:
    """The word sequence of ``path`` over ``forms``, and where each of its arcs' words start in it."""
    out: list[str] = []
    starts: list[int] = []
    pos = 0
    for arc in path:
        out.extend(forms[pos : arc.start])
        starts.append(len(out))
        out.extend(arc.words)
        pos = arc.end
    out.extend(forms[pos:])
    return out, starts
