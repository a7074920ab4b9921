"""The candidate generator's word facts, read faster than the libraries' own calls, are the same facts."""

from __future__ import annotations

import random

from lemminflect import getAllLemmas
from wordfreq import get_frequency_dict, zipf_frequency

from service.candidates import DocumentEvidence, _word_classes, _zipf_of_token, zipf
from service.lm import load_gap_filler


def test_zipf_of_a_plain_word_is_wordfreqs_own() -> None:
    """Lower-case ASCII words skip wordfreq's tokenizer; the figure is ``zipf_frequency``'s, rounding included."""
    listed = sorted(w for w in get_frequency_dict("en", "best") if w.isascii() and w.isalpha() and w.islower())
    rng = random.Random(0)
    unknown = ["".join(rng.choice("bcdfghjklmnpqrstvwxz") for _ in range(8)) for _ in range(200)]
    words = listed[::40] + unknown
    assert len(words) > 7000
    assert [_zipf_of_token(w) for w in words] == [zipf_frequency(w, "en") for w in words]
    assert zipf("the") > 7 and zipf("qxzvbn") == 0.0
    # other words go through wordfreq itself: capitals, apostrophes, phrases, accents
    for phrase in ("Troops", "don't", "lie low", "café", "US-led"):
        assert zipf(phrase) == zipf_frequency(phrase, "en")


def test_word_classes_are_lemminflects() -> None:
    """The parts of speech of every gap-filler word (and a few others) are the keys of ``getAllLemmas``."""
    gap_filler = load_gap_filler()
    words = [*gap_filler.vocab[: gap_filler.n_targets : 4], "Running", "RUN", "xyzzy", "don't", "troops"]
    assert [_word_classes(w) for w in words] == [frozenset(getAllLemmas(w)) for w in words]
    assert _word_classes("troops") == {"NOUN", "VERB"} and _word_classes("xyzzy") == frozenset()


def test_spelling_keys_are_every_rules_rewriting() -> None:
    """``_spelling_key`` skips the rules for a word none of them matches; every word of the gap filler's vocabulary
    (and some British spellings) gets the key that applying each rule in turn gives."""
    from service.candidates import _SPELLING_RULES, _spelling_key

    def every_rule(word: str) -> str:
        word = word.lower().replace("-", "")
        for pattern, replacement in _SPELLING_RULES:
            word = pattern.sub(replacement, word)
        return word

    british = ["Sulphur", "colour", "centre", "privatisation", "travelled", "on-line", "programme", "aeroplane", "kerb"]
    words = [*load_gap_filler().vocab, *british]
    assert [_spelling_key(w) for w in words] == [every_rule(w) for w in words]
    assert [_spelling_key(w) for w in british[:4]] == ["sulfur", "color", "center", "privatization"]


def test_a_plain_word_gets_no_hyphenated_compound() -> None:
    """A spinner swaps a word for a word: "pronounced" is not proposed "out-and-out" (listed second by the
    thesauri), "general" not "world-wide"; a hyphenated word keeps hyphenated candidates ("long-lived")."""
    from service.candidates import CandidateGenerator
    from service.dictionary import load_dictionary

    generator = CandidateGenerator(load_dictionary())
    listed = {form: [c.original for c in load_dictionary().lookup(form, 6)] for form in ("pronounced", "general", "long-lasting")}
    assert "out-and-out" in listed["pronounced"] and "world-wide" in listed["general"]  # what the filter has to drop
    proposed = {form: [words[0] for words, *_ in generator._word_arc_fields(form, True, 6)] for form in listed}
    assert proposed["pronounced"] == [w for w in listed["pronounced"] if "-" not in w and " " not in w]
    assert "said" in proposed["pronounced"] and not any("-" in w for w in proposed["general"])
    assert "long-lived" in proposed["long-lasting"]


def test_the_gap_filler_leaves_hyphenated_words_alone() -> None:
    """A newswire compound the language model does not know ("year-ago") is out of place wherever it stands, but
    a spinner swaps a word for a word: the gap filler proposes nothing for it (it proposed "deadweight" before
    2026-12-07), and still proposes words for a plain word out of place."""
    from service.candidates import CandidateGenerator
    from service.dictionary import load_dictionary
    from service.text import lm_sentence, tokenize

    generator = CandidateGenerator(load_dictionary(), load_gap_filler())
    for text, k in (("Profit fell from year-ago levels in the quarter .", 3), ("Profit fell from grapefruit levels in the quarter .", 3)):
        tokens = tokenize(text)
        forms = lm_sentence(tokens)
        arcs = generator.proposals(tokens, forms, 0.0, max_candidates=6, unfit=frozenset({k})).arcs.get(k, [])
        context = [a.words for a in arcs if a.source == "context"]
        assert (context == []) == ("-" in forms[k]), (forms[k], context)


def test_the_article_evidence_is_what_its_script_fits() -> None:
    """The shipped constants are what ``scripts/fit_article_evidence.py`` fits (there on 3,000 Wikipedia documents;
    here on 300, so within a tolerance): "the" fitting better than "a" says the field spinner was at work, and so
    does a high rate of "a"."""
    from scripts.fit_article_evidence import fit, sample
    from service.candidates import ARTICLE_LLR_BIAS, ARTICLE_LLR_SLOPE, CLEAN_A_RATE, FIELD_A_RATE

    found = sample(300)
    assert len(found.spun_gains) > 3 * len(found.clean_gains) > 1000  # spun documents have every "the" as "a"
    bias, slope = fit(found.spun_gains, found.clean_gains)
    assert abs(slope - ARTICLE_LLR_SLOPE) < 0.25 and abs(bias - ARTICLE_LLR_BIAS) < 0.25
    assert slope > 0.5
    assert abs(found.field_a_rate - FIELD_A_RATE) < 0.01 and abs(found.clean_a_rate - CLEAN_A_RATE) < 0.01
    assert found.field_a_rate > 2 * found.clean_a_rate


def test_a_lists_words_say_nothing_by_lacking_the_and_its_as_say_what_they_count() -> None:
    """Sixty words without "the" and one "a": as prose, a spun text (prose has a "the" every ~20 words); as list items
    (release notes), no evidence that one is missing, and one "a" where the spinner's text would hold about five says
    clean. A list as dense in "a"s as field-spun text still says spun."""
    words = ["Fix", "a", "crash"] + ["word"] * 57
    assert DocumentEvidence.from_tokens(words).p_field > 0.9
    assert DocumentEvidence.from_tokens(words, listed_words=60, listed_a=1).p_field < 0.1
    dense = ["a" if k % 10 == 1 else "word" for k in range(60)]
    assert DocumentEvidence.from_tokens(dense, listed_words=60, listed_a=6).p_field > 0.5
