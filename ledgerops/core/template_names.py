"""Where a reminder's or the invoice email's template is looked up: names only, no files.

Apart from the schedule, so that `check` finds the packaged templates without importing it.
"""

from __future__ import annotations

INVOICE_STAGE = "invoice"  # what `tone suggest --stage` calls the invoice email


def reminder_template_names(stage: str, segment: str) -> tuple[str, str]:
    """The template lookup order: the segment's variant first, then the stage's default."""
    return (f"reminders/{stage}.{segment}.md.j2", f"reminders/{stage}.md.j2")


def invoice_email_template_names(segment: str) -> tuple[str, str]:
    """The invoice email's lookup order: the segment's variant first, then the default."""
    return (f"email/invoice.{segment}.md.j2", "email/invoice.md.j2")
