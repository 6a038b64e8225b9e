"""The paper's sentences, in the seed papers' words, shared by the Markdown and HTML writers.

Every function returns plain text (no markup, nothing escaped): each writer escapes it for its
own format.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass

from ..engine.explain import CohortImpact, Explanation, GroupValue
from ..engine.explain_summary import Gap, Movement
from ..engine.results import BandChange, PeriodResult, Summary
from ..engine.suppression import suppress
from ..present import ASSURANCE_WORDS, VARIATION_WORDS, band_word, count, figure, month_label, short_month
from .content import CohortPage, ExceptionPage, MeasureRef, Paper

# Seeds, paragraph 2.8: "Performance results are assigned an alert on the following basis".
RAG_KEY_INTRO = "Performance results are assigned an alert on the following basis:"
RAG_KEY: list[tuple[str, str]] = [
    ("green", "Current target achieved or exceeded"),
    ("amber", "Performance is below current target but above minimum standard"),
    ("red", "Performance is below a pre-defined minimum standard"),
]


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def listing(items: list[str], conjunction: str = "and") -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {conjunction} " + items[-1]


def value_text(value: float | None, decimals: int, unit: str | None) -> str:
    """A value as a reader sees it: '88.8%', '12.5 per 10,000', '123 days', '85.0', or 'no data'."""
    return figure(value, decimals, unit, missing="no data")


def title(p: Paper) -> str:
    return f"{p.scorecard_title} performance scorecard"


def introduction(p: Paper) -> str:
    return (
        f"The {p.scorecard_title} performance scorecard provides members with progress against targets set for key "
        f"performance and activity indicators. It includes the latest available results, which are for "
        f"{month_label(p.period)}."
    )


def basis(p: Paper) -> str | None:
    """Seeds 2.4: how the results are shown, from the windows the scorecard's measures use."""
    first = p.financial_year_start_month
    last = (first - 2) % 12 + 1
    fy = f"{calendar.month_name[first]}-{calendar.month_name[last]}"
    words = {
        "snapshot": "snapshot figures (taken on the last working day of the reporting period)",
        "month": "monthly figures",
        "ytd": f"year-to-date ({fy})",
        "rolling12": "a rolling 12 months",
    }
    shown = [words[w] for w in p.windows]
    if not shown:
        return None
    return "The results in the scorecard are shown as " + listing(shown, "or") + "."


def summary_counts(s: Summary, period: str) -> str:
    """'For January 2017 there are 44 measures with a RAG rating: 27 Green, 16 Amber and 1 Red.'"""
    parts = [f"{s.green} Green", f"{s.amber} Amber", f"{s.red} Red"]
    if s.no_data:
        parts.append(f"{s.no_data} with no data for the period")
    measures = "measure" if s.rated == 1 else "measures"
    verb = "is" if s.rated == 1 else "are"
    text = f"For {month_label(period)} there {verb} {s.rated} {measures} with a RAG rating: {listing(parts)}."
    activity = s.measures - s.rated
    if activity:
        text += (f" The scorecard also shows {plural(activity, 'activity measure')}, which "
                 f"{'has' if activity == 1 else 'have'} no target.")
    return text


def _names(refs: list[MeasureRef]) -> str:
    return listing([f"“{r.title}” ({r.section})" for r in refs])


def added_removed(p: Paper) -> list[str]:
    """Seeds 3.1: measures added to or removed from the scorecard since the previous report."""
    since = month_label(p.since)
    out = []
    if p.added:
        n = len(p.added)
        out.append(
            (f"One performance measure has been added to the scorecard since {since}: " if n == 1
             else f"{n} performance measures have been added to the scorecard since {since}: ")
            + _names(p.added) + f". This takes the number of measures on the scorecard to {p.summary.measures}, "
            f"{p.summary.rated} of them with a RAG rating."
        )
    if p.removed:
        n = len(p.removed)
        out.append(
            f"One performance measure, {_names(p.removed)}, has been removed from the scorecard since {since}." if n == 1
             else f"{n} performance measures have been removed from the scorecard since {since}: {_names(p.removed)}."
        )
    return out


def exceptions_sentence(p: Paper) -> str:
    """Seeds 3.2: which Red measures have an exception page."""
    reds = p.exceptions
    if not reds:
        return f"No measure has a Red RAG rating for {month_label(p.period)}, so there is no exception reporting."
    if len(reds) == 1:
        return (f"Exception reporting against “{reds[0].rating.title}”, which has a Red RAG rating, "
                f"is included below.")
    return (f"Exception reporting against the {len(reds)} measures with a Red RAG rating is included below: "
            + listing([f"“{e.rating.title}”" for e in reds]) + ".")


