"""The county around the service: its child population and published comparators."""

from __future__ import annotations

import polars as pl

from .timeline import DISTRICTS

# The ONS mid-year estimate each financial year's rates use (mid-2013 for 2014-15, and so on),
# as a growth factor on the mid-2016 district figures in DISTRICTS.
POPULATION_GROWTH = {"2014-04": 0.9745, "2015-04": 0.9832, "2016-04": 0.9918, "2017-04": 1.0}

# Published figures (England: DfE statistical releases SFR 41/2017 Children looked after,
# SFR 50/2017 Characteristics of children in need, SFR 2018 Children's social work workforce,
# the adoption scorecards; statistical neighbours: Kent's CIC scorecard, November 2017).
# measure, comparator, period (the month the figure is "as at"), value, source (the publication)
COMPARATORS: list[tuple[str, str, str, float, str]] = [
    ("CIC-RATE", "England", "2014-03", 60.0, "DfE SFR 41/2017 Children looked after in England"),
    ("CIC-RATE", "England", "2015-03", 60.0, "DfE SFR 41/2017 Children looked after in England"),
    ("CIC-RATE", "England", "2016-03", 60.0, "DfE SFR 41/2017 Children looked after in England"),
    ("CIC-RATE", "England", "2017-03", 62.0, "DfE SFR 41/2017 Children looked after in England"),
    ("CIC-RATE", "Statistical neighbours", "2017-03", 56.1, "Kent CIC scorecard, November 2017"),
    ("CP-RATE", "England", "2014-03", 42.1, "DfE SFR 50/2017 Characteristics of children in need"),
    ("CP-RATE", "England", "2015-03", 42.9, "DfE SFR 50/2017 Characteristics of children in need"),
    ("CP-RATE", "England", "2016-03", 43.1, "DfE SFR 50/2017 Characteristics of children in need"),
    ("CP-RATE", "England", "2017-03", 43.3, "DfE SFR 50/2017 Characteristics of children in need"),
    ("REF-RATE", "England", "2015-03", 548.3, "DfE SFR 50/2017 Characteristics of children in need"),
    ("REF-RATE", "England", "2016-03", 532.2, "DfE SFR 50/2017 Characteristics of children in need"),
    ("REF-RATE", "England", "2017-03", 548.2, "DfE SFR 50/2017 Characteristics of children in need"),
    ("REF-REPEAT", "England", "2015-03", 24.0, "DfE SFR 50/2017 Characteristics of children in need"),
    ("REF-REPEAT", "England", "2016-03", 22.3, "DfE SFR 50/2017 Characteristics of children in need"),
    ("REF-REPEAT", "England", "2017-03", 21.9, "DfE SFR 50/2017 Characteristics of children in need"),
    ("ASS-45WD", "England", "2015-03", 81.5, "DfE SFR 50/2017 Characteristics of children in need"),
    ("ASS-45WD", "England", "2016-03", 83.4, "DfE SFR 50/2017 Characteristics of children in need"),
    ("ASS-45WD", "England", "2017-03", 82.9, "DfE SFR 50/2017 Characteristics of children in need"),
    ("CP-SECOND", "England", "2015-03", 16.6, "DfE SFR 50/2017 Characteristics of children in need"),
    ("CP-SECOND", "England", "2016-03", 17.9, "DfE SFR 50/2017 Characteristics of children in need"),
    ("CP-SECOND", "England", "2017-03", 18.7, "DfE SFR 50/2017 Characteristics of children in need"),
    ("CIC-FOSTER", "England", "2015-03", 75.0, "DfE SFR 41/2017 Children looked after in England"),
    ("CIC-FOSTER", "England", "2016-03", 74.0, "DfE SFR 41/2017 Children looked after in England"),
    ("CIC-FOSTER", "England", "2017-03", 74.0, "DfE SFR 41/2017 Children looked after in England"),
    ("CIC-3PLUS", "England", "2015-03", 10.0, "DfE SFR 41/2017 Children looked after in England"),
    ("CIC-3PLUS", "England", "2016-03", 10.0, "DfE SFR 41/2017 Children looked after in England"),
    ("CIC-3PLUS", "England", "2017-03", 10.0, "DfE SFR 41/2017 Children looked after in England"),
    ("CIC-LTSTAB", "England", "2015-03", 67.0, "DfE SFR 41/2017 Children looked after in England"),
    ("CIC-LTSTAB", "England", "2016-03", 68.0, "DfE SFR 41/2017 Children looked after in England"),
    ("CIC-LTSTAB", "England", "2017-03", 70.0, "DfE SFR 41/2017 Children looked after in England"),
    ("HEALTH-DENTAL", "England", "2015-03", 86.0, "DfE SFR 41/2017 Children looked after in England (outcomes)"),
    ("HEALTH-DENTAL", "England", "2016-03", 84.0, "DfE SFR 41/2017 Children looked after in England (outcomes)"),
    ("HEALTH-DENTAL", "England", "2017-03", 83.0, "DfE SFR 41/2017 Children looked after in England (outcomes)"),
    ("HEALTH-RHA", "England", "2017-03", 89.0, "DfE SFR 41/2017 Children looked after in England (outcomes)"),
    ("CL-ACCOM", "England", "2016-03", 83.0, "DfE SFR 41/2017 Children looked after in England (care leavers)"),
    ("CL-ACCOM", "England", "2017-03", 84.0, "DfE SFR 41/2017 Children looked after in England (care leavers)"),
    ("CL-EET", "England", "2016-03", 49.0, "DfE SFR 41/2017 Children looked after in England (care leavers)"),
    ("CL-EET", "England", "2017-03", 50.0, "DfE SFR 41/2017 Children looked after in England (care leavers)"),
    ("ADO-A1", "England", "2016-03", 558.0, "DfE adoption scorecards"),
    ("ADO-A1", "England", "2017-03", 520.0, "DfE adoption scorecards"),
    ("ADO-A2", "England", "2016-03", 226.0, "DfE adoption scorecards"),
    ("ADO-A2", "England", "2017-03", 220.0, "DfE adoption scorecards"),
    ("WF-AGENCY", "England", "2015-09", 16.0, "DfE Children's social work workforce"),
    ("WF-AGENCY", "England", "2016-09", 16.1, "DfE Children's social work workforce"),
    ("WF-AGENCY", "England", "2017-09", 15.8, "DfE Children's social work workforce"),
    ("WF-CASELOAD", "England", "2017-09", 17.8, "DfE Children's social work workforce"),
]


