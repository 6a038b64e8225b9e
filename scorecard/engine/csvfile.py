"""Reading a CSV data file one line per record, so that a malformed line costs that line only.

A record is one line: a quoted field may hold commas and doubled quotes (`"a, ""b"" c"`), but
not a line break. A line that is not valid UTF-8, has a quote that does not open or close a quoted
field, or has more or fewer fields than the header is a malformed line: it is named (line number,
the column where it goes wrong, the offending value cut short) and counted, and every other line
is used. Blank lines are skipped and counted.

Most files are well formed, and checking every line in Python would cost more than reading them.
So polars reads the file first, strictly (UTF-8, no ragged lines); the result is kept when it has
exactly one row per line and the file's commas are exactly the separators of that many full rows
plus the commas inside quoted values (a short row has fewer: polars fills it with nulls without a
word). Only a file that fails this is read line by line, and polars then reads its good lines.
"""

from __future__ import annotations

import gzip
import os
import re
import stat
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

# one field, then a comma or the end of the line: quoted ("" is a quote inside), or unquoted without quotes
_FIELD = re.compile(r'"((?:[^"]|"")*)"(?=,|$)|([^",]*)(?=,|$)')

# reasons a line is left out, as counted ("3 malformed (a misplaced quote)")
MALFORMED_ENCODING = "malformed (not UTF-8)"
MALFORMED_QUOTE = "malformed (a misplaced quote)"
MALFORMED_FIELDS = "malformed (wrong number of fields)"


class UnreadableFile(Exception):
    """A data file that cannot be read at all: the message is one sentence without any record text."""


@dataclass
class LineProblem:
    line: int
    column: str | None
    value: str | None
    message: str


@dataclass
class CsvFile:
    frame: pl.DataFrame  # every column of the good lines as text, and `line_column` (UInt32)
    problems: list[LineProblem] = field(default_factory=list)  # the first `limit` malformed lines
    left_out: dict[str, int] = field(default_factory=dict)  # reason -> malformed lines
    blank_lines: int = 0
    duplicated: dict[str, list[int]] = field(default_factory=dict)  # header name -> its columns (from 1)


def check_regular(path: Path) -> None:
    """Refuse what is not a regular file (a folder, a FIFO would block forever, a device)."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise UnreadableFile("file not found") from None
    except PermissionError:
        raise UnreadableFile("cannot be read: permission denied") from None
    except OSError as e:
        raise UnreadableFile(f"cannot be read: {e.strerror or type(e).__name__}") from None
    if stat.S_ISDIR(mode):
        raise UnreadableFile("is a folder, not a data file")
    if not stat.S_ISREG(mode):
        raise UnreadableFile("is not a regular file (a pipe or a device): refused, as reading it could wait forever")


def read_bytes(path: Path) -> bytes:
    check_regular(path)
    try:
        return path.read_bytes()
    except PermissionError:
        raise UnreadableFile("cannot be read: permission denied") from None
    except OSError as e:
        raise UnreadableFile(f"cannot be read: {e.strerror or type(e).__name__}") from None


def split_fields(text: str) -> tuple[list[str], tuple[int, str, str] | None]:
    """A line's fields; on a misplaced quote, the fields before it and (field index, value, why)."""
    fields: list[str] = []
    pos = 0
    while True:
        m = _FIELD.match(text, pos)
        if m is None:
            comma = text.find(",", pos + 1)
            value = text[pos:] if comma < 0 else text[pos:comma]
            if text.startswith('"', pos):
                closing = re.match(r'"(?:[^"]|"")*"', text[pos:])
                why = ("has text after the closing quote of a quoted field" if closing
                       else "opens a quote that is not closed on this line")
            else:
                why = "has a quote inside a field that is not quoted"
            return fields, (len(fields), value, why)
        fields.append(m.group(2) if m.group(1) is None else m.group(1).replace('""', '"'))
        pos = m.end()
        if pos >= len(text):
            return fields, None
        pos += 1  # the comma


def _gunzip(data: bytes) -> bytes:
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error):
        raise UnreadableFile("is gzip-compressed but cannot be decompressed") from None


