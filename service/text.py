"""Loss-free tokenisation shared by the engine, the LM trainer and the evaluator.

Every token carries its span in the input (Python code points), so an edit always
points at the text the caller sent. Whitespace is never a token: it is simply
the text between tokens, and it is never touched.

>>> [t.text for t in tokenize("A revisit by a commander’s aide, 2 days ago.")]
['A', 'revisit', 'by', 'a', 'commander', '’s', 'aide', ',', '2', 'days', 'ago', '.']
>>> lm_form("’s"), lm_form("Quds"), lm_form("“")
("'s", 'quds', '"')
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from typing import NamedTuple

__all__ = [
    "Token", "tokenize", "sentences", "lm_form", "lm_sentence", "may_hold_markup", "has_markup_between", "without_markup", "list_items",
    "bare_list_lines", "WORD_RE",
]

# A word: letters/digits with inner hyphens, apostrophes or dots ("some-more",
# "don't", "U.S", "3.5"); an English clitic ('s, 're, n't…) is its own token so
# the language model sees "iran 's" as Wikipedia text does after normalisation.
# An apostrophe may come as an HTML entity, as WordPress writes it ("Iran&#8217;s").
# A soft hyphen (a place to break a long word, "infan&shy;try") is inside the word, and so is a Unicode hyphen
# (U+2010, the non-breaking U+2011: "US‑led"). Combining marks belong to their letter: decomposed text (NFD, as
# macOS file names and some editors write it) spells "café" as "cafe" + U+0301, which is one word. So does the
# entity of an accented letter inside a word, as older CMSs write every non-ASCII letter ("caf&eacute;",
# "M&#252;ller"; a word that starts with one, "&Eacute;cole", is cut after it).
_APOS = r"(?:['’]|&(?:#8217|#x2019|rsquo|#39|#x27|apos);)"
_SOFT_HYPHEN = "\u00ad"
_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
_LETTER_ENTITY = (  # Latin-1 and Latin Extended-A letters: by name, in decimal (192-383), in hex (C0-17F)
    r"&(?!sdot;|#215;|#247;|#[xX][dDfF]7;)"  # not the dot operator, "×" or "÷"
    r"(?:[A-Za-z](?:acute|grave|circ|uml|tilde|ring|cedil|slash|caron|ogon|macr|breve|dot|strok)|[AaOo][Ee]lig|szlig"
    r"|eth|ETH|thorn|THORN|#(?:19[2-9]|2\d\d|3[0-7]\d|38[0-3])|#[xX](?:[c-fC-F]|0?1[0-7])[0-9a-fA-F]);"
)
_LETTERS = r"[^\W_]+(?:(?:[" + _MARKS + r"]|" + _LETTER_ENTITY + r")+[^\W_]*)*"
WORD_RE = re.compile(
    _LETTERS + r"(?:(?:[-.\u00ad\u2010\u2011]|&(?:shy|#173|#[xX][aA][dD]);)" + _LETTERS + r"|(?<=\d),\d{3}(?!\d))*"
    r"(?:" + _APOS + r"(?:" + _LETTERS + r")(?!" + _APOS + r"|[\w" + _MARKS + r"]))?",  # a whole run of letters, not a quote
    re.UNICODE,
)
_CLITIC_RE = re.compile(r"(?i)^(.+?)(n" + _APOS + r"t|" + _APOS + r"(?:s|re|ve|ll|d|m))$")
# Markup (an HTML/XML tag or entity, a WordPress shortcode) is one token that is never a word, so no edit
# touches it. A tag may be long (a data: URI, a tracking link) and may hold ">" in a quoted attribute value
# (a quote elsewhere is a character: "<McDonald's Corp>"); no part of it holds "<", so each "<" is read up
# to the next one at most. An element whose content is code, not prose (script, style, code, svg, math; kbd and
# samp, a program's input and output), is one token with its content and end tag. A comment holds no "<!--"
# (HTML forbids it; "<!-->" ends one early). So an unclosed "<!--", "<script" or '<a title="' is read up to the
# next one only: text with thousands of them takes linear time, not quadratic.
_TAG_RE = (
    r"(?i:<(?P<raw>script|style|code|svg|math|kbd|samp)\b(?:(?!<(?P=raw)\b).)*?</(?P=raw)\s*>)"
    r"|<[/!?]?[A-Za-z](?:[^<>\"'=]++|=\s*+(?:\"[^\"<]*+\"|'[^'<]*+'|)|[\"'])*+>"
    r"|<!--(?:(?!<!--(?!>)).)*?-->"
)
# A shortcode: a closing one ("[/caption]"), one with attributes ('[gallery ids="1,2" size="large"]'), or one
# of WordPress's own without them ("[embed]"); a bracket of prose ("[sic]", "[the troops]") is none of these.
_SHORTCODE_RE = (
    r"\[/[A-Za-z_][\w-]*\]"
    r"|\[[A-Za-z_][\w-]*(?:\s+[\w-]+\s*=\s*(?:\"[^\"\[\]]*\"|'[^'\[\]]*'|[^\s\[\]\"']+))+\s*/?\]"
    r"|\[(?:audio|caption|embed|gallery|playlist|video|wp_caption)\s*/?\]"
)
# A Markdown link's brackets and address: "[a infantry](https://example.com/story)" is the words "a infantry".
_MD_LINK_RE = r"\[(?=[^\[\]\n]{1,300}\]\([^\s()<>]{1,2000}\))|\]\([^\s()<>]{1,2000}\)"
_MARKUP_RE = _TAG_RE + "|" + _SHORTCODE_RE + "|" + _MD_LINK_RE + r"|&#?\w{1,10};"
# Literals: what a reader copies rather than reads (URLs, e-mail addresses, @handles, #hashtags, file
# paths, Markdown code). One token each, so no edit touches them: "example.com/a/infantry" is an address, not
# "the troops". A literal does not end with punctuation that ends the sentence around it, or with a bracket.
_LITERAL_END = r"[^\s<>\"'`.,;:!?()\[\]{}’”]"
_LITERAL_RE = (
    r"(?=[^\s<>\"]{0,100}?[/@#\\`])"  # each holds one of these soon: the other words fail here, before the alternatives
    r"(?:```(?:(?!```).)*```|(?<!`)`[^`\n]{1,200}`(?!`)"  # Markdown code: fenced, inline
    + r"|(?:[A-Za-z][A-Za-z0-9+.-]*+://|www\.)[^\s<>\"\[]*" + _LITERAL_END  # URLs ("[/embed]" after one is a shortcode)
    + r"|[\w.+-]++@[\w-]+(?:\.[\w-]+)+"  # e-mail addresses
    + r"|[A-Za-z0-9][\w-]*+(?:\.[\w-]++)*\.[a-z]{2,}/(?:[^\s<>\"]*" + _LITERAL_END + r")?"  # a domain and its path
    + r"|(?<![\w&.])[@#][A-Za-z_]\w*"  # handles and hashtags ("&#8217;" is an entity)
    + r"|\b[A-Za-z]:\\[^\s<>\"]*" + _LITERAL_END  # Windows paths
    + r"|(?<![\w.)/])/[\w.-]+/[^\s<>\"]*" + _LITERAL_END  # Unix paths of two parts or more
    + ")"
)
_TOKEN_RE = re.compile(_MARKUP_RE + "|" + _LITERAL_RE + "|" + WORD_RE.pattern + r"|[^\w\s]", re.UNICODE | re.DOTALL)
# Invisible format characters: zero-width space, non-joiner and joiner, the direction marks and isolates that text
# copied from web pages holds around names and numbers ("left \u2066Baghdad\u2069"), the word joiner, the BOM.
_FORMAT_CHARS = "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
# Markup that is not text: tags, shortcodes, comments, the entities of a space, format characters, Markdown's
# links and asterisks (emphasis, list bullets, footnote marks: "**a infantry**", "* a army left"); and literals. A
# sentence leaves them out, like whitespace, so the words on either side are neighbours ("that <b>a infantry</b>
# would").
_INVISIBLE_RE = re.compile(
    _TAG_RE + "|" + _SHORTCODE_RE + "|" + _MD_LINK_RE + r"|&(?:nbsp|ensp|emsp|thinsp|#160|#[xX][aA]0);|[*" + _FORMAT_CHARS
    + "]|" + _LITERAL_RE,
    re.DOTALL,
)
# A tag that starts or ends a block of HTML ends the sentence before it, punctuation or not.
_BLOCK_TAG_RE = re.compile(
    r"</?(?:address|article|aside|blockquote|br|dd|div|dl|dt|figcaption|figure|footer|h[1-6]|header|hr|li|main|nav|ol|p|pre"
    r"|section|table|td|th|tr|ul)\b[^<>]*>",
    re.IGNORECASE,
)

_LM_CHARS = str.maketrans(
    {"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'", "`": "'", "\u2010": "-", "\u2011": "-"}
)
_SENTENCE_END = {".", "!", "?"}


class Token(NamedTuple):
    """One word or punctuation mark, with its span in the input text."""

    text: str
    start: int
    end: int

    @property
    def is_word(self) -> bool:
        """True for words and numbers, False for punctuation marks."""
        return self.text[0].isalnum()


def tokenize(text: str, offset: int = 0) -> list[Token]:
    """Split ``text`` into word and punctuation tokens with exact spans.

    Clitics are split off ("commander’s" -> "commander", "’s"). Spans are code-point
    offsets into ``text`` plus ``offset``.
    """
    tokens: list[Token] = []
    for m in _TOKEN_RE.finditer(text):
        word, start = m.group(), m.start() + offset
        clitic = _CLITIC_RE.match(word) if word[0].isalnum() else None
        if clitic:  # "commander's" -> "commander", "'s"; "don't" -> "do", "n't"
            cut = start + len(clitic.group(1))
            tokens.append(Token(clitic.group(1), start, cut))
            tokens.append(Token(clitic.group(2), cut, start + len(word)))
        else:
            tokens.append(Token(word, start, start + len(word)))
    return tokens


def sentences(text: str) -> Iterator[list[Token]]:
    """Yield the tokens of ``text`` one sentence at a time.

    A sentence ends after ".", "!" or "?" (plus closing quotes or brackets) when the
    next token starts with a capital letter, a digit or a quote; at a line break
    that starts a block: a blank line, an indented line, or a line that starts with a
    mark rather than a word (a list bullet, "#", ">"); and at an HTML block tag
    ("<p>", "</li>", "<br>"…). Any other line break is hard wrapping inside a sentence
    (newswire, e-mail, plain text at 72 columns): the sentence goes on, so the words on
    either side keep their context. Tags, shortcodes, comments, non-breaking spaces and literals
    (URLs, paths, code…) are left out of the sentences, like whitespace (the text between tokens,
    never touched), for the same reason: "that <b>a infantry</b> would" reads as "that a
    infantry would"; so are Markdown's asterisks and a link's brackets and address ("that **a infantry**
    would", "* a army", "[a infantry](https://…)").

    >>> [[t.text for t in s] for s in sentences("If the dollar goes the way of\\nWall Street.\\n  - Prices")]
    [['If', 'the', 'dollar', 'goes', 'the', 'way', 'of', 'Wall', 'Street', '.'], ['-', 'Prices']]
    >>> [[t.text for t in s] for s in sentences("<h1>Infantry leave</h1><p>A <b>supervision</b> orator&nbsp;pronounced")]
    [['Infantry', 'leave'], ['A', 'supervision', 'orator', 'pronounced']]
    """
    tokens = tokenize(text)
    if may_hold_markup(text):
        tokens = [t for t in tokens if not _is_invisible(text, t)]
    current: list[Token] = []
    for i, tok in enumerate(tokens):
        current.append(tok)
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if nxt is None:
            break
        gap = text[tok.end : nxt.start]
        if may_hold_markup(gap):  # markup left out: a block tag ends the sentence, the rest is like whitespace
            if _BLOCK_TAG_RE.search(gap):
                yield current
                current = []
                continue
            # what is left between two tokens of the sentence is whitespace, and a Markdown link's "[" (markup by what
            # follows it, past the gap)
            gap = _INVISIBLE_RE.sub("", gap).replace("[", "")
        if "\n" in gap and _starts_block(gap, _char(nxt.text)):
            yield current
            current = []
            continue
        if tok.text in _SENTENCE_END or (_char(tok.text) in {'"', "”", "’", ")", "'"} and len(current) > 1 and current[-2].text in _SENTENCE_END):
            if gap and (nxt.text[0].isupper() or nxt.text[0].isdigit() or _char(nxt.text) in {'"', "“", "("}):
                yield current
                current = []
    if current:
        yield current


# A line that opens a list item: a bullet ("*", "-", "•", "+") or a number ("1.", "2)"), then text.
_LIST_ITEM_RE = re.compile(r"^([ \t]*)(?:[*\-•+]|\d{1,3}[.)])[ \t]+\S", re.MULTILINE)
# An HTML list item: from its <li> to its </li>, the next <li> or the list's end, wherever it stands in its line.
_HTML_ITEM_RE = re.compile(r"<li\b[^<>]*>(?:(?!</li\s*>|<li\b|</[ou]l\s*>).)*", re.IGNORECASE | re.DOTALL)
# A list without bullets (a digest of headlines, a menu): a block of at least BARE_LIST_MIN_LINES lines, none ending
# with a stop or with a mark the next line would continue (a comma, a colon, a semicolon, a hyphen), each of at most
# BARE_ITEM_MAX_WORDS words that opens with a capital or a digit and holds at most one number (a table's lines hold
# more; a paragraph of prose, hard-wrapped or not, ends with a stop). No text of 1,200 Reuters articles, whole or cut
# to its first 20, 40 or 60 words, spun or not, holds one (model_cards/language_model.md).
BARE_LIST_MIN_LINES = 4
BARE_ITEM_MAX_WORDS = 15
_CLAUSE_MARK_AT_END_RE = re.compile(r"[.!?…,:;-]['\"”’)\]]*\s*$")  # a stop, or a mark that the next line continues
_STOP_AT_END_RE = re.compile(r"[.!?…]['\"”’)\]]*(?:<[^<>]*>|\s)*$")


def list_items(text: str, bare_lines: list[tuple[int, int]] | None = None) -> list[tuple[int, int]]:
    r"""The character spans of ``text``'s list items, in order: each from a line that opens one to the end of the
    lines that continue it (indented further, or, as Markdown reads a hard-wrapped paragraph, any line after one that
    ends without a stop; a blank line ends it), each HTML ``<li>`` element, and each line of a list without bullets
    (:data:`BARE_LIST_MIN_LINES`; ``bare_lines``: those lines, where the caller has found them already).

    >>> text = "Changes:\n  * Fix a crash\n    in the parser.\n  * New upstream release.\nThanks to all."
    >>> [text[a:b] for a, b in list_items(text)]
    ['  * Fix a crash\n    in the parser.', '  * New upstream release.']
    >>> html = "<p>New:</p><ul><li>a dark mode</li><li>a <b>faster</b> search</ul>"
    >>> [html[a:b] for a, b in list_items(html)]
    ['<li>a dark mode', '<li>a <b>faster</b> search']
    """
    spans = [m.span() for m in _HTML_ITEM_RE.finditer(text)] if "<" in text else []
    if _LIST_ITEM_RE.search(text) is not None:
        spans += _line_items(text)
    spans += bare_list_lines(text) if bare_lines is None else bare_lines
    spans.sort()
    merged: list[tuple[int, int]] = []
    for a, b in spans:  # an <li> on a bulleted line is one item
        if merged and a < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def _ends_with_stop(text: str) -> bool:
    """Whether ``text`` ends with a stop (a quote, a bracket, tags or spaces may follow it): a sentence, no fragment.

    >>> _ends_with_stop("Fix a crash."), _ends_with_stop('He left."</li>'), _ends_with_stop("2 cups flour")
    (True, True, False)
    """
    return _STOP_AT_END_RE.search(text) is not None


def bare_list_lines(text: str) -> list[tuple[int, int]]:
    r"""The spans of the lines of ``text``'s lists without bullets (see :data:`BARE_LIST_MIN_LINES`): a digest of
    headlines, which writes digits and drops articles.

    >>> text = "Fed raises rates\nOil falls 3 pct\nStorm leaves 5 dead\nToyota recalls cars\n\nMore at 6."
    >>> [text[a:b] for a, b in bare_list_lines(text)][1:3]
    ['Oil falls 3 pct', 'Storm leaves 5 dead']
    """
    spans: list[tuple[int, int]] = []
    block: list[tuple[int, int]] = []  # the non-blank lines since the last blank one: (start, end without spaces)
    pos = 0
    for line in [*text.split("\n"), ""]:
        if line.strip():
            block.append((pos, pos + len(line.rstrip())))
        else:
            if len(block) >= BARE_LIST_MIN_LINES and all(_bare_item(text[a:b]) for a, b in block):
                spans += block
            block = []
        pos += len(line) + 1
    return spans


def _bare_item(line: str) -> bool:
    """Whether ``line`` may be a line of a list without bullets (see :data:`BARE_LIST_MIN_LINES`)."""
    words = line.split()
    return (
        len(words) <= BARE_ITEM_MAX_WORDS
        and (words[0][0].isupper() or words[0][0].isdigit())
        and sum(w.lstrip("$€£(")[:1].isdigit() for w in words) <= 1
        and _CLAUSE_MARK_AT_END_RE.search(line) is None
    )


def _line_items(text: str) -> list[tuple[int, int]]:
    """The list items of :func:`list_items` that lines open with a bullet or a number."""
    spans: list[tuple[int, int]] = []
    start = end = indent = -1  # the open item: its span so far and its bullet's indentation (start -1: none)
    pos = 0
    previous = ""
    for line in text.split("\n"):
        opens = _LIST_ITEM_RE.match(line)
        spaces = len(line.expandtabs()) - len(line.expandtabs().lstrip())
        # a line indented no further than the bullet ends the item, unless the item's sentence goes on (Markdown's lazy
        # continuation of a hard-wrapped paragraph)
        if start >= 0 and (opens or not line.strip() or (spaces <= indent and _ends_with_stop(previous))):
            spans.append((start, end))
            start = -1
        if opens:
            start, indent = pos, len(opens.group(1).expandtabs())
        if start >= 0:
            end = pos + len(line.rstrip("\r"))
        pos += len(line) + 1
        previous = line
    if start >= 0:
        spans.append((start, end))
    return spans


_MARKUP_HINT_RE = re.compile(r"[<&/@#\\`\[*" + _FORMAT_CHARS + "]")


def may_hold_markup(text: str) -> bool:
    """Whether ``text`` may hold markup (a tag, a comment, an entity, a format character) or a literal (a URL,
    a path…): the cheap test before any regex (called for every gap between tokens)."""
    return _MARKUP_HINT_RE.search(text) is not None


def has_markup_between(text: str, left: Token, right: Token) -> bool:
    """Whether markup or a literal that :func:`sentences` leaves out stands between two of its tokens."""
    if _INVISIBLE_RE.search(text, left.end, right.start) is not None:
        return True
    k = text.find("[", left.end, right.start)  # a Markdown link's "[" is markup by what follows it, past ``right``
    return k >= 0 and _INVISIBLE_RE.match(text, k) is not None


def without_markup(text: str) -> str:
    """``text`` with the markup and literals that :func:`sentences` leaves out replaced by spaces.

    >>> without_markup("a <b>infantry</b>&nbsp;left")
    'a  infantry  left'
    """
    return _INVISIBLE_RE.sub(" ", text) if may_hold_markup(text) else text


def _is_invisible(text: str, token: Token) -> bool:
    """Whether ``token`` is markup or a literal that sentences leave out (read in place: a Markdown link's "[" is
    markup by what follows it)."""
    m = _INVISIBLE_RE.match(text, token.start)
    return m is not None and m.end() == token.end


def _char(token: str) -> str:
    """A punctuation token as the character it is: an HTML entity ("&quot;", "&#8221;") unescaped."""
    return html.unescape(token) if token[0] == "&" else token


def _starts_block(gap: str, next_token: str) -> bool:
    """Whether a line break (in ``gap``, the whitespace before ``next_token``) starts a new block."""
    lines = gap.split("\n")
    blank = any(not line.strip() for line in lines[1:-1])
    return blank or lines[-1] != "" or not (next_token[0].isalnum() or next_token[0] in "\"“‘'(")


@lru_cache(maxsize=65536)
def lm_form(token: str) -> str:
    """The form a token takes in the language model: lower case, ASCII quotes and hyphens, HTML entities
    read as the characters they stand for ("&#8217;s" -> "'s", "&quot;" -> '"', "&amp;" -> "&"), soft hyphens
    left out ("infan&shy;try" -> "infantry"), letters composed (NFC: "cafe" + U+0301 -> "café")."""
    if "&" in token:
        token = html.unescape(token)
    if _SOFT_HYPHEN in token:
        token = token.replace(_SOFT_HYPHEN, "") or token  # a soft hyphen alone stays a mark
    if not token.isascii():
        token = unicodedata.normalize("NFC", token)
    return token.translate(_LM_CHARS).lower()


def lm_sentence(tokens: list[Token] | list[str]) -> list[str]:
    """LM forms of a token sequence (accepts Token objects or plain strings)."""
    return [lm_form(t if isinstance(t, str) else t.text) for t in tokens]
