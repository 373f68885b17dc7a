"""A language model behind an OpenAI-compatible chat-completions endpoint (OpenAI, a local
Ollama or llama.cpp server, others), through the `openai` client library: the only module
that imports it, lazily, and only for `ledgerops tone suggest`.

One request, no retries (a retried request may be billed twice), a timeout, and the key
only from the environment: it is never printed, not even in an error.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

from ledgerops.core.errors import ModelProblem

DEFAULT_TIMEOUT = 60.0
_LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")
SETUP = (
    "no language model is configured: set LEDGEROPS_LLM_BASE_URL (an OpenAI-compatible API, "
    "e.g. https://api.openai.com/v1 or http://localhost:11434/v1 for Ollama), LEDGEROPS_LLM_MODEL "
    "and, if the server needs one, LEDGEROPS_LLM_API_KEY (see docs/templates.md)"
)


@dataclass(frozen=True, slots=True)
class LlmSettings:
    base_url: str
    model: str
    api_key: str | None = field(default=None, repr=False)
    timeout: float = DEFAULT_TIMEOUT

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> LlmSettings:
        """LEDGEROPS_LLM_BASE_URL, _MODEL, _API_KEY and _TIMEOUT (seconds, default 60)."""

        def get(name: str) -> str | None:
            return environ.get(f"LEDGEROPS_LLM_{name}", "").strip() or None

        base_url, model, api_key = get("BASE_URL"), get("MODEL"), get("API_KEY")
        if base_url is None or model is None:
            raise ModelProblem(SETUP)
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ModelProblem(
                f"LEDGEROPS_LLM_BASE_URL '{shown_url(base_url)}' is not an http(s) URL like http://localhost:11434/v1"
            )
        if api_key and parts.scheme == "http" and parts.hostname not in _LOCAL_HOSTS:
            raise ModelProblem(
                "refusing to send LEDGEROPS_LLM_API_KEY unencrypted; use an https:// LEDGEROPS_LLM_BASE_URL"
            )
        timeout = DEFAULT_TIMEOUT
        if get("TIMEOUT"):
            try:
                timeout = float(get("TIMEOUT") or "")
            except ValueError:
                timeout = -1.0
            if not 0 < timeout <= 600:
                raise ModelProblem("LEDGEROPS_LLM_TIMEOUT must be a number of seconds above 0, at most 600")
        return cls(base_url.rstrip("/"), model, api_key, timeout)


def shown_url(url: str) -> str:
    """The URL without any user name or password in it, fit for a message."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def complete(settings: LlmSettings, messages: Sequence[Mapping[str, str]]) -> str:
    """The text of the model's one answer to `messages`."""
    try:
        import openai
    except ImportError as error:
        raise ModelProblem("tone suggest needs the openai package: pip install 'ledgerops[llm]'") from error

    where = shown_url(settings.base_url)
    client = openai.OpenAI(
        base_url=settings.base_url,
        # A local server needs no key; the client library insists on one, so it gets a dummy.
        api_key=settings.api_key or "no-key",
        timeout=settings.timeout,
        max_retries=0,
    )
    try:
        response = client.chat.completions.create(
            model=settings.model,
            messages=[{"role": m["role"], "content": m["content"]} for m in messages],  # type: ignore[misc]
        )
    except openai.APITimeoutError as error:
        raise ModelProblem(
            f"the language model at {where} did not answer within {settings.timeout:g} s; nothing was "
            "written (try again, or raise LEDGEROPS_LLM_TIMEOUT)"
        ) from error
    except openai.APIConnectionError as error:
        raise ModelProblem(
            f"cannot reach the language model at {where}; nothing was written (is LEDGEROPS_LLM_BASE_URL right?)"
        ) from error
    except openai.APIStatusError as error:
        hint = " (check LEDGEROPS_LLM_API_KEY)" if error.status_code in (401, 403) else ""
        hint = hint or (" (check LEDGEROPS_LLM_MODEL)" if error.status_code == 404 else "")
        raise ModelProblem(
            f"the language model at {where} refused the request with HTTP {error.status_code}{hint}; "
            "nothing was written"
        ) from error
    except openai.OpenAIError as error:
        raise ModelProblem(
            f"the language model at {where} sent an answer that is not a chat completion "
            f"({type(error).__name__}); nothing was written"
        ) from error
    choices = getattr(response, "choices", None) or []
    content = choices[0].message.content if choices and choices[0].message else None
    if not content or not content.strip():
        raise ModelProblem(f"the language model at {where} answered with no text; nothing was written")
    return str(content)
