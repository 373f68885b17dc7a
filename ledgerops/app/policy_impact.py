"""`ledgerops policy impact`: the working tree's policy against another version of it, with the
messages, late fees and escalations that would change. A git ref is the "before" (the policy
in force, say main's) and the working tree the "after"; a `--policy FILE` is the proposal, so
it is the "after" and the working tree the "before"."""

from __future__ import annotations

from pathlib import Path

from ledgerops.app.load import VALID, load_ledger
from ledgerops.context import Context
from ledgerops.core.checks import check_policy
from ledgerops.core.errors import UsageError
from ledgerops.core.impact import Impact, policy_impact
from ledgerops.core.policy import Policy
from ledgerops.edge import gitrepo
from ledgerops.yamlfile.read import read_record
from ledgerops.yamlfile.schema import RECORDS

DEFAULT_REF = "HEAD"
WORKING_TREE = "the working tree"


def run(ctx: Context, against: str | None, policy_file: Path | None, days: int) -> tuple[Impact, str, str]:
    """The impact of moving from the "before" policy to the "after" one, and their names."""
    if against is not None and policy_file is not None:
        raise UsageError("give either --against REF or --policy FILE, not both")
    loaded = load_ledger(ctx, VALID)
    ledger = loaded.ledger
    label, data = _other_policy(ctx.ledger_dir, against, policy_file)
    other = _parse(label, data)
    if policy_file is not None:
        return policy_impact(ledger, ledger.policy, other, loaded.today, days), WORKING_TREE, label
    return policy_impact(ledger, other, ledger.policy, loaded.today, days), label, WORKING_TREE


def _other_policy(root: Path, against: str | None, policy_file: Path | None) -> tuple[str, bytes]:
    if policy_file is not None:
        try:
            return str(policy_file), policy_file.read_bytes()
        except OSError as error:
            raise UsageError(f"cannot read {policy_file}: {error.strerror}") from error
    ref = against or DEFAULT_REF
    return f"{ref}:policy.yaml", gitrepo.file_at(root, ref, root / "policy.yaml")


def _parse(label: str, data: bytes) -> Policy:
    policy, found = read_record(label, data, RECORDS["policy"])
    if policy is not None:
        found = [*found, *check_policy(policy)]
    errors = [d for d in found if d.severity == "error"]
    if policy is None or errors:
        first = errors[0] if errors else None
        where = f": {first.source.line}:{first.source.col}: {first.message}" if first else ""
        raise UsageError(f"the policy {label} has errors{where}")
    return policy
