"""A small county of our own for the explanations of issue 16, every figure worked by hand.

February 2016 (a leap year), `cases` (one row per case, dated when decided; `weeks` taken, empty
while still open):

| weeks | 2 | 3 | 4 | 4.5 | 5 | 6 | 7 | - | - | 3 |
| reason | - | - | - | late | late | late | refused | refused | - | - |
| district | N | N | N | N | N | S | S | S | E | E |
| sex | 1 | 1 | 1 | 1 | 1 | 1 | 2 | 2 | 2 | 2 |

* CASE-4 (% within 4 weeks): 4 of 10 = 40.0%. Within 4: 4 (40.0%), within 6: 7 (70.0%), beyond 6: 1,
  open: 2. Outside: 6 = late 3 (50.0%), refused 2 (33.3%), empty 1 (16.7%).
* By district (low_base 3): North 5 rows, South 3, East 2: East is under 3 (primary); it is the only
  one, so South, the smallest left, is suppressed too (secondary).
* By sex, labelled 1 Male and 2 Female, Female first: Female 4 rows, Male 6.
* CASE-COUNT (rows), parts CASE-MALE and CASE-FEMALE: January 2016 has 3 + 1 = 4, February 6 + 4 = 10.
* March 2015 (the last financial year's end): 2 cases, weeks 1 and 5: CASE-4 50.0%.

`waits` (rolling 12 months, mean days; period February 2016, the last report December 2015):
entered January-February 2016: 80 and 160 (29 February) = 120; left January-February 2015: 100 and
120 (28 February) = 110. The window at February 2016 (March 2015-February 2016) holds 999, 50, 80,
160 = 322.25 -> 322; at December 2015 (January-December 2015) 100, 120, 999, 50 = 317.25 -> 317.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

CASES = [
    # decided, weeks, reason, district, sex
    ("2015-03-10", "1", "", "North", "1"),
    ("2015-03-20", "5", "late", "North", "2"),
    ("2016-01-05", "1", "", "North", "1"),
    ("2016-01-06", "1", "", "North", "1"),
    ("2016-01-07", "1", "", "South", "1"),
    ("2016-01-08", "1", "", "East", "2"),
    ("2016-02-01", "2", "", "North", "1"),
    ("2016-02-02", "3", "", "North", "1"),
    ("2016-02-03", "4", "", "North", "1"),
    ("2016-02-04", "4.5", "late", "North", "1"),
    ("2016-02-05", "5", "late", "North", "1"),
    ("2016-02-08", "6", "late", "South", "1"),
    ("2016-02-09", "7", "refused", "South", "2"),
    ("2016-02-10", "", "refused", "South", "2"),
    ("2016-02-11", "", "", "East", "2"),
    ("2016-02-29", "3", "", "East", "2"),
]

WAITS = [("2015-01-10", 100), ("2015-02-28", 120), ("2015-03-01", 999), ("2015-12-31", 50),
         ("2016-01-15", 80), ("2016-02-29", 160)]

CONFIG = """
[organisation]
name = "Whyshire"
timezone = "Europe/London"
low_base = 3

[data]
dir = "data"

[datasets.cases]
file = "cases.csv"
date = "decided"
[datasets.cases.columns]
decided = "date"
weeks = "float?"
reason = "str?"
district = "str"
sex = "str"

[datasets.waits]
file = "waits.csv"
date = "matched"
[datasets.waits.columns]
matched = "date"
days = "int"

[comparators]
file = "comparators.csv"

[[scorecards]]
id = "why"
title = "Why"

[[measures]]
id = "CASE-COUNT"
title = "Number of cases"
section = "Cases"
scorecards = ["why"]
dataset = "cases"
window = "month"
calc = "count"
parts = ["CASE-MALE", "CASE-FEMALE"]

[[measures]]
id = "CASE-MALE"
title = "Number of cases of boys"
section = "Cases"
scorecards = ["why"]
dataset = "cases"
window = "month"
calc = "count"
where = "sex = '1'"

[[measures]]
id = "CASE-FEMALE"
title = "Number of cases of girls"
section = "Cases"
scorecards = ["why"]
dataset = "cases"
window = "month"
calc = "count"
where = "sex = '2'"

[[measures]]
id = "CASE-4"
title = "% of cases decided within 4 weeks"
section = "Timeliness"
scorecards = ["why"]
dataset = "cases"
window = "month"
calc = "percent"
numerator = "weeks <= 4"
polarity = "higher"
target = 80.0
floor = 60.0
breakdowns = ["district", "sex"]
thresholds = [4, 6]
duration = "weeks"
duration_unit = "weeks"
outside_by = ["reason"]

[[measures]]
id = "CASE-6"
title = "% of cases decided within 6 weeks"
section = "Timeliness"
scorecards = ["why"]
dataset = "cases"
window = "month"
calc = "percent"
numerator = "weeks <= 6"
polarity = "higher"
target = 80.0
floor = 60.0

[[measures]]
id = "WAIT"
title = "Average days waited"
section = "Timeliness"
scorecards = ["why"]
dataset = "waits"
window = "rolling12"
calc = "mean"
value = "days"
polarity = "lower"
target = 300.0
floor = 400.0
decimals = 0
unit = "days"

[breakdowns.sex]
heading = "gender"
labels = { "1" = "Male", "2" = "Female" }
order = ["2", "1"]

[breakdowns.reason]
heading = "reason outside timescale"
labels = { late = "Held late", refused = "Refused" }
order = ["refused", "late"]

[report]
classification = "Unrestricted"
"""


def write_fixture(root: Path, extra: str = "") -> Path:
    data = root / "data"
    data.mkdir(parents=True, exist_ok=True)
    rows = ["decided,weeks,reason,district,sex"] + [",".join(r) for r in CASES]
    (data / "cases.csv").write_text("\n".join(rows) + "\n")
    (data / "waits.csv").write_text("matched,days\n" + "".join(f"{d},{n}\n" for d, n in WAITS))
    (data / "comparators.csv").write_text("measure,comparator,period,value,source\n"
                                          "CASE-4,England,2015-03,75.0,DfE\nCASE-4,Neighbours,2015-09,70.0,\n")
    config = root / "config.toml"
    config.write_text(textwrap.dedent(CONFIG) + extra)
    return config
