"""Time `ledgerops payments import` of a 10,000-line camt.053 statement against a ledger of
10,000 open invoices (issue 14: under 2 s).

    .venv/bin/python benchmarks/payments.py [--lines 10000] [--invoices 10000] [--runs 3] [--workdir DIR]

Writes a ledger (the example policy, 500 clients, N sent and unpaid invoices) and a statement
whose lines pay them by creditor reference, invoice number, payer and amount, or match
nothing, then prints the median wall clock of the whole process (`--dry-run`, so every run
sees the same ledger) and of parsing and matching alone, in-process.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TODAY = "2026-11-27"


def write_ledger(target: Path, invoices: int, clients: int, rng: random.Random) -> list[tuple[str, str, str]]:
    """The ledger; returns (invoice id, client name, amount) of each invoice."""
    if target.exists():
        shutil.rmtree(target)
    (target / "clients").mkdir(parents=True)
    (target / "invoices/2026").mkdir(parents=True)
    (target / "exceptions").mkdir()
    shutil.copy2(ROOT / "policy.yaml", target / "policy.yaml")
    names = []
    for n in range(clients):
        name = f"Client {n:04d} GmbH"
        names.append(name)
        (target / f"clients/c{n:04d}.yaml").write_text(
            f"id: c{n:04d}\nname: {name}\nemail: ap@c{n:04d}.example\nsegment: standard\ncurrency: EUR\n"
            f"address: |\n  {name}\n  Street 1\n  10115 Berlin\ncountry: DE\n"
        )
    facts = []
    for seq in range(1, invoices + 1):
        client = rng.randrange(clients)
        amount = f"{rng.randrange(100, 900000) / 100:.2f}"
        issue = date(2026, 1, 1).toordinal() + rng.randrange(0, 320)
        issued = date.fromordinal(issue)
        due = date.fromordinal(issue + 30)
        invoice_id = f"INV-2026-{seq:04d}"
        (target / f"invoices/2026/{invoice_id}.yaml").write_text(
            f"id: {invoice_id}\nclient: c{client:04d}\nissue_date: {issued}\ndue_date: {due}\ncurrency: EUR\n"
            f"service_date: {issued}\nlines:\n  - description: Work\n    quantity: 1\n    unit_price: {amount}\n"
            f"    tax_rate: 0\n    tax_reason: export\nstatus: sent\nsent_at: {issued}T10:00:00+01:00\n"
        )
        facts.append((invoice_id, names[client], amount))
    return facts


def write_statement(path: Path, facts: list[tuple[str, str, str]], lines: int, rng: random.Random) -> None:
    from ledgerops.core.reference import invoice_reference

    entries = []
    picked = rng.sample(facts, min(lines, len(facts)))
    for n in range(lines):
        invoice_id, name, amount = picked[n % len(picked)]
        kind = n % 10
        if kind < 4:
            remittance = f"<Strd><CdtrRefInf><Ref>{invoice_reference(invoice_id)}</Ref></CdtrRefInf></Strd>"
        elif kind < 7:
            remittance = f"<Ustrd>Rechnung {invoice_id.lower().replace('-', ' ')}</Ustrd>"
        elif kind < 9:
            remittance = "<Ustrd>Zahlung</Ustrd>"
        else:
            remittance, name, amount = "<Ustrd>Miete</Ustrd>", "Someone Else", "12.34"
        entries.append(
            f'<Ntry><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>'
            f"<BookgDt><Dt>2026-11-26</Dt></BookgDt><AcctSvcrRef>B{n:08d}</AcctSvcrRef><NtryDtls><TxDtls>"
            f"<RltdPties><Dbtr><Nm>{name}</Nm></Dbtr></RltdPties><RmtInf>{remittance}</RmtInf></TxDtls></NtryDtls></Ntry>\n"
        )
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">'
        "<BkToCstmrStmt><Stmt>\n" + "".join(entries) + "</Stmt></BkToCstmrStmt></Document>\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=10000)
    parser.add_argument("--invoices", type=int, default=10000)
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=ROOT / "benchmarks/out/payments")
    args = parser.parse_args()
    rng = random.Random(14)
    ledger = args.workdir / "ledger"
    facts = write_ledger(ledger, args.invoices, args.clients, rng)
    statement = args.workdir / "statement.xml"
    write_statement(statement, facts, args.lines, rng)
    command = [str(Path(sys.executable).parent / "ledgerops"), "payments", "import", str(statement),
               "--ledger", str(ledger), "--today", TODAY, "--dry-run", "--format", "json"]  # fmt: skip
    env = {**os.environ, "PYTHONPYCACHEPREFIX": str(args.workdir / "pycache")}
    subprocess.run(command, check=True, capture_output=True, env=env)  # warm-up
    walls, cpus = [], []
    for _ in range(args.runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, env=env)
        walls.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)

    from ledgerops.app.load import READABLE, load_ledger
    from ledgerops.context import Context
    from ledgerops.core.matching import match_lines
    from ledgerops.edge.statements import read_statement

    ready = load_ledger(Context(ledger, date.fromisoformat(TODAY)), READABLE)
    parsed, matched = [], []
    for _ in range(args.runs):
        started = time.perf_counter()
        lines, problems = read_statement(statement, statement.name, None)
        parsed.append(time.perf_counter() - started)
        assert not problems
        started = time.perf_counter()
        outcomes = match_lines(lines, ready.ledger, ready.today)
        matched.append(time.perf_counter() - started)
    counts: dict[str, int] = {}
    for outcome in outcomes:
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
    print(f"{args.lines} lines, {args.invoices} open invoices, {args.clients} clients: {counts}")
    print(f"whole process (payments import --dry-run): median {statistics.median(walls):.3f} s "
          f"(min {min(walls):.3f}, max {max(walls):.3f}); median CPU {statistics.median(cpus):.3f} s "
          f"(both processes: the ledger is read by two above 2,000 invoices); load average "
          f"{os.getloadavg()[0]:.1f}")  # fmt: skip
    print(f"parse the statement: median {statistics.median(parsed):.3f} s; "
          f"match: median {statistics.median(matched):.3f} s")  # fmt: skip


if __name__ == "__main__":
    main()
