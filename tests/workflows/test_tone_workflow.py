"""tone.yml: by hand, `ledgerops tone suggest` asks the model (a chat-completions server on
127.0.0.1 here), pushes the branch it committed and opens a pull request; a rejected answer
fails the run with the reasons and pushes nothing."""

from __future__ import annotations

import json

import pytest
from pytest_httpserver import HTTPServer

from tests.test_tone_cli import GOOD, KEY, completion
from tests.workflows.conftest import workflow
from tests.workflows.harness import Repository, Run

pytestmark = pytest.mark.slow  # runs the ledgerops command as a process, end to end

TONE = workflow("tone.yml")
INPUTS = {"stage": "due", "segment": "standard", "brief": "lighter, more personal"}


@pytest.fixture(scope="session")
def httpserver_listen_address() -> tuple[str, int]:
    return ("127.0.0.1", 0)


def _run(repo: Repository, server: HTTPServer, content: str) -> Run:
    server.expect_oneshot_request("/v1/chat/completions", method="POST").respond_with_json(
        completion(content)
    )
    variables = {"LEDGEROPS_LLM_BASE_URL": server.url_for("/v1"), "LEDGEROPS_LLM_MODEL": "tone-test"}
    return repo.run(TONE, "workflow_dispatch", inputs=INPUTS, variables=variables,
                    secrets={"LEDGEROPS_LLM_API_KEY": KEY})  # fmt: skip


def test_a_good_suggestion_becomes_a_pull_request(example_repo: Repository, httpserver: HTTPServer) -> None:
    run = _run(example_repo, httpserver, json.dumps(GOOD))
    assert run.conclusion == "success", run.log
    branch = "ledgerops/tone/due-standard"
    (commit,) = example_repo.log(branch)[:1]
    assert commit.files == ("templates/reminders/due.standard.md.j2",)
    assert commit.author == "ledgerops[bot]"
    assert "just a friendly heads-up" in example_repo.read("templates/reminders/due.standard.md.j2", branch)
    (create,) = run.gh_calls
    assert (create["base"], create["head"]) == ("main", branch)
    assert "Wording of due for segment standard" in create["args"]
    assert '{% include "reminders/_facts.md.j2" %}' in create["body"]
    assert KEY not in run.log and KEY not in run.summary
    assert httpserver.log[0][0].headers["Authorization"] == f"Bearer {KEY}"


def test_a_rejected_suggestion_fails_the_run_and_pushes_nothing(
    example_repo: Repository, httpserver: HTTPServer
) -> None:
    run = _run(example_repo, httpserver, json.dumps({**GOOD, "closing": "Please pay by Friday."}))
    assert run.conclusion == "failure"
    assert "closing: a date 'Friday'" in run.summary
    assert (run.gh_calls, example_repo.branches()) == ((), ["main"])
