"""ledgerops: invoice operations for one-person companies, kept as plain text in git."""

__version__ = "0.1.0"
