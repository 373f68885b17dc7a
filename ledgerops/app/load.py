"""Load a ledger, in stages: read every file, then require what the command needs.

The one pipeline every command goes through (`check` too, through its cache):

1. **read** (`load`): find the files, read each record and check it on its own, then run the
   whole-ledger checks. Every diagnostic; the policy itself may not have loaded.
2. **readable** (`READABLE`): the policy loaded, so there is a ledger to answer from. Errors
   in other files are reported with the answer: `invoices`, `aging`, `report`, `exception`.
3. **valid** (`VALID`, `valid_in(...)`): no error anywhere, templates included, before
   anything is sent (`send`, `run`, `remind`); or no error in the files a command writes or
   uses (`pay`, `void`, `draft`, `render`), policy.yaml always among them.

A command refused at a stage has changed nothing. The ledger it gets back carries the
Version of every record file as it was read, so an edit can refuse a file that someone
changed after the command read it (`app/records.edit_record`).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import Any, TypeVar

from ledgerops.context import Context
from ledgerops.core.checks import InvoiceFacts, check_invoice, check_policy, invoice_facts, ledger_checks
from ledgerops.core.credits import check_credit_notes, with_credits
from ledgerops.core.diagnostics import Diagnostic, Source, diag, has_errors
from ledgerops.core.errors import LedgerHasErrors, NotALedger
from ledgerops.core.model import Client, CreditNote, ExceptionCase, Invoice, Ledger
from ledgerops.core.policy import Policy
from ledgerops.edge import clock, store
from ledgerops.yamlfile.read import read_partial, read_record
from ledgerops.yamlfile.schema import RECORDS

Item = TypeVar("Item")
Result = TypeVar("Result")

# From this many invoice files on, a second process reads half of them (edge/parallel.py):
# below it, starting one costs more than it saves.
SPLIT_FROM = 2000


@dataclass(frozen=True)
class Loaded:
    """The read stage: everything that loaded and every diagnostic."""

    ledger: Ledger | None  # None when the policy itself could not be read
    diagnostics: tuple[Diagnostic, ...]
    today: date
    versions: Mapping[str, store.Version] = field(default_factory=dict)  # path -> as read

    @property
    def has_errors(self) -> bool:
        return has_errors(self.diagnostics)


@dataclass(frozen=True)
class Ready:
    """A ledger that passed the stage its command asked for."""

    ledger: Ledger
    diagnostics: tuple[Diagnostic, ...]
    today: date
    versions: Mapping[str, store.Version]

    @property
    def has_errors(self) -> bool:
        return has_errors(self.diagnostics)

    def read_as(self, path: str) -> store.Version | None:
        """The file's Version when this command read it; None for a file it did not read."""
        return self.versions.get(path)


@dataclass(frozen=True)
class Stage:
    """What a command needs of the ledger before it acts."""

    name: str  # 'readable' or 'valid'
    files: frozenset[str] | None = None  # with 'valid': only these must be free of errors
    templates: bool = False  # with 'valid': the email templates too (what sends mail)


READABLE = Stage("readable")
VALID = Stage("valid", templates=True)


def valid_in(*paths: str) -> Stage:
    """No error in these files nor in policy.yaml; errors elsewhere don't stop the command."""
    return Stage("valid", frozenset({"policy.yaml", *paths}))


def load_ledger(ctx: Context, stage: Stage) -> Ready:
    """The ledger through the read stage and then `stage`, or LedgerHasErrors."""
    loaded = load(ctx)
    if stage.templates:
        loaded = with_templates(ctx, loaded)
    if loaded.ledger is None:
        raise LedgerHasErrors(
            "policy.yaml cannot be read; nothing was changed; run 'ledgerops check' to see why"
        )
    ready = Ready(loaded.ledger, loaded.diagnostics, loaded.today, loaded.versions)
    if stage.name == "valid":
        require_no_errors(ready, stage.files)
    return ready


def require_no_errors(ready: Ready, files: Iterable[str] | None = None) -> None:
    """LedgerHasErrors when check finds an error: anywhere, or in one of `files`."""
    wanted = None if files is None else set(files)
    errors = [
        d for d in ready.diagnostics if d.severity == "error" and (wanted is None or d.source.path in wanted)
    ]
    if errors:
        where = sorted({d.source.path for d in errors})
        raise LedgerHasErrors(
            f"the ledger has {len(errors)} error{'s' if len(errors) != 1 else ''} "
            f"({', '.join(where[:3])}{', ...' if len(where) > 3 else ''}); nothing was changed; "
            "run 'ledgerops check' to see them"
        )


