"""The pure core: records, rules, schedules and metrics.

Standard library only; no I/O, no clock. Imports nothing of ledgerops outside ledgerops.core.
"""
