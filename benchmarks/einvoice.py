"""Time to build and validate one e-invoice after start-up, per format: XSD + the official
rules of ledgerops/render/einvoice_rules.py (factur-x: CEN CII; xrechnung-cii: CEN CII +
XRechnung; peppol-ubl: CEN UBL + Peppol BIS), invoices and credit notes.

    .venv/bin/python benchmarks/einvoice.py [N]

Loads the example ledger, compiles the rules once (start-up, timed per format), then builds
and validates each example invoice and a credit note of it N times and prints the median
per document. Budget: < 50 ms (issue 16).
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    from ledgerops.app.load import load
    from ledgerops.context import Context
    from ledgerops.core.document import invoice_document
    from ledgerops.render import einvoice_rules
    from ledgerops.render.einvoice import cii_xml, ubl_xml
    from tests.schematron import terms_of

    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    today = date(2026, 11, 27)
    ledger = load(Context(ROOT, today)).ledger
    documents = [invoice_document(ledger, invoice, today) for invoice in ledger.invoices]
    for flavour, write in (("factur-x", cii_xml), ("xrechnung-cii", cii_xml), ("peppol-ubl", ubl_xml)):
        started = time.perf_counter()
        einvoice_rules.validate(write(terms_of(documents[0], flavour, False)), flavour)
        first = time.perf_counter() - started
        times, steps = [], {"build": [], "validate": []}
        for _ in range(rounds):
            for document in documents:
                for credit in (False, True):
                    start = time.perf_counter()
                    data = write(terms_of(document, flavour, credit))
                    built = time.perf_counter()
                    failed = einvoice_rules.fatal(einvoice_rules.validate(data, flavour))
                    done = time.perf_counter()
                    assert not failed, failed
                    times.append(done - start)
                    steps["build"].append(built - start)
                    steps["validate"].append(done - built)
        print(f"{flavour:14} first document (compiles the rules): {first:.2f} s; then median "
              f"{statistics.median(times) * 1000:.1f} ms (build {statistics.median(steps['build']) * 1000:.1f}, "
              f"validate {statistics.median(steps['validate']) * 1000:.1f}), max {max(times) * 1000:.1f} ms "
              f"over {len(times)}")  # fmt: skip


if __name__ == "__main__":
    main()
