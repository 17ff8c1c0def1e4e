# -*- coding: utf-8 -*-
# Copyright (c) 2026, ebpfops.tetragon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Headless Chromium, a small PNG reader and a DOM reader for the audit report tests."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import struct
import subprocess
import tempfile
import zlib

try:
    from html.parser import HTMLParser
except ImportError:  # Python 2
    from HTMLParser import HTMLParser

CHROMIUM = "/usr/bin/chromium"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--force-device-scale-factor=1"]


class Chromium(object):
    """Runs /usr/bin/chromium headless, each time with a fresh profile directory."""

    def _run(self, args, timeout=60):
        profile = tempfile.mkdtemp(prefix="chromium-profile-")
        try:
            proc = subprocess.run([CHROMIUM] + FLAGS + ["--user-data-dir=%s" % profile] + args,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout, check=False)
        finally:
            subprocess.run(["rm", "-rf", profile], check=False)
        assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-3000:]
        return proc.stdout.decode("utf-8")

    def screenshot(self, page, png, width=1280, height=1800):
        self._run(["--window-size=%d,%d" % (width, height), "--screenshot=%s" % png, "file://" + page])
        assert os.path.getsize(png) > 0, "chromium wrote no screenshot"
        return read_png(png)

    def dump_dom(self, page):
        return self._run(["--dump-dom", "file://" + page])


def _paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def read_png(path):
    """(width, height, rows) of an 8-bit RGB/RGBA non-interlaced PNG; rows are lists of (r, g, b)."""
    with open(path, "rb") as handle:
        data = handle.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "%s is not a PNG" % path
    pos, idat, header = 8, [], None
    while pos < len(data):
        size, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + size]
        pos += 12 + size
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
    width, height, depth, color, _, _, interlace = header
    assert depth == 8 and color in (2, 6) and interlace == 0, "unsupported PNG layout %r" % (header,)
    bpp = 3 if color == 2 else 4
    raw = zlib.decompress(b"".join(idat))
    stride = width * bpp
    prev = bytearray(stride)
    rows = []
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if kind == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 0xFF
        elif kind == 2:
            line = bytearray((a + b) & 0xFF for a, b in zip(line, prev))
        elif kind == 3:
            for i in range(stride):
                line[i] = (line[i] + ((line[i - bpp] if i >= bpp else 0) + prev[i]) // 2) & 0xFF
        elif kind == 4:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                upleft = prev[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + _paeth(left, prev[i], upleft)) & 0xFF
        rows.append([tuple(line[x:x + 3]) for x in range(0, stride, bpp)])
        prev = line
    return width, height, rows


def colour_bars(image, colour, min_length=3, min_height=10, max_gap=3):
    """Solid bars of one colour: [(top, left, length, height)], top to bottom.

    Runs on consecutive rows that overlap form one bar (its bounding box); a run may be crossed by a
    thin line (up to max_gap pixels of another colour), as a dashed budget line crosses a bar."""
    _, _, rows = image
    bars, open_bars = [], []
    for y, row in enumerate(rows + [[]]):
        runs, x = [], 0
        while x < len(row):
            if row[x] != colour:
                x += 1
                continue
            start = end = x
            while x < len(row) and (row[x] == colour or colour in row[x + 1:x + 1 + max_gap]):
                if row[x] == colour:
                    end = x
                x += 1
            if end + 1 - start >= min_length:
                runs.append([start, end])
            x = end + 1
        still_open = []
        for run in runs:
            match = next((b for b in open_bars if b[1] <= run[1] + max_gap and run[0] <= b[2] + max_gap), None)
            if match is None:
                match = [y, run[0], run[1], y]
            match[1], match[2], match[3] = min(match[1], run[0]), max(match[2], run[1]), y
            if match not in still_open:
                still_open.append(match)
        for bar in open_bars:
            if bar not in still_open and bar[3] - bar[0] + 1 >= min_height:
                bars.append((bar[0], bar[1], bar[2] - bar[1] + 1, bar[3] - bar[0] + 1))
        open_bars = still_open
    return sorted(bars)


class Dom(HTMLParser):
    """Elements of a --dump-dom page: [(tag, attrs, text)], text being the element's own text."""

    def __init__(self, text):
        HTMLParser.__init__(self, convert_charrefs=True)
        self.elements, self._open = [], []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        element = (tag, dict(attrs), [])
        self.elements.append(element)
        if tag not in ("meta", "line", "br", "img", "input", "link"):
            self._open.append(element)

    def handle_endtag(self, tag):
        while self._open:
            if self._open.pop()[0] == tag:
                break

    def handle_data(self, data):
        for element in self._open:
            element[2].append(data)

    def find(self, tag, **attrs):
        return [(t, a, "".join(x)) for t, a, x in self.elements
                if t == tag and all(a.get(k.rstrip("_")) == v for k, v in attrs.items())]
