"""Diagnostics for people (compiler-style text), for programs (JSON) and for GitHub (annotations)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ledgerops.core.diagnostics import Diagnostic

LineReader = Callable[[str, int], "str | None"]


def sort_diagnostics(diagnostics: Sequence[Diagnostic]) -> list[Diagnostic]:
    return sorted(
        diagnostics,
        key=lambda d: (d.source.path != "policy.yaml", d.source.path, d.source.line, d.source.col, d.code),
    )


def diagnostics_text(diagnostics: Sequence[Diagnostic], read_line: LineReader | None = None) -> str:
    """FILE:LINE:COL: severity code: message, then the line with a caret, then the fix."""
    out: list[str] = []
    for d in diagnostics:
        src = d.source
        out.append(f"{src.path}:{src.line}:{src.col}: {d.severity} {d.code}: {d.message}")
        line = read_line(src.path, src.line) if read_line else None
        if line is not None:
            gutter = str(src.line)
            out.append(f"  {gutter} | {line}")
            out.append(f"  {' ' * len(gutter)} | {' ' * (src.col - 1)}^")
        out.append(f"  fix: {d.hint}")
    errors = sum(d.severity == "error" for d in diagnostics)
    warnings = len(diagnostics) - errors
    out.append(_summary(errors, warnings))
    return "\n".join(out) + "\n"


def _summary(errors: int, warnings: int) -> str:
    if not errors and not warnings:
        return "ok: no problems found"
    plural = lambda n, word: f"{n} {word}{'s' if n != 1 else ''}"  # noqa: E731
    return f"{plural(errors, 'error')}, {plural(warnings, 'warning')}"


def diagnostics_json(diagnostics: Sequence[Diagnostic]) -> str:
    """docs/spec.md §9.1: {"ok", "diagnostics": [{file, line, column, code, severity, message}]}."""
    payload = {
        "ok": not any(d.severity == "error" for d in diagnostics),
        "diagnostics": [
            {
                "file": d.source.path,
                "line": d.source.line,
                "column": d.source.col,
                "code": d.code,
                "severity": d.severity,
                "message": d.message,
                "hint": d.hint,
            }
            for d in diagnostics
        ],
    }
    import json  # only here: the text format, the one people and hooks run, does without it

    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def diagnostics_github(diagnostics: Sequence[Diagnostic], prefix: str = "") -> str:
    """Workflow commands, so each problem shows inline on the pull request's diff.

    `prefix` is the ledger's folder relative to the repository root, when it is not the root.
    """
    out = []
    for d in diagnostics:
        src = d.source
        path = f"{prefix.rstrip('/')}/{src.path}" if prefix else src.path
        props = ",".join(
            f"{key}={_escape_property(str(value))}"
            for key, value in (("file", path), ("line", src.line), ("col", src.col), ("title", d.code))
        )
        out.append(f"::{d.severity} {props}::{_escape_data(f'{d.message}. Fix: {d.hint}')}")
    return "\n".join(out) + ("\n" if out else "")


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")
