"""The committee paper (`scorecard report`), on a private copy of the basic fixture.

Figures are the fixture's real ones (the same as `scorecard rate` and the expected JSON), in
both formats; the HTML must reference nothing outside itself and escape every user text.
"""

from __future__ import annotations

import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from scorecard.commentary import CommentaryStore
from scorecard.engine.engine import Engine, UsageError
from scorecard.report import write_report
from scorecard.report.content import build_paper
from scorecard.report.markdown import md

from .conftest import BASIC


def report(config: Path, fmt: str, period: str | None = "2017-04", since: str | None = None,
           scorecard: str | None = None) -> tuple[str, int]:
    engine = Engine.load(config)
    out = io.StringIO()
    code = write_report(engine, period, scorecard, since, fmt, None, out)
    return out.getvalue(), code


def edit_config(config_dir: Path, old: str, new: str) -> Path:
    path = config_dir / "config.toml"
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))
    return path


def measure_block(measure_id: str) -> str:
    return f'id = "{measure_id}"\n'


# -- the figures -------------------------------------------------------------------------------

SUMMARY_2017_04 = "For April 2017 there are 7 measures with a RAG rating: 2 Green, 4 Amber and 1 Red."


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_summary_counts_and_key(basic_copy: Path, fmt: str) -> None:
    text, code = report(basic_copy / "config.toml", fmt)
    assert code == 0
    assert SUMMARY_2017_04 in text
    assert "1 activity measure, which has no target" in text
    assert "Current target achieved or exceeded" in text
    assert "Performance is below current target but above minimum standard" in text
    assert "Performance is below a pre-defined minimum standard" in text
    assert "Testshire County Council" in text
    assert "Children in Care performance scorecard" in text


@pytest.mark.parametrize("fmt", ["md", "html"])
@pytest.mark.parametrize("expected", sorted((BASIC / "expected").glob("rate-*.json")), ids=lambda p: p.stem)
def test_counts_equal_rate_for_every_period(basic_copy: Path, fmt: str, expected: Path) -> None:
    """The summary sentence carries exactly the counts `scorecard rate` gives (the fixture's expected JSON)."""
    rate = json.loads(expected.read_text())
    s = rate["summary"]
    text, _ = report(basic_copy / "config.toml", fmt, period=rate["period"])
    found = re.search(r"there (?:is|are) (\d+) measures? with a RAG rating: (\d+) Green, (\d+) Amber(?:,| and) (\d+) Red"
                      r"(?: and (\d+) with no data)?", text)
    assert found, text[:2000]
    rated, green, amber, red, no_data = (int(g) if g else 0 for g in found.groups())
    assert (rated, green, amber, red, no_data) == (s["rated"], s["green"], s["amber"], s["red"], s["no_data"])
    reds = [m["id"] for m in rate["measures"] if m["rag"] == "red"]
    for mid in reds:
        assert re.search(rf"Exception report: [^\n]*\({re.escape(mid)}\)", text), mid
    assert text.count("Exception report: ") == len(reds)


def test_band_changes_improved_then_declined(basic_copy: Path) -> None:
    text, _ = report(basic_copy / "config.toml", "md")
    changes = text.split("## Changes in RAG rating since March 2017")[1].split("## Exception report")[0]
    improved, declined = changes.split("Those measures where performance declined are:")
    assert "3 performance measures have changed RAG banding between the March 2017 and April 2017 scorecards." in changes
    assert "(IHA-20WD). Performance improved from 75.0% to 100.0% and moved from Amber to Green; " \
           "100.0% against a 90.0% target." in improved
    assert "(RI-3WD). Performance improved from 63% to 100% and moved from Amber to Green; " \
           "100% against an 85% target." in improved
    assert improved.index("IHA-20WD") < improved.index("RI-3WD")  # config order
    assert "CIC-RATE" not in improved
    assert "(CIC-RATE). Performance declined from 10.0 per 10,000 to 12.5 per 10,000 and moved from Amber to Red; " \
           "12.5 per 10,000 against a target of 9.0 per 10,000." in declined


