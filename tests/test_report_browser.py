"""The HTML paper rendered by headless Chromium to a PNG (A4 proportions at 150 dpi), offline.

Skips, saying why, only when no Chromium is installed (`apt-get install -y chromium`).
The PNG is left in pytest's tmp dir so a person can look at it; its path is printed.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import struct
import subprocess
import tempfile
import zlib
from pathlib import Path

import pytest

from scorecard.commentary import CommentaryStore
from scorecard.engine.engine import Engine
from scorecard.report import write_report

CHROMIUM = next((p for p in (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")) if p), None)
WIDTH, HEIGHT = 1240, 1754


def chromium(html: Path, *action: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}", *action,
             # any attempt to fetch from the network fails instead of reaching out
             "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9",
             html.resolve().as_uri()],
            capture_output=True, text=True, timeout=120, cwd=html.parent, env={**os.environ, "HOME": profile},
        )


def png_rows(png: bytes) -> tuple[int, int, int, list[bytes]]:
    """Width, height, bytes per pixel and the pixel rows (filters undone) of an 8-bit RGB(A) PNG."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", b""
    while pos < len(png):
        length, kind = struct.unpack(">I4s", png[pos:pos + 8])
        data = png[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = data
        elif kind == b"IDAT":
            idat += data
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header[:13])
    assert depth == 8 and colour in (2, 6) and interlace == 0
    bpp = {2: 3, 6: 4}[colour]
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows: list[bytes] = []
    prev = bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + b) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif kind == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        rows.append(bytes(line))
        prev = line
    return width, height, bpp, rows


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get update && apt-get install -y chromium)")
def test_report_renders_in_headless_chromium(basic_copy: Path, tmp_path: Path) -> None:
    engine = Engine.load(basic_copy / "config.toml")
    CommentaryStore(engine.config.state_path).save("CIC-RATE", "2017-04", "Three UASC arrivals in April.", author="ana")
    html = tmp_path / "report.html"
    assert write_report(engine, "2017-04", None, None, "html", html, io.StringIO()) == 0
    png = tmp_path / "report.png"
    done = chromium(html, f"--screenshot={png}", f"--window-size={WIDTH},{HEIGHT}")
    assert png.exists(), done.stderr[-2000:]
    width, height, bpp, rows = png_rows(png.read_bytes())
    assert (width, height) == (WIDTH, HEIGHT)
    # not a blank page: a good share of the rows carry ink (text, band colours, the chart) ...
    inked = [y for y, row in enumerate(rows) if row.count(0xFF) < len(row) * 0.98]
    assert len(inked) > height * 0.3, len(inked)
    # ... and the bands' colours are drawn: GOV.UK red (#d4351c) and green (#00703c) pixels
    pixels = {bytes(row[i:i + 3]) for row in rows[::4] for i in range(0, len(row), bpp * 2)}
    assert bytes.fromhex("d4351c") in pixels and bytes.fromhex("00703c") in pixels
    print(f"\nscreenshot: {png}")


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get update && apt-get install -y chromium)")
def test_report_prints_on_a4_with_a_page_per_exception(basic_copy: Path, tmp_path: Path) -> None:
    """February 2017 has 4 Red measures: the summary, 4 exception pages, the cohort page and the table."""
    engine = Engine.load(basic_copy / "config.toml")
    html = tmp_path / "report.html"
    write_report(engine, "2017-02", None, None, "html", html, io.StringIO())
    assert engine.rate(None, "2017-02").summary.red == 4
    pdf = tmp_path / "report.pdf"
    done = chromium(html, f"--print-to-pdf={pdf}", "--no-pdf-header-footer")
    assert pdf.exists(), done.stderr[-2000:]
    data = pdf.read_bytes()
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", data))
    assert pages >= 1 + 4 + 1 + 1, pages
    boxes = {tuple(round(float(x)) for x in box.split()) for box in re.findall(rb"/MediaBox\s*\[([^\]]*)\]", data)}
    assert boxes == {(0, 0, 595, 842)}  # A4 in points
