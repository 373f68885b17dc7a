"""Suggested wording for a reminder: what the model is asked, and what of its answer is kept.

The model writes prose only. The tool locks the facts: the template it builds includes the
packaged facts block (invoice id, amount due, due date, payment link, bank details), and any
figure, date, amount, URL, e-mail address or Jinja syntax other than the allowed
placeholders in the model's text rejects the whole suggestion (docs/templates.md).
Pure functions of text: no I/O, no network.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

FACTS_PARTIAL = "reminders/_facts.md.j2"
INVOICE_FACTS_PARTIAL = "email/_facts.md.j2"  # the invoice email's (stage "invoice")
# The parts of the answer, in the order they appear in the template.
FIELDS = ("subject", "opening", "closing", "sign_off")
# Length bounds, in characters of the model's text (placeholders count as written).
MAX_SUBJECT = 120
MAX_SIGN_OFF = 60
MAX_PROSE = 1200  # opening and closing together
REQUIRED_IN_SUBJECT = "invoice_id"

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\}\}")
_JINJA_TAG = re.compile(r"\{[{%#].{0,60}?[}%#]\}|\{[{%#]|[}%#]\}", re.DOTALL)
_URL = re.compile(
    r"[a-z][a-z0-9+.-]*://\S*|\bwww\.\S*|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\b|\]\(|\b(?:mailto|tel):",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"\S*@\S*")
_HTML = re.compile(r"<[A-Za-z/!?]")
_MONTHS = (
    "January February March April June July August September October November December "
    "Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec"
)  # "May" is left out: it starts too many polite questions; a date with it has a figure
_WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday"
_DATE_WORD = re.compile(r"\b(?:" + "|".join((_MONTHS + " " + _WEEKDAYS).split()) + r")\b")
_MONEY_WORD = re.compile(
    r"\b(?:euros?|cents?|dollars?|pounds?|yen|francs?|pence|percent|per\s+cent|"
    r"hundreds?|thousands?|millions?|billions?)\b",
    re.IGNORECASE,
)
_BREAK_OR_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x85\u2028\u2029]")
_FENCE = re.compile(r"\A\s*```(?:json)?\s*(.*?)\s*```\s*\Z", re.DOTALL)


@dataclass(frozen=True, slots=True)
class StageInfo:
    """What the model is told about the stage: its name and when it is sent."""

    stage: str
    offset_days: int
    invoice: bool = False  # the invoice email, sent with the PDF, not a reminder

    @property
    def partial(self) -> str:
        return INVOICE_FACTS_PARTIAL if self.invoice else FACTS_PARTIAL

    @property
    def when(self) -> str:
        if self.invoice:
            return "the email that sends the invoice itself, with the PDF attached, when it is issued"
        if self.offset_days < 0:
            return f"sent {-self.offset_days} days before the due date"
        if self.offset_days == 0:
            return "sent on the due date"
        return f"sent {self.offset_days} days after the due date, the invoice is unpaid"


@dataclass(frozen=True, slots=True)
class Checked:
    """The template built from the model's answer, or the reasons it was rejected."""

    template: str | None
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Suggested:
    """What `ledgerops tone suggest` did: the template (None when rejected), why it was
    rejected, and where it went."""

    stage: str
    segment: str
    path: str  # the template's path in the ledger, e.g. templates/reminders/due.standard.md.j2
    based_on: str  # the template whose wording the model was shown
    template: str | None
    reasons: tuple[str, ...] = ()
    written: bool = False
    branch: str | None = None
    previous_branch: str | None = None
    commit: str | None = None


def allowed_placeholders(stage: StageInfo) -> tuple[str, ...]:
    """The placeholders the model may write for this stage; everything else is locked."""
    names = ["invoice_id", "due_date", "client.name", "company.name"]
    if stage.invoice:
        return tuple(names)
    if stage.offset_days < 0:
        names.append("days_until_due")
    if stage.offset_days > 0:
        names.append("days_overdue")
    return tuple(names)


