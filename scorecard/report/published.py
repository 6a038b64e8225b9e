"""`scorecard report` of a published period (SPEC section 7): the stored paper of the latest
version, then a "Restated since publication" section listing the measures whose published
figures the data no longer gives (published and live figures)."""

from __future__ import annotations

from ..present import band_word, month_label
from ..publish.restate import Restatement
from ..publish.store import Publication
from .html import e
from .markdown import md
from .words import value_text


def _band(rag: str | None) -> str:
    return band_word(rag) if rag else "unrated"


def _lines(pub: Publication, found: list[Restatement]) -> tuple[str, list[tuple[str, str, str]]]:
    intro = (f"The {month_label(pub.period)} scorecard was published on {pub.published_at[:10]} by "
             f"{pub.published_by} (version {pub.version}); the paper above is as published.")
    rows = []
    for r in found:
        published = f"{value_text(r.published.value, r.decimals, r.unit)} ({_band(r.published.rag)})"
        live = f"{value_text(r.live_value, r.decimals, r.unit)} ({_band(r.live_rag)})"
        rows.append((f"{r.title} ({r.measure})", published, live))
    return intro, rows


def restated_markdown(pub: Publication, found: list[Restatement]) -> str:
    intro, rows = _lines(pub, found)
    out = ["", "## Restated since publication", "", md(intro), ""]
    if not rows:
        out.append("No published figure has changed since.")
    else:
        out += ["| Measure | Published | Live |", "| --- | ---: | ---: |"]
        out += [f"| {md(m)} | {md(p)} | {md(v)} |" for m, p, v in rows]
    return "\n".join(out) + "\n"


def restated_html(pub: Publication, found: list[Restatement]) -> str:
    intro, rows = _lines(pub, found)
    out = ['<section id="restated" aria-labelledby="restated-h">',
           '<h2 id="restated-h">Restated since publication</h2>', f"<p>{e(intro)}</p>"]
    if not rows:
        out.append("<p>No published figure has changed since.</p>")
    else:
        out.append("<table><thead><tr><th>Measure</th><th>Published</th><th>Live</th></tr></thead><tbody>")
        out += [f"<tr><td>{e(m)}</td><td>{e(p)}</td><td>{e(v)}</td></tr>" for m, p, v in rows]
        out.append("</tbody></table>")
    out.append("</section>")
    return "\n".join(out) + "\n"


def published_paper(pub: Publication, found: list[Restatement], fmt: str) -> str:
    if fmt == "html":
        paper = pub.paper_html
        marker = "</main>"
        at = paper.rfind(marker)
        section = restated_html(pub, found)
        return paper[:at] + section + paper[at:] if at >= 0 else paper + section
    return pub.paper_md.rstrip("\n") + "\n" + restated_markdown(pub, found)
