"""Invoice numbers from the policy's template: parsing, formatting, the next free number."""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Mapping
from functools import lru_cache

from ledgerops.core.text import is_id

_FIELDS = {"year": r"(?P<year>[0-9]{4})", "seq": r"(?P<seq>[0-9]+)"}


def format_problem(template: str, sample: Mapping[str, object], needed: Iterable[str]) -> str | None:
    """Why a str.format template cannot be used, or None when it can.

    `sample` holds values of the types the template gets at run time, so a format spec
    that cannot apply to them ('{amount:.2f}' on text) is caught here, not in a client's email.
    """
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]
        template.format(**sample)
    except (ValueError, KeyError, IndexError, TypeError, AttributeError) as error:
        return f"'{template}' is not a valid template ({error})"
    unknown = sorted(set(names) - set(sample))
    if unknown:
        return f"'{template}' uses unknown placeholders: {', '.join(unknown)}"
    missing = sorted(set(needed) - set(names))
    if missing:
        return f"'{template}' must contain {', '.join('{' + m + '}' for m in missing)}"
    return None


def numbering_problem(template: str) -> str | None:
    problem = format_problem(template, {"year": 2026, "seq": 123}, ("year", "seq"))
    if problem:
        return problem
    names = [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]
    if len(names) != len(set(names)):
        return f"'{template}' uses a placeholder twice"
    for seq in (7, 123, 12345):
        sample = format_number(template, 2026, seq)
        if not is_id(sample) or parse_number(template, sample) != (2026, seq):
            return (
                f"'{template}' makes ids like '{sample}' that cannot be read back; use letters, "
                "digits, '.', '_' and '-', and {seq} or {seq:04d}"
            )
    return None


@lru_cache(maxsize=8)
def _pattern(template: str) -> re.Pattern[str]:
    parts = []
    for literal, name, _, _ in string.Formatter().parse(template):
        parts.append(re.escape(literal))
        if name is not None:
            parts.append(_FIELDS[name])
    return re.compile("".join(parts) + r"\Z")


def parse_number(template: str, invoice_id: str) -> tuple[int, int] | None:
    """(year, seq) of an id written exactly as the template writes it, else None."""
    match = _pattern(template).match(invoice_id)
    if not match:
        return None
    year, seq = int(match["year"]), int(match["seq"])
    return (year, seq) if template.format(year=year, seq=seq) == invoice_id else None


def format_number(template: str, year: int, seq: int) -> str:
    return template.format(year=year, seq=seq)


def next_number(template: str, year: int, existing_ids: Iterable[str]) -> str:
    """The number after the highest of `year`: numbers are never reused, voided ones included."""
    highest = 0
    for invoice_id in existing_ids:
        parsed = parse_number(template, invoice_id)
        if parsed and parsed[0] == year:
            highest = max(highest, parsed[1])
    return format_number(template, year, highest + 1)


# A draft has no invoice number: its id names what it bills, and the number is taken when
# it is issued (docs/spec.md §5.4), so drafts written on two branches never collide.
DRAFTS = "invoices/drafts"
DRAFT_PREFIX = "DRAFT-"


def draft_id(client: str, project: str, milestone: str) -> str:
    return f"{DRAFT_PREFIX}{client}-{project}-{milestone}"


def is_draft_id(record_id: str) -> bool:
    return record_id.startswith(DRAFT_PREFIX)


def draft_path(record_id: str) -> str:
    return f"{DRAFTS}/{record_id}.yaml"


def invoice_path(number: str, year: int) -> str:
    return f"invoices/{year}/{number}.yaml"
