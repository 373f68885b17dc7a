"""The shape of the code (ARCHITECTURE.md), checked with `ast` so it holds as the code grows."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "ledgerops"
LAYERS = ("core", "yamlfile", "render", "edge", "app")
# What each layer may import of ledgerops (besides itself).
ALLOWED = {
    "core": set(),
    "yamlfile": {"core"},
    "render": {"core"},
    "edge": {"core"},
    "app": {"core", "yamlfile", "render", "edge", "context"},
    "cli": {"app", "render", "core", "context", "__init__"},
    "context": set(),
}
# Third-party libraries and the one layer (or module) allowed to import each.
OWNERS = {
    "click": {"cli"},
    "yaml": {"yamlfile"},
    "ruamel": {"yamlfile"},
    "jinja2": {"render"},
    "markdown_it": {"render"},
    "fpdf": {"render"},
    "segno": {"render"},
    "facturx": {"render/facturx.py"},
    "fontTools": {"render/invoice.py"},  # fpdf2's font parser: the shipped fonts parsed once
    "babel": {"render"},
    "git": {"edge/gitrepo.py"},
    "openai": {"edge/llm.py"},
    "stripe": {"edge/stripe_api.py"},
    "saxonche": {"render/einvoice_rules.py"},  # the Schematron rules, compiled once per process
    "stdnum": {"core/taxes.py"},  # pure functions of a text: the one library core may use
}


def _modules() -> list[tuple[str, Path, ast.Module]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        layer = relative.parts[0] if len(relative.parts) > 1 else relative.stem
        found.append((layer, path, ast.parse(path.read_text(), str(path))))
    return found


def _imports(tree: ast.Module) -> list[str]:
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def test_imports_point_down() -> None:
    wrong = []
    for layer, path, tree in _modules():
        if layer == "__main__":
            continue
        for name in _imports(tree):
            parts = name.split(".")
            if parts[0] != "ledgerops" or len(parts) < 2:
                continue
            target = parts[1]
            if target != layer and target not in ALLOWED.get(layer, set()):
                wrong.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert wrong == []


def test_each_library_has_one_owner() -> None:
    wrong = []
    for layer, path, tree in _modules():
        relative = str(path.relative_to(PACKAGE))
        for name in _imports(tree):
            owners = OWNERS.get(name.split(".")[0])
            if owners is not None and layer not in owners and relative not in owners:
                wrong.append(f"{relative} imports {name}")
    assert wrong == []


def test_core_uses_the_standard_library_only() -> None:
    import sys

    wrong = []
    for layer, path, tree in _modules():
        if layer != "core":
            continue
        for name in _imports(tree):
            top = name.split(".")[0]
            pure = top in OWNERS and str(path.relative_to(PACKAGE)) in OWNERS[top]
            if top != "ledgerops" and top not in sys.stdlib_module_names and top != "__future__" and not pure:
                wrong.append(f"{path.name} imports {name}")
    assert wrong == []


def test_only_the_clock_reads_the_clock() -> None:
    readers = []
    for _, path, tree in _modules():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Attribute):
                continue
            owner = getattr(node.value, "id", "")
            reads_date = node.attr in ("today", "now", "utcnow") and owner in ("date", "datetime")
            if reads_date or (node.attr in ("time", "time_ns") and owner == "time"):
                readers.append(str(path.relative_to(PACKAGE)))
    assert set(readers) <= {"edge/clock.py"}


def test_every_package_says_what_it_may_import() -> None:
    for layer in LAYERS:
        doc = ast.get_docstring(ast.parse((PACKAGE / layer / "__init__.py").read_text()))
        assert doc and "import" in doc.lower(), layer


def test_only_the_github_edge_speaks_http() -> None:
    """GitHub's API is reached through edge/github.py alone (the language model through the
    openai client in edge/llm.py), so its timeout and token handling hold for every call."""
    speakers = {
        str(path.relative_to(PACKAGE))
        for _, path, tree in _modules()
        for name in _imports(tree)
        if name in ("urllib.request", "http.client") or name.split(".")[0] in ("requests", "httpx")
    }
    assert speakers <= {"edge/github.py"}