def cohorts_sentence(p: Paper) -> str | None:
    shown = [c for c in p.cohorts if c.rows]
    if not shown:
        return None
    labels = listing([c.label for c in shown])
    page = "A separate page showing" if len(shown) == 1 else "Separate pages showing"
    verb = "has" if len(shown) == 1 else "have"
    return f"{page} the impact of the cohort of {labels} upon the relevant performance measures {verb} also been included."


def changes_intro(p: Paper) -> str:
    n = len(p.improved) + len(p.declined)
    between = f"between the {month_label(p.since)} and {month_label(p.period)} scorecards"
    if n == 0:
        return f"No performance measure has changed RAG banding {between}."
    if n == 1:
        return f"One performance measure has changed RAG banding {between}."
    return f"{n} performance measures have changed RAG banding {between}."


IMPROVED_INTRO = "Those measures showing improved performance are:"
DECLINED_INTRO = "Those measures where performance declined are:"


def article(text: str) -> str:
    """'a' or 'an' before a figure as it is read aloud: 'an 85.0% target', 'an 11 day target', 'a 90.0% target'."""
    digits = text.split(".")[0].replace(",", "")
    if digits.startswith("8"):
        return "an"
    if digits[:2] in ("11", "18") and len(digits) % 3 == 2:
        return "an"
    return "a"


def against_target(value: float | None, target: float | None, decimals: int, unit: str | None) -> str:
    """'88.8% against a 90.0% target' (and 'against a target of 9.0 per 10,000' for other units)."""
    if target is None:
        return value_text(value, decimals, unit)
    if unit in (None, "", "%"):
        shown = value_text(target, decimals, unit)
        return f"{value_text(value, decimals, unit)} against {article(shown)} {shown} target"
    return f"{value_text(value, decimals, unit)} against a target of {value_text(target, decimals, unit)}"


def change_sentence(c: BandChange) -> str:
    """'performance improved from 84.5% to 88.8% and moved from Red to Amber; 88.8% against a 90.0% target.'"""
    return (
        f"Performance {c.change} from {value_text(c.from_value, c.decimals, c.unit)} to "
        f"{value_text(c.to_value, c.decimals, c.unit)} and moved from {band_word(c.from_rag)} to {band_word(c.to_rag)}; "
        f"{against_target(c.to_value, c.target, c.decimals, c.unit)}."
    )



def exception_headline(e: ExceptionPage) -> str:
    """'12.5 per 10,000 in April 2017, Red: against a target of 9.0 per 10,000 and a minimum standard of 11.0 per 10,000.'"""
    r = e.rating
    v = lambda x: value_text(x, r.decimals, r.unit)  # noqa: E731
    better = "higher" if r.polarity == "higher" else "lower"
    return (f"{v(r.value)} in {month_label(r.period)}, rated {band_word(r.rag)}: the target is {v(r.target)} and the "
            f"minimum standard {v(r.floor)} ({better} is better).")


def previous_sentence(e: ExceptionPage) -> str | None:
    prev = e.rating.previous
    if prev is None:
        return None
    r = e.rating
    return (f"In {month_label(prev.period)} it was {value_text(prev.value, r.decimals, r.unit)}, "
            f"{band_word(prev.rag, prev.target is not None)}.")


def spc_sentences(e: ExceptionPage) -> str:
    s = e.explanation.spc
    if s is None:
        points = sum(t.value is not None for t in e.explanation.trend)
        return f"Statistical process control needs 12 monthly points; this measure has {points}, so no SPC verdict is given."
    d = e.rating.decimals + 1
    return (f"SPC (XmR chart): mean {s.mean:,.{d}f}, process limits {s.lower:,.{d}f} to {s.upper:,.{d}f}. "
            f"The latest point shows {VARIATION_WORDS[s.variation]}; {ASSURANCE_WORDS[s.assurance]}.")


def comparators_sentence(e: ExceptionPage) -> str:
    comps = e.rating.comparators
    if not comps:
        return "No comparator figures are available for this measure."
    return "Latest comparators: " + listing([comparator_with_date(e, name) for name in comps]) + "."


def no_commentary(period: str) -> str:
    return f"No commentary has been recorded for {month_label(period)}."


def commentary_byline(author: str, written_at: str) -> str:
    return f"{author}, {written_at[:10]}"


def cohort_intro(c: CohortPage, period: str) -> str:
    return (f"The impact of the cohort of {c.label} upon the relevant performance measures for {month_label(period)}: "
            f"each measure for all children, excluding the cohort, and for the cohort only.")


