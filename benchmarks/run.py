"""Time whole `ledgerops` processes on generated ledgers, and `bean-check` on the same facts.

    python benchmarks/run.py [--sizes 10000,100000] [--runs 5] [--workdir DIR]
        [--out results.json] [--ledgerops PATH] [--seed 1]

Every figure is a whole process as a user starts it (interpreter start-up, imports,
reading files, output): the table shows the median wall clock of --runs runs, the median
CPU time (user + system, steadier than wall clock on a busy machine) and the peak
resident memory. Ledgers come from generate.py and are kept under
--workdir (default benchmarks/out/, git-ignored) for the next run; clones and caches
live in a scratch folder inside it that is removed at the end.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
GENERATOR = HERE / "generate.py"
AS_OF = "2026-11-27"  # the generator's "today": nothing in the ledgers is later
SMALL_LEDGER = (7, 2)  # invoices, clients: with the policy, about 10 files
CLIENTS_PER_INVOICE = 1 / 20
EDITED_FILES = 3


@dataclass(frozen=True)
class Sample:
    seconds: float
    cpu_seconds: float  # user + system: much less disturbed by other load than wall clock
    max_rss_kib: int
    returncode: int
    stderr_tail: str


@dataclass
class Case:
    name: str
    what: str
    command: list[str]
    env: dict[str, str] | None = None
    prepare: Callable[[int], None] | None = None  # untimed setup before run i
    needs: str | None = None  # a ledgerops subcommand that may not exist yet
    note: str = ""


@dataclass
class Result:
    name: str
    what: str
    command: str
    seconds: list[float] = field(default_factory=list)
    cpu_seconds: list[float] = field(default_factory=list)
    max_rss_kib: list[int] = field(default_factory=list)
    note: str = ""

    @property
    def median(self) -> float | None:
        return statistics.median(self.seconds) if self.seconds else None

    @property
    def median_cpu(self) -> float | None:
        return statistics.median(self.cpu_seconds) if self.cpu_seconds else None


@dataclass(frozen=True)
class Ledger:
    path: Path
    beancount: Path
    files: int


# ---------------------------------------------------------------- measuring


def measure(command: list[str], env: dict[str, str] | None = None) -> Sample:
    """Run one process to completion: wall clock and peak RSS of that process tree.

    os.wait4 gives the resource usage of exactly this child (and the children it waited
    for), so the clones and generator runs around it never leak into the figure, as they
    would with the running maximum of RUSAGE_CHILDREN.
    """
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped: Popen must not wait again
        err.seek(0)
        tail = err.read()[-1500:].decode(errors="replace")
    return Sample(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, proc.returncode, tail)


def run_case(case: Case, runs: int) -> Result:
    result = Result(case.name, case.what, " ".join(case.command), note=case.note)
    print(f"  {case.name} ...", file=sys.stderr, flush=True)
    for i in range(runs + 1):  # run 0 warms up: bytecode compiled, files in the page cache
        if case.prepare:
            case.prepare(i)
        sample = measure(case.command, case.env)
        if sample.returncode != 0:
            result.note = f"exit {sample.returncode}: {sample.stderr_tail.strip()[-300:]}"
            print(f"    FAILED {result.note}", file=sys.stderr)
            break
        if i:
            result.seconds.append(sample.seconds)
            result.cpu_seconds.append(sample.cpu_seconds)
            result.max_rss_kib.append(sample.max_rss_kib)
    return result


def skipped(name: str, what: str, note: str) -> Result:
    print(f"  {name}: skipped ({note})", file=sys.stderr)
    return Result(name, what, "", note=f"skipped: {note}")


# ---------------------------------------------------------------- ledgers


def ensure_ledger(workdir: Path, invoices: int, clients: int, seed: int) -> Ledger:
    """Generate a ledger (a git repository) unless the same generator already made it."""
    base = workdir / f"ledger-{invoices}-s{seed}"
    beancount = base.with_name(base.name + ".beancount")
    stamp = base.with_name(base.name + ".stamp")
    args = ["--invoices", str(invoices), "--clients", str(clients), "--seed", str(seed)]
    # The stamp ties the ledger to the generator's source: an edited generator regenerates.
    digest = hashlib.sha256(GENERATOR.read_bytes() + " ".join(args).encode()).hexdigest()
    if not (stamp.exists() and stamp.read_text() == digest and base.is_dir()):
        shutil.rmtree(base, ignore_errors=True)
        stamp.unlink(missing_ok=True)
        print(f"generating {base.name} ...", file=sys.stderr, flush=True)
        start = time.perf_counter()
        command = [sys.executable, str(GENERATOR), str(base), *args, "--beancount", str(beancount), "--git"]
        subprocess.run(command, check=True)
        print(f"  {time.perf_counter() - start:.1f} s", file=sys.stderr)
        stamp.write_text(digest)
    files = sum(1 for _ in base.glob("**/*.yaml"))
    return Ledger(base, beancount, files)


def fresh_clone(source: Path, target: Path) -> None:
    shutil.rmtree(target, ignore_errors=True)
    subprocess.run(["git", "clone", "-q", str(source), str(target)], check=True)


def edit_files(paths: list[Path], run: int) -> None:
    """A user's small change: a comment line, so the ledger stays valid."""
    for path in paths:
        with path.open("a", encoding="utf-8") as file:
            file.write(f"# benchmark edit {run}\n")