AREAS: dict[str, str] = {  # the service's three areas
    "Dartford": "North Kent",
    "Gravesham": "North Kent",
    "Swale": "North Kent",
    "Ashford": "East Kent",
    "Canterbury": "East Kent",
    "Dover": "East Kent",
    "Folkestone and Hythe": "East Kent",
    "Thanet": "East Kent",
    "Maidstone": "West Kent",
    "Sevenoaks": "West Kent",
    "Tonbridge and Malling": "West Kent",
    "Tunbridge Wells": "West Kent",
}


def districts() -> pl.DataFrame:
    """A lookup table: each district and the area it belongs to."""
    return pl.DataFrame({"district_name": list(AREAS), "area": list(AREAS.values())})


def population(scale: float) -> pl.DataFrame:
    """Resident children aged 0 to 17 by district, one row per district per estimate in force."""
    rows = [
        (period, district, round(count * growth * scale))
        for period, growth in POPULATION_GROWTH.items()
        for district, count in DISTRICTS.items()
    ]
    return pl.DataFrame(rows, schema={"period": pl.String, "district": pl.String, "value": pl.Int64}, orient="row")


def comparators() -> pl.DataFrame:
    return pl.DataFrame(
        COMPARATORS,
        schema={"measure": pl.String, "comparator": pl.String, "period": pl.String, "value": pl.Float64, "source": pl.String},
        orient="row",
    )
