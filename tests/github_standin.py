"""A local stand-in for the GitHub REST API's issue endpoints, on pytest-httpserver.

It keeps issues, comments and labels in memory and answers with GitHub's documented shapes
(https://docs.github.com/en/rest/issues): list issues of a repository (filtered by label and
state, paginated with a `Link: <...>; rel="next"` header), create, update (PATCH), comment,
list and create labels. Every request is logged, so a test can tell reads from writes.
`page_size` is smaller than GitHub's 100 so that pagination is exercised.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

REPO = "janedoe/billing"
TOKEN = "ghs_standin_secret_token_123"
_ISSUES = re.compile(rf"^/repos/{REPO}/issues$")
_ISSUE = re.compile(rf"^/repos/{REPO}/issues/(?P<number>\d+)$")
_COMMENTS = re.compile(rf"^/repos/{REPO}/issues/(?P<number>\d+)/comments$")
_LABELS = re.compile(rf"^/repos/{REPO}/labels$")


@dataclass
class Logged:
    method: str
    path: str
    body: Any


@dataclass
class GitHubStandIn:
    server: HTTPServer
    token: str = TOKEN
    page_size: int = 2
    issues: dict[int, dict[str, Any]] = field(default_factory=dict)
    comments: dict[int, list[str]] = field(default_factory=dict)
    labels: dict[str, dict[str, Any]] = field(default_factory=dict)
    log: list[Logged] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def install(self) -> None:
        self.server.expect_request(re.compile(".*")).respond_with_handler(self.handle)

    @property
    def api_url(self) -> str:
        return self.server.url_for("/").rstrip("/")

    def writes(self) -> list[Logged]:
        return [entry for entry in self.log if entry.method != "GET"]

    def open_issues(self) -> list[dict[str, Any]]:
        return [issue for issue in self.issues.values() if issue["state"] == "open"]

    # --- the API ----------------------------------------------------------------------------
    def handle(self, request: Request) -> Response:
        with self.lock:
            body = json.loads(request.get_data() or b"null")
            self.log.append(Logged(request.method, request.path, body))
            if request.headers.get("Authorization") != f"Bearer {self.token}":
                return _json({"message": "Bad credentials"}, 401)
            if request.headers.get("Accept") != "application/vnd.github+json":
                return _json({"message": "wrong Accept"}, 415)
            path, method = request.path, request.method
            if _ISSUES.match(path) and method == "GET":
                return self._list(request)
            if _ISSUES.match(path) and method == "POST":
                return self._create(body)
            if (match := _ISSUE.match(path)) and method == "PATCH":
                return self._update(int(match["number"]), body)
            if (match := _COMMENTS.match(path)) and method == "POST":
                number = int(match["number"])
                if number not in self.issues:
                    return _json({"message": "Not Found"}, 404)
                self.comments.setdefault(number, []).append(body["body"])
                return _json({"id": len(self.log), "body": body["body"]}, 201)
            if _LABELS.match(path) and method == "GET":
                return _json(list(self.labels.values()))
            if _LABELS.match(path) and method == "POST":
                if body["name"] in self.labels:
                    return _json({"message": "Validation Failed"}, 422)
                self.labels[body["name"]] = {"name": body["name"], "color": body.get("color", "ededed")}
                return _json(self.labels[body["name"]], 201)
            return _json({"message": "Not Found"}, 404)

    def _list(self, request: Request) -> Response:
        args = {k: v[-1] for k, v in parse_qs(request.query_string.decode()).items()}
        wanted = set(filter(None, args.get("labels", "").split(",")))
        state = args.get("state", "open")
        found = [
            issue
            for issue in sorted(self.issues.values(), key=lambda i: i["number"])
            if wanted <= {label["name"] for label in issue["labels"]} and state in ("all", issue["state"])
        ]
        size = min(int(args.get("per_page", 30)), self.page_size)
        page = int(args.get("page", 1))
        headers = {}
        if page * size < len(found):
            query = urlencode({**args, "page": page + 1})
            headers["Link"] = f'<{self.api_url}{request.path}?{query}>; rel="next"'
        return _json(found[(page - 1) * size : page * size], headers=headers)

    def _create(self, body: dict[str, Any]) -> Response:
        number = max(self.issues, default=0) + 1
        for name in body.get("labels", []):
            self.labels.setdefault(name, {"name": name, "color": "ededed"})
        self.issues[number] = {
            "number": number,
            "html_url": f"https://github.com/{REPO}/issues/{number}",
            "title": body["title"],
            "body": body.get("body", ""),
            "state": "open",
            "state_reason": None,
            "labels": [{"name": name} for name in body.get("labels", [])],
        }
        return _json(self.issues[number], 201)

    def _update(self, number: int, body: dict[str, Any]) -> Response:
        issue = self.issues.get(number)
        if issue is None:
            return _json({"message": "Not Found"}, 404)
        for key in ("title", "body", "state", "state_reason"):
            if key in body:
                issue[key] = body[key]
        if "labels" in body:
            issue["labels"] = [{"name": name} for name in body["labels"]]
        return _json(issue)


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(data), status=status, headers=headers, content_type="application/json")
