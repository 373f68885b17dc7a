"""What of a model's answer may become a template (core/tone.py): prose and the allowed
placeholders only; the facts stay the tool's."""

from __future__ import annotations

import json

import pytest

from ledgerops.core.tone import (
    FACTS_PARTIAL,
    MAX_PROSE,
    StageInfo,
    allowed_placeholders,
    check_answer,
    prompt_messages,
)

OVERDUE = StageInfo("overdue_7", 7)
GOOD = {
    "subject": "A quick note about invoice {{ invoice_id }}",
    "opening": "Hello,\n\nour records show invoice {{invoice_id}}, due on {{ due_date }}, as still open.",
    "closing": "If something is holding it up, just reply and we will sort it out together.",
    "sign_off": "Warm regards",
}


def answer(**changes: str) -> str:
    return json.dumps({**GOOD, **changes})


def test_a_good_answer_becomes_prose_around_the_packaged_facts_block() -> None:
    checked = check_answer(answer(), OVERDUE, ["EUR"])
    assert checked.reasons == ()
    assert checked.template == (
        "Subject: A quick note about invoice {{ invoice_id }}\n\n"
        "Hello,\n\nour records show invoice {{ invoice_id }}, due on {{ due_date }}, as still open.\n\n"
        f'{{% include "{FACTS_PARTIAL}" %}}\n'
        "If something is holding it up, just reply and we will sort it out together.\n\n"
        "Warm regards\n{{ company.name }}\n"
    )


def test_a_fenced_answer_and_a_subject_prefix_are_understood() -> None:
    fenced = "```json\n" + answer(subject="Subject: Invoice {{ invoice_id }}") + "\n```"
    checked = check_answer(fenced, OVERDUE)
    assert checked.template is not None and checked.template.startswith("Subject: Invoice {{ invoice_id }}\n")


@pytest.mark.parametrize(
    ("field", "text", "reason"),
    [
        ("opening", "Please transfer €1,200 today.", "a figure '€1,200'"),
        ("opening", "Please transfer twelve hundred euros.", "an amount 'hundred'"),
        ("closing", "The total is EUR due now.", "an amount 'EUR'"),
        ("closing", "Please pay by March.", "a date 'March'"),
        ("closing", "Please pay by 2026-12-01.", "a figure '2026-12-01.'"),
        ("closing", "We will call on Friday.", "a date 'Friday'"),
        ("opening", "Pay here: https://evil.example/pay", "a URL or link 'https://evil.example/pay'"),
        ("opening", "Pay at pay-now.example.com today.", "a URL or link 'pay-now.example.com'"),
        ("opening", "Use [this link](pay) please.", "a URL or link"),
        ("closing", "Write to billing@evil.example instead.", "an e-mail address 'billing@evil.example'"),
        ("opening", "Hello {{ config }},", "placeholder {{ config }} is not allowed"),
        ("opening", "Hello {{ client.email }},", "placeholder {{ client.email }} is not allowed"),
        ("opening", '{% include "reminders/secret.md.j2" %}', "template syntax '{% include"),
        ("opening", "Hello {{ ''.__class__ }}", "template syntax"),
        ("closing", "{# a comment #}", "template syntax '{# a comment #}'"),
        ("opening", "Hello <script>alert(1)</script>", "HTML '<script>alert(1)</script>'"),
        ("sign_off", "Kind regards\nMara", "sign_off: must be one line"),
    ],
)
def test_invented_facts_and_template_syntax_reject_the_answer(field: str, text: str, reason: str) -> None:
    checked = check_answer(answer(**{field: text}), OVERDUE, ["EUR", "USD"])
    assert checked.template is None
    assert any(reason in r for r in checked.reasons), checked.reasons


def test_a_dropped_placeholder_rejects_the_answer() -> None:
    checked = check_answer(answer(subject="A quick note about your invoice"), OVERDUE)
    assert checked.template is None
    assert checked.reasons == ("subject: the required placeholder {{ invoice_id }} is missing",)


def test_a_placeholder_of_another_stage_is_refused() -> None:
    checked = check_answer(answer(opening="It is due in {{ days_until_due }} days."), OVERDUE)
    assert checked.template is None
    assert "days_until_due" not in allowed_placeholders(OVERDUE)


def test_the_length_bound() -> None:
    at_bound = "word " * ((MAX_PROSE - len(GOOD["closing"])) // 5)
    assert check_answer(answer(opening=at_bound.strip()), OVERDUE).template is not None
    checked = check_answer(answer(opening="word " * (MAX_PROSE // 5 + 1)), OVERDUE)
    assert checked.template is None
    assert any(r.startswith("too long: opening and closing have") for r in checked.reasons)


@pytest.mark.parametrize("text", ["Sorry, I cannot help with that.", "[1, 2]", '{"subject": 3}', ""])
def test_an_answer_that_is_not_the_object_asked_for_is_rejected(text: str) -> None:
    checked = check_answer(text, OVERDUE)
    assert checked.template is None and len(checked.reasons) == 1


def test_the_prompt_holds_stage_segment_company_wording_and_brief_only() -> None:
    messages = prompt_messages(OVERDUE, "strategic", "Mara Lindqvist Design", "Subject: x", "warmer, please")
    user = messages[1]["content"]
    assert "overdue_7 (sent 7 days after the due date" in user
    assert "Client segment: strategic" in user and "Company: Mara Lindqvist Design" in user
    assert "Brief: warmer, please" in user and "Subject: x" in user
    assert "{{ days_overdue }}" in messages[0]["content"]