def test_since_compares_with_an_earlier_report(basic_copy: Path) -> None:
    text, _ = report(basic_copy / "config.toml", "md", period="2017-05", since="2017-02")
    assert "between the February 2017 and May 2017 scorecards" in text
    changes = text.split("## Changes in RAG rating since February 2017")[1].split("## Exception report")[0]
    for mid in ("CIC-FOSTER", "CIC-FOSTER-U16", "IHA-20WD", "RI-3WD"):
        assert f"({mid}). Performance improved" in changes
    assert "declined" not in changes
    assert "(CIC-FOSTER-U16). Performance improved from 40% to 67% and moved from Red to Green" in changes
    assert "| Previous (April 2017) |" in text  # the table's previous column is still the month before, as in `rate`


def test_exception_page_html(basic_copy: Path) -> None:
    html, _ = report(basic_copy / "config.toml", "html")
    assert html.count('class="page exception"') == 1
    page = html.split('class="page exception"')[1].split("</section>")[0]
    assert "Exception report: Children in care per 10,000 child population (CIC-RATE)" in page
    assert ("12.5 per 10,000 in April 2017, rated Red: the target is 9.0 per 10,000 and the minimum standard "
            "11.0 per 10,000 (lower is better).") in page
    assert "In March 2017 it was 10.0 per 10,000, Amber." in page
    assert "<svg" in page and "<title" in page and "Trend of Children in care per 10,000 child population" in page
    assert "Apr 2017: 12.5 per 10,000 (Red)" in page  # the chart's description, point by point
    assert "England" in page and "62.0 per 10,000" in page and "56.1 per 10,000" in page
    assert "needs 12 monthly points; this measure has 11" in page
    assert "No commentary has been recorded for April 2017." in page
    # cohort impact for the Red measure: 10.0 without UASC, 2.5 with UASC only
    cohort = html.split('class="page cohort"')[1].split("</section>")[0]
    assert "Unaccompanied asylum-seeking children" in cohort
    row = cohort.split("(CIC-RATE)</th>")[1].split("</tr>")[0]
    assert re.findall(r">([0-9.,]+ per 10,000)<", row) == ["12.5 per 10,000", "10.0 per 10,000", "2.5 per 10,000"]


def test_exception_page_markdown_breakdowns(basic_copy: Path) -> None:
    text, _ = report(basic_copy / "config.toml", "md", period="2017-02")
    page = text.split("## Exception report: % of children in care in foster care (CIC-FOSTER)")[1].split("\n## ")[0]
    assert "### By district" in page
    assert re.search(r"\| North \| [0-9.]+% \|", page)
    assert "| Feb 2017 | 50.0% | Red | 80.0% | 60.0% |" in page


def test_commentary_appears_on_the_exception_page(basic_copy: Path) -> None:
    engine = Engine.load(basic_copy / "config.toml")
    store = CommentaryStore(engine.config.state_path)
    store.save("CIC-RATE", "2017-04", "First draft", author="ana")
    store.save("CIC-RATE", "2017-04", "Rise due to three UASC arrivals in April.\nExpected to fall in May.", author="ben")
    store.save("CIC-RATE", "2017-03", "March note", author="ana")
    for fmt in ("md", "html"):
        text, _ = report(basic_copy / "config.toml", fmt)
        page = text.split("Exception report: ")[1]
        assert "Rise due to three UASC arrivals in April." in page
        assert "Expected to fall in May." in page
        assert "ben" in page
        assert "First draft" not in text and "March note" not in text
        assert "No commentary has been recorded" not in page


def test_full_table_by_section_markdown(basic_copy: Path) -> None:
    text, _ = report(basic_copy / "config.toml", "md")
    table = text.split("## Children in Care scorecard: April 2017")[1]
    sections = re.findall(r"^### (.+)$", table, flags=re.M)
    assert sections == ["Children in Care", "Placements", "Health", "Missing", "Adoption", "Workforce"]
    assert ("| Children in care per 10,000 child population (CIC-RATE) | 12.5 per 10,000 | **Red** | 9.0 per 10,000 | "
            "11.0 per 10,000 | 10.0 per 10,000 (Amber) | ▼ declined |") in table
    assert "| Number of children in care (CIC-COUNT) | 5 children | Activity | - | - | 5 children | - |" in table
    assert "| % of posts filled by permanent qualified social workers (WF-PERM) | 85.0 | **Amber** | 90.0 | 80.0 |" in table
    _check_markdown_tables(text)


