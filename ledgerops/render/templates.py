"""The Jinja2 environment: the ledger's templates/ first, the packaged defaults second.

Undefined variables are errors (a typo in a template must not send an email with a hole
in it); HTML templates are autoescaped, Markdown and text templates are not.

Templates come from the ledger, that is from whoever can open a pull request, and `check`
renders them on every pull request: they run in Jinja2's immutable sandbox, so a template
cannot reach Python objects (`''.__class__`, `cycler.__init__.__globals__`) or change the
values it is given.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2
import jinja2.sandbox

from ledgerops.core.errors import TemplateProblem

_AUTOESCAPED = (".html", ".html.j2", ".htm")


Templates = jinja2.Environment  # what the other layers name it by: they may not import jinja2


def environment(ledger_dir: Path | None, extra: Mapping[str, str] | None = None) -> Templates:
    """The templates a command renders; `extra` (name -> source) goes before the ledger's,
    for a template that is checked before it is written."""
    loaders: list[jinja2.BaseLoader] = []
    if extra:
        loaders.append(jinja2.DictLoader(dict(extra)))
    if ledger_dir is not None and (ledger_dir / "templates").is_dir():
        loaders.append(jinja2.FileSystemLoader(ledger_dir / "templates"))
    loaders.append(jinja2.PackageLoader("ledgerops", "templates"))
    return jinja2.sandbox.ImmutableSandboxedEnvironment(
        loader=jinja2.ChoiceLoader(loaders),
        undefined=jinja2.StrictUndefined,
        autoescape=lambda name: name is not None and name.endswith(_AUTOESCAPED),
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(env: jinja2.Environment, name: str, values: Mapping[str, Any]) -> str:
    """The rendered template; any template mistake becomes one clear TemplateProblem."""
    try:
        return env.get_template(name).render(values)
    except jinja2.TemplateNotFound as error:
        raise TemplateProblem(
            f"template {error.name} not found (in the ledger's templates/ or the package)"
        ) from error
    except jinja2.TemplateSyntaxError as error:
        raise TemplateProblem(f"template {error.filename or name}:{error.lineno}: {error.message}") from error
    except jinja2.UndefinedError as error:
        raise TemplateProblem(f"template {name}: {error.message}") from error
    except jinja2.TemplateError as error:
        raise TemplateProblem(f"template {name}: {error}") from error


def source(env: jinja2.Environment, name: str) -> str:
    """A template's text as written (for showing it, not rendering it)."""
    try:
        text, _, _ = env.loader.get_source(env, name) if env.loader else ("", None, None)
    except jinja2.TemplateNotFound as error:
        raise TemplateProblem(
            f"template {name} not found (in the ledger's templates/ or the package)"
        ) from error
    return text
