"""The committee paper (`scorecard report`): the seeds' monthly scorecard report, as Markdown or HTML.

content.py gathers the paper from the engine; words.py holds its sentences; markdown.py and
html.py lay it out; charts.py draws the trend charts; table.py the full table (great-tables).
"""

from .writer import FORMATS, render, write_report

__all__ = ["FORMATS", "render", "write_report"]
