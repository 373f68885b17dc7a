"""Stripe's Events API through the `stripe` library: the only module that imports it,
lazily, and only for `ledgerops payments sync stripe`.

Reads only (`GET /v1/events`), with a timeout and no retries; the key only from the
environment (STRIPE_API_KEY), never printed, not even in an error. LEDGEROPS_STRIPE_API_BASE
points the library at another server (a test's, on 127.0.0.1).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from ledgerops.core.errors import PaymentServiceProblem

DEFAULT_BASE = "https://api.stripe.com"
TIMEOUT = 30.0
MAX_EVENTS = 10_000  # Stripe keeps 30 days of events; more than this in one sync is refused
_LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


@dataclass(frozen=True, slots=True)
class StripeSettings:
    api_key: str = field(repr=False)
    base: str = DEFAULT_BASE

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> StripeSettings:
        api_key = environ.get("STRIPE_API_KEY", "").strip()
        if not api_key:
            raise PaymentServiceProblem(
                "STRIPE_API_KEY is not set: set it to a restricted key that may read events (see docs/payments.md)"
            )
        base = environ.get("LEDGEROPS_STRIPE_API_BASE", "").strip().rstrip("/") or DEFAULT_BASE
        parts = urlsplit(base)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise PaymentServiceProblem(f"LEDGEROPS_STRIPE_API_BASE '{base}' is not an http(s) URL")
        if parts.scheme == "http" and parts.hostname not in _LOCAL_HOSTS:
            raise PaymentServiceProblem(
                "refusing to send STRIPE_API_KEY unencrypted; use an https:// LEDGEROPS_STRIPE_API_BASE"
            )
        return cls(api_key, base)


def list_events(settings: StripeSettings, types: Sequence[str], since: int | None) -> list[dict[str, Any]]:
    """The events of `types` created at or after `since` (a Unix time; None: all Stripe
    keeps), oldest first, as plain dictionaries."""
    import stripe

    client = stripe.StripeClient(
        settings.api_key,
        base_addresses={"api": settings.base},
        max_network_retries=0,
        http_client=stripe.RequestsClient(timeout=TIMEOUT),
    )
    params: dict[str, Any] = {"types": list(types), "limit": 100}
    if since is not None:
        params["created"] = {"gte": since}
    events: list[dict[str, Any]] = []
    try:
        for event in client.v1.events.list(params=params).auto_paging_iter():  # type: ignore[arg-type]
            events.append(event.to_dict())
            if len(events) > MAX_EVENTS:
                raise PaymentServiceProblem(
                    f"Stripe listed more than {MAX_EVENTS} events; nothing was recorded"
                )
    except stripe.AuthenticationError:
        raise PaymentServiceProblem(
            "Stripe refused STRIPE_API_KEY (401): check the key, and that it may read events; nothing was recorded"
        ) from None
    except stripe.PermissionError:
        raise PaymentServiceProblem(
            "Stripe's key may not read events (403): give the restricted key 'Events: read'; nothing was recorded"
        ) from None
    except stripe.APIConnectionError:
        raise PaymentServiceProblem(
            f"could not reach Stripe at {settings.base} (no answer within {TIMEOUT:g} s); nothing was recorded"
        ) from None
    except stripe.StripeError as error:
        status = error.http_status or "no status"
        raise PaymentServiceProblem(
            f"Stripe answered the events request with an error ({status}); nothing was recorded"
        ) from None
    except ValueError:  # not JSON, or not the shape of a list
        raise PaymentServiceProblem(
            f"{settings.base} did not answer like Stripe's Events API; nothing was recorded"
        ) from None
    return sorted(events, key=lambda e: (e.get("created") or 0, str(e.get("id"))))