def prompt_messages(
    stage: StageInfo, segment: str, company: str, current: str, brief: str | None
) -> list[dict[str, str]]:
    """The chat messages: the stage, the segment, the company's name, the current wording and
    the user's brief. Never a client's data: the model writes for a segment, not a client."""
    placeholders = ", ".join(f"{{{{ {name} }}}}" for name in allowed_placeholders(stage))
    system = (
        "You write the wording of one billing email of a small business. You write prose only.\n"
        "Rules:\n"
        "- Never write a number, figure, amount, currency, date, month, weekday, URL, link, "
        "e-mail address, phone number or HTML. The software inserts the facts (invoice id, "
        "amount due, due date, payment link, bank details) as a block between your opening "
        "and your closing; do not restate them.\n"
        f"- The only placeholders you may write, exactly as shown: {placeholders}. "
        "No other curly braces, no template syntax.\n"
        "- The subject must contain {{ invoice_id }}.\n"
        "- Keep the message's structure and purpose; change only the tone and the wording.\n"
        f"- opening and closing together at most {MAX_PROSE} characters; subject at most "
        f"{MAX_SUBJECT}.\n"
        "Answer with one JSON object and nothing else: "
        '{"subject": "...", "opening": "greeting and the paragraphs before the facts", '
        '"closing": "the paragraphs after the facts", "sign_off": "for example Kind regards"}. '
        "The company's name is added after the sign-off."
    )
    user = (
        f"Company: {company}\n"
        f"Stage: {stage.stage} ({stage.when})\n"
        f"Client segment: {segment}\n"
        f"Brief: {brief.strip() if brief and brief.strip() else 'none; suit the tone to the segment'}\n"
        "Current wording (a template; placeholders in double curly braces):\n"
        f"-----\n{current.strip()}\n-----"
    )
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def check_answer(answer: str, stage: StageInfo, currencies: Iterable[str] = ()) -> Checked:
    """The template made of the model's answer, or every reason to reject it."""
    fields, problem = _fields(answer)
    if fields is None:
        return Checked(None, (problem,))
    allowed = allowed_placeholders(stage)
    reasons: list[str] = []
    for name in FIELDS:
        reasons += [f"{name}: {reason}" for reason in text_problems(fields[name], allowed, currencies)]
    for name in ("subject", "sign_off"):
        if "\n" in fields[name].strip():
            reasons.append(f"{name}: must be one line")
    if not any(found == REQUIRED_IN_SUBJECT for found in _PLACEHOLDER.findall(fields["subject"])):
        reasons.append(f"subject: the required placeholder {{{{ {REQUIRED_IN_SUBJECT} }}}} is missing")
    if not fields["opening"].strip():
        reasons.append("opening: empty")
    reasons += _too_long(fields)
    if reasons:
        return Checked(None, tuple(reasons))
    return Checked(build_template(fields, stage.partial), ())


def text_problems(text: str, allowed: Sequence[str], currencies: Iterable[str] = ()) -> list[str]:
    """Why a piece of the model's text may not go into a template: each kind of problem
    once, with the first offending text quoted."""
    problems: list[str] = []
    unknown = [name for name in _PLACEHOLDER.findall(text) if name not in allowed]
    if unknown:
        problems.append(f"placeholder {{{{ {unknown[0]} }}}} is not allowed (allowed: {', '.join(allowed)})")
    prose = _PLACEHOLDER.sub(" ", text)
    tag = _JINJA_TAG.search(prose)
    if tag:
        problems.append(f"template syntax {tag.group(0)!r}: only the allowed placeholders may be written")
        prose = _JINJA_TAG.sub(" ", prose)
    address = _EMAIL.search(prose)
    if address:
        problems.append(
            f"an e-mail address {address.group(0)!r}: addresses come from the policy, not from the model"
        )
        prose = _EMAIL.sub(" ", prose)
    for pattern, message in (
        (_URL, "a URL or link {!r}: the payment link comes from the facts block"),
        (_HTML, "HTML {!r}"),
    ):
        found = pattern.search(prose)
        if found:
            problems.append(message.format(_snippet(prose, found.start(), found.end())))
    figure = next((i for i, ch in enumerate(prose) if ch.isnumeric()), None)
    if figure is not None:
        problems.append(
            f"a figure {_snippet(prose, figure, figure + 1)!r}: amounts, dates and numbers come from the facts block"
        )
    found_date = _DATE_WORD.search(prose)
    if found_date:
        problems.append(f"a date {found_date.group(0)!r}: the due date comes from the facts block")
    codes = "|".join(re.escape(code) for code in sorted({*currencies, "EUR", "USD", "GBP", "JPY", "CHF"}))
    money = re.search(rf"\b(?:{codes})\b", prose) or _MONEY_WORD.search(prose)
    symbol = next((i for i, ch in enumerate(prose) if unicodedata.category(ch) == "Sc" or ch == "%"), None)
    if money or symbol is not None:
        shown = money.group(0) if money else prose[symbol or 0]
        problems.append(f"an amount {shown!r}: the amount due comes from the facts block")
    if _BREAK_OR_CONTROL.search(text):
        problems.append("a control character")
    return problems


