"""`scorecard report`: build the paper from the engine and write it as Markdown or HTML."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from ..engine.engine import Engine, UsageError
from ..output_guard import check_output
from ..present import month_label
from ..publish.restate import period_restatements
from ..publish.store import PublicationStore
from .content import build_paper
from .html import render_html
from .markdown import render_markdown
from .published import published_paper

FORMATS = ("md", "html")


def render(engine: Engine, period: str | None, scorecard_id: str | None, since: str | None, fmt: str,
           live: bool = True) -> str:
    """The paper's text: from the data (`live`), or for a published period the stored paper of its
    latest version followed by what was restated since (SPEC section 7). Raises `UsageError` for an
    unknown format, scorecard or period."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown report format {fmt!r}; use md or html")
    if not live:
        rating = engine.rate(scorecard_id, period)
        pub = PublicationStore(engine.config.state_path).latest(rating.scorecard, rating.period)
        if pub is not None:
            return published_paper(pub, period_restatements(engine, pub), fmt)
    paper = build_paper(engine, period, scorecard_id, since)
    return render_html(paper) if fmt == "html" else render_markdown(paper)


def write_report(engine: Engine, period: str | None, scorecard_id: str | None, since: str | None, fmt: str,
                 output: Path | None, out: TextIO, live: bool = False, force: bool = False) -> int:
    """Write the committee paper to `output` (a file) or, without one, to `out`.

    Returns 0, or 1 when the engine found data problems (the paper is still written, with the
    problems listed under "Data notes"). Raises `UsageError`, before writing anything, for an
    unknown format or scorecard, a malformed period, or `since` not before the period, and for an
    `output` that is one of the files the report reads, or that exists when `force` is not set."""
    if output is not None:
        check_output(output, engine.config, force)
    text = render(engine, period, scorecard_id, since, fmt, live=live or since is not None)
    if output is None:
        out.write(text)
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
        shown = engine.resolve_period(period)
        out.write(f"Wrote the {month_label(shown)} report ({fmt}) to {output}\n")
    return 1 if engine.has_problems else 0
