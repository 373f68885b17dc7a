"""Real ledgers for the reminder tests: a copy of the example ledger in a git repository,
optionally cloned from a bare `origin`, so runs commit and push as they do in production."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from collections import Counter
from datetime import date
from pathlib import Path

from ledgerops.app.load import load
from ledgerops.context import Context
from ledgerops.core.model import Ledger
from tests.conftest import LEDGEROPS, copy_example, run_cli

DAY = "2026-11-27"


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout


def example_repo(target: Path) -> Path:
    """The example ledger as a git repository with one commit on main."""
    copy_example(target)
    (target / ".gitignore").write_text("outbox/\n")
    git(target, "init", "-q", "-b", "main")
    _identity(target)
    git(target, "add", "-A")
    git(target, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "example ledger")
    return target


def with_origin(tmp: Path, clones: int = 1) -> tuple[Path, list[Path]]:
    """A bare origin holding the example ledger, and `clones` working copies of it."""
    seed = example_repo(tmp / "seed")
    origin = tmp / "origin.git"
    git(tmp, "clone", "-q", "--bare", str(seed), str(origin))
    copies = [tmp / f"clone{n}" for n in range(clones)]
    for copy in copies:
        git(tmp, "clone", "-q", str(origin), str(copy))
        _identity(copy)
    return origin, copies


def _identity(repo: Path) -> None:
    """A person for the commands that commit as you (pay, pause, exception), whatever the
    machine's own git configuration."""
    git(repo, "config", "user.name", "Mara Lindqvist")
    git(repo, "config", "user.email", "mara@lindqvist-design.example")


def commit_all(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", message)
    if git(repo, "remote"):
        git(repo, "push", "-q", "origin", "main")


def smtp_env(server, **extra: str) -> dict[str, str]:
    return {**os.environ, **server.environ(**extra)}


def start(command: str, ledger: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """`ledgerops run` (or `send`, `remind`) on 2026-11-27 with JSON output, in the background;
    to the outbox unless the test names a transport (a clone of origin must name one)."""
    transport = () if "--transport" in args else ("--transport", "outbox")
    return subprocess.Popen(
        [LEDGEROPS, command, "--ledger", str(ledger), "--today", DAY, "--format", "json", *transport, *args],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def kill_after_accepting(server, nth: int, command: str, ledger: Path) -> None:
    """Run `command` against the SMTP server and SIGKILL it right after the server took its
    nth message, before the command hears the server's reply."""
    victim: dict[str, int] = {}
    accept = server.handler.handle_DATA

    async def accept_then_kill(smtp, session, envelope):
        reply = await accept(smtp, session, envelope)
        if len(server.received) == nth and "pid" in victim:
            os.kill(victim.pop("pid"), signal.SIGKILL)
        return reply

    server.handler.handle_DATA = accept_then_kill
    process = start(command, ledger, "--transport", "smtp", env=smtp_env(server))
    victim["pid"] = process.pid
    assert process.wait(timeout=120) == -signal.SIGKILL
    server.handler.handle_DATA = accept


def finish(process: subprocess.Popen[str]) -> tuple[int, dict, str]:
    out, err = process.communicate(timeout=120)
    return process.returncode, (json.loads(out) if out.strip() else {}), err


# --- what reached the server and what origin recorded --------------------------------------
SENT_DAY = date(2026, 11, 27)
EXPECTED = {
    "<INV-2026-0015.invoice@lindqvist-design.example>",
    "<INV-2026-0007.overdue_7@lindqvist-design.example>",
    "<INV-2026-0012.due@lindqvist-design.example>",
    "<INV-2026-0013.pre_due@lindqvist-design.example>",
}
ALL_SENT = Counter({("INV-2026-0015", "invoice"): 1, ("INV-2026-0007", "overdue_7"): 1,
                    ("INV-2026-0012", "due"): 1, ("INV-2026-0013", "pre_due"): 1})  # fmt: skip
# One more draft: approved after the example's, it is issued as INV-2026-0016.
NEXT_DRAFT_PATH = "invoices/drafts/DRAFT-brotwerk-SHOP-M2.yaml"
NEXT_DRAFT = """\
id: DRAFT-brotwerk-SHOP-M2
client: brotwerk
project: SHOP
milestone: M2
issue_date: 2026-11-27
due_date: 2026-12-27
service_date: 2026-11-27
currency: EUR
lines:
  - {description: Opening flyers and posters, quantity: 1, unit_price: 950.00, tax_rate: 19}
status: draft
"""


def message_ids(server) -> Counter[str]:
    return Counter(str(r.message["Message-ID"]) for r in server.received)


def origin_ledger(origin: Path, tmp: Path) -> Ledger:
    """The ledger as pushed to origin, loaded from a fresh clone."""
    copy = tmp / "verify"
    git(tmp, "clone", "-q", str(origin), str(copy))
    assert run_cli("check", "--ledger", str(copy), "--today", DAY).returncode == 0
    ledger = load(Context(copy, SENT_DAY)).ledger
    assert ledger is not None
    return ledger


def sent_stages(ledger: Ledger) -> Counter[tuple[str, str]]:
    """(invoice, stage) recorded on 2026-11-27, the invoice email as stage 'invoice'."""
    found: Counter[tuple[str, str]] = Counter()
    for invoice in ledger.invoices:
        assert invoice.claims == ()
        found.update((invoice.id, r.stage) for r in invoice.reminders if r.sent_at.date() == SENT_DAY)
        if invoice.sent_at and invoice.sent_at.date() == SENT_DAY:
            found[(invoice.id, "invoice")] += 1
    return found


def cases(ledger: Ledger, reason: str) -> list[str]:
    return sorted(c.invoice for c in ledger.exceptions if c.reason == reason and c.status == "open")
