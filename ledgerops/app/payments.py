"""`ledgerops payments import`: bank statements -> payments on invoices, each recorded by the
same round-trip edit as `ledgerops pay`, all in one commit; lines that look like a payment
for us but match nothing open an `unmatched_payment` case."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ledgerops.app.exception import NewCase, write_cases
from ledgerops.app.load import READABLE, Ready, load_ledger, require_no_errors
from ledgerops.app.records import edit_record, plan_saving, save
from ledgerops.context import Context
from ledgerops.core.bank import BankLine, CsvRules
from ledgerops.core.diagnostics import Diagnostic
from ledgerops.core.errors import UsageError
from ledgerops.core.matching import Applied, Outcome, match_lines, recorded_invoices
from ledgerops.core.model import ExceptionCase, Ledger
from ledgerops.core.saved import Saved
from ledgerops.edge.statements import read_statement
from ledgerops.yamlfile.edit import AppendItem, Scalar
from ledgerops.yamlfile.read import read_record
from ledgerops.yamlfile.schema import CSV_RULES, INVOICE

REASON = "unmatched_payment"
SOURCE = "payments import"


@dataclass(frozen=True)
class Imported:
    """What an import found, and (without --dry-run) what it wrote."""

    outcomes: tuple[Outcome, ...] = ()
    cases: tuple[NewCase, ...] = ()  # to open (dry run) or opened
    opened: tuple[ExceptionCase, ...] = ()
    problems: tuple[Diagnostic, ...] = ()  # a statement or rules file that cannot be read
    dry_run: bool = False
    written: tuple[str, ...] = ()  # ledger paths
    saved: Saved = field(default_factory=Saved)
    moved: tuple[tuple[str, str], ...] = ()  # --done: (statement, where it went), ledger paths


def _shown(path: Path) -> str:
    return path.as_posix()


def read_rules(path: Path | None) -> tuple[CsvRules | None, list[Diagnostic]]:
    if path is None:
        return None, []
    try:
        data = path.read_bytes()
    except OSError as error:
        raise UsageError(f"--rules {path}: {error.strerror}") from None
    rules, problems = read_record(_shown(path), data, CSV_RULES)
    return rules, problems


def read_lines(files: Sequence[Path], rules_path: Path | None) -> tuple[list[BankLine], list[Diagnostic]]:
    rules, problems = read_rules(rules_path)
    if problems:
        return [], problems
    lines: list[BankLine] = []
    for path in files:
        found, wrong = read_statement(path, _shown(path), rules)
        lines.extend(found)
        problems.extend(wrong)
    return ([], problems) if problems else (lines, [])


def unmatched_cases(
    ledger: Ledger, outcomes: Sequence[Outcome], source_prefix: str = SOURCE, all_ours: bool = False
) -> list[NewCase]:
    """One case per unmatched line that looks like ours (with the invoice it names, if any),
    once whatever the re-imports: the case's source carries the line's id. `all_ours`: every
    line is money paid to us (a Stripe payment), whatever its text."""
    known = {case.source for case in ledger.exceptions}
    if REASON not in ledger.policy.exceptions.reasons:
        return []
    cases = []
    for outcome in outcomes:
        source = f"{source_prefix} {outcome.line.id}"
        if outcome.status != "unmatched" or not (all_ours or outcome.looks_ours) or source in known:
            continue
        line = outcome.line
        note = (f"{line.amount} {line.currency} on {line.date} from {line.counterparty or 'an unknown payer'} "
                f"({line.source}): {outcome.evidence}")  # fmt: skip
        cases.append(NewCase(outcome.invoices[0] if outcome.invoices else None, REASON, note, source))
        known.add(source)
    return cases


def write_payments(
    ctx: Context, ready: Ready, by_invoice: Mapping[str, Sequence[Applied]], cases: list[NewCase]
) -> tuple[list[Path], list[ExceptionCase]]:
    """Append each payment to its invoice's `payments` by a round-trip edit (comments and
    layout kept), then create the cases: what `payments import` and `payments sync` write."""
    paths = {inv.id: inv.path for inv in ready.ledger.invoices}
    written: list[Path] = []
    for invoice_id, applied in by_invoice.items():
        changes = []
        for item in applied:
            p = item.payment
            values: dict[str, Scalar | None] = {"date": p.date, "amount": p.amount, "method": p.method,
                                                "ref": p.ref, "import_id": p.import_id}  # fmt: skip
            changes.append(AppendItem.of("payments", values))
        path = paths[invoice_id]
        written.append(edit_record(ctx.ledger_dir, path, changes, INVOICE, ready.read_as(path)))
    opened = write_cases(ctx, ready.ledger, cases, ready.today)
    written += [ctx.ledger_dir / case.path for case in opened]
    return written, opened


def _inside(ctx: Context, path: Path, what: str) -> str:
    root = ctx.ledger_dir.resolve()
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        raise UsageError(f"{what} {path} is not inside the ledger {ctx.ledger_dir}") from None


def plan_moves(ctx: Context, files: Sequence[Path], done: Path | None) -> list[tuple[str, str]]:
    """--done DIR: where each statement goes (ledger paths): DIR/<name>, or <stem>-2<suffix>,
    -3... when that name is taken. Statement and DIR must be inside the ledger."""
    if done is None:
        return []
    folder = _inside(ctx, done, "--done")
    moves: list[tuple[str, str]] = []
    taken: set[str] = set()
    for path in files:
        source = _inside(ctx, path, "with --done, the statement")
        name = Path(source).name
        target, n = f"{folder}/{name}", 1
        while target in taken or (ctx.ledger_dir / target).exists():
            n += 1
            target = f"{folder}/{Path(name).stem}-{n}{Path(name).suffix}"
        if source == target:
            raise UsageError(f"{path} is in --done {done} already")
        taken.add(target)
        moves.append((source, target))
    return moves


def _move(ctx: Context, moves: Sequence[tuple[str, str]]) -> list[Path]:
    changed = []
    for source, target in moves:
        (ctx.ledger_dir / target).parent.mkdir(parents=True, exist_ok=True)
        os.replace(ctx.ledger_dir / source, ctx.ledger_dir / target)
        changed += [ctx.ledger_dir / source, ctx.ledger_dir / target]
    return changed


def import_statements(
    ctx: Context,
    files: Sequence[Path],
    rules_path: Path | None,
    *,
    dry_run: bool,
    commit: bool = True,
    push: bool | None = None,
    done: Path | None = None,
) -> Imported:
    """`done`: move the statements there once imported, in the same commit (the daily
    workflow's imports/ -> imports/done/)."""
    moves = plan_moves(ctx, files, done)
    lines, problems = read_lines(files, rules_path)
    if problems:
        return Imported(problems=tuple(problems), dry_run=dry_run)
    ready = load_ledger(ctx, READABLE)
    ledger, today = ready.ledger, ready.today
    outcomes = match_lines(lines, ledger, today)
    cases = unmatched_cases(ledger, outcomes)
    by_invoice = recorded_invoices(outcomes)
    paths = {inv.id: inv.path for inv in ledger.invoices}
    targets = [paths[invoice] for invoice in by_invoice]
    if dry_run or not (targets or cases or moves):
        return Imported(outcomes, tuple(cases), dry_run=dry_run)
    require_no_errors(ready, ["policy.yaml", *targets])
    statements = [source for source, _ in moves]
    saving = plan_saving(
        ctx.ledger_dir, ledger, [*targets, *statements], commit, push
    )  # kept as any change of yours
    written, opened = write_payments(ctx, ready, by_invoice, cases)
    written += _move(ctx, moves)
    count = sum(len(v) for v in by_invoice.values())
    message = f"payments import: {count} payment{'s' if count != 1 else ''}"
    if by_invoice:
        message += f" on {', '.join(by_invoice)}"
    if opened:
        message += f"; {len(opened)} unmatched_payment case{'s' if len(opened) != 1 else ''}"
    if moves:
        message += f"; {len(moves)} statement{'s' if len(moves) != 1 else ''} moved to {Path(moves[0][1]).parent.as_posix()}"
    saved = save(ctx.ledger_dir, saving, written, message)
    relative = tuple(p.relative_to(ctx.ledger_dir).as_posix() for p in written)
    return Imported(outcomes, tuple(cases), tuple(opened), dry_run=False, written=relative, saved=saved,
                    moved=tuple(moves))  # fmt: skip