def test_full_table_html_has_every_measure_with_its_band_in_words(basic_copy: Path) -> None:
    html, _ = report(basic_copy / "config.toml", "html")
    table = html.split('id="scorecard"')[1]
    for mid, band in [("CIC-RATE", "Red"), ("CIC-FOSTER", "Amber"), ("IHA-20WD", "Green"), ("RI-3WD", "Green"),
                      ("ADOPT-A2", "Amber"), ("WF-PERM", "Amber"), ("CIC-COUNT", "Activity")]:
        row = table.split(f"({mid})</th>")[1].split("</tr>")[0]
        cells = re.findall(r"<td[^>]*>([^<]*)", row)
        assert band in cells, (mid, cells)
    assert table.count("<svg") == 8  # a sparkline per measure
    assert "Trend Jun 2016 to Apr 2017: from 4.0 per 10,000 to 12.5 per 10,000" in table  # its alternative text


# -- form: self-contained, accessible, escaped -------------------------------------------------

class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.stack: list[str] = []
        self.svg_titles: int = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "title" and "svg" in self.stack:
            self.svg_titles += 1
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop() == tag:
                break


def test_html_is_self_contained(basic_copy: Path) -> None:
    html, _ = report(basic_copy / "config.toml", "html")
    assert not re.search(r"""(?:src|href|xlink:href|action)\s*=\s*["']?\s*(?:https?:)?//""", html, flags=re.I)
    assert not re.search(r"@import", html, flags=re.I)
    assert not re.search(r"url\(\s*['\"]?(?!#|data:)", html, flags=re.I)
    assert "@font-face" not in html
    tags = Tags()
    tags.feed(html)
    names = {t for t, _ in tags.tags}
    assert not names & {"script", "link", "img", "iframe", "object", "embed"}
    assert "http" not in html  # no URL of any kind, not even an SVG namespace


def test_html_is_accessible_and_printable(basic_copy: Path) -> None:
    html, _ = report(basic_copy / "config.toml", "html")
    tags = Tags()
    tags.feed(html)
    assert ("html", {"lang": "en-GB"}) in tags.tags
    ths = [a for t, a in tags.tags if t == "th"]
    assert ths and all(a.get("scope") in ("col", "row", "colgroup", "rowgroup") for a in ths)
    svgs = [a for t, a in tags.tags if t == "svg"]
    assert all(a.get("role") == "img" and (a.get("aria-label") or a.get("aria-labelledby")) for a in svgs)
    assert tags.svg_titles >= 1  # the exception chart has a <title>
    assert "@page" in html and "size: A4" in html
    assert "break-before: page" in html
    # bands in words as well as colour
    assert re.search(r'<span class="band band-red">Red</span>', html)


def test_user_text_is_escaped(basic_copy: Path) -> None:
    config = edit_config(basic_copy, 'title = "Children in care per 10,000 child population"',
                         'title = "Children <script>alert(1)</script> | in care & \\"rate\\""')
    edit_config(basic_copy, 'name = "Testshire County Council"', 'name = "Test <b>shire</b> & Co"')
    engine = Engine.load(config)
    CommentaryStore(engine.config.state_path).save("CIC-RATE", "2017-04", '<img src=x onerror="alert(2)"> | *bold*',
                                                   author="<i>eve</i>")
    html, _ = report(config, "html")
    assert "<script>" not in html and "<img" not in html and "<b>shire" not in html and "<i>eve" not in html
    assert "Children &lt;script&gt;alert(1)&lt;/script&gt; | in care &amp; &quot;rate&quot;" in html
    assert "Test &lt;b&gt;shire&lt;/b&gt; &amp; Co" in html
    assert "&lt;img src=x onerror=&quot;alert(2)&quot;&gt;" in html
    text, _ = report(config, "md")
    assert not [line for line in text.splitlines() if re.search(r"(?<!\\)<[a-zA-Z/]", line)]  # every < escaped
    assert r"Children \<script\>alert(1)\</script\> \| in care & " in text
    assert r"\<img src=x onerror=" in text
    _check_markdown_tables(text)


def test_md_escape() -> None:
    assert md("a|b <c> *d* _e_ [f](g) `h` #i\nj") == r"a\|b \<c\> \*d\* \_e\_ \[f\](g) \`h\` \#i j"


# -- added and removed measures, usage errors, data problems -----------------------------------

