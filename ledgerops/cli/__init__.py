"""The command line: parse options, build the Context, call app.<command>.run, render, exit.

This package is the only importer of click. Each command lives in a module of it, imported
only when that command runs or `--help` lists it: `ledgerops check` builds one command, not
all of them. Heavy modules are imported inside the commands that use them.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Mapping
from functools import wraps
from importlib import import_module
from typing import Any

import click

from ledgerops import __version__
from ledgerops.core.errors import LedgeropsError

# Every top-level command: its name -> (module of this package, the command's name in it).
COMMANDS = {
    "aging": ("aging", "aging"),
    "check": ("check", "check"),
    "credit": ("credit", "credit"),
    "draft": ("draft", "draft"),
    "exception": ("exception", "exception"),
    "init": ("init", "init"),
    "invoices": ("invoices", "invoices"),
    "notify": ("notify", "notify"),
    "pause": ("pause", "pause"),
    "pay": ("pay", "pay"),
    "payments": ("payments", "payments"),
    "policy": ("policy", "policy"),
    "remind": ("remind", "remind"),
    "render": ("render", "render_invoice"),
    "report": ("report", "report"),
    "run": ("run", "run_"),
    "schema": ("schema", "schema"),
    "send": ("send", "send"),
    "tone": ("tone", "tone"),
    "void": ("void", "void"),
}


class _Commands(Mapping[str, click.Command]):
    """The root group's commands, each imported from its module when first asked for."""

    def __getitem__(self, name: str) -> click.Command:
        module, attribute = COMMANDS[name]
        command: click.Command = getattr(import_module(f"{__name__}.{module}"), attribute)
        return command

    def __iter__(self) -> Iterator[str]:
        return iter(COMMANDS)

    def __len__(self) -> int:
        return len(COMMANDS)


@click.group(
    commands=_Commands(), context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100}
)
@click.version_option(__version__, prog_name="ledgerops")
@click.option("--debug", is_flag=True, help="Show a traceback for internal errors.")
@click.pass_context
def cli(click_ctx: click.Context, debug: bool) -> None:
    """Invoice operations for one-person companies, kept as plain text in git."""
    click_ctx.obj = {"debug": debug}


INTERNAL_ERROR = 3
MESSAGE_LIMIT = 1000  # an error is a line or two, whatever it repeats


def shown(message: str) -> str:
    """An error message as it may be printed: control characters escaped, and a long
    command-line value it repeats cut to its first characters."""
    from ledgerops.core.text import ECHO_LIMIT, capped, escaped

    text = escaped(message)
    for value in sorted({escaped(arg) for arg in sys.argv[1:]}, key=len, reverse=True):
        if len(value) > ECHO_LIMIT:
            text = text.replace(value, capped(value))
    return capped(text, MESSAGE_LIMIT)


def _guarded(entry: Callable[..., Any]) -> Callable[..., None]:
    """Exit 0 done, 1 problems found (the command's own return), 2 cannot run (a usage error or
    a LedgeropsError, one line), 3 a bug in ledgerops: one line without a traceback unless
    --debug is given, so a script can tell "fix your input" from "report this"."""

    @wraps(entry)
    def run() -> None:
        debug = "--debug" in sys.argv[1:]
        try:
            entry(standalone_mode=False)
        except click.exceptions.Exit as done:
            sys.exit(done.exit_code)
        except click.Abort:
            click.echo("aborted", err=True)
            sys.exit(2)
        except click.ClickException as error:
            setattr(error, "message", shown(error.message))  # noqa: B010  (click marks it Final)
            error.show()
            sys.exit(2)
        except LedgeropsError as error:
            click.echo(f"ledgerops: error: {shown(str(error))}", err=True)
            sys.exit(error.exit_code)
        except (SystemExit, KeyboardInterrupt):
            raise
        except BaseException as error:
            if debug:
                raise
            click.echo(f"ledgerops: internal error ({type(error).__name__}); rerun with --debug", err=True)
            sys.exit(INTERNAL_ERROR)

    return run


main = _guarded(cli.main)
