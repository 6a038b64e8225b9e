"""Property: whatever a CSV file holds (quotes, commas, stray carriage returns, latin-1 and UTF-8
bytes, ragged rows, blank lines), loading it raises nothing, and every line after the header is
exactly one of: a row used, a data problem naming that line, or a blank line skipped. Each
problem is one line of text with the offending value cut short."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from scorecard.engine.calendar import Calendar, month_of_date
from scorecard.engine.config import load_config
from scorecard.engine.datasets import PROBLEM_DETAIL_LIMIT, ROW, VALUE_SHOWN, load_datasets

CONFIG = """
[organisation]
name = "Fuzz"

[data]
dir = "."

[datasets.things]
file = "things.csv"
[datasets.things.columns]
name = "str?"
n = "float?"
when = "date?"

[[scorecards]]
id = "s"
title = "S"
"""

PIECES = ["a", "Zoë", "1", "2.5", "-3", "inf", "NaN", "2017-03-01", "0001-01-01", " ", '"', '""', ",", "x\"y",
          '"q, r"', '"open', "\r", "\t", "é"]
field_text = st.lists(st.sampled_from(PIECES), max_size=4).map("".join)
good_line = st.tuples(st.sampled_from(["", "a", "Zoë", '"q, r"', '"say ""hi"""']), st.sampled_from(["", "1", "2.5", "-3"]),
                      st.sampled_from(["", "2017-03-01"]), st.sampled_from([[], [""], ["x"]]))
line = st.tuples(
    st.one_of(good_line.map(lambda t: ",".join([*t[:3], *t[3]])), st.lists(field_text, max_size=6).map(",".join)),
    st.sampled_from(["utf-8", "utf-8", "latin-1"]),
    st.sampled_from([b"\n", b"\r\n"]),
)


def encode(text: str, encoding: str) -> bytes:
    return text.encode(encoding, errors="replace")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(header=st.sampled_from(["name,n,when", "name,n,when,extra", '"name",n,"when"']),
       lines=st.lists(line, max_size=12), final_newline=st.booleans())
@example(header="name,n,when", lines=[("", "utf-8", b"\n"), ("\r", "utf-8", b"\r\n")], final_newline=True)
@example(header="name,n,when", lines=[('"open,1,2017-03-01', "utf-8", b"\n"), ("Zoë,1,", "latin-1", b"\n")],
         final_newline=False)
def test_every_line_is_used_named_or_blank(header: str, lines: list[tuple[str, str, bytes]], final_newline: bool) -> None:
    body = [encode(text, enc) + end for text, enc, end in lines]
    data = header.encode() + b"\n" + b"".join(body)
    if not final_newline and data.endswith(b"\n"):
        data = data.removesuffix(b"\n").removesuffix(b"\r")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "config.toml").write_text(CONFIG, encoding="utf-8")
        (root / "things.csv").write_bytes(data)
        config = load_config(root / "config.toml")
        loaded = load_datasets(config, Calendar(), month_of_date(dt.date(2026, 1, 1)))["things"]

    physical = data[data.index(b"\n") + 1:].split(b"\n") if b"\n" in data else []
    if physical and physical[-1] == b"":
        physical.pop()
    numbers = set(range(2, 2 + len(physical)))
    blank = {n for n, raw in zip(sorted(numbers), physical, strict=True) if not raw.removesuffix(b"\r").strip()}
    used = loaded.frame[ROW].to_list()
    named = [p.row for p in loaded.problems if p.row is not None]
    event(f"rows used: {bool(used)}, lines left out: {bool(named)}, blank lines: {bool(blank)}")
    # counted: every line once, as a row used, a row left out or a blank line
    assert len(used) + loaded.rows_left_out + loaded.blank_lines == len(physical)
    assert loaded.blank_lines == len(blank)
    # named: the lines left out are exactly the lines the problems name (well under the listing limit here)
    assert len(named) <= PROBLEM_DETAIL_LIMIT
    assert len(set(named)) == loaded.rows_left_out
    assert set(used) | set(named) | blank == numbers
    assert not (set(used) & set(named)) and not (set(used) & blank) and not (set(named) & blank)
    for p in loaded.problems:
        text = str(p)
        assert "\n" not in text and "\r" not in text
        if p.value is not None:
            assert len(p.value) <= VALUE_SHOWN or "…" in text
