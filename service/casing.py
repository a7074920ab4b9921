"""Give a restored word the case pattern of the spun word it replaces.

Borrowed from symspellpy's ``case_transfer_matching`` idea, at word level:

>>> transfer_casing("A", "the")
'The'
>>> transfer_casing("INFANTRY", "troops")
'TROOPS'
>>> transfer_casing("infantry", "troops")
'troops'
>>> transfer_casing("During a", "at the")
'At the'
>>> transfer_casing("US couple", "us coalition")
'US coalition'
>>> transfer_casing("CAF&Eacute;", "restaurant")
'RESTAURANT'
"""

from __future__ import annotations

import html

__all__ = ["transfer_casing"]


def transfer_casing(spun: str, original: str) -> str:
    """Return ``original`` written in the case pattern of ``spun``.

    Word by word when both have the same number of words (more than one); else
    all-caps spun text (of more than one letter) gives all-caps, a capitalised
    first letter gives a capitalised first letter, and otherwise ``original`` is
    returned as the dictionary has it. An HTML entity in ``spun`` counts as its character.
    """
    if "&" in spun:
        spun = html.unescape(spun)
    sw, ow = spun.split(), original.split()
    if len(sw) > 1 and len(sw) == len(ow):
        return " ".join(transfer_casing(s, o) for s, o in zip(sw, ow, strict=True))
    letters = [c for c in spun if c.isalpha()]
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return original.upper()
    if spun[:1].isupper():
        return original[:1].upper() + original[1:]
    return original
