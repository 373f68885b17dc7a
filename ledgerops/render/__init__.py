"""Values -> text: diagnostics, tables, emails, invoices, reports.

May import ledgerops.core and the template, Markdown and PDF libraries; the only importer of them.
"""