def load(ctx: Context) -> Loaded:
    """The read stage: every record and every diagnostic of the ledger; raises NotALedger only."""
    root = ctx.ledger_dir
    files, diagnostics = ledger_files(ctx)
    paths = paths_by_kind(files)
    versions: dict[str, store.Version] = {}
    with many_objects():
        small = {}
        for kind in SMALL_KINDS:
            for path in paths[kind]:
                data, versions[path] = store.read_versioned(root, path)
                small[path] = read_small(path, data, kind)
        policy: Policy | None = small[paths["policy"][0]][0]
        reader = InvoiceReader(ctx, policy, {path: small[path][0] for path in paths["client"]})
        invoices = split_over_processes(reader.read_all, paths["invoice"])
    for _, found in small.values():
        diagnostics.extend(found)
    diagnostics.extend(reader.problems)
    kept: list[Invoice] = []
    broken_invoices: set[str] = set()
    for path, (invoice, found, read_as) in zip(paths["invoice"], invoices, strict=True):
        diagnostics.extend(found)
        versions[path] = read_as
        if invoice is None:
            broken_invoices.add(file_stem(path))
        else:
            kept.append(invoice)
    if policy is None:
        return Loaded(None, tuple(diagnostics), reader.today, versions)
    exceptions = tuple(small[path][0] for path in paths["exception"] if small[path][0] is not None)
    notes = tuple(small[path][0] for path in paths["credit_note"] if small[path][0] is not None)
    broken_notes = {file_stem(path) for path in paths["credit_note"] if small[path][0] is None}
    diagnostics.extend(
        whole_ledger_checks(reader, [invoice_facts(invoice) for invoice in kept], broken_invoices, exceptions)
    )
    diagnostics.extend(credit_note_checks(policy, notes, kept, broken_invoices | broken_notes, exceptions))
    ledger = Ledger(policy, reader.clients, with_credits(kept, notes), exceptions,
                    frozenset(reader.broken_clients), frozenset(broken_invoices), notes)  # fmt: skip
    return Loaded(ledger, tuple(diagnostics), reader.today, versions)


SMALL_KINDS = ("policy", "client", "exception", "credit_note")


def credit_note_checks(
    policy: Policy,
    notes: Iterable[CreditNote],
    invoices: Iterable[Invoice],
    broken: Iterable[str],
    exceptions: Iterable[ExceptionCase],
) -> list[Diagnostic]:
    """The credit notes' rules, given the invoices they credit (or all of them) and every id known."""
    notes = list(notes)
    if not notes:
        return []
    invoices = list(invoices)
    numbered = {inv.id: inv for inv in invoices if inv.numbered}
    known = {inv.id for inv in invoices} | {inv.drafted_as for inv in invoices if inv.drafted_as}
    cases = {case.id for case in exceptions}
    return check_credit_notes(policy, notes, numbered, known, set(broken), cases)


# A rule on the policy that reads more than the field it reports at: what else it reads.
_POLICY_RULE_READS = {
    "currency": ("currency", "currencies"),
    "terms.default_days": ("terms",),
    "late_fee.kind": ("late_fee", "currency", "currencies"),
    "late_fee.value": ("late_fee", "currency"),
    "exceptions.reasons": ("exceptions",),
}


def read_small(path: str, data: bytes, kind: str) -> tuple[Any, list[Diagnostic]]:
    """A policy, client or exception file: its record (None when it failed) and diagnostics."""
    if kind == "policy":
        return read_policy(path, data)
    return read_record(path, data, RECORDS[kind])


def read_policy(path: str, data: bytes) -> tuple[Policy | None, list[Diagnostic]]:
    """policy.yaml, with every problem in one round: when some fields are wrong, the policy's
    own rules still run on the fields that read well (defaults in place of the wrong ones),
    and report what the defaults cannot have caused. So fixing four errors never brings four
    more into view."""
    policy, found = read_record(path, data, RECORDS["policy"])
    if policy is not None or not found:
        return policy, found
    partial, fields = read_partial(path, data, RECORDS["policy"])
    if partial is None:
        return None, found
    wrong = {f"{d.source.line}:{d.source.col}" for d in found}
    broken = [fields[w] for w in wrong if w in fields]
    more = list(check_policy(partial))
    if clock.zone(partial.timezone) is None:
        more.append(diag("invalid-timezone", partial.at("timezone"),
                         f"'{partial.timezone}' is not an IANA time zone name"))  # fmt: skip
    for problem in more:
        where = f"{problem.source.line}:{problem.source.col}"
        reported_at = fields.get(where)
        if where in wrong or reported_at is None:
            continue
        reads = _POLICY_RULE_READS.get(reported_at, (_list_of(reported_at),))
        if not any(_overlap(read, field) for read in reads for field in broken):
            found.append(problem)
    return None, found


