"""The command line: parse options, build the Context, call app.<command>.run, render, exit.

The only importer of click. Heavy modules are imported inside the commands that use them,
so `ledgerops --help` and `ledgerops check` start fast.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from functools import wraps
from pathlib import Path
from typing import Any

import click

from ledgerops import __version__
from ledgerops.context import Context
from ledgerops.errors import LedgeropsError

FORMATS = ("text", "json")


def _ledger_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--ledger",
        "ledger_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("."),
        show_default=True,
        help="The ledger folder.",
    )(func)


def _date_option(name: str, help_text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option(name, type=click.DateTime(["%Y-%m-%d"]), default=None, help=help_text)


def _today_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return _date_option(
        "--today", "Pretend today is this date (YYYY-MM-DD); default: today in the policy's time zone."
    )(func)


def _day(value: Any) -> date | None:
    return value.date() if value is not None else None


def _emit(text: str) -> None:
    click.echo(text, nl=False)


def _note_errors(errors: bool) -> None:
    if errors:
        click.echo("note: the ledger has errors; run 'ledgerops check'", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="ledgerops")
@click.option("--debug", is_flag=True, help="Show a traceback for internal errors.")
@click.pass_context
def cli(click_ctx: click.Context, debug: bool) -> None:
    """Invoice operations for one-person companies, kept as plain text in git."""
    click_ctx.obj = {"debug": debug}


@cli.command()
@_ledger_option
@_today_option
@click.option("--format", "fmt", type=click.Choice(("text", "json", "github")), default="text", show_default=True,
              help="text for people, json for programs (SPEC §9), github for pull-request annotations.")  # fmt: skip
@click.option(
    "--github-prefix", default="", help="With --format github: the ledger's folder in the repository."
)
@click.option("--cache/--no-cache", default=True, show_default=True,
              help="Reuse the answers for unchanged files, kept outside the ledger (docs/speed.md).")  # fmt: skip
def check(ledger_dir: Path, today: Any, fmt: str, github_prefix: str, cache: bool) -> None:
    """Validate every file of the ledger against the policy. Never writes to the ledger.

    Exit 0: no errors (warnings allowed); 1: errors; 2: the command could not run.
    """
    from ledgerops.app import check as app
    from ledgerops.app.load import source_line
    from ledgerops.render import output

    loaded = app.run(Context(ledger_dir, _day(today)), use_cache=cache)
    if click.get_current_context().find_root().obj["debug"]:
        click.echo(f"ledgerops: read {loaded.invoices_read} invoice file(s), "
                   f"{loaded.invoices_kept} from the cache", err=True)  # fmt: skip
    diagnostics = loaded.diagnostics
    if fmt == "json":
        _emit(output.diagnostics_json(diagnostics))
    elif fmt == "github":
        _emit(output.diagnostics_github(diagnostics, github_prefix))
    else:
        _emit(output.diagnostics_text(diagnostics, lambda path, line: source_line(ledger_dir, path, line)))
    sys.exit(1 if loaded.has_errors else 0)


@cli.command()
@_ledger_option
@_today_option
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
def invoices(ledger_dir: Path, today: Any, fmt: str) -> None:
    """List every invoice with its derived state, balance, due date and days overdue."""
    from ledgerops.app import status as app
    from ledgerops.render import tables

    rows, errors, day = app.run(Context(ledger_dir, _day(today)))
    _emit(tables.statuses_json(rows, day) if fmt == "json" else tables.statuses_text(rows))
    _note_errors(errors)


@cli.command()
@_ledger_option
@_date_option("--as-of", "The review's date (YYYY-MM-DD), to the end of that day; default: today.")
@click.option("--format", "fmt", type=click.Choice(("markdown", "json")), default="markdown", show_default=True,
              help="markdown: the page for GitHub; json: the figures for programs (SPEC §9).")  # fmt: skip
@click.option(
    "--write", is_flag=True, help="Save reports/weekly/<ISO week>.md and reports/README.md, then commit."
)
@click.option("--no-commit", is_flag=True, help="With --write: save the files but do not commit them.")
@click.option("--push", is_flag=True,
              help="With --write: push the commit to origin, writing again if origin moved on (never forced).")  # fmt: skip
def report(ledger_dir: Path, as_of: Any, fmt: str, write: bool, no_commit: bool, push: bool) -> None:
    """The weekly review: aging, DSO, on-time rate, drift alerts and the exception queue."""
    from ledgerops.app import report as app
    from ledgerops.render import report as render

    ctx = Context(ledger_dir, _day(as_of))
    if push and (no_commit or not write):
        raise click.UsageError("--push goes with --write and without --no-commit")
    if write:
        _, written = app.publish(ctx) if push else app.write(ctx, commit=not no_commit)
        show = render.written_json if fmt == "json" else render.written_text
        _emit(show(written.paths, written.commit))
        return
    review, errors = app.review(ctx)
    _emit(render.review_json(review) if fmt == "json" else render.review_markdown(review))
    _note_errors(errors)


@cli.command()
@_ledger_option
@_date_option("--as-of", "Measure to the end of this day (YYYY-MM-DD); default: today.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
def aging(ledger_dir: Path, as_of: Any, fmt: str) -> None:
    """Receivable by days past due, per currency and per client."""
    from ledgerops.app import aging as app
    from ledgerops.render import report as render

    table, errors = app.run(Context(ledger_dir, _day(as_of)))
    _emit(render.aging_json(table) if fmt == "json" else render.aging_text(table))
    _note_errors(errors)


@cli.group()
def policy() -> None:
    """Review the billing policy."""


@policy.command("impact")
@_ledger_option
@_today_option
@click.option("--against", metavar="REF", default=None,
              help="Compare with policy.yaml at this git ref (branch, tag, commit); default: HEAD.")  # fmt: skip
@click.option("--policy", "policy_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Compare with this policy file instead of a git ref.")  # fmt: skip
@click.option("--days", type=click.IntRange(1, 366), default=30, show_default=True,
              help="How many days ahead to run the schedule.")  # fmt: skip
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
def policy_impact(
    ledger_dir: Path, today: Any, against: str | None, policy_file: Path | None, days: int, fmt: str
) -> None:
    """What the working tree's policy changes against another version: messages sent, moved or
    dropped, late fees and escalations over the next days, and the last 8 weeks replayed."""
    from ledgerops.app import policy_impact as app
    from ledgerops.render import impact as render

    impact, before = app.run(Context(ledger_dir, _day(today)), against, policy_file, days)
    _emit(render.impact_json(impact, before) if fmt == "json" else render.impact_text(impact, before))


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--company", default="My Company", show_default=True, help="Your company name.")
@click.option("--email", default="billing@example.com", show_default=True, help="Your billing address.")
@click.option("--currency", default="EUR", show_default=True, help="Your default currency.")
@click.option("--no-git", is_flag=True, help="Do not run 'git init'.")
def init(directory: Path, company: str, email: str, currency: str, no_git: bool) -> None:
    """Create a new, empty ledger in DIRECTORY that passes 'ledgerops check'."""
    from ledgerops.app import init as app

    created = app.run(directory, company=company, email=email, currency=currency, git=not no_git)
    click.echo(f"created a new ledger in {directory} ({len(created)} files); next: edit policy.yaml")


@cli.command()
@click.argument("record", required=False, type=click.Choice(("policy", "client", "invoice", "exception")))
@click.option("-o", "--output-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Write <record>.schema.json files into this folder instead of printing.")  # fmt: skip
def schema(record: str | None, output_dir: Path | None) -> None:
    """Print (or write) the JSON Schema of a record, for editor autocompletion."""
    from ledgerops.app import schema as app

    if output_dir is not None:
        for path in app.write(output_dir, record):
            click.echo(str(path))
    else:
        _emit(app.text(record or "invoice"))


def _no_commit_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--no-commit", is_flag=True, help="Write the files but do not commit them.")(func)


_transport_option = click.option(
    "--transport",
    type=click.Choice(("outbox", "smtp")),
    default="outbox",
    show_default=True,
    help="outbox writes .eml files to outbox/; smtp sends with the LEDGEROPS_SMTP_* settings.",
)


def _no_push_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--no-push", is_flag=True, help="Commit, but do not fetch from or push to origin.")(
        func
    )


@cli.command()
@_ledger_option
@_today_option
@click.option("--client", help="Client id (with --project and --milestone).")
@click.option("--project", help="Project code from the client's contract data.")
@click.option("--milestone", help="Milestone id from the client's contract data.")
@click.option(
    "--event",
    "event_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="An event file (JSON or YAML): {client, project, milestone, completed_on, po_number, amount}.",
)
@click.option(
    "--github-event",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A GitHub event payload ($GITHUB_EVENT_PATH): closed milestone, billable issue, dispatch.",
)
@_date_option("--date", "The invoice's issue date (default: the event's date, else today).")
@click.option("--po", "po_number", help="The client's purchase-order number.")
@click.option("--format", "fmt", type=click.Choice((*FORMATS, "github")), default="text", show_default=True,
              help="github: step outputs (status, invoice, path, needs_review, summary) for $GITHUB_OUTPUT.")  # fmt: skip
def draft(
    ledger_dir: Path,
    today: Any,
    client: str | None,
    project: str | None,
    milestone: str | None,
    event_file: Path | None,
    github_event: Path | None,
    date: Any,
    po_number: str | None,
    fmt: str,
) -> None:
    """Write a draft invoice for a delivered milestone (never commits: approval is the merge).

    Exit 0: drafted, already invoiced, or not a billable event; 1: the event cannot be drafted.
    """
    from ledgerops.app import draft as app
    from ledgerops.render import actions

    source = app.EventSource(client, project, milestone, event_file, github_event, _day(date), po_number)
    result = app.run(Context(ledger_dir, _day(today)), source)
    _emit({"json": actions.draft_json, "github": actions.draft_github}.get(fmt, actions.draft_text)(result))
    sys.exit(1 if result.status == "invalid" else 0)


@cli.command(name="render")
@click.argument("invoice_id")
@_ledger_option
@_today_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("html", "pdf", "txt")),
    default=None,
    help="Default: from the -o file's extension, else txt.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file.")
def render_invoice(
    invoice_id: str, ledger_dir: Path, today: Any, fmt: str | None, output: Path | None
) -> None:
    """Render one invoice as HTML, PDF or text, as the client will see it."""
    from ledgerops.app import render as app

    fmt = fmt or (output.suffix.lstrip(".") if output and output.suffix[1:] in app.FORMATS else "txt")
    if fmt == "pdf" and output is None and sys.stdout.isatty():
        raise click.UsageError("a PDF needs -o FILE (or a pipe)")
    data = app.run(Context(ledger_dir, _day(today)), invoice_id, fmt, output)
    if output is None:
        sys.stdout.buffer.write(data)
    else:
        click.echo(f"wrote {output}")


@cli.command()
@_ledger_option
@_today_option
@_transport_option
@click.option("--dry-run", is_flag=True, help="Show what would be sent; send and write nothing.")
@_no_commit_option
@_no_push_option
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
def send(
    ledger_dir: Path, today: Any, transport: str, dry_run: bool, no_commit: bool, no_push: bool, fmt: str
) -> None:
    """Email every approved, unsent invoice with its PDF and record it as sent, each at most
    once (the claim protocol of 'run'): the claim is committed and pushed before the email leaves.

    Exit 0: every invoice it tried was accepted (blocked ones are listed); 1: some were not.
    """
    from ledgerops.app import send as app
    from ledgerops.render import actions

    ctx = Context(ledger_dir, _day(today))
    report = app.run(ctx, transport=transport, dry_run=dry_run, commit=not no_commit, push=not no_push)
    _emit(actions.send_json(report) if fmt == "json" else actions.send_text(report))
    sys.exit(0 if report.ok else 1)


@cli.command()
@click.argument("invoice_id")
@_ledger_option
@_today_option
@click.option("--amount", required=True, help="The amount received, e.g. 1847.61.")
@click.option("--date", "paid_on", type=click.DateTime(["%Y-%m-%d"]), required=True, help="When it arrived.")
@click.option("--method", help="One of policy.payment_methods, e.g. bank_transfer.")
@click.option("--ref", help="Bank reference or receipt number.")
@_no_commit_option
def pay(
    invoice_id: str,
    ledger_dir: Path,
    today: Any,
    amount: str,
    paid_on: Any,
    method: str | None,
    ref: str | None,
    no_commit: bool,
) -> None:
    """Record a payment on a sent invoice (and commit it)."""
    from ledgerops.app import pay as app
    from ledgerops.render import actions

    ctx = Context(ledger_dir, _day(today))
    result = app.pay(ctx, invoice_id, amount, _day(paid_on), method, ref, commit=not no_commit)
    _emit(actions.recorded_text(result, "pay"))
    sys.exit(0 if result.written else 1)


@cli.command()
@click.argument("invoice_id")
@_ledger_option
@_today_option
@click.option("--reason", required=True, help="Why the invoice is voided (kept in the file).")
@_date_option("--date", "The void date (default: today).")
@_no_commit_option
def void(invoice_id: str, ledger_dir: Path, today: Any, reason: str, date: Any, no_commit: bool) -> None:
    """Void an invoice: it keeps its number, and nothing is owed on it any more."""
    from ledgerops.app import pay as app
    from ledgerops.render import actions

    result = app.void(Context(ledger_dir, _day(today)), invoice_id, reason, _day(date), commit=not no_commit)
    _emit(actions.recorded_text(result, "void"))
    sys.exit(0 if result.written else 1)


def _delivery_options(func: Callable[..., Any]) -> Callable[..., Any]:
    options = (
        click.option("--dry-run", is_flag=True, help="Show what would happen; write nothing, send nothing."),
        click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True),
        _transport_option,
        _no_push_option,
    )  # fmt: skip
    for option in reversed(options):
        func = option(func)
    return func


def _deliver(app: Any, ctx: Context, dry_run: bool, fmt: str, transport: str, no_push: bool) -> int:
    """remind and run: print the plan (--dry-run) or run it; the exit code.

    With --dry-run, 1 means a message could not be composed; otherwise that one failed."""
    from ledgerops.render import runreport

    if dry_run:
        shown = app.preview(ctx)
        render = runreport.preview_json if fmt == "json" else runreport.preview_text
        _emit(render(shown.plan, shown.messages))
        for failure in shown.failures:
            click.echo(f"ledgerops: {failure.invoice} {failure.stage}: {failure.detail}", err=True)
        return 1 if shown.failures else 0
    summary = app.run(ctx, transport, push=not no_push)
    _emit(runreport.summary_json(summary) if fmt == "json" else runreport.summary_text(summary))
    return 0 if summary.ok else 1


@cli.command()
@_ledger_option
@_today_option
@_delivery_options
def remind(ledger_dir: Path, today: Any, dry_run: bool, fmt: str, transport: str, no_push: bool) -> None:
    """Send today's reminders (SPEC §6), each (invoice, stage) at most once; record and commit them.

    Exit 0: everything due went out; 1: a message failed (the others still went); 2: cannot run.
    """
    from ledgerops.app import remind as app

    sys.exit(_deliver(app, Context(ledger_dir, _day(today)), dry_run, fmt, transport, no_push))


@cli.command("run")
@_ledger_option
@_today_option
@_delivery_options
def run_(ledger_dir: Path, today: Any, dry_run: bool, fmt: str, transport: str, no_push: bool) -> None:
    """The daily job: check, send approved invoices, send reminders, record, commit, push.

    Every email leaves at most once, even when runs overlap or one is killed. A failure for
    one invoice never stops the others. Exit 0: all done; 1: something failed; 2: cannot run.
    """
    from ledgerops.app import run as app

    sys.exit(_deliver(app, Context(ledger_dir, _day(today)), dry_run, fmt, transport, no_push))


def _by_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--by", "source", envvar=["LEDGEROPS_USER", "USER"], default="manual", show_default=True,
                        help="Who routes the case (recorded as its source); default $LEDGEROPS_USER or $USER.")(func)  # fmt: skip


@cli.group()
def exception() -> None:
    """The exception queue: cases that need a person. An open case pauses its invoice."""


@exception.command("open")
@_ledger_option
@_today_option
@click.argument("invoice")
@click.option("--reason", required=True, help="One of policy.exceptions.reasons, e.g. dispute.")
@click.option("--note", default="", help="What happened, for the person who picks it up.")
@_date_option("--until", "Pause only through this date (e.g. a promise to pay); reminders resume after it.")
@_by_option
def exception_open(
    ledger_dir: Path, today: Any, invoice: str, reason: str, note: str, until: Any, source: str
) -> None:
    """Open a case for INVOICE: no automatic message goes out for it while it is open."""
    from ledgerops.app import exceptions as app

    case = app.open_case(
        Context(ledger_dir, _day(today)), app.NewCase(invoice, reason, note, source, _day(until))
    )
    click.echo(f"opened {case.id} ({case.reason}) for {case.invoice}: {case.path}")


@exception.command("resolve")
@_ledger_option
@_today_option
@click.argument("case_id", metavar="EXC")
@click.option("--resolution", required=True, help="What was decided.")
def exception_resolve(ledger_dir: Path, today: Any, case_id: str, resolution: str) -> None:
    """Resolve case EXC; its invoice gets automatic messages again."""
    from ledgerops.app import exceptions as app

    case = app.resolve(Context(ledger_dir, _day(today)), case_id, resolution)
    click.echo(f"resolved {case.id}: {case.path}")


@exception.command("list")
@_ledger_option
@_today_option
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
def exception_list(ledger_dir: Path, today: Any, fmt: str) -> None:
    """The open cases, oldest first, with their reason codes."""
    from ledgerops.app import exceptions as app
    from ledgerops.render import queue

    entries, ledger, day = app.queue(Context(ledger_dir, _day(today)))
    clients = {inv.id: inv.client for inv in ledger.invoices}
    _emit(queue.queue_json(entries, clients, day) if fmt == "json" else queue.queue_text(entries, clients))


@cli.command()
@_ledger_option
@_today_option
@click.argument("target", metavar="INVOICE|CLIENT")
@_date_option("--until", "The last day of the pause; reminders resume the day after.")
@click.option("--reason", required=True, help="One of policy.exceptions.reasons, e.g. promise_to_pay.")
@click.option("--note", default="", help="Why, for the record.")
@_by_option
def pause(ledger_dir: Path, today: Any, target: str, until: Any, reason: str, note: str, source: str) -> None:
    """Pause automatic messages for an invoice, or every open invoice of a client, through --until."""
    from ledgerops.app import exceptions as app

    if until is None:
        raise click.UsageError("--until is required")
    cases = app.pause(Context(ledger_dir, _day(today)), target, _day(until), reason, note, source)
    for case in cases:
        click.echo(f"opened {case.id} ({case.reason}, until {case.until}) for {case.invoice}")


def _guarded(entry: Callable[..., Any]) -> Callable[..., None]:
    """Expected failures exit 2 with one line; any other exception is a bug, shown without a
    traceback unless --debug is given."""

    @wraps(entry)
    def run() -> None:
        debug = "--debug" in sys.argv[1:]
        try:
            entry(standalone_mode=False)
        except click.exceptions.Exit as done:
            sys.exit(done.exit_code)
        except click.Abort:
            click.echo("aborted", err=True)
            sys.exit(2)
        except click.ClickException as error:
            error.show()
            sys.exit(2)
        except LedgeropsError as error:
            click.echo(f"ledgerops: error: {error}", err=True)
            sys.exit(error.exit_code)
        except (SystemExit, KeyboardInterrupt):
            raise
        except BaseException as error:
            if debug:
                raise
            click.echo(f"ledgerops: internal error ({type(error).__name__}); rerun with --debug", err=True)
            sys.exit(2)

    return run


main = _guarded(cli.main)
