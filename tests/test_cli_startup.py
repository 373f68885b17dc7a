"""Start-up: a command's module is imported only when that command runs, and `--help`
still lists every command. `check` runs in pre-commit hooks, so its import set is kept
to what reading and validating need."""

from __future__ import annotations

import ast
import importlib
import json
import pkgutil
import re
import subprocess
import sys

import click

import ledgerops.cli
from ledgerops.cli import COMMANDS, cli
from tests.conftest import REPO, run_cli


def _defined_commands() -> dict[str, click.Command]:
    """Every top-level command written in the ledgerops.cli package, by its name."""
    found: dict[str, click.Command] = {}
    for info in pkgutil.iter_modules(ledgerops.cli.__path__):
        module = importlib.import_module(f"ledgerops.cli.{info.name}")
        commands = [
            value
            for value in vars(module).values()
            if isinstance(value, click.Command) and value.callback.__module__ == module.__name__
        ]
        nested = {
            id(sub) for group in commands if isinstance(group, click.Group) for sub in group.commands.values()
        }
        found |= {command.name: command for command in commands if id(command) not in nested}
    return found


def _modules_after(*argv: str) -> set[str]:
    """The modules a `ledgerops` process had imported when it ended."""
    probe = (
        "import atexit, sys\n"  # not json: whether the command imports it is part of the question
        "atexit.register(lambda: print(sorted(sys.modules), file=sys.stderr))\n"
        "from ledgerops.cli import main\n"
        "main()\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, *argv], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    return set(ast.literal_eval(result.stderr.strip().splitlines()[-1]))


def test_every_command_is_in_the_table_and_resolves_to_itself() -> None:
    defined = _defined_commands()
    assert sorted(COMMANDS) == sorted(defined)
    with click.Context(cli) as ctx:
        assert all(cli.get_command(ctx, name) is command for name, command in defined.items())


def test_help_lists_every_command_with_its_short_help() -> None:
    result = run_cli("--help")
    assert result.returncode == 0, result.stderr
    listed = re.findall(r"^  (\S+) +(.+)$", result.stdout.split("\nCommands:\n", 1)[1], re.MULTILINE)
    defined = _defined_commands()
    assert [name for name, _ in listed] == sorted(defined)
    for name, shown in listed:
        first_line = " ".join((defined[name].help or "").split())
        assert first_line.startswith(shown.removesuffix("...")), name


def test_importing_the_cli_builds_no_command() -> None:
    result = subprocess.run(
        [sys.executable, "-c", "import json, sys, ledgerops.cli; print(json.dumps(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    ours = {m for m in json.loads(result.stdout) if m.startswith("ledgerops.")}
    assert ours == {"ledgerops.cli", "ledgerops.core", "ledgerops.core.errors"}


def test_check_imports_its_own_command_and_nothing_only_writers_need() -> None:
    modules = _modules_after("check", "--ledger", str(REPO), "--today", "2026-11-27")
    assert {m for m in modules if m.startswith("ledgerops.cli.")} == {
        "ledgerops.cli.check",
        "ledgerops.cli.options",
    }
    assert not {m for m in modules if m.split(".")[0] in ("jinja2", "git", "ruamel", "babel")}
    assert (
        not {
            "hashlib",
            "tempfile",
            "json",
            "importlib.resources",
            "ledgerops.core.schedule",
            "ledgerops.core.queue",
        }
        & modules
    )