def build_template(fields: dict[str, str], partial: str = FACTS_PARTIAL) -> str:
    """The template: the model's prose around the packaged facts block."""
    subject = _normalised(fields["subject"].strip())
    opening = _normalised(fields["opening"].strip())
    closing = _normalised(fields["closing"].strip())
    sign_off = _normalised(fields["sign_off"].strip()) or "Kind regards"
    parts = [f'Subject: {subject}\n\n{opening}\n\n{{% include "{partial}" %}}\n']
    if closing:
        parts.append(f"{closing}\n\n")
    parts.append(f"{sign_off}\n{{{{ company.name }}}}\n")
    return "".join(parts)


def _fields(answer: str) -> tuple[dict[str, str] | None, str]:
    text = answer.strip()
    fenced = _FENCE.match(text)
    if fenced:
        text = fenced.group(1)
    start, end = text.find("{"), text.rfind("}")
    wrong = f"the answer is not the JSON object asked for (keys: {', '.join(FIELDS)})"
    if start < 0 or end < start:
        return None, wrong
    try:
        data = json.loads(text[start : end + 1])
    except ValueError:
        return None, wrong
    if not isinstance(data, dict):
        return None, wrong
    missing = [name for name in ("subject", "opening") if not isinstance(data.get(name), str)]
    if missing:
        return None, f"the answer has no {' and no '.join(missing)} (keys: {', '.join(FIELDS)})"
    fields = {name: value if isinstance(value := data.get(name), str) else "" for name in FIELDS}
    subject = fields["subject"].strip()
    if subject.lower().startswith("subject:"):
        fields["subject"] = subject[len("subject:") :]
    return fields, ""


def _too_long(fields: dict[str, str]) -> list[str]:
    found = []
    if len(fields["subject"].strip()) > MAX_SUBJECT:
        found.append(
            f"subject: too long ({len(fields['subject'].strip())} characters, at most {MAX_SUBJECT})"
        )
    if len(fields["sign_off"].strip()) > MAX_SIGN_OFF:
        found.append(
            f"sign_off: too long ({len(fields['sign_off'].strip())} characters, at most {MAX_SIGN_OFF})"
        )
    prose = len(fields["opening"].strip()) + len(fields["closing"].strip())
    if prose > MAX_PROSE:
        found.append(f"too long: opening and closing have {prose} characters, at most {MAX_PROSE}")
    return found


def _normalised(text: str) -> str:
    """Placeholders written the one way; line ends as newlines, trailing blanks removed."""
    text = _PLACEHOLDER.sub(lambda m: f"{{{{ {m.group(1)} }}}}", text)
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))


def _snippet(text: str, start: int, end: int) -> str:
    """The offending text, widened to its word, at most 40 characters."""
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    while end < len(text) and not text[end].isspace():
        end += 1
    word = text[start:end]
    return word if len(word) <= 40 else word[:39] + "…"
