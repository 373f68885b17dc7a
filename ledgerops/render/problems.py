"""What can go wrong while rendering, importable without loading Jinja2, fpdf2 or Babel."""

from __future__ import annotations


class TemplateProblem(Exception):
    """A template cannot be found, parsed or rendered."""


class UnsafeHeader(Exception):
    """A header value with a line break or control character: refused, never sent."""


class PdfProblem(Exception):
    """The PDF cannot be made as it should look (for example a character no font can show)."""
