"""The GitHub REST API: the only module that talks HTTP to GitHub (issues and labels).

Standard library only (urllib), one request at a time with a timeout, no retries of a
write (a retried POST could open a second issue). The token comes from the environment and
is never printed, not even in an error.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from ledgerops.core.errors import LedgeropsError

DEFAULT_API = "https://api.github.com"
DEFAULT_SERVER = "https://github.com"
DEFAULT_TIMEOUT = 30.0
API_VERSION = "2022-11-28"
_LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")
_REPOSITORY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}$")
_NEXT = re.compile(r'<(?P<url>[^>]+)>;\s*rel="next"')


class GitHubError(LedgeropsError):
    """GitHub cannot be reached, refuses the token, or answers something unexpected."""


@dataclass(frozen=True, slots=True)
class GitHubSettings:
    api_url: str
    repository: str  # owner/name
    token: str | None = field(default=None, repr=False)
    server_url: str = DEFAULT_SERVER
    timeout: float = DEFAULT_TIMEOUT

    @classmethod
    def from_environment(cls, environ: Mapping[str, str], need_token: bool) -> GitHubSettings:
        """GITHUB_API_URL (default https://api.github.com), GITHUB_REPOSITORY (owner/name),
        GITHUB_TOKEN, GITHUB_SERVER_URL (for the links in issues) and LEDGEROPS_GITHUB_TIMEOUT."""

        def get(name: str) -> str:
            return environ.get(name, "").strip()

        api_url = (get("GITHUB_API_URL") or DEFAULT_API).rstrip("/")
        parts = urlsplit(api_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise GitHubError(f"GITHUB_API_URL '{api_url}' is not an http(s) URL like {DEFAULT_API}")
        repository = get("GITHUB_REPOSITORY")
        if not _REPOSITORY.match(repository):
            raise GitHubError(
                "GITHUB_REPOSITORY must name the ledger's repository as owner/name (GitHub Actions sets it)"
            )
        token = get("GITHUB_TOKEN") or None
        if need_token and token is None:
            raise GitHubError("GITHUB_TOKEN is not set: the sync needs a token with issues: write")
        if token and parts.scheme == "http" and parts.hostname not in _LOCAL_HOSTS:
            raise GitHubError("refusing to send GITHUB_TOKEN unencrypted; use an https:// GITHUB_API_URL")
        timeout = DEFAULT_TIMEOUT
        if get("LEDGEROPS_GITHUB_TIMEOUT"):
            try:
                timeout = float(get("LEDGEROPS_GITHUB_TIMEOUT"))
            except ValueError:
                timeout = -1.0
            if not 0 < timeout <= 600:
                raise GitHubError("LEDGEROPS_GITHUB_TIMEOUT must be a number of seconds above 0, at most 600")
        server = (get("GITHUB_SERVER_URL") or DEFAULT_SERVER).rstrip("/")
        return cls(api_url, repository, token, server, timeout)


@dataclass(frozen=True, slots=True)
class Issue:
    """The parts of a GitHub issue the sync reads."""

    number: int
    state: str  # open | closed
    title: str
    body: str
    labels: tuple[str, ...]
    url: str


class GitHub:
    """A client for one repository's issues; counts the requests that write."""

    def __init__(self, settings: GitHubSettings) -> None:
        self.settings = settings
        self.writes = 0

    @property
    def repo_url(self) -> str:
        return f"{self.settings.api_url}/repos/{self.settings.repository}"

    def file_url(self, path: str) -> str:
        """A link to a file of the ledger on its default branch."""
        return f"{self.settings.server_url}/{self.settings.repository}/blob/HEAD/{quote(path)}"

    # --- reads ----------------------------------------------------------------------------
    def issues(self, label: str) -> list[Issue]:
        """Every issue (open and closed, not pull requests) with `label`, all pages."""
        query = urlencode(
            {"labels": label, "state": "all", "per_page": 100, "sort": "created", "direction": "asc"}
        )
        url: str | None = f"{self.repo_url}/issues?{query}"
        found: list[Issue] = []
        pages = 0
        while url is not None:
            pages += 1
            if pages > 1000:
                raise GitHubError("GitHub kept answering with another page of issues; stopping")
            data, headers = self._request("GET", url)
            if not isinstance(data, list):
                raise GitHubError(f"GitHub answered the issue list with {type(data).__name__}, not a list")
            found += [_issue(item) for item in data if isinstance(item, dict) and "pull_request" not in item]
            match = _NEXT.search(headers.get("Link", "") or "")
            url = match["url"] if match else None
        return found

    def labels(self) -> set[str]:
        url: str | None = f"{self.repo_url}/labels?per_page=100"
        names: set[str] = set()
        for _ in range(100):  # 10,000 labels: far beyond any repository's
            if url is None:
                break
            data, headers = self._request("GET", url)
            if not isinstance(data, list):
                raise GitHubError(f"GitHub answered the label list with {type(data).__name__}, not a list")
            names |= {str(item.get("name")) for item in data if isinstance(item, dict)}
            match = _NEXT.search(headers.get("Link", "") or "")
            url = match["url"] if match else None
        return names

    # --- writes ---------------------------------------------------------------------------
    def create_label(self, name: str, color: str, description: str) -> None:
        try:
            self._write(
                "POST", f"{self.repo_url}/labels", {"name": name, "color": color, "description": description}
            )
        except GitHubError:
            if name in self.labels():  # an overlapping sync created it first (GitHub answers 422)
                return
            raise

    def create_issue(self, title: str, body: str, labels: tuple[str, ...]) -> Issue:
        data = self._write(
            "POST", f"{self.repo_url}/issues", {"title": title, "body": body, "labels": list(labels)}
        )
        return _issue(data)

    def update_issue(self, number: int, **fields: Any) -> Issue:
        """PATCH title, body, labels and/or state (with state_reason)."""
        data = self._write("PATCH", f"{self.repo_url}/issues/{number}", fields)
        return _issue(data)

    def comment(self, number: int, body: str) -> None:
        self._write("POST", f"{self.repo_url}/issues/{number}/comments", {"body": body})

    # --- plumbing -------------------------------------------------------------------------
    def _write(self, method: str, url: str, payload: Mapping[str, Any]) -> Any:
        self.writes += 1
        data, _ = self._request(method, url, payload)
        return data

    def _request(self, method: str, url: str, payload: Mapping[str, Any] | None = None) -> tuple[Any, Any]:
        if not url.startswith(self.settings.api_url + "/"):
            raise GitHubError("GitHub's next-page link points outside GITHUB_API_URL; stopping")
        headers = {
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": API_VERSION,
            "User-Agent": "ledgerops",
        }
        if self.settings.token:
            headers["Authorization"] = f"Bearer {self.settings.token}"
        body = None
        if payload is not None:
            body = json.dumps(payload).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(url, data=body, headers=headers, method=method)
        shown = f"{method} {url.split('?', 1)[0]}"
        try:
            with urllib.request.urlopen(request, timeout=self.settings.timeout) as response:
                raw = response.read()
                answer_headers = response.headers
        except urllib.error.HTTPError as error:
            raise GitHubError(
                f"GitHub refused {shown}: {error.code} {_message(error)}{_hint(error.code)}"
            ) from None
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise GitHubError(f"cannot reach GitHub for {shown}: {reason}") from None
        try:
            return (json.loads(raw) if raw.strip() else None), answer_headers
        except ValueError:
            raise GitHubError(f"GitHub answered {shown} with something that is not JSON") from None


def _message(error: urllib.error.HTTPError) -> str:
    try:
        data = json.loads(error.read() or b"{}")
    except (ValueError, OSError):
        return str(error.reason)
    return str(data.get("message", error.reason)) if isinstance(data, dict) else str(error.reason)


def _hint(status: int) -> str:
    if status in (401, 403):
        return " (the token needs issues: write on this repository)"
    if status == 404:
        return " (check GITHUB_REPOSITORY, and that the token can see the repository)"
    return ""


def _issue(item: Any) -> Issue:
    if not isinstance(item, dict) or not isinstance(item.get("number"), int):
        raise GitHubError("GitHub answered with an issue that has no number")
    labels = tuple(
        str(label.get("name")) if isinstance(label, dict) else str(label)
        for label in item.get("labels") or ()
    )
    return Issue(
        item["number"],
        str(item.get("state", "open")),
        str(item.get("title") or ""),
        str(item.get("body") or ""),
        labels,
        str(item.get("html_url") or ""),
    )
