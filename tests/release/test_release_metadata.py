"""What a release promises users: the pre-commit rev the README names is the tag the release
workflow creates, and the hook it names exists."""

from __future__ import annotations

import re
import tomllib

import yaml

from tests.conftest import REPO

VERSION = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]


def test_the_readme_pre_commit_rev_is_the_tag_of_this_version() -> None:
    snippet = re.search(r"```yaml\n# \.pre-commit-config\.yaml.*?```", (REPO / "README.md").read_text(), re.S)
    assert snippet, "README.md has no pre-commit snippet"
    config = yaml.safe_load(snippet.group(0).strip("`").removeprefix("yaml"))
    (repo,) = config["repos"]
    assert repo["repo"] == "https://github.com/ledgerops/ledgerops"
    assert repo["rev"] == f"v{VERSION}"
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert [hook["id"] for hook in repo["hooks"]] == ["ledgerops-check"]
    assert "ledgerops-check" in [hook["id"] for hook in hooks]


def test_the_project_urls_point_at_the_repository() -> None:
    urls = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["urls"]
    assert set(urls) == {"Homepage", "Repository", "Issues", "Changelog", "Documentation"}
    assert all(url.startswith("https://github.com/ledgerops/ledgerops") for url in urls.values())