def files_to_edit(ledger_dir: Path) -> list[Path]:
    invoices = sorted(ledger_dir.glob("invoices/*/*.yaml"))
    return [invoices[0], invoices[len(invoices) // 2], invoices[-1]][:EDITED_FILES]


# ---------------------------------------------------------------- cases


def env_with_cache(cache: Path) -> dict[str, str]:
    """A private XDG cache home, so that "cold" also means no cache outside the ledger."""
    return {**os.environ, "XDG_CACHE_HOME": str(cache)}


def diagnostics_summary(ledgerops: str, ledger_dir: Path, env: dict[str, str]) -> str:
    """Untimed `check --format json`: how many errors and warnings the ledger has."""
    proc = subprocess.run(
        [ledgerops, "check", "--ledger", str(ledger_dir), "--today", AS_OF, "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
    )
    try:
        diagnostics = json.loads(proc.stdout)["diagnostics"]
    except (ValueError, KeyError):
        return f"check --format json failed (exit {proc.returncode}): {proc.stderr.strip()[-300:]}"
    counts = Counter(d["severity"] for d in diagnostics)
    errors = [d for d in diagnostics if d["severity"] == "error"]
    for d in errors[:5]:
        print(f"    {d['file']}:{d['line']}:{d['column']}: {d['code']}: {d['message']}", file=sys.stderr)
    return f"{counts['error']} errors, {counts['warning']} warnings"


def has_command(ledgerops: str, name: str) -> bool:
    proc = subprocess.run([ledgerops, name, "--help"], capture_output=True)
    return proc.returncode == 0


def size_cases(ledgerops: str, ledger: Ledger, invoices: int, scratch: Path) -> list[Case]:
    """check cold / warm, report and remind on one ledger size; warms the warm clone up."""
    label = f"{invoices:,} invoices ({ledger.files:,} files)"
    cold_dir, cold_cache = scratch / f"cold-{invoices}", scratch / f"cold-cache-{invoices}"
    warm_dir, warm_env = scratch / f"warm-{invoices}", env_with_cache(scratch / f"warm-cache-{invoices}")

    def cold(_: int) -> None:
        shutil.rmtree(cold_cache, ignore_errors=True)
        fresh_clone(ledger.path, cold_dir)

    fresh_clone(ledger.path, warm_dir)
    diagnostics = diagnostics_summary(ledgerops, warm_dir, warm_env)  # also the warm-up run
    edited = files_to_edit(warm_dir)
    return [
        Case(
            name=f"check, {label}, cold",
            what="fresh git clone and empty cache before each run",
            command=[ledgerops, "check", "--ledger", str(cold_dir), "--today", AS_OF],
            env=env_with_cache(cold_cache),
            prepare=cold,
            note=diagnostics,
        ),
        Case(
            name=f"check, {label}, warm, {EDITED_FILES} files edited",
            what=f"after a first run; a comment appended to {EDITED_FILES} invoice files before each run",
            command=[ledgerops, "check", "--ledger", str(warm_dir), "--today", AS_OF],
            env=warm_env,
            prepare=lambda run: edit_files(edited, run),
        ),
        Case(
            name=f"check, {label}, warm, no change",
            what="nothing changed since the previous run",
            command=[ledgerops, "check", "--ledger", str(warm_dir), "--today", AS_OF],
            env=warm_env,
        ),
        Case(
            name=f"report --format json, {label}",
            what=f"weekly metrics as of {AS_OF}, in the warm clone",
            command=[ledgerops, "report", "--ledger", str(warm_dir), "--as-of", AS_OF, "--format", "json"],
            env=warm_env,
            needs="report",
        ),
        Case(
            name=f"remind --dry-run --format json, {label}",
            what=f"the daily reminder plan for {AS_OF}, in the warm clone; sends and writes nothing",
            command=[
                ledgerops,
                "remind",
                "--ledger",
                str(warm_dir),
                "--today",
                AS_OF,
                "--dry-run",
                "--format",
                "json",
            ],
            env=warm_env,
            needs="remind",
        ),
    ]


def beancount_cases(bean_check: str, ledger: Ledger, invoices: int) -> list[Case]:
    label = f"{invoices:,} invoices, one file"
    return [
        Case(
            name=f"bean-check, {label}",
            what="Beancount v3 on the same facts, its pickle cache allowed",
            command=[bean_check, str(ledger.beancount)],
        ),
        Case(
            name=f"bean-check -C, {label}",
            what="Beancount v3 on the same facts, no cache",
            command=[bean_check, "-C", str(ledger.beancount)],
        ),
    ]


def run_cases(cases: list[Case], runs: int, ledgerops: str) -> list[Result]:
    """Run the cases; one that needs a subcommand ledgerops lacks is skipped with a note."""
    results = []
    for case in cases:
        if case.needs and not has_command(ledgerops, case.needs):
            results.append(skipped(case.name, case.what, f"`ledgerops {case.needs}` does not exist yet"))
        else:
            results.append(run_case(case, runs))
    return results


def all_results(args: argparse.Namespace, ledgerops: str, workdir: Path, scratch: Path) -> list[Result]:
    small = ensure_ledger(workdir, *SMALL_LEDGER, args.seed)
    small_env = env_with_cache(scratch / "small-cache")
    cases = [
        Case(name="ledgerops --help", what="start-up and CLI import cost", command=[ledgerops, "--help"]),
        Case(
            name=f"check, {small.files} files",
            what="the smallest real ledger, after a first run",
            command=[ledgerops, "check", "--ledger", str(small.path), "--today", AS_OF],
            env=small_env,
            note=diagnostics_summary(ledgerops, small.path, small_env),
        ),
    ]
    results = run_cases(cases, args.runs, ledgerops)
    bean_check = find_tool("bean-check", None)
    for invoices in args.sizes:
        ledger = ensure_ledger(workdir, invoices, max(2, int(invoices * CLIENTS_PER_INVOICE)), args.seed)
        print(f"{ledger.path.name}:", file=sys.stderr)
        results += run_cases(size_cases(ledgerops, ledger, invoices, scratch), args.runs, ledgerops)
        if bean_check:
            results += run_cases(beancount_cases(bean_check, ledger, invoices), args.runs, ledgerops)
        else:
            results.append(
                skipped(f"bean-check, {invoices:,} invoices", "Beancount", "bean-check not installed")
            )
    return results


# ---------------------------------------------------------------- output


def markdown(results: list[Result]) -> str:
    rows = [
        "| case | median s | min s | max s | median CPU s | peak RSS MiB | note |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in results:
        if r.seconds:
            rss = max(r.max_rss_kib) / 1024
            wall = f"{r.median:.3f} | {min(r.seconds):.3f} | {max(r.seconds):.3f}"
            figures = f"{wall} | {r.median_cpu:.3f} | {rss:.0f}"
        else:
            figures = "– | – | – | – | –"
        rows.append(f"| {r.name} | {figures} | {r.note} |")
    return "\n".join(rows) + "\n"


def machine(ledgerops: str, runs: int, load_before: float) -> dict[str, object]:
    """What the figures depend on; the load average shows how busy the machine was."""
    version = subprocess.run([ledgerops, "--version"], capture_output=True, text=True).stdout.strip()
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "ledgerops": version,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "runs": runs,
        "load_average_1min": [load_before, os.getloadavg()[0]],
    }


def find_tool(name: str, given: str | None) -> str | None:
    """`given`, else PATH, else next to this interpreter (a venv that is not activated)."""
    if given:
        return given
    beside = Path(sys.executable).parent / name
    return shutil.which(name) or (str(beside) if beside.exists() else None)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000", help="invoice counts, comma-separated")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per case (median shown)")
    parser.add_argument("--workdir", type=Path, default=HERE / "out", help="where ledgers are kept")
    parser.add_argument("--out", type=Path, help="JSON results file (default: WORKDIR/results.json)")
    parser.add_argument("--ledgerops", help="the ledgerops executable (default: PATH, then the venv)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    args.sizes = [int(size) for size in args.sizes.split(",") if size]
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    ledgerops = find_tool("ledgerops", args.ledgerops)
    if not ledgerops:
        sys.exit("run: ledgerops not found; install the package or pass --ledgerops PATH")
    workdir = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    # Measure an installed tool as users run it: with bytecode caches (this environment may
    # disable them), kept under the workdir so that nothing is written into the source tree.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = str(workdir / "pycache")
    scratch = Path(tempfile.mkdtemp(prefix="scratch-", dir=workdir))
    load_before = os.getloadavg()[0]
    try:
        results = all_results(args, ledgerops, workdir, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    info = machine(ledgerops, args.runs, load_before)
    print(markdown(results))
    print(", ".join(f"{key}: {value}" for key, value in info.items()))
    report = {
        "machine": info,
        "results": [asdict(r) | {"median": r.median, "median_cpu": r.median_cpu} for r in results],
    }
    (args.out or workdir / "results.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
