"""Text <-> records: reading ledger YAML into core records, schemas, round-trip edits.

May import ledgerops.core and YAML libraries; the only package that imports YAML libraries.
"""
