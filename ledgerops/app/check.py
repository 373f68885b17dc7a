"""`ledgerops check`: every problem of the ledger, sorted by file and line. Never writes to it.

`check` runs in pre-commit hooks and on every pull request of ledgers with 100,000
invoices, so it never holds the whole ledger: each invoice file is read, checked on its
own (core/checks.check_invoice) and boiled down to a Summary — its diagnostics and the
InvoiceFacts that the whole-ledger rules need. Summaries are kept between runs in a cache
outside the ledger (edge/cache.py); a summary is reused while its file, its client's file
and the policy are unchanged and today lies in the span in which its answer holds. Many
files to read are split over two processes (edge/parallel.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

from ledgerops.app.load import (
    SMALL_KINDS,
    InvoiceReader,
    credit_note_checks,
    file_stem,
    ledger_files,
    many_objects,
    paths_by_kind,
    read_small,
    split_over_processes,
    whole_ledger_checks,
)
from ledgerops.context import Context
from ledgerops.core.checks import InvoiceFacts, client_einvoice, invoice_facts, verdict_dates
from ledgerops.core.diagnostics import Diagnostic, diag, has_errors
from ledgerops.core.model import Client, ExceptionCase, Invoice, Ledger
from ledgerops.core.policy import Policy
from ledgerops.edge import store
from ledgerops.render.output import sort_diagnostics

# Below this many files, reading them all costs less than looking after a cache.
CACHE_FROM = 500
_FORMAT = "check-5"  # records gained credit notes, peppol_id, contact_name, phone
_BROKEN = b"broken"  # an invoice's client whose file exists but does not load

Signature = store.Version


@dataclass(frozen=True)
class Checked:
    diagnostics: tuple[Diagnostic, ...]
    invoices_read: int = 0  # invoice files read and checked by this run
    invoices_kept: int = 0  # invoice files whose answer came from the cache

    @property
    def has_errors(self) -> bool:
        return has_errors(self.diagnostics)


class Entry(NamedTuple):
    """A policy, client or exception file as read."""

    signature: Signature | None
    digest: bytes
    diagnostics: tuple[Diagnostic, ...]
    record: Any


class Summary(NamedTuple):
    """An invoice file as read and checked, and what that answer depends on."""

    signature: Signature | None
    digest: bytes
    diagnostics: tuple[Diagnostic, ...]  # what reading and check_invoice found
    facts: InvoiceFacts | None  # None: the file did not load
    policy: bytes  # digest of the policy it was checked against
    client: bytes | None  # digest of its client's file, _BROKEN, or None for no such client
    valid_from: date  # today's span in which the answer holds: [valid_from, valid_until)
    valid_until: date


def run(ctx: Context, use_cache: bool = True) -> Checked:
    files, diagnostics = ledger_files(ctx)
    paths = paths_by_kind(files)
    keep = use_cache and len(files) >= CACHE_FROM
    with many_objects():
        files_read = _Files(ctx, keep, (entry.path for entry in files))
        records = {path: files_read.record(path, kind) for kind in SMALL_KINDS for path in paths[kind]}
        policy_entry = records[paths["policy"][0]]
        reader = InvoiceReader(
            ctx, policy_entry.record, {path: records[path].record for path in paths["client"]}
        )
        invoices = _Invoices(files_read, reader, policy_entry.digest, records.values())
        summaries = invoices.summaries(paths["invoice"])
    for entry in records.values():
        diagnostics.extend(entry.diagnostics)
    diagnostics.extend(reader.problems)
    facts: list[InvoiceFacts] = []
    broken_invoices: set[str] = set()
    for path, summary in zip(paths["invoice"], summaries, strict=True):
        diagnostics.extend(summary.diagnostics)
        if summary.facts is None:
            broken_invoices.add(file_stem(path))
        else:
            facts.append(summary.facts)
    policy: Policy | None = policy_entry.record
    if policy is not None:
        exceptions = [records[path].record for path in paths["exception"] if records[path].record is not None]
        diagnostics.extend(whole_ledger_checks(reader, facts, broken_invoices, exceptions))
        diagnostics.extend(_credit_notes(ctx, reader, records, paths["credit_note"], facts, broken_invoices))
        diagnostics.extend(_einvoices(ctx, reader, facts, diagnostics, use_cache))
        diagnostics.extend(_templates(ctx, policy, reader.today))
    if keep:
        files_read.save(records, dict(zip(paths["invoice"], summaries, strict=True)))
    kept = len(summaries) - invoices.made
    return Checked(tuple(sort_diagnostics(diagnostics)), invoices.made, kept)


def _credit_notes(
    ctx: Context,
    reader: InvoiceReader,
    records: dict[str, Entry],
    paths: list[str],
    facts: list[InvoiceFacts],
    broken_invoices: set[str],
) -> list[Diagnostic]:
    """The credit notes' rules. Of the invoices, check holds only facts: it reads again the
    few that credit notes name, for their totals and payments."""
    notes = [records[path].record for path in paths if records[path].record is not None]
    if not notes or reader.policy is None:
        return []
    broken = broken_invoices | {file_stem(path) for path in paths if records[path].record is None}
    named = {note.credits for note in notes}
    invoices = _read_again(ctx, reader, [found for found in facts if found.id in named])
    exceptions = [entry.record for entry in records.values() if isinstance(entry.record, ExceptionCase)]
    return credit_note_checks(reader.policy, notes, invoices, broken, exceptions)


def _read_again(ctx: Context, reader: InvoiceReader, facts: list[InvoiceFacts]) -> list[Invoice]:
    """The whole records of a few invoices, of which check holds only facts."""
    invoices = []
    for found in facts:
        invoice, _ = reader.read(found.path, store.read_bytes(ctx.ledger_dir, found.path))
        if invoice is not None:
            invoices.append(invoice)
    return invoices


def _einvoices(
    ctx: Context, reader: InvoiceReader, facts: list[InvoiceFacts], found: list[Diagnostic], use_cache: bool
) -> list[Diagnostic]:
    """The e-invoices that are still to leave — of the drafts and issued, unsent invoices of
    clients that get one — against the official rules, as they would be sent today, so
    `check` in the pull request refuses what `run` would refuse. An invoice whose own file,
    client or policy has errors is left to those. Verdicts are kept by the e-invoice's
    content: compiling the rules costs a second or two, paid again only when one changed."""
    policy = reader.policy
    assert policy is not None
    erring = {d.source.path for d in found if d.severity == "error"}
    waiting = [f for f in facts if f.status == "draft" and f.client in reader.clients
               and not {f.path, reader.clients[f.client].path, "policy.yaml"} & erring
               and client_einvoice(reader.clients[f.client], policy) != "none"]  # fmt: skip
    if not waiting:
        return []
    from ledgerops.app.render import as_sent_today
    from ledgerops.app.send import einvoice_failures, einvoice_of
    from ledgerops.edge import cache

    where, stamp = cache.location(ctx.ledger_dir, "einvoices"), f"{_FORMAT} {cache.build_stamp()}"
    kept = cache.load(where, stamp) if use_cache else None
    verdicts: dict[bytes, list[Any]] = kept[0] if kept else {}
    now: dict[bytes, list[Any]] = {}
    problems = []
    for invoice in _read_again(ctx, reader, waiting):
        alone = Ledger(policy, reader.clients, (invoice,), ())
        chosen, data = einvoice_of(alone, as_sent_today(alone, invoice, reader.today), reader.today)
        if data is None:
            continue
        key = cache.content_key(data) + chosen.encode()
        failed = now[key] = verdicts[key] if key in verdicts else einvoice_failures(data, chosen)
        for rule, _, location, text in failed:
            problems.append(diag("einvoice-invalid", invoice.at("id"),
                                 f"its {chosen} e-invoice fails {rule} at {_xpath(location)}: {text}"))  # fmt: skip
    if use_cache and now != verdicts:
        cache.save(where, stamp, now)
    return problems


def _xpath(location: str) -> str:
    """An SVRL location as a person reads it: /Invoice[1]/AccountingCustomerParty[1]/..."""
    import re

    return re.sub(r"\[namespace-uri\(\)='[^']*'\]|\*:|Q\{[^}]*\}", "", location)


def _templates(ctx: Context, policy: Policy, today: date) -> list[Diagnostic]:
    from ledgerops.app.templatecheck import template_diagnostics

    return template_diagnostics(ctx.ledger_dir, policy, today)


# Summaries are pickled as plain tuples: named tuples take three times as long (1.1 s for
# 100,000 summaries against 0.4 s), and a warm run unpickles them all.
def _plain(summary: Summary) -> tuple:
    facts = summary.facts
    return (*summary[:3], tuple(facts) if facts is not None else None, *summary[4:])


def _summary(values: tuple) -> Summary:
    facts = values[3]
    return Summary._make((*values[:3], InvoiceFacts(*facts) if facts is not None else None, *values[4:]))


def _folder(path: str) -> str:
    return path.rpartition("/")[0]


class _Files:
    """The ledger's files as read, through the cache of the previous run when there is one.

    The cache is kept in one file per ledger folder (invoices/2026, clients, ...), so an
    edit rewrites only its folder's part: at 100,000 invoices, writing the whole cache
    costs 0.8 s and one year's part a tenth of that.
    """

    def __init__(self, ctx: Context, keep: bool, paths: Iterable[str]) -> None:
        self.root = ctx.ledger_dir
        self.prefix = f"{self.root}{os.sep}"
        self.keep = keep
        self.records: dict[str, Entry] = {}
        self.invoices: dict[str, Summary] = {}
        self.written: dict[str, int] = {}  # folder -> when its part of the cache was written
        self.kept: dict[str, int] = {}  # folder -> how many files its part holds
        self.dirty: set[str] = set()  # folders whose part must be written again
        if keep:
            from ledgerops.edge import cache  # pickle and hashlib: only for ledgers that need them

            self.cache = cache
            self.digest = cache.content_key
            self.base = cache.location(self.root, "check")
            self.stamp = f"{_FORMAT} {cache.build_stamp()}"
            for folder in sorted({_folder(path) for path in paths}):
                self._load(folder)

    def _where(self, folder: str) -> Path:
        return self.base.with_name(f"{self.base.stem}-{folder.replace('/', '-') or 'top'}{self.base.suffix}")

    def _load(self, folder: str) -> None:
        loaded = self.cache.load(self._where(folder), self.stamp)
        if loaded is None:
            return
        values, self.written[folder] = loaded
        self.kept[folder] = len(values)
        if folder.startswith("invoices"):
            self.invoices.update((path, _summary(plain)) for path, plain in values.items())
        else:
            self.records.update(values)

    def save(self, records: dict[str, Entry], invoices: dict[str, Summary]) -> None:
        """Write the parts of the cache whose folders changed."""
        folders: dict[str, list[str]] = {}
        for path in (*records, *invoices):
            folders.setdefault(_folder(path), []).append(path)
        for folder, paths in folders.items():
            if folder in self.dirty or self.kept.get(folder) != len(paths):
                values = {
                    path: records[path] if path in records else _plain(invoices[path]) for path in paths
                }
                self.cache.save(self._where(folder), self.stamp, values)

    def signature(self, path: str) -> Signature | None:
        if not self.keep:
            return None
        try:
            return store.version(self.prefix + path)
        except OSError:
            return None

    def unchanged(self, path: str, before: Signature | None, now: Signature | None) -> bool:
        """Whether a file is as it was when the cache was written. Like git's index, a file
        changed in the same clock tick as the cache was written may look unchanged: such
        files are read again."""
        return now is not None and before == now and now[1] < self.written.get(_folder(path), 0)

    def read(self, path: str) -> tuple[bytes, bytes]:
        data = store.read_bytes(self.root, path)
        return data, self.digest(data) if self.keep else b""

    def record(self, path: str, kind: str) -> Entry:
        signature = self.signature(path)
        before = self.records.get(path)
        if before is not None and self.unchanged(path, before.signature, signature):
            return before
        self.dirty.add(_folder(path))
        data, digest = self.read(path)
        if before is not None and before.digest == digest and self.keep:
            return before._replace(signature=signature)
        record, found = read_small(path, data, kind)
        return Entry(signature, digest, tuple(found), record)


class _Invoices:
    """Summaries of invoice files: kept from the cache while they hold, made where not."""

    def __init__(
        self, files: _Files, reader: InvoiceReader, policy_digest: bytes, read: Iterable[Entry]
    ) -> None:
        """`read`: this run's entries of the policy, client and exception files."""
        self.files, self.reader, self.policy_digest = files, reader, policy_digest
        self.client_digests: dict[str, bytes] = {}
        for entry in read:
            client = entry.record
            if isinstance(client, Client) and reader.clients.get(client.id) is client:
                self.client_digests[client.id] = entry.digest
        self.made = 0

    def client_of(self, client_id: str) -> bytes | None:
        """What an invoice's answer depends on of its client: the file's digest."""
        if client_id in self.client_digests:
            return self.client_digests[client_id]
        return _BROKEN if client_id in self.reader.broken_clients else None

    def holds(self, summary: Summary) -> bool:
        """Whether a kept summary is still the answer for its (unchanged) file."""
        facts = summary.facts
        if facts is None:
            return True  # what reading found depends on the file alone
        return (
            summary.policy == self.policy_digest
            and summary.client == self.client_of(facts.client)
            and summary.valid_from <= self.reader.today < summary.valid_until
        )

    def summaries(self, paths: list[str]) -> list[Summary]:
        files = self.files
        kept: dict[str, Summary] = {}
        missing: list[tuple[str, Signature | None]] = []
        for path in paths:
            signature = files.signature(path)
            before = files.invoices.get(path)
            if before and files.unchanged(path, before.signature, signature) and self.holds(before):
                kept[path] = before
            else:
                missing.append((path, signature))
        if missing:
            files.dirty.update(_folder(path) for path, _ in missing)
            self.made = len(missing)
            made = split_over_processes(self.make_all, missing)
            kept.update(zip((path for path, _ in missing), made, strict=True))
        return [kept[path] for path in paths]

    def make_all(self, files: list[tuple[str, Signature | None]]) -> list[Summary]:
        return [self.make(path, signature) for path, signature in files]

    def make(self, path: str, signature: Signature | None) -> Summary:
        """The summary of a file, from its signature taken before it is read: a change after
        that shows in the next run's signature."""
        files = self.files
        data, digest = files.read(path)
        before = files.invoices.get(path)
        if before is not None and files.keep and before.digest == digest and self.holds(before):
            return before._replace(signature=signature)
        invoice, found = self.reader.read(path, data)
        if invoice is None:
            return Summary(signature, digest, tuple(found), None, b"", None, date.min, date.max)
        policy, today = self.reader.policy, self.reader.today
        days = verdict_dates(invoice, policy) if policy is not None else frozenset()
        return Summary(
            signature,
            digest,
            tuple(found),
            invoice_facts(invoice),
            self.policy_digest,
            self.client_of(invoice.client),
            max((day for day in days if day <= today), default=date.min),
            min((day for day in days if day > today), default=date.max),
        )
