"""`ledgerops report` and `ledgerops aging` end to end on the example ledger: golden outputs,
the Markdown page as GitHub parses it, the JSON contract of docs/spec.md §9.3, and --write."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from tests.conftest import REPO, copy_example, example_repo, git, run_cli, snapshot
from tests.golden import assert_golden

GOLDEN = Path(__file__).resolve().parent / "golden"
CASES = sorted(p for p in GOLDEN.glob("*/*") if (p / "args").is_file())
SECTIONS = [  # what needs action first, the charts last
    "Headline",
    "Exception queue",
    "Awaiting a manual escalation",
    "Aging",
    "By client",
    "Overdue reasons this week (2026-11-21 to 2026-11-27)",
    "Tune one control",
    "Trend: the last 8 weeks",
]


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_golden_output_on_the_example_ledger(case: Path, update_golden: bool) -> None:
    """Regenerate with `pytest --update-golden` (or LEDGEROPS_UPDATE_GOLDEN=1) and review the diff."""
    args = shlex.split((case / "args").read_text())
    result = run_cli(*args, "--ledger", str(REPO))
    assert result.returncode == 0, result.stderr
    suffix = ".json" if "json" in args else ".md" if args[0] == "report" else ".txt"
    assert_golden(case / f"expected{suffix}", result.stdout, update_golden)


def _page() -> str:
    result = run_cli("report", "--ledger", str(REPO), "--as-of", "2026-11-27")
    assert result.returncode == 0, result.stderr
    return result.stdout


def _tables(tokens: list[Token]) -> list[list[list[str]]]:
    """Each table as rows of cell texts (the header row first)."""
    tables: list[list[list[str]]] = []
    row: list[str] = []
    for i, token in enumerate(tokens):
        if token.type == "table_open":
            tables.append([])
        elif token.type == "tr_open":
            row = []
        elif token.type in ("th_open", "td_open"):
            row.append(tokens[i + 1].content if tokens[i + 1].type == "inline" else "")
        elif token.type == "tr_close":
            tables[-1].append(row)
    return tables


def test_the_page_is_github_markdown_with_every_section_in_order() -> None:
    tokens = MarkdownIt("commonmark").enable("table").parse(_page())
    headings = [
        tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open" and t.tag != "h1"
    ]
    assert headings == SECTIONS
    tables = _tables(tokens)
    assert len(tables) >= 6
    for table in tables:
        assert len({len(row) for row in table}) == 1, table  # every row has the header's columns
        assert len(table) >= 2
    headline = tables[0]
    assert [row[0] for row in headline[1:]] == ["EUR", "USD", "JPY"]
    assert headline[1][1:4] == ["88.6", "+0.4", "50.0 % (1 of 2)"]


def test_the_charts_are_mermaid_xycharts_with_one_value_per_label() -> None:
    tokens = MarkdownIt("commonmark").parse(_page())
    charts = [t.content for t in tokens if t.type == "fence" and t.info == "mermaid"]
    assert len(charts) == 3  # the DSO trend of each of 3 currencies; the rest is in tables
    for chart in charts:
        lines = [line.strip() for line in chart.splitlines()]
        assert lines[0].startswith("%%{init: ") and lines[1] == "xychart-beta"
        labels = next(line for line in lines if line.startswith("x-axis"))
        values = next(line for line in lines if line.startswith(("line", "bar")))
        assert labels.count('"') // 2 == values.count(",") + 1
    assert any(
        'title "EUR DSO (days)"' in c and "[81.2, 84.6, 84.6, 96.7, 97.4, 87.9, 88.2, 88.6]" in c
        for c in charts
    )


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(one: str, two: str) -> float:
    high, low = sorted((_luminance(one), _luminance(two)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_charts_set_colours_that_read_on_githubs_light_and_dark_themes() -> None:
    """GitHub draws Mermaid with its own theme per colour mode; a chart that names its background
    and every colour reads the same in both (the default gave pale lavender on white)."""
    tokens = MarkdownIt("commonmark").parse(_page())
    charts = [t.content for t in tokens if t.type == "fence" and t.info == "mermaid"]
    for chart in charts:
        init = chart.splitlines()[0]
        config = json.loads(init.removeprefix("%%{init: ").removesuffix("}%%"))
        xy = config["themeVariables"]["xyChart"]
        background = xy["backgroundColor"]
        assert background == config["themeVariables"]["background"] == "#ffffff"
        for key in ("titleColor", "xAxisLabelColor", "yAxisLabelColor", "xAxisTitleColor", "yAxisTitleColor"):
            assert _contrast(xy[key], background) >= 7, key  # WCAG AAA for text
        for colour in xy["plotColorPalette"].split(","):
            assert _contrast(colour.strip(), background) >= 4.5
        for key in ("xAxisLineColor", "yAxisLineColor"):
            assert _contrast(xy[key], background) >= 3


def test_money_columns_are_right_aligned_and_formatted_per_currency() -> None:
    page = _page()
    assert "| EUR      |  24,220.41 | 3,711.16 | 18,963.25 |" in page
    assert "| JPY      |  1,508,723 |  380,000 |   640,000 | 488,723 |" in page
    tokens = MarkdownIt("commonmark").enable("table").parse(page.split("## Aging", 1)[1])
    header = [t for t in tokens if t.type == "th_open"][:7]
    assert [t.attrGet("style") for t in header] == [None] + ["text-align:right"] * 6


def test_the_json_report_follows_spec_section_9_and_the_example_ledgers_figures() -> None:
    result = run_cli("report", "--ledger", str(REPO), "--as-of", "2026-11-27", "--format", "json")
    report = json.loads(result.stdout)
    assert report["as_of"] == "2026-11-27"
    assert set(report) >= {"as_of", "currencies", "weeks", "alerts", "exceptions"}
    figures = {
        code: (c["receivable"], list(c["aging"].values()), c["sales"], c["dso"], c["on_time_rate"])
        for code, c in report["currencies"].items()
    }
    assert figures == {  # docs/example-ledger.md, "Expected report figures"
        "EUR": ("24220.41", ["3711.16", "18963.25", "0.00", "0.00", "1546.00"], "24595.66", 88.6, 0.5),
        "USD": ("9647.61", ["7800.00", "1847.61", "0.00", "0.00", "0.00"], "11590.75", 74.9, 0.0),
        "JPY": ("1508723", ["380000", "640000", "488723", "0", "0"], "1501500", 90.4, 0.0),
    }
    assert list(report["currencies"]["EUR"]["aging"]) == ["current", "1-30", "31-60", "61-90", "90+"]
    weeks = report["weeks"]
    assert [w["week"] for w in weeks] == [f"2026-W{n}" for n in range(41, 49)]
    assert weeks[0]["currencies"]["USD"] == {
        "receivable": "0.00", "aging": {k: "0.00" for k in ("current", "1-30", "31-60", "61-90", "90+")},
        "dso": None, "on_time_rate": None, "sales": "0.00", "on_time": {"paid": 0, "due": 0},
    }  # fmt: skip
    assert [(w["currencies"]["EUR"]["dso"], w["currencies"]["EUR"]["on_time_rate"]) for w in weeks[-3:]] == [
        (87.9, 0.333), (88.2, 0.333), (88.6, 0.5),
    ]  # fmt: skip
    assert report["alerts"] == []  # DSO rose two weeks running, but by 0.7 days: below the 2-day minimum
    assert [(e["id"], e["reason"], e["age_days"]) for e in report["exceptions"]] == [
        ("EXC-2026-0001", "final_escalation", 9)
    ]
    assert report["opened_this_week"] == {"by_reason": {}, "cases": []}
    assert [a["invoice"] for a in report["awaiting_escalation"]] == ["INV-2026-0004", "INV-2026-0006"]


def test_a_report_as_of_last_week_reads_last_weeks_exceptions(example: Path) -> None:
    result = run_cli("report", "--ledger", str(example), "--as-of", "2026-11-20", "--format", "json")
    report = json.loads(result.stdout)
    assert report["week"] == "2026-W47"
    assert report["opened_this_week"]["by_reason"] == {"promise_to_pay": 1, "final_escalation": 1}
    assert [e["id"] for e in report["exceptions"]] == ["EXC-2026-0001", "EXC-2026-0002"]  # 0002 was open then


def test_write_saves_the_weeks_page_and_the_readme_then_commits_them(tmp_path: Path) -> None:
    root = example_repo(tmp_path / "books")
    result = run_cli("report", "--ledger", str(root), "--as-of", "2026-11-27", "--write")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[:2] == ["wrote reports/weekly/2026-W48.md", "wrote reports/README.md"]
    page = (root / "reports/weekly/2026-W48.md").read_text()
    assert page == _page()
    readme = (root / "reports/README.md").read_text()
    assert "[2026-W48](weekly/2026-W48.md)" in readme and readme.endswith(page)
    assert git(root, "status", "--porcelain") == ""
    assert git(root, "log", "-1", "--format=%s").strip() == "report: 2026-W48 as of 2026-11-27"
    assert git(root, "show", "--name-only", "--format=", "HEAD").split() == [
        "reports/README.md",
        "reports/weekly/2026-W48.md",
    ]

    again = run_cli("report", "--ledger", str(root), "--as-of", "2026-11-27", "--write")
    assert again.stdout == "the report files are up to date\nnothing committed\n"

    older = run_cli("report", "--ledger", str(root), "--as-of", "2026-11-20", "--write", "--format", "json")
    assert json.loads(older.stdout)["written"] == ["reports/weekly/2026-W47.md"]  # README keeps the newest
    assert (root / "reports/README.md").read_text() == readme


def test_write_no_commit_only_writes(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "plain")  # not a repository
    refused = run_cli("report", "--ledger", str(root), "--as-of", "2026-11-27", "--write")
    assert refused.returncode == 2 and "--no-commit" in refused.stderr
    assert not (root / "reports").exists()
    result = run_cli("report", "--ledger", str(root), "--as-of", "2026-11-27", "--write", "--no-commit")
    assert result.returncode == 0, result.stderr
    assert (root / "reports/weekly/2026-W48.md").is_file() and (root / "reports/README.md").is_file()
    assert sorted(p.name for p in (root / "reports").rglob("*")) == ["2026-W48.md", "README.md", "weekly"]


def test_a_ledger_with_errors_gets_no_written_report(example: Path) -> None:
    invoice = example / "invoices/2026/INV-2026-0007.yaml"
    invoice.write_text(invoice.read_text().replace("currency: JPY", "currency: XYZ"))
    before = snapshot(example)
    result = run_cli("report", "--ledger", str(example), "--as-of", "2026-11-27", "--write", "--no-commit")
    assert result.returncode == 2
    assert "ledgerops check" in result.stderr and "Traceback" not in result.stderr
    assert snapshot(example) == before
    printed = run_cli("report", "--ledger", str(example), "--as-of", "2026-11-27")
    assert printed.returncode == 0 and "ledgerops check" in printed.stderr


def test_report_outside_a_ledger_exits_2(tmp_path: Path) -> None:
    for command in ("report", "aging"):
        result = run_cli(command, "--ledger", str(tmp_path), "--as-of", "2026-11-27")
        assert result.returncode == 2
        assert "no policy.yaml" in result.stderr and "Traceback" not in result.stderr


def test_aging_json_lists_each_currency_and_its_clients() -> None:
    result = run_cli("aging", "--ledger", str(REPO), "--as-of", "2026-11-27", "--format", "json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    eur = payload["currencies"]["EUR"]
    assert eur["receivable"] == "24220.41"
    assert [(c["client"], c["receivable"], c["overdue"]) for c in eur["clients"]] == [
        ("nordlicht", "22674.41", "18963.25"),
        ("brotwerk", "1546.00", "1546.00"),
    ]
    assert payload["currencies"]["JPY"]["clients"][0]["aging"]["31-60"] == "488723"


def test_a_mid_week_write_never_overwrites_the_full_weeks_page(tmp_path: Path) -> None:
    root = example_repo(tmp_path / "books")
    full = run_cli("report", "--ledger", str(root), "--as-of", "2026-11-27", "--write")
    assert full.returncode == 0, full.stderr
    page = (root / "reports/weekly/2026-W48.md").read_text()
    readme = (root / "reports/README.md").read_text()

    mid = run_cli("report", "--ledger", str(root), "--as-of", "2026-11-25", "--write", "--format", "json")
    assert mid.returncode == 0, mid.stderr
    assert json.loads(mid.stdout)["written"] == ["reports/weekly/2026-W48-to-date.md"]
    assert (root / "reports/weekly/2026-W48.md").read_text() == page
    assert (root / "reports/README.md").read_text() == readme  # the full week stays the newest
    partial = (root / "reports/weekly/2026-W48-to-date.md").read_text()
    assert (
        partial.startswith("# Weekly review 2026-W48 (to date): ") and "As of Wednesday 2026-11-25" in partial
    )
    assert git(root, "status", "--porcelain") == ""

    # The next week, mid-week: its to-date page is the newest, so the README shows it.
    nxt = run_cli("report", "--ledger", str(root), "--as-of", "2026-12-01", "--write", "--format", "json")
    assert json.loads(nxt.stdout)["written"] == ["reports/weekly/2026-W49-to-date.md", "reports/README.md"]
    assert "[2026-W49](weekly/2026-W49-to-date.md)" in (root / "reports/README.md").read_text()


def test_a_drift_alert_needs_the_policys_minimum_move(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "plain")

    def alerts() -> list[dict[str, object]]:
        result = run_cli("report", "--ledger", str(root), "--as-of", "2026-11-27", "--format", "json")
        assert result.returncode == 0, result.stderr
        return list(json.loads(result.stdout)["alerts"])

    assert alerts() == []  # EUR DSO 87.9 -> 88.2 -> 88.6: 0.7 days, below the default 2
    policy = root / "policy.yaml"
    policy.write_text(
        policy.read_text().replace("  drift_weeks: 2\n", "  drift_weeks: 2\n  drift_min_dso_days: 0.5\n")
    )
    assert [(a["currency"], a["metric"], a["values"]) for a in alerts()] == [
        ("EUR", "dso", [87.9, 88.2, 88.6])
    ]
    policy.write_text(policy.read_text().replace("drift_min_dso_days: 0.5", "drift_min_dso_days: -1"))
    check = run_cli("check", "--ledger", str(root), "--today", "2026-11-27")
    assert check.returncode == 1 and "invalid-policy" in check.stdout and "drift_min_dso_days" in check.stdout
