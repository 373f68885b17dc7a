"""Generate a large, realistic and valid ledgerops ledger (docs/spec.md §1-§3) for benchmarks.

    python benchmarks/generate.py OUT_DIR --invoices 10000 --clients 500 [--seed 1]
        [--beancount FILE] [--git]

The ledger is a simulation of a small company's history up to AS_OF: invoices are
numbered gap-free per year in issue-date order, reminders follow the policy's stage
timing (weekends, minimum gap, pauses by open exceptions), late fees and final
escalations happen when the reminder engine would have recorded them, and payments are
never in the future. Everything written must pass `ledgerops check` without errors,
because the benchmark times validation of a valid ledger.

Files are written with f-strings rather than a YAML dumper: it is an order of magnitude
faster and lets the output look hand-written (comments, flow mappings, quoting only where
YAML 1.1 would misread a scalar). `--beancount` writes the same facts as one Beancount v3
file so that `bean-check` can be timed on an equivalent ledger.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import subprocess
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from random import Random
from zoneinfo import ZoneInfo

AS_OF = date(2026, 11, 27)
TIMEZONE = ZoneInfo("Europe/Berlin")
DECIMALS = {"EUR": 2, "USD": 2, "JPY": 0}
MAX_SEQ = 9999  # numbering is INV-{year}-{seq:04d}
PER_YEAR_TARGET = 9000  # leaves headroom under MAX_SEQ for random fluctuation
DAY = timedelta(days=1)
FAR_FUTURE = date(9999, 12, 31)

# Mirrors policy.yaml below: (stage, offset_days, manual).
STAGES = (
    ("pre_due", -3, False),
    ("due", 0, False),
    ("overdue_7", 7, False),
    ("overdue_14", 14, False),
    ("final_notice", 30, True),
)
MIN_GAP_DAYS = 2
WRITE_OFF = "Written off, invoice voided"
LATE_FEE_GRACE_DAYS = 7
LATE_FEE_PERMILLE = 15  # 1.5 percent of the invoice total

POLICY = """\
company: {name: Jane Doe Studio, email: billing@janedoe.example, address: "...", tax_id: "..."}
currency: EUR
currencies: [EUR, USD, JPY]     # accepted currencies
timezone: Europe/Berlin         # "today" for scheduled runs
terms: {default_days: 30, allowed_days: [14, 30]}
payment_methods: [bank_transfer, card]
payment_link: "https://pay.example.com/{invoice_id}"   # template; {invoice_id} {amount} {currency}
bank: {iban: DE89370400440532013000, bic: COBADEFFXXX}  # optional; shown on invoices, EPC QR code
approval_branch: main           # drafts on this branch are approved; `send` sends only from it
numbering: "INV-{year}-{seq:04d}"                       # gap-free per year
segments:
  strategic: {review: true}     # drafts for these clients always need a founder review
  standard:  {review: false}
reminders:
  sequence:                     # fixed timing, relative to the due date
    - {stage: pre_due,  offset_days: -3}
    - {stage: due,      offset_days: 0}
    - {stage: overdue_7,  offset_days: 7}
    - {stage: overdue_14, offset_days: 14}
    - {stage: final_notice, offset_days: 30, manual: true}   # never sent: escalated to a human
  min_gap_days: 2
  send_on_weekends: false
late_fee: {enabled: true, kind: percent, value: 1.5, grace_days: 7}   # kind: percent | flat
exceptions:
  reasons: [po_mismatch, legal_review, procurement, payment_failed, dispute, promise_to_pay, delivery_unknown, final_escalation, other]
review:
  aging_buckets: [30, 60, 90]   # -> current, 1-30, 31-60, 61-90, 90+
  dso_window_days: 90
  on_time_window_days: 28
  weekday: friday               # the weekly report's week ends on this day
  drift_weeks: 2
