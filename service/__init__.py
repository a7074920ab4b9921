"""unspin: restore articles garbled by an article spinner.

>>> from service import restore
>>> restore("A revisit by a commander of Iran's chosen Quds Force has led to a postponement in attacks on US infantry.", engine="rules")
"A visit by the commander of Iran's elite Quds Force has led to a pause in attacks on US troops."
"""

from __future__ import annotations

from .config import RestoreConfig
from .edits import Edit, RestoredText, apply_edits
from .engine import SpinnerTableLearner, learn_spinner_table, restore, restore_and_explain, restore_many
from .spinner_table import SpinnerTable

__version__ = "0.1.0"

__all__ = [
    "restore",
    "restore_and_explain",
    "restore_many",
    "learn_spinner_table",
    "SpinnerTable",
    "SpinnerTableLearner",
    "apply_edits",
    "RestoreConfig",
    "RestoredText",
    "Edit",
    "__version__",
]
