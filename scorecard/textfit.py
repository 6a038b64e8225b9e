"""Plain-text tables that fit a terminal's width: the text columns (titles) wrap onto more lines,
the figures never do.

The width is `COLUMNS` when set, else the terminal's when printing to one; printed to a file or a
pipe without `COLUMNS`, tables keep their natural width (titles still wrap at 72 characters)."""

from __future__ import annotations

import os
import shutil
import sys
import textwrap
from collections.abc import Sequence

MAX_WRAP = 72  # a text column never wider than this, whatever the room
MIN_WRAP = 12  # nor narrower: past this the table is wider than the terminal (figures never wrap)
GAP = 2


def output_width() -> int | None:
    """The width to fit: `COLUMNS`, else the terminal's, else None (no limit: a file or a pipe)."""
    env = os.environ.get("COLUMNS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    if sys.stdout.isatty():
        return shutil.get_terminal_size().columns
    return None


def _wrap(cell: str, width: int) -> list[str]:
    """A cell folded at spaces to `width`; continuation lines indented 4 more than the cell is."""
    if len(cell) <= width:
        return [cell]
    indent = " " * (len(cell) - len(cell.lstrip()))
    return textwrap.wrap(cell.strip(), width=width, initial_indent=indent, subsequent_indent=indent + "    ",
                         break_long_words=True, break_on_hyphens=False) or [""]


def fit_widths(natural: list[int], wrap: Sequence[int], width: int | None) -> list[int]:
    """Column widths: the wrapping columns capped at MAX_WRAP, then narrowed until the table fits
    `width`: the last of `wrap` first (they are in order of priority), none below MIN_WRAP."""
    widths = [min(w, MAX_WRAP) if i in wrap else w for i, w in enumerate(natural)]
    if width is None:
        return widths
    excess = sum(widths) + GAP * (len(widths) - 1) - width
    for i in reversed(wrap):
        if excess <= 0:
            break
        cut = min(excess, max(0, widths[i] - MIN_WRAP))
        widths[i] -= cut
        excess -= cut
    return widths


def wrap_room(headers: Sequence[str], rows: Sequence[Sequence[str]], width: int, wrap: int = 0) -> int:
    """How wide column `wrap` can be with every other column at its natural width in `width`."""
    natural = [len(h) for h in headers]
    for r in rows:
        natural = [max(w, len(c)) for w, c in zip(natural, r, strict=True)]
    return width - sum(w for i, w in enumerate(natural) if i != wrap) - GAP * (len(natural) - 1)


def fit_table(headers: Sequence[str], rows: Sequence[Sequence[str]], width: int | None,
              wrap: Sequence[int] = (0,), right: Sequence[int] = ()) -> str:
    """An aligned table under a rule; cells in `wrap` columns fold onto more lines to fit `width`."""
    head, body = fit_rows(headers, rows, width, wrap, right)
    return "\n".join([*head, *(line for lines in body for line in lines)])


def fit_rows(headers: Sequence[str], rows: Sequence[Sequence[str]], width: int | None,
             wrap: Sequence[int] = (0,), right: Sequence[int] = ()) -> tuple[list[str], list[list[str]]]:
    """`fit_table`'s lines: the header and its rule, then each row's lines (more than one where a cell
    folds), for a caller that puts lines of its own between rows."""
    natural = [len(h) for h in headers]
    for r in rows:
        natural = [max(w, len(c)) for w, c in zip(natural, r, strict=True)]
    minimum = [len(h) if i in wrap else 0 for i, h in enumerate(headers)]
    widths = [max(w, m) for w, m in zip(fit_widths(natural, wrap, width), minimum, strict=True)]

    def line(cells: Sequence[str]) -> str:
        out = [c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))]
        return (" " * GAP).join(out).rstrip()

    body = []
    for r in rows:
        folded = [_wrap(c, widths[i]) if i in wrap else [c] for i, c in enumerate(r)]
        body.append([line([f[k] if k < len(f) else "" for f in folded]) for k in range(max(len(f) for f in folded))])
    return [line(headers), line(["-" * w for w in widths])], body


def prose(text: str, width: int | None, indent: int = 0) -> str:
    """A sentence folded at spaces to `width` (continuation lines indented `indent`), as it is without one."""
    if width is None or len(text) <= width:
        return text
    return textwrap.fill(text, width=width, subsequent_indent=" " * indent, break_on_hyphens=False)
