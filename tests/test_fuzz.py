"""Bad input is expected input: random damage to valid files never crashes `check` or changes a file."""

from __future__ import annotations

import random
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ledgerops.app.load import load
from ledgerops.context import Context
from tests.conftest import EXAMPLE_DAY, REPO, copy_example, run_cli, snapshot

FILES = sorted(
    str(p.relative_to(REPO))
    for part in ("policy.yaml", "clients", "invoices", "exceptions")
    for p in ([REPO / part] if part.endswith(".yaml") else (REPO / part).rglob("*.yaml"))
)
MUTATIONS = ("delete_line", "swap_type", "random_bytes", "truncate", "duplicate_line", "shuffle_indent")


def mutate(data: bytes, kind: str, rng: random.Random) -> bytes:
    lines = data.split(b"\n")
    index = rng.randrange(len(lines))
    if kind == "delete_line":
        del lines[index]
    elif kind == "duplicate_line":
        lines.insert(index, lines[index])
    elif kind == "shuffle_indent":
        lines[index] = b" " * rng.randrange(5) + lines[index].lstrip()
    elif kind == "swap_type":
        line = lines[index]
        if b":" in line:
            key = line.split(b":", 1)[0]
            lines[index] = (
                key + b": " + rng.choice([b"[1, 2]", b"{a: b}", b"~", b"yes", b"-1", b"'x'", b"0.123456"])
            )
    elif kind == "random_bytes":
        at = rng.randrange(len(data) + 1)
        return data[:at] + bytes(rng.randrange(256) for _ in range(rng.randrange(1, 6))) + data[at:]
    elif kind == "truncate":
        return data[: rng.randrange(len(data) + 1)]
    return b"\n".join(lines)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(target=st.sampled_from(FILES), kind=st.sampled_from(MUTATIONS), seed=st.integers(0, 2**32 - 1))
@example(target="clients/brotwerk.yaml", kind="random_bytes", seed=22246)  # a tab and a control byte
def test_damaged_files_give_diagnostics_not_crashes(
    tmp_path_factory, target: str, kind: str, seed: int
) -> None:
    ledger = copy_example(tmp_path_factory.mktemp("fuzz"))
    path = ledger / target
    path.write_bytes(mutate(path.read_bytes(), kind, random.Random(seed)))
    before = snapshot(ledger)
    loaded = load(Context(ledger, EXAMPLE_DAY))
    for found in loaded.diagnostics:
        assert found.source.line >= 1 and found.source.col >= 1
        assert (ledger / found.source.path).is_file()
        assert found.message and found.hint
    assert snapshot(ledger) == before


def test_the_real_command_answers_damage_with_exit_1_and_no_traceback(tmp_path: Path) -> None:
    rng = random.Random(7)
    for round_ in range(8):
        ledger = copy_example(tmp_path / f"round{round_}")
        for target in rng.sample(FILES, 3):
            path = ledger / target
            path.write_bytes(mutate(path.read_bytes(), "random_bytes", rng) + b"\n: [\n")
        before = snapshot(ledger)
        result = run_cli("check", "--ledger", str(ledger), "--today", "2026-11-27")
        assert result.returncode == 1, result.stdout + result.stderr
        assert "Traceback" not in result.stderr and "internal error" not in result.stderr
        assert snapshot(ledger) == before
