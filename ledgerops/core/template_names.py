"""Where a reminder's email template is looked up: names only, no files.

Apart from the schedule, so that `check` finds the packaged templates without importing it.
"""

from __future__ import annotations


def reminder_template_names(stage: str, segment: str) -> tuple[str, str]:
    """The template lookup order: the segment's variant first, then the stage's default."""
    return (f"reminders/{stage}.{segment}.md.j2", f"reminders/{stage}.md.j2")
