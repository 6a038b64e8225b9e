"""Issue 13 item 4: the Markdown paper escapes every string from the config and the data (units,
titles, sections, cohort labels, comparator names, breakdown groups), so no raw HTML tag reaches
the paper and no `|` breaks a table. Checked on the text and through a Markdown renderer."""

from __future__ import annotations

import io
import re
from pathlib import Path

from markdown_it import MarkdownIt

from scorecard.engine.engine import Engine
from scorecard.report import write_report
from tests.test_report import _check_markdown_tables

HOSTILE = "<img src=x onerror=alert(1)>|x"


def _edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, count))


def _paper(config: Path, fmt: str) -> str:
    out = io.StringIO()
    write_report(Engine.load(config), "2017-04", None, None, fmt, None, out)
    return out.getvalue()


def test_markdown_paper_escapes_every_config_and_data_string(basic_copy: Path) -> None:
    config = basic_copy / "config.toml"
    _edit(config, 'unit = "children"', f'unit = "{HOSTILE}"')
    _edit(config, 'unit = "per 10,000"', 'unit = "<b>per</b> | 10,000"')
    _edit(config, 'section = "Placements"', 'section = "<script>s</script> | Placements"', 2)
    _edit(config, 'label = "Unaccompanied asylum-seeking children"', 'label = "<u>UASC</u> | kids"')
    comparators = basic_copy / "data" / "comparators.csv"
    comparators.write_text(comparators.read_text().replace("England", "<i>England</i>|x"))
    episodes = basic_copy / "data" / "episodes.csv"
    episodes.write_text(episodes.read_text().replace(",North,", ",<em>North</em>|n,"))

    text = _paper(config, "md")
    assert "img src=x onerror=alert(1)" in text  # the unit is there, as text
    raw = [line for line in text.splitlines() if re.search(r"(?<!\\)<[a-zA-Z/!]", line)]
    assert raw == []
    _check_markdown_tables(text)
    rendered = MarkdownIt("commonmark", {"html": True}).enable("table").render(text)
    for tag in ("<img", "<b>", "<script", "<u>", "<i>", "<em>"):
        assert tag not in rendered, tag
    assert "&lt;img src=x onerror=alert(1)&gt;|x" in rendered
    # every rendered table row has as many cells as its header
    for table in re.findall(r"<table>.*?</table>", rendered, flags=re.S):
        head = len(re.findall(r"<th[ >]", table.split("</thead>")[0]))
        for row in re.findall(r"<tr>(.*?)</tr>", table.split("</thead>")[1], flags=re.S):
            assert len(re.findall(r"<td", row)) == head

    html = _paper(config, "html")
    for tag in ("<img", "<b>", "<script>s", "<u>", "<i>England", "<em>"):
        assert tag not in html, tag
