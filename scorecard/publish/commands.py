"""`scorecard publish`, `publish --list` and `scorecard restatements`, as plain functions the click
CLI calls (SPEC section 7). Exit codes: 0 done; 1 data problems (nothing recorded without
`--force`); 2 a usage error (a period already published without `--replace`, a bad period)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TextIO

from ..commentary import CommentaryStore
from ..engine.engine import Engine, UsageError
from ..format import table
from ..present import band_word, figure, month_label, problem_listing
from .provenance import collect
from .restate import Restatement, annotate, restatements
from .store import AlreadyPublished, PublicationStore, PublishedFigure


@dataclass(frozen=True)
class Published:
    scorecard: str
    period: str
    version: int
    files: int


def store_of(engine: Engine) -> PublicationStore:
    return PublicationStore(engine.config.state_path)


def publish(engine: Engine, scorecard_id: str | None, period: str | None, *, replace: bool, force: bool,
            out: TextIO, err: TextIO) -> int:
    """Record the rated scorecard as it stands, with its paper and provenance."""
    from ..report.writer import render

    store = store_of(engine)
    rating = engine.rate(scorecard_id, period)  # UsageError: the caller exits 2
    sc, period = rating.scorecard, rating.period
    existing = store.latest(sc, period)
    if existing is not None and not replace:
        raise UsageError(f"{sc} {period} is already published (version {existing.version}, "
                         f"{existing.published_at} by {existing.published_by}); --replace publishes version "
                         f"{existing.version + 1}, keeping every earlier one")
    if engine.has_problems and not force:
        note = ", so nothing was published (`scorecard check` lists them; --force publishes anyway)"
        for line in problem_listing(engine.problem_lines(), note):
            print(line, file=err)
        return 1
    rating = annotate(engine, rating, existing)
    paper_md = render(engine, period, sc, None, "md")
    paper_html = render(engine, period, sc, None, "html")
    notes = CommentaryStore(engine.config.state_path).for_period(period)
    on_card = {r.id for r in rating.measures}
    commentary = [{"measure": c.measure, "period": c.period, "text": c.text, "author": c.author,
                   "written_at": c.written_at} for mid, c in sorted(notes.items()) if mid in on_card]
    figures = {r.id: PublishedFigure(r.value, r.rag, r.target, r.floor, r.decimals, r.polarity, r.title, r.unit)
               for r in rating.measures}
    provenance = collect(engine.config)
    try:
        version = store.publish(sc, period, rating.to_json(), figures, commentary, paper_md, paper_html, provenance,
                                replace=replace, forced=force and engine.has_problems)
    except AlreadyPublished as e:  # published by someone else meanwhile
        raise UsageError(f"{sc} {period} was published meanwhile (version {e.latest}): use --replace") from None
    print(f"Published {rating.title} ({sc}), {month_label(period)}: version {version}, "
          f"{len(rating.measures)} measures, {len(commentary)} commentary note(s), {len(provenance.files)} data "
          f"file(s) recorded, by {provenance.published_by} at {provenance.published_at}", file=out)
    if force and engine.has_problems:
        print(f"published with {len(engine.problem_lines())} data problem(s) (--force)", file=err)
    return 0


def publish_list(store: PublicationStore, fmt: str, out: TextIO) -> list[dict]:
    rows = [p.list_json() for p in store.all()]
    if fmt == "json":
        return rows
    if not rows:
        print("Nothing published yet.", file=out)
    else:
        print(table(["Scorecard", "Period", "Version", "Published at", "By"],
                    [[r["scorecard"], r["period"], str(r["version"]), r["published_at"], r["published_by"]]
                     for r in rows], right=(2,)), file=out)
    return rows


def restatements_text(found: list[Restatement]) -> str:
    if not found:
        return "No published figure has been restated."
    rows = []
    for r in found:
        rows.append([r.scorecard, r.period, f"{r.measure}  {r.title}",
                     f"{figure(r.published.value, r.decimals, r.unit)} {band_word(r.published.rag)}",
                     f"v{r.published.version} {r.published.published_at[:10]}",
                     f"{figure(r.live_value, r.decimals, r.unit)} {band_word(r.live_rag)}"])
    return (f"{len(found)} published figure(s) the data no longer gives:\n"
            + table(["Scorecard", "Period", "Measure", "Published", "Version", "Live"], rows, right=(3, 5)))


__all__ = ["publish", "publish_list", "restatements", "restatements_text", "store_of"]
