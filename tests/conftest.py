"""Shared fixtures: copies of the example ledger, small ledgers built from text, the real CLI."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from hypothesis import settings

from ledgerops.app.load import Loaded, load
from ledgerops.context import Context
from tests import mailserver

REPO = Path(__file__).resolve().parent.parent
LEDGEROPS = str(Path(sys.executable).with_name("ledgerops"))
EXAMPLE_DAY = date(2026, 11, 27)
LEDGER_PARTS = ("policy.yaml", "clients", "invoices", "exceptions")

# CI replays the same examples on every run, so a red build reproduces; a failure prints the
# blob to pass to @reproduce_failure. Developers keep the default, randomised search.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev")
settings.load_profile("ci" if os.environ.get("CI") else "dev")


def copy_example(target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for part in LEDGER_PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, target / part)
        else:
            shutil.copy2(source, target / part)
    return target


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True).stdout


def example_repo(target: Path) -> Path:
    """A copy of the example ledger as a git repository with one commit on main."""
    root = copy_example(target)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "-c", "user.name=Mara", "-c", "user.email=mara@example.invalid", "commit", "-qm", "ledger")
    return root


def run_cli(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The installed `ledgerops` command, as a user runs it."""
    return subprocess.run(
        [LEDGEROPS, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under root with its bytes, to prove a command changed nothing."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


BASE_FILES = {
    "policy.yaml": """\
        company: {name: Jane Doe Studio, email: billing@janedoe.example, address: "Main St 1, 10115 Berlin", tax_id: DE136695976}
        currency: EUR
        currencies: [EUR, JPY]
        timezone: Europe/Berlin
        bank: {iban: DE89370400440532013000}
        """,
    "clients/acme.yaml": """\
        id: acme
        name: ACME GmbH
        email: ap@acme.example
        segment: standard
        terms_days: 30
        projects:
          WEB:
            name: Website
            milestones:
              M1: {description: Discovery, amount: 2500.00, tax_rate: 19}
        address: "Hauptstr. 5, 80331 München"
        """,
    "invoices/2026/INV-2026-0001.yaml": """\
        id: INV-2026-0001
        client: acme
        project: WEB
        milestone: M1
        issue_date: 2026-11-02
        due_date: 2026-12-02
        currency: EUR
        lines:
          - description: Discovery
            quantity: 1
            unit_price: 2500.00
            tax_rate: 19
        status: sent
        sent_at: 2026-11-02T10:15:00+01:00
        service_date: 2026-10-30
        """,
}


class MiniLedger:
    """A small valid ledger on disk; tests change one file to provoke one diagnostic."""

    def __init__(self, root: Path) -> None:
        self.root = root
        for path, text in BASE_FILES.items():
            self.write(path, text)

    def write(self, path: str, text: str) -> Path:
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text), encoding="utf-8")
        return target

    def draft(self, path: str = "invoices/2026/INV-2026-0001.yaml") -> str:
        """Turn an issued invoice of the ledger into the draft it was before: no number, in
        invoices/drafts/ under its draft id; the draft's path."""
        source = self.root / path
        text = re.sub(r"sent_at: .*\n", "", source.read_text()).replace("status: sent", "status: draft")
        fields = dict(re.findall(r"^(client|project|milestone): (\S+)$", text, re.MULTILINE))
        draft_id = f"DRAFT-{fields['client']}-{fields.get('project')}-{fields.get('milestone')}"
        text = re.sub(r"^id: .*$", f"id: {draft_id}", text, count=1, flags=re.MULTILINE)
        source.unlink()
        new_path = f"invoices/drafts/{draft_id}.yaml"
        self.write(new_path, text)
        return new_path

    def write_bytes(self, path: str, data: bytes) -> None:
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)

    def load(self, today: date = date(2026, 11, 10)) -> Loaded:
        return load(Context(self.root, today))

    def codes(self, today: date = date(2026, 11, 10)) -> list[tuple[str, str, int, int]]:
        """(code, file, line, column) of every diagnostic."""
        return [(d.code, d.source.path, d.source.line, d.source.col) for d in self.load(today).diagnostics]


@pytest.fixture
def mini(tmp_path: Path) -> MiniLedger:
    return MiniLedger(tmp_path / "ledger")


@pytest.fixture
def example(tmp_path: Path) -> Path:
    return copy_example(tmp_path / "example")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden", action="store_true", help="Rewrite golden files from the current output."
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden") or os.environ.get("LEDGEROPS_UPDATE_GOLDEN"))


@pytest.fixture
def smtp_server(tmp_path: Path) -> Iterator[Callable[..., mailserver.MailServer]]:
    """Start real SMTP servers on localhost: smtp_server(tls="starttls", user=..., password=...)."""
    started: list[mailserver.MailServer] = []

    def start(**kwargs: str) -> mailserver.MailServer:
        server = mailserver.start(tmp_path, **kwargs)
        started.append(server)
        return server

    yield start
    for server in started:
        server.controller.stop()


@pytest.fixture(autouse=True)
def _own_cache_folder(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test (and every ledgerops process it starts) keeps `check`'s cache in a folder
    of its own, never in the home folder of whoever runs the suite."""
    monkeypatch.setenv("LEDGEROPS_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