def test_added_and_removed_measures_since_the_previous_report(basic_copy: Path) -> None:
    config = edit_config(basic_copy, measure_block("RI-3WD"), measure_block("RI-3WD") + 'introduced = "2017-04"\n')
    edit_config(basic_copy, measure_block("WF-PERM"), measure_block("WF-PERM") + 'retired = "2017-03"\n')
    engine = Engine.load(config)
    s = engine.rate(None, "2017-04").summary
    assert (s.measures, s.rated) == (7, 6)
    for fmt in ("md", "html"):
        text, _ = report(config, fmt)
        assert ("One performance measure has been added to the scorecard since March 2017: “% of returner interviews "
                "within 3 working days” (Missing). This takes the number of measures on the scorecard to 7, 6 of them with a RAG "
                "rating.") in text
        assert ("One performance measure, “% of posts filled by permanent qualified social workers” (Workforce), "
                "has been removed from the scorecard since March 2017.") in text
        assert f"there are 6 measures with a RAG rating: {s.green} Green, {s.amber} Amber and {s.red} Red" in text
        assert "(RI-3WD). Performance improved" not in text  # not on the March scorecard, so no band change
    paper = build_paper(engine, "2017-04", None, None)
    assert [m.id for m in paper.added] == ["RI-3WD"] and [m.id for m in paper.removed] == ["WF-PERM"]
    assert "WF-PERM" not in {r.id for r in paper.ratings}


@pytest.mark.parametrize(("period", "since", "scorecard", "fmt", "message"), [
    ("2017-04", "2017-04", None, "md", "must be before"),
    ("2017-04", "2017-05", None, "md", "must be before"),
    ("2017-04", "2017-06", None, "md", "the latest period with data"),
    ("2017-4", None, None, "md", "is not a period"),
    ("2017-04", None, "nope", "md", "unknown scorecard"),
    ("2017-04", None, None, "pdf", "unknown report format"),
])
def test_usage_errors_write_nothing(basic_copy: Path, period: str, since: str | None, scorecard: str | None,
                                    fmt: str, message: str) -> None:
    engine = Engine.load(basic_copy / "config.toml")
    out = io.StringIO()
    target = basic_copy / "out" / "paper.txt"
    with pytest.raises(UsageError, match=message):
        write_report(engine, period, scorecard, since, fmt, target, out)
    assert out.getvalue() == "" and not target.exists()


def test_output_file_and_default_period(basic_copy: Path) -> None:
    engine = Engine.load(basic_copy / "config.toml", today=__import__("datetime").date(2017, 6, 15))
    latest = engine.latest_period()
    out = io.StringIO()
    target = basic_copy / "papers" / "paper.html"
    assert write_report(engine, None, "cic", None, "html", target, out) == 0
    assert target.exists() and str(target) in out.getvalue()
    html = target.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    from scorecard.present import month_label
    assert latest is not None and f"For {month_label(latest)} there are" in html


def test_data_problems_exit_1_and_are_listed(basic_copy: Path) -> None:
    health = basic_copy / "data" / "health.csv"
    health.write_text(health.read_text() + "H99,not-a-date,,false\n")
    for fmt in ("md", "html"):
        text, code = report(basic_copy / "config.toml", fmt)
        assert code == 1
        assert "Data notes" in text and "not-a-date" in text
        assert "there are 7 measures with a RAG rating" in text  # the paper is still written


# -- helpers -----------------------------------------------------------------------------------

def _check_markdown_tables(text: str) -> None:
    """Every GitHub table row has as many cells as its header: user text cannot break a table."""
    header_cells = None
    for line in text.splitlines():
        if not line.startswith("|"):
            header_cells = None
            continue
        cells = len(re.findall(r"(?<!\\)\|", line)) - 1
        if header_cells is None:
            header_cells = cells
        assert cells == header_cells, line


def test_exception_page_shows_definition_owner_and_notes(basic_copy: Path) -> None:
    config = edit_config(basic_copy, measure_block("CIC-RATE"), measure_block("CIC-RATE")
                         + 'definition = "Children in care on the snapshot date per 10,000 residents aged 0-17."\n'
                         + 'owner = "Maureen Robinson"\nnotes = "Includes UASC."\n')
    for fmt in ("md", "html"):
        text, _ = report(config, fmt)
        page = text.split("Exception report: ")[1]
        assert "Children in care on the snapshot date per 10,000 residents aged 0-17." in page
        assert "Maureen Robinson" in page and "Includes UASC." in page
