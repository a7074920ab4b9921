"""Which words of a batch are used like which others: context vectors over the batch itself.

A spinner maps a word to the same spun form most of the time and leaves it alone the rest,
so within one batch the spun form stands in the contexts of its original ("first pity net",
"first quarter net"; "a plenty exchange", "a stock exchange"). Each word's context vector
counts the tokens up to :data:`WINDOW` places to its left and right (position kept), weighted
by positive pointwise mutual information; words are compared by the cosine of their vectors.
The batch's own text is the evidence, so this works where the language model, trained on
other text and reading spun neighbours, cannot tell ("worth sets" for "interest rates").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

__all__ = ["MAX_CONTEXT_WORDS", "WINDOW", "similar_forms"]

WINDOW = 2
# A context shared by more than this many different words (after "a", before "of") says
# little about any of them and would dominate the work: it is left out.
MAX_CONTEXT_WORDS = 400
_PAD = 0  # the id of the sentence-edge token


def similar_forms(
    sentences: Iterable[list[str]], forms: Iterable[str], k: int, eligible: Callable[[str], bool]
) -> dict[str, list[tuple[str, float]]]:
    """The ``k`` words whose batch contexts are most like each form's, most similar first.

    Args:
        sentences: The batch, one list of LM forms a sentence.
        forms: The forms to find neighbours for.
        k: Neighbours a form.
        eligible: Which words may be neighbours (of those seen at least twice).

    Returns:
        ``form -> [(word, cosine), ...]`` for the forms seen in the batch; every cosine is > 0.

    >>> batch = [f"shares rose in {w} trading on monday".split() for w in ("stock", "plenty", "stock", "plenty")]
    >>> batch += ["the cat sat on the mat".split()] * 2
    >>> found = similar_forms(batch, ["plenty", "absent"], 2, str.isalpha)
    >>> [(w, round(c, 2)) for w, c in found["plenty"]], "absent" in found
    ([('stock', 1.0), ('cat', 0.19)], False)
    """
    ids: dict[str, int] = {"": _PAD}
    stream: list[int] = [_PAD] * WINDOW
    for words in sentences:
        stream.extend(ids.setdefault(w, len(ids)) for w in words)
        stream.extend([_PAD] * WINDOW)
    vocab = list(ids)
    n_vocab = len(vocab)
    tokens = np.asarray(stream, dtype=np.int64)
    centre = np.flatnonzero(tokens[WINDOW:-WINDOW] != _PAD) + WINDOW
    if not len(centre):
        return {}
    # (word, context) pairs; a context is an offset (0 .. 2*WINDOW-1) and the word there
    offsets = [d for d in range(-WINDOW, WINDOW + 1) if d]
    n_contexts = len(offsets) * n_vocab
    word = np.tile(tokens[centre], len(offsets))
    context = np.concatenate([j * n_vocab + tokens[centre + d] for j, d in enumerate(offsets)])
    pairs, counts = np.unique(word * n_contexts + context, return_counts=True)
    word, context = np.divmod(pairs, n_contexts)
    users = np.bincount(context, minlength=n_contexts)
    mass = np.bincount(context, weights=counts, minlength=n_contexts)
    per_word = np.bincount(word, weights=counts, minlength=n_vocab)
    pmi = np.log(counts * counts.sum() / (per_word[word] * mass[context]))
    keep = (pmi > 0) & (users[context] <= MAX_CONTEXT_WORDS)
    word, context, pmi = word[keep], context[keep], pmi[keep]
    norm = np.sqrt(np.bincount(word, weights=pmi * pmi, minlength=n_vocab))
    value = pmi / norm[word]
    # neighbours: eligible words seen twice; postings of each context, ordered by context
    seen = np.bincount(tokens, minlength=n_vocab)
    allowed = np.array([seen[i] >= 2 and i != _PAD and eligible(w) for i, w in enumerate(vocab)])
    mask = allowed[word]
    order = np.argsort(context[mask], kind="stable")
    post_word, post_context, post_value = word[mask][order], context[mask][order], value[mask][order]
    starts = np.searchsorted(post_context, np.arange(n_contexts + 1))
    by_word = np.argsort(word, kind="stable")
    word_starts = np.searchsorted(word[by_word], np.arange(n_vocab + 1))
    out: dict[str, list[tuple[str, float]]] = {}
    for form in dict.fromkeys(forms):
        i = ids.get(form)
        if i is None or i == _PAD:
            continue
        own = by_word[word_starts[i] : word_starts[i + 1]]
        rows, weights = [], []
        for c, x in zip(context[own].tolist(), value[own].tolist(), strict=True):
            a, b = starts[c], starts[c + 1]
            if a < b:
                rows.append(post_word[a:b])
                weights.append(post_value[a:b] * x)
        if not rows:
            continue
        sims = np.bincount(np.concatenate(rows), weights=np.concatenate(weights), minlength=n_vocab)
        sims[i] = 0.0
        best = np.argpartition(-sims, k)[:k] if n_vocab > k else np.arange(n_vocab)
        best = best[np.argsort(-sims[best], kind="stable")]
        out[form] = [(vocab[j], float(sims[j])) for j in best.tolist() if sims[j] > 1e-12]
    return out
