"""Every `docs/<page>.md §N` cited in the project, and every relative Markdown link in the
docs and the README, leads to a page and a heading that exist."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CITED_FROM = ["ledgerops", "tests", "docs", "benchmarks", "README.md", "CHANGELOG.md"]
CITATION = re.compile(r"docs/([\w-]+\.md) (§\d+(?:\.\d+)?(?:\s*(?:–|-|,|and)\s*§\d+(?:\.\d+)?)*)")
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def sources():
    for name in CITED_FROM:
        path = ROOT / name
        yield from (
            [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.suffix in {".py", ".md"})
        )


def section_numbers(page: Path) -> set[str]:
    return set(re.findall(r"^#+ (\d+(?:\.\d+)*)\.? ", page.read_text(), re.M))


def slug(heading: str) -> str:
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    return {slug(h) for h in re.findall(r"^#+ (.+)$", page.read_text(), re.M)}


def citations():
    for path in sources():
        for number, line in enumerate(path.read_text().splitlines(), 1):
            for page, sections in CITATION.findall(line):
                for section in re.findall(r"§(\d+(?:\.\d+)?)", sections):
                    yield f"{path.relative_to(ROOT)}:{number}", page, section


def links():
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for number, line in enumerate(path.read_text().splitlines(), 1):
            for target in LINK.findall(line):
                if not re.match(r"[a-z]+:", target):
                    yield f"{path.relative_to(ROOT)}:{number}", path, target


def test_the_project_cites_sections():
    assert len(list(citations())) > 20


@pytest.mark.parametrize(("where", "page", "section"), list(citations()))
def test_cited_section_exists(where, page, section):
    target = ROOT / "docs" / page
    assert target.is_file(), f"{where}: docs/{page} does not exist"
    assert section in section_numbers(target), f"{where}: docs/{page} has no heading numbered {section}"


@pytest.mark.parametrize(("where", "page", "target"), list(links()))
def test_relative_link_resolves(where, page, target):
    file, _, anchor = target.partition("#")
    linked = (page.parent / file).resolve() if file else page
    assert linked.exists(), f"{where}: {target} leads to no file"
    if anchor and linked.suffix == ".md":
        assert anchor in anchors(linked), f"{where}: {linked.name} has no heading #{anchor}"
