"""`check` validates the e-invoices still to leave (drafts and issued, unsent invoices of
clients that get one) against the official rules, as `run` will before it claims them, and
keeps each verdict by the e-invoice's content."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import run_cli, snapshot

pytestmark = pytest.mark.slow  # ledgerops processes, and the rules compiled in each

ROOT = Path(__file__).resolve().parent.parent
DAY = "2026-11-27"
DRAFT = "invoices/drafts/DRAFT-harbor-pine-SOCIAL-M2.yaml"


def _check(ledger: Path, cache: Path) -> tuple[int, list[dict[str, object]]]:
    env = {**os.environ, "LEDGEROPS_CACHE_DIR": str(cache)}
    done = run_cli("check", "--ledger", str(ledger), "--today", DAY, "--format", "json", env=env)
    found = [d for d in json.loads(done.stdout)["diagnostics"] if d["code"] == "einvoice-invalid"]
    return done.returncode, found


def test_check_refuses_the_e_invoice_a_draft_would_leave_with(tmp_path: Path) -> None:
    ledger, cache = tmp_path / "ledger", tmp_path / "cache"
    ledger.mkdir()
    for name in ("policy.yaml", "clients", "invoices", "exceptions"):
        (shutil.copytree if (ROOT / name).is_dir() else shutil.copy2)(ROOT / name, ledger / name)
    client = ledger / "clients/harbor-pine.yaml"
    client.write_text(client.read_text() + "einvoice: peppol-ubl\n")
    assert _check(ledger, cache) == (0, [])

    client.write_text(client.read_text() + 'peppol_id: "1234:abc"\n')  # no such EAS scheme
    before = snapshot(ledger)
    code, found = _check(ledger, cache)
    assert code == 1
    assert {(d["file"], d["line"]) for d in found} == {(DRAFT, 1)}
    rules = sorted(str(d["message"]).split(" fails ")[1].split(" at ")[0] for d in found)
    assert rules == ["BR-CL-25", "PEPPOL-EN16931-CL008"], found
    assert all("/AccountingCustomerParty[1]/Party[1]/EndpointID[1]" in str(d["message"]) for d in found)
    assert snapshot(ledger) == before  # check writes nothing in the ledger

    assert list(cache.glob("*-einvoices.pickle")), "the verdicts are kept outside the ledger"
    assert _check(ledger, cache) == (code, found)  # the same answer from the kept verdict
