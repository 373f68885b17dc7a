"""What `ledgerops tone suggest` prints."""

from __future__ import annotations

from ledgerops.core.tone import Suggested


def suggested_text(result: Suggested, dry_run: bool) -> str:
    """The template itself for --dry-run; the reasons for a rejected answer; where a written
    template went and what to do next."""
    what = f"stage {result.stage}, segment {result.segment}"
    if result.template is None:
        lines = [f"rejected: the suggested wording ({what}) was not written:"]
        lines += [f"  - {reason}" for reason in result.reasons]
        lines.append(
            "nothing was written; run it again (perhaps with another --brief), or edit the template yourself"
        )
        return "\n".join(lines) + "\n"
    if dry_run or not result.written:
        return result.template
    lines = [f"wrote {result.path} ({what}), based on {result.based_on}"]
    if result.branch is None:
        lines.append("the ledger is not in a git repository: the file is written, not committed")
    else:
        lines += [
            f"committed {(result.commit or '')[:7]} on a new branch {result.branch}; you are on it now "
            f"({result.previous_branch} is unchanged)",
            "review it: ledgerops remind --dry-run (and ledgerops check)",
            f"then: git push -u origin {result.branch}, and open a pull request",
        ]
    return "\n".join(lines) + "\n\n" + result.template
