"""The docs stay true: every command, option and diagnostic code is documented, and the
README's commands are the ones CI runs."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from ledgerops.cli import cli
from ledgerops.core.diagnostics import CODES

REPO = Path(__file__).resolve().parent.parent


def _docs_text() -> str:
    parts = [(REPO / "README.md").read_text()]
    parts += [p.read_text() for p in sorted((REPO / "docs").glob("*.md"))]
    return "\n".join(parts)


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in group.commands.items():
        found.append((f"{prefix}{name}", command))
        if isinstance(command, click.Group):
            found += _commands(command, f"{prefix}{name} ")
    return found


def test_every_diagnostic_code_is_in_the_table() -> None:
    table = (REPO / "docs/diagnostics.md").read_text()
    rows = re.findall(r"^\| `([a-z0-9-]+)` \| (error|warning) \|", table, re.MULTILINE)
    assert rows == [(code.code, code.severity) for code in CODES]


def test_every_command_and_option_is_documented() -> None:
    docs = _docs_text()
    missing = []
    for name, command in _commands(cli):
        if f"`{name}" not in docs and f"ledgerops {name}" not in docs:
            missing.append(name)
        for param in command.params:
            for opt in getattr(param, "opts", []):
                if opt.startswith("--") and opt not in docs:
                    missing.append(f"{name} {opt}")
    assert missing == []


def _fenced_commands(text: str) -> list[str]:
    return re.findall(r"```sh\n(.+?)\n```", text)


def test_the_readme_opens_with_the_two_commands_and_ci_runs_the_second() -> None:
    readme = (REPO / "README.md").read_text()
    main_command, test_command = _fenced_commands(readme)[:2]
    assert "pip install -e ." in main_command and "ledgerops" in main_command
    assert "--today" in main_command
    assert "pytest" in test_command
    assert test_command in (REPO / ".ci/run").read_text().splitlines()


def test_the_readme_main_command_works_and_leaves_the_checkout_clean(tmp_path: Path) -> None:
    """Everything after the install, run verbatim with bash in a copy of the checkout."""
    import os
    import subprocess
    import sys

    from tests.conftest import copy_example, snapshot

    main_command = _fenced_commands((REPO / "README.md").read_text())[0]
    after_install = main_command.split("pip install -e . && ", 1)[1]
    checkout = copy_example(tmp_path / "checkout")
    before = snapshot(checkout)
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "TMPDIR": str(tmp_path),
    }
    result = subprocess.run(
        ["bash", "-c", after_install],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    emails = [line for line in result.stdout.splitlines() if line.endswith(".eml")]
    # four client emails (docs/example-ledger.md), two alerts (final escalations) and the digest
    assert len(emails) == 7
    assert (
        sum(".alert-" in line for line in emails) == 2
        and "2026-W48.digest@lindqvist-design.example.eml" in emails
    )
    assert snapshot(checkout) == before


def _command_sections() -> dict[str, str]:
    """docs/commands.md's `## \\`ledgerops NAME ...\\`` sections, by command name, each with
    the page's opening, which documents the options every command shares."""
    text = (REPO / "docs/commands.md").read_text()
    shared, *sections = re.split(r"^## `ledgerops ", text, flags=re.MULTILINE)
    found = {}
    for section in sections:
        heading = section.split("`", 1)[0]
        words = [w for w in heading.split() if re.fullmatch(r"[a-z][a-z-]*", w)]
        found[" ".join(words)] = shared + section
    return found


@pytest.mark.parametrize(("name", "command"), _commands(cli), ids=[name for name, _ in _commands(cli)])
def test_each_command_has_a_section_listing_its_options(name: str, command: click.Command) -> None:
    sections = _command_sections()
    if isinstance(command, click.Group):
        assert all(f"{name} {sub}" in sections for sub in command.commands), name
        return
    assert name in sections, f"docs/commands.md has no section for `ledgerops {name}`"
    help_text = command.get_help(click.Context(command, info_name=name))
    missing = [
        opt
        for param in command.params
        for opt in getattr(param, "opts", [])
        if opt.startswith("--") and opt != "--help" and (opt not in sections[name] or opt not in help_text)
    ]
    assert missing == [], f"`ledgerops {name}`: options missing from its section or its --help"
