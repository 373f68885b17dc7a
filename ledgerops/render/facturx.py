"""The Factur-X invoice: the invoice PDF as a PDF/A-3B with its EN 16931 CII inside.

fpdf2 writes the PDF/A-3B (every font embedded, the sRGB output intent); the factur-x
library attaches the CII as `factur-x.xml` (AFRelationship Data) and replaces the XMP
metadata with its own, which declares the Factur-X extension schema at the EN 16931 profile.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ledgerops.core.document import InvoiceDocument
from ledgerops.core.en16931 import einvoice_terms
from ledgerops.render.einvoice import cii_xml
from ledgerops.render.invoice import invoice_pdf


def facturx_pdf(doc: InvoiceDocument, fonts: Mapping[str, Path] | None = None) -> bytes:
    """The invoice PDF of a `factur-x` client: PDF/A-3B with `factur-x.xml` embedded. Its XMP
    and document dates are when it was built (the factur-x library stamps them)."""
    from facturx import generate_from_binary  # type: ignore[import-untyped]  # pulls in pypdf and requests: slow to import

    xml = cii_xml(einvoice_terms(doc, "factur-x"))
    number = doc.invoice.id
    metadata = {
        "author": doc.company.name,
        "title": f"Invoice {number}",
        "subject": f"Invoice {number} dated {doc.invoice.issue_date.isoformat()} issued by {doc.company.name}",
        "keywords": "Invoice, Factur-X",
    }
    # Not checked against the XSD here, where a failure would stop a send half-way with the
    # library's exception: the test suite validates what cii_xml writes (schema, CEN rules).
    return bytes(
        generate_from_binary(
            invoice_pdf(doc, fonts, pdfa=True),
            xml,
            flavor="factur-x",
            level="en16931",
            check_xsd=False,
            pdf_metadata=metadata,
            lang="en",
        )
    )