def trend_alt(trend: list[PeriodResult], decimals: int, unit: str | None) -> str:
    """Alternative text for a sparkline."""
    points = [t for t in trend if t.value is not None]
    if not points:
        return "No trend data."
    first, last = points[0], points[-1]
    lo = min(t.value for t in points if t.value is not None)
    hi = max(t.value for t in points if t.value is not None)
    return (f"Trend {short_month(first.period)} to {short_month(last.period)}: from {value_text(first.value, decimals, unit)} "
            f"to {value_text(last.value, decimals, unit)}, lowest {value_text(lo, decimals, unit)}, "
            f"highest {value_text(hi, decimals, unit)}.")


# -- issue 16: the explanations the papers write by hand ----------------------------------------------
def _moved(m: Movement, name: str) -> str:
    v = lambda x: value_text(x, m.decimals, m.unit)  # noqa: E731
    if m.change is None:
        return f"{name} was {v(m.now)} (no figure to compare with)"
    if m.change == 0:
        return f"{name} stayed at {v(m.now)}"
    verb = "increased" if m.change > 0 else "decreased"
    return f"{name} {verb} from {figure(m.since, m.decimals, None)} to {v(m.now)}"


def shown_groups(x: Explanation, name: str, public: bool, low_base: int) -> list[tuple[GroupValue, str, str | None]]:
    """A breakdown's groups for the paper, in the column's declared order: each with its label and why
    it is suppressed (engine/suppression.py: in a public paper a cell under the low base, and one more
    when a single one could be worked out from the total), or None when it is shown."""
    groups = x.ordered(name)
    marks = suppress([g.base for g in groups], low_base) if public else [None] * len(groups)
    return [(g, "(empty)" if g.group is None else str(g.label), mark) for g, mark in zip(groups, marks, strict=True)]


def suppressed_note(mark: str | None) -> str:
    return {"primary": "suppressed (small number)",
            "secondary": "suppressed (so a small number cannot be worked out)"}.get(mark or "", "")


COHORT_SUPPRESSED_NOTE = ("x: not shown in this public paper, a small number or one from which a small number could "
                          "be worked out.")


def cohort_suppressed(i: CohortImpact, public: bool, low_base: int) -> tuple[bool, bool]:
    """Whether a public paper shows "x" for the cohort's excluding and only halves: a half whose base
    is under the low base (an empty half, no rows, stays shown), and then the other half too, since
    the whole minus one half gives the other."""
    if not public:
        return False, False
    marks = suppress([b or low_base for b in (i.excluding_base, i.only_base)], low_base)
    return marks[0] is not None, marks[1] is not None


def breakdown_rows(x: Explanation, name: str, public: bool, low_base: int) -> list[list[str]]:
    """A breakdown's rows as text: label, value, band, numerator, denominator, note; "x" where suppressed."""
    rows = []
    for g, label, mark in shown_groups(x, name, public, low_base):
        if mark is not None:
            rows.append([label, "x", "-", "x", "x", suppressed_note(mark)])
            continue
        rows.append([label, value_text(g.value, x.decimals, x.unit) if g.value is not None else "-",
                     band_word(g.rag, g.rag is not None) if g.rag else "-", count(g.numerator),
                     count(g.denominator), "low base" if g.low_base else ""])
    return rows


def outside_rows(x: Explanation, column: str, public: bool, low_base: int) -> list[list[str]]:
    """Why-outside groups for the paper: label, count, share of those outside (suppressed as breakdowns)."""
    o = x.outside[column]
    reasons = o.ordered(x.styles[column])
    marks = suppress([r.count for r in reasons], low_base) if public else [None] * len(reasons)
    return [["(empty)" if r.label is None else r.label, "x" if mark else f"{r.count:,}",
             "x" if mark else figure(r.percent, 1, "%")] for r, mark in zip(reasons, marks, strict=True)]


def activity_sentences(p: Paper) -> tuple[list[str], str | None, list[str]]:
    """Seeds 3.1: a total split into parts as the seeds word it ('During the period August to November
    2017 the number of citizen CIC increased from 1,408 to 1,428 and the number of UASC decreased from 366
    to 331, resulting in an overall reduction of 15'); then the other activity counts as a list, each with
    both figures and the change. Returns (sentences, the list's introduction, the list's items)."""
    if not p.activity:
        return [], None, []
    a, b = month_label(p.since).split(), month_label(p.period).split()
    span = f"{a[0]} to {b[0]} {b[1]}" if a[1] == b[1] else f"{month_label(p.since)} to {month_label(p.period)}"
    sentences: list[str] = []
    items: list[str] = []
    for m in p.activity:
        if m.parts:
            clauses = [_moved(part, f"the {lower_first(part.title)}") for part in m.parts]
            net = ""
            if m.change:
                size = value_text(abs(m.change), m.decimals, None)
                net = (f", resulting in an overall {'increase' if m.change > 0 else 'reduction'} of {size} "
                       f"({lower_first(m.title)}: {value_text(m.since, m.decimals, None)} to "
                       f"{value_text(m.now, m.decimals, None)})")
            elif m.change == 0:
                net = f", leaving the {lower_first(m.title)} unchanged at {value_text(m.now, m.decimals, None)}"
            sentences.append(f"During the period {span} {listing(clauses)}{net}.")
        else:
            items.append(_moved(m, m.title) + (f" ({'+' if m.change > 0 else '-'}{figure(abs(m.change), m.decimals, None)})"
                                               if m.change else ""))
    intro = (f"{'Other activity' if sentences else 'Activity'} since the last report ({span}):") if items else None
    return sentences, intro, items