def _header(data: bytes) -> tuple[list[str], int]:
    """The header's names and where the first data line starts."""
    end = data.find(b"\n")
    raw = data if end < 0 else data[:end]
    raw = raw.removeprefix(b"\xef\xbb\xbf").removesuffix(b"\r")
    if not raw.strip():
        raise UnreadableFile("has no header line (the first line is empty)")
    if b"\r" in raw:
        raise UnreadableFile("ends its lines with a carriage return only: save it with ordinary line ends")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise UnreadableFile("header line is not UTF-8 text: save the file as UTF-8") from None
    names, bad = split_fields(text)
    if bad is not None:
        raise UnreadableFile(f"header line {bad[2]} (column {bad[0] + 1})")
    return names, (len(data) if end < 0 else end + 1)


def _duplicates(names: list[str]) -> dict[str, list[int]]:
    seen: dict[str, list[int]] = {}
    for i, n in enumerate(names, start=1):
        seen.setdefault(n, []).append(i)
    return {n: cols for n, cols in seen.items() if len(cols) > 1}


def _polars(source: bytes | Path, width: int) -> pl.DataFrame:
    return pl.read_csv(source, has_header=True, new_columns=[f"c{i}" for i in range(width)], infer_schema=False,
                       encoding="utf8", truncate_ragged_lines=False, raise_if_empty=False, glob=False)


@dataclass(frozen=True)
class _Counts:
    """What the cheap check needs from the file's bytes, taken before polars reads it."""

    lines: int  # after the header
    commas: int  # after the header
    quoted: bool  # a quote after the header


def _counts(data: bytes, body: int) -> _Counts:
    lines = data.count(b"\n", body) + (1 if len(data) > body and not data.endswith(b"\n") else 0)
    return _Counts(lines, data.count(b",", body), data.find(b'"', body) >= 0)


def _cheap_check(counts: _Counts, width: int, frame: pl.DataFrame) -> bool:
    """One row per line, and every row has all its fields (see the module's docstring)."""
    if frame.width != width or frame.height != counts.lines:
        return False
    inside = 0
    if counts.quoted:
        sums = frame.select(pl.col(c).str.count_matches(",", literal=True).sum() for c in frame.columns).row(0)
        inside = sum(int(s or 0) for s in sums)
    return counts.commas == (width - 1) * frame.height + inside


def read_csv(path: Path, line_column: str, limit: int = 200) -> CsvFile:
    """Every good line of a CSV file as text columns named by its header, with its line number.

    The file's bytes are counted and let go before polars reads it (from the file, not from a copy
    in memory); a file that fails the check is read again, line by line."""
    data = read_bytes(path)
    gzipped = data.startswith(b"\x1f\x8b")  # a gzip-compressed CSV (`.csv.gz`), which polars also reads
    if gzipped:
        data = _gunzip(data)
    names, body = _header(data)
    counts = _counts(data, body)
    source: bytes | Path = data if gzipped else path
    if not gzipped:
        del data
    width = len(names)
    try:
        frame: pl.DataFrame | None = _polars(source, width)
    except (pl.exceptions.PolarsError, OSError):
        frame = None
    if frame is not None and _cheap_check(counts, width, frame):
        out = CsvFile(frame.with_row_index(line_column, offset=2).with_columns(pl.col(line_column).cast(pl.UInt32)))
    else:
        frame = None
        data = source if isinstance(source, bytes) else read_bytes(path)
        names, body = _header(data)  # as read now
        out = _line_by_line(data, body, names, line_column, limit)
    out.duplicated = _duplicates(names)
    unique = {f"c{i}": n for i, n in enumerate(names) if n not in out.duplicated}
    out.frame = out.frame.select(line_column, *[pl.col(c).alias(n) for c, n in unique.items()])
    return out


_QUOTED = r'"(?:[^"]|"")*"'
_WELL_FORMED = rf'^(?:{_QUOTED}|[^",]*)(?:,(?:{_QUOTED}|[^",]*))*$'  # every field quoted properly or quote-free
_BLANK = " \t\n\r\x0b\x0c"  # what makes a line blank (as bytes.strip: ASCII whitespace)


def _line_problem(text: str, width: int) -> tuple[str, int | None, str | None, str]:
    """Why a decoded line (without its line end) cannot be used: (reason, field index, value, message)."""
    if "\r" in text:  # a lone carriage return: some readers end a line there, so where this one ends is unclear
        return (MALFORMED_FIELDS, text[: text.index("\r")].count(","), None,
                "has a carriage return inside it (a line break some programs read as the end of the line)")
    fields, problem = split_fields(text)
    if problem is not None:
        return MALFORMED_QUOTE, problem[0], problem[1], problem[2]
    if len(fields) > width:
        return MALFORMED_FIELDS, width, fields[width], f"has {len(fields)} fields; the header has {width}"
    return MALFORMED_FIELDS, len(fields), None, f"has {len(fields)} fields; the header has {width}"


