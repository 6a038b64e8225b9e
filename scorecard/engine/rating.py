"""Rounding and rating (SPEC section 3)."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

from .results import Band


def round_half_away(value: float | None, decimals: int) -> float | None:
    """Round half away from zero, as written: 74.85 -> 74.9 although 74.85 is stored as 74.8499...

    The value is nudged by 1e-9 in the direction of its sign first (SPEC section 3).
    """
    if value is None or not math.isfinite(value):
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2.0**53 and 0 <= decimals <= 8:
        # a whole number: within 1e-9 of itself, and exact as a decimal, so the rounding below gives it back
        return float(value) + 0.0
    nudged = value + math.copysign(1e-9, value) if value != 0 else 0.0
    exact = Decimal(repr(nudged)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return float(exact) + 0.0  # + 0.0 turns -0.0 into 0.0


def band(value: float | None, target: float | None, floor: float | None, polarity: str | None) -> Band | None:
    """The band of an already rounded value; None for an unrated measure."""
    if target is None or floor is None:
        return None
    if value is None:
        return "no_data"
    if polarity == "lower":
        return "green" if value <= target else "amber" if value <= floor else "red"
    return "green" if value >= target else "amber" if value >= floor else "red"