"""


@dataclass(frozen=True)
class Region:
    """Material for plausible client names and addresses in one currency area."""

    currency: str
    locales: tuple[str, ...]
    stems: tuple[str, ...]
    sectors: tuple[str, ...]
    forms: tuple[str, ...]
    streets: tuple[str, ...]
    cities: tuple[str, ...]


# fmt: off
# Data tables stay compact: one row per line reads better than one value per line.
REGIONS = (
    Region(
        currency="EUR",
        locales=("de_DE", "de_DE", "fr_FR", "nl_NL"),
        stems=("Nordwind", "Bergmann", "Alpenglück", "Rheinwerk", "Kranich", "Lindner",
               "Sonnenhof", "Hafenblick", "Falke", "Eichwald", "Lumière", "Vermeer",
               "Zeitgeist", "Müller & Söhne", "Weißdorn", "Brückner", "Oranje", "Kastanie",
               "Seidel", "Fjord"),
        sectors=("Logistik", "Digital", "Bau", "Medien", "Software", "Design",
                 "Consulting", "Verlag"),
        forms=("GmbH", "AG", "KG", "SARL", "B.V.", "GmbH & Co. KG"),
        streets=("Hauptstraße", "Lindenallee", "Am Hafen", "Rue de Rivoli", "Keizersgracht"),
        cities=("10115 Berlin", "20457 Hamburg", "80331 München", "50667 Köln",
                "75002 Paris", "1012 Amsterdam", "04109 Leipzig", "01067 Dresden"),
    ),
    Region(
        currency="USD",
        locales=("en_US",),
        stems=("Blue Harbor", "Pinecrest", "Redwood", "Summit", "Lakeside", "Ironbridge",
               "Northstar", "Copperline", "Granite Peak", "Silver Creek", "Bayview",
               "Oakridge"),
        sectors=("Labs", "Media", "Analytics", "Foods", "Health", "Robotics", "Outfitters"),
        forms=("Inc.", "LLC", "Co."),
        streets=("Market Street", "Elm Street", "Main Street", "Harbor Drive"),
        cities=("Portland, OR 97205", "Austin, TX 78701", "Denver, CO 80202",
                "Boston, MA 02110"),
    ),
    Region(
        currency="JPY",
        locales=("ja_JP",),
        stems=("Sakura", "Fuji", "Kaze", "Hoshi", "Midori", "Yamato", "Tsubame", "Kawa"),
        sectors=("Digital", "Shoji", "Design", "Systems", "Works"),
        forms=("K.K.", "G.K."),
        streets=("Chuo-dori", "Meiji-dori", "Omotesando"),
        cities=("Shibuya-ku, Tokyo 150-0002", "Kita-ku, Osaka 530-0001",
                "Naka-ku, Yokohama 231-0001"),
    ),
)
REGION_WEIGHTS = (70, 20, 10)
PROJECTS = (  # (code, name, milestone descriptions)
    ("WEB", "Website redesign", ("Discovery workshop", "Design phase", "Build", "Launch")),
    ("APP", "Mobile app", ("Prototype", "Beta release", "Store release")),
    ("SHOP", "Online shop", ("Concept", "Catalogue import", "Checkout", "Go-live")),
    ("BRAND", "Brand refresh", ("Research", "Logo and type", "Guidelines")),
    ("DATA", "Reporting dashboard", ("Data audit", "First dashboards", "Handover")),
)
SERVICES = (  # (description, quantity range in tenths, cents range, yen range)
    ("Consulting (hours)", (10, 400), (9500, 16000), (12000, 20000)),
    ("Design work (hours)", (10, 300), (8000, 14000), (10000, 18000)),
    ("Monthly retainer", (10, 10), (150000, 600000), (200000, 800000)),
    ("Hosting and maintenance", (10, 10), (4900, 29900), (5000, 30000)),
    ("Workshop day", (10, 30), (120000, 220000), (150000, 300000)),
    ("Travel expenses", (10, 10), (8000, 65000), (10000, 80000)),
)
CLIENT_COMMENTS = (
    "# main contact is Petra in finance",
    "# moved to net 14 after the 2021 audit",
    "# they pay in batches at the end of the month",
)
INVOICE_COMMENTS = (
    "# called them on Monday",
    "# reissued after the address change",
    "# Petra confirmed the PO by phone",
    "# paid via the new bank account",
    "# TODO ask about the missing remittance advice",
)
EXCEPTION_CASES = (  # (reason, source, note, resolution)
    ("po_mismatch", "jane", "PO on invoice does not match client's PO",
     "PO corrected, invoice reissued"),
    ("legal_review", "jane", "Client legal wants to review the liability clause",
     "Legal signed off"),
    ("procurement", "jane", "Supplier onboarding in the client's procurement portal",
     "Vendor number assigned"),
    ("payment_failed", "payment-import", "Card payment bounced",
     "Paid by bank transfer instead"),
    ("dispute", "jane", "Client disputes the number of hours",
     "Agreed after sending timesheets"),
    ("promise_to_pay", "jane", "CFO promised payment on the phone", "Payment arrived"),
    ("other", "jane", "Client asked to pause reminders during their office move",
     "Reminders can resume"),
)
# fmt: on
# Plain scalars that cannot be misread by YAML 1.1 or 1.2: start with a letter, no
# characters with a meaning in flow context, no ": " or " #".
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 ._@/()+-]*[A-Za-z0-9.)]\Z|[A-Za-z]\Z")
_YAML11_WORDS = frozenset(("y", "n", "yes", "no", "on", "off", "true", "false", "null"))


# ---------------------------------------------------------------- model


@dataclass(frozen=True)
class Milestone:
    project: str
    code: str
    description: str
    amount: int  # minor units
    tax_rate: int


@dataclass(frozen=True)
class Payer:
    """How a client pays: days relative to the due date, and how often it misbehaves."""

    mean_delay: float
    spread: float
    partial: float
    never: float


@dataclass
class Client:
    id: str
    name: str
    segment: str
    currency: str
    locale: str
    terms: int
    write_terms: bool  # False: terms come from the policy default
    write_currency: bool  # False: currency comes from the policy default
    po_required: bool
    po_format: str
    reminders: bool
    emails: tuple[str, ...]
    cc: tuple[str, ...]
    address: str
    tax_id: str
    tax_rate: int
    payer: Payer
    account: str  # Beancount account leaf
    projects: tuple[tuple[str, str, tuple[Milestone, ...]], ...]
    comment: str | None
    notes: str | None
    pending: list[Milestone] = field(default_factory=list)  # milestones not invoiced yet


@dataclass(frozen=True)
class Line:
    description: str
    quantity10: int  # quantity in tenths, so that 7.5 hours stays exact
    unit_price: int  # minor units
    tax_rate: int


@dataclass(frozen=True)
class Payment:
    day: date
    amount: int
    method: str
    ref: str


@dataclass
class Invoice:
    id: str
    client: Client
    issue: date
    due: date
    lines: tuple[Line, ...]
    status: str = "sent"
    milestone: Milestone | None = None
    po_number: str | None = None
    sent_at: datetime | None = None
    voided_at: date | None = None
    hold: str | None = None
    payments: list[Payment] = field(default_factory=list)
    reminders: list[tuple[str, datetime]] = field(default_factory=list)
    late_fees: list[tuple[date, int]] = field(default_factory=list)
    comment: str | None = None
    notes: str | None = None


@dataclass(frozen=True)
class Case:
    """An exception case before numbering (ids depend on every case's opening date)."""

    invoice: str
    reason: str
    source: str
    note: str
    opened: date
    resolved: date | None
    resolution: str | None
    until: date | None


@dataclass
class Ledger:
    clients: list[Client]
    invoices: list[Invoice]
    cases: list[Case]


# ---------------------------------------------------------------- money and text


def money(minor: int, currency: str) -> str:
    places = DECIMALS[currency]
    if places == 0:
        return str(minor)
    unit = 10**places
    return f"{minor // unit}.{minor % unit:0{places}d}"


def quantity(tenths: int) -> str:
    return str(tenths // 10) if tenths % 10 == 0 else f"{tenths // 10}.{tenths % 10}"


def line_net(line: Line) -> int:
    """Net in minor units, rounded half-up (all values are positive)."""
    return (line.quantity10 * line.unit_price + 5) // 10


def invoice_total(lines: tuple[Line, ...]) -> tuple[int, dict[int, int]]:
    """(total, tax per rate); tax is rounded half-up per rate on the sum of the nets."""
    nets: dict[int, int] = {}
    for line in lines:
        nets[line.tax_rate] = nets.get(line.tax_rate, 0) + line_net(line)
    taxes = {rate: (net * rate + 50) // 100 for rate, net in nets.items()}
    return sum(nets.values()) + sum(taxes.values()), taxes


def scalar(text: str) -> str:
    """A YAML scalar for `text`: plain where unambiguous, else double-quoted."""
    if _PLAIN.match(text) and text.lower() not in _YAML11_WORDS:
        return text
    return json.dumps(text, ensure_ascii=False)


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


@cache
def utc_offset(day: date) -> str:
    """The policy timezone's offset on `day` (CET or CEST), e.g. "+01:00"."""
    offset = datetime(day.year, day.month, day.day, 12, tzinfo=TIMEZONE).utcoffset()
    minutes = int(offset.total_seconds()) // 60 if offset else 0
    return f"+{minutes // 60:02d}:{minutes % 60:02d}"


def at(day: date, hour: int, minute: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute)


def timestamp(moment: datetime) -> str:
    return f"{moment.isoformat()}{utc_offset(moment.date())}"


# ---------------------------------------------------------------- clients


def make_clients(rng: Random, count: int) -> list[Client]:
    clients: list[Client] = []
    taken: Counter[str] = Counter()
    for _ in range(count):
        region = rng.choices(REGIONS, REGION_WEIGHTS)[0]
        clients.append(make_client(rng, region, taken))
    return clients


def make_client(rng: Random, region: Region, taken: Counter[str]) -> Client:
    city = rng.choice(region.cities)
    stem, sector = rng.choice(region.stems), rng.choice(region.sectors)
    name = f"{stem} {sector} {rng.choice(region.forms)}"
    base = slug(stem) if rng.random() < 0.3 else slug(f"{stem} {sector}")
    taken[base] += 1
    if taken[base] > 1:  # the same name elsewhere: a branch, as real client lists have
        base = f"{base}-{taken[base]}"
        name = f"{name} ({city.split()[-1]})"
    currency = region.currency
    write_terms = rng.random() < 0.85
    tax_rate = {"EUR": rng.choice((19, 19, 19, 0)), "USD": 0, "JPY": 10}[currency]
    return Client(
        id=base,
        name=name,
        segment="strategic" if rng.random() < 0.15 else "standard",
        currency=currency,
        locale=rng.choice(region.locales),
        terms=rng.choice((14, 30, 30)) if write_terms else 30,  # 30: the policy default
        write_terms=write_terms,
        write_currency=currency != "EUR" or rng.random() < 0.5,
        po_required=rng.random() < 0.2,
        po_format=rng.choice(("PO-{n:04d}", "{n:05d}", "4500{n:06d}", "{year}/{n}")),
        reminders=rng.random() < 0.93,
        emails=client_emails(rng, base),
        cc=(f"pm@{base}.example",) if rng.random() < 0.3 else (),
        address=f"{rng.choice(region.streets)} {rng.randint(1, 120)}, {city}",
        tax_id=tax_id(rng, currency),
        tax_rate=tax_rate,
        payer=Payer(
            mean_delay=rng.choice((-7.0, -5.0, -3.0, 0.0, 0.0, 2.0, 12.0)),
            spread=rng.uniform(1.0, 5.0),
            partial=rng.choice((0.0, 0.1, 0.3)),
            never=rng.choice((0.0, 0.0, 0.01, 0.04)),
        ),
        account=account_leaf(base),
        projects=make_projects(rng, currency, tax_rate) if rng.random() < 0.25 else (),
        comment=rng.choice(CLIENT_COMMENTS) if rng.random() < 0.05 else None,
        notes="prefers invoices in English" if rng.random() < 0.05 else None,
    )


def client_emails(rng: Random, base: str) -> tuple[str, ...]:
    if rng.random() < 0.15:
        return (f"ap@{base}.example", f"invoices@{base}.example")
    return (f"ap@{base}.example",)


def tax_id(rng: Random, currency: str) -> str:
    if currency == "EUR":
        return f"DE{rng.randint(100000000, 999999999)}"
    if currency == "USD":
        return f"EIN {rng.randint(10, 99)}-{rng.randint(1000000, 9999999)}"
    return f"T{rng.randint(10**12, 10**13 - 1)}"


def account_leaf(client_id: str) -> str:
    """Beancount leaf for a client id: capitalised parts ("blue-harbor" -> "BlueHarbor")."""
    return "".join(part[:1].upper() + part[1:] for part in client_id.split("-"))


def make_projects(
    rng: Random, currency: str, tax_rate: int
) -> tuple[tuple[str, str, tuple[Milestone, ...]], ...]:
    projects = []
    for code, name, steps in rng.sample(PROJECTS, rng.randint(1, 2)):
        milestones = tuple(
            Milestone(code, f"M{i}", step, milestone_amount(rng, currency), tax_rate)
            for i, step in enumerate(steps, start=1)
        )
        projects.append((code, name, milestones))
    return tuple(projects)


def milestone_amount(rng: Random, currency: str) -> int:
    if currency == "JPY":
        return rng.randint(20, 150) * 10000
    return rng.randint(30, 240) * 5000  # 1500.00 to 12000.00 in steps of 50


# ---------------------------------------------------------------- invoices


def start_year(invoices: int) -> int:
    """Spread history over enough years that no year needs more than 4-digit numbers."""
    return min(2016, AS_OF.year - math.ceil(invoices / PER_YEAR_TARGET) + 1)


def issue_dates(rng: Random, count: int) -> list[date]:
    first = date(start_year(count), 1, 1)
    weekdays = [first + DAY * i for i in range((AS_OF - first).days + 1)]
    weekdays = [day for day in weekdays if day.weekday() < 5]
    return sorted(rng.choices(weekdays, k=count))


def make_invoices(rng: Random, clients: list[Client], count: int) -> tuple[list[Invoice], list[Case]]:
    drafts = min(5, 1 + count // 5000) if count else 0
    dates = issue_dates(rng, count - drafts)
    weights = [rng.paretovariate(1.2) for _ in clients]
    buyers = rng.choices(clients, weights, k=count)
    for client in clients:
        client.pending = [m for _, _, milestones in client.projects for m in milestones]
    invoices: list[Invoice] = []
    cases: list[Case] = []
    seq: Counter[int] = Counter()
    for day, client in zip(dates, buyers[: len(dates)], strict=True):
        seq[day.year] += 1
        invoice = issued_invoice(rng, client, invoice_id(day.year, seq[day.year]), day)
        cases.extend(simulate(rng, invoice))
        invoices.append(invoice)
    last = dates[-1] if dates else AS_OF
    for n, client in enumerate(draft_clients(rng, clients, buyers[len(dates) :]), 1):
        day = max(last, AS_OF - DAY * rng.randint(0, 3))
        last = day
        invoices.append(draft_invoice(rng, client, n, day))
    if seq and max(seq.values()) > MAX_SEQ:
        sys.exit(f"generate: more than {MAX_SEQ} invoices in one year; lower PER_YEAR_TARGET")
    return invoices, cases


def invoice_id(year: int, seq: int) -> str:
    return f"INV-{year}-{seq:04d}"


def draft_clients(rng: Random, clients: list[Client], buyers: list[Client]) -> list[Client]:
    """Drafts mostly come from completed milestones, as `ledgerops draft` makes them."""
    with_milestones = [c for c in clients if c.pending]
    return [rng.choice(with_milestones) if with_milestones and rng.random() < 0.7 else b for b in buyers]


def invoice_lines(
    rng: Random, client: Client, allow_milestone: bool
) -> tuple[tuple[Line, ...], Milestone | None]:
    if allow_milestone and client.pending and rng.random() < 0.5:
        milestone = client.pending.pop(0)
        return (Line(milestone.description, 10, milestone.amount, milestone.tax_rate),), milestone
    lines = []
    for description, (q_low, q_high), cents, yen in rng.sample(SERVICES, rng.choice((1, 1, 2, 3))):
        low, high = yen if client.currency == "JPY" else cents
        price = rng.randint(low, high)
        price = price - price % 100 if client.currency == "JPY" else price - price % 50
        rate = 7 if client.tax_rate == 19 and description == "Travel expenses" else client.tax_rate
        lines.append(Line(description, rng.randint(q_low, q_high) // 5 * 5, price, rate))
    return tuple(lines), None


def po_number(rng: Random, client: Client, year: int) -> str | None:
    if client.po_required or rng.random() < 0.1:
        return client.po_format.format(n=rng.randint(1, 99999), year=year)
    return None


def base_invoice(rng: Random, client: Client, inv_id: str, day: date, allow_milestone: bool) -> Invoice:
    lines, milestone = invoice_lines(rng, client, allow_milestone)
    return Invoice(
        id=inv_id,
        client=client,
        issue=day,
        due=day + DAY * client.terms,
        lines=lines,
        milestone=milestone,
        po_number=po_number(rng, client, day.year),
        comment=rng.choice(INVOICE_COMMENTS) if rng.random() < 0.02 else None,
        notes="split from quote Q-2291" if rng.random() < 0.005 else None,
    )


def issued_invoice(rng: Random, client: Client, inv_id: str, day: date) -> Invoice:
    void = rng.random() < 0.02
    # A voided invoice never carries a milestone: the milestone stays free for its reissue.
    invoice = base_invoice(rng, client, inv_id, day, allow_milestone=not void)
    sent_day = min(AS_OF, day + DAY * rng.choice((0, 0, 0, 0, 1, 3)))
    if void:
        invoice.status = "void"
        was_sent = rng.random() < 0.6
        if was_sent:
            invoice.sent_at = at(sent_day, rng.randint(9, 17), rng.randint(0, 59))
        invoice.voided_at = min(AS_OF, (sent_day if was_sent else day) + DAY * rng.randint(0, 20))
        return invoice
    invoice.sent_at = at(sent_day, rng.randint(9, 17), rng.randint(0, 59))
    return invoice


def draft_invoice(rng: Random, client: Client, n: int, day: date) -> Invoice:
    """A draft has no number yet: it is named after its milestone, as `ledgerops draft` names it."""
    invoice = base_invoice(rng, client, "", day, allow_milestone=True)
    what = f"{invoice.milestone.project}-{invoice.milestone.code}" if invoice.milestone else f"extra-{n}"
    invoice.id = f"DRAFT-{client.id}-{what}"
    invoice.status = "draft"
    if client.po_required and rng.random() < 0.5:
        invoice.po_number = None  # allowed: a PO is required only before sending
    if rng.random() < 0.3:
        invoice.hold = "custom terms, waiting for legal"
    return invoice


# ---------------------------------------------------------------- payment and reminder history


def payment_plan(rng: Random, invoice: Invoice) -> tuple[list[date], date | None]:
    """Dates of the payments made up to AS_OF, and the day the invoice was settled if it was.

    Some clients pay in two instalments; a second instalment after AS_OF leaves a
    partially paid invoice.
    """
    payer = invoice.client.payer
    if rng.random() < payer.never:
        return [], None
    sent_day = invoice.sent_at.date()
    settle = max(sent_day, invoice.due + DAY * round(rng.gauss(payer.mean_delay, payer.spread)))
    if rng.random() < payer.partial:
        first = max(sent_day, settle - DAY * rng.randint(5, 20))
        settle += DAY * rng.randint(5, 30)
        plan = [first, settle]
    else:
        plan = [settle]
    made = [day for day in plan if day <= AS_OF]
    return made, settle if settle <= AS_OF else None


def simulate(rng: Random, invoice: Invoice) -> list[Case]:
    """Fill in payments, reminders and late fees of a sent invoice; return its exception cases."""
    if invoice.status != "sent":
        return []
    plan, settled = payment_plan(rng, invoice)
    total, _ = invoice_total(invoice.lines)
    last_active = min(AS_OF, settled - DAY) if settled else AS_OF
    cases = manual_cases(rng, invoice, last_active, settled)
    fee_day = None
    if invoice.client.reminders:
        pauses = sorted((c.opened, pause_end(c)) for c in cases)
        invoice.reminders, escalation = reminder_history(invoice, pauses, last_active)
        fee_day = first_active(invoice.due + DAY * LATE_FEE_GRACE_DAYS, pauses)
        fee_day = fee_day if fee_day <= last_active else None
        if escalation:
            case = escalation_case(rng, invoice, escalation, settled, written_off=not plan)
            if case.resolution == WRITE_OFF:
                invoice.status, invoice.voided_at = "void", case.resolved
            cases.append(case)
    fee = (total * LATE_FEE_PERMILLE + 500) // 1000 if fee_day else 0
    if fee_day and fee > 0:
        invoice.late_fees = [(fee_day, fee)]
    invoice.payments = payments(rng, invoice, plan, total, fee, settled)
    return cases


def payments(
    rng: Random, invoice: Invoice, plan: list[date], total: int, fee: int, settled: date | None
) -> list[Payment]:
    """Amounts for the planned dates: the settling payment covers the late fee too."""
    if not plan:
        return []
    if settled and len(plan) == 1:
        return [payment(rng, invoice, settled, total + fee)]
    first = max(1, total * rng.randint(30, 70) // 100)
    made = [payment(rng, invoice, plan[0], first)]
    if settled:
        made.append(payment(rng, invoice, settled, total + fee - first))
    return made


def payment(rng: Random, invoice: Invoice, day: date, amount: int) -> Payment:
    if rng.random() < 0.15:
        return Payment(day, amount, "card", f"ch_{rng.getrandbits(48):012x}")
    prefix = {"EUR": "SEPA", "USD": "ACH", "JPY": "Zengin"}[invoice.client.currency]
    return Payment(day, amount, "bank_transfer", f"{prefix} {rng.randint(1000, 999999)}")


def pause_end(case: Case) -> date:
    """Last day an exception pauses its invoice (an open one without `until`: forever)."""
    end = case.resolved - DAY if case.resolved else FAR_FUTURE
    return min(end, case.until) if case.until else end


def first_active(day: date, pauses: list[tuple[date, date]]) -> date:
    for start, end in pauses:
        if start <= day <= end:
            day = end + DAY if end < FAR_FUTURE else FAR_FUTURE
    return day


def next_sending_day(day: date, pauses: list[tuple[date, date]]) -> date:
    """First day from `day` on that is a weekday and not paused by an exception."""
    while True:
        day = first_active(day, pauses)
        if day == FAR_FUTURE or day.weekday() < 5:
            return day
        day += DAY * (7 - day.weekday())


def reminder_history(
    invoice: Invoice, pauses: list[tuple[date, date]], last_active: date
) -> tuple[list[tuple[str, datetime]], date | None]:
    """Replay the policy's reminder rules (docs/spec.md §6) up to `last_active`.

    Returns the reminders sent and the day a final escalation was opened, if any.
    """
    sent_day = invoice.sent_at.date()
    stages = [(name, invoice.due + DAY * off, manual) for name, off, manual in STAGES]
    stages = [s for s in stages if s[1] >= sent_day]  # a stage before sending never applies
    manual_day = next((day for _, day, manual in stages if manual), FAR_FUTURE)
    sent: list[tuple[str, datetime]] = []
    last_message = sent_day
    index = 0
    while index < len(stages) and not stages[index][2]:
        day = next_sending_day(max(stages[index][1], last_message + DAY * MIN_GAP_DAYS), pauses)
        if day > last_active or day >= manual_day:
            break
        while index + 1 < len(stages) and stages[index + 1][1] <= day and not stages[index + 1][2]:
            index += 1  # missed stages are skipped: only the latest due one goes out
        sent.append((stages[index][0], at(day, 8, 5 + index)))
        last_message = day
        index += 1
    escalation = first_active(manual_day, pauses) if manual_day < FAR_FUTURE else None
    return sent, escalation if escalation and escalation <= last_active else None


def manual_cases(rng: Random, invoice: Invoice, last_active: date, settled: date | None) -> list[Case]:
    """Cases a person or the payment import opened while the invoice was unpaid."""
    first = invoice.sent_at.date() + DAY
    if rng.random() >= 0.03 or first > last_active:
        return []
    reason, source, note, resolution = rng.choice(EXCEPTION_CASES)
    opened = first + DAY * rng.randint(0, (last_active - first).days)
    resolved = opened + DAY * rng.randint(1, 30)
    if settled and rng.random() < 0.5:
        resolved = max(opened, settled)
    until = opened + DAY * rng.randint(7, 21) if reason == "promise_to_pay" else None
    if resolved > AS_OF:
        return [Case(invoice.id, reason, source, note, opened, None, None, until)]
    return [Case(invoice.id, reason, source, note, opened, resolved, resolution, until)]


def escalation_case(
    rng: Random, invoice: Invoice, opened: date, settled: date | None, written_off: bool
) -> Case:
    """The final escalation; the founder closes it when paid, or by a decision.

    An invoice that never saw a cent is mostly written off (voided), so that old bad debts
    do not pile up in the 90+ bucket the way they would not in a real ledger.
    """
    if settled:
        resolved, resolution = settled, "Paid after a phone call"
    else:
        resolved = opened + DAY * rng.randint(3, 45)
        choices = ("Agreed a payment plan by phone", "Handed to the collection agency")
        resolution = WRITE_OFF if written_off and rng.random() < 0.9 else rng.choice(choices)
    note = "Final notice stage reached; call the client"
    if resolved > AS_OF:
        return Case(invoice.id, "final_escalation", "reminder-engine", note, opened, None, None, None)
    return Case(invoice.id, "final_escalation", "reminder-engine", note, opened, resolved, resolution, None)


# ---------------------------------------------------------------- YAML text


def client_yaml(client: Client) -> str:
    out = [f"{client.comment}\n" if client.comment else ""]
    out.append(f"id: {scalar(client.id)}\nname: {scalar(client.name)}\n")
    if len(client.emails) == 1:
        out.append(f"email: {client.emails[0]}\n")
    else:
        out.append(f"email: [{', '.join(client.emails)}]\n")
    if client.cc:
        out.append(f"cc: [{', '.join(client.cc)}]\n")
    out.append(f"segment: {client.segment}\n")
    if client.write_currency:
        out.append(f"currency: {client.currency}\n")
    out.append(f"locale: {client.locale}\n")
    if client.write_terms:
        out.append(f"terms_days: {client.terms}\n")
    if client.po_required:
        out.append("po_required: true\n")
    if not client.reminders:
        out.append("reminders: false               # relationship handled personally\n")
    out.append(f"address: |\n  {client.address}\ntax_id: {scalar(client.tax_id)}\n")
    if client.tax_rate == 0:
        out.append("tax_treatment: export\n")  # the reason of its 0 % lines (docs/spec.md §4.5)
    if client.notes:
        out.append(f"notes: {scalar(client.notes)}\n")
    if client.projects:
        out.append("projects:\n")
        for code, name, milestones in client.projects:
            out.append(f"  {code}:\n    name: {scalar(name)}\n    milestones:\n")
            for m in milestones:
                amount = money(m.amount, client.currency)
                out.append(
                    f"      {m.code}: {{description: {scalar(m.description)}, amount: {amount}, "
                    f"tax_rate: {m.tax_rate}}}\n"
                )
    return "".join(out)


def invoice_yaml(invoice: Invoice) -> str:
    client = invoice.client
    currency = client.currency
    out = [f"id: {invoice.id}\nclient: {scalar(client.id)}\n"]
    if invoice.milestone:
        out.append(f"project: {invoice.milestone.project}\nmilestone: {invoice.milestone.code}\n")
    out.append(f"issue_date: {invoice.issue}\ndue_date: {invoice.due}\ncurrency: {currency}\n")
    if invoice.status == "draft":
        out.append(f"service_date: {invoice.issue}\n")
    if invoice.po_number:
        out.append(f"po_number: {scalar(invoice.po_number)}\n")
    out.append("lines:\n")
    for line in invoice.lines:
        out.append(
            f"  - description: {scalar(line.description)}\n"
            f"    quantity: {quantity(line.quantity10)}\n"
            f"    unit_price: {money(line.unit_price, currency)}\n"
            f"    tax_rate: {line.tax_rate}\n"
        )
    if invoice.comment:
        out.append(f"{invoice.comment}\n")
    out.append(f"status: {invoice.status}\n")
    if invoice.sent_at:
        out.append(f"sent_at: {timestamp(invoice.sent_at)}\n")
    if invoice.hold:
        out.append(f"hold: {scalar(invoice.hold)}\n")
    if invoice.notes:
        out.append(f"notes: {scalar(invoice.notes)}\n")
    if invoice.payments:
        out.append("payments:\n")
        for p in invoice.payments:
            out.append(
                f"  - {{date: {p.day}, amount: {money(p.amount, currency)}, "
                f"method: {p.method}, ref: {json.dumps(p.ref)}}}\n"
            )
    if invoice.reminders:
        out.append("reminders:\n")
        for stage, moment in invoice.reminders:
            out.append(
                f"  - {{stage: {stage}, sent_at: {timestamp(moment)}, "
                f'message_id: "<{invoice.id}-{stage}@ledgerops>"}}\n'
            )
    if invoice.late_fees:
        out.append("late_fees:\n")
        for day, amount in invoice.late_fees:
            out.append(f"  - {{date: {day}, amount: {money(amount, currency)}, rule: late_fee}}\n")
    if invoice.voided_at:
        out.append(f"voided_at: {invoice.voided_at}\n")
    return "".join(out)


def case_yaml(case_id: str, case: Case) -> str:
    out = [
        f"id: {case_id}\ninvoice: {case.invoice}\nreason: {case.reason}\n",
        f"opened_at: {case.opened}\nsource: {scalar(case.source)}\nnote: {scalar(case.note)}\n",
    ]
    if case.resolved:
        out.append(
            f"status: resolved\nresolved_at: {case.resolved}\nresolution: {scalar(case.resolution or '')}\n"
        )
    else:
        out.append("status: open\n")
    if case.until:
        out.append(f"until: {case.until}\n")
    return "".join(out)


def numbered_cases(cases: list[Case]) -> list[tuple[str, Case]]:
    """EXC-{year}-{seq:04d} ids in opening order, per year like invoices."""
    seq: Counter[int] = Counter()
    numbered = []
    for case in sorted(cases, key=lambda c: (c.opened, c.invoice)):
        seq[case.opened.year] += 1
        numbered.append((f"EXC-{case.opened.year}-{seq[case.opened.year]:04d}", case))
    return numbered


def write_ledger(out: Path, ledger: Ledger) -> int:
    """Write every file; returns the number of files written."""
    (out / "clients").mkdir(parents=True)
    (out / "exceptions").mkdir()
    (out / "policy.yaml").write_text(POLICY, encoding="utf-8")
    for client in ledger.clients:
        (out / "clients" / f"{client.id}.yaml").write_text(client_yaml(client), encoding="utf-8")
    for inv in ledger.invoices:
        folder = out / "invoices" / ("drafts" if inv.status == "draft" else str(inv.issue.year))
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{inv.id}.yaml").write_text(invoice_yaml(inv), encoding="utf-8")
    numbered = numbered_cases(ledger.cases)
    for case_id, case in numbered:
        (out / "exceptions" / f"{case_id}.yaml").write_text(case_yaml(case_id, case), encoding="utf-8")
    return 1 + len(ledger.clients) + len(ledger.invoices) + len(numbered)


# ---------------------------------------------------------------- Beancount


def bean_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def beancount_text(ledger: Ledger) -> str:
    """The same facts as one Beancount v3 file: sales, taxes, late fees and payments."""
    opened = min((inv.issue for inv in ledger.invoices), default=AS_OF).replace(month=1, day=1)
    head = ['option "title" "ledgerops benchmark ledger"\noption "operating_currency" "EUR"\n\n']
    head += [f"{opened} commodity {currency}\n" for currency in DECIMALS]
    accounts = ("Assets:Bank", "Income:Sales", "Income:LateFees", "Liabilities:Tax")
    head += [f"{opened} open {account}\n" for account in accounts]
    head += [f"{opened} open Assets:Receivable:{c.account}\n" for c in ledger.clients]
    entries: list[tuple[date, str, int, str]] = []
    for inv in ledger.invoices:
        if inv.status == "sent":
            entries.extend(invoice_entries(inv))
    entries.sort(key=lambda e: e[:3])
    return "".join(head) + "".join(text for *_, text in entries)


def invoice_entries(inv: Invoice) -> list[tuple[date, str, int, str]]:
    currency = inv.client.currency
    receivable = f"Assets:Receivable:{inv.client.account}"
    payee = bean_string(inv.client.name)
    total, taxes = invoice_total(inv.lines)
    tax = sum(taxes.values())
    sale = (
        f'\n{inv.issue} * {payee} "{inv.id}"\n  invoice: "{inv.id}"\n'
        f"  {receivable}  {money(total, currency)} {currency}\n"
        f"  Income:Sales  -{money(total - tax, currency)} {currency}\n"
    )
    if tax:
        sale += f"  Liabilities:Tax  -{money(tax, currency)} {currency}\n"
    entries = [(inv.issue, inv.id, 0, sale)]
    for day, amount in inv.late_fees:
        fee = money(amount, currency)
        text = (
            f'\n{day} * {payee} "Late fee {inv.id}"\n  invoice: "{inv.id}"\n'
            f"  {receivable}  {fee} {currency}\n  Income:LateFees  -{fee} {currency}\n"
        )
        entries.append((day, inv.id, 1, text))
    for p in inv.payments:
        paid = money(p.amount, currency)
        text = (
            f'\n{p.day} * {payee} "Payment {inv.id}"\n  invoice: "{inv.id}"\n'
            f"  Assets:Bank  {paid} {currency}\n  {receivable}  -{paid} {currency}\n"
        )
        entries.append((p.day, inv.id, 2, text))
    return entries


# ---------------------------------------------------------------- command line


def git_commit(out: Path) -> None:
    """Make the ledger a git repository with one commit, as a real ledger would be."""
    stamp = f"{AS_OF}T12:00:00+01:00"  # fixed dates: the same seed gives the same commit
    env = {**os.environ, "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
    identity = ["-c", "user.name=Benchmark", "-c", "user.email=bench@ledgerops.example"]
    commit = [*identity, "-c", "commit.gpgsign=false", "commit", "-q", "-m", "Generated ledger"]
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], commit):
        subprocess.run(["git", "-C", str(out), *args], check=True, env=env)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", type=Path, help="new or empty directory for the ledger")
    parser.add_argument("--invoices", type=int, default=10000)
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--beancount", type=Path, help="also write the same facts as one Beancount file")
    parser.add_argument("--git", action="store_true", help="git init and commit the ledger")
    args = parser.parse_args(argv)
    if args.invoices < 0 or args.clients < 1:
        parser.error("--invoices must be >= 0 and --clients >= 1")
    if args.out_dir.exists() and any(args.out_dir.iterdir()):
        parser.error(f"{args.out_dir} is not empty; stale files would mix with the new ledger")
    return args


def generate(invoices: int, clients: int, seed: int) -> Ledger:
    rng = Random(seed)
    client_list = make_clients(rng, clients)
    invoice_list, cases = make_invoices(rng, client_list, invoices)
    return Ledger(client_list, invoice_list, cases)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    ledger = generate(args.invoices, args.clients, args.seed)
    files = write_ledger(args.out_dir, ledger)
    if args.beancount:
        args.beancount.write_text(beancount_text(ledger), encoding="utf-8")
    if args.git:
        git_commit(args.out_dir)
    print(f"wrote {files} files to {args.out_dir}", file=sys.stderr)


if __name__ == "__main__":
    main()
