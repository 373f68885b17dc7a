"""`ledgerops init DIR`: a new, empty ledger that passes `check`, built aside and moved into place."""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ledgerops import __version__
from ledgerops.app import schema
from ledgerops.core import requirement
from ledgerops.core.errors import UsageError
from ledgerops.core.text import is_email
from ledgerops.edge import gitrepo, installed

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+\Z")
_RENAMES = {"dot-gitignore": ".gitignore"}  # package data cannot carry dot-files reliably
REQUIREMENTS = Path(".github") / "ledgerops-requirements.txt"


@dataclass(frozen=True)
class NewLedger:
    files: list[Path]
    unreleased: Path | None  # the requirements file to edit when it names an unpublished ledgerops


def run(directory: Path, *, company: str, email: str, currency: str, git: bool) -> NewLedger:
    _validate(directory, company, email, currency)
    pin = requirement.pin(__version__, installed.direct_url())
    values = {
        "__COMPANY__": company,
        "__EMAIL__": email,
        "__CURRENCY__": currency,
        "__REQUIREMENT__": "\n".join(pin.lines),  # the ledgerops the workflows install
    }
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
    try:
        created = _copy_skeleton(staging, values)
        created += schema.write(staging / ".vscode" / "ledgerops")
        if git:
            gitrepo.init_repository(staging)
        if directory.exists():
            directory.rmdir()  # empty, as _validate made sure
        staging.rename(directory)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return NewLedger(
        files=[directory / path.relative_to(staging) for path in created],
        unreleased=directory / REQUIREMENTS if pin.unreleased else None,
    )


def _validate(directory: Path, company: str, email: str, currency: str) -> None:
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise UsageError(f"{directory} already exists and is not empty; choose a new folder")
    if not company.strip() or any(ord(ch) < 32 or ord(ch) == 127 for ch in company):
        raise UsageError("--company must be a name on one line")
    if not (_EMAIL.match(email) and is_email(email)):
        raise UsageError(f"--email '{email}' is not an email address")
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise UsageError(f"--currency '{currency}' is not an ISO 4217 code like EUR")


def _copy_skeleton(target: Path, values: dict[str, str]) -> list[Path]:
    created = []
    skeleton = resources.files("ledgerops") / "skeleton"
    with resources.as_file(skeleton) as root:
        for source in sorted(p for p in root.rglob("*") if p.is_file()):
            relative = source.relative_to(root)
            name = _RENAMES.get(relative.name, relative.name)
            path = target / relative.parent / name
            path.parent.mkdir(parents=True, exist_ok=True)
            text = source.read_text(encoding="utf-8")
            for placeholder, value in values.items():
                # YAML files get the company as a quoted scalar, so any name stays text.
                quoted = (
                    json.dumps(value, ensure_ascii=False)
                    if path.suffix == ".yaml" and placeholder == "__COMPANY__"
                    else value
                )
                text = text.replace(placeholder, quoted)
            path.write_text(text, encoding="utf-8")
            created.append(path)
    return created
