"""Finding what a user typed among the names a config has: ids without regard to case, and the
closest names for a "did you mean" when there is no such name."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{6,}$")  # Slack's id for a channel (C0123ABCD); names are lower case


def channel_name(value: str) -> str:
    """A Slack channel as one spelling: an id as it is (`C0123ABCD`), a name as `#name` in lower case
    (Slack's names are), so `directors`, `#directors`, ` #Directors ` and `#DIRECTORS` are one channel: in a
    config's routes and in the alerts outbox's history alike. A leading `#` always means a name, though
    the rest has an id's form (`#DIRECTORS`)."""
    bare = value.strip().lstrip("#").strip()
    return bare if CHANNEL_ID.match(bare) and not value.strip().startswith("#") else "#" + bare.lower()


def find_id(wanted: str, ids: Iterable[str]) -> str | None:
    """The id as the config spells it: `cic-rate` finds `CIC-RATE` (a config cannot hold two ids that
    differ only by case: that is a config error)."""
    key = wanted.casefold()
    return next((i for i in ids if i.casefold() == key), None)


def closest(wanted: str, names: Iterable[str], n: int = 3) -> list[str]:
    """Up to `n` names like `wanted` (by spelling, ignoring case), the closest first."""
    names = list(names)
    by_key = {name.casefold(): name for name in names}
    found = difflib.get_close_matches(wanted.casefold(), list(by_key), n=n, cutoff=0.6)
    if not found:  # a fragment of an id: `RATE` for `CIC-RATE`
        found = [k for k in by_key if wanted.casefold() in k][:n]
    return [by_key[k] for k in found]


def did_you_mean(wanted: str, names: Iterable[str], quote: str = "", n: int = 3) -> str:
    """`; did you mean CIC-RATE?` (or `CIC-RATE or CIC-COUNT?`), or nothing when nothing is close."""
    found = closest(wanted, names, n)
    if not found:
        return ""
    listed = [f"{quote}{name}{quote}" for name in found]
    return "; did you mean " + (listed[0] if len(listed) == 1 else ", ".join(listed[:-1]) + " or " + listed[-1]) + "?"
