"""Small-number suppression for public papers (issue 16), as official statistics do it.

A cell whose base (the rows, children or values behind it) is under the low-base threshold is
suppressed (primary). When only one cell of a breakdown is suppressed, it could be worked out from
the total and the cells shown, so one more is suppressed (secondary): the cell with the smallest
base of those left, the first by position on a tie.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

Suppression = Literal["primary", "secondary"]


def suppress(bases: Sequence[int], low_base: int) -> list[Suppression | None]:
    """For each cell, why it is suppressed, or None when it is shown."""
    marks: list[Suppression | None] = ["primary" if b < low_base else None for b in bases]
    if marks.count("primary") == 1 and len(marks) > 1:
        shown = [i for i, mark in enumerate(marks) if mark is None]
        second = min(shown, key=lambda i: (bases[i], i))
        marks[second] = "secondary"
    return marks
