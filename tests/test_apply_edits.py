"""apply_edits: replay, and clear errors on edits that cannot apply."""

from __future__ import annotations

import pytest

from service import Edit, apply_edits


def test_replays_edits_in_any_order() -> None:
    text = "a infantry pronounced"
    edits = [Edit(11, 21, "pronounced", "said", 0.9, "fingerprint"), Edit(0, 1, "a", "the", 0.9, "article")]
    assert apply_edits(text, edits) == "the infantry said"


def test_no_edits_is_identity() -> None:
    assert apply_edits("any text\r\n", []) == "any text\r\n"


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (Edit(5, 50, "x", "y", 1.0, "thesaurus"), "outside"),
        (Edit(-1, 1, "a", "the", 1.0, "article"), "outside"),
        (Edit(0, 1, "b", "the", 1.0, "article"), "expects"),
    ],
)
def test_bad_edit_raises(edit: Edit, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        apply_edits("a infantry", [edit])


def test_overlapping_edits_raise() -> None:
    edits = [Edit(0, 10, "a infantry", "the troops", 1.0, "fingerprint"), Edit(2, 10, "infantry", "troops", 1.0, "thesaurus")]
    with pytest.raises(ValueError, match="overlaps"):
        apply_edits("a infantry", edits)
