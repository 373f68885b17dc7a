"""`ledgerops tone suggest` end to end: the installed command, through the real openai client,
against a chat-completions server on 127.0.0.1 (pytest-httpserver), in a real git repository."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tests.conftest import run_cli, snapshot
from tests.gitledger import example_repo, git

pytestmark = pytest.mark.slow

KEY = "sk-test-0123456789-do-not-print"
TODAY = "2026-11-27"  # harbor-pine (standard) has INV-2026-0012 due today
GOOD = {
    "subject": "A friendly note: invoice {{ invoice_id }} is due today",
    "opening": "Hello,\n\njust a friendly heads-up that invoice {{ invoice_id }} falls due today.",
    "closing": "If it is already on its way, thank you very much, and please ignore this note.",
    "sign_off": "All the best",
}


@pytest.fixture(scope="session")
def httpserver_listen_address() -> tuple[str, int]:
    return ("127.0.0.1", 0)


def completion(content: str) -> dict[str, Any]:
    """A chat completion in the documented shape of POST /v1/chat/completions."""
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 1764230400,
        "model": "tone-test",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": None},
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 200, "completion_tokens": 80, "total_tokens": 280},
    }


def llm_env(base_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LEDGEROPS_LLM_", "OPENAI_"))}
    env.update(
        LEDGEROPS_LLM_BASE_URL=base_url,
        LEDGEROPS_LLM_MODEL="tone-test",
        LEDGEROPS_LLM_API_KEY=KEY,
        NO_PROXY="127.0.0.1,localhost",
        no_proxy="127.0.0.1,localhost",
        **extra,
    )
    return env


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return example_repo(tmp_path / "ledger")


def suggest(
    repo: Path, env: dict[str, str], *extra: str, stage: str = "due", segment: str = "standard"
) -> Any:
    args = ["tone", "suggest", "--stage", stage, "--segment", segment, "--today", TODAY, *extra]
    return run_cli(*args, cwd=repo, env=env)


def branches(repo: Path) -> list[str]:
    return git(repo, "branch", "--format=%(refname:short)").split()


def test_a_good_answer_becomes_a_template_on_a_new_branch_that_check_and_remind_use(
    repo: Path, httpserver: HTTPServer
) -> None:
    httpserver.expect_oneshot_request("/v1/chat/completions", method="POST").respond_with_json(
        completion(json.dumps(GOOD))
    )
    env = llm_env(httpserver.url_for("/v1"))
    result = suggest(repo, env, "--brief", "lighter, more personal")
    assert result.returncode == 0, result.stdout + result.stderr
    path = "templates/reminders/due.standard.md.j2"
    branch = "ledgerops/tone/due-standard"
    assert f"wrote {path}" in result.stdout and branch in result.stdout
    assert KEY not in result.stdout + result.stderr

    # On the new branch, one commit with exactly the template; main untouched.
    assert git(repo, "branch", "--show-current").strip() == branch
    assert git(repo, "show", "--name-only", "--format=%s", "HEAD").split("\n")[:2] == [
        "tone: due wording for segment standard",
        "",
    ]
    assert git(repo, "show", "--name-only", "--format=", "HEAD").split() == [path]
    assert git(repo, "rev-parse", "main") == git(repo, "rev-parse", "HEAD~1")
    assert git(repo, "status", "--porcelain") == ""
    template = (repo / path).read_text()
    assert '{% include "reminders/_facts.md.j2" %}' in template and "All the best" in template

    # The request: the real client's shape, the key as a bearer token, no client data.
    ((request, _),) = httpserver.log
    assert request.headers["Authorization"] == f"Bearer {KEY}"
    body = request.get_json()
    assert body["model"] == "tone-test"
    sent = json.dumps(body["messages"])
    assert "lighter, more personal" in sent and "Mara Lindqvist Design" in sent and "standard" in sent
    for client_data in ("Harbor", "harborandpine", "INV-2026", "5400", "Kaze", "DE89"):
        assert client_data not in sent

    check = run_cli("check", "--today", TODAY, cwd=repo)
    assert check.returncode == 0, check.stdout + check.stderr
    shown = run_cli("remind", "--dry-run", "--today", TODAY, "--format", "json", cwd=repo)
    assert shown.returncode == 0, shown.stderr
    subjects = {m["invoice"]: m["subject"] for m in json.loads(shown.stdout)["send"]}
    assert subjects["INV-2026-0012"] == "A friendly note: invoice INV-2026-0012 is due today"
    # the strategic client keeps its own wording
    assert subjects["INV-2026-0007"] == "Invoice INV-2026-0007: payment not yet received"


def test_the_written_template_renders_the_facts_block(repo: Path, httpserver: HTTPServer) -> None:
    from ledgerops.app.load import load
    from ledgerops.context import Context
    from ledgerops.core.document import invoice_document
    from ledgerops.render.reminder import reminder_parts
    from ledgerops.render.templates import environment

    httpserver.expect_oneshot_request("/v1/chat/completions").respond_with_json(completion(json.dumps(GOOD)))
    assert suggest(repo, llm_env(httpserver.url_for("/v1"))).returncode == 0
    today = date.fromisoformat(TODAY)
    ledger = load(Context(repo, today)).ledger
    assert ledger is not None
    invoice = next(inv for inv in ledger.invoices if inv.id == "INV-2026-0012")
    parts = reminder_parts(environment(repo), invoice_document(ledger, invoice, today), "due", today)
    assert "just a friendly heads-up that invoice INV-2026-0012 falls due today" in parts.text
    assert "Amount due: $5,400.00" in parts.text, parts.text
    assert "pay.lindqvist-design.example/INV-2026-0012" in parts.text


def test_dry_run_prints_the_template_and_writes_nothing(repo: Path, httpserver: HTTPServer) -> None:
    httpserver.expect_oneshot_request("/v1/chat/completions").respond_with_json(completion(json.dumps(GOOD)))
    before = snapshot(repo)
    result = suggest(repo, llm_env(httpserver.url_for("/v1")), "--dry-run")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Subject: A friendly note: invoice {{ invoice_id }} is due today\n")
    assert "not written" in result.stderr
    assert snapshot(repo) == before and branches(repo) == ["main"]


BAD_ANSWERS = {
    "amount": ({"opening": "Hello,\n\nplease transfer the $5,400 today."}, "opening: a figure '$5,400'"),
    "amount in words": ({"closing": "The balance is in dollars."}, "closing: an amount 'dollars'"),
    "date": ({"closing": "Please pay by Friday."}, "closing: a date 'Friday'"),
    "url": ({"opening": "Pay now at https://pay.evil.example/x"}, "opening: a URL or link"),
    "e-mail": ({"closing": "Reply to accounts@evil.example."}, "closing: an e-mail address"),
    "dropped placeholder": (
        {"subject": "Your invoice is due today"},
        "required placeholder {{ invoice_id }}",
    ),
    "jinja variable": ({"opening": "Hello {{ config }},"}, "placeholder {{ config }} is not allowed"),
    "jinja include": ({"closing": '{% include "reminders/_facts.md.j2" %}'}, "template syntax '{% include"),
    "too long": ({"opening": "Hello, " + "a very kind word " * 80}, "too long: opening and closing"),
    "not json": ("Sure! Here is a friendlier version of your reminder.", "not the JSON object"),
}


@pytest.mark.parametrize("case", list(BAD_ANSWERS))
def test_a_bad_answer_is_rejected_with_its_reason_and_writes_nothing(
    case: str, repo: Path, httpserver: HTTPServer
) -> None:
    change, reason = BAD_ANSWERS[case]
    content = change if isinstance(change, str) else json.dumps({**GOOD, **change})
    httpserver.expect_oneshot_request("/v1/chat/completions").respond_with_json(completion(content))
    before = snapshot(repo)
    result = suggest(repo, llm_env(httpserver.url_for("/v1")))
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.startswith("rejected:") and reason in result.stdout, result.stdout
    assert "nothing was written" in result.stdout
    assert snapshot(repo) == before and branches(repo) == ["main"]


@pytest.fixture
def slow_server() -> Iterator[HTTPServer]:
    """A server of its own, threaded, whose answer comes after the client gave up."""
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)

    def late(request: Request) -> Response:
        time.sleep(3)
        return Response(json.dumps(completion(json.dumps(GOOD))), content_type="application/json")

    server.expect_request("/v1/chat/completions").respond_with_handler(late)
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


def test_a_timeout_writes_nothing_and_is_not_retried(repo: Path, slow_server: HTTPServer) -> None:
    before = snapshot(repo)
    started = time.monotonic()
    result = suggest(repo, llm_env(slow_server.url_for("/v1"), LEDGEROPS_LLM_TIMEOUT="0.5"))
    assert result.returncode == 2, result.stdout + result.stderr
    assert (
        result.stderr.count("\n") == 1 and "did not answer within 0.5 s; nothing was written" in result.stderr
    )
    assert time.monotonic() - started < 3
    assert KEY not in result.stderr
    assert len(slow_server.log) <= 1  # one request: max_retries=0, no double billing
    assert snapshot(repo) == before and branches(repo) == ["main"]


def test_a_refused_request_names_the_status_never_the_key(repo: Path, httpserver: HTTPServer) -> None:
    httpserver.expect_oneshot_request("/v1/chat/completions").respond_with_json(
        {"error": {"message": f"Incorrect API key provided: {KEY}", "type": "invalid_request_error"}},
        status=401,
    )
    before = snapshot(repo)
    result = suggest(repo, llm_env(httpserver.url_for("/v1")))
    assert result.returncode == 2
    assert "HTTP 401 (check LEDGEROPS_LLM_API_KEY)" in result.stderr and KEY not in result.stderr
    assert len(httpserver.log) == 1
    assert snapshot(repo) == before


def test_without_configuration_it_says_how_to_set_it_up(repo: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGEROPS_LLM_")}
    result = suggest(repo, env)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "LEDGEROPS_LLM_BASE_URL" in result.stderr and "LEDGEROPS_LLM_MODEL" in result.stderr


@pytest.mark.parametrize(
    ("stage", "segment", "message"),
    [
        ("final_notice", "standard", "stage 'final_notice' is manual"),
        ("overdue_99", "standard", "no stage 'overdue_99'"),
        ("due", "vip", "segment 'vip' is not in policy.segments (strategic, standard)"),
    ],
)
def test_a_stage_or_segment_the_policy_lacks_is_refused_before_asking(
    repo: Path, httpserver: HTTPServer, stage: str, segment: str, message: str
) -> None:
    result = suggest(repo, llm_env(httpserver.url_for("/v1")), stage=stage, segment=segment)
    assert result.returncode == 2 and message in result.stderr
    assert len(httpserver.log) == 0


def test_a_second_suggestion_gets_a_branch_of_its_own(repo: Path, httpserver: HTTPServer) -> None:
    url = httpserver.url_for("/v1")
    httpserver.expect_oneshot_request("/v1/chat/completions").respond_with_json(completion(json.dumps(GOOD)))
    assert suggest(repo, llm_env(url)).returncode == 0
    git(repo, "switch", "--quiet", "main")
    warmer = {**GOOD, "sign_off": "Warmest wishes"}
    httpserver.expect_oneshot_request("/v1/chat/completions").respond_with_json(
        completion(json.dumps(warmer))
    )
    result = suggest(repo, llm_env(url))
    assert result.returncode == 0, result.stderr
    assert sorted(branches(repo)) == ["ledgerops/tone/due-standard", "ledgerops/tone/due-standard-2", "main"]


def test_a_suggestion_that_checks_template_rules_refuse_is_not_written(
    repo: Path, httpserver: HTTPServer
) -> None:
    """The built template is rendered as `check` renders it before it is written: here the
    ledger's own facts block leaves out the amount, so the suggestion cannot state it."""
    facts = repo / "templates/reminders/_facts.md.j2"
    facts.parent.mkdir(parents=True)
    facts.write_text("- Invoice: {{ invoice_id }}\n- Due date: {{ due_date }}\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "a facts block of our own")
    httpserver.expect_oneshot_request("/v1/chat/completions").respond_with_json(completion(json.dumps(GOOD)))
    before = snapshot(repo)
    result = suggest(repo, llm_env(httpserver.url_for("/v1")))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "reminders/due.standard.md.j2 leaves out the amount due" in result.stdout
    assert snapshot(repo) == before and branches(repo) == ["main"]


def test_outside_git_the_template_is_written_only(tmp_path: Path, httpserver: HTTPServer) -> None:
    from tests.conftest import copy_example

    ledger = copy_example(tmp_path / "plain")
    httpserver.expect_oneshot_request("/v1/chat/completions").respond_with_json(completion(json.dumps(GOOD)))
    result = suggest(ledger, llm_env(httpserver.url_for("/v1")))
    assert result.returncode == 0, result.stderr
    assert "not in a git repository" in result.stdout
    assert (ledger / "templates/reminders/due.standard.md.j2").is_file()
    assert run_cli("check", "--today", TODAY, cwd=ledger).returncode == 0


def test_the_invoice_email_gets_a_segment_variant_too(repo: Path, httpserver: HTTPServer) -> None:
    from ledgerops.app.load import load
    from ledgerops.context import Context
    from ledgerops.core.document import invoice_document
    from ledgerops.render.invoice_email import invoice_email_parts
    from ledgerops.render.templates import environment

    answer = {
        "subject": "Invoice {{ invoice_id }} from {{ company.name }}",
        "opening": "Hello {{ client.name }},\n\nthank you for the work together. Attached is invoice {{ invoice_id }}.",
        "closing": "If anything on it needs a change on your side, simply reply and I will take care of it.",
        "sign_off": "With best wishes",
    }
    httpserver.expect_oneshot_request("/v1/chat/completions").respond_with_json(
        completion(json.dumps(answer))
    )
    result = suggest(repo, llm_env(httpserver.url_for("/v1")), stage="invoice", segment="strategic")
    assert result.returncode == 0, result.stdout + result.stderr
    path = "templates/email/invoice.strategic.md.j2"
    assert git(repo, "show", "--name-only", "--format=", "HEAD").split() == [path]
    assert '{% include "email/_facts.md.j2" %}' in (repo / path).read_text()
    sent = json.dumps(httpserver.log[0][0].get_json()["messages"])
    assert "Please find attached invoice" in sent  # the current wording: the packaged invoice email
    assert run_cli("check", "--today", TODAY, cwd=repo).returncode == 0

    today = date.fromisoformat(TODAY)
    ledger = load(Context(repo, today)).ledger
    assert ledger is not None
    by_id = {inv.id: inv for inv in ledger.invoices}
    env = environment(repo)
    strategic = invoice_email_parts(env, invoice_document(ledger, by_id["INV-2026-0007"], today))
    assert "thank you for the work together" in strategic.text and "Amount due:" in strategic.text
    standard = invoice_email_parts(env, invoice_document(ledger, by_id["INV-2026-0012"], today))
    assert "Please find attached invoice" in standard.text  # other segments keep the default
