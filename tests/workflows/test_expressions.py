"""The harness's expression evaluator agrees with GitHub's documented semantics."""

from __future__ import annotations

from typing import Any

import pytest

from tests.workflows.expressions import ExpressionError, condition, evaluate, interpolate

CONTEXTS: dict[str, Any] = {
    "github": {
        "event_name": "issues",
        "event": {"issue": {"number": 12, "labels": [{"name": "bug"}, {"name": "Billable"}]}},
    },
    "inputs": {"dry-run": True, "today": ""},
    "vars": {"LEDGEROPS_PAUSED": "true"},
    "steps": {"draft": {"outputs": {"created": "true"}}},
}


@pytest.mark.parametrize(
    ("expression", "value"),
    [
        ("contains(github.event.issue.labels.*.name, 'billable')", True),  # case-insensitive
        ("contains(github.event.issue.labels.*.name, 'urgent')", False),
        ("github.event.milestone.number || github.event.issue.number || 'x'", 12.0),
        ("inputs.today || vars.LEDGEROPS_TODAY", None),  # missing properties are null
        ("vars.LEDGEROPS_PAUSED != 'true'", False),
        ("vars.LEDGEROPS_PAUSED == 'TRUE'", True),
        ("steps.draft.outputs.created == 'true' && !inputs.dry-run", False),
        ("github.event['issue'].labels[1].name", "Billable"),
        ("format('{0}/{1}', 'a', 1)", "a/1"),
        ("1 == '1'", True),
    ],
)
def test_expressions(expression: str, value: Any) -> None:
    assert evaluate(expression, CONTEXTS) == value


def test_interpolation_writes_what_the_runner_writes() -> None:
    text = "dry=${{ inputs.dry-run }} today='${{ inputs.today }}' n=${{ github.event.issue.number }}"
    assert interpolate(text, CONTEXTS) == "dry=true today='' n=12"


def test_if_implies_success_unless_a_status_function_is_named() -> None:
    assert condition("true", CONTEXTS, "failure") is False
    assert condition("${{ !cancelled() }}", CONTEXTS, "failure") is True
    assert condition("failure()", CONTEXTS, "success") is False
    assert condition(None, CONTEXTS, "success") is True


def test_unknown_contexts_and_functions_are_errors_not_silent_nulls() -> None:
    with pytest.raises(ExpressionError):
        evaluate("secret.TOKEN", CONTEXTS)
    with pytest.raises(ExpressionError):
        evaluate("hashFiles('**/x')", CONTEXTS)