def _encoding_problem(raw: bytes, e: UnicodeDecodeError) -> tuple[str, int | None, str | None, str]:
    shown = raw.decode("utf-8", errors="replace")
    column = raw[: e.start].count(b",")  # the field holding the first bad byte (a close guess inside quotes)
    start = shown.rfind(",", 0, len(raw[: e.start].decode("utf-8", errors="replace"))) + 1
    end = shown.find(",", start)
    value = shown[start:] if end < 0 else shown[start:end]
    return MALFORMED_ENCODING, column, value, f"is not UTF-8 text (byte 0x{raw[e.start]:02X}): save the file as UTF-8"


def _decoded_lines(data: bytes, body: int) -> tuple[pl.DataFrame, list[tuple[int, tuple[str, int | None, str | None, str]]]]:
    """Every line after the header as text with its number (`l`, `n`), and the lines that are not UTF-8."""
    try:
        text = data[body:].decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        lines = pl.Series("l", [text]).str.split("\n").explode()
        if text == "" or text.endswith("\n"):
            lines = lines.head(lines.len() - 1)
        return pl.DataFrame({"l": lines}).with_row_index("n", offset=2), []
    texts: list[str] = []
    numbers: list[int] = []
    undecodable: list[tuple[int, tuple[str, int | None, str | None, str]]] = []
    raws = data[body:].split(b"\n")
    if raws and raws[-1] == b"":
        raws.pop()
    for number, raw in enumerate(raws, start=2):
        try:
            texts.append(raw.decode("utf-8"))
            numbers.append(number)
        except UnicodeDecodeError as e:
            undecodable.append((number, _encoding_problem(raw.removesuffix(b"\r"), e)))
    return pl.DataFrame({"n": pl.Series(numbers, dtype=pl.UInt32), "l": pl.Series(texts, dtype=pl.String)}), undecodable


def _line_by_line(data: bytes, body: int, names: list[str], line_column: str, limit: int) -> CsvFile:
    """Each line checked on its own, vectorised: blank, well formed, as many fields as the header.
    Only the first `limit` bad lines are looked at one by one, to say where and why."""
    out = CsvFile(pl.DataFrame())
    width = len(names)
    lines, undecodable = _decoded_lines(data, body)
    line = pl.col("l").str.strip_suffix("\r")
    classified = lines.select(
        pl.col("n").cast(pl.UInt32), line.alias("l"),
        line.str.strip_chars(_BLANK).eq("").alias("blank"),
        (line.str.contains("\r", literal=True)
         | ~line.str.contains(_WELL_FORMED)
         | (line.str.replace_all(_QUOTED, "").str.count_matches(",", literal=True) + 1 != width)).alias("bad"),
    )
    out.blank_lines = int(classified["blank"].sum())
    bad = classified.filter(pl.col("bad") & ~pl.col("blank"))
    details = [(n, _line_problem(text, width)) for n, text in bad.select("n", "l").head(limit).iter_rows()]
    found = sorted(undecodable + details, key=lambda item: item[0])[:limit]
    for number, (_reason, column, value, message) in found:
        name = names[column] if column is not None and column < width else None
        if column is not None and column >= width:
            message += f" (field {column + 1})"
        out.problems.append(LineProblem(number, name, value, message))
    for _n, (reason, *_rest) in undecodable:
        out.left_out[reason] = out.left_out.get(reason, 0) + 1
    if bad.height:
        fields = bad["l"].str.contains(_WELL_FORMED) | bad["l"].str.contains("\r", literal=True)
        for reason, n in ((MALFORMED_FIELDS, int(fields.sum())), (MALFORMED_QUOTE, bad.height - int(fields.sum()))):
            if n:
                out.left_out[reason] = out.left_out.get(reason, 0) + n
    good = classified.filter(~pl.col("bad") & ~pl.col("blank"))
    body_text = ",".join(["c"] * width) + "\n"
    if good.height:
        body_text += good.select(pl.col("l").str.join("\n"))["l"][0] + "\n"
    try:
        frame = _polars(body_text.encode("utf-8"), width)
    except pl.exceptions.PolarsError:  # pragma: no cover - every line kept was checked above
        frame = pl.DataFrame()
    if frame.height != good.height:  # pragma: no cover - as above; said in one line, never with record text
        raise UnreadableFile("could not be read line by line")
    out.frame = frame.with_columns(good["n"].alias(line_column))
    return out
