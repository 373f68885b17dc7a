"""A run killed at any step of the claim -> send -> record protocol, then two more runs: no
message twice, nothing lost, `check` passes on origin, the clone is usable without a hand
on it, and origin holds the truth. Real processes: the kill comes from a git hook in the
clone (around a commit), a hook in the bare origin (around a push), or the SMTP server
(right after it took a message)."""

from __future__ import annotations

import os
import signal
import stat
from collections import Counter
from pathlib import Path

import pytest

from .ledgers import (
    ALL_SENT,
    cases,
    finish,
    git,
    kill_after_accepting,
    message_ids,
    origin_ledger,
    sent_stages,
    smtp_env,
    start,
    with_origin,
)

pytestmark = pytest.mark.slow

# Kills the run whose pid is in $VICTIM when the Nth commit of refs/heads/main reaches the
# given state ('prepared': the commit is then aborted too, as if the run died before it).
REFERENCE_TRANSACTION = """#!/bin/sh
grep -q " refs/heads/main$" || exit 0
[ -s "{victim}" ] || exit 0
count=$(( $(cat "{counter}.$1" 2>/dev/null || echo 0) + 1 ))
echo "$count" > "{counter}.$1"
if [ "$1" = "{state}" ] && [ "$count" = "{nth}" ]; then
  kill -9 "$(cat "{victim}")"; : > "{victim}"
  [ "$1" = prepared ] && exit 1
fi
exit 0
"""
# In origin: kill the pushing run before its push lands (and refuse it), or after it landed.
RECEIVE = """#!/bin/sh
[ -s "{victim}" ] || exit 0
count=$(( $(cat "{counter}" 2>/dev/null || echo 0) + 1 ))
echo "$count" > "{counter}"
[ "$count" = "{nth}" ] || exit 0
kill -9 "$(cat "{victim}")"; : > "{victim}"
{tail}
"""

KILL_POINTS = {
    "before the claim commit": ("clone", "prepared", 1),
    "after the claim commit": ("clone", "committed", 1),
    "before the claim reached origin": ("pre-receive", None, 1),
    "after the claim reached origin": ("post-receive", None, 1),
    "before the record commit": ("clone", "prepared", 2),
    "after the record commit": ("clone", "committed", 2),
}


def _hook(path: Path, text: str) -> None:
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


def _arm(origin: Path, clone: Path, where: str, state: str | None, nth: int, tmp: Path) -> Path:
    victim, counter = tmp / "victim.pid", tmp / "count"
    if where == "clone":
        text = REFERENCE_TRANSACTION.format(victim=victim, counter=counter, state=state, nth=nth)
        _hook(clone / ".git/hooks/reference-transaction", text)
    else:
        tail = "sleep 1; exit 1" if where == "pre-receive" else "exit 0"
        _hook(origin / "hooks" / where, RECEIVE.format(victim=victim, counter=counter, nth=nth, tail=tail))
    return victim


def _disarm(origin: Path, clone: Path) -> None:
    for hook in (
        clone / ".git/hooks/reference-transaction",
        origin / "hooks/pre-receive",
        origin / "hooks/post-receive",
    ):
        hook.unlink(missing_ok=True)


@pytest.mark.parametrize("point", [*KILL_POINTS, "after the server accepted"])
def test_a_run_killed_anywhere_is_recovered_by_the_next_runs(tmp_path: Path, smtp_server, point: str) -> None:
    server = smtp_server()
    origin, (clone,) = with_origin(tmp_path)
    if point == "after the server accepted":
        kill_after_accepting(server, 1, "run", clone)
    else:
        victim = _arm(origin, clone, *KILL_POINTS[point], tmp_path)
        process = start("run", clone, "--transport", "smtp", env=smtp_env(server))
        victim.write_text(str(process.pid))
        assert process.wait(timeout=120) == -signal.SIGKILL, process.communicate()
        _disarm(origin, clone)

    for _ in range(2):  # nobody touches the clone in between
        code, out, err = finish(start("run", clone, "--transport", "smtp", env=smtp_env(server)))
        assert code == 0, (point, err, out)
    received = message_ids(server)
    assert all(count == 1 for count in received.values()), received  # never twice
    ledger = origin_ledger(origin, tmp_path)  # `check` passes on what origin holds
    assert sent_stages(ledger) == ALL_SENT  # every due message recorded once, none lost
    sent = {m[1:].split("@")[0] for m in received}
    unknown = {f"{invoice}.{stage}" for (invoice, stage) in ALL_SENT} - sent
    # What may have left without a record is routed to a person, never repeated.
    assert set(cases(ledger, "delivery_unknown")) >= {name.split(".")[0] for name in unknown}
    assert git(clone, "status", "--porcelain") == ""
    assert git(clone, "rev-parse", "HEAD") == git(origin, "rev-parse", "main")  # the clone is origin's


def test_a_refusing_pre_push_hook_leaves_the_clone_as_it_was(tmp_path: Path) -> None:
    origin, (clone,) = with_origin(tmp_path)
    _hook(clone / ".git/hooks/pre-push", "#!/bin/sh\necho 'pre-push: not today' >&2\nexit 1\n")
    head = git(clone, "rev-parse", "HEAD")
    code, _, err = finish(start("run", clone))
    assert code == 2 and "git push failed" in err
    assert git(clone, "rev-parse", "HEAD") == head and git(clone, "status", "--porcelain") == ""
    assert not (clone / "outbox").exists()  # nothing left: its claim never reached origin
    (clone / ".git/hooks/pre-push").unlink()
    code, _, err = finish(start("run", clone))
    assert code == 0, err
    assert Counter(p.name.split("@")[0] for p in (clone / "outbox").iterdir()) == Counter(
        f"{invoice}.{stage}" for invoice, stage in ALL_SENT
    )
    assert sent_stages(origin_ledger(origin, tmp_path)) == ALL_SENT


def test_a_stale_index_lock_of_a_killed_git_is_removed(tmp_path: Path) -> None:
    origin, (clone,) = with_origin(tmp_path)
    lock = clone / ".git/index.lock"
    lock.write_text("")
    os.utime(lock, (1_600_000_000, 1_600_000_000))  # long ago: its git process is gone
    code, out, err = finish(start("run", clone))
    assert code == 0, err
    assert any("index.lock" in line for line in out["recovered"]) and not lock.exists()
    assert sent_stages(origin_ledger(origin, tmp_path)) == ALL_SENT
