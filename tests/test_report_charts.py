"""The report's trend chart and its wording helpers, on hand-made points."""

from __future__ import annotations

import re

from scorecard.engine.results import PeriodResult
from scorecard.present import short_month
from scorecard.report.charts import ChartMeasure, _zones, nice_step, trend_chart
from scorecard.report.words import article, value_text


def point(period: str, value: float | None, rag: str | None, target: float | None = 90.0,
          floor: float | None = 80.0) -> PeriodResult:
    return PeriodResult(period, value, None, None, target, floor, rag)  # type: ignore[arg-type]


def test_nice_steps() -> None:
    assert nice_step(100) == 20
    assert nice_step(12) == 2.5
    assert nice_step(0.9) == 0.2
    assert nice_step(0) == 1.0


def test_zones_follow_polarity_and_clip() -> None:
    assert _zones("higher", 90, 80, 70, 100) == [("red", 70, 80), ("amber", 80, 90), ("green", 90, 100)]
    assert _zones("lower", 9, 11, 4, 10) == [("green", 4, 9), ("amber", 9, 10)]


def test_chart_draws_steps_when_the_target_changes_and_says_every_point() -> None:
    points = [point("2017-02", 85.0, "amber", 85.0, 75.0), point("2017-03", None, "no_data", 85.0, 75.0),
              point("2017-04", 85.0, "amber", 90.0, 80.0), point("2017-05", 91.2, "green", 90.0, 80.0)]
    svg = trend_chart(points, ChartMeasure("Posts <filled>", "%", 1, "higher"), None, "c1", short_month)
    assert '<title id="c1-title">Trend of Posts &lt;filled&gt;, Feb 2017 to May 2017</title>' in svg
    assert "Feb 2017: 85.0% (Amber). Mar 2017: no data (No data). Apr 2017: 85.0% (Amber). May 2017: 91.2% (Green)" in svg
    assert "Target 90.0%, minimum standard 80.0%; higher is better" in svg
    assert 'role="img"' in svg and 'aria-labelledby="c1-title c1-desc"' in svg
    target_path = re.search(r'<path d="([^"]+)"[^>]*stroke-dasharray="7 4"', svg)
    assert target_path is not None
    ys = {float(y) for y in re.findall(r"[ML][0-9.]+,([0-9.]+)", target_path.group(1))}
    assert len(ys) == 2  # 85 then 90: a step, not a straight line
    # the missing month breaks the line: February stands alone (a dot only), April to May is one line
    assert svg.count("<polyline") == 1
    assert svg.count("<circle") == 3
    assert "http" not in svg


def test_articles_and_units() -> None:
    assert article("85.0%") == "an" and article("90.0%") == "a" and article("11") == "an" and article("110") == "a"
    assert article("18,000") == "an" and article("8") == "an" and article("1.5") == "a"
    assert value_text(12.5, 1, "per 10,000") == "12.5 per 10,000"
    assert value_text(88.8, 1, "%") == "88.8%"
    assert value_text(None, 1, "%") == "no data"
    assert value_text(1759, 0, None) == "1,759"