def lower_first(text: str) -> str:
    """'Number of children in care' -> 'number of children in care' (an acronym stays as it is)."""
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


EXCEPTION_POINTER = "its exception report below says why"


@dataclass(frozen=True)
class Away:
    """A measure significantly away from target, as the summary states it: one sentence; `page`, the
    number of its exception page (Red measures have one: the why is there, not repeated here), or None
    (the summary then gives its why, the only place the paper does)."""

    gap: Gap
    sentence: str
    page: int | None


def away_sentences(p: Paper) -> tuple[str, list[Away]]:
    """Seeds 3.2: 'Two of the performance measures in the CIC Scorecard were significantly away from the
    target', then each measure's value, target, gap and value at the last report."""
    n = len(p.away)
    numbers = {1: "One", 2: "Two", 3: "Three", 4: "Four", 5: "Five", 6: "Six", 7: "Seven", 8: "Eight", 9: "Nine"}
    count = numbers.get(n, str(n))
    if n == 0:
        return (f"None of the performance measures in the {p.scorecard_title} scorecard was significantly away "
                "from the target.", [])
    verb = "was" if n == 1 else "were"
    intro = (f"{count} of the performance measures in the {p.scorecard_title} scorecard {verb} significantly away "
             "from the target:")
    pages = {e.rating.id: i for i, e in enumerate(p.exceptions, start=1)}
    items = []
    for g in p.away:
        r = g.rating
        v = lambda x, r=r: value_text(x, r.decimals, r.unit)  # noqa: E731
        gap = f"{figure(g.gap, r.decimals, None)} percentage points" if r.unit == "%" else v(g.gap)
        then = [t.value for t in p.explanations[r.id].trend if t.period == p.since] if r.id in p.explanations else []
        if r.id in p.published_before:  # SPEC section 7: as the last report published it
            then = [p.published_before[r.id][0]]
        known = bool(then) and then[0] is not None
        head = (f"{r.title}: {v(r.value)} for {month_label(p.period)} against the target of {v(r.target)}, "
                f"{gap} {'below' if r.polarity == 'higher' else 'above'} it")
        page = pages.get(r.id)
        if page is not None:  # one sentence; the why is on the exception page
            last = f" ({v(then[0])} at the last report, in {month_label(p.since)})" if known else ""
            items.append(Away(g, f"{head}{last}; {EXCEPTION_POINTER}.", page))
            continue
        mv = p.explanations[r.id].movement if r.id in p.explanations else None
        told = mv is not None and mv.since.period == p.since and mv.since.value == (then or [None])[0]
        last = (f" At the last report, in {month_label(p.since)}, it was {v(then[0])}."
                if known and not told else "")  # else its Why says so ("Since August ...")
        items.append(Away(g, f"{head}.{last}", None))
    return intro, items


def comparators_as_at(p: Paper) -> str | None:
    """Seeds 3.1: 'Both the England and SN rates are as at March 2017', for every comparator shown: the
    names grouped by the period they are as at, then their sources."""
    periods: dict[str, list[str]] = {}
    sources: list[str] = []
    for e in p.explanations.values():
        for name, d in e.comparator_details.items():
            names = periods.setdefault(d["period"], [])
            if name not in names:
                names.append(name)
            if d.get("source") and d["source"] not in sources:
                sources.append(d["source"])
    if not periods:
        return None
    parts = [f"{listing(names)} as at {month_label(period)}" for period, names in sorted(periods.items())]
    text = "The comparator figures are the latest published: " + "; ".join(parts) + "."
    return text + (f" Sources: {'; '.join(sources)}." if sources else "")


def comparator_with_date(e: ExceptionPage, name: str) -> str:
    r = e.rating
    d = e.explanation.comparator_details.get(name)
    value = value_text(r.comparators.get(name), r.decimals, r.unit)
    if d is None:
        return f"{name} {value}"
    return f"{name} {value} (as at {month_label(d['period'])}" + (f", {d['source']})" if d.get("source") else ")")