def _list_of(field_path: str) -> str:
    """The list a field path is in ('reminders.sequence' of 'reminders.sequence.2.stage'): a
    rule on a list item may compare it with the others."""
    parts = field_path.split(".")
    for index, part in enumerate(parts):
        if part.isdigit():
            return ".".join(parts[:index])
    return field_path


def _overlap(one: str, two: str) -> bool:
    return one == two or one.startswith(two + ".") or two.startswith(one + ".")


def whole_ledger_checks(
    reader: InvoiceReader,
    facts: list[InvoiceFacts],
    broken_invoices: set[str],
    exceptions: Iterable[ExceptionCase],
) -> list[Diagnostic]:
    """The rules that span records (sequence, duplicates, cases), after each file was read."""
    assert reader.policy is not None
    return ledger_checks(
        reader.policy, list(reader.clients.values()), facts, broken_invoices, list(exceptions), reader.today
    )


class InvoiceReader:
    """Reads invoice files, each checked on its own against the policy, its client and today
    (core/checks.check_invoice); the whole-ledger rules are left to the caller."""

    def __init__(self, ctx: Context, policy: Policy | None, clients: Mapping[str, Client | None]) -> None:
        """`clients`: the client records by file path, in file order; None for a file that
        did not load."""
        self.root = ctx.ledger_dir
        self.policy = policy
        self.problems: list[Diagnostic] = []
        if policy is None:
            self.today, self.zone = ctx.today or clock.today_in("UTC"), None
        else:
            self.today, self.zone, self.problems = day_and_zone(ctx, policy)
        self.clients: dict[str, Client] = {}
        self.broken_clients: set[str] = set()
        for path, client in clients.items():
            if client is None:
                self.broken_clients.add(file_stem(path))
            else:
                self.clients.setdefault(client.id, client)

    def read(self, path: str, data: bytes) -> tuple[Invoice | None, list[Diagnostic]]:
        """The invoice (None if it did not load) and its problems: reading's, then checking's."""
        invoice, found = read_record(path, data, RECORDS["invoice"])
        if invoice is None or self.policy is None:
            return invoice, found
        if self.zone is not None:
            invoice = in_zone(invoice, self.zone)
        client = self.clients.get(invoice.client)
        broken = client is None and invoice.client in self.broken_clients
        return invoice, [*found, *check_invoice(invoice, client, broken, self.policy, self.today)]

    def read_all(self, paths: list[str]) -> list[tuple[Invoice | None, list[Diagnostic], store.Version]]:
        """Each file's invoice, problems and Version as read."""
        read = []
        for path in paths:
            data, read_as = store.read_versioned(self.root, path)
            read.append((*self.read(path, data), read_as))
        return read


def split_over_processes(work: Callable[[list[Item]], list[Result]], items: list[Item]) -> list[Result]:
    """work(items), split over two processes when there are enough items to pay for it."""
    if len(items) < SPLIT_FROM:
        return work(items)
    from ledgerops.edge.parallel import split_map

    return split_map(work, items)


def paths_by_kind(files: Iterable[store.RecordFile]) -> dict[str, list[str]]:
    paths: dict[str, list[str]] = {
        "policy": [],
        "client": [],
        "invoice": [],
        "exception": [],
        "credit_note": [],
    }
    for entry in files:
        paths[entry.kind].append(entry.path)
    return paths


def ledger_files(ctx: Context) -> tuple[list[store.RecordFile], list[Diagnostic]]:
    """The ledger's record files, and a warning for each file it skips; NotALedger when the
    folder is not a ledger at all."""
    root = ctx.ledger_dir
    if not root.is_dir():
        raise NotALedger(f"{root} is not a folder")
    if not (root / "policy.yaml").is_file():
        raise NotALedger(f"{root} is not a ledger: it has no policy.yaml (ledgerops init makes one)")
    files, skipped = store.find_records(root)
    return files, [
        diag("wrong-extension", Source(path), f"{path} is skipped: ledger files end in .yaml")
        for path in skipped
    ]


