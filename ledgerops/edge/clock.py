"""The only place that reads the clock; everything else takes `today` as a parameter."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def zone(name: str) -> ZoneInfo | None:
    """The IANA zone of that name (from the tzdata package where the OS has none), or None."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def today_in(timezone: str) -> date:
    return datetime.now(zone(timezone) or ZoneInfo("UTC")).date()


def now_in(timezone: str) -> datetime:
    return datetime.now(zone(timezone) or ZoneInfo("UTC")).replace(microsecond=0)


def moment(today: date, timezone: str) -> datetime:
    """Now, on the day a run acts for: the real time of day, moved to `today` when a run
    pretends another date (--today), so recorded timestamps fall on that day."""
    now = now_in(timezone)
    return now if now.date() == today else datetime.combine(today, now.timetz())


def epoch() -> float:
    """Seconds since 1970, for comparing with file times."""
    import time

    return time.time()