def day_and_zone(ctx: Context, policy: Policy) -> tuple[date, tzinfo | None, list[Diagnostic]]:
    """The day the command acts for, and the policy's time zone (None, with a diagnostic,
    when the policy names no real zone)."""
    today = ctx.today or clock.today_in(policy.timezone)
    zone = clock.zone(policy.timezone)
    if zone is not None:
        return today, zone, []
    return today, None, [diag("invalid-timezone", policy.at("timezone"),
                              f"'{policy.timezone}' is not an IANA time zone name")]  # fmt: skip


@contextmanager
def many_objects() -> Iterator[None]:
    """Reading many small records: the cyclic GC only slows that down and finds nothing to free."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            # The records live until the command ends: keep the collector from walking all
            # of them again on its next full pass (that pass cost 0.3 s at 10,000 invoices).
            gc.freeze()
            gc.enable()


def file_stem(path: str) -> str:
    """The record id a file's name promises: 'invoices/2026/INV-2026-0001.yaml' -> 'INV-2026-0001'."""
    return path.rsplit("/", 1)[-1].removesuffix(".yaml")


def in_zone(invoice: Invoice, zone: tzinfo) -> Invoice:
    """The invoice with its timestamps in the policy's time zone.

    Rules and metrics take a timestamp's date, and docs/spec.md §6 measures days in the policy's
    zone: 23:30 UTC is already tomorrow in Berlin. Timestamps written with the zone's own
    offset, as the tool writes them, are left as they are.
    """

    def local(moment: datetime) -> datetime:
        converted = moment.astimezone(zone)
        return moment if converted.utcoffset() == moment.utcoffset() else converted

    if invoice.sent_at and local(invoice.sent_at) is not invoice.sent_at:
        invoice = replace(invoice, sent_at=local(invoice.sent_at))
    if any(local(r.sent_at) is not r.sent_at for r in invoice.reminders):
        invoice = replace(
            invoice, reminders=tuple(replace(r, sent_at=local(r.sent_at)) for r in invoice.reminders)
        )
    if any(local(c.claimed_at) is not c.claimed_at for c in invoice.claims):
        invoice = replace(
            invoice, claims=tuple(replace(c, claimed_at=local(c.claimed_at)) for c in invoice.claims)
        )
    return invoice


def source_line(ledger_dir: Path, path: str, line: int) -> str | None:
    """The text of one line of a ledger file, for excerpts under a diagnostic."""
    try:
        lines = (ledger_dir / path).read_bytes().decode("utf-8", "replace").splitlines()
    except OSError:
        return None
    return lines[line - 1] if 0 < line <= len(lines) else None


def reread(ctx: Context, ready: Ready, paths: Iterable[str]) -> Ready:
    """The ledger with these files (just written or removed by the tool) read again, added
    or dropped.

    A run keeps its ledger in step with the files it writes without loading them all again.
    """
    ledger = ready.ledger
    records: dict[str, dict[str, Any]] = {
        "invoice": {inv.path: inv for inv in ledger.invoices},
        "exception": {case.path: case for case in ledger.exceptions},
        "credit_note": {note.path: note for note in ledger.credit_notes},
    }
    versions = dict(ready.versions)
    zone = clock.zone(ledger.policy.timezone)
    for path in paths:
        kind = _KIND_OF_FOLDER.get(path.split("/", 1)[0], "exception")
        if not (ctx.ledger_dir / path).exists():  # moved away by the tool (a draft, issued)
            for of_kind in records.values():
                of_kind.pop(path, None)
            versions.pop(path, None)
            continue
        data, versions[path] = store.read_versioned(ctx.ledger_dir, path)
        record, _ = read_record(path, data, RECORDS[kind])
        if kind == "invoice" and record is not None and zone is not None:
            record = in_zone(record, zone)
        if record is not None:
            records[kind][path] = record
    notes = tuple(records["credit_note"].values())
    invoices = with_credits(records["invoice"].values(), notes)
    ledger = replace(
        ledger, invoices=invoices, exceptions=tuple(records["exception"].values()), credit_notes=notes
    )
    return replace(ready, ledger=ledger, versions=versions)


_KIND_OF_FOLDER = {"invoices": "invoice", "credit-notes": "credit_note"}


def with_templates(ctx: Context, loaded: Loaded) -> Loaded:
    """The loaded ledger plus the problems of its email templates (docs/spec.md §6.6)."""
    if loaded.ledger is None:
        return loaded
    from ledgerops.app.templatecheck import template_diagnostics

    found = template_diagnostics(ctx.ledger_dir, loaded.ledger.policy, loaded.today)
    return replace(loaded, diagnostics=(*loaded.diagnostics, *found)) if found else loaded
